"""kernels/threads.py: every task runs exactly once on any number of threads; errors reach the caller."""
import threading

import numba
import numpy as np
import pytest

from airmodel.kernels.threads import run_tasks


def _record(begin, end, hits, threads_seen):
    for task in range(begin, end):
        hits[task] += 1
    threads_seen.add(threading.get_ident())


@pytest.mark.parametrize("n_tasks", [0, 1, 2, 7, 64, 1001])
def test_every_task_once(n_tasks):
    previous = numba.get_num_threads()
    try:
        for threads in range(1, numba.config.NUMBA_NUM_THREADS + 1):
            numba.set_num_threads(threads)
            hits, seen = np.zeros(n_tasks, dtype=int), set()
            run_tasks(_record, n_tasks, (hits, seen))
            assert (hits == 1).all()
            # one thread (or a single task): the calling thread alone, in one call
            if threads == 1 or n_tasks <= 1:
                assert seen <= {threading.get_ident()}
    finally:
        numba.set_num_threads(previous)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least two Numba threads")
def test_two_threads_both_work():
    """With two threads, the second thread takes a range too."""
    import time

    previous = numba.get_num_threads()
    seen = set()

    def slow(begin, end):
        time.sleep(0.01)
        seen.add(threading.get_ident())

    try:
        numba.set_num_threads(2)
        run_tasks(slow, 16, ())
    finally:
        numba.set_num_threads(previous)
    assert len(seen) == 2


@pytest.mark.parametrize("failing", [0, 5, 15])
def test_an_error_in_any_range_is_raised_after_all_ranges(failing):
    previous = numba.get_num_threads()
    done = np.zeros(16, dtype=int)

    def work(begin, end):
        for task in range(begin, end):
            if task == failing:
                raise ValueError(f"task {task}")
            done[task] += 1

    try:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        with pytest.raises(ValueError, match=f"task {failing}"):
            run_tasks(work, 16, ())
    finally:
        numba.set_num_threads(previous)
    assert done.max() <= 1     # nothing ran twice
