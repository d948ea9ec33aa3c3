"""Readers and writers of wordmine's text tables and of jieba user dictionaries.

Every table is UTF-8 TSV: a header row naming the columns (readers also accept files written
with ``--no-header``), tab-separated fields, no quoting, one record per line, sorted by count
descending, then by the word's code points (module tables: by module, then flow descending). A table's header says its kind, so a command refuses
a file of another kind instead of silently mixing them.

>>> from collections import Counter
>>> import io
>>> out = io.StringIO()
>>> write_counts(Counter({"新词": 2, "发现": 3}), out)
>>> out.getvalue().splitlines()
['word\\tcount', '发现\\t3', '新词\\t2']
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import math
import mmap
import os
import re
import struct
import zipfile
from collections import Counter
from typing import IO, Any, Iterable, Iterator, Mapping, NamedTuple

from .errors import FormatError, WordmineError
from .files import STDIN, atomic_write, open_input, open_text, shown

__all__ = [
    "MODULE_FORMATS",
    "MODULE_TABLE",
    "WORD_COUNTS",
    "WORD_TABLE",
    "cluster_summary",
    "codelength_report",
    "open_table",
    "read_counts",
    "read_every",
    "read_module_rows",
    "read_modules",
    "read_rows",
    "read_userdict",
    "read_vocabulary",
    "new_words",
    "read_word_list",
    "sort_counts",
    "table_kind",
    "table_kind_of_file",
    "write_cluster_summary",
    "write_counts",
    "write_modules",
    "write_words",
]

#: The first bytes of an npz file (a zip archive).
NPZ_MAGIC = b"PK\x03\x04"
#: Header of a word-count table (``wordmine count``, ``wordmine merge``).
WORD_COUNTS = ("word", "count")
# Headers of every table kind wordmine writes, to name the kind of a file given to the wrong command.
_KINDS = {
    WORD_COUNTS: "a word-count table (wordmine count)",
    ("ngram", "count"): "an n-gram table (wordmine ngrams --format tsv)",
}
_USERDICT_LINE = re.compile(r"^(\S+)(?: (\d+))?(?: ([a-z]+))?$")
_ANY_SPACE = re.compile(r"\s")
_OTHER_SPACE = re.compile(r"[^\S\t\n]")  # whitespace other than the table's tabs and line ends


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
        chunk = rows[i : i + (1 << 16)]
        text = "".join(f"{w}\t{c}\n" for w, c in chunk)
        # A row per word, as read_counts reads them back: no empty word, no whitespace in one
        # (checked on the whole slice at once, in C).
        if text.count("\n") != len(chunk) or text.count("\t") != len(chunk) or _OTHER_SPACE.search(text) or text.startswith("\t") or "\n\t" in text:
            bad = next(w for w, _ in chunk if not w or any(ch.isspace() for ch in w))
            raise ValueError(f"word {bad!r} is empty or holds whitespace: a word-count table cannot hold it")
        output.write(text)


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
        with open_input(path) as (stream, _position):
            head = stream.read(64)
    except (WordmineError, OSError):
        return "words"  # the reader will name the problem
    if head.startswith(NPZ_MAGIC) or head.startswith((b"ngram\tcount\n", b"ngram\tcount\r\n")):
        return "ngrams"
    return "words"


def _table_rows(path: str, header: tuple[str, ...], what: str, require_header: bool = False) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of a TSV table with the columns ``header`` (the header row is
    optional unless ``require_header``; a header of another wordmine table, or a row of another
    width, is a FormatError naming the file and line; blank lines are skipped)."""
    with open_table(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if lineno == 1:
                kind = table_kind(line)
                if kind == _KINDS[header]:
                    continue
                if kind is not None:
                    raise FormatError(f"{path}: this is {kind}, not {what.split(' from ')[0]}")
                if require_header:
                    raise FormatError(
                        f"{path}:1: no header row ({chr(9).join(header)}): without it the kind of the table "
                        "cannot be told (an n-gram table written with --no-header has the same columns); "
                        "write it with its header"
                    )
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != len(header):
                raise FormatError(
                    f"{path}:{lineno}: expected {len(header)} tab-separated fields ({', '.join(header)}), "
                    f"found {len(fields)}; is this {what}?"
                )
            yield lineno, fields


@_utf8_errors
def read_counts(path: str, *, require_header: bool = False) -> Counter:
    """Read a word-count table written by :func:`write_counts` (with or without its header).

    Args:
        require_header: refuse a table without its header row (``merge`` does: a headerless
            n-gram table has the same two columns, and adding it would be a silent mistake).

    Raises:
        FormatError: naming file and line, for a table of another kind, a row without exactly
            two fields, an empty word or one with whitespace, or a count that is not a
            non-negative integer.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "w.tsv")
    >>> _ = p.write_text("word\\tcount\\n新词\\t2\\n", encoding="utf-8")
    >>> read_counts(str(p))
    Counter({'新词': 2})
    """
    if table_kind_of_file(path) == "ngrams":
        raise FormatError(f"{path}: this is an n-gram table (wordmine ngrams), not a word-count table")
    counts: Counter = Counter()
    for lineno, fields in _table_rows(path, WORD_COUNTS, "a word-count table from wordmine count", require_header):
        word, count = fields
        if not word or _ANY_SPACE.search(word):
            raise FormatError(f"{path}:{lineno}: word {word!r} is empty or holds whitespace; a word-count table cannot hold it")
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
    with open_table(path) as f:
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


@contextlib.contextmanager
def open_table(path: str) -> Iterator[IO[str]]:
    """Open a table for reading: through :func:`wordmine.files.open_text` (``-``, compression),
    a missing file or a directory being a FormatError naming it."""
    if path != STDIN and os.path.isdir(path):
        raise FormatError(f"{path}: is a directory, not a table file")
    if path != STDIN and not os.path.exists(path):
        raise FormatError(f"{path}: no such file")
    with open_text(path) as f:
        yield f


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
    with open_table(path) as f:
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


def read_word_list(path: str, top: int | None = None) -> list[str]:
    """The words of a word-list file, in file order: one word per line, or a wordmine table
    (``count``, ``discover``) or jieba dictionary as :func:`read_vocabulary` reads them (``kwic
    --words``, ``compare --words``, ``trend --words``).

    Args:
        top: only the first ``top`` words (a table's most frequent ones).

    Raises:
        FormatError: naming file and line, for a word with whitespace inside, a malformed table,
            or a file that is not UTF-8.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "words.txt")
    >>> _ = p.write_text("星澜科技\\n\\n澜思\\n", encoding="utf-8")
    >>> read_word_list(str(p)), read_word_list(str(p), top=1)
    (['星澜科技', '澜思'], ['星澜科技'])
    """
    path = os.fspath(path)
    try:
        with open_table(path) as f:
            first = next((line for line in f if line.strip()), "")
            if "\t" in first or " " in first.strip():  # columns: a table or a jieba dictionary
                return [word for word, _count in read_vocabulary(path, top=top)]
        words = []
        with open_table(path) as f:
            for lineno, line in enumerate(f, 1):
                word = line.strip()
                if not word:
                    continue
                if any(ch.isspace() for ch in word):
                    raise FormatError(f"{shown(path)}:{lineno}: word {word!r} holds whitespace; give one word per line")
                words.append(word)
                if top is not None and len(words) >= top:
                    break
        return words
    except UnicodeDecodeError as err:
        raise FormatError(f"{shown(path)}: not valid UTF-8 (byte 0x{err.object[err.start]:02x}); word lists are UTF-8 text") from None


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
WORD_TABLE = ("word", "count", "cohesion", "left_entropy", "right_entropy", "jieba_lift", "kind")
_KINDS[WORD_TABLE] = "a discovered-word table (wordmine discover)"
#: The header of wordmine 0.1's discovered-word tables, to name them when they are given.
_OLD_WORD_TABLE = ("word", "count", "cohesion", "left_entropy", "right_entropy", "in_jieba")
_KINDS[_OLD_WORD_TABLE] = "a discovered-word table of wordmine 0.1 (discover it again with this version)"
#: What a discovered word is, in the ``kind`` column (see :mod:`wordmine.discover`).
WORD_KINDS = ("new", "unit", "jieba", "known", "number", "quantity", "fragment", "compound", "phrase")


class Word(NamedTuple):
    """A discovered word and how it was judged (floats are NaN where undefined): a row of
    :data:`WORD_TABLE`, made by :func:`wordmine.discover_words`. ``kind`` is one of
    :data:`WORD_KINDS`; ``jieba_lift`` is how much more often the word occurs than jieba's
    unigram model expects its jieba cut to (natural log, per cut)."""

    word: str
    count: int
    cohesion: float
    left_entropy: float
    right_entropy: float
    jieba_lift: float
    kind: str

    @property
    def is_new(self) -> bool:
        """A new word: one that jieba neither has nor accounts for (``kind == "new"``).

        >>> Word("星澜", 9, 7.1, 1.0, 1.2, 9.3, "new").is_new, Word("他说", 9, 3.0, 1.0, 1.0, 0.6, "phrase").is_new
        (True, False)
        """
        return self.kind == "new"

    @property
    def variety(self) -> float:
        """How varied the contexts are that the corpus uses it in: its count times the smaller
        of its two boundary entropies (the nats it takes to write down its neighbours on its
        less varied side; 0 when unknown). New words are listed by it (:func:`new_words`).

        >>> round(Word("星澜", 10, 7.1, 2.0, 1.5, 9.3, "new").variety, 2)
        15.0
        """
        sides = min(self.left_entropy, self.right_entropy)
        return self.count * sides if sides == sides else 0.0


def new_words(words: Iterable) -> list:
    """The new words (:attr:`Word.is_new`) in the order a person should read them: by
    :attr:`Word.variety`, most first, then by count and word. A word used often and in many
    contexts comes before one used as often in one fixed frame (a reporter's name in every
    byline, ``项所列`` in every "前款第X项所列"), which counting alone ranks first.

    >>> rows = [Word("温凤浩", 90, 9.0, 0.1, 4.0, 10.2, "new"), Word("中国梦", 60, 8.0, 3.0, 3.5, 4.9, "new"),
    ...         Word("他说", 99, 1.0, 4.0, 4.0, 0.6, "phrase")]
    >>> [w.word for w in new_words(rows)]
    ['中国梦', '温凤浩']
    """
    return sorted((w for w in words if w.is_new), key=lambda w: (-w.variety, -w.count, w.word))


def write_words(
    words: Iterable,
    output: str | IO[str] = STDIN,
    *,
    format: str = "tsv",
    new_only: bool = False,
    top: int | None = None,
    header: bool = True,
) -> None:
    """Write discovered words (:class:`Word` rows, in the order given).

    Args:
        format: ``"tsv"`` (the columns of :data:`WORD_TABLE`; undefined numbers as empty
            fields) or ``"jieba"`` (a user dictionary: ``word count`` lines, loadable by
            ``jieba.load_userdict`` as it is).
        new_only: only new words, in the order of :func:`new_words` (by variety).
        top: only the first ``top`` words (after ``new_only``).

    >>> import io
    >>> out = io.StringIO()
    >>> write_words([Word("星澜科技", 35, 6.85, 1.4, 2.95, 9.1, "new")], out, format="jieba")
    >>> out.getvalue()
    '星澜科技 35\\n'
    """
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_words(words, f, format=format, new_only=new_only, top=top, header=header)
        return
    rows = new_words(words) if new_only else list(words)
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
            f"{w.word}\t{w.count}\t{number(w.cohesion)}\t{number(w.left_entropy)}\t{number(w.right_entropy)}\t{number(w.jieba_lift)}\t{w.kind}\n"
            for w in rows
        )
    )


