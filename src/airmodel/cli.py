"""The command line: ``airmodel run | met | box | inventory summarize | plot | ensemble | compare | evaluate |
report | --version``.

Bad input gives a one-line message naming the file, key or value, and exit code 2, with nothing written; a run
that diverges stops with the species, cell, process and time, and exit code 3; an output that cannot be written
(a full disk) gives a one-line message naming it, and exit code 4, with nothing at its path.

One way to register a command: a module listed in ``COMMANDS`` that defines
- ``COMMAND``: the command's name;
- ``add_parser(subparsers)``: adds the command's parser (its help and options) to the CLI's subparsers;
- ``command(args) -> int``: runs it from the parsed arguments and returns the exit code. ``args.argv`` holds the
  command line as typed (for provenance). It raises InputError for bad input and ModelHealthError for a run that
  diverged; ``main`` turns them into exit codes 2 and 3 (and OutputWriteError into 4), here and nowhere else.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .errors import InputError, ModelHealthError, OutputWriteError
from .version import __version__

#: The commands, in the order of ``airmodel --help``: name -> module relative to this package (its ``COMMAND``).
COMMANDS = {
    "run": ".run_command",
    "met": ".met_output",
    "box": ".chemistry.box",
    "inventory": ".inventory_summary",
    "plot": ".plot_met",
    "ensemble": ".ensemble",
    "rank": ".rank",
    "compare": ".analysis.compare",
    "health": ".health_command",
    "evaluate": ".analysis.evaluation",
    "report": ".report",
    "scenarios": ".ready_scenarios",
}


def command_modules(names=None) -> dict:
    """{command name: module} for the named commands (default: every registered command)."""
    modules = {}
    for name in COMMANDS if names is None else names:
        # The one lazy import of the package: by name, from this table, so that adding a command is one line, and
        # a command imports only its own module (the others bring dask, matplotlib and more: about a second).
        module = importlib.import_module(COMMANDS[name], __package__)
        if module.COMMAND != name:
            raise RuntimeError(f"cli.COMMANDS: {COMMANDS[name]} defines the command {module.COMMAND!r}, not {name!r}")
        modules[name] = module
    return modules


def _command_named(argv: list[str]) -> str | None:
    """The command the command line names, if its first word is one (else None: the parser of every command,
    which gives the help, the version and argparse's message for an unknown command)."""
    words = [w for w in argv if w not in ("-q", "--quiet")]     # the global options that may come first
    return words[0] if words and words[0] in COMMANDS else None


def _parser(modules: dict) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="airmodel", description="Regional air-quality model for greater Beijing.")
    p.add_argument("--version", action="version", version=f"airmodel {__version__}")
    p.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules.values():
        module.add_parser(sub)
    return p


#: The arguments of any command that name a file or folder to write.
OUTPUT_ARGUMENTS = {"output": "-o/--output", "dest": "DEST", "plot": "--plot"}


def _check_paths(args) -> None:
    """An empty or blank output name is refused by every command (it would name the current folder)."""
    for name, option in OUTPUT_ARGUMENTS.items():
        value = getattr(args, name, None)
        if isinstance(value, str) and not value.strip():
            raise InputError(f"{option}: {value!r} is not a file name; give the path of the output to write")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    named = _command_named(list(argv))
    modules = command_modules(None if named is None else [named])
    parser = _parser(modules)
    args = parser.parse_args(argv)  # argparse itself exits with 2 on usage errors
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="airmodel: %(message)s", stream=sys.stderr)
    if args.command is None:
        parser.print_help()
        return 2
    args.argv = list(argv)
    try:
        _check_paths(args)
        return int(modules[args.command].command(args) or 0)
    except InputError as exc:
        print(f"airmodel: error: {exc}", file=sys.stderr)
        return 2
    except ModelHealthError as exc:
        print(f"airmodel: the run stopped: {exc}", file=sys.stderr)
        return 3
    except OutputWriteError as exc:
        print(f"airmodel: error: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print("airmodel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
