"""The one way airmodel writes: every output (a file or a folder; NetCDF, CSV, Markdown, PNG, HTML, checkpoints) is
written under a temporary name beside its target and renamed when complete, so that a reader never sees half an
output; an existing result is replaced only when the user says --force; and nothing is written through a symbolic
link (a link at the target or at the temporary name is refused, temporary files are created exclusively)."""
from __future__ import annotations

import csv
import errno
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from .errors import InputError, OutputWriteError

#: The suffix of every temporary name (a run's partial output is ``OUT.part``; see ``partial_path``).
PARTIAL_SUFFIX = ".part"

# Creating a temporary file: it must not exist (O_EXCL, which also refuses a symbolic link at that name) and a
# link is never followed (O_NOFOLLOW, where the platform has it).
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


# The errors of a write that could not finish: no space, a file-size limit (RLIMIT_FSIZE), a disk quota, a read-only
# or failing file system.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO}


def write_failure(exc: BaseException, path: Path, what: str = "output") -> OutputWriteError | None:
    """The OutputWriteError for ``exc`` if it is a failed write (an OSError of a full disk, a file-size limit, a
    quota, a read-only or failing file system; or the NetCDF library's own error, which loses the system's
    reason), else None."""
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        reason = os.strerror(exc.errno)
    elif (type(exc) is RuntimeError or isinstance(exc, OSError)) and "NetCDF: " in str(exc):
        reason = f"the NetCDF library failed: {str(exc).split('NetCDF: ', 1)[1]}"
    else:
        return None
    return _write_error(path, what, reason)


def _write_error(path: Path, what: str, reason: str) -> OutputWriteError:
    return OutputWriteError(f"{path}: writing the {what} failed ({reason}; a full disk or a file-size limit?); "
                            f"nothing was written at {path}", Path(path), reason)


@contextmanager
def writing(path: Path, what: str = "output", folder: Path | None = None):
    """Turn a failed write inside the block (see ``write_failure``) into an OutputWriteError naming ``path``; and
    so one of a file in ``folder`` (the temporary folder that becomes ``path``)."""
    try:
        yield
    except OutputWriteError as exc:
        if folder is None or exc.path is None or Path(folder) not in exc.path.parents:
            raise
        raise _write_error(path, what, f"{exc.path.relative_to(folder)}: {exc.reason}") from None
    except (OSError, RuntimeError) as exc:
        failure = write_failure(exc, path, what)
        if failure is None:
            raise
        raise failure from None


def partial_path(path: Path) -> Path:
    """The fixed temporary name of ``path`` (``path.part``): used where a later command must find it again, as
    ``--restart`` finds the partial output of an interrupted run."""
    path = Path(path)
    return path.with_name(path.name + PARTIAL_SUFFIX)


def refuse_symlink(path: Path, what: str = "output") -> None:
    """InputError if ``path`` is a symbolic link: airmodel never writes through one (it could point anywhere)."""
    path = Path(path)
    if path.is_symlink():
        raise InputError(f"{path}: the {what} is a symbolic link; airmodel does not write through links (give the "
                         "path it points to, or remove the link)")


def check_new_output(path: Path, force: bool, what: str = "output", folder: bool = False) -> None:
    """Refuse to overwrite an existing output without --force, to write through a symbolic link, to write into
    a folder that does not exist, or (unless the output is a ``folder``) to replace a folder with a file."""
    path = Path(path)
    refuse_symlink(path, what)
    if path.is_dir() and not folder:
        raise InputError(f"{path}: is a folder; give the name of the file to write")
    if path.exists() and not force:
        if folder:
            raise InputError(f"{path}: the {what} exists; give --force to replace it")
        raise InputError(f"{path}: the {what} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {str(path.parent)!r} does not exist")


def check_new_folder(path: Path, force: bool, what: str = "output folder", merge: bool = False) -> None:
    """As ``check_new_output`` for a folder; with ``merge`` an existing folder is written into (its other files
    kept), so only a folder that is not empty needs --force."""
    path = Path(path)
    if not merge or not path.exists() or path.is_symlink():
        check_new_output(path, force, what, folder=True)
        return
    if not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder; give a folder for the {what}")
    if any(path.iterdir()) and not force:
        raise InputError(f"{path}: the {what} exists and is not empty; use --force to replace the files an "
                         "earlier run wrote there")


def create_temporary(path: Path, fixed: bool = False) -> Path:
    """Create an empty temporary file beside ``path`` and return its name: ``.NAME.RANDOM.part``, or with ``fixed``
    ``NAME.part`` (a stale one from an interrupted command is replaced; a link there is refused). The file is created
    exclusively, never through a link, with the permissions of any new file (the umask applies)."""
    path = Path(path)
    if fixed:
        tmp = partial_path(path)
        refuse_symlink(tmp, "temporary file")
        tmp.unlink(missing_ok=True)
    else:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")
    try:
        os.close(os.open(tmp, _CREATE_FLAGS, 0o666))
    except FileExistsError:
        raise InputError(f"{tmp}: the temporary file appeared while airmodel created it (another command writing "
                         "the same output?)") from None
    return tmp


