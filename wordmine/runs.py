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

A worker may also write an order in one of two layouts that sort as bare 64-bit words, which
numpy sorts ~5x faster than it argsorts keys to carry counts along (:mod:`wordmine.keys`):
:class:`Packed` (``packed_k.npy``: ``key << shift | count`` words, for 1-word keys) and
:class:`Split` (``first_k.npy`` and ``rest_k.npy``: the keys of order ``per_word + 1`` cut
after their first symbol, one pair per occurrence). ``layout.json`` in the run says which.
Merges read every layout and always write tables; :func:`read_run` turns any layout into a
table.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import uuid
from typing import Callable, Iterable, NamedTuple

import numpy as np

from . import parallel
from .errors import OutputError
from .formats import read_every, read_rows
from .keys import join_first, reduce_split, searchable, sort_reduce, sort_split, split_first, unpack_counts

__all__ = ["Packed", "RunSpool", "Split", "as_table", "merge_runs", "parse_memory", "read_run", "run_bytes", "write_run"]

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


class Packed(NamedTuple):
    """An order of a run as sorted ``key << shift | count`` words (:func:`wordmine.keys.pack_counts`)."""

    words: np.ndarray
    shift: int


class Split(NamedTuple):
    """An order ``per_word + 1`` of a run as pairs (first symbol, word of the others) sorted
    lexicographically, one pair per occurrence (:func:`wordmine.keys.split_first`)."""

    first: np.ndarray
    rest: np.ndarray
    radix: int
    per_word: int


def write_run(path: str, tables: dict) -> None:
    """Write ``{k: (sorted keys, counts)}`` as a run directory (an order may also be given as
    :class:`Packed` or :class:`Split`).

    Raises:
        OutputError: the temporary directory is full or cannot be written (naming it).
    """
    with _writing(os.path.dirname(path)):
        os.makedirs(path)
        layout = {}
        for k, table in tables.items():
            if isinstance(table, Packed):
                np.save(os.path.join(path, f"packed_{k}.npy"), table.words)
                layout[str(k)] = ["packed", table.shift]
            elif isinstance(table, Split):
                np.save(os.path.join(path, f"first_{k}.npy"), table.first)
                np.save(os.path.join(path, f"rest_{k}.npy"), table.rest)
                layout[str(k)] = ["split", table.radix, table.per_word]
            else:
                keys, counts = table
                np.save(os.path.join(path, f"keys_{k}.npy"), keys)
                np.save(os.path.join(path, f"counts_{k}.npy"), counts)
        if layout:
            with open(os.path.join(path, "layout.json"), "w", encoding="utf-8") as f:
                json.dump(layout, f)


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


def as_table(rows) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys and counts of a :class:`Packed` or :class:`Split` (a table as is).

    >>> [a.tolist() for a in as_table(Packed(np.array([9, 21, 23], np.uint64), 2))]
    [[2, 5], [1, 4]]
    """
    if isinstance(rows, Packed):
        return unpack_counts(np.asarray(rows.words), rows.shift)
    if isinstance(rows, Split):
        first, rest, counts = reduce_split(np.asarray(rows.first), np.asarray(rows.rest))
        return join_first(first, rest, rows.radix, rows.per_word), counts
    return rows


def read_run(path: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The keys and counts of order ``k`` of a run: memory-mapped when the run holds them as
    a table, else made from its layout in memory."""
    source = _Source(path, k)
    if source.kind == "table":
        return source.keys, source.counts
    return source.table(0, len(source))


