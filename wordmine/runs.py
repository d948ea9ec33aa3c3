"""Sorted runs of ``(key, count)`` tables on disk, and their k-way merge by key ranges.

A run is a directory holding, for each order k, ``keys_k.npy`` (sorted, unique uint64 keys of
shape (m,) or (m, words)) and ``counts_k.npy`` (uint64). Workers write one run per batch; runs
are merged by cutting the key space into ranges (splitters sampled from every run) and merging
each range on its own: the slices of a range are found by binary search in memory-mapped runs,
concatenated, sorted and added. Ranges are independent, so they can be merged in parallel, and
each needs memory for its own rows only, whatever the total size.

>>> import tempfile, os, numpy as np
>>> d = tempfile.mkdtemp()
>>> write_run(os.path.join(d, "a"), {1: (np.array([1, 5], np.uint64), np.array([2, 1], np.uint64))})
>>> write_run(os.path.join(d, "b"), {1: (np.array([5, 7], np.uint64), np.array([3, 1], np.uint64))})
>>> merged = merge_runs([os.path.join(d, r) for r in "ab"], [1], os.path.join(d, "out"), budget=1 << 20)
>>> keys, counts = merged[1]
>>> keys.tolist(), counts.tolist()
([1, 5, 7], [2, 4, 1])
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from typing import Callable, Iterable

import numpy as np

from . import parallel
from .errors import OutputError
from .keys import searchable, sort_reduce

__all__ = ["RunSpool", "merge_runs", "parse_memory", "read_run", "run_bytes", "write_run"]

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_memory(text: str | int) -> int:
    """Bytes from a size such as ``"1G"``, ``"512M"``, ``"64k"`` or a plain number.

    >>> parse_memory("1G"), parse_memory("512m"), parse_memory(4096)
    (1073741824, 536870912, 4096)
    """
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*", text)
    if m is None:
        raise ValueError(f"not a size: {text!r}; use for example 512M or 2G")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def write_run(path: str, tables: dict) -> None:
    """Write ``{k: (sorted keys, counts)}`` as a run directory.

    Raises:
        OutputError: the temporary directory is full or cannot be written (naming it).
    """
    with _writing(os.path.dirname(path)):
        os.makedirs(path)
        for k, (keys, counts) in tables.items():
            np.save(os.path.join(path, f"keys_{k}.npy"), keys)
            np.save(os.path.join(path, f"counts_{k}.npy"), counts)


@contextlib.contextmanager
def _writing(where: str):
    """A full or unwritable temporary directory is bad luck the user can fix, not a bug."""
    try:
        yield
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise OutputError(f"{where}: disk full while writing sorted runs; free some space, "
                              "or give --tmp-dir on a larger disk") from None
        raise OutputError(f"{where}: cannot write sorted runs ({err.strerror}); give --tmp-dir a writable directory") from None


def read_run(path: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The memory-mapped keys and counts of order ``k`` of a run."""
    return (
        np.load(os.path.join(path, f"keys_{k}.npy"), mmap_mode="r"),
        np.load(os.path.join(path, f"counts_{k}.npy"), mmap_mode="r"),
    )


def run_bytes(path: str) -> int:
    """Bytes a run takes on disk."""
    return sum(e.stat().st_size for e in os.scandir(path))


