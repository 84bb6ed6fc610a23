"""Independent tasks of a compiled kernel on several threads, without Numba's parallel transform.

A kernel that loops over independent tasks (blocks of advection lines) is compiled as ``@njit(nogil=True)`` with
two leading arguments, the first task and one past the last, and ``run_tasks`` calls it on contiguous ranges of
tasks from ``numba.get_num_threads()`` threads: the calling thread and the threads of a small pool. Why not
``prange`` for advection: Numba compiles the body of a parallel loop as a module of its own and links and optimises
everything the body calls into it once more; the advection kernel compiled in 29 s of CPU with prange and in 16 s
this way (benchmarks/RESULTS.md). It is not a rule: the generated chemistry of cb05_aero compiled in 221 s this way
against 135 s with prange (LLVM then inlines the whole Rosenbrock integration into one function), so chemistry
keeps its prange loop. Each task writes only its own part of the outputs, so the result does not depend on the
number of threads or on which thread ran which range.
"""
import concurrent.futures

import numba

_POOL = []


def _pool(workers: int) -> concurrent.futures.ThreadPoolExecutor:
    """The shared pool, with at least ``workers`` threads (replaced by a larger one when the count is raised)."""
    if not _POOL or _POOL[0]._max_workers < workers:
        if _POOL:
            _POOL.pop().shutdown(wait=True)
        _POOL.append(concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="airmodel-kernel"))
    return _POOL[0]


def run_tasks(kernel, n_tasks: int, args: tuple) -> None:
    """Call ``kernel(begin, end, *args)`` on one contiguous range of tasks per thread (a static schedule, as prange's),
    the ranges covering tasks 0 .. n_tasks - 1 once each. With one thread (or one task) the kernel runs once, in the
    calling thread, over all tasks. An exception in any range is raised here after every range has finished.
    """
    threads = max(1, min(numba.get_num_threads(), n_tasks))
    if threads == 1:
        kernel(0, n_tasks, *args)
        return
    bounds = [n_tasks * t // threads for t in range(threads + 1)]
    others = [_pool(threads - 1).submit(kernel, bounds[t], bounds[t + 1], *args) for t in range(threads - 1)]
    error = None
    try:
        kernel(bounds[-2], bounds[-1], *args)
    except BaseException as exc:    # re-raised once the other threads have stopped writing
        error = exc
    for future in others:
        try:
            future.result()
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