@_utf8_errors
def read_words(path: str) -> list:
    """Read a discovered-word table written by :func:`write_words` (TSV, with its header).

    Returns:
        :class:`Word` rows in file order (NaN for empty numbers).

    Raises:
        FormatError: naming file and line, for a table of another kind or a malformed row.

    >>> import io, tempfile, pathlib
    >>> p = str(pathlib.Path(tempfile.mkdtemp(), "d.tsv"))
    >>> write_words([Word("星澜科技", 35, 6.85, 1.4, float("nan"), 9.1, "new")], p)
    >>> read_words(p)[0][:3], read_words(p)[0].kind
    (('星澜科技', 35, 6.85), 'new')
    """
    rows = []
    with open_table(path) as f:
        for lineno, line in enumerate(f, 1):
            fields = line.rstrip("\r\n").split("\t")
            if lineno == 1:
                if tuple(fields) != WORD_TABLE:
                    kind = table_kind(line) or "not a discovered-word table"
                    raise FormatError(f"{path}:1: {kind}; expected the header {' '.join(WORD_TABLE)} (wordmine discover)")
                continue
            if not line.strip():
                continue
            try:
                if len(fields) != len(WORD_TABLE) or fields[6] not in WORD_KINDS:
                    raise ValueError
                numbers = [float(x) if x else math.nan for x in fields[2:6]]
                rows.append(Word(fields[0], int(fields[1]), *numbers, fields[6]))
            except ValueError:
                raise FormatError(f"{path}:{lineno}: expected {len(WORD_TABLE)} tab-separated fields: {' '.join(WORD_TABLE)}") from None
    return rows


