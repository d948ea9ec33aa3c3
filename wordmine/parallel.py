"""The one parallel engine: map each batch to a partial result in a worker, merge in the parent.

This is the combiner pattern of the seed technique: a worker reduces its whole batch (for example
to a ``Counter`` of the batch's words) before anything crosses a process boundary, so the parent
only merges small partial results. Properties every step relies on:

* ``jobs=1`` runs in-process, with no pool and no pickling.
* No more workers than the CPUs this process may use (:func:`default_jobs`; a larger ``jobs`` is
  capped, logged at INFO) and no more than the batches there are: workers start one per batch
  submitted while none is idle.
* At most ``2 * jobs`` batches are in flight, so memory does not grow with the input: the reader
  is only asked for the next batch when a slot frees up.
* Progress is counted in input bytes (a tqdm bar on stderr, shown only when stderr is a TTY; never
  when stderr is closed).
* A worker exception stops the run and is re-raised in the parent; a worker that dies (killed,
  out of memory) raises :class:`~wordmine.errors.WorkerError`; on any error, Ctrl-C or SIGTERM
  the pool is torn down at once, with bounded waits: no hang, no worker left behind, no
  traceback from a half-started worker.
* Workers die with the parent, even when it is killed with SIGKILL (the OOM killer,
  ``timeout -s KILL``): the fork server exits with the parent and, on Linux, the kernel kills
  each worker with its server (``PR_SET_PDEATHSIG``); elsewhere a thread in each worker checks
  once a second that its parent lives. The resource tracker then exits too.
* Workers ignore SIGINT: Ctrl-C at a terminal reaches the whole process group, and only the
  parent should react (by stopping the workers), not print one traceback per worker.
* Workers use one BLAS/OpenMP thread (:data:`BLAS_THREAD_VARIABLES`): ``jobs`` workers times
  one thread per CPU each would oversubscribe the CPUs many times over. The variables are set in
  the parent's environment only while the fork server (or a spawned worker) starts.
* Workers start from a fork server (spawn where there is none), never by forking the caller:
  forking a process that has threads (an earlier pool's manager thread, a host application's)
  can deadlock the child. The server pre-imports numpy and jieba, so workers start in ~0.1 s.

Results do not depend on ``jobs`` as long as ``merge`` is commutative and associative, or
with ``ordered=True``, which merges the results in the order of their batches (a result that
arrives early waits for those before it; the waiting ones count among the batches in flight).

Two back-ends run the same maps: ``local`` (the process pool above, the default) and ``dask``,
a ``dask.distributed`` cluster (:mod:`wordmine.daskengine`; ``pip install 'wordmine[dask]'``),
for more than one machine. The functions that take ``engine=`` accept ``"local"``, ``"dask"``
(the scheduler named by :data:`SCHEDULER_VARIABLE`, else a local cluster of ``jobs`` workers),
an engine from :func:`open_engine`, or a ``distributed.Client``. Steps never know which runs:
they hand their batches (a :class:`~wordmine.corpus.Batches`, which a distributed engine sends
as plans for the workers to read) and worker functions to this module, and get the same results.

>>> from collections import Counter
>>> def count_chars(text): return Counter(text)
>>> def add(total, part):
...     total.update(part)
...     return total
>>> map_batches(["ab", "b"], count_chars, add, Counter(), jobs=1)
Counter({'b': 2, 'a': 1})
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator, TypeVar

from . import defaults
from .errors import WorkerError

__all__ = [
    "BLAS_THREAD_VARIABLES",
    "ENGINES",
    "Fold",
    "SCHEDULER_VARIABLE",
    "capped_jobs",
    "default_jobs",
    "limit_blas_threads",
    "map_batches",
    "map_tasks",
    "open_engine",
    "with_engine",
]

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

#: The engines (back-ends) of the maps: this machine's processes, or a Dask cluster.
ENGINES = defaults.ENGINES
#: The environment variable that names the Dask scheduler (``--scheduler``'s default).
SCHEDULER_VARIABLE = defaults.SCHEDULER_VARIABLE

#: Batches in flight per worker: one being processed, one queued so no worker waits for the parent.
_INFLIGHT_PER_JOB = 2

#: The thread-count variables of OpenMP, OpenBLAS, MKL, Apple Accelerate and numexpr: each library
#: reads its own when it is loaded, so they must be set before numpy is imported.
BLAS_THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
)

#: How long the parent waits for results before it lets a held-back Ctrl-C or SIGTERM through (s):
#: the longest delay between such a signal and the teardown; 0.1 s is below what a person notices.
_POLL_SECONDS = 0.1
#: How long workers get to exit, after the last result (they are idle) or after SIGTERM, before
#: they are sent SIGKILL (s); an idle or terminated worker exits in milliseconds.
_EXIT_SECONDS = 5.0
#: How often a worker without prctl checks that its parent lives (s): an orphan lives at most
#: this long, and a check (a getppid and a poll) once a second costs nothing.
_WATCH_SECONDS = 1.0

#: prctl(2) option that sends the calling process a signal when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1

#: Signals held back while the pool's own code runs in the main thread (see _signals_held).
_HELD_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


def default_jobs() -> int:
    """The number of CPUs this process may use (the default of ``-j/--jobs``, and its cap).

    >>> default_jobs() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def capped_jobs(jobs: int | None) -> int:
    """How many batches :func:`map_batches` works on at once for ``jobs``: at most :func:`default_jobs`.

    A worker per CPU is the fastest; more only cost memory and time (32 workers for ``-j 1000``
    on 8 MB took 3.2 GB and 3.6 times as long). Code that shares something among the workers
    (a memory budget) divides it by this number.

    Args:
        jobs: what the caller asked for; None means :func:`default_jobs`.

    Raises:
        ValueError: ``jobs`` is below 1.

    >>> capped_jobs(1), capped_jobs(None) == capped_jobs(10_000) == default_jobs()
    (1, True)
    """
    cpus = default_jobs()
    if jobs is None:
        return cpus
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    return min(jobs, cpus)


