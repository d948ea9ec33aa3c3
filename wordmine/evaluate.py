"""Word-segmentation scores of the SIGHAN bakeoffs: precision, recall, F1, OOV and IV recall.

A predicted segmentation is compared with a gold one of the same text. Each word is a span
``(start, end)`` of character offsets in the whole text once whitespace (line ends included)
is removed; a predicted word is *correct* when the gold text has a word with the same span.
Then

- precision = correct / predicted words, recall = correct / gold words, F1 = 2PR / (P + R);
- with a training vocabulary (the bakeoff's ``*_training_words.utf8``), a gold word is
  out-of-vocabulary (OOV) when it is not in it: OOV rate = OOV gold words / gold words, OOV
  recall = correct OOV gold words / OOV gold words, and IV recall the same for the others.

These are the measures of the bakeoffs (Sproat and Emerson, *The First International Chinese
Word Segmentation Bakeoff*, SIGHAN 2003; Emerson, *The Second ...*, SIGHAN 2005) as computed by
their official Perl scorer ``score``; its ratios and this module's differ by less than 0.0005
on the SIGHAN 2005 PKU and MSR test sets (the tests check it when ``../shared`` holds them).

>>> s = score_lines(["新词  发现  很  有趣"], ["新词发现 很 有趣"], training_words={"新词", "很"})
>>> s.gold_words, s.pred_words, s.correct, s.oov_words, s.oov_correct
(4, 3, 2, 2, 1)
>>> print(s.to_tsv(), end="")  # doctest: +NORMALIZE_WHITESPACE
metric      value
gold_words  4
pred_words  3
correct     2
precision   0.667
recall      0.500
f1          0.571
oov_words   2
oov_correct 1
oov_rate    0.500
oov_recall  0.500
iv_words    2
iv_correct  1
iv_recall   0.500

How this module and the Perl scorer differ. The scorer aligns each line's two word lists with
``diff -y`` and counts the words that ``diff`` leaves unchanged, which is not quite span matching:

- ``diff`` matches equal *strings*, not equal spans, so it can credit a word found at another
  place in the line: gold ``ab a b`` against ``a b ab`` scores 2 correct words with ``diff``
  (``a`` and ``b``, at other offsets) and 0 here. Span-matched words form a common subsequence
  of the two word lists, so a longest common subsequence is at least as long; the excess needs
  a word repeated within a line where the two segmentations disagree.
- GNU ``diff`` without ``--minimal`` (as the scorer calls it) does not always find a longest
  common subsequence: it sets aside lines that occur often (``、``, ``的``) inside a changed
  stretch, so a list like ``四川油建 、 大庆油建 、 …`` segmented differently loses its correct
  ``、`` words too.
- A correct word that is a lone ASCII ``|``, ``<`` or ``>`` looks like a change marker of
  ``diff -y``: the scorer counts it as missed (in recall, not in precision).
- The scorer decides OOV by the gold word as printed in ``diff -y``'s left column, cut at 61
  columns: a longer word (31 CJK characters with GNU diff 3.8) always counts as OOV.
- The scorer splits words on ASCII whitespace, U+3000 and the Big5 bytes ``A1 40``, byte-wise
  (so those two bytes inside other UTF-8 characters also split); here words are split on any
  Unicode whitespace (``str.split()``), U+3000 included.
- The scorer reads a byte-order mark as part of the first word; here it is dropped.
- The scorer skips a line whose gold side is blank whatever the prediction holds, stops at the
  end of the shorter file, and dies dividing by zero on a blank predicted line. Here each
  predicted line must hold the same characters as its gold line (whitespace aside), and both
  files the same lines, or :class:`~wordmine.errors.FormatError` says where they part.

Measured on the SIGHAN 2005 test sets with jieba's segmentation (with and without its HMM), the
first two points move the count of correct words by at most 17 of about 107,000; of the 24
rounded ratios (P, R, F, OOV rate, OOV and IV recall) 23 are the same and one differs in the
third decimal: MSR recall without HMM, 0.834 here (89,086 correct) and 0.833 from the scorer
(89,069; 0.834 too, 89,087, when its ``diff`` is given ``--minimal``).

The last point matters for the official MSR data: on 16 lines of ``msr_test_gold.utf8`` an
opening quote ``“`` sits at the end of the previous line, unlike in ``msr_test.utf8``, so a
segmentation of ``msr_test.utf8`` is refused at line 442. Segment the gold file's own text (its
lines with whitespace removed) instead; the scorer's ``diff`` lets the moved quotes through,
each as one missed and one extra word.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Collection, Iterable, Iterator

from .errors import FormatError
from .files import STDIN, read_utf8_lines

__all__ = [
    "REPORT_DIGITS",
    "Scores",
    "evaluate_segmentation",
    "read_training_words",
    "score_lines",
]

#: Decimals of the ratios in :meth:`Scores.to_tsv`: the official scorer prints ``%2.3f``.
REPORT_DIGITS = 3
# Shown instead of a ratio whose denominator is zero; the official scorer prints "--" too.
_UNDEFINED = "--"
# Characters of context shown on each side of the first difference in an error message.
_EXCERPT = 8


@dataclasses.dataclass(frozen=True)
class Scores:
    """Counts of a segmentation compared with the gold one, and the ratios made of them.

    The ratios are properties computed from the counts. A ratio whose denominator is zero is
    None: precision and recall of empty files, and every OOV and IV ratio when no training
    vocabulary was given (then ``oov_words`` and ``iv_words`` are both 0). With an empty
    vocabulary every gold word is OOV, as in the official scorer.

    >>> s = Scores(gold_words=4, pred_words=3, correct=2)
    >>> round(s.f1, 4), s.oov_rate
    (0.5714, None)
    """

    gold_words: int
    pred_words: int
    #: Predicted words whose span is a gold word's span.
    correct: int
    #: Gold words not in the training vocabulary, and how many of them are correct.
    oov_words: int = 0
    oov_correct: int = 0
    #: Gold words in the training vocabulary, and how many of them are correct.
    iv_words: int = 0
    iv_correct: int = 0

    @property
    def precision(self) -> float | None:
        """Correct words / predicted words."""
        return _ratio(self.correct, self.pred_words)

    @property
    def recall(self) -> float | None:
        """Correct words / gold words."""
        return _ratio(self.correct, self.gold_words)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def oov_rate(self) -> float | None:
        """OOV gold words / gold words; None without a training vocabulary."""
        return _ratio(self.oov_words, self.oov_words + self.iv_words)

    @property
    def oov_recall(self) -> float | None:
        """Correct OOV gold words / OOV gold words."""
        return _ratio(self.oov_correct, self.oov_words)

    @property
    def iv_recall(self) -> float | None:
        """Correct in-vocabulary gold words / in-vocabulary gold words."""
        return _ratio(self.iv_correct, self.iv_words)

    def rows(self) -> list[tuple[str, int | float | None]]:
        """``(metric, value)`` pairs in report order: counts are ints, ratios floats or None.

        >>> Scores(gold_words=2, pred_words=2, correct=2).rows()[3]
        ('precision', 1.0)
        """
        names = (
            "gold_words pred_words correct precision recall f1 "
            "oov_words oov_correct oov_rate oov_recall iv_words iv_correct iv_recall"
        ).split()
        return [(name, getattr(self, name)) for name in names]

    def to_tsv(self, *, header: bool = True, digits: int = REPORT_DIGITS) -> str:
        """A ``metric<TAB>value`` report, one metric per line, ending with a line end.

        Counts are printed as integers, ratios with ``digits`` decimals (``format(x, ".3f")``
        by default, as the official scorer), undefined ratios as ``--``.

        Args:
            header: start with the row ``metric<TAB>value``.
            digits: decimals of the ratios.

        >>> report = Scores(gold_words=2, pred_words=1, correct=1).to_tsv(header=False)
        >>> print(report, end="")  # doctest: +NORMALIZE_WHITESPACE
        gold_words  2
        pred_words  1
        correct     1
        precision   1.000
        recall      0.500
        f1          0.667
        oov_words   0
        oov_correct 0
        oov_rate    --
        oov_recall  --
        iv_words    0
        iv_correct  0
        iv_recall   --
        """
        lines = ["metric\tvalue"] if header else []
        for name, value in self.rows():
            if value is None:
                shown = _UNDEFINED
            elif isinstance(value, float):
                shown = format(value, f".{digits}f")
            else:
                shown = str(value)
            lines.append(f"{name}\t{shown}")
        return "\n".join(lines) + "\n"


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def score_lines(
    gold_lines: Iterable[str],
    pred_lines: Iterable[str],
    training_words: Collection[str] | None = None,
    *,
    gold_name: str = "gold",
    pred_name: str = "prediction",
) -> Scores:
    """Score a predicted segmentation against a gold one of the same text.

    Line ends are whitespace like any other: the two texts are compared as streams of words,
    each word a span of character offsets in the whole text once whitespace is removed. So a
    prediction needs the gold text's characters in the same order, but not its line breaks (the
    official MSR gold moves an opening quote to the end of the previous line on 16 lines; the
    Perl scorer's ``diff`` alignment shrugs that off too).

    Args:
        gold_lines: the gold segmentation, words separated by any whitespace.
        pred_lines: the predicted segmentation of the same text.
        training_words: the training vocabulary for OOV and IV recall; None for none.
        gold_name: how error messages name the gold lines (a file name).
        pred_name: how error messages name the predicted lines.

    Returns:
        The counts; the ratios are properties of :class:`Scores`.

    Raises:
        FormatError: naming ``pred_name`` and the line where the predicted characters first
            differ from the gold ones (whitespace aside).

    >>> score_lines(["研究 生命"], ["研究生 命"]).correct
    0
    >>> score_lines(["研究 生命\\n", "起源"], ["研究 生命 起源"]).correct
    3
    >>> score_lines(["研究 生命"], ["研究 生活"], gold_name="g.txt", pred_name="p.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wordmine.errors.FormatError: p.txt:1: the characters differ from g.txt (line 1) ...
    """
    vocab = None
    if training_words is not None:
        vocab = training_words if isinstance(training_words, (set, frozenset, dict)) else set(training_words)
    check = _SameText(gold_name, pred_name)
    counted = {"pred": 0}
    pred = _spans(pred_lines, check.pred, counted, "pred")
    current = next(pred, None)
    gold_words = correct = oov_words = oov_correct = iv_words = iv_correct = 0
    for start, end, word in _spans(gold_lines, check.gold):
        # Both streams are in text order: skip the predicted words that start before this one.
        while current is not None and current[0] < start:
            current = next(pred, None)
        hit = current is not None and current[0] == start and current[1] == end
        gold_words += 1
        correct += hit
        if vocab is not None:
            if word in vocab:
                iv_words += 1
                iv_correct += hit
            else:
                oov_words += 1
                oov_correct += hit
    for _ in pred:  # count (and check) the rest of the prediction
        pass
    check.finish()
    return Scores(gold_words, counted["pred"], correct, oov_words, oov_correct, iv_words, iv_correct)


def _spans(lines: Iterable[str], feed, counted: dict | None = None, key: str = "") -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` of every word, offsets counted over the whole text."""
    at = 0
    for lineno, line in enumerate(lines, 1):
        words = line.split()
        feed("".join(words), lineno)
        for word in words:
            if counted is not None:
                counted[key] += 1
            yield at, at + len(word), word
            at += len(word)


class _SameText:
    """Checks, as both texts stream by, that they hold the same characters in the same order."""

    def __init__(self, gold_name: str, pred_name: str):
        self.gold_name, self.pred_name = gold_name, pred_name
        self.gold_buf = self.pred_buf = ""
        self.gold_line = self.pred_line = 0
        self.gold_at = 0  # characters of the gold text matched so far

    def gold(self, text: str, lineno: int) -> None:
        if text:  # blank lines hold nothing to blame
            self.gold_buf += text
            self.gold_line = lineno
            self._match()

    def pred(self, text: str, lineno: int) -> None:
        if text:
            self.pred_buf += text
            self.pred_line = lineno
            self._match()

    def _match(self) -> None:
        n = min(len(self.gold_buf), len(self.pred_buf))
        if self.gold_buf[:n] != self.pred_buf[:n]:
            at = next(i for i in range(n) if self.gold_buf[i] != self.pred_buf[i])
            self._fail(at)
        self.gold_buf, self.pred_buf = self.gold_buf[n:], self.pred_buf[n:]
        self.gold_at += n

    def finish(self) -> None:
        if self.gold_buf or self.pred_buf:
            self._fail(0)

    def _fail(self, at: int) -> None:
        gold, pred = self.gold_buf, self.pred_buf
        raise FormatError(
            f"{self.pred_name}:{max(self.pred_line, 1)}: the characters differ from {self.gold_name} "
            f"(line {max(self.gold_line, 1)}) at its character {self.gold_at + at + 1}, whitespace aside: "
            f"gold {_excerpt(gold, at)!r}, prediction {_excerpt(pred, at)!r}; a prediction must keep "
            "the gold text and change only the whitespace between words"
        )


def _excerpt(text: str, at: int) -> str:
    if not text:
        return "(end of text)"
    start, end = max(at - _EXCERPT, 0), at + _EXCERPT
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def read_training_words(path: str) -> frozenset[str]:
    """Read a word list, one word per line (a SIGHAN ``*_training_words.utf8`` file).

    Surrounding whitespace is stripped and blank lines are skipped.

    Raises:
        InputError: the file cannot be opened or is not UTF-8.
        FormatError: a line holds more than one word (a jieba dictionary, say).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "words.utf8")
    >>> _ = p.write_text("新词\\r\\n\\n 发现\\n", encoding="utf-8")
    >>> sorted(read_training_words(str(p)))
    ['发现', '新词']
    """
    words = set()
    for lineno, line in enumerate(read_utf8_lines(path), 1):
        word = line.strip()
        if not word:
            continue
        if len(word.split()) > 1:
            raise FormatError(
                f"{path}:{lineno}: {word!r} is not one word; a word list has one word per line "
                "(for a jieba dictionary, keep its first column: cut -d' ' -f1)"
            )
        words.add(word)
    return frozenset(words)


def evaluate_segmentation(gold: str, pred: str, training_words: str | None = None) -> Scores:
    """Score the segmented text in file ``pred`` against the gold segmentation in ``gold``.

    Both files hold the same text, words separated by whitespace (any amount, any kind; line
    ends are whitespace too). They are read as UTF-8, with or without a byte-order
    mark, with ``\\n`` or ``\\r\\n`` line ends, compressed (gzip, bzip2, xz) or not; one of
    them may be ``-`` for standard input.

    Args:
        gold: path of the gold segmentation (a SIGHAN ``*_test_gold.utf8`` file).
        pred: path of the predicted segmentation.
        training_words: path of the training vocabulary, one word per line, for OOV and IV
            recall (see :func:`read_training_words`); None for no OOV and IV ratios.

    Returns:
        The counts; the ratios are properties of :class:`Scores`, and
        :meth:`Scores.to_tsv` formats a report.

    Raises:
        InputError: a file cannot be opened or is not UTF-8.
        FormatError: naming the predicted file and line, when the line's characters differ
            from the gold line's or the files have different numbers of lines (blank lines
            at the end aside); or a bad word list.
        ValueError: both ``gold`` and ``pred`` are ``-``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "gold.txt").write_text("新词  发现\\r\\n很  有趣\\r\\n", encoding="utf-8")
    >>> _ = (d / "pred.txt").write_text("新词发现\\n很 有趣\\n", encoding="utf-8-sig")
    >>> s = evaluate_segmentation(str(d / "gold.txt"), str(d / "pred.txt"))
    >>> s.precision, s.recall
    (0.6666666666666666, 0.5)
    """
    if gold == STDIN and pred == STDIN:
        raise ValueError("gold and pred cannot both be standard input ('-')")
    vocab = read_training_words(training_words) if training_words is not None else None
    # closing(): the files are closed when an error stops the comparison, not when collected.
    with contextlib.closing(read_utf8_lines(gold)) as gold_lines, contextlib.closing(read_utf8_lines(pred)) as pred_lines:
        return score_lines(gold_lines, pred_lines, vocab, gold_name=gold, pred_name=pred)
