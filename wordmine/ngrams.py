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
   inside a fragment, sorted, run lengths = counts (the combiner). The parent merges partial
   tables (concatenate, sort, add equal keys); when they outgrow ``memory`` they are spilled as
   sorted runs to a temporary directory and k-way merged at the end in key-range chunks, so any
   corpus size runs in bounded memory. Temporary files are removed on success, error and Ctrl-C.
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
from .corpus import Batch, fragments, normalize, read_batches
from .errors import FormatError, InputError
from .files import DEFAULT_ENCODING, STDIN, atomic_write, expand_inputs, input_size, open_input

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
#: Memory for the parent's partial tables before they spill to disk (the workers' batches come
#: on top: about 100 MB each).
DEFAULT_MEMORY = "1G"
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


def _sort_reduce(keys: np.ndarray, counts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Sort keys, add the counts of equal keys (``counts=None``: each key counts 1)."""
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.uint64)
    if keys.ndim == 1:
        if counts is None:
            keys = np.sort(keys)
        else:
            order = np.argsort(keys)
            keys, counts = keys[order], counts[order]
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
    else:
        order = np.lexsort(keys.T[::-1])
        keys = keys[order]
        if counts is not None:
            counts = counts[order]
        new = np.empty(len(keys), dtype=bool)
        new[0] = True
        np.any(keys[1:] != keys[:-1], axis=1, out=new[1:])
    starts = np.flatnonzero(new)
    if counts is None:
        summed = np.diff(np.append(starts, len(keys))).astype(np.uint64)
    else:
        summed = np.add.reduceat(counts, starts).astype(np.uint64, copy=False)
    return keys[starts], summed


def _searchable(keys: np.ndarray) -> np.ndarray:
    """A 1-d view of sorted keys that np.searchsorted orders lexicographically."""
    if keys.ndim == 1:
        return keys
    keys = np.ascontiguousarray(keys)
    dtype = np.dtype([(f"w{j}", "<u8") for j in range(keys.shape[1])])
    return keys.view(dtype).reshape(-1)


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
        flat = array.reshape(-1)
        step = 1 << 22
        for i in range(0, len(flat), step):
            out.write(np.ascontiguousarray(flat[i : i + step]).tobytes())


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
        memory: bytes (or ``"1G"``) of partial tables kept before spilling sorted runs to disk.
        encoding, errors: how to decode the inputs.
        batch_bytes: input bytes per worker batch.
        tmp_dir: where runs and the stdin spool go (default: the system temp directory).
        progress: progress bars on stderr (only if it is a TTY).

    Returns:
        An :class:`NgramTable`. If runs were spilled, its arrays are memory-mapped from a
        temporary directory that is removed when the table is garbage-collected.

    Raises:
        InputError: bad inputs, naming file and line.
    """
    if not 1 <= n <= 16:
        raise ValueError(f"n must be between 1 and 16, not {n}")
    budget = parse_memory(memory)
    work = tempfile.mkdtemp(prefix="wordmine-ngrams-", dir=tmp_dir)
    keep_work = False
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
        merger = _Merger(n, len(alphabet), budget, work)
        parallel.run(
            read_batches(files, **read), _count_batch, _Merger.add, merger,
            jobs=jobs, initializer=_init_worker, initargs=(alphabet, n), size=_nbytes, total=total,
            progress=progress, desc="ngrams",
        )
        keys, counts, totals, spilled = merger.finish(min_count)
        keep_work = spilled
        table = NgramTable(n, alphabet, keys, counts, totals, min_count)
        if spilled:
            table._owner = weakref.finalize(table, shutil.rmtree, work, True)
        return table
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)


def count_ngrams_in_text(text: str, n: int = DEFAULT_ORDER) -> NgramTable:
    """Count the n-grams of one string, in-process (the workers' own code path).

    >>> count_ngrams_in_text("二○二四", n=2).count("二〇")
    1
    """
    alphabet = _batch_alphabet(Batch(text, 0))
    _init_worker(alphabet, n)
    merger = _Merger(n, len(alphabet), 1 << 62, None)
    merger.add(_count_batch(Batch(text, 0)))
    keys, counts, totals, _ = merger.finish(1)
    return NgramTable(n, alphabet, keys, counts, totals)


