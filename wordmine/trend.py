"""Bursts: the words whose share of the text rose for a run of time slices (Kleinberg 2002).

Kleinberg's two-state automaton for batched data, in its binomial form. A word seen ``r_t``
times among the ``d_t`` tokens of slice ``t`` (of ``n`` slices) is emitted either by the base
state, at the word's overall rate ``p0 = R / D`` (all its occurrences over all tokens), or by
the burst state, at ``p1 = s * p0``. Being in state ``i`` at slice ``t`` costs
``-ln(p_i^r_t (1 - p_i)^(d_t - r_t))`` (the binomial coefficient is the same in both states and
left out); entering the burst state costs ``gamma * ln(n)``, leaving it is free, and the
automaton starts in the base state. The cheapest state sequence is found exactly by the
Viterbi algorithm, for all words at once (numpy arrays of words x slices). A burst is a
maximal run of slices in the burst state; its weight is the cost it saves, the sum over its
slices of ``cost(base) - cost(burst)`` (Kleinberg's weight), always above ``gamma * ln(n)``.

Ties between equally cheap sequences go to the sequence that changes state least, and at the
end to the base state: a burst is only declared when it strictly saves cost.

>>> flat = {"新词": 10, "的": 990}
>>> hot = {"新词": 60, "的": 940}
>>> [(b.word, b.first, b.last) for b in burst_words([flat, flat, hot, hot, flat, flat])]
[('新词', '3', '4')]
"""

from __future__ import annotations

import math
import os
from collections import Counter
from typing import IO, Iterable, Mapping, NamedTuple, Sequence

from . import defaults
from .errors import FormatError
from .files import STDIN, atomic_write, shown
from .formats import format_float, open_table, read_counts

__all__ = [
    "SLICE_TOTALS",
    "TREND_TABLE",
    "Burst",
    "Slice",
    "burst_words",
    "count_slices",
    "read_bursts",
    "read_slice_counts",
    "read_slice_list",
    "read_slice_totals",
    "slice_label",
    "sort_slices",
    "write_bursts",
    "write_slice_counts",
    "write_slice_totals",
]

#: Header of a burst table (``wordmine trend``): ``count`` is the word's occurrences in the burst.
TREND_TABLE = ("word", "first", "last", "weight", "count")
#: Header of a ``--slices`` file: one slice per line, in time order.
SLICES_TABLE = ("label", "path")
#: Header of a slice-totals table (``slice_totals.tsv`` of ``wordmine pipeline --slices``).
SLICE_TOTALS = ("label", "input", "files", "lines", "tokens")
# Extensions left out of a slice's label (``2013.tsv.gz`` is 2013).
_EXTENSIONS = (".gz", ".bz2", ".xz", ".tsv", ".txt")


class Burst(NamedTuple):
    """A burst of a word: from slice ``first`` to slice ``last`` (labels, both included)."""

    word: str
    first: str
    last: str
    weight: float
    count: int