def plan(runs: list[str], k: int, rows_per_range: int) -> list[tuple]:
    """Split the key space of order ``k`` into ranges of about ``rows_per_range`` rows.

    Returns ``(lo, hi)`` pairs of keys (None: unbounded); a range holds lo <= key < hi.
    """
    sources = [read_run(r, k)[0] for r in runs]
    total = sum(len(s) for s in sources)
    if total <= rows_per_range:
        return [(None, None)]
    # Every step-th key of every run: between consecutive samples lie about `step` rows in all.
    step = max(1, rows_per_range // (4 * len(sources)))
    samples = np.concatenate([np.asarray(s[::step]) for s in sources if len(s)])
    splitters = sort_reduce(samples, None)[0][:: max(1, rows_per_range // step)][1:]
    bounds = [None, *splitters, None]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def merge_range(runs: list[str], k: int, lo, hi, min_count: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Merge the rows with lo <= key < hi of order ``k`` from all runs, in memory."""
    keys, counts = [], []
    for run in runs:
        kk, cc = read_run(run, k)
        s = searchable(kk)
        start = 0 if lo is None else int(np.searchsorted(s, searchable(np.asarray(lo)[None])[0:1])[0])
        stop = len(s) if hi is None else int(np.searchsorted(s, searchable(np.asarray(hi)[None])[0:1])[0])
        keys.append(np.asarray(kk[start:stop]))
        counts.append(np.asarray(cc[start:stop]))
    merged_keys, merged_counts = sort_reduce(np.concatenate(keys), np.concatenate(counts))
    if min_count > 1:
        keep = np.flatnonzero(merged_counts >= min_count)
        merged_keys, merged_counts = merged_keys[keep], merged_counts[keep]
    return merged_keys, merged_counts


def merge_tasks(runs: list[str], k: int, out: str, *, budget: int, min_count: int = 1) -> list[tuple]:
    """The range-merge tasks for order ``k`` of ``runs``, their pieces to go to directory ``out``.

    Args:
        budget: bytes one task may hold in memory (several tasks may run at once).
    """
    first = read_run(runs[0], k)[0]
    words = 1 if first.ndim == 1 else first.shape[1]
    # A range is read, concatenated, ordered and sorted: about four copies of its rows (keys and
    # counts) and an int64 order at the peak.
    rows_per_range = max(1 << 12, budget // (4 * 8 * (words + 1) + 8))
    ranges = plan(runs, k, rows_per_range)
    return [(runs, k, lo, hi, min_count, os.path.join(out, f"part{k}_{i:05d}")) for i, (lo, hi) in enumerate(ranges)]


def merge_range_to_file(task: tuple) -> tuple[int, str, int]:
    """Merge one range task into a piece on disk: ``(k, piece prefix, rows)``."""
    runs, k, lo, hi, min_count, prefix = task
    keys, counts = merge_range(runs, k, lo, hi, min_count)
    with _writing(os.path.dirname(prefix)):
        np.save(f"{prefix}_keys.npy", keys)
        np.save(f"{prefix}_counts.npy", counts)
    return k, prefix, len(counts)


def assemble(pieces: list[tuple[int, str, int]], k: int, out: str, words: int) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the pieces of order ``k`` (in range order) into ``out/keys_k.npy`` and
    ``out/counts_k.npy``, removing the pieces; return both memory-mapped.

    Plain writes, not a writable memory map: mapped pages would count in the resident memory of
    the process until the map is closed, pages of a file written do not.
    """
    mine = sorted((p for p in pieces if p[0] == k), key=lambda p: p[1])
    rows = sum(n for _, _, n in mine)
    for name, shape in (("keys", (rows,) if words == 1 else (rows, words)), ("counts", (rows,))):
        with _writing(out), open(os.path.join(out, f"{name}_{k}.npy"), "wb") as f:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint64)), "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_2_0(f, header)
            for _, prefix, n in mine:
                if n:
                    np.load(f"{prefix}_{name}.npy").tofile(f)
                os.unlink(f"{prefix}_{name}.npy")
    return read_run(out, k)


def merge_runs(
    runs: list[str],
    orders: Iterable[int],
    out: str,
    *,
    budget: int,
    min_count: int = 1,
    mapper: Callable[[Callable, list], Iterable] = map,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Merge ``runs`` into the new run directory ``out``; return ``{k: (keys, counts)}`` mapped.

    Args:
        orders: the orders to merge.
        budget: bytes of rows one range may hold in memory.
        min_count: drop merged rows with a smaller count.
        mapper: ``map``-like function to run the range merges with (for example a process pool).
    """
    os.makedirs(out, exist_ok=True)
    tasks = [t for k in orders for t in merge_tasks(runs, k, out, budget=budget, min_count=min_count)]
    pieces = list(mapper(merge_range_to_file, tasks))
    result = {}
    for k in orders:
        first = read_run(runs[0], k)[0]
        result[k] = assemble(pieces, k, out, 1 if first.ndim == 1 else first.shape[1])
    return result


class RunSpool:
    """The parent's side of a spilling count: collects the runs the workers write, compacts them
    while they pile up, and merges them at the end, within a memory budget.

    Workers return ``(run directory, totals)`` (totals: ``{order: number}``, added up here);
    :meth:`add` is the ``merge`` of :func:`wordmine.parallel.map_batches`.

    >>> import tempfile, os, numpy as np
    >>> d = tempfile.mkdtemp()
    >>> spool = RunSpool([1], budget=1 << 20, work=d)
    >>> for name, keys in (("a", [1, 5]), ("b", [5, 7])):
    ...     write_run(os.path.join(d, name), {1: (np.array(keys, np.uint64), np.ones(2, np.uint64))})
    ...     spool = spool.add((os.path.join(d, name), {1: 2}))
    >>> keys, counts = spool.finish(1, 1, lambda k: 1)
    >>> keys[1].tolist(), counts[1].tolist(), spool.totals
    ([1, 5, 7], [1, 2, 1], {1: 4})
    """

    #: Compact the runs as the workers wrote them once they take this many times the memory
    #: budget on disk: merging folds repeated keys, so the temporary directory grows with the
    #: distinct keys, not with the corpus.
    COMPACT_AT = 8

    def __init__(self, orders: Iterable[int], budget: int, work: str):
        self.orders = list(orders)
        self.budget = budget
        self.work = work
        self.runs: list[str] = []  # compacted runs
        self.fresh: list[str] = []  # runs as the workers wrote them
        self.fresh_bytes = 0
        self.merges = 0
        self.totals = {k: 0 for k in self.orders}

    def add(self, part: tuple[str, dict]) -> "RunSpool":
        """Take one worker's ``(run directory, totals)``."""
        path, totals = part
        for k, t in totals.items():
            self.totals[k] += t
        self.fresh.append(path)
        self.fresh_bytes += run_bytes(path)
        if self.fresh_bytes > self.COMPACT_AT * self.budget:
            # Runs in the parent while the workers go on counting.
            self.runs.append(self._merge(self.fresh, 1, 1))
            self.fresh, self.fresh_bytes = [], 0
        return self

    def _merge(self, runs: list[str], min_count: int, jobs: int) -> str:
        self.merges += 1
        out = os.path.join(self.work, f"merged-{self.merges:06d}")
        # Merge tasks run `jobs` at a time: each gets its share of the budget.
        mapper = map if jobs == 1 else (lambda func, tasks: parallel.map_tasks(func, tasks, jobs=jobs))
        merge_runs(runs, self.orders, out, budget=self.budget // jobs, min_count=min_count, mapper=mapper)
        for run in runs:
            shutil.rmtree(run)
        return out

    def finish(self, min_count: int, jobs: int, width: Callable[[int], int]) -> tuple[dict, dict]:
        """Merge everything: ``({order: keys}, {order: counts})``, memory-mapped from ``work``.

        Args:
            min_count: drop merged keys with a smaller count.
            jobs: merge this many key ranges at once.
            width: order -> words per key (for the empty tables when nothing was counted).
        """
        runs = self.runs + self.fresh
        if not runs:
            keys = {k: np.zeros((0,) if width(k) == 1 else (0, width(k)), np.uint64) for k in self.orders}
            return keys, {k: np.zeros(0, np.uint64) for k in self.orders}
        final = runs[0] if len(runs) == 1 and min_count == 1 else self._merge(runs, min_count, jobs)
        tables = {k: read_run(final, k) for k in self.orders}
        return {k: t[0] for k, t in tables.items()}, {k: t[1] for k, t in tables.items()}
