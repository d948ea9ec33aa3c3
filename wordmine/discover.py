"""New-word discovery: keep cohesive n-grams, pre-segment by joining them, count the pieces.

The unsupervised method of bojone/word-discovery ("更好的新词发现算法"), made exact:

It works on units (:mod:`wordmine.corpus`): a character, a Latin word or a number is one unit,
so a discovered word never starts or ends inside a Latin word or a number (``A股``, ``5G`` and
``K线图`` can be words; ``ing`` or ``00`` cannot).

1. Count the n-grams of units of orders 1..n+1 (:func:`wordmine.ngrams.count_ngrams`; the
   extra order only serves the boundary entropies of step 5).
2. Cohesion of an n-gram w: the minimum over its binary splits w = a|b of
   ``ln(total * c(w) / (c(a) * c(b)))``, where ``total`` is the number of units in
   fragments (``totals[1]``), used for every order as the reference does. Keep the n-grams of
   order 2..n seen at least ``min_count`` times whose cohesion reaches ``min_pmi[k - 1]``
   (defaults 0, 0, 4, 6 for orders 1..4; natural log; see :data:`DEFAULT_MIN_PMI`). A Latin
   word or number without a symbol of its own counts as its class (:mod:`wordmine.symbols`):
   ``<NUM>年`` can be kept for all the rarer numbers before 年 at once.
3. Pre-segment every fragment by longest joining: the gap between two neighbouring units
   is closed when some kept n-gram covers both; the pieces are the maximal closed runs. (The
   kept n-grams are matched at every window with the packed keys of the n-gram table: the
   same matches an Aho-Corasick automaton of them would find, as numpy array operations.)
4. Count the pieces in worker processes (:mod:`wordmine.parallel`) by their text (``1999年``
   and ``2001年`` are two words, though both matched ``<NUM>年``), keep those seen at least
   ``min_count`` times, and back-filter: a piece of length 3..n units must itself be a kept
   n-gram, a longer one must have every length-n window kept. Counts are exact: a piece is
   counted once per occurrence, at fragment starts and ends alike, and never spans a fragment
   edge.
5. Describe each word: its count (as a piece), its cohesion (for words longer than n, the
   smallest cohesion of its n-windows; none for single units), the entropies of the units
   seen left and right of it in the corpus (a fragment edge counts as one more outcome; none
   for words longer than the n-gram table's order minus one), and whether jieba's own
   dictionary has it.

``min_count="auto"`` scales with the corpus: one per ``AUTO_CHARS_PER_COUNT`` characters, at
least 2 (see :func:`auto_min_count`).

>>> import random
>>> rng = random.Random(0)
>>> vocab = "我们 今天 发布 新品 芯片 市场 用户 星澜科技 认为 未来 增长 团队".split()
>>> text = "。".join("".join(rng.choice(vocab) for _ in range(rng.randint(2, 6))) for _ in range(300))
>>> words = discover_words_in_text(text, min_count=3, min_pmi=(0, 1, 2, 3))  # a tiny corpus: low PMIs
>>> sorted(w.word for w in words) == sorted(vocab)
True
>>> [(w.word, w.count, w.in_jieba) for w in words if w.word == "星澜科技"]
[('星澜科技', 86, False)]
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from . import parallel
from .corpus import Batch, normalize, read_batches
from .files import DEFAULT_ENCODING, expand_inputs, input_size
from .formats import Word  # the row of a discovered-word table; re-exported here
from .keys import NONE, KeyPacker, find, group_starts, searchable, sort_reduce, window_keys
from .ngrams import DEFAULT_ORDER, NgramTable, count_ngrams, count_ngrams_in_text
from .symbols import SymbolTable

__all__ = [
    "AUTO_CHARS_PER_COUNT",
    "DEFAULT_MIN_PMI",
    "Word",
    "auto_min_count",
    "discover_words",
    "discover_words_in_text",
]

#: Cohesion thresholds for orders 1..4 (natural log): a pair must merely co-occur more often
#: than chance, 3-grams 55 times (e^4), 4-grams 400 times (e^6). Chosen by the benchmark
#: (benchmarks/RESULTS.md, 16 M characters): the reference's (0, 2, 4, 6) gives F1 0.755 / 0.752
#: on PKU / MSR, (0, 0, 4, 6) 0.776 / 0.778. (0, 0, 4, 7) gains 0.004 more there but finds 12
#: fewer of the 82 planted words of the 74k-character sample corpus, where a 4-gram's PMI can
#: hardly exceed ln(total / count) ~ 7.
DEFAULT_MIN_PMI = (0.0, 0.0, 4.0, 6.0)
#: ``min_count="auto"``: one more required occurrence per this many characters of corpus. On
#: 16 M characters the benchmark's F1 peaks at min_count 4 (3..8 within 0.003; 24 loses 0.02,
#: the reference's fixed 32 more), so 4 M characters per count.
AUTO_CHARS_PER_COUNT = 4_000_000


def auto_min_count(total_chars: int) -> int:
    """The ``min_count`` for a corpus of ``total_chars`` fragment characters.

    >>> auto_min_count(100_000), auto_min_count(17_000_000)
    (2, 4)
    """
    return max(2, round(total_chars / AUTO_CHARS_PER_COUNT))


def discover_words(
    inputs: Iterable[str],
    *,
    ngrams: NgramTable | str | None = None,
    n: int = DEFAULT_ORDER,
    min_count: int | str = "auto",
    min_pmi: Sequence[float] = DEFAULT_MIN_PMI,
    jobs: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    errors: str = "strict",
    progress: bool = False,
) -> list[Word]:
    """Discover the words of a corpus (see the module docstring for the method).

    Args:
        inputs: the corpus (files, directories, globs or ``-``).
        ngrams: an n-gram table of the same corpus (object or path), else it is counted here.
        n: the longest n-gram used (the table's order if one is given).
        min_count: fewest occurrences of a kept n-gram and of a word, or ``"auto"``.
        min_pmi: cohesion threshold per order 1..n (the last one repeats for higher orders).
        jobs: worker processes (None: all CPUs).
        encoding, errors: how to decode the inputs.
        progress: progress bars on stderr (only if it is a TTY).

    Returns:
        Words sorted by count descending, then by word.
    """
    files = expand_inputs(inputs)
    if ngrams is None:
        table = count_ngrams(files, n + 1, jobs=jobs, encoding=encoding, errors=errors, progress=progress)
    else:
        table = NgramTable.load(str(ngrams)) if not isinstance(ngrams, NgramTable) else ngrams
        n = min(n, table.n)
    count = auto_min_count(table.totals[1]) if min_count == "auto" else int(min_count)
    kept, cohesion = _cohesive(table, n, count, min_pmi)
    pieces = parallel.run(
        read_batches(files, encoding=encoding, errors=errors), _count_pieces, _Pieces.add, _Pieces(),
        jobs=jobs, initializer=_init_worker, initargs=(table.symbols.symbols, n, kept),
        size=lambda b: b.nbytes, total=input_size(files), progress=progress, desc="pieces",
    )
    return _describe(table, n, pieces, kept, cohesion, count)


def discover_words_in_text(text: str, *, n: int = DEFAULT_ORDER, min_count: int = 2, min_pmi: Sequence[float] = DEFAULT_MIN_PMI) -> list[Word]:
    """:func:`discover_words` on one string, in-process (the workers' own code path).

    >>> text = "我们发现新词。新词发现很有趣。我们喜欢新词。" * 5
    >>> [w.word for w in discover_words_in_text(text, min_count=3, min_pmi=(0, 2, 4, 6))]
    ['新', '词', '发现', '我们']
    """
    table = count_ngrams_in_text(text, n + 1)
    kept, cohesion = _cohesive(table, n, min_count, min_pmi)
    _init_worker(table.symbols.symbols, n, kept)
    pieces = _Pieces().add(_count_pieces(Batch(text, 0)))
    return _describe(table, n, pieces, kept, cohesion, min_count)


def _threshold(min_pmi: Sequence[float], k: int) -> float:
    return float(min_pmi[min(k, len(min_pmi)) - 1])


def _cohesive(table: NgramTable, n: int, min_count: int, min_pmi: Sequence[float]) -> tuple[dict, dict]:
    """Kept keys per order 2..n (sorted) and the cohesion of each kept key."""
    packer = table.packer
    log_total = math.log(max(table.totals[1], 1))
    kept, cohesion = {}, {}
    for k in range(2, n + 1):
        counts = np.asarray(table.counts[k])
        candidates = np.flatnonzero(counts >= min_count)
        keys = np.asarray(table.keys[k])[candidates]
        ids = packer.unpack(keys, k)
        score = np.full(len(keys), np.inf)
        log_w = np.log(counts[candidates].astype(np.float64)) + log_total
        for i in range(1, k):
            a = table.counts_of(i, packer.pack(np.ascontiguousarray(ids[:, :i])))
            b = table.counts_of(k - i, packer.pack(np.ascontiguousarray(ids[:, i:])))
            score = np.minimum(score, log_w - np.log(a.astype(np.float64)) - np.log(b.astype(np.float64)))
        keep = score >= _threshold(min_pmi, k)
        kept[k], cohesion[k] = keys[keep], score[keep]
    return kept, cohesion


# --- worker side: pre-segmentation and piece counts ---------------------------------------------

_WORKER: dict = {}


def _init_worker(symbols: list[str], n: int, kept: dict) -> None:
    table = SymbolTable(symbols)
    _WORKER.update(symbols=table, n=n, packer=KeyPacker(len(table)), kept=kept)


def _count_pieces(batch: Batch) -> tuple[dict, Counter]:
    """Pieces of one batch: ``({length: (sorted keys, counts)}, Counter of other pieces)``.

    Pieces of up to n units of symbols of their own are counted by key; longer ones, and those
    with a class symbol (a rare Latin word or number), by their text.
    """
    w = _WORKER
    packer, n, symbols = w["packer"], w["n"], w["symbols"]
    text = normalize(batch.text)
    encoded = symbols.encode(text)
    ids = encoded.ids
    size = len(ids)
    # cover[g] > 0: the gap between units g and g+1 lies inside a kept n-gram.
    cover = np.zeros(size + 1, dtype=np.int64)
    for k, starts, keys in window_keys(ids, packer, n):
        if not len(w["kept"][k]) or not len(starts):
            continue
        _, hit = find(w["kept"][k], keys)
        hit = starts[hit]
        cover += np.bincount(hit, minlength=size + 1)
        cover -= np.bincount(hit + k - 1, minlength=size + 1)
    joined = np.cumsum(cover[: max(size - 1, 0)]) > 0
    valid = ids != NONE
    open_left = np.ones(size, dtype=bool)
    open_left[1:] = ~joined
    open_right = np.ones(size, dtype=bool)
    open_right[:-1] = ~joined
    first = np.flatnonzero(valid & open_left)
    last = np.flatnonzero(valid & open_right)
    lengths = last - first + 1
    classes = np.cumsum(np.append(0, symbols.classes[np.where(valid, ids, 0)] & valid))
    by_text = (lengths > n) | (classes[last + 1] > classes[first])
    keyed: dict = {}
    for length in np.unique(lengths[~by_text]).tolist():
        at = first[(lengths == length) & ~by_text]
        keyed[length] = sort_reduce(packer.pack(ids[at[:, None] + np.arange(length)]), None)
    starts, ends = encoded.start[first[by_text]].tolist(), encoded.end[last[by_text]].tolist()
    return keyed, Counter(text[a:b] for a, b in zip(starts, ends))


class _Pieces:
    """The parent's side: adds the piece counts of the batches."""

    def __init__(self):
        self.keyed: dict[int, list] = {}
        self.by_text: Counter = Counter()

    def add(self, part: tuple[dict, Counter]) -> "_Pieces":
        keyed, by_text = part
        for length, table in keyed.items():
            self.keyed.setdefault(length, []).append(table)
        self.by_text.update(by_text)
        return self

    def merged(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        parts = self.keyed.get(length, [])
        if not parts:
            return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
        return sort_reduce(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


# --- judging and describing the pieces ----------------------------------------------------------


def _describe(table: NgramTable, n: int, pieces: _Pieces, kept: dict, cohesion: dict, min_count: int) -> list[Word]:
    """The words: pieces seen ``min_count`` times that pass the back-filter, described."""
    from .tokenizer import jieba_words as dictionary

    jieba_words = dictionary()
    packer = table.packer
    groups: dict[int, list] = {}  # length -> [(words, counts, ids (m, length))]
    for length in list(pieces.keyed):
        keys, counts = pieces.merged(length)
        good = counts >= min_count
        keys, counts = keys[good], counts[good]
        if len(keys):
            ids = packer.unpack(keys, length)
            groups.setdefault(length, []).append((table.symbols.strings_of(ids), counts, ids))
    frequent = [(word, count) for word, count in pieces.by_text.items() if count >= min_count]
    if frequent:
        orders, rows = table.encode([word for word, _ in frequent])
        counts = np.array([count for _, count in frequent], dtype=np.uint64)
        words = [word for word, _ in frequent]
        for length, ids in rows.items():
            at = np.flatnonzero(orders == length)
            groups.setdefault(length, []).append(([words[i] for i in at.tolist()], counts[at], ids))
    result: list[Word] = []
    for length in sorted(groups):
        words = [w for part in groups[length] for w in part[0]]
        counts = np.concatenate([part[1] for part in groups[length]])
        ids = np.concatenate([part[2] for part in groups[length]])
        if length == 1:
            coh = np.full(len(words), np.nan)
            keep = np.ones(len(words), dtype=bool)
        elif length <= n:
            pos, found = find(kept[length], packer.pack(ids))
            # back-filter: a piece of length 3..n must be a kept n-gram (length 2: any pair)
            keep = found if length >= 3 else np.ones(len(words), dtype=bool)
            coh = np.where(found, cohesion[length][pos] if len(kept[length]) else np.nan, np.nan)
        else:
            # back-filter: every n-window of a long piece must be kept
            keep = np.ones(len(words), dtype=bool)
            coh = np.full(len(words), np.inf)
            for j in range(length - n + 1):
                pos, found = find(kept[n], packer.pack(np.ascontiguousarray(ids[:, j : j + n])))
                keep &= found
                coh = np.minimum(coh, np.where(found, cohesion[n][pos] if len(kept[n]) else np.inf, np.inf))
        where = np.flatnonzero(keep)
        ids = ids[where]
        left, right = _entropies(table, length, packer.pack(ids)) if length < table.n else (np.full(len(where), np.nan),) * 2
        for i, row in enumerate(where.tolist()):
            word = words[row]
            result.append(Word(word, int(counts[row]), float(coh[row]), float(left[i]), float(right[i]), word in jieba_words))
    result.sort(key=lambda w: (-w.count, w.word))
    return result


def _entropies(table: NgramTable, length: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left and right boundary entropies of the n-grams ``keys`` of order ``length``."""
    nan = np.full(len(keys), np.nan)
    if length + 1 > table.n or not len(keys):
        return nan, nan.copy()
    packer = table.packer
    totals = table.counts_of(length, keys).astype(np.float64)
    ext_keys, ext_counts = table.keys[length + 1], table.counts[length + 1]
    wanted = np.unique(searchable(keys))
    # Start from empty pieces so that an empty extension table concatenates to nothing.
    sides: tuple[list, list] = ([keys[:0]], [keys[:0]])
    counts: tuple[list, list] = ([np.zeros(0)], [np.zeros(0)])
    step = 1 << 20  # extensions are read in slices: the table may be far larger than the words
    for i in range(0, len(ext_counts), step):
        chunk = np.asarray(ext_keys[i : i + step])
        if chunk.ndim == 1:
            # One word: what an extension extends is its key without the first or last digit.
            pair = (chunk % np.uint64(packer.radix**length), chunk // np.uint64(packer.radix))
        else:
            ids = packer.unpack(chunk, length + 1)
            pair = (packer.pack(np.ascontiguousarray(ids[:, 1:])), packer.pack(np.ascontiguousarray(ids[:, :-1])))
        for j, side in enumerate(pair):
            hit = np.isin(searchable(side), wanted)
            sides[j].append(side[hit])
            counts[j].append(np.asarray(ext_counts[i : i + step])[hit].astype(np.float64))
    result = []
    for side, c in zip((np.concatenate(x) for x in sides), (np.concatenate(x) for x in counts)):
        # side = the word each extension extends (left extensions end with it, right ones start).
        order = np.argsort(searchable(side), kind="stable")
        sorted_side = side[order]
        c = c[order]
        starts = group_starts(sorted_side)
        group_keys = sorted_side[starts]
        seen = np.add.reduceat(c, starts) if len(c) else np.zeros(0)
        clogc = np.add.reduceat(c * np.log(c), starts) if len(c) else np.zeros(0)
        pos, found = find(group_keys, keys)
        s_seen = np.where(found, seen[pos] if len(group_keys) else 0, 0.0)
        s_clogc = np.where(found, clogc[pos] if len(group_keys) else 0, 0.0)
        edge = np.maximum(totals - s_seen, 0.0)  # occurrences at a fragment edge: one more outcome
        with np.errstate(divide="ignore", invalid="ignore"):
            edge_term = np.where(edge > 0, edge * np.log(np.where(edge > 0, edge, 1.0)), 0.0)
            h = np.log(totals) - (s_clogc + edge_term) / totals
        result.append(np.where(totals > 0, np.maximum(h, 0.0), np.nan))
    return result[0], result[1]
