"""Atomic outputs: a file or a folder is written under a temporary name and renamed when complete, so that a
reader never sees half an output, and an existing result is replaced only when the user says --force."""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError


def check_new_output(path: Path, force: bool, what: str = "output") -> None:
    """Refuse to overwrite an existing output without --force."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path}: the {what} exists; give --force to replace it")
    if not path.parent.exists():
        raise InputError(f"{path}: the folder {str(path.parent)!r} does not exist")


@contextmanager
def atomic_file(path: Path, force: bool = False, what: str = "output"):
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block ends without an error."""
    path = Path(path)
    check_new_output(path, force, what)
    tmp = path.with_name(path.name + ".part")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_folder(path: Path, force: bool = False, what: str = "output folder"):
    """Yield a temporary folder beside ``path``; it replaces ``path`` when the block ends without an error."""
    path = Path(path)
    check_new_output(path, force, what)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_text(path: Path, what: str = "file") -> str:
    """The text of an input file (UTF-8, a byte-order mark allowed), or an InputError naming the file and why."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the {what} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def read_toml_text(path: Path, what: str = "file") -> dict:
    """A TOML input file as a dict, or an InputError naming the file and the problem."""
    import tomllib

    try:
        return tomllib.loads(read_text(path, what))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def open_netcdf(path: Path, what: str = "NetCDF file"):
    """An xarray Dataset of a NetCDF input, or an InputError naming the file if it is missing or unreadable."""
    import xarray as xr

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    try:
        return xr.open_dataset(path)
    except Exception as exc:  # netCDF4 and HDF5 raise many kinds; all mean the same to the user
        reason = (str(exc).splitlines() or [""])[0][:160]
        raise InputError(f"{path}: not a readable NetCDF file (the {what}; {type(exc).__name__}: {reason})") \
            from None


def write_csv_atomic(path: Path, rows: list, columns) -> Path:
    """Write a CSV file under a temporary name and rename it, so that a reader never sees half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    os.replace(tmp, path)
    return path