def publish(tmp: Path, path: Path, force: bool = True, what: str = "output") -> Path:
    """Rename the complete temporary ``tmp`` to ``path`` (checked again: a link or, without ``force``, a file may
    have appeared there while the output was written)."""
    check_new_output(path, force, what)
    refuse_symlink(tmp, "temporary file")
    os.replace(tmp, path)
    return Path(path)


@contextmanager
def atomic_file(path: Path, force: bool = False, what: str = "output", fixed: bool = False,
                even_on_error: bool = False):
    """Yield a new temporary file's path beside ``path``; it is renamed to ``path`` when the block ends without an
    error (or, with ``even_on_error``, however it ends: a log that tells why a command failed), else removed."""
    path = Path(path)
    check_new_output(path, force, what)
    tmp = create_temporary(path, fixed)
    done = False
    try:
        with writing(path, what):
            yield tmp
        done = True
    finally:
        try:
            if done or even_on_error:
                publish(tmp, path, force, what)
        finally:
            if tmp.exists() or tmp.is_symlink():
                tmp.unlink()


def _new_folder_beside(path: Path, suffix: str) -> Path:
    """A new empty folder beside ``path`` with the permissions of any new folder (mkdtemp's are private)."""
    folder = path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"
    folder.mkdir()
    return folder


@contextmanager
def atomic_folder(path: Path, force: bool = False, what: str = "output folder",
                  merge: Callable[[list[str]], Iterable[Path]] | None = None):
    """Yield a temporary folder beside ``path``; when the block ends without an error it replaces ``path``.

    With ``merge`` (called with the names written, it returns the stale files of an earlier run to delete) an
    existing folder is not replaced but written into, file by file, and the other files there are kept."""
    path = Path(path)
    check_new_folder(path, force, what, merge is not None)
    tmp = _new_folder_beside(path, PARTIAL_SUFFIX)
    try:
        with writing(path, what, folder=tmp):
            yield tmp
        check_new_folder(path, force, what, merge is not None)  # again: another command may have written there
        if not path.exists():
            os.replace(tmp, path)
        elif merge is not None:
            names = sorted(p.name for p in tmp.iterdir())
            for stale in merge(names):
                Path(stale).unlink()
            for name in names:
                refuse_symlink(path / name, what)
                os.replace(tmp / name, path / name)
        else:
            old = _new_folder_beside(path, ".old")
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# -- helpers on top: the usual kinds of output -------------------------------------------------------------------
def write_text_atomic(path: Path, text: str, force: bool = False, what: str = "output") -> Path:
    """Write UTF-8 text (Markdown, HTML, a log) atomically."""
    with atomic_file(path, force, what) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes_atomic(path: Path, data: bytes, force: bool = False, what: str = "output") -> Path:
    """Write bytes atomically."""
    with atomic_file(path, force, what) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_csv_atomic(path: Path, rows: Iterable[dict], columns, force: bool = False, what: str = "table",
                     lineterminator: str = "\r\n", cell: Callable | None = None) -> Path:
    """Write dict rows as CSV with a header of ``columns`` atomically (a key a row lacks is written empty, one it has
    beyond ``columns`` is left out). ``cell``, if given, turns each value into its text (else the csv module's
    str); ``lineterminator`` is the csv module's (RFC 4180 CRLF by default)."""
    columns = list(columns)
    with atomic_file(path, force, what) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator=lineterminator)
            writer.writerow(columns)
            for row in rows:
                values = [row.get(c, "") for c in columns]
                writer.writerow(values if cell is None else [cell(v) for v in values])
    return Path(path)


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend (no display on servers and CI); imported when first needed,
    as matplotlib is heavy and optional."""
    try:
        import matplotlib
    except ImportError:
        raise InputError("plotting needs matplotlib, which is not installed: pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure_atomic(fig, path: Path, force: bool = True, close: bool = False, **savefig) -> Path:
    """Save a matplotlib figure atomically; its format is the target's suffix (the temporary name has none).
    ``savefig`` is passed on (dpi, bbox_inches...). A figure without a canvas (``matplotlib.figure.Figure``) gets
    the Agg one."""
    path = Path(path)
    savefig.setdefault("format", path.suffix.lstrip(".").lower() or "png")
    try:
        if fig.canvas is None or type(fig.canvas).__name__ == "FigureCanvasBase":
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        with atomic_file(path, force, "figure") as tmp:
            fig.savefig(tmp, **savefig)
    finally:
        if close:
            pyplot().close(fig)
    return path


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
