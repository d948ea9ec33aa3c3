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
    "argsort_rows",
    "find",
    "units_ahead",
    "group_starts",
    "lookup",
    "searchable",
    "sort_reduce",
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
            order = np.argsort(keys)
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


def window_keys(ids: np.ndarray, packer: KeyPacker, n: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For k = 2..n: ``(k, starts, keys)``, the start of every order-k window inside a fragment
    and its packed key.

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
        cols = [word[starts] for word in words]
        yield k, starts, cols[0] if len(cols) == 1 else np.stack(cols, axis=1)
