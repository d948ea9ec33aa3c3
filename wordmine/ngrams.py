"""Exact counts of every n-gram of units of orders 1..n, in numpy, on bounded memory.

An n-gram is a run of ``k`` units inside one fragment (:mod:`wordmine.corpus`: a unit is a
character, a Latin word or a number; never across punctuation, whitespace or a line end). How it
is counted:

1. The symbol table (:mod:`wordmine.symbols`): one parallel pass collects the corpus's
   characters and its most frequent Latin words and numbers; sorted, they get the ids
   ``0..V-1``; the other Latin words and numbers share the class symbols ``<LATIN>`` and
   ``<NUM>`` (stdin is spooled to a temporary file for this).
2. Keys: an n-gram is its ids as digits in base ``V``, packed into 64-bit words
   (:class:`wordmine.keys.KeyPacker`): up to 5 symbols in one ``uint64`` for the ~7,000
   symbols of a news corpus, longer n-grams as rows of words. Sorting keys sorts n-grams by
   their units.
3. Each worker counts its batch: ids by table look-up, for each order the keys of every window
   inside a fragment, sorted, run lengths = counts (the combiner), and writes the batch's table
   to a temporary directory as a sorted run (:mod:`wordmine.runs`): partial tables are as large
   as the text they count, so they spill to disk at once rather than through the parent. Only
   bare 64-bit words are sorted, never keys with counts in tow nor rows of two words (5x the
   cost): counts ride in the free low bits of their keys, an order whose keys fill the word
   (order 5 of a news corpus) keeps one word per window, and order ``per_word + 1`` (6) is cut
   after its first symbol and sorted by that symbol, then word by word (``_batch_tables``).
   50 MiB of news, orders 1-6, one process: 15.1 s of CPU before, 9.6 s after.
   Should the runs on disk outgrow 8 x ``memory``, the parent merges them into one while the
   workers go on (repeated n-grams fold, so disk use follows the distinct n-grams). At the end
   the runs are merged by key ranges, in parallel, each range within its share of ``memory``:
   any corpus size runs in bounded memory. Temporary files are removed on success, on error and
   on Ctrl-C (the table returned is memory-mapped from the last of them until it is dropped).
4. ``min_count`` prunes after the complete merge, order by order, so counts stay exact and
   pruning long n-grams never changes the counts of shorter ones. ``totals[k]`` is the number
   of order-k windows in the corpus (before pruning): the denominators of probabilities.

File format 2 (``.npz``, uncompressed, so :meth:`NgramTable.load` memory-maps its arrays):
``symbols`` (the symbols as UTF-8 text, one per line, sorted), for each order k ``keys_k``
(uint64, shape (m,) or (m, width)) and ``counts_k`` (uint64), ``totals`` (uint64, index k-1),
and ``meta`` (JSON in a uint8 array: ``format`` ``"wordmine-ngrams"``, ``version`` 2, ``n``,
``symbols`` (how many), ``pooled`` (the classes that hold at least one Latin word or number),
``min_count``, ``wordmine``). Format 1 (wordmine 0.1: an ``alphabet`` of code points, Latin
words and numbers cut into characters) is refused with a message to count again.
``--format tsv`` writes ``ngram<TAB>count`` rows instead (order, then count descending, then
n-gram; a class is written ``<LATIN>`` or ``<NUM>``); reading a TSV back takes each order's
total as the sum of its counts.

>>> table = count_ngrams_in_text("新词发现，发现新词", n=2)
>>> table.count("发现"), table.count("新词"), table.count("现，"), table.totals[2]
(2, 2, 0, 6)
>>> table = count_ngrams_in_text("A股涨了3.5%，A股跌了", n=3)
>>> table.count("A股"), table.count("了3.5%"), table.count("了3"), table.totals[1]
(2, 1, 0, 9)
"""

from __future__ import annotations

import mmap
import os
import shutil
import sys
import uuid
import weakref
from typing import IO, Iterable, Iterator, Sequence

import numpy as np

