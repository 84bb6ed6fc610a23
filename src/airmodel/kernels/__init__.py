"""Pure Numba kernels (see README.md): arrays in, arrays out; never imports airmodel."""
import hashlib
import os
from pathlib import Path

# Threads that wait between parallel loops sleep instead of spinning, unless the user has chosen otherwise. Numba's
# OpenMP threading layer (GNU libgomp) reads this when it is first loaded, at the first parallel call, which
# comes after this import. With the default (active waiting) a waiting thread keeps a core busy through every
# serial part of a model step; where other programs share the cores that starves the working threads: on this
# 2-core machine under other load two threads took 5-8 times the wall and CPU time of the same run with passive
# waiting (benchmarks/RESULTS.md, "Threads that wait"). Results do not depend on it (no kernel's result depends on
# which thread computes what).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _numba_cache_folder() -> Path | None:
    """Where Numba keeps the compiled functions of this package (beside the sources, or the folder Numba chooses when
    that is not writable or NUMBA_CACHE_DIR is set): asked of Numba's own cache locator for a function of this
    folder. None where this version of Numba does not answer (then nothing is removed)."""
    try:
        from numba.core.caching import FunctionCache

        return Path(FunctionCache(_numba_cache_folder)._cache_path)
    except Exception:  # an internal of Numba: without it the guard below does nothing
        return None


def drop_stale_compiled_code(folder: Path | None = None) -> bool:
    """Remove this package's compiled functions from Numba's cache when any kernel source has changed since they
    were written; return whether it did. Why: Numba checks only the file of the function it loads, not the modules
    that function calls and compiles into itself, so after a change of photolysis.py the cached chemistry driver,
    which has photolysis's functions compiled into it, would still run the old code (an upgrade of airmodel
    changes only some files). A digest of every source of this package is kept beside the cache; where it differs,
    the package's cache files (``<module>.<function>-<line>.pyNN.nbi/.nbc``) are removed and Numba compiles them
    afresh. Nothing is done where the folder cannot be written. Not covered: a process started before a kernel
    changed, still running and compiling a function it had not needed yet, writes that function's old code after
    a newer process has cleaned the cache (Numba's key does not see the other files); so stop the runs of a source
    tree before changing its kernels."""
    folder = folder or _numba_cache_folder()
    if folder is None:
        return False
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py"))
    digest = hashlib.sha256(b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sources)).hexdigest()
    stamp = folder / "airmodel_kernels.sha256"
    try:
        if stamp.read_text(encoding="ascii").strip() == digest:
            return False
    except (OSError, ValueError):  # missing, unreadable or not text: as if the sources had changed
        pass
    modules = {p.stem for p in sources}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.suffix in (".nbi", ".nbc") and path.name.split(".", 1)[0] in modules:
                path.unlink(missing_ok=True)
        tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(digest + "\n", encoding="ascii")
        os.replace(tmp, stamp)
    except OSError:  # a read-only cache: Numba's own checks are all there is
        return False
    return True


drop_stale_compiled_code()