def format_float(x: float) -> str:
    """Floats in tables: six significant digits.

    >>> format_float(6.854692538806753)
    '6.85469'
    """
    return format(x, ".6g")


# --------------------------------------------------------------------------- word graphs, modules

__all__ += ["GRAPH_HEADER", "link_chunks", "read_graph_links", "write_graph"]

#: First line of a graph file (``wordmine graph``): a comment to InfoMap's link-list reader (and
#: to :func:`read_graph_links`), the column names to a person.
GRAPH_HEADER = "# source\ttarget\tweight"
_KINDS[tuple(GRAPH_HEADER.split("\t"))] = "a word graph (wordmine graph)"
#: Links parsed into one chunk by :func:`read_graph_links`: 2**16 links are about 6 MB of Python
#: lists, and numpy's cost per chunk is small beside parsing that many lines.
GRAPH_CHUNK_LINKS = 1 << 16
#: Header of a module table (``wordmine cluster``).
MODULE_TABLE = ("node", "module", "flow")
_KINDS[MODULE_TABLE] = "a module table (wordmine cluster)"
#: Formats of :func:`write_modules`: wordmine's TSV, and the ``.clu`` and ``.tree`` files of
#: mapequation/infomap.
MODULE_FORMATS = ("tsv", "clu", "tree")
#: Modules described in a cluster summary, and members named per module: enough to see what
#: the largest clusters are about without printing the whole partition.
SUMMARY_MODULES = 10
SUMMARY_NODES = 5


def write_graph(edges: Iterable[tuple[str, str, float]], output: str | IO[str] = STDIN, *, header: bool = True) -> None:
    """Write a graph file: ``source<TAB>target<TAB>weight`` lines, atomically when ``output`` is a path.

    Weights have six significant digits; the header line (:data:`GRAPH_HEADER`) starts with
    ``#``, which InfoMap's link-list reader (and :func:`read_graph_links`) skips as a comment.

    Args:
        edges: a :class:`wordmine.graph.WordGraph` or any ``(source, target, weight)`` triples,
            written in order.
        output: a path, ``-`` for stdout, or an open text file.
        header: write the ``# source<TAB>target<TAB>weight`` line.

    Raises:
        ValueError: a link that :func:`read_graph_links` could not read back: a weight that is
            not a finite number >= 0, an empty label or one with a tab or line end, a source
            starting with ``#`` or ``*`` (a comment or heading to the reader).

    >>> out = io.StringIO()
    >>> write_graph([("星澜科技", "澜思", 0.8123456)], out)
    >>> out.getvalue().splitlines()
    ['# source\\ttarget\\tweight', '星澜科技\\t澜思\\t0.812346']
    """
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_graph(edges, f, header=header)
        return
    if header:
        output.write(GRAPH_HEADER + "\n")
    chunk: list[str] = []
    first = not header  # the first line of the file: a byte-order mark there is dropped on reading
    for source, target, weight in edges:
        if not 0.0 <= weight < math.inf:
            raise ValueError(f"link {source!r} -> {target!r}: weight {weight!r} is not a finite number >= 0")
        chunk.append(f"{source}\t{target}\t{format_float(weight)}\n")
        # One write per 64k rows keeps memory flat and the loop cheap.
        if len(chunk) >= 1 << 16:
            output.write(_graph_rows(chunk, first))
            chunk, first = [], False
    output.write(_graph_rows(chunk, first))


