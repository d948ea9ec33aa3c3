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
from typing import IO, Iterable, Mapping, NamedTuple, Sequence

from . import defaults
from .errors import FormatError
from .files import STDIN, atomic_write, shown
from .formats import format_float, open_table, read_counts

__all__ = ["TREND_TABLE", "Burst", "burst_words", "read_slice_list", "slice_label", "sort_slices", "write_bursts"]

#: Header of a burst table (``wordmine trend``): ``count`` is the word's occurrences in the burst.
TREND_TABLE = ("word", "first", "last", "weight", "count")
#: Header of a ``--slices`` file: one slice per line, in time order.
SLICES_TABLE = ("label", "path")
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
    """A slice's label: its file name without directory and extensions.

    >>> slice_label("counts/2013-07.tsv.gz")
    '2013-07'
    """
    name = os.path.basename(os.fspath(path))
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
