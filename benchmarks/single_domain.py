"""Run the August baseline without its parent domain: the ready scenario ``baseline_2008_08`` with its
``[parent]`` table removed, so the greater-Beijing domain runs alone (its boundary values then come from the
scenario's climatology at its own edges). The configuration of the single-domain figures of issue 17 (the month
in at most 4 minutes); not a ready scenario, since the nested one is the baseline.

    /usr/bin/time -v python benchmarks/single_domain.py -o single.nc [--set SECTION.KEY=VALUE ...] [--force]
"""
from __future__ import annotations

import argparse
import logging
import sys

from airmodel.config_files import read_toml
from airmodel.data import resolve_scenario


def scenario(nested: bool = False) -> dict:
    """The baseline's settings as a dict, without [parent] unless ``nested``."""
    data = read_toml(resolve_scenario("baseline_2008_08"))
    if not nested:
        data.pop("parent")
    return data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    p.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="airmodel: %(message)s")
    import airmodel

    airmodel.run(scenario(), output=args.output, overrides=args.set, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