def _graph_rows(rows: list[str], first: bool) -> str:
    """The rows as one text, if :func:`read_graph_links` reads each back as it was written
    (checked on the whole text at once, in C; then row by row to name the bad one)."""
    text = "".join(rows)
    starts = ("#", "*", "\t", "\ufeff") if first else ("#", "*", "\t")
    if (
        text.count("\t") == 2 * len(rows) and text.count("\n") == len(rows) and not text.startswith(starts)
        and "\n#" not in text and "\n*" not in text and "\t\t" not in text and "\n\t" not in text
    ):
        return text
    for row in rows:
        source, _, rest = row.partition("\t")
        target = rest.rpartition("\t")[0]
        if row.count("\t") != 2 or row.count("\n") != 1 or not source or not target or row.startswith(starts):
            raise ValueError(
                f"link {source!r} -> {target!r} cannot be read back from a graph file: labels must be "
                "non-empty, without tabs or line ends, and a source must not start with '#' or '*'"
            )
        starts = ("#", "*", "\t")
    raise AssertionError("unreachable: some row failed the check above")


def read_graph_links(path: str, *, allow_empty: bool = False, chunk_links: int = GRAPH_CHUNK_LINKS) -> Iterator[tuple]:
    """The links of a graph file, a chunk at a time: the parser of :func:`wordmine.read_graph`,
    which adds up repeated links chunk by chunk, so that memory follows the distinct links.

    A line is ``source<TAB>target[<TAB>weight]`` (labels are any strings without a tab), or
    the reference's link list ``source target [weight]`` separated by spaces; a missing weight
    is 1. Lines starting with ``#`` (comments, :data:`GRAPH_HEADER`) or ``*`` (Pajek-style
    ``*Vertices``/``*Edges`` headings) and blank lines are skipped. A link of weight 0 carries
    no flow: it is left out, and a label named only by such links is not a node.

    Args:
        path: the file, or ``-`` for standard input (gzip, bzip2 and xz are read too).
        allow_empty: a file without links yields nothing (else it is an error).
        chunk_links: links per chunk.

    Yields:
        ``(new_labels, source, target, weight)``: the labels first named in this chunk (node
        ``i`` is the ``i``-th label over all chunks), and numpy arrays of the chunk's links:
        int64 node ids and float64 weights > 0, in file order.

    Raises:
        FormatError: naming file and line: a line without two labels and at most a weight, a
            weight that is not a finite number >= 0, or a wordmine table of another kind; a
            file without links (unless ``allow_empty``).
        InputError: the file is missing or not valid UTF-8, or its compressed data is corrupt.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "graph.tsv")
    >>> _ = p.write_text("# source\\ttarget\\tweight\\n新词\\t发现\\t0.5\\n发现\\t挖掘\\n挖掘\\t词频\\t0\\n", encoding="utf-8")
    >>> [(new, s.tolist(), t.tolist(), w.tolist()) for new, s, t, w in read_graph_links(str(p))]
    [(['新词', '发现', '挖掘'], [0, 1], [1, 2], [0.5, 1.0])]
    """
    from .files import read_utf8_lines

    counts = {"links": 0, "zero": 0}

    def parsed(lines: Iterable[str], first: int) -> Iterator[tuple[str, str, float]]:
        for lineno, line in enumerate(lines, first):
            line = line.rstrip("\r\n")
            if lineno == 1:
                kind = table_kind(line)
                if kind is not None and kind != _KINDS[tuple(GRAPH_HEADER.split("\t"))]:
                    raise FormatError(f"{path}:1: this is {kind}, not a graph; make one with `wordmine graph`")
            if not line.strip() or line.startswith("#") or line.startswith("*"):
                continue
            fields = line.split("\t") if "\t" in line else line.split()
            if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
                raise FormatError(f"{path}:{lineno}: expected 'source<TAB>target[<TAB>weight]', found {len(fields)} fields")
            w = 1.0
            if len(fields) == 3:
                try:
                    w = float(fields[2])
                except ValueError:
                    raise FormatError(f"{path}:{lineno}: weight {fields[2]!r} is not a number") from None
                if not 0.0 <= w < math.inf:
                    raise FormatError(f"{path}:{lineno}: weight {fields[2]!r} must be a finite number >= 0")
                if w == 0.0:
                    counts["zero"] += 1
                    continue
            counts["links"] += 1
            yield fields[0], fields[1], w

    def blocks(lines: Iterator[str]) -> Iterator[tuple[list, list, Any]]:
        """``(sources, targets, weights)`` of blocks of lines: a block of plain
        ``source<TAB>target<TAB>weight`` lines (what ``wordmine graph`` writes) is split by C
        string methods and its weights converted by numpy at once; any other block goes line by
        line through ``parsed``, which also names the line of an error."""
        import numpy as np

        # The first line goes alone: it may be a header, or the header of another kind of table.
        head = list(parsed(itertools.islice(lines, 1), 1))
        lineno = 2
        while True:
            block = list(itertools.islice(lines, chunk_links))
            if not block and not head:
                return
            fast = None if head else _plain_links(block)
            if fast is None:
                triples = head + list(parsed(block, lineno))
                head = []
                sources, targets, weights = [t[0] for t in triples], [t[1] for t in triples], np.array([t[2] for t in triples], np.float64)
            else:
                sources, targets, weights = fast
                zero = weights == 0.0
                if zero.any():
                    counts["zero"] += int(zero.sum())
                    keep = np.flatnonzero(~zero).tolist()
                    sources, targets, weights = [sources[i] for i in keep], [targets[i] for i in keep], weights[~zero]
                counts["links"] += len(weights)
            lineno += len(block)
            yield sources, targets, weights

    lines = read_utf8_lines(path)
    try:
        yield from _numbered(blocks(lines))
    finally:
        lines.close()
    zero = counts["zero"]
    if zero:
        import logging

        logging.getLogger(__name__).info("%s: %d links of weight 0 left out (they carry no flow)", path, zero)
    if counts["links"] == 0 and not allow_empty:
        also = f" (its {zero} links of weight 0 carry no flow)" if zero else ""
        raise FormatError(f"{path}: no links{also}; expected lines 'source<TAB>target[<TAB>weight]' with weights > 0")


