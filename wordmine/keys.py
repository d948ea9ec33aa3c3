"""Sorted integer keys: how n-grams are packed into them, and the look-ups every table shares.

An n-gram of ``k`` symbols (ids ``0..V-1``) is the number whose base-``V`` digits are its ids,
split into 64-bit words of ``c`` digits each, ``c`` the largest with ``V**c <= 2**64``
(:class:`KeyPacker`): orders up to ``c`` are one ``uint64``, longer ones a row of
``ceil(k / c)`` words. Sorting keys sorts n-grams by their symbols.

Tables are sorted, unique keys with a count each. The helpers here are the only code that
sorts, groups, searches or windows keys: :mod:`wordmine.runs`, :mod:`wordmine.ngrams`,
:mod:`wordmine.discover`, :mod:`wordmine.graph` and :mod:`wordmine.cluster` all use them.

>>> packer = KeyPacker(10)
>>> keys = packer.pack(np.array([[1, 2], [0, 7], [1, 2]], np.uint32))
>>> keys.tolist()
[12, 7, 12]
>>> table, counts = sort_reduce(keys, None)
>>> table.tolist(), counts.tolist()
([7, 12], [1, 2])
>>> find(table, np.array([12, 9], np.uint64))
(array([1, 1]), array([ True, False]))
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

__all__ = [
    "NONE",
    "KeyPacker",
    "KeySet",
    "argsort_rows",
    "count_bits",
    "find",
    "units_ahead",
    "group_starts",
    "join_first",
    "lookup",
    "pack_counts",
    "reduce_split",
    "searchable",
    "sort_reduce",
    "sort_split",
    "split_first",
    "unpack_counts",
    "window_keys",
]

#: The id of a position that holds no symbol (a separator between fragments).
NONE = np.uint32(0xFFFFFFFF)


def digits_per_word(radix: int) -> int:
    """The largest c with radix**c <= 2**64 (at most 64).

    >>> digits_per_word(5471), digits_per_word(7132), digits_per_word(65536)
    (5, 4, 4)
    """
    c = 1
    while c < 64 and radix ** (c + 1) <= 1 << 64:
        c += 1
    return c


class KeyPacker:
    """Packs rows of ``k`` symbol ids (alphabet of ``size`` symbols) into sorted-able keys.

    >>> p = KeyPacker(3)
    >>> p.unpack(p.pack(np.array([[2, 0, 1]], np.uint32)), 3).tolist()
    [[2, 0, 1]]
    """

    def __init__(self, size: int):
        self.size = size
        self.radix = max(size, 2)
        self.per_word = digits_per_word(self.radix)

    def width(self, k: int) -> int:
        """64-bit words in a key of order ``k``."""
        return -(-k // self.per_word)

    def chunks(self, k: int) -> list[range]:
        """The digit positions each word of an order-``k`` key holds."""
        c = self.per_word
        return [range(j, min(j + c, k)) for j in range(0, k, c)]

    def pack(self, ids: np.ndarray) -> np.ndarray:
        """Rows of k ids (m, k) -> keys: (m,) uint64 for one word, else (m, width)."""
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
        keys2 = np.asarray(keys).reshape(len(keys), self.width(k))
        out = np.empty((len(keys), k), dtype=np.uint32)
        radix = np.uint64(self.radix)
        for w, chunk in enumerate(self.chunks(k)):
            col = keys2[:, w].copy()
            for j in reversed(chunk):
                out[:, j] = col % radix
                col //= radix
        return out

    def limits(self, k: int) -> list[int]:
        """For each word of an order-``k`` key, one more than its largest valid value."""
        return [self.radix ** len(chunk) for chunk in self.chunks(k)]


def searchable(keys: np.ndarray) -> np.ndarray:
    """A 1-d view of keys that ``np.searchsorted`` and ``==`` order lexicographically.

    >>> searchable(np.array([[1, 2], [1, 3]], np.uint64)).shape
    (2,)
    """
    if keys.ndim == 1:
        return keys
    keys = np.ascontiguousarray(keys)
    dtype = np.dtype([(f"w{j}", "<u8") for j in range(keys.shape[1])])
    return keys.view(dtype).reshape(-1)


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """The index of the first of each run of equal keys in sorted keys (1-d or rows).

    >>> group_starts(np.array([3, 3, 5, 7, 7], np.uint64)).tolist()
    [0, 2, 3]
    """
    m = len(sorted_keys)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.empty(m, dtype=bool)
    new[0] = True
    if sorted_keys.ndim == 1:
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    else:
        np.any(sorted_keys[1:] != sorted_keys[:-1], axis=1, out=new[1:])
    return np.flatnonzero(new)


def argsort_rows(keys: np.ndarray) -> np.ndarray:
    """The order that sorts rows of words lexicographically.

    ``np.lexsort`` is ~5x slower than ``np.argsort`` on uint64 (it needs a stable sort). So sort
    by the first word, number the groups of equal prefixes, and sort ``group * limit + word``
    for each next word, as long as that fits in 64 bits (it does when the next word holds a few
    symbols: the last word of an order-6 key holds one); else fall back to ``np.lexsort``.

    >>> argsort_rows(np.array([[2, 1], [1, 9], [2, 0]], np.uint64)).tolist()
    [1, 2, 0]
    """
    order = np.argsort(keys[:, 0])
    for j in range(1, keys.shape[1]):
        starts = group_starts(keys[order, :j])
        new = np.zeros(len(keys), dtype=np.uint64)
        new[starts] = 1
        groups = np.cumsum(new, dtype=np.uint64) - np.uint64(1)
        limit = int(keys[:, j].max()) + 1
        if int(groups[-1]) >= (1 << 64) // limit:
            return np.lexsort(keys.T[::-1])
        composite = groups * np.uint64(limit) + keys[order, j]
        order = order[np.argsort(composite)]
    return order


def sort_reduce(keys: np.ndarray, counts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Sort keys and add the counts of equal keys (``counts=None``: each key counts 1).

    >>> k, c = sort_reduce(np.array([5, 1, 5], np.uint64), None)
    >>> k.tolist(), c.tolist()
    ([1, 5], [1, 2])
    """
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.uint64)
    if keys.ndim == 1:
        if counts is None:
            keys = np.sort(keys)
        else:
            # Timsort: keys to reduce are mostly sorted runs laid end to end (a merge), which it
            # merges in about half the time of the default introsort on random keys.
            order = np.argsort(keys, kind="stable")
            keys, counts = keys[order], counts[order]
    else:
        order = argsort_rows(keys)
        keys = keys[order]
        if counts is not None:
            counts = counts[order]
    starts = group_starts(keys)
    if counts is None:
        summed = np.diff(np.append(starts, len(keys))).astype(np.uint64)
    else:
        summed = np.add.reduceat(counts, starts).astype(np.uint64, copy=False)
    return keys[starts], summed