def limit_blas_threads(threads: int = 1) -> dict[str, str | None]:
    """Make the BLAS and OpenMP libraries loaded from now on use ``threads`` threads each.

    Sets :data:`BLAS_THREAD_VARIABLES` in ``os.environ``. This process is affected only if numpy
    (or another BLAS user) is imported after the call; every process it starts afterwards is.
    Call it first thing, for example at the top of a test suite's ``conftest.py``: a test run with
    one OpenBLAS thread per CPU in every process oversubscribes the CPUs. :func:`map_batches` needs no
    call: its workers always use one thread.

    Args:
        threads: threads per library, at least 1.

    Returns:
        The previous values (None: unset), to put back with ``os.environ`` if needed.

    >>> previous = limit_blas_threads()
    >>> os.environ["OPENBLAS_NUM_THREADS"]
    '1'
    >>> _ = _set_environ(previous)  # as it was
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    return _set_environ(dict.fromkeys(BLAS_THREAD_VARIABLES, str(threads)))


def map_batches(
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
    engine: Any = None,
) -> Any:
    """Apply ``func`` to every batch (in ``jobs`` processes) and fold the results with ``merge``.

    In the main thread, SIGINT and SIGTERM are held back while the pool's own code runs (0.1 s
    at a time while waiting for results, longer while a worker starts), so a handler that
    raises (Ctrl-C, the CLI's SIGTERM handler) never interrupts it half-way.

    Args:
        batches: an iterable of picklable batches; consumed lazily.
        func: a top-level function, batch -> partial result (runs in the worker).
        merge: ``merge(accumulator, partial) -> accumulator`` (runs in the parent).
        initial: the starting accumulator.
        jobs: worker processes; ``None`` means :func:`default_jobs`, 1 means in-process. More
            than :func:`default_jobs` are capped to it (:func:`capped_jobs`); 2 or more always
            run in worker processes, even if capped to one.
        initializer, initargs: run once per worker before its first batch (in-process for 1 job).
        size: batch -> its size in bytes, for the progress bar.
        total: total bytes expected, or None if unknown.
        progress: show a tqdm bar on stderr (only if stderr is a TTY).
        ordered: merge the results in batch order (for a ``merge`` whose result depends on
            the order, or a writer that must write in input order).
        engine: the back-end (see the module doc); None is ``"local"``. With a Dask engine,
            ``jobs`` is not used (but for the size of a local cluster that ``"dask"`` starts).

    Returns:
        The final accumulator.

    Raises:
        WorkerError: a worker process died.
        ValueError: ``jobs`` is below 1.
    """
    from tqdm import tqdm

    if not _is_local(engine):
        with open_engine(engine, jobs=jobs) as backend:
            bar = tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
                file=sys.stderr, disable=None if progress and _stderr_open() else True, leave=False,
            )
            with bar:
                return backend.map_batches(
                    batches, func, Fold(merge, initial, ordered), initializer=initializer, initargs=initargs,
                    size=size, bar=bar,
                )
    workers = capped_jobs(jobs)
    jobs = workers if jobs is None else jobs
    if workers < jobs:
        log.info("jobs=%d capped to %d worker processes: this process may use %d CPUs", jobs, workers, workers)
    bar = tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
        file=sys.stderr, disable=None if progress and _stderr_open() else True, leave=False,
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
        return _run_pool(batches, func, merge, initial, workers, initializer, initargs, size, bar, ordered)


def map_tasks(func: Callable[[T], R], tasks: Iterable[T], *, jobs: int | None = None, engine: Any = None) -> list[R]:
    """``list(map(func, tasks))`` on the engine's workers: the results in the order of the tasks.

    For a handful of independent tasks (the key ranges of a merge), each worth a worker.

    >>> map_tasks(abs, [-2, 1, -3], jobs=1)
    [2, 1, 3]
    """
    tasks = list(tasks)
    if not tasks:
        return []
    if not _is_local(engine):
        with open_engine(engine, jobs=jobs) as backend:
            return backend.map_tasks(func, tasks)
    done = map_batches(
        [(i, func, t) for i, t in enumerate(tasks)], _indexed, _collect, {}, jobs=min(capped_jobs(jobs), len(tasks))
    )
    return [done[i] for i in range(len(tasks))]


@contextlib.contextmanager
def open_engine(
    engine: Any = "local", *, jobs: int | None = None, scheduler: str | None = None, scheduler_file: str | None = None,
) -> Iterator[Any]:
    """The engine to pass as ``engine=`` for the block: started (or connected) here, closed after.

    Args:
        engine: ``"local"`` (or None: yields None, the process pool of each map), ``"dask"``,
            an engine (yielded as it is, left open) or a ``distributed.Client`` (wrapped, left
            open).
        jobs: the worker processes of a local Dask cluster (None: :func:`default_jobs`).
        scheduler: the Dask scheduler's address (``tcp://host:8786``); default: the
            environment variable :data:`SCHEDULER_VARIABLE`; without either (nor
            ``scheduler_file``), ``"dask"`` starts a local cluster of ``jobs`` workers.
        scheduler_file: the JSON file that ``dask scheduler --scheduler-file`` writes.

    Raises:
        ValueError: an unknown engine name, or a scheduler given for the local engine.
        ImportError: ``"dask"`` without dask.distributed installed (the message says how to
            install it: ``pip install 'wordmine[dask]'``).
        EngineError: the scheduler cannot be reached.

    >>> with open_engine("local") as engine:
    ...     map_tasks(abs, [-1], engine=engine)
    [1]
    """
    if _is_local(engine):
        if scheduler is not None or scheduler_file is not None:
            raise ValueError("a scheduler is for the dask engine; give engine='dask' too")
        yield None
        return
    if not isinstance(engine, str):
        if type(engine).__module__.split(".")[0] == "distributed":  # a Client of the caller's
            from .daskengine import DaskEngine

            yield DaskEngine(engine)
        else:
            yield engine
        return
    if engine != "dask":
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    from .daskengine import open_dask

    if scheduler is None and scheduler_file is None:
        scheduler = os.environ.get(SCHEDULER_VARIABLE) or None
    # A local cluster's workers are processes started now: one BLAS thread each, as local ones.
    with _blas_environ():
        backend = open_dask(capped_jobs(jobs), scheduler, scheduler_file)
    try:
        yield backend
    finally:
        backend.close()


def with_engine(func: Callable) -> Callable:
    """Decorate a step whose ``engine`` argument may name an engine to start (``"dask"``) or be a
    ``distributed.Client``: one engine then serves every map of the call, and is closed after."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, engine=None, **kwargs):
        if _is_local(engine) or (not isinstance(engine, str) and type(engine).__module__.split(".")[0] != "distributed"):
            return func(*args, engine=engine, **kwargs)
        with open_engine(engine, jobs=kwargs.get("jobs")) as backend:
            return func(*args, engine=backend, **kwargs)

    return wrapper


def _is_local(engine: Any) -> bool:
    return engine is None or engine == "local"


def _indexed(task):
    i, func, arg = task
    return i, func(arg)


def _collect(done: dict, item) -> dict:
    done[item[0]] = item[1]
    return done


def _stderr_open() -> bool:
    """Whether sys.stderr can take a progress bar: not None (``2>&-``) and not closed."""
    stream = sys.stderr
    try:
        return stream is not None and not stream.closed
    except (AttributeError, ValueError):  # a replacement stream without .closed, or a broken one
        return False


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Not jieba: the workers that cut words import it with their tokenizer (0.2 s each,
        # beside the 1 s of loading its dictionary), and those that do not (ngrams, discover,
        # the graph) are spared its memory: `ngrams -n 6` of 50 MiB took 10.4 CPU s instead of
        # 11.6 (median of three), count the same time either way.
        ctx.set_forkserver_preload(["numpy", "wordmine.corpus"])
        from multiprocessing import forkserver

        # Start the server now with one BLAS thread: it imports numpy, and workers fork from it.
        with _blas_environ():
            forkserver.ensure_running()
        return ctx
    return multiprocessing.get_context("spawn")


class Fold:
    """The parent's side of a map, for either back-end: folds the results into the accumulator
    with ``merge`` as they come, or in batch order when ``ordered`` (holding those that come
    before an earlier batch's: at most the batches in flight).

    >>> fold = Fold(lambda acc, x: acc + [x], [], ordered=True)
    >>> for number, result in [(1, "b"), (0, "a"), (2, "c")]:
    ...     fold.add(number, result)
    >>> fold.acc, fold.waiting
    (['a', 'b', 'c'], 0)
    """

    def __init__(self, merge: Callable[[Any, Any], Any], acc: Any, ordered: bool):
        self.merge, self.acc, self.ordered = merge, acc, ordered
        self._held: dict = {}  # batch number -> result that came before those of earlier batches
        self._next = 0

    @property
    def waiting(self) -> int:
        """Results held for an earlier batch's."""
        return len(self._held)

    def add(self, number: int, result: Any) -> None:
        if not self.ordered:
            self.acc = self.merge(self.acc, result)
            return
        self._held[number] = result
        while self._next in self._held:
            self.acc = self.merge(self.acc, self._held.pop(self._next))
            self._next += 1


def _run_pool(batches, func, merge, acc, jobs, initializer, initargs, size, bar, ordered):
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker, initargs=(initializer, initargs))
    inflight: dict = {}  # future -> (batch number, input bytes)
    fold = Fold(merge, acc, ordered)
    submitted = 0
    ok = False
    try:
        it = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(inflight) + fold.waiting < _INFLIGHT_PER_JOB * jobs:
                try:
                    batch = next(it)
                except StopIteration:
                    exhausted = True
                    break
                nbytes = size(batch) if size is not None else 0
                # A submit may start a worker: environment for a spawned one, no signal half-way.
                with _signals_held(), _blas_environ():
                    inflight[pool.submit(func, batch)] = (submitted, nbytes)
                submitted += 1
            if not inflight:
                break
            with _signals_held():
                done, _ = wait(inflight, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                results = [(*inflight.pop(fut), fut.result()) for fut in sorted(done, key=lambda f: inflight[f][0])]
            for number, nbytes, result in results:
                bar.update(nbytes)
                fold.add(number, result)
        ok = True
        return fold.acc
    except BrokenProcessPool:
        raise WorkerError(
            "a worker process died (killed, or out of memory?); "
            "try fewer --jobs, or free some memory, and run again"
        ) from None
    finally:
        _stop(pool, idle=ok)


def _stop(pool: ProcessPoolExecutor, idle: bool) -> None:
    """Stop a pool: let idle workers exit, terminate busy ones, kill those that do not stop.

    Every wait is bounded. Besides the workers, the pool's manager thread must end before this
    returns: the interpreter joins it at exit without a timeout (a hang), and it must not still
    be closing its pipes then (``Exception ignored ... Bad file descriptor``).
    """
    # ProcessPoolExecutor has no public way to stop running workers before Python 3.14
    # (terminate_workers); its `_processes`, `_call_queue` and `_result_queue` have been there
    # since 3.2, `_executor_manager_thread` since 3.9.
    procs: list = []
    manager = calls = results = None
    try:
        with _signals_held():
            procs = list((getattr(pool, "_processes", None) or {}).values())
            manager = getattr(pool, "_executor_manager_thread", None)
            calls = getattr(pool, "_call_queue", None)
            results = getattr(pool, "_result_queue", None)
            pool.shutdown(wait=False, cancel_futures=True)  # idle workers now get their stop sentinel
        if idle:
            _join(procs, _EXIT_SECONDS)
    finally:
        with _signals_held():  # a second Ctrl-C must not leave workers behind
            if calls is not None and any(p.is_alive() for p in procs):
                # The batches still queued for the workers about to die are dropped: the manager
                # thread must not wait for them to be written into a pipe nobody reads.
                calls.cancel_join_thread()
            for p in procs:
                if p.is_alive():
                    p.terminate()
            _join(procs, _EXIT_SECONDS)
            for p in procs:
                if p.is_alive():
                    p.kill()
            _join(procs, _EXIT_SECONDS)
            # A worker killed in the middle of sending a result leaves the manager thread
            # waiting for the rest of it; it gets EOF only once this last copy of the pipe's
            # write end is closed (the workers' copies died with them).
            writer = getattr(results, "_writer", None)
            if writer is not None and manager is not None and manager.is_alive():
                writer.close()
            if manager is not None:
                manager.join(_EXIT_SECONDS)
                if manager.is_alive():
                    log.warning("the worker pool's manager thread did not stop; exiting may hang")


def _join(procs, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back in the main thread; deliver them at the end of the block.

    Python runs signal handlers in the main thread between two bytecodes: a handler that raises
    (KeyboardInterrupt, the CLI's SIGTERM handler) could otherwise interrupt the executor half-way,
    leaving a worker half-started (it printed an UnpicklingError, or lived on after the parent) or
    a lock held that the executor's manager thread then waits for forever. The block's handlers
    only note the signal; the original handler (or default action) gets it again at the end. A
    signal mask would not do: the kernel hands the signal to any thread that does not block it
    (tqdm's monitor thread, a host application's), and Python then runs the handler in the main
    thread all the same.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread runs Python signal handlers
        return
    caught: list[int] = []
    previous = {}
    for signum in _HELD_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is not None and handler != signal.SIG_IGN:  # None: set outside Python, leave it
            previous[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)  # its handler runs (and may raise) here


@contextlib.contextmanager
def _blas_environ() -> Iterator[None]:
    """One BLAS thread in the environment of processes started in the block; then as before."""
    previous = limit_blas_threads(1)
    try:
        yield
    finally:
        _set_environ(previous)


def _set_environ(values: dict[str, str | None]) -> dict[str, str | None]:
    """Set (or, for None, remove) environment variables; return their previous values."""
    previous = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return previous


def _init_worker(initializer, initargs) -> None:
    _die_with_parent()
    # Only the parent reacts to Ctrl-C (it then terminates the workers); SIGTERM must kill a
    # worker even if the parent installed a handler that forked children inherited.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Libraries loaded from now on, and processes the worker starts, use one BLAS thread too.
    limit_blas_threads(1)
    if initializer is not None:
        initializer(*initargs)


def _die_with_parent() -> None:
    """Make this worker exit when the process that runs the pool dies, even of SIGKILL.

    A worker's parent is the fork server, not the process that runs the pool. The chain: the
    server exits when the last holder of its "alive" pipe closes it; that was the main process
    and every worker, so a worker alive kept the server alive and nothing ever ended. Workers
    now close their copy (:func:`_release_fork_server`), so the server exits with the main
    process, and the kernel kills each worker when the server exits (``PR_SET_PDEATHSIG``).
    Without prctl (macOS, spawn), a daemon thread checks every second that the parent and the
    main process live, and exits the worker when one does not.
    """
    parent = os.getppid()
    main = multiprocessing.parent_process()  # the process that runs the pool, in both start methods
    # Arm first, release second: until this worker releases its end, the server cannot have
    # exited, so the signal is armed while the parent it watches is still there.
    armed = _set_parent_death_signal(signal.SIGKILL)
    released = _release_fork_server()
    if main is not None and not main.is_alive():  # it died before this worker got here
        os._exit(1)
    if not armed or not released:
        threading.Thread(target=_watch_parent, args=(parent, main), name="wordmine-watch-parent", daemon=True).start()


def _set_parent_death_signal(signum: int) -> bool:
    """Linux: have the kernel send ``signum`` to this process when its parent exits."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _release_fork_server() -> bool:
    """Close this worker's end of the fork server's "alive" pipe; False if it could not.

    Safe: the worker's copy only keeps the server alive; a pool the worker starts itself starts
    a fork server of its own. ``_forkserver_alive_fd`` has been there since Python 3.4.
    """
    try:
        from multiprocessing import forkserver
    except ImportError:  # no fork server on this platform
        return True
    if forkserver.get_inherited_fds() is None:  # this worker was not started by a fork server
        return True
    server = getattr(forkserver, "_forkserver", None)
    if not hasattr(server, "_forkserver_alive_fd"):  # a Python that keeps it elsewhere
        return False
    fd, server._forkserver_alive_fd = server._forkserver_alive_fd, None
    if fd is not None:
        os.close(fd)
    return True


def _watch_parent(parent: int, main) -> None:
    while os.getppid() == parent and (main is None or main.is_alive()):
        time.sleep(_WATCH_SECONDS)
    os._exit(1)
