"""The files of a nested run's domains (airmodel/nesting.py, docs/nesting.md): ``-o OUT.nc`` writes the inner
domain to OUT.nc and each parent to OUT.NAME.nc beside it; the analysis commands pick a domain's file by name.

A foundation module: it imports nothing of airmodel but the errors, so that the run driver and every analysis
command may use it.
"""
from __future__ import annotations

from pathlib import Path

import netCDF4

from .errors import InputError

#: The name of the inner domain ([domain]) of a nested run, in its output's ``domain_name`` attribute.
INNER_DOMAIN = "domain"


def domain_output(output: Path, name: str) -> Path:
    """Where a parent domain's output goes beside a run's output: OUT.nc -> OUT.NAME.nc (docs/nesting.md)."""
    output = Path(output)
    return output.with_name(f"{output.stem}.{name}{output.suffix or '.nc'}")


def run_domains(path: Path) -> dict[str, Path]:
    """The domains of the run written to ``path`` (its inner domain's file), by name: the inner domain (named by
    its ``domain_name`` attribute, "domain" for a run without a parent) and every OUT.NAME.nc beside it that names a
    domain."""
    path = Path(path)
    found = {INNER_DOMAIN: path}
    for sibling in sorted(path.parent.glob(f"{path.stem}.*{path.suffix or '.nc'}")):
        name = sibling.name[len(path.stem) + 1:len(sibling.name) - len(path.suffix or ".nc")]
        if not name or "." in name or not sibling.is_file():
            continue
        try:
            with netCDF4.Dataset(sibling) as ds:
                if getattr(ds, "domain_name", None) == name:
                    found[name] = sibling
        except OSError:
            continue
    return found


def domain_file(path, name: str | None, what: str = "run file") -> Path:
    """The file of domain ``name`` of the run written to ``path``: ``path`` itself for None or the inner domain,
    else OUT.NAME.nc beside it; an InputError naming the domains there if it has none of that name."""
    path = Path(path)
    if name is None or name == INNER_DOMAIN:
        return path
    candidate = domain_output(path, name)
    if not candidate.is_file():
        raise InputError(f"--domain {name}: the {what} {path} has no domain {name!r} beside it ({candidate} not "
                         f"found); its domains: {', '.join(run_domains(path))}")
    return candidate
