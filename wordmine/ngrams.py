"""Exact counts of every character n-gram of orders 1..n, in numpy, on bounded memory.

An n-gram is a run of ``k`` characters inside one fragment (:func:`wordmine.corpus.fragments`):
never across punctuation, whitespace or a line end. How it is counted:

1. The alphabet: one parallel pass collects the fragment characters of the corpus; sorted by
   code point they get the ids ``0..V-1`` (stdin is spooled to a temporary file for this).
2. Keys: an n-gram is its ids as digits in base ``V``, packed into 64-bit words of ``c`` digits
   each, the largest ``c`` with ``V**c <= 2**64`` (c = 4 for any V < 65536, 5 for the ~6,500
   characters of a news corpus): orders up to ``c`` are one ``uint64``, longer ones a row of
   ``ceil(k / c)`` words. Sorting keys sorts n-grams by code points.
3. Each worker counts its batch: ids by table look-up, for each order the keys of every window
   inside a fragment, sorted, run lengths = counts (the combiner), and writes the batch's table
   to a temporary directory as a sorted run (:mod:`wordmine.runs`): partial tables are as large
   as the text they count, so they spill to disk at once rather than through the parent.
   Should the runs on disk outgrow 8 x ``memory``, the parent merges them into one while the
   workers go on (repeated n-grams fold, so disk use follows the distinct n-grams). At the end
   the runs are merged by key ranges, in parallel, each range within its share of ``memory``:
   any corpus size runs in bounded memory. Temporary files are removed on success, on error and
   on Ctrl-C (the table returned is memory-mapped from the last of them until it is dropped).
4. ``min_count`` prunes after the complete merge, order by order, so counts stay exact and
   pruning long n-grams never changes the counts of shorter ones. ``totals[k]`` is the number
   of order-k windows in the corpus (before pruning): the denominators of probabilities.

File format (``.npz``, uncompressed, so :meth:`NgramTable.load` memory-maps its arrays):
``alphabet`` (uint32 code points), for each order k ``keys_k`` (uint64, shape (m,) or
(m, words)) and ``counts_k`` (uint64), ``totals`` (uint64, index k-1), and ``meta`` (JSON in a
uint8 array: format, n, alphabet size, min_count, wordmine version). ``--format tsv`` writes
``ngram<TAB>count`` rows instead (order, then count descending, then n-gram); reading a TSV
back takes each order's total as the sum of its counts.

>>> table = count_ngrams_in_text("新词发现，发现新词", n=2)
>>> table.count("发现"), table.count("新词"), table.count("现，"), table.totals[2]
(2, 2, 0, 6)
"""

from __future__ import annotations

import io
import json
import mmap
import os
import re
import shutil
import struct
import sys
import tempfile
import weakref
import zipfile
from typing import IO, Iterable, Iterator, Sequence

import numpy as np

from . import __version__, parallel
from .corpus import Batch, normalize, read_batches
from .errors import FormatError
from .files import DEFAULT_ENCODING, STDIN, atomic_write, expand_inputs, input_size
from .runs import merge_runs, read_run, run_bytes, searchable as _searchable, sort_reduce as _sort_reduce, write_run

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_ORDER",
    "NgramTable",
    "count_ngrams",
    "count_ngrams_in_text",
    "merge_ngrams",
    "parse_memory",
]

#: Orders 1..4 by default: what new-word discovery uses.
DEFAULT_ORDER = 4
#: Memory for merging sorted runs, shared by the processes merging at once (each worker's batch
#: arrays come on top: ~100 MB per worker). 512M keeps a 2-worker run of 100 MB of text, order 4,
#: under 700 MB resident in all (benchmarks/RESULTS.md).
DEFAULT_MEMORY = "512M"
#: Input bytes per worker batch: 4 MiB keeps a worker's arrays near 100 MB, large enough for
#: the per-batch combiner to fold repeated n-grams.
NGRAM_BATCH_BYTES = 4 << 20
_NONE = np.uint32(0xFFFFFFFF)  # id of a character that is not in a fragment
_MAGIC_ZIP = b"PK\x03\x04"
_TSV_HEADER = "ngram\tcount"
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


# --- keys: n-grams as base-V digits packed in uint64 words ------------------------------------


def _digits_per_word(radix: int) -> int:
    """The largest c with radix**c <= 2**64 (at most 64)."""
    c = 1
    while c < 64 and radix ** (c + 1) <= 1 << 64:
        c += 1
    return c