def _plain_links(block: list[str]):
    """``(sources, targets, weights)`` of lines (without their line ends) that are all
    ``source<TAB>target<TAB>weight`` with non-empty labels and finite weights >= 0; None for
    any other block."""
    import numpy as np

    text = "\n".join(block)
    if "\r" in text or "" in block or "\n#" in text or "\n*" in text or text[:1] in ("#", "*"):
        return None
    if not all(line.count("\t") == 2 for line in block):
        return None
    cells = "\t".join(block).split("\t")
    sources, targets = cells[0::3], cells[1::3]
    if "" in sources or "" in targets:
        return None
    try:
        weights = np.array(cells[2::3], dtype=np.float64)
    except ValueError:
        return None
    if not (np.isfinite(weights).all() and (weights >= 0).all()):
        return None
    return sources, targets, weights


def link_chunks(links: Iterable[tuple[Any, Any, float]], chunk_links: int = GRAPH_CHUNK_LINKS) -> Iterator[tuple]:
    """Links ``(source, target, weight)`` numbered and packed into numpy chunks, in order.

    The one numbering of links, for links in memory (:meth:`wordmine.cluster.Network.from_edges`)
    as for a graph file (:func:`read_graph_links`): node ``i`` is the ``i``-th label met.
    Weights are taken as they are (the callers have checked them).

    Yields:
        ``(new_labels, source, target, weight)``: the labels first met in this chunk, int64
        node ids and float64 weights.

    >>> [(new, s.tolist(), t.tolist(), w.tolist()) for new, s, t, w in link_chunks([("a", "b", 1.0), ("b", "c", 2.0)])]
    [(['a', 'b', 'c'], [0, 1], [1, 2], [1.0, 2.0])]
    """
    def blocks():
        it = iter(links)
        while True:
            block = list(itertools.islice(it, chunk_links))
            if not block:
                return
            yield [a for a, _, _ in block], [b for _, b, _ in block], [w for _, _, w in block]

    return _numbered(blocks())


def _numbered(blocks: Iterable[tuple[list, list, Any]]) -> Iterator[tuple]:
    """Number the labels of blocks of ``(sources, targets, weights)`` in the order they are met
    (the source of a link before its target): ``(new_labels, source ids, target ids, weights)``."""
    import numpy as np

    index: dict = {}
    for sources, targets, weights in blocks:
        # dict.fromkeys keeps the first-met order, in C; only the labels new to the index remain.
        met = dict.fromkeys(itertools.chain.from_iterable(zip(sources, targets)))
        new = [label for label in met if label not in index]
        index.update(zip(new, range(len(index), len(index) + len(new))))
        get = index.__getitem__
        yield (
            new,
            np.fromiter(map(get, sources), np.int64, len(sources)),
            np.fromiter(map(get, targets), np.int64, len(targets)),
            np.asarray(weights, dtype=np.float64),
        )


def _module_rows(result) -> list[tuple[int, float, object]]:
    """``(module, flow, label)`` per node: modules numbered from 1 (module 1 has the most flow),
    sorted by module, then flow descending, then label (code point order)."""
    rows = zip((m + 1 for m in result.modules.tolist()), result.flow.tolist(), result.labels)
    return sorted(rows, key=lambda row: (row[0], -row[1], row[2]))


def _savings(result) -> float:
    """Relative codelength savings 1 - L / L1 (the reference's), 0 when L1 is 0."""
    one_level = result.one_level_codelength
    return 1.0 - result.codelength / one_level if one_level > 0 else 0.0


def _check_space_separated(label: str, format: str) -> None:
    # .clu and .tree fields are separated by spaces, .tree names are in double quotes, and a
    # .clu line starting with '#' is a comment: such labels cannot be written (nor read back).
    text = str(label)
    if not text or any(ch.isspace() for ch in text) or '"' in text or (format == "clu" and text.startswith("#")):
        raise FormatError(
            f"node {text!r} cannot be written in the {format} format (fields separated by spaces, "
            "names in double quotes, '#' starts a comment); use the tsv format"
        )


