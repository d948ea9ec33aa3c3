"""The map/combine/merge engine: in-process and pooled runs agree, errors stop the run."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter

import pytest

from wordmine import parallel
from wordmine.errors import WorkerError
from wordmine.parallel import map_batches


def count_chars(text: str) -> Counter:
    return Counter(text)


def add(total: Counter, part: Counter) -> Counter:
    total.update(part)
    return total


def fail_on_x(text: str) -> Counter:
    if "x" in text:
        raise ValueError(f"bad batch {text!r}")
    time.sleep(0.01)
    return Counter(text)


def die_on_x(text: str) -> Counter:
    if "x" in text:
        os._exit(3)  # as if the OOM killer took the worker
    return Counter(text)


def remember_pid(_batch) -> set:
    return {os.getpid()}


def union(acc: set, part: set) -> set:
    return acc | part


def record_worker(directory: str) -> None:
    """An initializer: one file per worker process started."""
    with open(os.path.join(directory, str(os.getpid())), "w"):
        pass


def late_if_multiple_of_3(number: int) -> int:
    time.sleep(0.02 if number % 3 == 0 else 0)  # so results arrive out of batch order
    return number


def append(acc: list, part: int) -> list:
    return acc + [part]


def nap(_batch) -> int:
    time.sleep(0.2)
    return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_do_not_depend_on_jobs(jobs):
    batches = [f"批次{i % 7}" * (i % 5 + 1) for i in range(100)]
    expected = Counter("".join(batches))
    assert map_batches(batches, count_chars, add, Counter(), jobs=jobs) == expected


def test_jobs_1_runs_in_process_and_2_in_workers():
    assert map_batches(range(10), remember_pid, union, set(), jobs=1) == {os.getpid()}
    pids = map_batches(range(50), remember_pid, union, set(), jobs=2)
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_batches_are_pulled_lazily_with_bounded_inflight():
    pulled = 0
    merged = 0
    most_ahead = 0

    def batches():
        nonlocal pulled
        for i in range(200):
            pulled += 1
            yield str(i)

    def merge(acc, part):
        nonlocal merged, most_ahead
        merged += 1
        most_ahead = max(most_ahead, pulled - merged)
        return add(acc, part)

    map_batches(batches(), count_chars, merge, Counter(), jobs=2)
    assert merged == 200
    assert most_ahead <= 2 * 2  # two batches in flight per worker


@pytest.mark.parametrize("jobs", [1, 2])
def test_worker_exception_stops_the_run(jobs):
    pulled = 0

    def batches():
        nonlocal pulled
        for batch in ["a"] * 20 + ["x"] + ["b"] * 1000:
            pulled += 1
            yield batch

    with pytest.raises(ValueError, match="bad batch 'x'"):
        map_batches(batches(), fail_on_x, add, Counter(), jobs=jobs)
    assert pulled <= 21 + 2 * jobs  # the run stopped at the bad batch, not at the end of the input


def test_dead_worker_is_a_clear_error():
    with pytest.raises(WorkerError, match="a worker process died"):
        map_batches(["a", "b", "x", "c"], die_on_x, add, Counter(), jobs=2)


def test_initializer_runs_in_each_worker():
    assert map_batches(["a"] * 4, count_chars, add, Counter(), jobs=2, initializer=os.getpid) == Counter("aaaa")


def test_jobs_must_be_positive():
    with pytest.raises(ValueError):
        map_batches([], count_chars, add, Counter(), jobs=0)


def test_ordered_merges_in_batch_order_with_workers():
    assert map_batches(range(30), late_if_multiple_of_3, append, [], jobs=2, ordered=True) == list(range(30))


def test_workers_are_capped_by_cpus(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(parallel, "default_jobs", lambda: 1)
    caplog.set_level(logging.INFO, logger="wordmine.parallel")
    batches = [f"批次{i}" for i in range(12)]  # all submitted at once: one worker each, uncapped
    result = map_batches(batches, count_chars, add, Counter(), jobs=3, initializer=record_worker, initargs=(str(tmp_path),))
    assert result == Counter("".join(batches))
    workers = os.listdir(tmp_path)
    assert len(workers) == 1 and workers[0] != str(os.getpid())  # still a worker process, not in-process
    assert "jobs=3 capped to 1 worker processes: this process may use 1 CPUs" in caplog.messages


def test_workers_are_capped_by_batches(tmp_path):
    # ProcessPoolExecutor (Python 3.9+) starts a worker per submitted batch while none is idle.
    map_batches(["一批"], count_chars, add, Counter(), jobs=2, initializer=record_worker, initargs=(str(tmp_path),))
    assert len(os.listdir(tmp_path)) == 1


@pytest.mark.parametrize("stream", ["none", "closed"])
def test_no_bar_and_no_error_without_stderr(monkeypatch, stream):
    # `wordmine count x 2>&-`: Python sets sys.stderr to None; tqdm raised AttributeError.
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stderr", None if stream == "none" else closed)
    assert map_batches(["新词", "词"], count_chars, add, Counter(), jobs=1, progress=True) == Counter("新词词")


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_a_pooled_run_stops_it_and_its_workers(tmp_path):
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))  # while workers nap
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            map_batches(range(100), nap, lambda a, b: a + b, 0, jobs=2, initializer=record_worker, initargs=(str(tmp_path),))
    finally:
        timer.cancel()
    pids = [int(name) for name in os.listdir(tmp_path)]
    assert pids
    deadline = time.monotonic() + 10  # bounded: terminated workers are reaped by the fork server
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)