class _Layout:
    """How the n-grams of each order are packed, for an alphabet of ``size`` characters."""

    def __init__(self, size: int):
        self.size = size
        self.radix = max(size, 2)
        self.per_word = _digits_per_word(self.radix)

    def words(self, k: int) -> int:
        return -(-k // self.per_word)

    def chunks(self, k: int) -> list[range]:
        c = self.per_word
        return [range(j, min(j + c, k)) for j in range(0, k, c)]

    def pack(self, ids: np.ndarray) -> np.ndarray:
        """Rows of k ids (m, k) -> keys: (m,) uint64 for one word, else (m, words)."""
        k = ids.shape[1]
        radix = np.uint64(self.radix)
        cols = []
        for chunk in self.chunks(k):
            key = ids[:, chunk[0]].astype(np.uint64)
            for j in chunk[1:]:
                key = key * radix + ids[:, j]
            cols.append(key)
        return cols[0] if len(cols) == 1 else np.ascontiguousarray(np.stack(cols, axis=1))

    def unpack(self, keys: np.ndarray, k: int) -> np.ndarray:
        """Keys -> rows of k ids (m, k), uint32."""
        keys2 = keys.reshape(len(keys), self.words(k))
        out = np.empty((len(keys), k), dtype=np.uint32)
        radix = np.uint64(self.radix)
        for w, chunk in enumerate(self.chunks(k)):
            col = keys2[:, w].copy()
            for j in reversed(chunk):
                out[:, j] = col % radix
                col //= radix
        return out


# --- the table ----------------------------------------------------------------------------------


class NgramTable:
    """Counts of character n-grams of orders 1..n, with the number of windows per order.

    Build one with :func:`count_ngrams`, :func:`merge_ngrams` or :meth:`load`.

    Attributes:
        n: the highest order.
        alphabet: sorted code points (uint32); a character's id is its index.
        keys, counts: per order k, ``keys[k]`` sorted packed n-grams and ``counts[k]``.
        totals: per order k, the number of order-k windows counted (before any pruning).
        min_count: the pruning threshold applied (1: none).

    >>> t = count_ngrams_in_text("abab", n=3)
    >>> sorted(t.items(2)), t.totals
    ([('ab', 2), ('ba', 1)], {1: 4, 2: 3, 3: 2})
    """

    def __init__(self, n, alphabet, keys, counts, totals, min_count=1, _owner=None):
        self.n = n
        self.alphabet = np.asarray(alphabet, dtype=np.uint32)
        self.keys = dict(keys)
        self.counts = dict(counts)
        self.totals = {k: int(v) for k, v in totals.items()}
        self.min_count = min_count
        self._layout = _Layout(len(self.alphabet))
        self._owner = _owner  # keeps temporary files (memory-mapped) alive
        self._lut = None

    # -- look-ups --

    def __len__(self) -> int:
        return sum(len(c) for c in self.counts.values())

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(self.counts[k])}" for k in sorted(self.counts))
        return f"<NgramTable n={self.n} distinct={{{sizes}}}>"

    def _ids(self, strings: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids (m, k) of strings of length k, and a mask of those fully in the alphabet."""
        if self._lut is None:
            self._lut = np.full(0x110000, _NONE, dtype=np.uint32)
            self._lut[self.alphabet] = np.arange(len(self.alphabet), dtype=np.uint32)
        codes = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
        ids = self._lut[codes].reshape(len(strings), k)
        known = (ids != _NONE).all(axis=1)
        return ids, known

    def lookup(self, strings: Iterable[str]) -> np.ndarray:
        """Counts of many strings at once (0 for unseen ones or lengths outside 1..n).

        >>> count_ngrams_in_text("新词新词", n=2).lookup(["新词", "词新", "新新", "新词新"])
        array([2, 1, 0, 0], dtype=uint64)
        """
        strings = list(strings)
        result = np.zeros(len(strings), dtype=np.uint64)
        lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
        for k in range(1, self.n + 1):
            where = np.flatnonzero(lengths == k)
            if len(where) == 0 or len(self.counts[k]) == 0:
                continue
            ids, known = self._ids([strings[i] for i in where], k)
            where, ids = where[known], ids[known]
            if len(where) == 0:
                continue
            result[where] = self._find(k, self._layout.pack(ids))
        return result

    def _find(self, k: int, queries: np.ndarray) -> np.ndarray:
        """Counts of packed keys of order k (0 where absent)."""
        keys = _searchable(self.keys[k])
        q = _searchable(queries)
        pos = np.searchsorted(keys, q)
        pos_ok = np.minimum(pos, len(keys) - 1)
        hit = (pos < len(keys)) & (keys[pos_ok] == q)
        return np.where(hit, self.counts[k][pos_ok], 0).astype(np.uint64)

    def count(self, ngram: str) -> int:
        """The count of one string (0 if unseen).

        >>> count_ngrams_in_text("新词", n=2).count("新词")
        1
        """
        return int(self.lookup([ngram])[0])

    def __getitem__(self, ngram: str) -> int:
        return self.count(ngram)

    def strings(self, k: int, keys: np.ndarray | None = None) -> list[str]:
        """The n-grams of order k as strings (in key order), or those of the given keys."""
        keys = self.keys[k] if keys is None else keys
        if len(keys) == 0:
            return []
        ids = self._layout.unpack(np.asarray(keys), k)
        codes = self.alphabet[ids]
        return codes.astype("<u4").view(f"<U{k}").ravel().tolist()

    def items(self, order: int | None = None) -> Iterator[tuple[str, int]]:
        """``(ngram, count)`` of one order (or all, shortest first), in code point order."""
        for k in [order] if order else range(1, self.n + 1):
            step = 1 << 18  # convert in slices to keep memory flat on big tables
            for i in range(0, len(self.counts[k]), step):
                yield from zip(self.strings(k, self.keys[k][i : i + step]), self.counts[k][i : i + step].tolist())

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return self.items()

    def __eq__(self, other) -> bool:
        """Same orders, totals and counts (the alphabets may differ by unused characters)."""
        if not isinstance(other, NgramTable):
            return NotImplemented
        return (
            self.n == other.n
            and self.totals == other.totals
            and all(dict(self.items(k)) == dict(other.items(k)) for k in range(1, self.n + 1))
        )

    # -- pruning and merging --

    def prune(self, min_count: int) -> "NgramTable":
        """A table without the n-grams seen fewer than ``min_count`` times (totals kept)."""
        if min_count <= 1:
            return self
        keys, counts = {}, {}
        for k in range(1, self.n + 1):
            keep = np.flatnonzero(self.counts[k] >= min_count)
            keys[k], counts[k] = self.keys[k][keep], self.counts[k][keep]
        return NgramTable(self.n, self.alphabet, keys, counts, self.totals, max(min_count, self.min_count))

    def remapped(self, alphabet: np.ndarray) -> tuple[dict, dict]:
        """Keys re-packed for a larger sorted alphabet (a superset of ours); order is kept."""
        if np.array_equal(alphabet, self.alphabet):
            return self.keys, self.counts
        new_ids = np.searchsorted(alphabet, self.alphabet).astype(np.uint32)
        layout = _Layout(len(alphabet))
        keys = {}
        for k in range(1, self.n + 1):
            ids = new_ids[self._layout.unpack(np.asarray(self.keys[k]), k)]
            keys[k] = layout.pack(ids)
        return keys, self.counts

    # -- files --

    def save(self, path: str, format: str = "npz", header: bool = True) -> None:
        """Write the table atomically as ``npz`` (binary, memory-mappable) or ``tsv``."""
        if format == "tsv":
            with atomic_write(path) as f:
                self.write_tsv(f, header=header)
        elif format == "npz":
            with atomic_write(path, "wb") as f:
                self._write_npz(f)
        else:
            raise ValueError(f"unknown n-gram table format {format!r}; use npz or tsv")

    def write_tsv(self, f: IO[str], header: bool = True) -> None:
        """``ngram<TAB>count`` rows: by order, then count descending, then n-gram."""
        if header:
            f.write(_TSV_HEADER + "\n")
        for k in range(1, self.n + 1):
            counts = np.asarray(self.counts[k])
            # Stable sort of the code-point-ordered keys by count: ties stay in code point order.
            order = np.argsort(-counts.astype(np.int64), kind="stable")
            step = 1 << 16
            for i in range(0, len(order), step):
                part = order[i : i + step]
                grams = self.strings(k, np.asarray(self.keys[k])[part])
                f.write("".join(f"{g}\t{c}\n" for g, c in zip(grams, counts[part].tolist())))

    def _write_npz(self, raw: IO[bytes]) -> None:
        meta = {
            "format": "wordmine-ngrams",
            "version": 1,
            "n": self.n,
            "alphabet_size": int(len(self.alphabet)),
            "min_count": self.min_count,
            "wordmine": __version__,
        }
        arrays = {"meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8), "alphabet": self.alphabet}
        arrays["totals"] = np.array([self.totals[k] for k in range(1, self.n + 1)], dtype=np.uint64)
        for k in range(1, self.n + 1):
            arrays[f"keys_{k}"] = self.keys[k]
            arrays[f"counts_{k}"] = self.counts[k]
        # A seekable file lets zipfile write sizes in place; stdout is not, so go through memory.
        target = raw if raw.seekable() else io.BytesIO()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, array in arrays.items():
                _write_npy_member(zf, name + ".npy", np.asarray(array))
        if target is not raw:
            raw.write(target.getvalue())

    @classmethod
    def load(cls, path: str, mmap: bool = True) -> "NgramTable":
        """Read a table written by :meth:`save` (npz memory-mapped, or TSV).

        Raises:
            FormatError: the file is neither, or is damaged.
        """
        try:
            with open(path, "rb") as f:
                head = f.read(4)
        except FileNotFoundError:
            raise FormatError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise FormatError(f"{path}: is a directory, not an n-gram table") from None
        if head == _MAGIC_ZIP:
            return _load_npz(path, mmap)
        return _read_tsv(path)


def _write_npy_member(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    """Write an array as a stored .npy member, in slices (it may be a large memory map)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: same table, same bytes
    info.compress_type = zipfile.ZIP_STORED
    with zf.open(info, "w", force_zip64=True) as out:
        np.lib.format.write_array_header_2_0(out, np.lib.format.header_data_from_array_1_0(array))
        for piece in _slices(array, 1 << 22):
            out.write(piece.tobytes())


def _slices(array: np.ndarray, step: int) -> Iterator[np.ndarray]:
    """Consecutive C-order pieces of ``array``'s data.

    A whole memory-mapped file is read with plain reads: touching its mapped pages would keep
    them in the process's resident memory until the map is closed.
    """
    flat_size = array.size
    if isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap) and array.flags.c_contiguous:
        with open(array.filename, "rb") as f:
            f.seek(array.offset)
            for i in range(0, flat_size, step):
                yield np.fromfile(f, dtype=array.dtype, count=min(step, flat_size - i))
        return
    flat = array.reshape(-1)
    for i in range(0, flat_size, step):
        yield np.ascontiguousarray(flat[i : i + step])