def write_modules(
    result,
    output: str | IO[str] = STDIN,
    *,
    format: str = "tsv",
    header: bool = True,
    directed: bool = False,
    trials: int | None = None,
    seed: int | None = None,
) -> None:
    """Write the modules of an InfoMap partition, atomically when ``output`` is a path.

    Modules are numbered from 1 in every format, as mapequation/infomap numbers them: module 1
    has the most flow (module ``m`` is ``result.modules == m - 1``). Rows are sorted by module,
    then node flow descending, then label (code point order); flows have six significant digits.

    Args:
        result: a :class:`wordmine.cluster.InfomapResult`.
        output: a path, ``-`` for stdout, or an open text file.
        format: ``"tsv"``: ``node<TAB>module<TAB>flow`` (:data:`MODULE_TABLE`, read back by
            :func:`read_modules`); ``"clu"``: ``node module flow`` lines of mapequation/infomap's
            ``.clu`` files; ``"tree"``: ``path flow "name" node`` lines of its ``.tree`` files,
            the path ``module:rank`` (rank 1 = the most flow in the module). The reference
            writes integer node ids; here the node label is the id (and the tree's name).
        header: write the header row (tsv) or the ``#`` comment lines (clu and tree: the
            reference's header lines that apply: levels and modules, codelength, savings,
            flow model, trials and seed when given; no timestamps, so output is reproducible).
        directed: the flow model named in the clu and tree headers.
        trials, seed: named in the clu and tree headers, when given.

    Raises:
        FormatError: clu and tree only: a label with whitespace or a double quote (or, for clu,
            a leading ``#``), which those space-separated formats cannot hold.
        ValueError: an unknown format.

    >>> import io
    >>> from wordmine.cluster import infomap
    >>> result = infomap([("猫", "狗"), ("狗", "兔"), ("兔", "猫"), ("车", "船"), ("船", "桥"), ("桥", "车"), ("兔", "车")])
    >>> out = io.StringIO()
    >>> write_modules(result, out)
    >>> out.getvalue().splitlines()[:4]
    ['node\\tmodule\\tflow', '兔\\t1\\t0.214286', '狗\\t1\\t0.142857', '猫\\t1\\t0.142857']
    >>> out = io.StringIO()
    >>> write_modules(result, out, format="tree", trials=1, seed=123)
    >>> print(out.getvalue(), end="")  # doctest: +ELLIPSIS
    # written by wordmine ... (two-level map equation) in the .tree format of mapequation/infomap
    # trials 1
    # seed 123
    # partitioned into 2 levels with 2 top modules
    # codelength 2.32073 bits
    # relative codelength savings 9.22792%
    # flow model undirected
    # path flow name node_id
    1:1 0.214286 "兔" 兔
    1:2 0.142857 "狗" 狗
    1:3 0.142857 "猫" 猫
    2:1 0.214286 "车" 车
    2:2 0.142857 "桥" 桥
    2:3 0.142857 "船" 船
    """
    if format not in MODULE_FORMATS:
        raise ValueError(f"unknown module format {format!r}; use one of {', '.join(MODULE_FORMATS)}")
    rows = _module_rows(result)
    if format != "tsv":
        for _, _, label in rows:
            _check_space_separated(label, format)
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_modules(result, f, format=format, header=header, directed=directed, trials=trials, seed=seed)
        return
    if format == "tsv":
        lines = [f"{label}\t{module}\t{format_float(flow)}\n" for module, flow, label in rows]
        if header:
            output.write("\t".join(MODULE_TABLE) + "\n")
    elif format == "clu":
        lines = [f"{label} {module} {format_float(flow)}\n" for module, flow, label in rows]
        if header:
            output.write(_reference_header(result, "clu", directed, trials, seed) + "# module level 1\n# node_id module flow\n")
    else:
        lines, rank, previous = [], 0, None
        for module, flow, label in rows:
            rank = rank + 1 if module == previous else 1
            previous = module
            lines.append(f'{module}:{rank} {format_float(flow)} "{label}" {label}\n')
        if header:
            output.write(_reference_header(result, "tree", directed, trials, seed) + "# path flow name node_id\n")
    for i in range(0, len(lines), 1 << 16):
        output.write("".join(lines[i : i + (1 << 16)]))


def _reference_header(result, format: str, directed: bool, trials: int | None, seed: int | None) -> str:
    """The header lines of mapequation/infomap's files that apply to a two-level partition.

    The reference's first lines (its version, command line, start time, run time) are replaced
    by one line naming wordmine: a version line ``# v2...`` would claim to be the reference.
    """
    from . import __version__

    lines = [f"# written by wordmine {__version__} (two-level map equation) in the .{format} format of mapequation/infomap"]
    if trials is not None:
        lines.append(f"# trials {trials}")
    if seed is not None:
        lines.append(f"# seed {seed}")
    lines += [
        f"# partitioned into 2 levels with {result.num_modules} top modules",
        f"# codelength {format_float(result.codelength)} bits",
        f"# relative codelength savings {format_float(100 * _savings(result))}%",
        f"# flow model {'directed' if directed else 'undirected'}",
    ]
    return "\n".join(lines) + "\n"


@_utf8_errors
def read_modules(path: str) -> dict[str, int]:
    """Read a module table written by :func:`write_modules` (tsv, with or without its header).

    Returns:
        node -> module (numbered from 1, as in the file), in file order.

    Raises:
        FormatError: naming file and line: a table of another kind, a row without exactly three
            fields, a module that is not a positive integer, a flow that is not a number
            between 0 and 1, or a node listed twice.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "modules.tsv")
    >>> _ = p.write_text("node\\tmodule\\tflow\\n兔\\t1\\t0.214286\\n车\\t2\\t0.214286\\n", encoding="utf-8")
    >>> read_modules(str(p))
    {'兔': 1, '车': 2}
    """
    return {node: module for node, module, _flow in read_module_rows(path)}


