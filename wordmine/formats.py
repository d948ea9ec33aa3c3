"""Readers and writers of wordmine's text tables and of jieba user dictionaries.

Every table is UTF-8 TSV: a header row naming the columns (readers also accept files written
with ``--no-header``), tab-separated fields, no quoting, one record per line, sorted by count
descending, then by the word's code points. A table's header says its kind, so a command refuses
a file of another kind instead of silently mixing them.

>>> from collections import Counter
>>> import io
>>> out = io.StringIO()
>>> write_counts(Counter({"新词": 2, "发现": 3}), out)
>>> out.getvalue().splitlines()
['word\\tcount', '发现\\t3', '新词\\t2']
"""

from __future__ import annotations

import functools
import io
import re
import sys
from collections import Counter
from typing import IO, Mapping

from .errors import FormatError
from .files import STDIN, atomic_write

__all__ = [
    "WORD_COUNTS",
    "read_counts",
    "read_userdict",
    "sort_counts",
    "table_kind",
    "write_counts",
]

#: Header of a word-count table (``wordmine count``, ``wordmine merge``).
WORD_COUNTS = ("word", "count")
# Headers of every table kind wordmine writes, to name the kind of a file given to the wrong command.
_KINDS = {
    WORD_COUNTS: "a word-count table (wordmine count)",
    ("ngram", "count"): "an n-gram table (wordmine ngrams --format tsv)",
}
_USERDICT_LINE = re.compile(r"^(\S+)(?: (\d+))?(?: ([a-z]+))?$")


def _utf8_errors(read):
    """Turn a decoding error while reading a table into a FormatError naming the file."""

    @functools.wraps(read)
    def wrapper(path: str, *args, **kwargs):
        try:
            return read(path, *args, **kwargs)
        except UnicodeDecodeError as err:
            raise FormatError(
                f"{path}: not valid UTF-8 (byte 0x{err.object[err.start]:02x}); tables are UTF-8 text"
            ) from None

    return wrapper


def sort_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Items sorted by count descending, then by word (code point order).

    >>> sort_counts({"b": 1, "a": 1, "c": 5})
    [('c', 5), ('a', 1), ('b', 1)]
    """
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def write_counts(counts: Mapping[str, int], output: str | IO[str] = STDIN, *, header: bool = True) -> None:
    """Write a word-count table (``word<TAB>count``), atomically when ``output`` is a path.

    Args:
        counts: word -> count.
        output: a path, ``-`` for stdout, or an open text file.
        header: write the ``word<TAB>count`` header row.
    """
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_counts(counts, f, header=header)
        return
    if header:
        output.write("\t".join(WORD_COUNTS) + "\n")
    rows = sort_counts(counts)
    # Join in slices: one write per 64k rows keeps memory flat and the loop in C.
    for i in range(0, len(rows), 1 << 16):
        output.write("".join(f"{w}\t{c}\n" for w, c in rows[i : i + (1 << 16)]))


def table_kind(first_line: str) -> str | None:
    """Name the kind of table whose first line is ``first_line``, or None if it is not a header.

    >>> table_kind("ngram\\tcount")
    'an n-gram table (wordmine ngrams --format tsv)'
    """
    return _KINDS.get(tuple(first_line.rstrip("\r\n").split("\t")))


def table_kind_of_file(path: str) -> str:
    """``"ngrams"`` for an n-gram table (npz, or TSV with an ``ngram`` header), else ``"words"``.

    >>> table_kind_of_file("-")
    'words'
    """
    if path == STDIN:
        return "words"
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return "words"  # the reader will name the problem
    if head.startswith(b"PK\x03\x04") or head.startswith(b"ngram\t"):
        return "ngrams"
    return "words"


@_utf8_errors
def read_counts(path: str) -> Counter:
    """Read a word-count table written by :func:`write_counts` (with or without its header).

    Raises:
        FormatError: naming file and line, for a table of another kind, a row without exactly
            two fields, or a count that is not a non-negative integer.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "w.tsv")
    >>> _ = p.write_text("word\\tcount\\n新词\\t2\\n", encoding="utf-8")
    >>> read_counts(str(p))
    Counter({'新词': 2})
    """
    if table_kind_of_file(path) == "ngrams":
        raise FormatError(f"{path}: this is an n-gram table (wordmine ngrams), not a word-count table")
    counts: Counter = Counter()
    with _open_text(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if lineno == 1:
                kind = table_kind(line)
                if kind == _KINDS[WORD_COUNTS]:
                    continue
                if kind is not None:
                    raise FormatError(f"{path}: this is {kind}, not a word-count table")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != 2:
                raise FormatError(
                    f"{path}:{lineno}: expected 2 tab-separated fields (word, count), found {len(fields)}; "
                    "is this a word-count table from wordmine count?"
                )
            word, count = fields
            if not count.isdigit() or not count.isascii():
                raise FormatError(f"{path}:{lineno}: count {count!r} is not a non-negative integer")
            counts[word] += int(count)
    return counts


@_utf8_errors
def read_userdict(path: str) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba user dictionary: lines ``word [freq] [tag]`` separated by single spaces.

    jieba itself silently folds a tab, a decimal frequency or an upper-case tag into the word;
    this reader refuses them, naming the line.

    Returns:
        ``(word, freq or None, tag or None)`` per non-blank line.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "user.dict")
    >>> _ = p.write_text("云计算 5 n\\n新词发现\\n", encoding="utf-8")
    >>> read_userdict(str(p))
    [('云计算', 5, 'n'), ('新词发现', None, None)]
    """
    entries = []
    with _open_text(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            m = _USERDICT_LINE.match(line)
            if m is None:
                raise FormatError(
                    f"{path}:{lineno}: not a jieba user-dictionary line {line!r}; "
                    "expected 'word [freq] [tag]' separated by single spaces, an integer freq "
                    "and a lower-case tag"
                )
            word, freq, tag = m.groups()
            entries.append((word, int(freq) if freq is not None else None, tag))
    return entries


def _open_text(path: str):
    if path == STDIN:
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FormatError(f"{path}: is a directory, not a table file") from None