from . import __version__, defaults, parallel
from .corpus import DIGIT, LATIN, Batch, Batches, char_kind, normalize
from .errors import FormatError
from .files import DEFAULT_ENCODING, STDIN, atomic_write, expand_inputs, input_size, temporary_workspace
from .formats import NPZ_MAGIC, open_table, read_json_member, read_npz, write_npz
from .keys import NONE, KeyPacker, count_bits, find, pack_counts, searchable, sort_reduce, sort_split, window_keys
from .runs import Packed, RunSpool, Split, as_table, merge_runs, parse_memory, write_run
from .symbols import CLASSES, SymbolTable, UnitSummary, gram_units

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_ORDER",
    "FORMAT_VERSION",
    "NgramTable",
    "count_ngrams",
    "count_ngrams_in_text",
    "merge_ngrams",
    "parse_memory",
]

#: Orders 1..4 by default: what new-word discovery uses.
DEFAULT_ORDER = defaults.ORDER
#: Memory for merging sorted runs, shared by the processes merging at once (each worker's batch
#: arrays come on top: ~100 MB per worker). 512M keeps a 2-worker run of 100 MB of text, order 4,
#: under 700 MB resident in all (benchmarks/RESULTS.md).
DEFAULT_MEMORY = defaults.MEMORY
#: Input bytes per worker batch: 4 MiB keeps a worker's arrays near 100 MB, large enough for
#: the per-batch combiner to fold repeated n-grams.
NGRAM_BATCH_BYTES = 4 << 20
#: The version of the npz file format (see the module doc).
FORMAT_VERSION = 2
_TSV_HEADER = "ngram\tcount"


# --- the table ----------------------------------------------------------------------------------


#: Look-ups per slice of :meth:`NgramTable.counts_of`: each touches at most about this many pages.
_LOOKUP_SLICE = 4096


