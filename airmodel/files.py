"""Atomic outputs: a file or a folder is written under a temporary name and renamed when complete, so that a
reader never sees half an output, and an existing result is replaced only when the user says --force."""
from __future__ import annotations

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