@_utf8_errors
def read_module_rows(path: str) -> list[tuple[str, int, float]]:
    """Read a module table as :func:`read_modules` does, with each node's flow.

    Returns:
        ``(node, module, flow)`` rows in file order (by module, then flow descending).

    Raises:
        FormatError: as :func:`read_modules`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "modules.tsv")
    >>> _ = p.write_text("node\\tmodule\\tflow\\n兔\\t1\\t0.25\\n", encoding="utf-8")
    >>> read_module_rows(str(p))
    [('兔', 1, 0.25)]
    """
    rows: list[tuple[str, int, float]] = []
    seen: set[str] = set()
    for lineno, fields in _table_rows(path, MODULE_TABLE, "a module table from wordmine cluster (--format tsv)"):
        node, module, flow = fields
        if not (module.isdigit() and module.isascii()) or int(module) < 1:
            raise FormatError(f"{path}:{lineno}: module {module!r} is not a positive integer")
        try:
            value = float(flow)
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            raise FormatError(f"{path}:{lineno}: flow {flow!r} is not a number between 0 and 1")
        if node in seen:
            raise FormatError(f"{path}:{lineno}: node {node!r} is listed twice")
        seen.add(node)
        rows.append((node, int(module), value))
    return rows


def cluster_summary(result, graph, *, trials: int = 1, seed: int = 123, top: int = SUMMARY_MODULES) -> dict:
    """The numbers of an InfoMap run, for ``--summary-json``: graph size, codelengths, modules.

    Args:
        result: a :class:`wordmine.cluster.InfomapResult` of ``graph``.
        graph: the :class:`wordmine.cluster.Network` (nodes, links, directed).
        trials, seed: as given to :func:`wordmine.cluster.infomap`.
        top: describe the ``top`` modules with the most flow (numbered from 1, as in
            :func:`write_modules`): their number of nodes, flow and up to
            :data:`SUMMARY_NODES` labels of most flow.

    >>> from wordmine.cluster import Network, infomap
    >>> g = Network.from_edges([("猫", "狗"), ("狗", "兔"), ("兔", "猫"), ("车", "船"), ("船", "桥"), ("桥", "车"), ("兔", "车")])
    >>> s = cluster_summary(infomap(g), g, top=1)
    >>> s["nodes"], s["links"], s["num_modules"], round(s["codelength"], 5), s["top_modules"]
    (6, 7, 2, 2.32073, [{'module': 1, 'nodes': 3, 'flow': 0.5, 'top_nodes': ['兔', '狗', '猫']}])
    """
    members: list[list[tuple[float, object]]] = []
    for module, flow, label in _module_rows(result):
        if module > top:
            break
        if len(members) < module:
            members.append([])
        members[-1].append((flow, label))
    modules = [
        {
            "module": i,
            "nodes": len(rows),
            "flow": math.fsum(flow for flow, _ in rows),
            "top_nodes": [label for _, label in rows[:SUMMARY_NODES]],
        }
        for i, rows in enumerate(members, 1)
    ]
    return {
        "nodes": graph.n,
        "links": len(graph.source),
        "directed": bool(graph.directed),
        "trials": trials,
        "seed": seed,
        "codelength": result.codelength,
        "index_codelength": result.index_codelength,
        "module_codelength": result.module_codelength,
        "one_level_codelength": result.one_level_codelength,
        "relative_codelength_savings": _savings(result),
        "num_modules": result.num_modules,
        "top_modules": modules,
    }


def write_cluster_summary(
    result, graph, output: str | IO[str] = STDIN, *, trials: int = 1, seed: int = 123, top: int = SUMMARY_MODULES
) -> None:
    """Write :func:`cluster_summary` as JSON (UTF-8, indented), atomically when ``output`` is a path.

    >>> import io, json
    >>> from wordmine.cluster import Network, infomap
    >>> g = Network.from_edges([("新词", "发现"), ("发现", "挖掘")])
    >>> out = io.StringIO()
    >>> write_cluster_summary(infomap(g), g, out)
    >>> summary = json.loads(out.getvalue())
    >>> summary["num_modules"], summary["top_modules"][0]["top_nodes"]
    (1, ['发现', '挖掘', '新词'])
    """
    import json

    if isinstance(output, str):
        with atomic_write(output) as f:
            write_cluster_summary(result, graph, f, trials=trials, seed=seed, top=top)
        return
    summary = cluster_summary(result, graph, trials=trials, seed=seed, top=top)
    output.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")


def codelength_report(result) -> str:
    """One line on an InfoMap result: two-level codelength (index + module), one-level, modules.

    >>> from wordmine.cluster import infomap
    >>> codelength_report(infomap([("猫", "狗"), ("狗", "兔"), ("兔", "猫"), ("车", "船"), ("船", "桥"), ("桥", "车"), ("兔", "车")]))
    'codelength 2.32073 bits (index 0.142857 + module 2.17787; one-level 2.55666 bits, 9.22792% saved) in 2 modules'
    """
    return (
        f"codelength {format_float(result.codelength)} bits (index {format_float(result.index_codelength)} "
        f"+ module {format_float(result.module_codelength)}; one-level {format_float(result.one_level_codelength)} bits, "
        f"{format_float(100 * _savings(result))}% saved) in {result.num_modules} modules"
    )


# --------------------------------------------------------------------------- npz containers

#: dtype kinds an npz member may have: numbers and booleans (an object array would be read as
#: raw pointers when memory-mapped, and unpickling one runs code).
_NPZ_KINDS = "biuf"


