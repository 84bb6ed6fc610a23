"""Shared helpers for the airmodel benchmarks.

- :func:`machine_info` describes the machine and software stack (recorded in every result file);
- :func:`time_call` times a callable: the first call (JIT compilation for Numba code) is timed and
  reported separately, then ``repeats`` further calls give the best and the median;
- :func:`write_result` writes ``benchmarks/results/<name>.json``;
- :func:`markdown_table` formats a short table for the console.

The scripts in this folder are run as ``python benchmarks/<name>.py`` from the repository root; they put
this folder on ``sys.path`` themselves, so ``import common`` works both that way and when imported.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Sequence

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
REPO_ROOT = BENCH_DIR.parent


# ---------------------------------------------------------------------------------------------------------
# Machine description
# ---------------------------------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_family_model() -> str | None:
    fam = mod = None
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                key = line.split(":", 1)[0].strip().lower()
                if key == "cpu family" and fam is None:
                    fam = line.split(":", 1)[1].strip()
                elif key == "model" and mod is None:
                    mod = line.split(":", 1)[1].strip()
                if fam is not None and mod is not None:
                    break
    except OSError:
        return None
    return f"family {fam} model {mod}" if fam is not None else None


def _version(module_name: str) -> str | None:
    try:
        mod = __import__(module_name)
    except Exception:  # noqa: BLE001 - absent or broken optional package
        return None
    return getattr(mod, "__version__", "unknown")


def load_avg() -> list[float] | None:
    """1/5/15-minute load averages (the machine is shared: record them next to every timing)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, software versions and date (UTC)."""
    info: dict[str, Any] = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cpu_family_model": _cpu_family_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "numba": _version("numba"),
        "scipy": _version("scipy"),
    }
    info["load_avg_1_5_15_at_write"] = load_avg()
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["mem_total_gib"] = round(int(line.split()[1]) / 2**20, 1)
                    break
    except OSError:
        pass
    try:
        import numba

        info["numba_num_threads"] = numba.config.NUMBA_NUM_THREADS
        info["numba_threading_layer_requested"] = numba.config.THREADING_LAYER
    except Exception:  # noqa: BLE001
        pass
    for var in ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            info.setdefault("env", {})[var] = os.environ[var]
    return info


# ---------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------
def time_call(
    fn: Callable[[], Any],
    repeats: int = 5,
    setup: Callable[[], Any] | None = None,
    include_first: bool = False,
) -> dict[str, Any]:
    """Time ``fn()``.

    The first call is timed on its own (``first_call_s``; for Numba code it includes JIT compilation) and is
    *excluded* from the statistics unless ``include_first``. Then ``repeats`` calls are timed with
    ``time.perf_counter``; ``setup()`` (if given) runs before every call, outside the timed region.

    Returns ``first_call_s``, ``compile_s`` (first call minus the median of the others, floored at 0: an
    estimate of the JIT/set-up cost), ``best_s``, ``median_s``, ``mean_s``, ``stdev_s``, ``times_s`` and
    ``result`` (the value returned by the last call).
    """
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    if setup is not None:
        setup()
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0

    times: list[float] = [first] if include_first else []
    for _ in range(repeats):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)

    med = statistics.median(times)
    return {
        "first_call_s": first,
        "compile_s": max(first - med, 0.0),
        "best_s": min(times),
        "median_s": med,
        "mean_s": statistics.fmean(times),
        "stdev_s": statistics.stdev(times) if len(times) > 1 else 0.0,
        "repeats": len(times),
        "times_s": times,
        "result": result,
    }


# ---------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------
def _to_jsonable(obj: Any) -> Any:
    """Convert NumPy scalars/arrays and other odd types for ``json.dump``; NaN/inf become strings."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None  # type: ignore[assignment]
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if np is not None:
        if isinstance(obj, np.ndarray):
            return _to_jsonable(obj.tolist())
        if isinstance(obj, np.generic):
            return _to_jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return repr(obj)


def write_result(name: str, data: dict[str, Any], add_machine: bool = True) -> Path:
    """Write ``benchmarks/results/<name>.json`` (machine description added under ``machine``)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = dict(data)
    payload.setdefault("benchmark", name)
    if add_machine and "machine" not in payload:
        payload["machine"] = machine_info()
    path = RESULTS_DIR / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(_to_jsonable(payload), fh, indent=2, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)
    return path


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], floatfmt: str = ".4g") -> str:
    """A small GitHub-flavoured Markdown table."""

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return format(v, floatfmt)
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(fmt(v) for v in row) + " |")
    return "\n".join(lines)


def machine_summary(info: dict[str, Any] | None = None) -> str:
    """One line for console output."""
    info = info or machine_info()
    return (
        f"{info.get('cpu_model')} ({info.get('cpu_family_model')}), {info.get('usable_cpus')} usable CPUs, "
        f"numpy {info.get('numpy')}, numba {info.get('numba')}, python {info.get('python')}, "
        f"{info.get('date_utc')}"
    )