def find(sorted_keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each query is in sorted unique keys: ``(position, found)``; a position is only
    meaningful where ``found`` (it is clipped into range, so it can index without checks).

    >>> find(np.array([2, 4], np.uint64), np.array([4, 1, 9], np.uint64))
    (array([1, 0, 1]), array([ True, False, False]))
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(queries), dtype=np.int64), np.zeros(len(queries), dtype=bool)
    s, q = searchable(sorted_keys), searchable(np.asarray(queries))
    pos = np.minimum(np.searchsorted(s, q), len(s) - 1)
    return pos, s[pos] == q


def lookup(sorted_keys: np.ndarray, values: np.ndarray, queries: np.ndarray, missing=0) -> np.ndarray:
    """The value of each query key in a sorted table (``missing`` where absent).

    >>> lookup(np.array([2, 4], np.uint64), np.array([10, 20]), np.array([4, 3], np.uint64)).tolist()
    [20, 0]
    """
    pos, found = find(sorted_keys, queries)
    if len(values) == 0:
        return np.full(len(queries), missing, dtype=np.asarray(values).dtype)
    return np.where(found, np.asarray(values)[pos], missing)


class KeySet:
    """Membership in a set of unique keys, for many queries at once: a hash table.

    ``find`` costs a binary search per query, some twenty random probes into a large array;
    discovery asks whether every window of the corpus is a kept n-gram, and most are. Here a
    query costs one probe on average (about 1.5 with its collisions): linear probing in a
    table of at least twice as many slots as keys (half full at most), the slot being the top
    bits of the key times 2**64 / golden ratio (Fibonacci hashing). On 3 M keys it answers 2 M
    queries in 0.10 s against 1.5 s for ``find`` filtered by a bitmap, and is built in about
    0.15 s. Rows of several words (n-grams longer than one word holds) fall back to ``find``.

    >>> s = KeySet(np.array([3, 7, 1 << 40], np.uint64))
    >>> s.contains(np.array([7, 8, 1 << 40, 0], np.uint64)).tolist()
    [True, False, True, False]
    >>> len(s)
    3
    """

    _GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd

    def __init__(self, keys: np.ndarray):
        self._size = len(keys)
        self._rows = keys if keys.ndim != 1 else None
        if self._rows is not None or not len(keys):
            return
        bits = max(4, int(2 * len(keys) - 1).bit_length())  # 2**bits >= 2 * len(keys)
        self._shift = np.uint64(64 - bits)
        # A value no key has marks an empty slot (keys near 2**64 - 1 are packed n-grams of the
        # last symbols, so look down from there).
        empty = np.uint64(np.iinfo(np.uint64).max)
        while np.any(keys == empty):
            empty -= np.uint64(1)
        self._empty = empty
        # Insert in the order of the home slots: each key goes to its home or just after the
        # key before it, whichever is later (linear probing, all at once). Slots past the end
        # of the table stay past it (the table grows a tail) rather than wrapping around, so a
        # probe only ever moves forward; the tail ends in an empty slot.
        home = self._home(keys)
        steps = np.arange(len(keys))
        if bits <= 32:  # sorting (home << 32 | index) is about 5x faster than argsort(home)
            order = (np.sort((home.astype(np.uint64) << np.uint64(32)) | steps.astype(np.uint64)) & np.uint64(0xFFFFFFFF)).astype(np.intp)
        else:
            order = np.argsort(home, kind="stable")
        at = np.maximum.accumulate(home[order] - steps) + steps
        table = np.full(max(1 << bits, int(at[-1]) + 1) + 1, empty, dtype=np.uint64)
        table[at] = keys[order]
        self._table = table
        self._where = np.full(len(table), -1, dtype=np.intp)  # slot -> position of its key
        self._where[at] = order

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * self._GOLDEN) >> self._shift).astype(np.intp)

    def __len__(self) -> int:
        return self._size

    def contains(self, queries: np.ndarray) -> np.ndarray:
        """Whether each query is one of the keys."""
        return self._probe(np.asarray(queries))[1]

    def index(self, queries: np.ndarray) -> np.ndarray:
        """Where each query is among the keys given (-1 where absent).

        >>> KeySet(np.array([3, 7, 9], np.uint64)).index(np.array([9, 4, 3], np.uint64)).tolist()
        [2, -1, 0]
        """
        queries = np.asarray(queries)
        if self._rows is not None:
            pos, found = find(self._rows, queries)
            return np.where(found, pos, -1)
        if not self._size:
            return np.full(len(queries), -1, dtype=np.intp)
        slot, found = self._probe(queries)
        return np.where(found, self._where[slot], -1)

    def _probe(self, queries: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """``(slot, found)``: the slot each query ended at, and whether it holds the query."""
        if self._rows is not None:
            return None, find(self._rows, queries)[1]
        if not self._size:
            return None, np.zeros(len(queries), dtype=bool)
        table, empty = self._table, self._empty
        slot = self._home(queries)
        seen = table[slot]
        found = seen == queries
        pending = np.flatnonzero(~found & (seen != empty))
        while len(pending):  # the few queries whose slot holds another key: look further on
            slot[pending] += 1
            seen = table[slot[pending]]
            hit = seen == queries[pending]
            found[pending[hit]] = True
            pending = pending[~hit & (seen != empty)]
        return slot, found & (queries != empty)  # the marker is no key, though empty slots hold it


def units_ahead(ids: np.ndarray) -> np.ndarray:
    """For each position, how many symbols of its fragment start there (0 at a separator):
    the longest n-gram that fits at that position.

    >>> units_ahead(np.array([3, 4, NONE, 5], np.uint32)).tolist()
    [2, 1, 0, 1]
    """
    size = len(ids)
    position = np.arange(size, dtype=np.int64)
    nxt = np.where(ids != NONE, size, position)
    return np.minimum.accumulate(nxt[::-1])[::-1] - position if size else position


def window_keys(
    ids: np.ndarray, packer: KeyPacker, n: int, split: bool = False
) -> Iterator[tuple[int, np.ndarray, np.ndarray | tuple[np.ndarray, np.ndarray]]]:
    """For k = 2..n: ``(k, starts, keys)``, the start of every order-k window inside a fragment
    and its packed key.

    With ``split``, the keys of order ``packer.per_word + 1`` come as ``(first symbol, word
    of the others)`` (see :func:`split_first`; the symbols narrowed to 16 bits when they fit,
    for :func:`sort_split`).

    >>> packer = KeyPacker(3)
    >>> [(k, s.tolist(), keys.tolist()) for k, s, keys in window_keys(np.array([0, 1, 2], np.uint32), packer, 3)]
    [(2, [0, 1], [1, 5]), (3, [0], [5])]
    """
    size = len(ids)
    run = units_ahead(ids)
    radix = np.uint64(packer.radix)
    ids64 = ids.astype(np.uint64)
    # The key words of the current order at every position (garbage where a window is invalid);
    # order 1 is one word, the id itself. Each order extends the last word by one digit or
    # starts a new word; a window's first words are those of the shorter windows at its start.
    words = [ids64]
    for k in range(2, n + 1):
        m = max(size - k + 1, 0)
        if len(packer.chunks(k)) > len(words):
            words.append(ids64[k - 1 :].copy())
        else:
            last = words[-1][:m] * radix
            last += ids64[k - 1 :]
            words[-1] = last
        starts = np.flatnonzero(run[:m] >= k)
        if split and k == packer.per_word + 1:
            # The others are the order-per_word window one position on: words[0] at start + 1.
            first = ids[starts].astype(np.uint16 if packer.radix <= 1 << 16 else np.uint32)
            yield k, starts, (first, words[0][starts + 1])
            continue
        cols = [word[starts] for word in words]
        yield k, starts, cols[0] if len(cols) == 1 else np.stack(cols, axis=1)


# --- keys with their counts in one word, and order-(c+1) keys split after their first symbol -----
#
# Sorting a bare uint64 array is what numpy does fastest (a vectorised sort, ~5x faster than
# an argsort of the same keys, which is needed to carry counts along). The two layouts below let
# the hot path of n-gram counting sort bare words only: they are how sorted runs hold keys in
# memory and on disk, never what a table file holds (:mod:`wordmine.runs`).


def count_bits(limit: int) -> int:
    """Bits free below keys ``< limit`` in a 64-bit word: room for a count field.

    >>> count_bits(7131 ** 4), count_bits(7131 ** 5), count_bits(2)
    (12, 0, 63)
    """
    return 64 - max(limit - 1, 1).bit_length()


def pack_counts(keys: np.ndarray, counts: np.ndarray, shift: int) -> np.ndarray:
    """Sorted unique 1-d keys and their counts as one sorted array of ``key << shift | count``.

    A count too large for its ``shift`` bits is spread over several words of the same key
    (their fields add up to it); ``shift == 0`` repeats each key ``count`` times (a word counts
    one). :func:`unpack_counts` adds them up again.

    >>> pack_counts(np.array([2, 5], np.uint64), np.array([1, 4], np.uint64), 2).tolist()
    [9, 21, 23]
    >>> pack_counts(np.array([2, 5], np.uint64), np.array([1, 2], np.uint64), 0).tolist()
    [2, 5, 5]
    """
    keys = np.asarray(keys, dtype=np.uint64)
    counts = np.asarray(counts, dtype=np.uint64)
    if shift == 0:
        return np.repeat(keys, counts.astype(np.int64))
    cap = np.uint64((1 << shift) - 1)
    if not len(counts) or counts.max() <= cap:
        return (keys << np.uint64(shift)) | counts
    words = (counts + cap - np.uint64(1)) // cap
    fields = np.full(int(words.sum()), cap, dtype=np.uint64)
    last = np.cumsum(words) - 1
    fields[last] = counts - cap * (words - np.uint64(1))
    # The last field is the smallest of its key's: sort to put it first.
    return np.sort((np.repeat(keys, words.astype(np.int64)) << np.uint64(shift)) | fields)


def unpack_counts(packed: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``key << shift | count`` words -> sorted unique keys and their summed counts.

    >>> k, c = unpack_counts(np.array([9, 21, 23], np.uint64), 2)
    >>> k.tolist(), c.tolist()
    ([2, 5], [1, 4])
    """
    packed = np.asarray(packed, dtype=np.uint64)
    if shift == 0:
        starts = group_starts(packed)
        return packed[starts], np.diff(np.append(starts, len(packed))).astype(np.uint64)
    keys = packed >> np.uint64(shift)
    starts = group_starts(keys)
    if len(starts) == len(keys):  # no key spread over several words
        return keys, packed & np.uint64((1 << shift) - 1)
    return keys[starts], np.add.reduceat(packed & np.uint64((1 << shift) - 1), starts)


def split_first(keys: np.ndarray, radix: int, per_word: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys of order ``per_word + 1`` as tables hold them (a word of the first ``per_word``
    symbols, a word of the last) -> ``(first symbol, word of the other per_word)``: the same
    digits cut elsewhere, so the pairs sort as the keys do.

    >>> split_first(np.array([[12, 3]], np.uint64), 10, 2)
    (array([1], dtype=uint64), array([23], dtype=uint64))
    """
    keys = np.asarray(keys, dtype=np.uint64).reshape(-1, 2)
    high = np.uint64(radix ** (per_word - 1))
    first = keys[:, 0] // high
    return first, (keys[:, 0] - first * high) * np.uint64(radix) + keys[:, 1]


def join_first(first: np.ndarray, rest: np.ndarray, radix: int, per_word: int) -> np.ndarray:
    """The inverse of :func:`split_first`: rows of two words, as tables hold them.

    >>> join_first(np.array([1], np.uint64), np.array([23], np.uint64), 10, 2).tolist()
    [[12, 3]]
    """
    rest = np.asarray(rest, dtype=np.uint64)
    out = np.empty((len(rest), 2), dtype=np.uint64)
    last = rest // np.uint64(radix)
    out[:, 1] = rest - last * np.uint64(radix)
    out[:, 0] = np.asarray(first, dtype=np.uint64) * np.uint64(radix ** (per_word - 1)) + last
    return out


def sort_split(first: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort pairs ``(first, rest)`` lexicographically with bare sorts only: a stable sort of
    the small first symbols (a radix sort when they fit 16 bits), then each run of one first
    symbol sorted on its own (there are at most as many runs as symbols).

    >>> f, r = sort_split(np.array([2, 1, 2], np.uint16), np.array([5, 9, 4], np.uint64))
    >>> f.tolist(), r.tolist()
    ([1, 2, 2], [9, 4, 5])
    """
    order = np.argsort(first, kind="stable")
    first, rest = first[order], rest[order]
    bounds = np.flatnonzero(first[1:] != first[:-1]) + 1
    starts = np.append(0, bounds).tolist()
    stops = np.append(bounds, len(first)).tolist()
    for a, b in zip(starts, stops):
        if b - a > 1:
            rest[a:b].sort()
    return first, rest


def reduce_split(first: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted pairs (each counting one) -> the distinct pairs and how often each occurs.

    >>> [a.tolist() for a in reduce_split(np.array([1, 2, 2], np.uint16), np.array([9, 4, 4], np.uint64))]
    [[1, 2], [9, 4], [1, 2]]
    """
    m = len(rest)
    if m == 0:
        return first, rest, np.zeros(0, dtype=np.uint64)
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(rest[1:], rest[:-1], out=new[1:])
    new[1:] |= first[1:] != first[:-1]
    starts = np.flatnonzero(new)
    return first[starts], rest[starts], np.diff(np.append(starts, m)).astype(np.uint64)
