"""Word frequencies with jieba, counted in parallel with a per-batch combiner.

Each worker process owns a ``jieba.Tokenizer``, cuts whole batches of normalised text
(:func:`wordmine.corpus.normalize`) and returns the batch's ``Counter``; the parent adds the
partial counters (:mod:`wordmine.parallel`). Cutting a batch at once gives exactly the tokens of
cutting it line by line, because jieba never joins characters across a line end.

Tokens without a letter or digit (punctuation, symbols, whitespace) are dropped unless
``keep_punct`` is set; whitespace tokens are always dropped, as they cannot be a row of a table.

>>> counts = count_words_in_text("我们发现新词。我们统计新词。")
>>> counts["我们"], counts["新词"], "。" in counts
(2, 2, False)
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Iterable, Mapping

from . import defaults, parallel
from .corpus import DEFAULT_BATCH_BYTES, Batch, Batches, is_wordlike, normalize
from .files import DEFAULT_ENCODING, expand_inputs, input_size
from .formats import read_counts, read_userdict, sort_counts
from .tokenizer import BlockCutter, make_tokenizer

__all__ = ["DEFAULT_MIN_COUNT", "count_words", "count_words_in_text", "merge_counts", "prune_counts"]

#: Keep every word seen at least once: pruning is the user's choice (cron jobs merge raw counts).
DEFAULT_MIN_COUNT = defaults.MIN_COUNT


@parallel.with_engine
def count_words(
    inputs: Iterable[str],
    *,
    jobs: int | None = None,
    hmm: bool = defaults.COUNT_HMM,
    userdict: str | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    top: int | None = None,
    keep_punct: bool = False,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> Counter:
    """Count jieba words in files, directories, globs or ``-``.

    Args:
        inputs: what to read (see :func:`wordmine.files.expand_inputs`).
        jobs: worker processes (None: all CPUs; 1: in-process).
        hmm: let jieba's HMM join unknown characters into words.
        userdict: a jieba user dictionary file (``word [freq] [tag]`` per line).
        min_count: drop words seen fewer times (after all counts are merged).
        top: keep only the ``top`` most frequent words.
        keep_punct: also count punctuation and symbol tokens.
        encoding, errors: how to decode the inputs (see :func:`wordmine.corpus.read_batches`).
        batch_bytes: input bytes per worker batch.
        progress: show a progress bar on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client``
            (see :mod:`wordmine.parallel`); the counts do not depend on it.

    Returns:
        A ``Counter`` of words, in output order (count descending, then word).

    Raises:
        InputError, FormatError: bad inputs or user dictionary, naming the file and line.
    """
    entries = read_userdict(userdict) if userdict else []
    files = expand_inputs(inputs)
    counts = parallel.map_batches(
        Batches(files, batch_bytes=batch_bytes, encoding=encoding, errors=errors),
        _count_batch,
        _add,
        Counter(),
        jobs=jobs,
        initializer=_init_worker,
        initargs=(entries, hmm, keep_punct),
        size=_nbytes,
        total=input_size(files),
        progress=progress,
        desc="count",
        engine=engine,
    )
    return prune_counts(counts, min_count=min_count, top=top)


def count_words_in_text(text: str, *, hmm: bool = True, keep_punct: bool = False) -> Counter:
    """Count the jieba words of one string, in-process (the worker's own code path).

    >>> count_words_in_text("Ｃ＋＋和Python", keep_punct=True)
    Counter({'C++': 1, '和': 1, 'Python': 1})
    """
    _init_worker((), hmm, keep_punct)
    return _count_batch(Batch(text, 0))


def prune_counts(counts: Mapping[str, int], *, min_count: int = DEFAULT_MIN_COUNT, top: int | None = None) -> Counter:
    """Keep words with count >= ``min_count``, then the ``top`` most frequent; sorted.

    >>> prune_counts({"a": 1, "b": 3, "c": 2}, min_count=2)
    Counter({'b': 3, 'c': 2})
    >>> prune_counts({"a": 1, "b": 3, "c": 2}, top=1)
    Counter({'b': 3})
    """
    if top is not None and top < 0:
        raise ValueError(f"top must be at least 0, not {top}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, not {min_count}")
    rows = [(w, c) for w, c in sort_counts(counts) if c >= min_count]
    return Counter(dict(rows[:top] if top is not None else rows))


def merge_counts(tables: Iterable[str | os.PathLike | Mapping[str, int]]) -> Counter:
    """Add word-count tables: paths of files written by ``wordmine count`` or mappings.

    A file must have its header row: it is what tells a word-count table from an n-gram table
    written with ``--no-header`` (the same two columns).

    Raises:
        FormatError: a file is not a word-count table, or has no header.

    >>> merge_counts([{"新词": 1}, {"新词": 2, "发现": 1}])
    Counter({'新词': 3, '发现': 1})
    """
    total: Counter = Counter()
    for table in tables:
        total.update(read_counts(os.fspath(table), require_header=True) if isinstance(table, (str, os.PathLike)) else table)
    return prune_counts(total)


# --- worker side -------------------------------------------------------------------------------

_WORKER: tuple | None = None


def _init_worker(userdict, hmm: bool, keep_punct: bool) -> None:
    global _WORKER
    _WORKER = (BlockCutter(make_tokenizer(userdict), hmm=hmm), keep_punct)


def _count_batch(batch: Batch) -> Counter:
    cut, keep_punct = _WORKER
    # Counter counts the token list in C; tokens are filtered once per distinct token.
    counts = Counter(cut(normalize(batch.text)))
    keep = str.strip if keep_punct else is_wordlike
    for token in [t for t in counts if not keep(t)]:
        del counts[token]
    return counts


def _add(total: Counter, part: Counter) -> Counter:
    total.update(part)
    return total


def _nbytes(batch: Batch) -> int:
    return batch.nbytes