def _load_npz(path: str, mmap: bool) -> NgramTable:
    arrays = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                if mmap and info.compress_type == zipfile.ZIP_STORED:
                    arrays[name] = _map_member(path, info)
                else:
                    with zf.open(info) as f:
                        arrays[name] = np.lib.format.read_array(f)
        meta = json.loads(bytes(arrays["meta"]).decode())
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise FormatError(f"{path}: not a readable n-gram table ({err}); write it with wordmine ngrams") from None
    if meta.get("format") != "wordmine-ngrams":
        raise FormatError(f"{path}: this .npz is not a wordmine n-gram table")
    n = meta["n"]
    keys = {k: arrays[f"keys_{k}"] for k in range(1, n + 1)}
    counts = {k: arrays[f"counts_{k}"] for k in range(1, n + 1)}
    totals = {k: int(t) for k, t in enumerate(arrays["totals"].tolist(), 1)}
    return NgramTable(n, np.asarray(arrays["alphabet"]), keys, counts, totals, meta.get("min_count", 1))


def _map_member(path: str, info: zipfile.ZipInfo) -> np.ndarray:
    """Memory-map a stored (uncompressed) .npy member of a zip file."""
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in read_header:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = read_header[version](f)
        offset = f.tell()
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


def _read_tsv(path: str) -> NgramTable:
    grams: dict[int, dict[str, int]] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if lineno == 1 and line == _TSV_HEADER:
                    continue
                if lineno == 1 and line == "word\tcount":
                    raise FormatError(f"{path}: this is a word-count table (wordmine count), not an n-gram table")
                if not line:
                    continue
                fields = line.split("\t")
                if len(fields) != 2 or not fields[1].isdigit() or not fields[1].isascii() or not fields[0]:
                    raise FormatError(f"{path}:{lineno}: expected 'ngram<TAB>count'; is this an n-gram table?")
                by_len = grams.setdefault(len(fields[0]), {})
                by_len[fields[0]] = by_len.get(fields[0], 0) + int(fields[1])
    except UnicodeDecodeError as err:
        raise FormatError(f"{path}: not an n-gram table (not UTF-8 text, byte 0x{err.object[err.start]:02x})") from None
    n = max(grams, default=0)
    alphabet = np.array(sorted({ord(ch) for by_len in grams.values() for g in by_len for ch in g}), dtype=np.uint32)
    table = NgramTable(n, alphabet, {}, {}, {})
    for k in range(1, n + 1):
        items = sorted(grams.get(k, {}).items())
        ids, _ = table._ids([g for g, _ in items], k)
        keys = table._layout.pack(ids) if items else np.zeros(0, dtype=np.uint64)
        table.keys[k] = keys
        table.counts[k] = np.array([c for _, c in items], dtype=np.uint64)
        table.totals[k] = int(table.counts[k].sum())
    return table


