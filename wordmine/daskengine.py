"""The Dask back-end of :mod:`wordmine.parallel`: the same maps on a ``dask.distributed`` cluster.

:func:`wordmine.parallel.map_batches` and :func:`wordmine.parallel.map_tasks` hand their work
here when given a Dask engine; steps never call this module. It lives beside ``parallel`` (which
imports it only when a Dask engine is asked for) so that ``import wordmine`` and
``wordmine --help`` never import dask, and so that the process pool, its signals and fork server
stay apart from the client of a scheduler.

What travels, and what does not:

* Batches go as :class:`~wordmine.corpus.BatchPlan` objects (file names and byte spans):
  each worker reads its own part of the corpus, which must be on a file system that every
  worker sees at the same path. A plan is made of the same batches that the local engine
  reads, so the steps see the same batches and write the same bytes, whatever the number of
  workers. (stdin, compressed files and the few others that
  :func:`~wordmine.corpus.plan_batches` cannot cut travel as text.)
* A step's worker state (a jieba tokenizer, a symbol table), which the local engine builds in
  each worker's initializer, is built once per Dask worker process and map: the initializer's
  arguments are scattered to every worker once, and a worker runs the initializer before the
  first task of a map it has not seen. A worker process runs one wordmine task at a time (a
  lock), so the module-level state of a step is never shared by two maps at once: start workers
  with ``--nthreads 1`` and as many ``--nworkers`` as cores.
* A task's large arrays reuse the worker's heap, as in a local worker, although a Dask nanny
  asks glibc to hand freed memory back at once (which cost the workers of ``ngrams -n 4`` 1.7
  times the CPU); a worker idle for a second gives the heap back (:func:`_heap_kept`).
* Results come back to this process as they do from local workers: small partial results
  (a batch's word counts) or the names of files the worker wrote (sorted runs, merged ranges),
  which must then be in a directory every worker and this process see (``--tmp-dir``).

Faults: when a worker dies, the scheduler runs its tasks again on another worker (up to
``distributed.scheduler.allowed-failures`` times, 3 by default). Tasks are idempotent: a task
reads its input afresh and writes files under names of its own (a new run directory per attempt,
a merged range replaced atomically), and only the result of the attempt that finished is merged,
so nothing is lost or counted twice. A task that keeps killing its workers stops the run with
:class:`~wordmine.errors.WorkerError`; as with the local engine, no output file is written.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import threading
import uuid
from typing import Any, Callable, Iterable

from .corpus import BatchPlan, read_plan
from .errors import EngineError, WorkerError

log = logging.getLogger(__name__)

#: Batches in flight per worker thread, as for the local engine: one running, one queued.
_INFLIGHT_PER_WORKER = 2
#: How long to wait for a scheduler that does not answer (s): a reachable one answers in ms;
#: 10 s allows for a slow network.
_CONNECT_SECONDS = 10
#: How long to wait for the workers of a local cluster to start (s): each starts in about 1 s.
_START_SECONDS = 60

_INSTALL = "pip install 'wordmine[dask]'"


def available() -> bool:
    """Whether dask.distributed can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def missing_message() -> str:
    """What to do when the Dask engine is asked for and dask is not installed."""
    return f"--engine dask needs dask.distributed, which is not installed; install it with: {_INSTALL}"


