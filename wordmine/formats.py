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
from typing import IO, Iterable, Mapping

from .errors import FormatError
from .files import STDIN, atomic_write

__all__ = [
    "WORD_COUNTS",
    "WORD_TABLE",
    "read_counts",
    "read_userdict",
    "read_vocabulary",
    "sort_counts",
    "table_kind",
    "table_kind_of_file",
    "write_counts",
    "write_words",
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


#: Tag of a jieba dictionary line: lower-case letters, as in jieba's own ``dict.txt``.
_JIEBA_TAG = re.compile(r"[a-z]+")


@_utf8_errors
def read_vocabulary(path: str, top: int | None = None) -> list[tuple[str, int]]:
    """Read a word list with counts: a word table (TSV) or a jieba dictionary, in file order.

    Accepted kinds, told apart by the first non-blank line:

    * a TSV whose header starts with ``word<TAB>count``: the tables of ``wordmine count`` and of
      new-word discovery (columns after ``count`` are ignored);
    * the same TSV without its header (``--no-header``): a first line with a tab;
    * a jieba dictionary or user dictionary: ``word freq [tag]`` separated by single spaces
      (jieba's own ``dict.txt``, ``wordmine userdict``); a line without a tab.

    Args:
        path: the file, or ``-`` for standard input.
        top: keep only the first ``top`` entries. Tables are sorted by count descending, so
            these are the most frequent words; None keeps them all.

    Returns:
        ``(word, count)`` pairs in file order.

    Raises:
        FormatError: naming file and line: an n-gram table, a row without a count, a count
            that is not a non-negative integer, an empty word or a word containing whitespace
            (jieba could not read it back).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "new_words.tsv")
    >>> _ = p.write_text("word\\tcount\\tcohesion\\n星澜科技\\t35\\t81.2\\n澜思\\t30\\t9.5\\n", encoding="utf-8")
    >>> read_vocabulary(str(p)), read_vocabulary(str(p), top=1)
    ([('星澜科技', 35), ('澜思', 30)], [('星澜科技', 35)])
    """
    if top is not None and top < 0:
        raise ValueError(f"top must be at least 0, not {top}")
    if table_kind_of_file(path) == "ngrams":
        raise FormatError(f"{path}: this is an n-gram table (wordmine ngrams), not a word list")
    entries: list[tuple[str, int]] = []
    with _open_text(path) as f:
        kind = None  # "table" or "jieba", from the first non-blank line
        columns = 0  # fields per row when the table has a header, else 0 (any number >= 2)
        for lineno, line in enumerate(f, 1):
            if top is not None and len(entries) >= top:
                break
            line = line.rstrip("\r\n")
            if kind is None:
                if not line.strip():
                    continue
                if "\t" not in line:
                    kind = "jieba"
                else:
                    kind = "table"
                    header = line.split("\t")
                    if tuple(header[:2]) == WORD_COUNTS:
                        columns = len(header)
                        continue
                    other = table_kind(line)
                    if other is not None:
                        raise FormatError(f"{path}: this is {other}, not a word list")
            if kind == "table":
                if not line:
                    continue
                word, count = _vocabulary_row(path, lineno, line, columns)
            else:
                line = line.strip()
                if not line:
                    continue
                word, count = _jieba_dictionary_line(path, lineno, line)
            if not word:
                raise FormatError(f"{path}:{lineno}: empty word")
            if any(ch.isspace() for ch in word):
                raise FormatError(
                    f"{path}:{lineno}: word {word!r} contains whitespace; a vocabulary word "
                    "cannot (jieba dictionaries separate fields with spaces)"
                )
            if not count.isdigit() or not count.isascii():
                raise FormatError(f"{path}:{lineno}: count {count!r} is not a non-negative integer")
            entries.append((word, int(count)))
    return entries


def _vocabulary_row(path: str, lineno: int, line: str, columns: int) -> tuple[str, str]:
    """``(word, count)`` fields of a TSV row of a vocabulary table."""
    fields = line.split("\t")
    if len(fields) < 2 or (columns and len(fields) != columns):
        expected = (
            f"{columns} tab-separated fields, as in the header"
            if columns
            else "at least 2 tab-separated fields (word, count)"
        )
        raise FormatError(f"{path}:{lineno}: expected {expected}, found {len(fields)}")
    return fields[0], fields[1]


def _jieba_dictionary_line(path: str, lineno: int, line: str) -> tuple[str, str]:
    """``(word, freq)`` fields of a ``word freq [tag]`` line."""
    parts = line.split(" ")
    if len(parts) not in (2, 3) or (len(parts) == 3 and not _JIEBA_TAG.fullmatch(parts[2])):
        raise FormatError(
            f"{path}:{lineno}: not a jieba dictionary line {line!r}; expected 'word freq [tag]' "
            "separated by single spaces (a word cannot contain a space), an integer freq and a "
            "lower-case tag"
        )
    return parts[0], parts[1]


#: Header of a discovered-word table (``wordmine discover``).
WORD_TABLE = ("word", "count", "cohesion", "left_entropy", "right_entropy", "in_jieba")
_KINDS[WORD_TABLE] = "a discovered-word table (wordmine discover)"


def write_words(
    words: Iterable,
    output: str | IO[str] = STDIN,
    *,
    format: str = "tsv",
    new_only: bool = False,
    top: int | None = None,
    header: bool = True,
) -> None:
    """Write discovered words (:class:`wordmine.discover.Word` rows, in the order given).

    Args:
        format: ``"tsv"`` (the columns of :data:`WORD_TABLE`; undefined numbers as empty
            fields, in_jieba as 1 or 0) or ``"jieba"`` (a user dictionary: ``word count`` lines,
            loadable by ``jieba.load_userdict`` as it is).
        new_only: only words that jieba's dictionary lacks.
        top: only the first ``top`` words (after ``new_only``).

    >>> import io
    >>> from wordmine.discover import Word
    >>> out = io.StringIO()
    >>> write_words([Word("星澜科技", 35, 6.85, 1.4, 2.95, False)], out, format="jieba")
    >>> out.getvalue()
    '星澜科技 35\\n'
    """
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_words(words, f, format=format, new_only=new_only, top=top, header=header)
        return
    rows = [w for w in words if not (new_only and w.in_jieba)]
    rows = rows[:top] if top is not None else rows
    if format == "jieba":
        output.write("".join(f"{w.word} {max(int(w.count), 1)}\n" for w in rows))
        return
    if format != "tsv":
        raise ValueError(f"unknown word table format {format!r}; use tsv or jieba")
    if header:
        output.write("\t".join(WORD_TABLE) + "\n")

    def number(x: float) -> str:
        return "" if x != x else format_float(x)  # x != x: NaN

    output.write(
        "".join(
            f"{w.word}\t{w.count}\t{number(w.cohesion)}\t{number(w.left_entropy)}\t{number(w.right_entropy)}\t{int(w.in_jieba)}\n"
            for w in rows
        )
    )


def format_float(x: float) -> str:
    """Floats in tables: six significant digits.

    >>> format_float(6.854692538806753)
    '6.85469'
    """
    return format(x, ".6g")