def merge_ngrams(tables: Iterable[NgramTable | str]) -> NgramTable:
    """Add n-gram tables (objects or paths) of the same order into one.

    Raises:
        FormatError: the tables have different orders.

    >>> a, b = count_ngrams_in_text("新词", n=2), count_ngrams_in_text("词典", n=2)
    >>> merge_ngrams([a, b]).count("词"), merge_ngrams([a, b]).totals
    (2, {1: 4, 2: 2})
    """
    loaded = []
    for t in tables:
        table = NgramTable.load(os.fspath(t)) if isinstance(t, (str, os.PathLike)) else t
        if loaded and table.n != loaded[0][1].n:
            raise FormatError(
                f"{t if isinstance(t, str) else 'table'}: has orders 1..{table.n}, the first has 1..{loaded[0][1].n}; "
                "merge only tables counted with the same -n"
            )
        loaded.append((t, table))
    if not loaded:
        raise ValueError("no tables to merge")
    n = loaded[0][1].n
    alphabet = np.unique(np.concatenate([t.alphabet for _, t in loaded]))
    parts = [t.remapped(alphabet) for _, t in loaded]
    keys, counts = {}, {}
    for k in range(1, n + 1):
        keys[k], counts[k] = _sort_reduce(
            np.concatenate([np.asarray(p[0][k]) for p in parts]), np.concatenate([np.asarray(p[1][k]) for p in parts])
        )
    totals = {k: sum(t.totals[k] for _, t in loaded) for k in range(1, n + 1)}
    min_count = max(t.min_count for _, t in loaded)
    return NgramTable(n, alphabet, keys, counts, totals, min_count)