class NgramTable:
    """Counts of n-grams of units of orders 1..n, with the number of windows per order.

    Build one with :func:`count_ngrams`, :func:`merge_ngrams` or :meth:`load`. Strings given to
    the look-ups are cut into units as the corpus is (``"A股"`` is ``A`` + ``股``); a Latin word
    or number without a symbol of its own is looked up as its class, and ``<LATIN>`` and
    ``<NUM>`` name the classes.

    Attributes:
        n: the highest order.
        symbols: the :class:`~wordmine.symbols.SymbolTable`; a symbol's id is its index.
        packer: the :class:`~wordmine.keys.KeyPacker` of the keys.
        keys, counts: per order k, ``keys[k]`` sorted packed n-grams and ``counts[k]``.
        totals: per order k, the number of order-k windows counted (before any pruning).
        pooled: the classes that hold at least one Latin word or number of the corpus.
        min_count: the pruning threshold applied (1: none).

    >>> t = count_ngrams_in_text("abab", n=3)
    >>> sorted(t.items(1)), t.totals
    ([('abab', 1)], {1: 1, 2: 0, 3: 0})
    >>> t = count_ngrams_in_text("新词新", n=3)
    >>> sorted(t.items(2)), t.lookup(["新词", "词新", "新新", "新词新"]).tolist()
    ([('新词', 1), ('词新', 1)], [1, 1, 0, 1])
    """

    def __init__(self, n, symbols: SymbolTable, keys, counts, totals, min_count=1, pooled=(), owner=None):
        self.n = n
        self.symbols = symbols
        self.keys = dict(keys)
        self.counts = dict(counts)
        self.totals = {k: int(v) for k, v in totals.items()}
        self.min_count = min_count
        self.pooled = tuple(c for c in CLASSES if c in set(pooled))
        self.packer = KeyPacker(len(symbols))
        self._owner = owner  # keeps temporary files (memory-mapped) alive

    # -- look-ups --

    def __len__(self) -> int:
        return sum(len(c) for c in self.counts.values())

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(self.counts[k])}" for k in sorted(self.counts))
        return f"<NgramTable n={self.n} symbols={len(self.symbols)} distinct={{{sizes}}}>"

    def counts_of(self, k: int, keys: np.ndarray) -> np.ndarray:
        """Counts of packed keys of order ``k`` (0 where absent), as uint64.

        >>> t = count_ngrams_in_text("新词新词", n=2)
        >>> t.counts_of(2, t.packer.pack(t.encode(["新词", "词词"])[1][2])).tolist()
        [2, 0]
        """
        result = np.zeros(len(keys), dtype=np.uint64)
        table_keys, table_counts = self.keys[k], self.counts[k]
        if not len(keys) or not len(table_keys):
            return result
        # In ascending slices, each searched within its range of the table and its pages let go
        # after it: binary searches scattered over a large memory-mapped table would page most
        # of it in at once.
        order = np.argsort(searchable(keys), kind="stable")
        for i in range(0, len(keys), _LOOKUP_SLICE):
            at = order[i : i + _LOOKUP_SLICE]
            lo = int(find(table_keys, keys[at[:1]])[0][0])
            hi = int(find(table_keys, keys[at[-1:]])[0][0]) + 1
            pos, found = find(table_keys[lo:hi], keys[at])
            result[at] = np.where(found, np.asarray(table_counts[lo:hi])[pos], 0)
            self.release()
        return result

    def encode(self, strings: Sequence[str]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Cut strings into units and look up their ids, grouped by order.

        Returns:
            ``(orders, rows)``: each string's number of units (0 when it holds a character
            that is no unit, or one the table lacks), and for each order k the ids (m, k) of
            the strings of that order, in their order.

        >>> t = count_ngrams_in_text("GDP增长", n=2)
        >>> orders, rows = t.encode(["GDP增长", "增", "GDP，"])
        >>> orders.tolist(), t.symbols.strings_of(rows[3])
        ([3, 1, 0], ['GDP增长'])
        """
        ids = self.symbols.ids_of_strings(strings)
        orders = np.array([len(x) if len(x) and (x != NONE).all() else 0 for x in ids], dtype=np.int64)
        rows = {}
        for k in np.unique(orders[orders > 0]).tolist():
            rows[k] = np.array([ids[i] for i in np.flatnonzero(orders == k).tolist()], dtype=np.uint32).reshape(-1, k)
        return orders, rows

    def lookup(self, strings: Iterable[str]) -> np.ndarray:
        """Counts of many strings at once (0 for unseen ones or orders outside 1..n).

        >>> count_ngrams_in_text("新词新词", n=2).lookup(["新词", "词新", "新新", "新词新"])
        array([2, 1, 0, 0], dtype=uint64)
        """
        strings = list(strings)
        result = np.zeros(len(strings), dtype=np.uint64)
        orders, rows = self.encode(strings)
        for k, ids in rows.items():
            if k <= self.n:
                result[orders == k] = self.counts_of(k, self.packer.pack(ids))
        return result

    def count(self, ngram: str) -> int:
        """The count of one string (0 if unseen).

        >>> count_ngrams_in_text("新词", n=2).count("新词")
        1
        """
        return int(self.lookup([ngram])[0])

    def __getitem__(self, ngram: str) -> int:
        return self.count(ngram)

    def release(self) -> None:
        """Let the kernel drop the pages of the memory-mapped arrays read so far (they are read
        again from the file when needed), so that a table larger than memory does not stay in
        the resident memory of a process that went through it once."""
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if advice is None:
            return
        for arrays in (self.keys, self.counts):
            for array in arrays.values():
                if isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap):
                    array.base.madvise(advice)

    def strings(self, k: int, keys: np.ndarray | None = None) -> list[str]:
        """The n-grams of order k as strings (in key order), or those of the given keys."""
        keys = self.keys[k] if keys is None else keys
        if len(keys) == 0:
            return []
        return self.symbols.strings_of(self.packer.unpack(np.asarray(keys), k))

    def items(self, order: int | None = None) -> Iterator[tuple[str, int]]:
        """``(ngram, count)`` of one order (or all, shortest first), in key order."""
        for k in [order] if order else range(1, self.n + 1):
            step = 1 << 18  # convert in slices to keep memory flat on big tables
            for i in range(0, len(self.counts[k]), step):
                yield from zip(self.strings(k, self.keys[k][i : i + step]), self.counts[k][i : i + step].tolist())

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return self.items()

    def __eq__(self, other) -> bool:
        """Same orders, totals and counts (the symbol tables may differ by unused symbols)."""
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
            keep = np.flatnonzero(np.asarray(self.counts[k]) >= min_count)
            keys[k], counts[k] = np.asarray(self.keys[k])[keep], np.asarray(self.counts[k])[keep]
        return NgramTable(self.n, self.symbols, keys, counts, self.totals, max(min_count, self.min_count), self.pooled)

    def symbol_map(self, symbols: SymbolTable) -> np.ndarray:
        """For each of our symbol ids, its id in another symbol table: the same symbol or, for a
        Latin word or number that table lacks, its class (as :func:`merge_ngrams` re-keys).

        >>> a = count_ngrams_in_text("新词", n=1)
        >>> a.symbol_map(SymbolTable(["<LATIN>", "<NUM>", "新", "旧", "词"])).tolist()
        [0, 1, 2, 4]
        """
        new_ids = np.array([symbols.id_of(s) for s in self.symbols.symbols], dtype=np.uint32)
        if (new_ids == NONE).any():
            missing = self.symbols.symbols[int(np.flatnonzero(new_ids == NONE)[0])]
            raise ValueError(f"the symbol table lacks the character {missing!r}")
        return new_ids

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
            # Stable sort of the key-ordered rows by count: ties stay in key order.
            order = np.argsort(-counts.astype(np.int64), kind="stable")
            step = 1 << 16
            for i in range(0, len(order), step):
                part = order[i : i + step]
                grams = self.strings(k, np.asarray(self.keys[k])[part])
                f.write("".join(f"{g}\t{c}\n" for g, c in zip(grams, counts[part].tolist())))

    def _write_npz(self, raw: IO[bytes]) -> None:
        meta = {
            "format": "wordmine-ngrams",
            "version": FORMAT_VERSION,
            "n": self.n,
            "symbols": len(self.symbols),
            "pooled": list(self.pooled),
            "min_count": self.min_count,
            "wordmine": __version__,
        }
        import json

        arrays = {
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
            "symbols": np.frombuffer("\n".join(self.symbols.symbols).encode("utf-8"), dtype=np.uint8),
            "totals": np.array([self.totals[k] for k in range(1, self.n + 1)], dtype=np.uint64),
        }
        for k in range(1, self.n + 1):
            arrays[f"keys_{k}"] = self.keys[k]
            arrays[f"counts_{k}"] = self.counts[k]
        write_npz(raw, arrays)

    @classmethod
    def load(cls, path: str, mmap: bool = True) -> "NgramTable":
        """Read a table written by :meth:`save` (npz memory-mapped, or TSV), checking it.

        Raises:
            FormatError: the file is neither, is damaged, or is of an older format.
        """
        try:
            with open(path, "rb") as f:
                head = f.read(4)
        except FileNotFoundError:
            raise FormatError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise FormatError(f"{path}: is a directory, not an n-gram table") from None
        if head == NPZ_MAGIC:
            return _load_npz(path, mmap)
        return _read_tsv(path)


def _load_npz(path: str, mmap: bool) -> NgramTable:
    arrays = read_npz(path, mmap=mmap)
    meta = read_json_member(arrays, "meta", path)
    if meta.get("format") != "wordmine-ngrams":
        raise FormatError(f"{path}: this .npz is not a wordmine n-gram table")
    if meta.get("version") != FORMAT_VERSION:
        raise FormatError(
            f"{path}: an n-gram table of format {meta.get('version')!r} (wordmine {meta.get('wordmine', '?')}); "
            f"this wordmine reads format {FORMAT_VERSION} (Latin words and numbers as units): "
            "count it again with wordmine ngrams"
        )
    n = meta.get("n")
    if not isinstance(n, int) or not 1 <= n <= 16:
        raise FormatError(f"{path}: bad order n={n!r} in its meta; this table is damaged")

    def bad(what: str) -> FormatError:
        return FormatError(f"{path}: {what}; this table is damaged (write it again with wordmine ngrams)")

    try:
        text = bytes(np.asarray(arrays["symbols"], dtype=np.uint8)).decode("utf-8")
        symbols = SymbolTable(text.split("\n") if text else [])
    except (KeyError, UnicodeDecodeError, ValueError) as err:
        raise bad(f"unreadable symbol table ({err})") from None
    totals = arrays.get("totals")
    if totals is None or totals.dtype != np.uint64 or totals.shape != (n,):
        raise bad("totals missing or of the wrong shape")
    packer = KeyPacker(len(symbols))
    keys, counts = {}, {}
    for k in range(1, n + 1):
        kk, cc = arrays.get(f"keys_{k}"), arrays.get(f"counts_{k}")
        width = packer.width(k)
        if kk is None or cc is None or kk.dtype != np.uint64 or cc.dtype != np.uint64:
            raise bad(f"keys_{k} or counts_{k} missing, or not uint64")
        if kk.shape != ((len(cc),) if width == 1 else (len(cc), width)) or cc.ndim != 1:
            raise bad(f"keys_{k} of shape {kk.shape} and counts_{k} of shape {cc.shape} do not fit order {k}")
        _check_keys(kk, cc, packer.limits(k), bad, k)
        keys[k], counts[k] = kk, cc
    pooled = meta.get("pooled", [])
    if not isinstance(pooled, list):
        raise bad("bad 'pooled' in its meta")
    return NgramTable(n, symbols, keys, counts, {k: int(t) for k, t in enumerate(totals.tolist(), 1)},
                      meta.get("min_count", 1), pooled)


def _check_keys(keys: np.ndarray, counts: np.ndarray, limits: list[int], bad, k: int) -> None:
    """Keys within the symbol range and strictly increasing, counts positive (in slices: the
    arrays may be memory-mapped files larger than memory)."""
    step = 1 << 20
    last = None
    for i in range(0, len(counts), step):
        rows = np.asarray(keys[i : i + step]).reshape(min(step, len(counts) - i), -1)
        for j, limit in enumerate(limits):
            if limit < 1 << 64 and (rows[:, j] >= np.uint64(limit)).any():
                raise bad(f"keys_{k} hold ids outside its symbol table")
        if _not_increasing(rows if last is None else np.concatenate([last, rows])):
            raise bad(f"keys_{k} are not sorted and distinct")
        last = rows[-1:]
        if (np.asarray(counts[i : i + step]) == 0).any():
            raise bad(f"counts_{k} hold a zero count")


def _not_increasing(rows: np.ndarray) -> bool:
    """True unless rows of words increase strictly (lexicographically)."""
    if len(rows) < 2:
        return False
    a, b = rows[:-1], rows[1:]
    greater = np.zeros(len(a), dtype=bool)
    equal = np.ones(len(a), dtype=bool)
    for j in range(rows.shape[1]):
        greater |= equal & (b[:, j] > a[:, j])
        equal &= b[:, j] == a[:, j]
    return not greater.all()


def _read_tsv(path: str) -> NgramTable:
    grams: dict[str, int] = {}
    with open_table(path) as f:
        try:
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
                grams[fields[0]] = grams.get(fields[0], 0) + int(fields[1])
        except UnicodeDecodeError as err:
            raise FormatError(f"{path}: not an n-gram table (not UTF-8 text, byte 0x{err.object[err.start]:02x})") from None
    units_of = {}
    for gram in grams:
        units_of[gram] = gram_units(gram)
        if not units_of[gram]:
            raise FormatError(f"{path}: {gram!r} is not an n-gram of units (it holds punctuation or spaces)")
    symbols = SymbolTable(sorted({u for us in units_of.values() for u in us} | set(CLASSES)))
    n = max((len(u) for u in units_of.values()), default=0)
    table = NgramTable(n, symbols, {}, {}, {}, pooled=[c for c in CLASSES if any(c in u for u in units_of.values())])
    for k in range(1, n + 1):
        items = [(g, c) for g, c in grams.items() if len(units_of[g]) == k]
        ids = np.array([[symbols.index[u] for u in units_of[g]] for g, _ in items], dtype=np.uint32).reshape(-1, k)
        keys, counts = sort_reduce(table.packer.pack(ids), np.array([c for _, c in items], dtype=np.uint64)) if items else (np.zeros((0,) if table.packer.width(k) == 1 else (0, table.packer.width(k)), np.uint64), np.zeros(0, np.uint64))
        table.keys[k], table.counts[k] = keys, counts
        table.totals[k] = int(counts.sum())
    return table


def merge_ngrams(
    tables: Iterable[NgramTable | str],
    *,
    min_count: int = defaults.MIN_COUNT,
    memory: int | str = DEFAULT_MEMORY,
    tmp_dir: str | None = None,
) -> NgramTable:
    """Add n-gram tables (objects or paths) of the same order into one, on bounded memory.

    Characters keep their symbols. A Latin word or number keeps its own symbol only if no table
    could have pooled it in its class (a table that pooled words of that kind and lacks it):
    otherwise it joins its class, so every count stays exact. Each table is re-keyed for the
    merged symbols in slices written as sorted runs, and the runs are merged by key ranges as
    :func:`count_ngrams` merges its own (:mod:`wordmine.runs`): no table is ever held whole.

    Args:
        tables: tables or paths of tables (npz, memory-mapped, or TSV).
        min_count: drop n-grams seen fewer times in all (as the last merge step; totals kept).
        memory: bytes (or ``"1G"``) a slice or a merge range may hold.
        tmp_dir: where the runs go (default: the system temp directory).

    Returns:
        An :class:`NgramTable` memory-mapped from a temporary directory, removed with the table.

    Raises:
        FormatError: the tables have different orders, or one is not a table.

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
    budget = parse_memory(memory)
    symbols = _merged_symbols([t for _, t in loaded])
    packer = KeyPacker(len(symbols))
    work, cleanup = temporary_workspace("wordmine-ngrams-", dir=tmp_dir)
    try:
        keys, counts = {}, {}
        for k in range(1, n + 1):
            # A slice is unpacked, re-packed and sorted: about six copies of its rows.
            rows = max(1 << 12, budget // (6 * 8 * (packer.width(k) + 1 + k)))
            runs = []
            for i, (_, table) in enumerate(loaded):
                new_ids = None if table.symbols == symbols else table.symbol_map(symbols)
                for start in range(0, len(table.counts[k]), rows):
                    part = np.asarray(table.keys[k][start : start + rows])
                    part_counts = np.asarray(table.counts[k][start : start + rows])
                    if new_ids is not None:  # re-keyed: pooled words may now coincide, order may change
                        part, part_counts = sort_reduce(packer.pack(new_ids[table.packer.unpack(part, k)]), part_counts)
                    path = os.path.join(work, f"in{k}-{i}-{start}")
                    write_run(path, {k: (part, part_counts)})
                    runs.append(path)
                table.release()
            if runs:
                merged = merge_runs(runs, [k], os.path.join(work, f"order{k}"), budget=budget, min_count=min_count)
                keys[k], counts[k] = merged[k]
                for run in runs:
                    shutil.rmtree(run)
            else:
                width = packer.width(k)
                keys[k], counts[k] = np.zeros((0,) if width == 1 else (0, width), np.uint64), np.zeros(0, np.uint64)
        totals = {k: sum(t.totals[k] for _, t in loaded) for k in range(1, n + 1)}
        min_count = max([min_count, *(t.min_count for _, t in loaded)])
        pooled = {c for _, t in loaded for c in t.pooled}
        merged_table = NgramTable(n, symbols, keys, counts, totals, min_count, pooled)
    except BaseException:
        cleanup()
        raise
    merged_table._owner = cleanup
    weakref.finalize(merged_table, cleanup)
    return merged_table


def _merged_symbols(tables: list[NgramTable]) -> SymbolTable:
    """The symbols of a merge: see :func:`merge_ngrams`."""
    everything = set()
    for t in tables:
        everything.update(t.symbols.symbols)
    keep = set(everything)
    for t in tables:
        own = set(t.symbols.symbols)
        for symbol in everything - own:
            if symbol in CLASSES or (len(symbol) == 1 and char_kind(symbol) not in (LATIN, DIGIT)):
                continue
            if t.symbols.class_name_of(symbol) in t.pooled:
                keep.discard(symbol)
    return SymbolTable(sorted(keep))


# --- counting ----------------------------------------------------------------------------------


@parallel.with_engine
def count_ngrams(
    inputs: Iterable[str],
    n: int = DEFAULT_ORDER,
    *,
    min_count: int = defaults.MIN_COUNT,
    jobs: int | None = None,
    memory: int | str = DEFAULT_MEMORY,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    batch_bytes: int = NGRAM_BATCH_BYTES,
    tmp_dir: str | None = None,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> NgramTable:
    """Count the n-grams of units of orders 1..n of a corpus, exactly.

    Args:
        inputs: files, directories, globs or ``-`` (see :func:`wordmine.files.expand_inputs`).
        n: the highest order (1..16).
        min_count: after all counts are merged, drop n-grams seen fewer times.
        jobs: worker processes (None: all CPUs; 1: in-process).
        memory: bytes (or ``"1G"``) of rows a merge step may hold (see the module doc).
        encoding, errors: how to decode the inputs.
        batch_bytes: input bytes per worker batch.
        tmp_dir: where sorted runs and the stdin copy go (default: the system temp directory);
            with a Dask engine, a directory that every worker sees at the same path.
        progress: progress bars on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client``
            (see :mod:`wordmine.parallel`); the table does not depend on it.

    Returns:
        An :class:`NgramTable` whose arrays are memory-mapped from a temporary directory,
        removed when the table is garbage-collected (or the process exits).

    Raises:
        InputError: bad inputs, naming file and line.
    """
    if not 1 <= n <= 16:
        raise ValueError(f"n must be between 1 and 16, not {n}")
    budget = parse_memory(memory)
    jobs = parallel.capped_jobs(jobs)
    work, cleanup = temporary_workspace("wordmine-ngrams-", dir=tmp_dir)
    try:
        files = expand_inputs(inputs)
        if STDIN in files:
            files = [_spool_stdin(work) if f == STDIN else f for f in files]
        read = dict(batch_bytes=batch_bytes, encoding=encoding, errors=errors)
        total = input_size(files)
        symbols = collect_symbols(files, jobs=jobs, progress=progress, engine=engine, **read)
        runs = RunSpool(range(1, n + 1), budget, work, engine=engine)
        parallel.map_batches(
            Batches(files, **read, warn=False), _count_batch, RunSpool.add, runs,  # the symbol pass warned
            jobs=jobs, initializer=_init_worker, initargs=(symbols.symbols, n, work), size=_nbytes, total=total,
            progress=progress, desc="ngrams", engine=engine,
        )
        keys, counts = runs.finish(min_count, jobs, KeyPacker(len(symbols)).width)
        table = NgramTable(n, symbols, keys, counts, runs.totals, min_count, _pooled(symbols, keys[1], runs.totals))
    except BaseException:
        cleanup()
        raise
    # The table's arrays live in `work`: remove it with the table (or at exit).
    table._owner = cleanup
    weakref.finalize(table, cleanup)
    return table



def count_ngrams_in_text(text: str, n: int = DEFAULT_ORDER) -> NgramTable:
    """Count the n-grams of one string, in memory (the workers' own code path).

    >>> count_ngrams_in_text("二○二四", n=2).count("二〇")
    1
    """
    normal = normalize(text)
    symbols = UnitSummary.of_text(normal).table()
    tables, totals = _batch_tables(symbols.encode(normal).ids, KeyPacker(len(symbols)), n)
    tables = {k: as_table(t) for k, t in tables.items()}
    keys = {k: t[0] for k, t in tables.items()}
    return NgramTable(n, symbols, keys, {k: t[1] for k, t in tables.items()}, totals, pooled=_pooled(symbols, keys[1], totals))


def collect_symbols(
    files: Sequence[str], *, jobs: int | None = None, batch_bytes: int = NGRAM_BATCH_BYTES,
    encoding: str = DEFAULT_ENCODING, errors: str = "strict", progress: bool = False, engine=None,
) -> SymbolTable:
    """The symbol table of a corpus: one parallel pass (see :mod:`wordmine.symbols`)."""
    summary = parallel.map_batches(
        Batches(files, batch_bytes=batch_bytes, encoding=encoding, errors=errors), _batch_units,
        UnitSummary.add, UnitSummary(), jobs=jobs, size=_nbytes, total=input_size(files),
        progress=progress, desc="symbols", ordered=True, engine=engine,
    )
    return summary.table()


def _batch_units(batch: Batch) -> UnitSummary:
    return UnitSummary.of_text(normalize(batch.text))


def _pooled(symbols: SymbolTable, keys1: np.ndarray, totals: dict) -> list[str]:
    """The classes that hold a unit of the corpus: those seen as unigrams."""
    ids = np.asarray(keys1)
    return [c for c in CLASSES if np.isin(symbols.index[c], ids)]


def _spool_stdin(work: str) -> str:
    """Copy stdin to a file: counting reads the corpus twice (symbols, then n-grams)."""
    path = os.path.join(work, "stdin")
    with open(path, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return path


def _nbytes(batch: Batch) -> int:
    return batch.nbytes


_WORKER: dict = {}


def _init_worker(symbols: list[str], n: int, work: str) -> None:
    table = SymbolTable(symbols)
    _WORKER.update(symbols=table, n=n, packer=KeyPacker(len(table)), work=work, done=0)


def _count_batch(batch: Batch) -> tuple[str, dict]:
    """Count one batch into a sorted run on disk: ``(run directory, window totals)``.

    Writing the run here, not sending it back, keeps the parent idle: a batch's tables are
    as large as the batch, and pickling them through a pipe would cost more than the disk.
    """
    w = _WORKER
    tables, totals = _batch_tables(w["symbols"].encode(normalize(batch.text)).ids, w["packer"], w["n"])
    w["done"] += 1
    # A name no other attempt takes, on any host: a batch run again after its worker died
    # writes a run of its own, and only the run of the attempt whose result came back is merged.
    path = os.path.join(w["work"], f"run-{os.getpid()}-{w['done']:06d}-{uuid.uuid4().hex[:8]}")
    write_run(path, tables)
    return path, totals


def _batch_tables(ids: np.ndarray, packer: KeyPacker, n: int) -> tuple[dict, dict]:
    """The sorted rows of every order in an id sequence, as a run holds them, and the window
    totals.

    Only bare uint64 arrays are sorted (numpy's vectorised sort; an argsort, needed to carry
    counts or to order rows of two words, costs ~5x as much): a 1-word key shares its word with
    its count where the bits allow (:class:`~wordmine.runs.Packed`), the keys of order
    ``per_word + 1`` are cut after their first symbol (:class:`~wordmine.runs.Split`).

    >>> tables, totals = _batch_tables(np.array([1, 0, 1, 0], np.uint32), KeyPacker(2), 2)
    >>> [as_table(tables[k])[1].tolist() for k in (1, 2)], totals
    ([[2, 2], [1, 2]], {1: 4, 2: 3})
    """
    valid = ids != NONE
    counts1 = np.bincount(ids[valid], minlength=packer.size).astype(np.uint64)
    present = np.flatnonzero(counts1)
    tables = {1: (present.astype(np.uint64), counts1[present])}
    totals = {1: int(valid.sum())}
    for k, starts, keys in window_keys(ids, packer, n, split=True):
        totals[k] = len(starts)
        if isinstance(keys, tuple):
            tables[k] = Split(*sort_split(*keys), packer.radix, packer.per_word)
        elif keys.ndim == 1:
            limit = packer.limits(k)[0]
            shift = count_bits(limit)
            if limit <= 1 << 32:  # 32-bit words sort 2.4x faster (order 2 of a news corpus)
                keys = keys.astype(np.uint32)
            # No room for a count: each window its own word (most long n-grams occur once).
            tables[k] = Packed(np.sort(keys), 0) if shift == 0 else Packed(pack_counts(*sort_reduce(keys, None), shift), shift)
        else:
            tables[k] = sort_reduce(keys, None)
    return tables, totals
