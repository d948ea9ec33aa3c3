"""Segment a corpus with a vocabulary (discovered words, say), for scoring and for use.

Two modes, both cutting with jieba's algorithm (dictionary DAG, most probable path, optional HMM;
:class:`wordmine.tokenizer.BlockCutter`):

* ``"replace"``: the vocabulary is jieba's *whole* dictionary (the unsupervised protocol: a
  segmenter knows only the words mined from raw text). Its counts are the frequencies, at least
  1. A character that is not in the vocabulary is cut as a token of its own, as jieba does with
  any character its dictionary lacks (unless the HMM, when on, joins it to its neighbours).
* ``"add"``: jieba's own dictionary plus the vocabulary words it lacks, added as jieba adds a
  user-dictionary word without a frequency: just frequent enough to be cut whole on its own
  (``Tokenizer.suggest_freq``). The counts are not used: they come from another corpus than
  jieba's frequencies, on another scale (a word seen 3 times would lose to its split into two
  common characters). Words jieba already has keep jieba's frequency: re-adding one would add
  its frequency to jieba's total again, and so shift every word's probability.

Both modes cut at unit boundaries (:mod:`wordmine.corpus`): a token never starts or ends inside
a Latin word or a number (``lock`` is never ``lo`` + ``ck``, ``3.5%`` stays whole, whatever
words the dictionary has); a unit that no word covers is a token of its own, and neighbouring
such units of ASCII letters and digits join as jieba joins single ASCII characters
(``iPhone15``). Words may hold any letter or digit, not only jieba's class (``二〇二四``,
Extension A's ``㐀``).

Each line is normalised (:func:`wordmine.corpus.normalize`) and cut; a run of dashes ``——`` or
of ellipsis points ``……`` is one token (one mark of the Chinese punctuation standard, GB/T
15834). The output has one line per input line (empty lines stay empty), tokens separated by one space, whitespace dropped: the
format of segmented gold files (SIGHAN bakeoff) and of what KenLM and word2vec read. Tokens keep
the *original* characters: normalisation maps one character to one, so the cuts found on the
normalised line are cut out of the original one (``１９９８年`` stays full-width, and can be scored
against a gold file that has it so).

Batches are cut in parallel (:mod:`wordmine.parallel`), carry their index, and are written in
input order: the output is the same byte for byte whatever ``jobs`` is.

>>> segment_text("星澜科技发布新品。", vocabulary=[("星澜科技", 5), ("新品", 2)])
'星澜科技 发 布 新品 。'
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import numbers
import os
import re
import shutil
from typing import IO, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from . import defaults, parallel
from .corpus import DEFAULT_BATCH_BYTES, Batch, Batches, CodePointTable, normalize
from .errors import InputError
from .files import DEFAULT_ENCODING, STDIN, atomic_write, cache_dir, expand_inputs, input_size, temporary_directory
from .symbols import scan
from .tokenizer import BlockCutter, jieba_words, make_tokenizer

__all__ = ["DEFAULT_MODE", "MODES", "SegmentStats", "segment_corpus", "segment_text"]

#: How the vocabulary is used: jieba's whole dictionary, or words added to jieba's own.
MODES = ("replace", "add")
#: Replacing jieba's dictionary measures what was mined from the corpus alone.
DEFAULT_MODE = defaults.SEGMENT_MODE


class SegmentStats(NamedTuple):
    """What :func:`segment_corpus` wrote: ``lines`` (input lines = output lines) and ``tokens``."""

    lines: int
    tokens: int


@parallel.with_engine
def segment_corpus(
    inputs: Iterable[str],
    output: str | IO[str] = STDIN,
    *,
    vocabulary: Sequence[tuple[str, int]],
    mode: str = DEFAULT_MODE,
    hmm: bool = defaults.SEGMENT_HMM,
    jobs: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> SegmentStats:
    """Segment files, directories, globs or ``-`` into one line of space-separated tokens per line.

    Args:
        inputs: what to read (see :func:`wordmine.files.expand_inputs`); several inputs are
            written one after the other.
        output: a path (written atomically), ``-`` for stdout, or an open text file.
        vocabulary: ``(word, count)`` pairs, as :func:`wordmine.formats.read_vocabulary` returns;
            words are normalised, and a repeated word keeps its first count.
        mode: ``"replace"`` (the vocabulary is jieba's whole dictionary) or ``"add"`` (added to
            jieba's own); see the module documentation.
        hmm: let jieba's HMM join runs of single characters into words. Off by default: the HMM
            was trained on segmented text, which the unsupervised protocol does not use.
        jobs: worker processes (None: all CPUs; 1: in-process).
        encoding, errors: how to decode the inputs (see :func:`wordmine.corpus.read_batches`).
        batch_bytes: input bytes per worker batch.
        progress: show a progress bar on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client``
            (see :mod:`wordmine.parallel`); the output does not depend on it. In replace mode
            the vocabulary goes to the workers as a file in ``$TMPDIR``: with Dask workers on
            other hosts, a directory they all see.

    Returns:
        :class:`SegmentStats`: lines and tokens written.

    Raises:
        InputError: bad inputs (naming file and line), or an empty vocabulary in replace mode.
        ValueError: an unknown mode, or a vocabulary entry that no file could hold (an empty
            word, one with whitespace, a negative count).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "in.txt").write_text("澜思是一个模型\\n\\n", encoding="utf-8")
    >>> vocabulary = [("澜思", 3), ("模型", 2)]
    >>> segment_corpus([str(d / "in.txt")], str(d / "out.txt"), vocabulary=vocabulary, jobs=1)
    SegmentStats(lines=2, tokens=5)
    >>> (d / "out.txt").read_text(encoding="utf-8")
    '澜思 是 一 个 模型\\n\\n'
    """
    files = expand_inputs(inputs)
    opened = atomic_write(output) if isinstance(output, str) else contextlib.nullcontext(output)
    with _tokenizer_args(vocabulary, mode) as (userdict, dictionary), opened as out:
        writer = parallel.map_batches(
            Batches(files, batch_bytes=batch_bytes, encoding=encoding, errors=errors),
            _segment_batch,
            _merge,
            _InOrder(out),
            jobs=jobs,
            initializer=_init_worker,
            initargs=(userdict, dictionary, hmm),
            size=_nbytes,
            total=input_size(files),
            progress=progress,
            desc="segment",
            ordered=True,  # batch outputs are written in input order as they come
            engine=engine,
        )
    assert not writer.pending, "every batch was written"
    return SegmentStats(writer.lines, writer.tokens)


def segment_text(
    text: str, *, vocabulary: Sequence[tuple[str, int]], mode: str = DEFAULT_MODE, hmm: bool = defaults.SEGMENT_HMM
) -> str:
    """Segment one string in-process, the way :func:`segment_corpus` does each batch.

    Args:
        text: any text; line ends become ``\\n``, as in the output of :func:`segment_corpus`.
        vocabulary, mode, hmm: as for :func:`segment_corpus`.

    Returns:
        The tokens, joined by one space within each line.

    Raises:
        InputError, ValueError: as for :func:`segment_corpus`.

    >>> segment_text("ＡＩ芯片很热门\\r\\n一二三", vocabulary=[("AI芯片", 4)], mode="add")
    'ＡＩ芯片 很 热门\\n一二三'
    >>> segment_text("一二三", vocabulary=[("一二", 1)])
    '一二 三'
    """
    with _tokenizer_args(vocabulary, mode) as (userdict, dictionary):
        _init_worker(userdict, dictionary, hmm)
    return _segment_batch(Batch(text, 0))[0]


@contextlib.contextmanager
def _tokenizer_args(vocabulary: Sequence[tuple[str, int]], mode: str) -> Iterator[tuple[tuple, str | None]]:
    """Yield ``make_tokenizer`` arguments ``(userdict, dictionary path)`` for the mode.

    In replace mode the dictionary is a temporary file, deleted afterwards with the prefix
    cache jieba writes for it.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    words = _clean(vocabulary)
    if mode == "add":
        known = jieba_words() if words else frozenset()
        yield tuple((w, None, None) for w, _ in words if w not in known), None
        return
    if not words:
        raise InputError("the vocabulary is empty; replace mode needs at least one word (or use mode 'add')")
    tmp = temporary_directory("wordmine-segment-")
    try:
        # An absolute, normalised path: jieba names its prefix cache after it.
        path = os.path.normpath(os.path.abspath(os.path.join(tmp, "vocabulary.dict")))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            # jieba's dictionary format (word freq); freq >= 1 since a word of freq 0 is no word.
            f.writelines(f"{w} {max(int(c), 1)}\n" for w, c in words)
        try:
            yield (), path
        finally:
            # jieba 0.42 caches the prefix dictionary of a custom dictionary as
            # jieba.u<md5 of its absolute path>.cache in Tokenizer.tmp_dir (wordmine's cache_dir);
            # the path is unique to this run, so the cache would never be read again.
            name = "jieba.u%s.cache" % hashlib.md5(path.encode("utf-8", "replace")).hexdigest()
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(cache_dir(), name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _clean(vocabulary: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Normalised words, each once (first count wins), after checking what files would refuse."""
    seen: dict[str, int] = {}
    for word, count in vocabulary:
        if not word or any(ch.isspace() for ch in word):
            raise ValueError(f"vocabulary word {word!r} is empty or contains whitespace")
        if not isinstance(count, numbers.Integral) or count < 0:  # numpy integers too
            raise ValueError(f"vocabulary count {count!r} of {word!r} is not a non-negative integer")
        seen.setdefault(normalize(word), count)
    return list(seen.items())


class _InOrder:
    """The parent's accumulator: writes batch outputs in input order (they arrive as they finish).

    The buffer holds the outputs of batches that finished while an earlier one is still being
    cut. The engine keeps at most ``2 * jobs`` batches in flight and batches are of bounded size,
    so with batches of similar cost that is under ``2 * jobs`` outputs; a batch many times slower
    than the others (a line of a million characters without punctuation) lets more pile up
    while the other workers go on.
    """

    def __init__(self, out: IO[str]):
        self.out = out
        self.next = 0
        self.pending: dict[int, str] = {}
        self.lines = 0
        self.tokens = 0
        self.open_line = False  # the output so far ends inside a line, after a token

    def add(self, index: int, text: str) -> None:
        self.pending[index] = text
        while self.next in self.pending:
            self._write(self.pending.pop(self.next))
            self.next += 1

    def _write(self, text: str) -> None:
        if not text:
            return
        # A line longer than a batch continues in the next batch: its tokens need a separator.
        if self.open_line and text[0] != "\n":
            self.out.write(" ")
        self.out.write(text)
        self.open_line = text[-1] != "\n"


def _merge(writer: _InOrder, result: tuple[int, str, int, int]) -> _InOrder:
    text, lines, tokens = result
    writer.lines += lines
    writer.tokens += tokens
    writer.add(writer.next, text)  # the engine merges in batch order
    return writer


def _nbytes(batch: Batch) -> int:
    return batch.nbytes


#: Characters that make one punctuation mark when repeated: the dash —— and the ellipsis ……
#: take two character cells each (GB/T 15834-2011, the national standard of punctuation).
_MARKS = frozenset("—…")
#: The space between two neighbouring tokens that are the same mark: "— —" becomes "——".
_MARK_PAIR = re.compile("|".join(f"(?<={m}) (?={m})" for m in sorted(_MARKS)))


# --- worker side -------------------------------------------------------------------------------

_CUT: BlockCutter | None = None
_CUT_OF: tuple = ()  # (tokenizer, hmm) that _CUT was built from


def _init_worker(userdict: tuple, dictionary: str | None, hmm: bool) -> None:
    global _CUT, _CUT_OF
    tokenizer = make_tokenizer(userdict, dictionary=dictionary)
    # make_tokenizer returns the same tokenizer for the same arguments; building a BlockCutter
    # on jieba's dictionary takes 0.16 s, which repeated in-process calls need not pay again.
    if _CUT_OF != (tokenizer, hmm):
        _CUT = BlockCutter(tokenizer, hmm=hmm, blocks=BlockCutter.FRAGMENT_BLOCKS)
        _CUT_OF = (tokenizer, hmm)


def _segment_batch(batch: Batch) -> tuple[str, int, int]:
    """``(segmented text, lines, tokens)`` of a batch; lines are ``\\n``-separated."""
    text = batch.text
    normal = normalize(text)
    units = scan(normal)
    longer = np.flatnonzero(units.end - units.start > 1)
    # Cutting a whole batch gives the tokens of cutting it line by line: jieba never joins
    # characters across a line end. Tokens concatenate to the text, and normalisation maps one
    # character to one (a space to a space, and never a character to a dash or an ellipsis), so
    # the cuts of the normalised text cut the original at the same places.
    if not _CUT_OF[1] and _CUT.token_starts_pay(len(normal)):  # the same tokens, 5x sooner
        return _joined(text, _CUT.token_starts(normal, units.start[longer], units.end[longer]))
    spans = dict(zip(units.start[longer].tolist(), units.end[longer].tolist()))
    tokens = _CUT(normal, spans)
    if normal != text:
        ends = list(itertools.accumulate(map(len, tokens)))
        tokens = [text[a:b] for a, b in zip(itertools.chain((0,), ends), ends)]
    # Whitespace is a token of its own (one character, or "\r\n"), so in the tokens joined by
    # spaces, two marks are neighbouring tokens exactly where a single space parts them.
    joined = _MARK_PAIR.sub("", " ".join(tokens))
    lines = [" ".join(line.split()) for line in joined.split("\n")]
    count = sum(line.count(" ") + 1 for line in lines if line)
    return "\n".join(lines), text.count("\n"), count


def _joined(text: str, first: np.ndarray) -> tuple[str, int, int]:
    """What the token-list path of :func:`_segment_batch` makes of the tokens of ``text`` that start
    where ``first`` is True (cut on the normalised text: the same places in the original),
    built with numpy: a space before each token but the first of its line, whitespace dropped
    but for line ends, no space between two tokens that are the same mark (``——``).

    >>> first = np.array([1, 0, 1, 1, 1, 0, 1, 1, 1], dtype=bool)
    >>> _joined("新词 是\\r\\n——。", first)
    ('新词 是\\n—— 。', 1, 4)
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if not codes.size:
        return "", 0, 0
    space = _whitespace(codes)
    newline = codes == 10
    shown = np.flatnonzero(~space)  # characters of tokens
    line = np.cumsum(newline)[shown]
    line_first = np.ones(shown.size, dtype=bool)  # the first shown character of its line
    line_first[1:] = line[1:] != line[:-1]
    gap = first[shown] & ~line_first  # a space before this character
    c = codes[shown]
    # The same mark twice in a row is one token (—— is one dash); with a space between, two.
    gap[1:] &= ~((c[1:] == c[:-1]) & (shown[1:] == shown[:-1] + 1) & np.isin(c[1:], _MARK_CODES))
    tokens = int(np.count_nonzero(gap) + np.count_nonzero(line_first))
    width = np.zeros(codes.size, dtype=np.int64)  # output characters per input character
    width[newline] = 1
    width[shown] = 1 + gap
    at = np.cumsum(width) - 1  # where each character goes in the output (its last place)
    out = np.full(int(at[-1]) + 1, 32, dtype=np.uint32)  # spaces, then the kept characters over them
    kept = np.flatnonzero(width)
    out[at[kept]] = codes[kept]
    return out.tobytes().decode("utf-32-le"), int(np.count_nonzero(newline)), tokens


_MARK_CODES = np.array(sorted(map(ord, _MARKS)), dtype=np.uint32)


#: What ``str.split()`` splits at (what the token-list path drops).
_SPACE = CodePointTable(str.isspace)


def _whitespace(codes: np.ndarray) -> np.ndarray:
    """Which of ``codes`` (UTF-32 code points) are whitespace."""
    return _SPACE(codes).view(bool)