# --- counting ----------------------------------------------------------------------------------


def count_ngrams(
    inputs: Iterable[str],
    n: int = DEFAULT_ORDER,
    *,
    min_count: int = 1,
    jobs: int | None = None,
    memory: int | str = DEFAULT_MEMORY,
    encoding: str = DEFAULT_ENCODING,
    errors: str = "strict",
    batch_bytes: int = NGRAM_BATCH_BYTES,
    tmp_dir: str | None = None,
    progress: bool = False,
) -> NgramTable:
    """Count the character n-grams of orders 1..n of a corpus, exactly.

    Args:
        inputs: files, directories, globs or ``-`` (see :func:`wordmine.files.expand_inputs`).
        n: the highest order (1..16).
        min_count: after all counts are merged, drop n-grams seen fewer times.
        jobs: worker processes (None: all CPUs; 1: in-process).
        memory: bytes (or ``"1G"``) of rows a merge step may hold (see the module doc).
        encoding, errors: how to decode the inputs.
        batch_bytes: input bytes per worker batch.
        tmp_dir: where sorted runs and the stdin copy go (default: the system temp directory).
        progress: progress bars on stderr (only if it is a TTY).

    Returns:
        An :class:`NgramTable` whose arrays are memory-mapped from a temporary directory,
        removed when the table is garbage-collected (or the process exits).

    Raises:
        InputError: bad inputs, naming file and line.
    """
    if not 1 <= n <= 16:
        raise ValueError(f"n must be between 1 and 16, not {n}")
    budget = parse_memory(memory)
    jobs = parallel.default_jobs() if jobs is None else jobs
    work = tempfile.mkdtemp(prefix="wordmine-ngrams-", dir=tmp_dir)
    cleanup = weakref.finalize(_Cleanup, shutil.rmtree, work, True)
    try:
        files = expand_inputs(inputs)
        if STDIN in files:
            files = [_spool_stdin(work) if f == STDIN else f for f in files]
        read = dict(batch_bytes=batch_bytes, encoding=encoding, errors=errors)
        total = input_size(files)
        alphabet = parallel.run(
            read_batches(files, **read), _batch_alphabet, _union, np.zeros(0, dtype=np.uint32),
            jobs=jobs, size=_nbytes, total=total, progress=progress, desc="alphabet",
        )
        runs = _Runs(n, budget, work)
        parallel.run(
            read_batches(files, **read), _count_batch, _Runs.add, runs,
            jobs=jobs, initializer=_init_worker, initargs=(alphabet, n, work), size=_nbytes, total=total,
            progress=progress, desc="ngrams",
        )
        keys, counts = runs.finish(min_count, jobs)
        table = NgramTable(n, alphabet, keys, counts, runs.totals, min_count)
    except BaseException:
        cleanup()
        raise
    # The table's arrays live in `work`: remove it with the table (or at exit).
    table._owner = cleanup
    weakref.finalize(table, cleanup)
    return table


