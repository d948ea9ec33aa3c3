"""Keyness: which words one corpus (FOCUS) uses more than another (REFERENCE), and by how much.

For a word seen ``a`` times in FOCUS (``c`` tokens in all) and ``b`` times in REFERENCE (``d``
tokens), three standard measures of corpus linguistics are computed, for every word at once:

* **signed log-likelihood G²** (Dunning 1993), in the two-term form of the Lancaster
  log-likelihood calculator (Rayson & Garside 2000; ucrel.lancs.ac.uk/llwizard.html):
  ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)``, ``G² = 2(a ln(a/E1) + b ln(b/E2))`` with
  ``0 ln 0 = 0``; its sign is + when the word is relatively more frequent in FOCUS
  (``a/c > b/d``), - when less. The calculator's worked example, a word seen 52 times in
  50,000 words and 57 times in 75,000, gives +2.65.
* **Log Ratio** (Hardie 2014): ``log2((a/c) / (b/d))``, the binary log of the ratio of
  relative frequencies (1 = twice as frequent). A zero count is replaced by 0.5 before the
  ratio is taken, as Hardie and the Lancaster calculator do, so a word absent from one corpus
  gets a finite value (large, as it should be) instead of an infinite one.
* **simple maths** (Kilgarriff 2009): ``(fpm_focus + N) / (fpm_ref + N)`` with frequencies per
  million words and a smoothing constant ``N`` (default 1; a larger N favours commoner words).

Totals ``c`` and ``d`` are the sums of the whole tables, before any word is filtered out.

A keyword list keeps, by default, the words over-used in FOCUS with G² ≥ 15.13 (p < 0.0001) and
at least 5 occurrences there; ``negative=True`` adds the under-used ones (G² ≤ -15.13, at least
5 occurrences in REFERENCE), listed after the others as WordSmith and AntConc do; ``emerging``
keeps only words seen at most ``max_reference`` times in REFERENCE.

>>> rows = compare_counts({"新词": 52, "其他": 49948}, {"新词": 57, "其他": 74943}, min_g2=0)
>>> [(r.word, round(r.g2, 2), round(r.log_ratio, 4)) for r in rows]
[('新词', 2.65, 0.4525)]
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections import Counter
from typing import IO, Iterable, Mapping, NamedTuple

from . import defaults
from .count import count_words
from .errors import FormatError, WordmineError
from .files import DEFAULT_ENCODING, STDIN, atomic_write, open_text, shown, temporary_workspace
from .formats import format_float, read_counts, read_userdict, read_word_list, table_kind, table_kind_of_file

__all__ = [
    "COMPARE_TABLE",
    "KEYNESS_SORTS",
    "Keyword",
    "compare_counts",
    "load_counts",
    "write_keywords",
]

log = logging.getLogger(__name__)

#: Header of a keyword table (``wordmine compare``); ``_pm`` columns are per million words.
COMPARE_TABLE = ("word", "focus_count", "reference_count", "focus_pm", "reference_pm", "g2", "log_ratio", "simple_maths")
#: The measures a keyword list can be sorted by (descending), then by word.
KEYNESS_SORTS = defaults.KEYNESS_SORTS
#: Log Ratio's stand-in for a zero count (Hardie 2014; the Lancaster calculator does the same).
ZERO_COUNT = 0.5
#: Frequencies are given per million words, as corpus linguists quote them.
PER_MILLION = 1e6

# A headerless row of a word-count table: a corpus line would hardly look like this.
_COUNT_ROW = re.compile(r"[^\s]+\t\d+")
_WORD_COUNTS_KIND = table_kind("word\tcount")


class Keyword(NamedTuple):
    """A row of a keyword table (:data:`COMPARE_TABLE`)."""

    word: str
    focus_count: int
    reference_count: int
    focus_pm: float
    reference_pm: float
    g2: float
    log_ratio: float
    simple_maths: float


def compare_counts(
    focus: Mapping[str, int] | str,
    reference: Mapping[str, int] | str,
    *,
    words: Iterable[str] | str | None = None,
    min_count: int = defaults.COMPARE_MIN_COUNT,
    min_g2: float = defaults.MIN_G2,
    smoothing: float = defaults.SMOOTHING,
    negative: bool = False,
    emerging: bool = False,
    max_reference: int = defaults.MAX_REFERENCE,
    sort: str = defaults.COMPARE_SORT,
    top: int | None = None,
) -> list[Keyword]:
    """The keywords of ``focus`` against ``reference``: G², Log Ratio and simple maths per word.

    Args:
        focus, reference: word counts: mappings, or paths of word-count tables (``wordmine
            count``/``merge`` output; corpora are counted by :func:`load_counts`).
        words: keep only these words (an iterable, or a word-list file: see
            :func:`wordmine.formats.read_word_list`); the totals still count every word.
        min_count: fewest occurrences in the corpus that over-uses the word (FOCUS for a
            positive keyword, REFERENCE for a negative one).
        min_g2: least G² (taken as |G²| for negative keywords); 0 keeps every word that
            leans the right way.
        smoothing: simple maths' N, added to both frequencies per million (> 0).
        negative: also keep the words under-used in FOCUS (negative G²), listed after the
            positive ones.
        emerging: keep only words seen at most ``max_reference`` times in REFERENCE.
        max_reference: see ``emerging``.
        sort: a measure of :data:`KEYNESS_SORTS`, descending; ties by word (code points).
        top: keep only the first ``top`` rows.

    Returns:
        :class:`Keyword` rows, sorted. Empty (with a warning) when either table has no words.

    Raises:
        ValueError: an argument out of range. FormatError: a bad table or word list.

    >>> rows = compare_counts({"新词": 30, "的": 70}, {"新词": 1, "的": 99}, min_g2=10, min_count=2)
    >>> rows[0].word, rows[0].focus_count, rows[0].reference_count, round(rows[0].g2, 3)
    ('新词', 30, 1, 34.14)
    """
    import numpy as np

    _check_arguments(min_count, min_g2, smoothing, max_reference, sort, top)
    focus = _counts(focus)
    reference = _counts(reference)
    c, d = sum(focus.values()), sum(reference.values())
    if c == 0 or d == 0:
        log.warning("%s has no words: there is nothing to compare", "FOCUS" if c == 0 else "REFERENCE")
        return []
    vocabulary = dict.fromkeys(focus)
    vocabulary.update(dict.fromkeys(reference))
    if words is not None:
        keep = set(read_word_list(words) if isinstance(words, (str, os.PathLike)) else words)
        vocabulary = {w: None for w in vocabulary if w in keep}
    names = list(vocabulary)
    a = np.fromiter((focus.get(w, 0) for w in names), dtype=np.float64, count=len(names))
    b = np.fromiter((reference.get(w, 0) for w in names), dtype=np.float64, count=len(names))
    g2, log_ratio, simple_maths = keyness(a, b, c, d, smoothing=smoothing)
    positive = g2 >= 0
    keep = np.where(positive, g2 >= min_g2, negative & (-g2 >= min_g2))
    keep &= np.where(positive, a, b) >= min_count
    if emerging:
        keep &= b <= max_reference
    index = np.flatnonzero(keep)
    measure = {"g2": g2, "log_ratio": log_ratio, "simple_maths": simple_maths, "focus_count": a}[sort][index]
    # Positive keywords first, then negative ones (as WordSmith lists them), each by the
    # measure descending; ties by word: sort by word first, then stably by the measure.
    by_word = sorted(range(len(index)), key=lambda i: names[index[i]])
    by_word = np.asarray(by_word, dtype=np.int64)
    order = by_word[np.lexsort((-measure[by_word], ~positive[index][by_word]))]
    index = index[order[:top] if top is not None else order]
    fpm_a, fpm_b = a * (PER_MILLION / c), b * (PER_MILLION / d)
    return [
        Keyword(names[i], int(a[i]), int(b[i]), float(fpm_a[i]), float(fpm_b[i]), float(g2[i]), float(log_ratio[i]), float(simple_maths[i]))
        for i in index.tolist()
    ]


def keyness(a, b, c: float, d: float, *, smoothing: float = defaults.SMOOTHING):
    """Signed G², Log Ratio and simple maths of counts ``a`` (of ``c`` tokens) against ``b``
    (of ``d``), element-wise on numpy arrays (see the module docstring for the formulas).

    >>> import numpy as np
    >>> g2, lr, sm = keyness(np.array([52.0, 0.0]), np.array([57.0, 5.0]), 50000, 75000)
    >>> [[round(float(x), 4) for x in measure] for measure in (g2, lr, sm)]
    [[2.6517, -5.1083], [0.4525, -2.737], [1.3679, 0.0148]]
    """
    import numpy as np

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    share = (a + b) / (c + d)
    e1, e2 = c * share, d * share
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 ln 0 = 0: a word absent from one corpus adds nothing from that corpus' cell.
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    # Rounding can leave a tiny negative sum for equal relative frequencies; G² is >= 0.
    g2 = np.maximum(2.0 * (t1 + t2), 0.0)
    g2 = np.where(a * d >= b * c, g2, -g2)  # a/c >= b/d, without dividing
    log_ratio = np.log2((np.where(a > 0, a, ZERO_COUNT) / c) / (np.where(b > 0, b, ZERO_COUNT) / d))
    simple_maths = (a * (PER_MILLION / c) + smoothing) / (b * (PER_MILLION / d) + smoothing)
    return g2, log_ratio, simple_maths


def _check_arguments(min_count, min_g2, smoothing, max_reference, sort, top) -> None:
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, not {min_count}")
    if not (math.isfinite(min_g2) and min_g2 >= 0):
        raise ValueError(f"min_g2 must be a finite number >= 0, not {min_g2}")
    if not (math.isfinite(smoothing) and smoothing > 0):
        raise ValueError(f"smoothing must be a finite number > 0, not {smoothing}")
    if max_reference < 0:
        raise ValueError(f"max_reference must be at least 0, not {max_reference}")
    if sort not in KEYNESS_SORTS:
        raise ValueError(f"sort must be one of {', '.join(KEYNESS_SORTS)}, not {sort!r}")
    if top is not None and top < 0:
        raise ValueError(f"top must be at least 0, not {top}")


def _counts(table: Mapping[str, int] | str) -> Mapping[str, int]:
    if isinstance(table, (str, os.PathLike)):
        return read_counts(os.fspath(table))
    return table


def write_keywords(rows: Iterable[Keyword], output: str | IO[str] = STDIN, *, header: bool = True) -> None:
    """Write a keyword table (:data:`COMPARE_TABLE`), atomically when ``output`` is a path.

    >>> import io
    >>> out = io.StringIO()
    >>> write_keywords(compare_counts({"新词": 30, "的": 70}, {"新词": 1, "的": 99}, min_count=2), out)
    >>> out.getvalue().splitlines()[1].split("\\t")
    ['新词', '30', '1', '300000', '10000', '34.1398', '4.90689', '29.9971']
    """
    if isinstance(output, (str, os.PathLike)):
        with atomic_write(os.fspath(output)) as f:
            write_keywords(rows, f, header=header)
        return
    if header:
        output.write("\t".join(COMPARE_TABLE) + "\n")
    f = format_float
    output.write("".join(
        f"{r.word}\t{r.focus_count}\t{r.reference_count}\t{f(r.focus_pm)}\t{f(r.reference_pm)}\t{f(r.g2)}\t{f(r.log_ratio)}\t{f(r.simple_maths)}\n"
        for r in rows
    ))


# --- inputs: a count table as it is, or a corpus counted on the fly ---------------------------


def load_counts(
    source: str,
    *,
    words: Iterable[str] | str | None = None,
    jobs: int | None = None,
    hmm: bool = defaults.COUNT_HMM,
    userdict: str | None = None,
    keep_punct: bool = False,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    progress: bool = False,
) -> Counter:
    """The word counts of ``source``: a word-count table read as it is, or a corpus counted.

    A file whose first line is the header ``word<TAB>count`` is a table (``wordmine count`` or
    ``merge`` output, compressed or not); anything else (text files, directories, globs) is a
    corpus, counted with :func:`wordmine.count_words` and the options given. ``-`` (stdin) is
    copied to a temporary file first, to tell which it is.

    Args:
        words: a vocabulary (iterable or word-list file) to add to jieba when counting a corpus,
            so that jieba keeps these words whole (each gets jieba's suggested frequency, as
            ``jieba.add_word`` gives a word without one). Discovered words that jieba's own
            dictionary would split are counted this way. A table's counts are taken as they
            are: count its corpus with ``wordmine count --userdict`` for the same effect.
        jobs, hmm, userdict, keep_punct, encoding, errors, progress: as for
            :func:`wordmine.count_words`.

    Raises:
        FormatError: the file is another kind of wordmine table, or a word-count table
            without its header row. InputError: a corpus cannot be read.

    >>> load_counts("/nonexistent/corpus.txt")
    Traceback (most recent call last):
    ...
    wordmine.errors.InputError: /nonexistent/corpus.txt: no such file or directory
    """
    work = remove = None
    try:
        if source == STDIN:
            work, remove = temporary_workspace("wordmine-compare-")
            source = _spool_stdin(work)
        if _is_count_table(source):
            return read_counts(source)
        entries = read_userdict(userdict) if userdict else []
        if words is not None:
            vocabulary = read_word_list(words) if isinstance(words, (str, os.PathLike)) else list(words)
            entries += [(w, None, None) for w in vocabulary]
        if words is not None and entries:
            if work is None:
                work, remove = temporary_workspace("wordmine-compare-")
            userdict = os.path.join(work, "userdict.txt")
            with open(userdict, "w", encoding="utf-8") as f:
                f.write("".join(" ".join(str(x) for x in entry if x is not None) + "\n" for entry in entries))
        return count_words(
            [source], jobs=jobs, hmm=hmm, userdict=userdict, keep_punct=keep_punct, encoding=encoding,
            errors=errors, progress=progress,
        )
    finally:
        if remove is not None:
            remove()


def _spool_stdin(work: str) -> str:
    import shutil
    import sys

    path = os.path.join(work, "stdin")
    with open(path, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)  # 1 MiB reads: few calls, little memory
    return path


def _is_count_table(path: str) -> bool:
    """True for a word-count table (header row), False for a corpus; FormatError for another
    wordmine table or a headerless count table (counted as text, it would give nonsense)."""
    if not os.path.isfile(path):
        return False  # a directory or a glob: a corpus (expand_inputs names what is missing)
    if table_kind_of_file(path) == "ngrams":
        raise FormatError(f"{shown(path)}: this is an n-gram table (wordmine ngrams); give a word-count table or a corpus")
    try:
        with open_text(path) as f:
            # A header is short; 4096 characters never read more than a block of a corpus.
            first = f.readline(4096).rstrip("\r\n")
    except (UnicodeDecodeError, WordmineError):
        return False  # not UTF-8 (or unreadable): a corpus in another encoding; counting names problems
    kind = table_kind(first)
    if kind == _WORD_COUNTS_KIND:
        return True
    if kind is not None or first.startswith("word\t"):
        raise FormatError(f"{shown(path)}:1: this is {kind or 'a wordmine table'}, not a word-count table or a corpus")
    if _COUNT_ROW.fullmatch(first):
        raise FormatError(
            f"{shown(path)}:1: looks like a word-count table without its header row; "
            "add the header (word<TAB>count) or write the table without --no-header"
        )
    return False