def burst_words(
    slices: Sequence[Mapping[str, int] | str],
    *,
    labels: Sequence[str] | None = None,
    s: float = defaults.BURST_S,
    gamma: float = defaults.BURST_GAMMA,
    min_count: int = defaults.TREND_MIN_COUNT,
    words: Iterable[str] | None = None,
    top: int | None = None,
) -> list[Burst]:
    """Kleinberg's bursts of every word over time slices, heaviest first.

    Args:
        slices: word counts per time slice, in time order: mappings, or paths of word-count
            tables. A slice's total is the sum of its table (every word).
        labels: a name per slice (default: ``"1"``, ``"2"``, ...).
        s: the burst state's rate over the base rate (> 1).
        gamma: the cost of entering the burst state, in units of ``ln(number of slices)`` (>= 0).
        min_count: look only at words seen at least this often over all slices.
        words: look only at these words.
        top: keep only the ``top`` heaviest bursts.

    Returns:
        :class:`Burst` rows sorted by weight descending, then word, then first slice.

    Raises:
        ValueError: fewer than two slices, labels that do not match them, or an argument out of
            range. FormatError: a bad table.

    >>> quiet, loud = {"春运": 2, "的": 998}, {"春运": 40, "的": 960}
    >>> [burst] = burst_words([quiet, loud, quiet], labels=["2023", "2024", "2025"])
    >>> burst.word, burst.first, burst.last, round(burst.weight, 3), burst.count
    ('春运', '2024', '2024', 13.329, 40)
    """
    import numpy as np

    if len(slices) < 2:
        raise ValueError(f"bursts need at least 2 time slices, not {len(slices)}")
    labels = [str(i) for i in range(1, len(slices) + 1)] if labels is None else [str(x) for x in labels]
    if len(labels) != len(slices):
        raise ValueError(f"{len(labels)} labels for {len(slices)} slices")
    if not (math.isfinite(s) and s > 1):
        raise ValueError(f"s must be a finite number above 1, not {s}")
    if not (math.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a finite number >= 0, not {gamma}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, not {min_count}")
    if top is not None and top < 0:
        raise ValueError(f"top must be at least 0, not {top}")
    tables = [read_counts(os.fspath(t)) if isinstance(t, (str, os.PathLike)) else t for t in slices]
    names, r = _series(tables, None if words is None else set(words))
    d = np.array([sum(t.values()) for t in tables], dtype=np.float64)
    if len(names):
        keep = r.sum(axis=1) >= min_count
        names, r = [w for w, k in zip(names, keep.tolist()) if k], r[keep]
    if not len(names) or d.sum() == 0:
        return []
    states, gain = _viterbi(r, d, s, gamma * math.log(len(tables)))
    return _bursts(names, labels, states, gain, r, top)


def _series(tables: list[Mapping[str, int]], words: set | None):
    """The union of the tables' words (first seen first) and their counts, words x slices."""
    import itertools

    import numpy as np

    # dict.fromkeys and map() run their loops in C: 15 tables of 200,000 words take 0.3 s.
    union = dict.fromkeys(itertools.chain.from_iterable(tables))
    if words is not None:
        union = dict.fromkeys(w for w in union if w in words)
    index = {w: i for i, w in enumerate(union)}
    r = np.zeros((len(index), len(tables)), dtype=np.float64)
    for t, table in enumerate(tables):
        if words is not None:
            table = {w: c for w, c in table.items() if w in index}
        rows = np.fromiter(map(index.__getitem__, table.keys()), dtype=np.int64, count=len(table))
        r[rows, t] = np.fromiter(table.values(), dtype=np.float64, count=len(table))
    return list(index), r


def _viterbi(r, d, s: float, up: float):
    """The cheapest state sequences (bool, words x slices; True = burst) and the cost each
    slice saves in the burst state (``cost(base) - cost(burst)``), for all words at once."""
    import numpy as np

    p0 = r.sum(axis=1, keepdims=True) / d.sum()
    p1 = np.minimum(s * p0, 1.0)  # a word of over half the text cannot double: p1 = 1 at most
    rest = d - r  # the slice's other tokens
    with np.errstate(divide="ignore", invalid="ignore"):
        cost0 = -(r * np.log(p0) + np.where(rest > 0, rest * np.log1p(-p0), 0.0))
        cost1 = -(r * np.log(p1) + np.where(rest > 0, rest * np.log1p(-p1), 0.0))
    words, n = r.shape
    from_burst = np.zeros((words, n), dtype=bool)  # base state at t reached from the burst state
    from_base = np.zeros((words, n), dtype=bool)  # burst state at t reached from the base state
    v0 = cost0[:, 0].copy()
    v1 = up + cost1[:, 0]
    from_base[:, 0] = True
    for t in range(1, n):
        # Ties keep the state (no change), so a burst needs a strict saving to start or go on.
        from_burst[:, t] = v1 < v0
        from_base[:, t] = v0 + up < v1
        new0 = np.minimum(v0, v1) + cost0[:, t]
        v1 = np.minimum(v0 + up, v1) + cost1[:, t]
        v0 = new0
    states = np.zeros((words, n), dtype=bool)
    state = v1 < v0  # ties end in the base state
    for t in range(n - 1, -1, -1):
        states[:, t] = state
        state = np.where(state, ~from_base[:, t], from_burst[:, t])
    with np.errstate(invalid="ignore"):
        gain = np.where(states, cost0 - cost1, 0.0)
    return states, gain


def _bursts(names: list[str], labels: list[str], states, gain, r, top: int | None) -> list[Burst]:
    """Maximal runs of the burst state as :class:`Burst` rows, sorted."""
    import numpy as np

    words, n = states.shape
    edge = np.zeros((words, n + 2), dtype=np.int8)
    edge[:, 1:-1] = states
    step = np.diff(edge, axis=1)  # +1 where a run starts, -1 just after it ends
    w_start, t_start = np.nonzero(step == 1)
    _w_end, t_stop = np.nonzero(step == -1)  # same order: row by row, left to right
    total_gain = np.zeros((words, n + 1))
    np.cumsum(gain, axis=1, out=total_gain[:, 1:])
    total_count = np.zeros((words, n + 1))
    np.cumsum(np.where(states, r, 0.0), axis=1, out=total_count[:, 1:])
    weight = total_gain[w_start, t_stop] - total_gain[w_start, t_start]
    count = total_count[w_start, t_stop] - total_count[w_start, t_start]
    rows = sorted(
        zip((-weight).tolist(), (names[w] for w in w_start.tolist()), t_start.tolist(), t_stop.tolist(), count.tolist())
    )
    rows = rows[:top] if top is not None else rows
    return [Burst(word, labels[start], labels[stop - 1], -neg, int(round(c))) for neg, word, start, stop, c in rows]


def write_bursts(bursts: Iterable[Burst], output: str | IO[str] = STDIN, *, header: bool = True) -> None:
    """Write a burst table (:data:`TREND_TABLE`), atomically when ``output`` is a path.

    >>> import io
    >>> out = io.StringIO()
    >>> write_bursts([Burst("春运", "2024", "2024", 14.48263, 40)], out)
    >>> out.getvalue().splitlines()
    ['word\\tfirst\\tlast\\tweight\\tcount', '春运\\t2024\\t2024\\t14.4826\\t40']
    """
    if isinstance(output, (str, os.PathLike)):
        with atomic_write(os.fspath(output)) as f:
            write_bursts(bursts, f, header=header)
        return
    if header:
        output.write("\t".join(TREND_TABLE) + "\n")
    output.write("".join(f"{b.word}\t{b.first}\t{b.last}\t{format_float(b.weight)}\t{b.count}\n" for b in bursts))


# --- which table is which slice ----------------------------------------------------------------


def slice_label(path: str) -> str:
    """A slice's label: its file name without directory and extensions (a directory's own name).

    >>> slice_label("counts/2013-07.tsv.gz"), slice_label("news/2014/")
    ('2013-07', '2014')
    """
    name = os.path.basename(os.path.normpath(os.fspath(path)))
    while name.endswith(_EXTENSIONS) and "." in name[1:]:
        name = name[: name.rindex(".")]
    return name


def sort_slices(paths: Iterable[str]) -> list[tuple[str, str]]:
    """``(label, path)`` of count tables in time order: sorted by label (names that sort as
    dates: ``2013.tsv``, ``2013-07.tsv``, ``2013-07-01.tsv``).

    Raises:
        ValueError: two tables have the same label.

    >>> sort_slices(["b/2014.tsv", "a/2013.tsv.gz"])
    [('2013', 'a/2013.tsv.gz'), ('2014', 'b/2014.tsv')]
    """
    pairs = sorted((slice_label(p), p) for p in paths)
    for (label, first), (other, second) in zip(pairs, pairs[1:]):
        if label == other:
            raise ValueError(f"{shown(first)} and {shown(second)} are both slice {label!r}; give each slice its own name (or use --slices)")
    return pairs


def read_slice_list(path: str) -> list[tuple[str, str]]:
    """The slices of a ``--slices`` file: ``label<TAB>path`` lines in time order (a header row
    ``label<TAB>path`` is optional); relative paths are relative to the file's directory.

    Raises:
        FormatError: naming file and line, for a line without two fields or a repeated label.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "slices.tsv").write_text("label\\tpath\\n2013\\ty2013.tsv\\n", encoding="utf-8")
    >>> read_slice_list(str(d / "slices.tsv")) == [("2013", str(d / "y2013.tsv"))]
    True
    """
    base = os.path.dirname(os.path.abspath(path)) if path != STDIN else os.getcwd()
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    try:
        with open_table(path) as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or (lineno == 1 and tuple(line.split("\t")) == SLICES_TABLE):
                    continue
                fields = line.split("\t")
                if len(fields) != 2 or not fields[0] or not fields[1]:
                    raise FormatError(f"{shown(path)}:{lineno}: expected label<TAB>path, found {len(fields)} field(s)")
                label, name = fields
                if label in seen:
                    raise FormatError(f"{shown(path)}:{lineno}: slice {label!r} was already given on line {seen[label]}")
                seen[label] = lineno
                pairs.append((label, os.path.join(base, name)))
    except UnicodeDecodeError as err:
        raise FormatError(f"{shown(path)}: not valid UTF-8 (byte 0x{err.object[err.start]:02x})") from None
    return pairs


# --- a segmented corpus cut into slices (wordmine pipeline --slices) ---------------------------


class Slice(NamedTuple):
    """One time slice of a sliced corpus: its ``label``, the ``input`` it was given as (a file,
    directory or glob), how many corpus ``files`` that is, and the ``lines`` and word ``tokens``
    of its segmented text."""

    label: str
    input: str
    files: int
    lines: int
    tokens: int


def count_slices(segmented: str, runs: Iterable[tuple[int, int]], slices: int) -> list[Counter]:
    """Word counts per time slice of a segmented text whose lines are the slices' lines.

    A segmented text (``wordmine segment``) has one line per corpus line, in corpus order, so a
    corpus whose files belong to time slices cuts it into runs of lines. The words are the
    text's tokens (a discovered word is counted whole, as the segmentation cut it), without the
    tokens that hold no letter or digit (punctuation, as ``wordmine count`` leaves it out).

    Args:
        segmented: the path of a segmented text (tokens separated by spaces; may be compressed).
        runs: ``(slice, lines)`` in text order: the first ``lines`` lines are of slice number
            ``slice`` (from 0), the next run's lines follow, ... (a corpus file per run, say).
        slices: how many slices there are.

    Returns:
        One :class:`collections.Counter` per slice.

    Raises:
        FormatError: the text has more or fewer lines than the runs (it was not made from
            these files), or is not UTF-8 (naming the line).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "segmented.txt")
    >>> _ = p.write_text("星澜科技 发布 新品 。\\n\\n星澜科技 好\\n", encoding="utf-8")
    >>> [dict(c) for c in count_slices(str(p), [(0, 1), (1, 2)], 2)]
    [{'星澜科技': 1, '发布': 1, '新品': 1}, {'星澜科技': 1, '好': 1}]
    """
    from itertools import islice

    from .corpus import is_wordlike
    from .files import read_utf8_lines

    counts = [Counter() for _ in range(slices)]
    lines = read_utf8_lines(segmented)
    expected = seen = 0
    for index, n in runs:
        expected += n
        while n > 0:  # a block of lines at a time: Counter.update counts a list in C
            block = list(islice(lines, min(n, _COUNT_BLOCK)))
            seen += len(block)
            if not block:
                break
            counts[index].update(" ".join(block).split())
            n -= len(block)
    seen += sum(1 for _ in lines)
    if seen != expected:
        raise FormatError(
            f"{shown(segmented)}: {seen:,} lines, but the slices' files have {expected:,}: it was not segmented "
            "from these files (segment them again)"
        )
    for table in counts:
        for word in [w for w in table if not is_wordlike(w)]:
            del table[word]
    return counts


#: Lines counted at once by :func:`count_slices` (about a MB of news text).
_COUNT_BLOCK = 10_000


def write_slice_totals(slices: Iterable[Slice], output: str | IO[str] = STDIN, *, header: bool = True) -> None:
    """Write a slice-totals table (:data:`SLICE_TOTALS`: label, input, files, lines, tokens), one
    row per slice in time order, atomically when ``output`` is a path.

    >>> import io
    >>> out = io.StringIO()
    >>> write_slice_totals([Slice("2013", "news/2013", 2, 40, 812)], out)
    >>> out.getvalue().splitlines()
    ['label\\tinput\\tfiles\\tlines\\ttokens', '2013\\tnews/2013\\t2\\t40\\t812']
    """
    if isinstance(output, (str, os.PathLike)):
        with atomic_write(os.fspath(output)) as f:
            write_slice_totals(slices, f, header=header)
        return
    if header:
        output.write("\t".join(SLICE_TOTALS) + "\n")
    output.write("".join(f"{s.label}\t{s.input}\t{s.files}\t{s.lines}\t{s.tokens}\n" for s in slices))


def read_slice_totals(path: str) -> list[Slice]:
    """Read a slice-totals table (:func:`write_slice_totals`, with or without its header).

    Raises:
        FormatError: naming file and line, for a row without five fields or a count that is
            not a non-negative integer.
    """
    rows = []
    for lineno, fields in _rows(path, SLICE_TOTALS):
        label, source, *numbers = fields
        if not all(x.isdigit() and x.isascii() for x in numbers):
            raise FormatError(f"{shown(path)}:{lineno}: files, lines and tokens must be non-negative integers")
        rows.append(Slice(label, source, *map(int, numbers)))
    return rows


def write_slice_counts(
    words: Iterable[str], counts: Sequence[Mapping[str, int]], labels: Sequence[str], output: str | IO[str] = STDIN,
) -> None:
    """Write the counts of ``words`` in each slice: header ``word`` and the slice labels, then a
    row per word (in the order given) with its count in each slice, atomically to a path.

    >>> import io
    >>> out = io.StringIO()
    >>> write_slice_counts(["星澜科技"], [{"星澜科技": 2}, {}], ["2013", "2014"], out)
    >>> out.getvalue().splitlines()
    ['word\\t2013\\t2014', '星澜科技\\t2\\t0']
    """
    if len(labels) != len(counts):
        raise ValueError(f"{len(labels)} labels for {len(counts)} slices")
    if isinstance(output, (str, os.PathLike)):
        with atomic_write(os.fspath(output)) as f:
            write_slice_counts(words, counts, labels, f)
        return
    output.write("\t".join(("word", *labels)) + "\n")
    output.write("".join(f"{w}\t" + "\t".join(str(c.get(w, 0)) for c in counts) + "\n" for w in words))


def read_slice_counts(path: str) -> tuple[list[str], dict[str, list[int]]]:
    """Read a table of :func:`write_slice_counts`: the slice labels (its header) and each word's
    counts, slice by slice.

    Raises:
        FormatError: naming file and line, for a missing header, a row of another width or a
            count that is not a non-negative integer.
    """
    series: dict[str, list[int]] = {}
    labels: list[str] = []
    try:
        with open_table(path) as f:
            for lineno, line in enumerate(f, 1):
                fields = line.rstrip("\r\n").split("\t")
                if lineno == 1:
                    if fields[0] != "word" or len(fields) < 2:
                        raise FormatError(f"{shown(path)}:1: expected the header word<TAB>label..., found {line.strip()[:60]!r}")
                    labels = fields[1:]
                    continue
                if not line.strip():
                    continue
                if len(fields) != len(labels) + 1 or not all(x.isdigit() and x.isascii() for x in fields[1:]):
                    raise FormatError(f"{shown(path)}:{lineno}: expected a word and {len(labels)} counts (non-negative integers)")
                series[fields[0]] = [int(x) for x in fields[1:]]
    except UnicodeDecodeError as err:
        raise FormatError(f"{shown(path)}: not valid UTF-8 (byte 0x{err.object[err.start]:02x})") from None
    return labels, series


def read_bursts(path: str) -> list[Burst]:
    """Read a burst table (:func:`write_bursts`, with or without its header), in file order.

    Raises:
        FormatError: naming file and line, for a row without five fields, a weight that is not a
            number or a count that is not a non-negative integer.
    """
    bursts = []
    for lineno, (word, first, last, weight, count) in _rows(path, TREND_TABLE):
        try:
            value = float(weight)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not (count.isdigit() and count.isascii()):
            raise FormatError(f"{shown(path)}:{lineno}: weight must be a number and count a non-negative integer")
        bursts.append(Burst(word, first, last, value, int(count)))
    return bursts


def _rows(path: str, header: tuple[str, ...]):
    """``(line number, fields)`` of a TSV table with the columns ``header`` (optional header row)."""
    try:
        with open_table(path) as f:
            for lineno, line in enumerate(f, 1):
                line = line.rstrip("\r\n")
                if not line or (lineno == 1 and tuple(line.split("\t")) == header):
                    continue
                fields = line.split("\t")
                if len(fields) != len(header):
                    raise FormatError(f"{shown(path)}:{lineno}: expected {len(header)} tab-separated fields "
                                      f"({', '.join(header)}), found {len(fields)}")
                yield lineno, fields
    except UnicodeDecodeError as err:
        raise FormatError(f"{shown(path)}: not valid UTF-8 (byte 0x{err.object[err.start]:02x})") from None