class _Cleanup:
    """Anchor for temporary directories that must outlive the call that made them."""


def count_ngrams_in_text(text: str, n: int = DEFAULT_ORDER) -> NgramTable:
    """Count the n-grams of one string, in memory (the workers' own code path).

    >>> count_ngrams_in_text("二○二四", n=2).count("二〇")
    1
    """
    alphabet = _batch_alphabet(Batch(text, 0))
    lut = _lut(alphabet)
    layout = _Layout(len(alphabet))
    tables, totals = _batch_tables(lut[_codes(normalize(text))], layout, n)
    return NgramTable(n, alphabet, {k: t[0] for k, t in tables.items()}, {k: t[1] for k, t in tables.items()}, totals)


def _spool_stdin(work: str) -> str:
    """Copy stdin to a file: counting reads the corpus twice (alphabet, then n-grams)."""
    path = os.path.join(work, "stdin")
    with open(path, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return path


def _nbytes(batch: Batch) -> int:
    return batch.nbytes


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _batch_alphabet(batch: Batch) -> np.ndarray:
    """The fragment characters of a batch: its distinct normalised code points that pass isalnum."""
    codes = _codes(batch.text)
    # Distinct code points first (a count over the BMP is cheaper than sorting), then the
    # normalisation and the fragment rule on those few thousand characters only.
    seen = np.flatnonzero(np.bincount(codes[codes < 0x10000], minlength=0x10000)).astype(np.uint32)
    chars = np.union1d(seen, codes[codes >= 0x10000])
    if not len(chars):
        return chars.astype(np.uint32)
    normal = _codes(normalize("".join(map(chr, chars.tolist()))))
    return np.unique(normal[[chr(c).isalnum() for c in normal.tolist()]]).astype(np.uint32)


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.union1d(a, b).astype(np.uint32)


def _lut(alphabet: np.ndarray) -> np.ndarray:
    """Code point -> id (or _NONE) for every code point."""
    lut = np.full(0x110000, _NONE, dtype=np.uint32)
    lut[alphabet] = np.arange(len(alphabet), dtype=np.uint32)
    return lut


_WORKER: dict = {}


def _init_worker(alphabet: np.ndarray, n: int, work: str) -> None:
    _WORKER.update(lut=_lut(alphabet), n=n, layout=_Layout(len(alphabet)), work=work, done=0)


def _count_batch(batch: Batch) -> tuple[str, dict]:
    """Count one batch into a sorted run on disk: ``(run directory, window totals)``.

    Writing the run here, not sending it back, keeps the parent idle: a batch's tables are
    as large as the batch, and pickling them through a pipe would cost more than the disk.
    """
    w = _WORKER
    tables, totals = _batch_tables(w["lut"][_codes(normalize(batch.text))], w["layout"], w["n"])
    w["done"] += 1
    path = os.path.join(w["work"], f"run-{os.getpid()}-{w['done']:06d}")
    write_run(path, tables)
    return path, totals


def fragment_runs(ids: np.ndarray) -> np.ndarray:
    """For each position, how many fragment characters start there (0 outside fragments):
    the longest n-gram that fits at that position.

    >>> fragment_runs(np.array([3, 4, _NONE, 5], np.uint32)).tolist()
    [2, 1, 0, 1]
    """
    size = len(ids)
    position = np.arange(size, dtype=np.int64)
    nxt = np.where(ids != _NONE, size, position)
    return np.minimum.accumulate(nxt[::-1])[::-1] - position if size else position


def window_keys(ids: np.ndarray, layout: _Layout, n: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For k = 2..n: ``(k, starts, keys)``, the start of every order-k window inside a fragment
    and its packed key.

    >>> layout = _Layout(3)
    >>> [(k, s.tolist(), keys.tolist()) for k, s, keys in window_keys(np.array([0, 1, 2], np.uint32), layout, 3)]
    [(2, [0, 1], [1, 5]), (3, [0], [5])]
    """
    size = len(ids)
    run = fragment_runs(ids)
    radix = np.uint64(layout.radix)
    ids64 = ids.astype(np.uint64)
    # The key words of the current order at every position (garbage where a window is invalid);
    # order 1 is one word, the id itself. Each order extends the last word by one digit or
    # starts a new word; a window's first words are those of the shorter windows at its start.
    words = [ids64]
    for k in range(2, n + 1):
        m = max(size - k + 1, 0)
        if len(layout.chunks(k)) > len(words):
            words.append(ids64[k - 1 :].copy())
        else:
            last = words[-1][:m] * radix
            last += ids64[k - 1 :]
            words[-1] = last
        starts = np.flatnonzero(run[:m] >= k)
        cols = [word[starts] for word in words]
        yield k, starts, cols[0] if len(cols) == 1 else np.stack(cols, axis=1)


def _batch_tables(ids: np.ndarray, layout: _Layout, n: int) -> tuple[dict, dict]:
    """Sorted unique keys and counts of every order in an id sequence, and the window totals."""
    valid = ids != _NONE
    counts1 = np.bincount(ids[valid], minlength=layout.size).astype(np.uint64)
    present = np.flatnonzero(counts1)
    tables = {1: (present.astype(np.uint64), counts1[present])}
    totals = {1: int(valid.sum())}
    for k, starts, keys in window_keys(ids, layout, n):
        totals[k] = len(starts)
        tables[k] = _sort_reduce(keys, None)
    return tables, totals


class _Runs:
    """The parent's side: collects the workers' runs; compacts them if they pile up on disk."""

    #: Compact level-0 runs once they take this many times the memory budget on disk: merging
    #: folds repeated n-grams, so the temporary directory grows with the distinct n-grams, not
    #: with the corpus.
    COMPACT_AT = 8

    def __init__(self, n: int, budget: int, work: str):
        self.n = n
        self.budget = budget
        self.work = work
        self.runs: list[str] = []  # compacted runs
        self.fresh: list[str] = []  # runs as the workers wrote them
        self.fresh_bytes = 0
        self.merges = 0
        self.totals = {k: 0 for k in range(1, n + 1)}

    def add(self, part: tuple[str, dict]) -> "_Runs":
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
        mapper = map if jobs == 1 else _pool_mapper(jobs)
        merge_runs(runs, range(1, self.n + 1), out, budget=self.budget // jobs, min_count=min_count, mapper=mapper)
        for run in runs:
            shutil.rmtree(run)
        return out

    def finish(self, min_count: int, jobs: int) -> tuple[dict, dict]:
        runs = self.runs + self.fresh
        if not runs:
            return {k: np.zeros(0, np.uint64) for k in range(1, self.n + 1)}, {k: np.zeros(0, np.uint64) for k in range(1, self.n + 1)}
        final = runs[0] if len(runs) == 1 and min_count == 1 else self._merge(runs, min_count, jobs)
        tables = {k: read_run(final, k) for k in range(1, self.n + 1)}
        return {k: t[0] for k, t in tables.items()}, {k: t[1] for k, t in tables.items()}


def _pool_mapper(jobs: int):
    """A ``map`` over the engine's workers that keeps the order of its tasks."""

    def mapper(func, tasks):
        tasks = list(tasks)
        done = parallel.run([(i, func, t) for i, t in enumerate(tasks)], _indexed, _collect, {}, jobs=min(jobs, max(1, len(tasks))))
        return [done[i] for i in range(len(tasks))]

    return mapper


def _indexed(task):
    i, func, arg = task
    return i, func(arg)


def _collect(done: dict, item) -> dict:
    done[item[0]] = item[1]
    return done