class DaskEngine:
    """A Dask client and, when it started one, its local cluster.

    Build one with :func:`wordmine.parallel.open_engine` (which closes it) or from a
    ``distributed.Client`` of your own (``DaskEngine(client)``, left open).

    Attributes:
        client: the ``distributed.Client``.
        address: the scheduler's address.
    """

    name = "dask"

    def __init__(self, client, cluster=None):
        self.client = client
        self.cluster = cluster
        self.address = client.scheduler.address

    def __repr__(self) -> str:
        return f"<DaskEngine {self.address} workers={self.workers()}>"

    def workers(self) -> int:
        """Worker threads of the cluster now (at least 1: tasks wait for a worker to come)."""
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) else self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    # -- the maps --------------------------------------------------------------------------

    def map_batches(self, batches: Iterable, func: Callable, fold, *, initializer=None,
                    initargs: tuple = (), size=None, bar) -> Any:
        """:func:`wordmine.parallel.map_batches` on the cluster: the results go to ``fold`` (a
        :class:`wordmine.parallel.Fold`, which knows the merge, the accumulator and the order)."""
        from distributed import as_completed

        client = self.client
        items = batches.plans() if hasattr(batches, "plans") else iter(batches)
        prefix = f"wordmine-{getattr(func, '__module__', 'task').rsplit('.', 1)[-1]}-{uuid.uuid4().hex[:12]}"
        state = client.scatter([initargs], broadcast=True, hash=False)[0] if initializer is not None else None
        limit = _INFLIGHT_PER_WORKER * self.workers()
        inflight: dict = {}  # future -> (batch number, input bytes)
        pending = as_completed()
        counter = itertools.count()
        try:
            exhausted = False
            while True:
                while not exhausted and len(inflight) + fold.waiting < limit:
                    item = next(items, None)
                    if item is None:
                        exhausted = True
                        break
                    number = next(counter)
                    nbytes = item.nbytes if isinstance(item, BatchPlan) else (size(item) if size is not None else 0)
                    future = client.submit(
                        _run, item, func, initializer, prefix, state, key=f"{prefix}-{number}", pure=False,
                    )
                    inflight[future] = (number, nbytes)
                    pending.add(future)
                if not inflight:
                    break
                future = next(pending)
                number, nbytes = inflight.pop(future)
                result = _result(future)
                future.release()
                bar.update(nbytes)
                fold.add(number, result)
            return fold.acc
        finally:
            if inflight:
                client.cancel(list(inflight), force=True)
            if state is not None:
                state.release()

    def map_tasks(self, func: Callable, tasks: list) -> list:
        """:func:`wordmine.parallel.map_tasks` on the cluster: results in the order of ``tasks``."""
        prefix = f"wordmine-tasks-{uuid.uuid4().hex[:12]}"
        futures = [
            self.client.submit(_run, task, func, None, prefix, None, key=f"{prefix}-{i}", pure=False)
            for i, task in enumerate(tasks)
        ]
        try:
            return [_result(f) for f in futures]
        finally:
            self.client.cancel(futures, force=True)


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def _result(future):
    """A task's result; a task that killed its workers too often becomes a WorkerError."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as err:
        raise WorkerError(
            f"a task failed on {err.last_worker.address if getattr(err, 'last_worker', None) else 'a'} worker "
            "that died, on every try (killed, or out of memory?); give the workers more memory and run again"
        ) from None


def open_dask(jobs: int, scheduler: str | None = None, scheduler_file: str | None = None) -> DaskEngine:
    """Connect to a scheduler (an address or a scheduler file), or start a local cluster of
    ``jobs`` worker processes of one thread each.

    Raises:
        ImportError: dask.distributed is not installed (the message says how to install it).
        EngineError: the scheduler cannot be reached (naming its address).
    """
    if not available():
        raise ImportError(missing_message())
    from distributed import Client

    if scheduler is None and scheduler_file is None:
        from distributed import LocalCluster

        # Workers are processes started now, with this process's environment: the caller
        # (parallel.open_engine) gives them one BLAS thread each, as local workers have.
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0",  # no fixed port to clash
            host="127.0.0.1", silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster, timeout=_START_SECONDS)
        except BaseException:
            cluster.close()
            raise
        log.info("dask: a local cluster of %d workers at %s", jobs, cluster.scheduler_address)
        return DaskEngine(client, cluster)
    where = scheduler if scheduler is not None else f"the scheduler file {scheduler_file}"
    try:
        if scheduler is not None:
            client = Client(scheduler, timeout=_CONNECT_SECONDS)
        else:
            client = Client(scheduler_file=scheduler_file, timeout=_CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as err:
        raise EngineError(
            f"cannot reach the Dask scheduler at {where} ({err.__class__.__name__}: {err}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, or give another --scheduler"
        ) from None
    log.info("dask: connected to %s", client.scheduler.address)
    return DaskEngine(client)


# --- worker side ------------------------------------------------------------------------------

#: One wordmine task at a time per worker process: steps keep their worker state in module
#: globals, as the local engine's single-threaded workers do.
_LOCK = threading.Lock()
#: The map whose initializer ran last in this process.
_READY: dict = {"map": None}


def _run(item, func, initializer, map_key, state):
    with _LOCK, _heap_kept():
        if initializer is not None and _READY["map"] != map_key:
            _READY["map"] = None  # until the initializer succeeded
            initializer(*state)
            _READY["map"] = map_key
        if isinstance(item, BatchPlan):
            item = read_plan(item)
        return func(item)


#: glibc's mallopt(3) parameters (malloc.h) and its largest dynamic thresholds on 64-bit hosts
#: (malloc.c: DEFAULT_MMAP_THRESHOLD_MAX = 4 MiB x sizeof(long); the trim threshold follows at twice
#: the mmap threshold), which a process reaches after its first large frees.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TASK_MMAP_THRESHOLD = 32 << 20
_TASK_TRIM_THRESHOLD = 64 << 20
#: glibc's default mmap threshold (malloc.c: DEFAULT_MMAP_THRESHOLD_MIN, 128 KiB).
_DEFAULT_MMAP_THRESHOLD = 128 << 10
_LIBC: list = []  # [the C library, or None where it has no mallopt]
#: How long a worker keeps the heap of its last task (s): the next batch of a map comes within
#: milliseconds; an idle second means the map (or the run) is over.
_IDLE_TRIM_SECONDS = 1.0
_HEAP: dict = {"tasks": 0, "timer": None}  # wordmine tasks run here with the heap kept; the trim to come


@contextlib.contextmanager
def _heap_kept():
    """Let a task reuse the heap for its large arrays, as a process of the local engine does.

    A Dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_=65536``
    (``distributed.nanny.pre-spawn-environ``) so that freed memory goes back to the system at
    once. Setting a threshold turns glibc's dynamic thresholds off: every numpy array above
    128 KiB is then a fresh ``mmap``, its pages faulted in and zeroed anew, and a batch of
    ``ngrams -n 4`` (4 MiB, arrays of tens of MB made and freed by the dozen) took 1.5-1.8 times
    the CPU of a local worker's (7x the page faults). For the task, the thresholds are those a
    local worker reaches by itself; after it, those the nanny asked for, and once no wordmine task
    has run for :data:`_IDLE_TRIM_SECONDS` the heap goes back to the system (``malloc_trim``), so
    an idle worker holds no more than the nanny meant it to. (Trimming after every task instead
    gave the pages back only to fault them in again for the next batch: ~0.04 CPU s a batch.)
    Nothing happens where the variable is unset (the thresholds stay dynamic) or off glibc.
    """
    restore = _nanny_thresholds()
    libc = _libc() if restore is not None else None
    if libc is None:
        yield
        return
    if _HEAP["timer"] is not None:
        _HEAP["timer"].cancel()
    libc.mallopt(_M_MMAP_THRESHOLD, _TASK_MMAP_THRESHOLD)
    libc.mallopt(_M_TRIM_THRESHOLD, _TASK_TRIM_THRESHOLD)
    _HEAP["tasks"] += 1
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, restore[1])
        libc.mallopt(_M_TRIM_THRESHOLD, restore[0])
        _HEAP["timer"] = threading.Timer(_IDLE_TRIM_SECONDS, _trim_if_idle, (libc, _HEAP["tasks"]))
        _HEAP["timer"].daemon = True
        _HEAP["timer"].start()


def _nanny_thresholds() -> tuple[int, int] | None:
    """The (trim, mmap) thresholds the environment gave glibc, or None if it left them dynamic
    (or set them in a way this does not read: then they are left alone)."""
    trim = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    if trim is None:
        return None
    try:
        return int(trim), int(os.environ.get("MALLOC_MMAP_THRESHOLD_", _DEFAULT_MMAP_THRESHOLD))
    except ValueError:
        return None


def _trim_if_idle(libc, tasks: int) -> None:
    """Give the free heap back to the system unless a wordmine task ran or runs since ``tasks``."""
    if not _LOCK.acquire(blocking=False):
        return  # a task runs: it will start a timer of its own
    try:
        if _HEAP["tasks"] == tasks:
            libc.malloc_trim(0)
    finally:
        _LOCK.release()


def _libc():
    if not _LIBC:
        libc = None
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                libc = ctypes.CDLL(None)
            except OSError:
                libc = None
            if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):  # glibc's; musl lacks one
                libc = None
        _LIBC.append(libc)
    return _LIBC[0]
