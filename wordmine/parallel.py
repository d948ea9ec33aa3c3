"""The one parallel engine: map each batch to a partial result in a worker, merge in the parent.

This is the combiner pattern of the seed technique: a worker reduces its whole batch (for example
to a ``Counter`` of the batch's words) before anything crosses a process boundary, so the parent
only merges small partial results. Properties every step relies on:

* ``jobs=1`` runs in-process, with no pool and no pickling.
* At most ``2 * jobs`` batches are in flight, so memory does not grow with the input: the reader
  is only asked for the next batch when a slot frees up.
* Progress is counted in input bytes (a tqdm bar on stderr, shown only when stderr is a TTY).
* A worker exception stops the run and is re-raised in the parent; a worker that dies (killed,
  out of memory) raises :class:`~wordmine.errors.WorkerError`; on any error or Ctrl-C the pool
  is torn down at once: no hang, no worker left behind.
* Workers ignore SIGINT: Ctrl-C at a terminal reaches the whole process group, and only the
  parent should react (by stopping the workers), not print one traceback per worker.
* Workers start from a fork server (spawn where there is none), never by forking the caller:
  forking a process that has threads (an earlier pool's manager thread, a host application's)
  can deadlock the child. The server pre-imports numpy and jieba, so workers start in ~0.1 s.

Results do not depend on ``jobs`` as long as ``merge`` is commutative and associative, or
with ``ordered=True``, which merges the results in the order of their batches (a result that
arrives early waits for those before it; the waiting ones count among the batches in flight).

>>> from collections import Counter
>>> def count_chars(text): return Counter(text)
>>> def add(total, part):
...     total.update(part)
...     return total
>>> run(["ab", "b"], count_chars, add, Counter(), jobs=1)
Counter({'b': 2, 'a': 1})
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, TypeVar

from .errors import WorkerError

__all__ = ["default_jobs", "run"]

T = TypeVar("T")
R = TypeVar("R")

#: Batches in flight per worker: one being processed, one queued so no worker waits for the parent.
_INFLIGHT_PER_JOB = 2


def default_jobs() -> int:
    """The number of CPUs this process may use (the default of ``-j/--jobs``).

    >>> default_jobs() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(
    batches: Iterable[T],
    func: Callable[[T], R],
    merge: Callable[[Any, R], Any],
    initial: Any,
    *,
    jobs: int | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    size: Callable[[T], int] | None = None,
    total: int | None = None,
    progress: bool = False,
    desc: str | None = None,
    ordered: bool = False,
) -> Any:
    """Apply ``func`` to every batch (in ``jobs`` processes) and fold the results with ``merge``.

    Args:
        batches: an iterable of picklable batches; consumed lazily.
        func: a top-level function, batch -> partial result (runs in the worker).
        merge: ``merge(accumulator, partial) -> accumulator`` (runs in the parent).
        initial: the starting accumulator.
        jobs: worker processes; ``None`` means :func:`default_jobs`, 1 means in-process.
        initializer, initargs: run once per worker before its first batch (in-process for 1 job).
        size: batch -> its size in bytes, for the progress bar.
        total: total bytes expected, or None if unknown.
        progress: show a tqdm bar on stderr (only if stderr is a TTY).
        ordered: merge the results in batch order (for a ``merge`` whose result depends on
            the order, or a writer that must write in input order).

    Returns:
        The final accumulator.
    """
    from tqdm import tqdm

    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    bar = tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
        file=sys.stderr, disable=None if progress else True, leave=False,
    )
    with bar:
        if jobs == 1:
            if initializer is not None:
                initializer(*initargs)
            acc = initial
            for batch in batches:
                acc = merge(acc, func(batch))
                if size is not None:
                    bar.update(size(batch))
            return acc
        return _run_pool(batches, func, merge, initial, jobs, initializer, initargs, size, bar, ordered)


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["numpy", "jieba", "wordmine.corpus"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_pool(batches, func, merge, acc, jobs, initializer, initargs, size, bar, ordered):
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker, initargs=(initializer, initargs))
    inflight: dict = {}  # future -> (batch number, input bytes)
    waiting: dict = {}  # batch number -> result that came before those of earlier batches
    submitted = merged = 0
    ok = False
    try:
        it = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(inflight) + len(waiting) < _INFLIGHT_PER_JOB * jobs:
                try:
                    batch = next(it)
                except StopIteration:
                    exhausted = True
                    break
                inflight[pool.submit(func, batch)] = (submitted, size(batch) if size is not None else 0)
                submitted += 1
            if not inflight:
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: inflight[f][0]):
                number, nbytes = inflight.pop(fut)
                bar.update(nbytes)
                if not ordered:
                    acc = merge(acc, fut.result())
                    continue
                waiting[number] = fut.result()
                while merged in waiting:
                    acc = merge(acc, waiting.pop(merged))
                    merged += 1
        ok = True
        return acc
    except BrokenProcessPool:
        raise WorkerError(
            "a worker process died (killed, or out of memory?); "
            "try fewer --jobs, or free some memory, and run again"
        ) from None
    finally:
        if ok:
            pool.shutdown(wait=True)
        else:
            _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: drop queued work and terminate running workers."""
    # ProcessPoolExecutor has no public way to stop running workers before Python 3.14
    # (terminate_workers); its `_processes` map has been stable since 3.2.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)
    pool.shutdown(wait=True)  # and let its manager thread finish before anything forks again


def _init_worker(initializer, initargs) -> None:
    # Only the parent reacts to Ctrl-C (it then terminates the workers); SIGTERM must kill a
    # worker even if the parent installed a handler that forked children inherited.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
