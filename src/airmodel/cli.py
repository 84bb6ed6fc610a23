"""The command line: ``airmodel run | met | plot | box | inventory summarize | compare | report | evaluate |
ensemble | --version``.

Bad input gives a one-line message naming the file, key or value, and exit code 2, with nothing written; a run
that diverges stops with the species, cell, process and time, and exit code 3.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import InputError, ModelHealthError

#: Commands defined in their own modules (relative names): each has COMMAND (its name), ``add_parser(subparsers)``
#: and ``command(args) -> int`` (the exit code; InputError is turned into exit 2 here).
COMMAND_MODULES = (
    ".ensemble",
    ".analysis.compare",
    ".analysis.evaluation",
    ".report",
    ".ready_scenarios",
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="airmodel", description="Regional air-quality model for greater Beijing.")
    p.add_argument("--version", action="version", version=f"airmodel {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    r = sub.add_parser("run", help="run a scenario and write one CF NetCDF file")
    r.add_argument("scenario", help="scenario TOML file")
    r.add_argument("-o", "--output", required=True, help="output NetCDF file")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override a scenario key (repeatable), e.g. --set run.hours=4")
    r.add_argument("--force", action="store_true", help="overwrite an existing output")
    r.add_argument("--restart", metavar="FILE", help="continue from a checkpoint file")
    r.add_argument("--no-progress", action="store_true", help="no progress line")

    m = sub.add_parser("met", help="write the meteorology a scenario will see, as CF NetCDF")
    m.add_argument("scenario", help="scenario TOML file")
    m.add_argument("-o", "--output", required=True, help="output NetCDF file")
    m.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    m.add_argument("--force", action="store_true", help="overwrite an existing output")
    m.add_argument("--every", type=float, default=1.0, metavar="HOURS", help="interval between records (h)")

    b = sub.add_parser("box", help="chemistry box model (teaching): one well-mixed cell over days")
    from .chemistry.box import add_box_arguments

    add_box_arguments(b)

    from .emissions.summary import add_inventory_parser

    add_inventory_parser(sub)

    pl = sub.add_parser("plot", help="draw a map from a meteorology or run file")
    pl.add_argument("file", help="NetCDF file written by airmodel met")
    pl.add_argument("--var", required=True, help="variable name, or 'wind' for 10-m wind arrows over terrain")
    pl.add_argument("--time", type=int, default=None, help="time index (default: the last)")
    pl.add_argument("--level", type=int, default=0, help="layer index for 3-D fields")
    pl.add_argument("-o", "--output", required=True, help="output PNG")
    for name in COMMAND_MODULES:
        importlib.import_module(name, __package__).add_parser(sub)
    return p


def _command_module(command: str):
    for name in COMMAND_MODULES:
        module = importlib.import_module(name, __package__)
        if module.COMMAND == command:
            return module
    raise InputError(f"unknown command {command!r}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)  # argparse itself exits with 2 on usage errors
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="airmodel: %(message)s", stream=sys.stderr)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "run":
            from .driver import command_line_text, execute

            overrides = list(args.overrides)
            if args.no_progress:
                overrides.append("run.progress=false")
            path = execute(args.scenario, args.output, overrides, args.force, args.restart,
                           command_line=command_line_text(argv))
            logging.getLogger("airmodel").info("wrote %s", path)
        elif args.command == "met":
            from .met.netcdf import write_met

            path = write_met(args.scenario, args.output, overrides=args.overrides, force=args.force,
                             every_hours=args.every)
            logging.getLogger("airmodel").info("wrote %s", path)
        elif args.command == "box":
            from .chemistry.box import box_command

            box_command(args)
        elif args.command == "inventory":
            from .emissions.summary import inventory_main

            return inventory_main(args)
        elif args.command == "plot":
            from .met.plot import plot_met

            path = plot_met(args.file, args.var, args.output, time_index=args.time, level=args.level)
            logging.getLogger("airmodel").info("wrote %s", path)
        else:
            return int(_command_module(args.command).command(args) or 0)
        return 0
    except InputError as exc:
        print(f"airmodel: error: {exc}", file=sys.stderr)
        return 2
    except ModelHealthError as exc:
        print(f"airmodel: the run stopped: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("airmodel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