def write_npz(raw: IO[bytes], arrays: Mapping[str, object]) -> None:
    """Write arrays as an uncompressed npz (``numpy.load`` reads it; :func:`read_npz` maps it).

    Members get a fixed timestamp, so the same arrays give the same bytes; large arrays (a
    memory map, say) are written in slices.
    """
    import numpy as np

    # A seekable file lets zipfile write sizes in place; stdout is not, so go through memory.
    target = raw if raw.seekable() else io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            array = array if isinstance(array, np.memmap) else np.asarray(array)  # a map is read, not touched
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=True) as out:
                np.lib.format.write_array_header_2_0(out, np.lib.format.header_data_from_array_1_0(array))
                for piece in _slices(array, 1 << 22):
                    out.write(piece)  # zipfile takes a buffer: no copy of the piece
    if target is not raw:
        raw.write(target.getvalue())


def _slices(array, step: int):
    """Consecutive C-order pieces of ``array``'s data, about ``step`` values each."""
    if array.ndim == 0:
        yield array.reshape(-1)
        return
    rows = max(1, step // max(1, array.size // max(1, len(array))))
    for lo in range(0, len(array), rows):
        yield read_rows(array, lo, lo + rows).reshape(-1)


def read_rows(array, start: int, stop: int):
    """Rows ``start:stop`` of an array, as a copy in memory; read from the file with plain reads
    when the array is a whole memory map (``numpy.load(..., mmap_mode="r")``, or a member of an
    npz that :func:`read_npz` mapped).

    Pages of a map that were touched count in the process's resident memory until the map is
    closed: a merge or a writer that went through its input's map would look (to ``ps``, to a
    cgroup's memory limit) as large as the input. Read into memory, the rows are all there is.

    >>> import tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.arange(6, dtype=np.uint64).reshape(3, 2))
    >>> read_rows(np.load(path, mmap_mode="r"), 1, 3).tolist()
    [[2, 3], [4, 5]]
    """
    import numpy as np

    stop = max(start, min(stop, len(array)))
    # A slice of a map has the map, not the mmap, as its base, and keeps the map's offset.
    if not (isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap) and array.flags.c_contiguous):
        return np.array(array[start:stop])
    per_row = array.size // len(array) if len(array) else 1
    with open(array.filename, "rb") as f:
        f.seek(array.offset + start * per_row * array.itemsize)
        rows = np.fromfile(f, dtype=array.dtype, count=(stop - start) * per_row)
    return rows.reshape((stop - start, *array.shape[1:]))


def read_every(array, step: int):
    """Every ``step``-th row of an array (``array[::step]``), as a copy in memory; from a whole
    memory map (see :func:`read_rows`), read row by row with ``pread``, so that sampling a run
    on disk does not page the whole of it into this process (a merge of 1 GiB of text sampled
    1.5 GB of runs so).

    >>> import tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
    >>> np.save(path, np.arange(10, dtype=np.uint64))
    >>> read_every(np.load(path, mmap_mode="r"), 4).tolist()
    [0, 4, 8]
    """
    import numpy as np

    if not (isinstance(array, np.memmap) and isinstance(array.base, mmap.mmap) and array.flags.c_contiguous) or len(array) == 0:
        return np.array(array[::step])
    row = array.nbytes // len(array)
    fd = os.open(array.filename, os.O_RDONLY)
    try:
        data = b"".join(os.pread(fd, row, array.offset + i * row) for i in range(0, len(array), step))
    finally:
        os.close(fd)
    return np.frombuffer(data, dtype=array.dtype).reshape((-1, *array.shape[1:])).copy()


def read_npz(path: str, *, mmap: bool = True) -> dict:
    """The arrays of an npz file, stored members memory-mapped (read-only).

    Raises:
        FormatError: not a zip archive, damaged, or a member that is not a plain numeric
            ``.npy`` array (object arrays are refused: they could run code or crash).
    """
    import numpy as np

    arrays = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                with zf.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    shape, fortran, dtype = _npy_header(member, version)
                if dtype.kind not in _NPZ_KINDS or dtype.hasobject:
                    raise FormatError(f"{path}: member {name!r} has dtype {dtype}, not numbers; this is not a wordmine table")
                if mmap and info.compress_type == zipfile.ZIP_STORED and not fortran:
                    arrays[name] = _map_member(path, info, version, shape, dtype)
                else:
                    with zf.open(info) as f:
                        arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
    except FormatError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise FormatError(f"{path}: not a readable npz file ({err})") from None
    return arrays


def _npy_header(f, version):
    import numpy as np

    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in readers:
        raise ValueError(f"unsupported .npy version {version}")
    return readers[version](f)


def _map_member(path: str, info: zipfile.ZipInfo, version, shape, dtype):
    """Memory-map a stored (uncompressed) .npy member of a zip file."""
    import numpy as np

    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        np.lib.format.read_magic(f)
        _npy_header(f, version)
        offset = f.tell()
        f.seek(0, os.SEEK_END)
        size = f.tell()
    count = 1
    for d in shape:
        count *= int(d)
    if offset + count * dtype.itemsize > size:
        raise ValueError(f"member {info.filename} is truncated")
    if count == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="C")


def read_json_member(arrays: Mapping, name: str, path: str) -> dict:
    """Decode a JSON document stored as a uint8 member (the ``meta`` of wordmine's npz files).

    Raises:
        FormatError: the member is missing or not a JSON object.
    """
    try:
        value = json.loads(bytes(arrays[name]).decode("utf-8"))
    except (KeyError, ValueError, TypeError):
        raise FormatError(f"{path}: no readable {name!r} member; this is not a wordmine table") from None
    if not isinstance(value, dict):
        raise FormatError(f"{path}: its {name!r} member is not a JSON object; this is not a wordmine table")
    return value