class _Source:
    """Order ``k`` of one run, whatever its layout: its rows, samples of its keys, the rows of
    a key range (memory-mapped)."""

    def __init__(self, path: str, k: int):
        spec = _layouts(path).get(str(k), ["table"])
        self.kind = spec[0]

        def load(name):
            return np.load(os.path.join(path, f"{name}_{k}.npy"), mmap_mode="r")

        if self.kind == "packed":
            self.words, self.shift, self.width = load("packed"), spec[1], 1
        elif self.kind == "split":
            self.first, self.rest, self.width = load("first"), load("rest"), 2
            self.radix, self.per_word = spec[1], spec[2]
        else:
            self.keys, self.counts = load("keys"), load("counts")
            self.width = 1 if self.keys.ndim == 1 else self.keys.shape[1]

    def __len__(self) -> int:
        return len(self.words if self.kind == "packed" else self.rest if self.kind == "split" else self.counts)

    def sample(self, step: int) -> np.ndarray:
        """Every step-th key (as tables hold keys), read without paging the run in."""
        if self.kind == "packed":
            return read_every(self.words, step) >> np.uint64(self.shift)
        if self.kind == "split":
            return join_first(read_every(self.first, step), read_every(self.rest, step), self.radix, self.per_word)
        return read_every(self.keys, step)

    def position(self, key) -> int:
        """How many rows hold keys below ``key`` (a key as tables hold them; None: all rows)."""
        if key is None:
            return len(self)
        if self.kind == "packed":
            if int(key) >> (64 - self.shift):  # above every key that has room for a count
                return len(self)
            return int(np.searchsorted(self.words, np.uint64(key) << np.uint64(self.shift)))
        if self.kind == "split":
            first, rest = split_first(np.asarray(key)[None], self.radix, self.per_word)
            # The first symbols are narrow: search with their own type (no copy of the array).
            first = first.astype(self.first.dtype)
            a = int(np.searchsorted(self.first, first[0], side="left"))
            b = int(np.searchsorted(self.first, first[0], side="right"))
            return a + int(np.searchsorted(self.rest[a:b], rest[0]))
        s = searchable(self.keys)
        return int(np.searchsorted(s, searchable(np.asarray(key)[None])[0:1])[0])

    def table(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows start..stop as sorted unique keys and counts, in memory."""
        if self.kind == "packed":
            return as_table(Packed(self.words[start:stop], self.shift))
        if self.kind == "split":
            return as_table(Split(self.first[start:stop], self.rest[start:stop], self.radix, self.per_word))
        return np.asarray(self.keys[start:stop]), np.asarray(self.counts[start:stop])


def _layouts(path: str) -> dict:
    try:
        with open(os.path.join(path, "layout.json"), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def run_bytes(path: str) -> int:
    """Bytes a run takes on disk."""
    return sum(e.stat().st_size for e in os.scandir(path))


def plan(runs: list[str], k: int, rows_per_range: int) -> list[tuple]:
    """Split the key space of order ``k`` into ranges of about ``rows_per_range`` rows.

    Returns ``(lo, hi)`` pairs of keys (None: unbounded); a range holds lo <= key < hi.
    """
    sources = [_Source(r, k) for r in runs]
    total = sum(len(s) for s in sources)
    if total <= rows_per_range:
        return [(None, None)]
    # Every step-th key of every run: between consecutive samples lie about `step` rows in all.
    step = max(1, rows_per_range // (4 * len(sources)))
    samples = np.concatenate([s.sample(step) for s in sources if len(s)])
    splitters = sort_reduce(samples, None)[0][:: max(1, rows_per_range // step)][1:]
    bounds = [None, *splitters, None]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def merge_range(runs: list[str], k: int, lo, hi, min_count: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Merge the rows with lo <= key < hi of order ``k`` from all runs, in memory.

    Rows of each layout are merged with their own kind: packed words and split pairs by bare
    sorts, tables by :func:`~wordmine.keys.sort_reduce`; only runs of several layouts (the
    workers' and a compacted one) need a last merge of the results.
    """
    packed: dict[int, list] = {}
    split: dict[tuple, tuple[list, list]] = {}
    keys, counts = [], []
    for run in runs:
        source = _Source(run, k)
        start = 0 if lo is None else source.position(lo)
        stop = source.position(hi)
        if source.kind == "packed":
            packed.setdefault(source.shift, []).append(read_rows(source.words, start, stop))
        elif source.kind == "split":
            firsts, rests = split.setdefault((source.radix, source.per_word), ([], []))
            firsts.append(read_rows(source.first, start, stop))
            rests.append(read_rows(source.rest, start, stop))
        else:
            keys.append(read_rows(source.keys, start, stop))
            counts.append(read_rows(source.counts, start, stop))
    parts = []
    for shift, slices in packed.items():
        words = np.concatenate(slices)  # a copy in memory, sorted in place
        if len(slices) > 1:
            words.sort()
        parts.append(unpack_counts(words, shift))
    for (radix, per_word), (firsts, rests) in split.items():
        first, rest = np.concatenate(firsts), np.concatenate(rests)
        if len(rests) > 1:
            first, rest = sort_split(first, rest)
        first, rest, summed = reduce_split(first, rest)
        parts.append((join_first(first, rest, radix, per_word), summed))
    if keys:
        parts.append(sort_reduce(np.concatenate(keys), np.concatenate(counts)))
    if len(parts) == 1:
        merged_keys, merged_counts = parts[0]
    else:
        merged_keys, merged_counts = sort_reduce(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    if min_count > 1:
        keep = np.flatnonzero(merged_counts >= min_count)
        merged_keys, merged_counts = merged_keys[keep], merged_counts[keep]
    return merged_keys, merged_counts


def merge_tasks(runs: list[str], k: int, out: str, *, budget: int, min_count: int = 1) -> list[tuple]:
    """The range-merge tasks for order ``k`` of ``runs``, their pieces to go to directory ``out``.

    Args:
        budget: bytes one task may hold in memory (several tasks may run at once).
    """
    words = _Source(runs[0], k).width
    # A range is read, concatenated, ordered and sorted: about four copies of its rows (keys and
    # counts) and an int64 order at the peak. (A row of a packed or split run takes less.)
    rows_per_range = max(1 << 12, budget // (4 * 8 * (words + 1) + 8))
    ranges = plan(runs, k, rows_per_range)
    return [(runs, k, lo, hi, min_count, os.path.join(out, f"part{k}_{i:05d}")) for i, (lo, hi) in enumerate(ranges)]


def merge_range_to_file(task: tuple) -> tuple[int, str, int]:
    """Merge one range task into a piece on disk: ``(k, piece prefix, rows)``."""
    runs, k, lo, hi, min_count, prefix = task
    keys, counts = merge_range(runs, k, lo, hi, min_count)
    with _writing(os.path.dirname(prefix)):
        # Written under a name of this attempt, then renamed: a task run again (its first
        # worker died, or lost touch) replaces the piece whole, never leaves half of one.
        for name, array in (("keys", keys), ("counts", counts)):
            tmp = f"{prefix}_{name}.{uuid.uuid4().hex[:8]}.tmp.npy"
            np.save(tmp, array)
            os.replace(tmp, f"{prefix}_{name}.npy")
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
        target = os.path.join(out, f"{name}_{k}.npy")
        if len(mine) == 1:  # the one piece is the whole array
            os.replace(f"{mine[0][1]}_{name}.npy", target)
            continue
        with _writing(out), open(target, "wb") as f:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint64)), "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_2_0(f, header)
            for _, prefix, n in mine:
                if n:
                    _append_data(f, f"{prefix}_{name}.npy")
                os.unlink(f"{prefix}_{name}.npy")
    return read_run(out, k)


def _append_data(out, path: str) -> None:
    """Append the data of an ``.npy`` file to the open file ``out``: copied by the kernel
    (``copy_file_range``) where it can, never read into this process."""
    with open(path, "rb") as src:
        version = np.lib.format.read_magic(src)
        (np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0)(src)
        offset = src.tell()
        remaining = os.fstat(src.fileno()).st_size - offset
        out.flush()
        try:
            while remaining > 0:
                done = os.copy_file_range(src.fileno(), out.fileno(), remaining, offset)
                if done == 0:
                    break
                offset += done
                remaining -= done
            if remaining == 0:
                return
        except (AttributeError, OSError):
            pass  # no copy_file_range (not Linux, other file systems): copy through a buffer
        src.seek(offset)
        shutil.copyfileobj(src, out, 1 << 20)


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
    return {k: assemble(pieces, k, out, _Source(runs[0], k).width) for k in orders}


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

    def __init__(self, orders: Iterable[int], budget: int, work: str, engine=None):
        self.orders = list(orders)
        self.engine = engine  # where the final merge's ranges go (see wordmine.parallel)
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
            # Runs in the parent while the workers go on counting, beside their batches: with
            # half the budget, a compaction and two workers' batches stay within the budget
            # plus the workers' share (at 1 GiB, order 5: a 992 MiB peak with the whole budget).
            self.runs.append(self._merge(self.fresh, 1, 1, self.budget // 2))
            self.fresh, self.fresh_bytes = [], 0
        return self

    def _merge(self, runs: list[str], min_count: int, jobs: int, budget: int | None = None) -> str:
        self.merges += 1
        out = os.path.join(self.work, f"merged-{self.merges:06d}")
        # Merge tasks run `jobs` at a time: each gets its share of the budget.
        mapper = map if jobs == 1 and self.engine is None else (
            lambda func, tasks: parallel.map_tasks(func, tasks, jobs=jobs, engine=self.engine))
        budget = self.budget if budget is None else budget
        merge_runs(runs, self.orders, out, budget=budget // jobs, min_count=min_count, mapper=mapper)
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