def _spool_stdin(work: str) -> str:
    """Copy stdin to a file: counting reads the corpus twice (alphabet, then n-grams)."""
    path = os.path.join(work, "stdin")
    with open(path, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return path


def _nbytes(batch: Batch) -> int:
    return batch.nbytes


def _batch_alphabet(batch: Batch) -> np.ndarray:
    chars = "".join(fragments(normalize(batch.text)))
    return np.unique(np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32))


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.union1d(a, b).astype(np.uint32)


_WORKER: tuple | None = None


def _init_worker(alphabet: np.ndarray, n: int) -> None:
    global _WORKER
    lut = np.full(0x110000, _NONE, dtype=np.uint32)
    lut[alphabet] = np.arange(len(alphabet), dtype=np.uint32)
    _WORKER = (lut, n, _Layout(len(alphabet)))


def _count_batch(batch: Batch) -> tuple[dict, dict]:
    """Sorted unique keys and counts of every order in one batch, and the window totals."""
    lut, n, layout = _WORKER
    text = normalize(batch.text)
    ids = lut[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    size = len(ids)
    valid = ids != _NONE
    # run[p] = how many fragment characters start at p: the longest n-gram that fits there.
    position = np.arange(size, dtype=np.int64)
    nxt = np.where(valid, size, position)
    run = np.minimum.accumulate(nxt[::-1])[::-1] - position
    tables, totals = {}, {}
    counts1 = np.bincount(ids[valid], minlength=layout.size).astype(np.uint64)
    present = np.flatnonzero(counts1)
    tables[1] = (present.astype(np.uint64), counts1[present])
    totals[1] = int(valid.sum())
    radix = np.uint64(layout.radix)
    for k in range(2, n + 1):
        starts = np.flatnonzero(run >= k)
        totals[k] = len(starts)
        if len(starts) == 0:
            tables[k] = (np.zeros((0,) if layout.words(k) == 1 else (0, layout.words(k)), dtype=np.uint64), np.zeros(0, np.uint64))
            continue
        cols = []
        for chunk in layout.chunks(k):
            key = ids[starts + chunk[0]].astype(np.uint64)
            for j in chunk[1:]:
                key *= radix
                key += ids[starts + j]
            cols.append(key)
        keys = cols[0] if len(cols) == 1 else np.stack(cols, axis=1)
        tables[k] = _sort_reduce(keys, None)
    return tables, totals


class _Merger:
    """The parent's side: adds partial tables, spilling sorted runs past the memory budget."""

    def __init__(self, n: int, alphabet_size: int, budget: int, work: str | None):
        self.n = n
        self.layout = _Layout(alphabet_size)
        self.budget = budget
        self.work = work
        self.pending: list[dict] = []
        self.pending_bytes = 0
        self.merged: dict | None = None
        self.runs: list[str] = []
        self.totals = {k: 0 for k in range(1, n + 1)}

    def add(self, part: tuple[dict, dict]) -> "_Merger":
        tables, totals = part
        for k, t in totals.items():
            self.totals[k] += t
        self.pending.append(tables)
        self.pending_bytes += _nbytes_tables(tables)
        # Fold pending partials once they fill a quarter of the budget; a merged table that
        # outgrows half the budget becomes a sorted run on disk.
        if self.pending_bytes > self.budget // 4:
            self._fold()
            if self.merged is not None and _nbytes_tables(self.merged) > self.budget // 2:
                self._spill()
        return self

    def _fold(self) -> None:
        parts = self.pending + ([self.merged] if self.merged is not None else [])
        self.pending, self.pending_bytes = [], 0
        if not parts:
            return
        self.merged = {
            k: _sort_reduce(np.concatenate([p[k][0] for p in parts]), np.concatenate([p[k][1] for p in parts]))
            for k in range(1, self.n + 1)
        }

    def _spill(self) -> None:
        run = os.path.join(self.work, f"run{len(self.runs):04d}")
        os.mkdir(run)
        for k, (keys, counts) in self.merged.items():
            np.save(os.path.join(run, f"keys_{k}.npy"), keys)
            np.save(os.path.join(run, f"counts_{k}.npy"), counts)
        self.runs.append(run)
        self.merged = None

    def finish(self, min_count: int) -> tuple[dict, dict, dict, bool]:
        self._fold()
        if not self.runs:
            merged = self.merged or {k: (_empty_keys(self.layout, k), np.zeros(0, np.uint64)) for k in range(1, self.n + 1)}
            keys, counts = {}, {}
            for k, (kk, cc) in merged.items():
                keep = np.flatnonzero(cc >= min_count) if min_count > 1 else slice(None)
                keys[k], counts[k] = kk[keep], cc[keep]
            return keys, counts, self.totals, False
        if self.merged is not None:
            self._spill()
        keys, counts = {}, {}
        for k in range(1, self.n + 1):
            keys[k], counts[k] = self._merge_runs(k, min_count)
        return keys, counts, self.totals, True

    def _merge_runs(self, k: int, min_count: int) -> tuple[np.ndarray, np.ndarray]:
        """K-way merge of the spilled runs of order k, in key-range chunks, to files."""
        sources = [
            (np.load(os.path.join(r, f"keys_{k}.npy"), mmap_mode="r"), np.load(os.path.join(r, f"counts_{k}.npy"), mmap_mode="r"))
            for r in self.runs
        ]
        row_bytes = 8 * (self.layout.words(k) + 1)
        chunk_rows = max(1 << 16, self.budget // (4 * row_bytes))
        # Splitters: every step-th key of each run, sorted; about chunk_rows rows lie between
        # every (chunk_rows // step)-th of them, whatever the runs hold.
        step = max(1, chunk_rows // len(sources))
        samples = [np.asarray(kk[::step]) for kk, _ in sources if len(kk)] or [_empty_keys(self.layout, k)]
        splitters = _sort_reduce(np.concatenate(samples), None)[0][:: max(1, chunk_rows // step)]
        edges = [
            np.concatenate([[0], np.searchsorted(_searchable(kk), _searchable(splitters)), [len(kk)]])
            for kk, _ in sources
        ]
        out_keys = os.path.join(self.work, f"final_keys_{k}.bin")
        out_counts = os.path.join(self.work, f"final_counts_{k}.bin")
        written = 0
        with open(out_keys, "wb") as fk, open(out_counts, "wb") as fc:
            for i in range(len(splitters) + 1):
                kk = np.concatenate([np.asarray(keys[e[i] : e[i + 1]]) for (keys, _), e in zip(sources, edges)])
                cc = np.concatenate([np.asarray(counts[e[i] : e[i + 1]]) for (_, counts), e in zip(sources, edges)])
                if len(kk) == 0:
                    continue
                kk, cc = _sort_reduce(kk, cc)
                if min_count > 1:
                    keep = np.flatnonzero(cc >= min_count)
                    kk, cc = kk[keep], cc[keep]
                fk.write(np.ascontiguousarray(kk).tobytes())
                fc.write(cc.tobytes())
                written += len(cc)
        words = self.layout.words(k)
        shape = (written,) if words == 1 else (written, words)
        if written == 0:
            return _empty_keys(self.layout, k), np.zeros(0, np.uint64)
        return (np.memmap(out_keys, dtype=np.uint64, mode="r", shape=shape), np.memmap(out_counts, dtype=np.uint64, mode="r", shape=(written,)))


def _empty_keys(layout: _Layout, k: int) -> np.ndarray:
    w = layout.words(k)
    return np.zeros((0,) if w == 1 else (0, w), dtype=np.uint64)


def _nbytes_tables(tables: dict) -> int:
    return sum(keys.nbytes + counts.nbytes for keys, counts in tables.values())
