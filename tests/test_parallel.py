"""The map/combine/merge engine: in-process and pooled runs agree, errors stop the run."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest

from wordmine.errors import WorkerError
from wordmine.parallel import run


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


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_do_not_depend_on_jobs(jobs):
    batches = [f"批次{i % 7}" * (i % 5 + 1) for i in range(100)]
    expected = Counter("".join(batches))
    assert run(batches, count_chars, add, Counter(), jobs=jobs) == expected


def test_jobs_1_runs_in_process_and_2_in_workers():
    assert run(range(10), remember_pid, union, set(), jobs=1) == {os.getpid()}
    pids = run(range(50), remember_pid, union, set(), jobs=2)
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

    run(batches(), count_chars, merge, Counter(), jobs=2)
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
        run(batches(), fail_on_x, add, Counter(), jobs=jobs)
    assert pulled <= 21 + 2 * jobs  # the run stopped at the bad batch, not at the end of the input


def test_dead_worker_is_a_clear_error():
    with pytest.raises(WorkerError, match="a worker process died"):
        run(["a", "b", "x", "c"], die_on_x, add, Counter(), jobs=2)


def test_initializer_runs_in_each_worker():
    assert run(["a"] * 4, count_chars, add, Counter(), jobs=2, initializer=os.getpid) == Counter("aaaa")


def test_jobs_must_be_positive():
    with pytest.raises(ValueError):
        run([], count_chars, add, Counter(), jobs=0)
