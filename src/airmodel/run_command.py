"""``airmodel run``: run a scenario and write one CF NetCDF file (the command-line face of :mod:`airmodel.driver`)."""
from __future__ import annotations

import logging

from .driver import command_line_text, execute
from .scenario import check_resources, load

COMMAND = "run"


def add_parser(subparsers):
    r = subparsers.add_parser(COMMAND, help="run a scenario and write one CF NetCDF file")
    r.add_argument("scenario", help="scenario TOML file")
    r.add_argument("-o", "--output", required=True, help="output NetCDF file")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override a scenario key (repeatable), e.g. --set run.hours=4")
    r.add_argument("--force", action="store_true", help="overwrite an existing output")
    r.add_argument("--restart", metavar="FILE", help="continue from a checkpoint file")
    r.add_argument("--no-progress", action="store_true", help="no progress line")
    r.add_argument("--allow-large", action="store_true",
                   help="run even when the estimated memory exceeds 16 GiB (the estimate is checked before anything "
                        "is allocated)")
    return r


def command(args) -> int:
    overrides = list(args.overrides)
    if args.no_progress:
        overrides.append("run.progress=false")
    # Validated once, and its size checked before the model allocates anything.
    scenario = load(args.scenario, overrides)
    check_resources(scenario, args.allow_large)
    # args.argv (set by the CLI) is the command line as typed, recorded in the output's history.
    path = execute(scenario, args.output, [], args.force, args.restart, command_line=command_line_text(args.argv))
    logging.getLogger("airmodel").info("wrote %s", path)
    return 0
