"""Where bytes come from and go to: input expansion, ``-``, compression, encodings, atomic writes.

Inputs are paths, directories (walked recursively, hidden entries skipped), shell-style globs
(``**`` included) or ``-`` for standard input. Compressed inputs (gzip, bzip2, xz) are recognised by
their magic bytes, so a compressed stream on stdin works too. Outputs are written through
:func:`atomic_write`: the data goes to a temporary file beside the target, which replaces the
target only when everything was written, so an interrupted run never leaves a half-written file.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> with atomic_write(os.path.join(d, "out.txt")) as f:
...     _ = f.write("词\\t1\\n")
>>> import pathlib
>>> pathlib.Path(d, "out.txt").read_text(encoding="utf-8")
'词\\t1\\n'
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import glob
import gzip
import io
import lzma
import os
import sys
import tempfile
from typing import IO, Iterable, Iterator

from .errors import InputError

_LINE_BLOCK = 1 << 16
_UTF8_BOM = b"\xef\xbb\xbf"

__all__ = [
    "DEFAULT_ENCODING",
    "STDIN",
    "atomic_write",
    "cache_dir",
    "check_encoding",
    "expand_inputs",
    "input_size",
    "open_input",
    "open_text",
    "read_utf8_lines",
]

#: UTF-8 that also accepts (and drops) a leading byte-order mark.
DEFAULT_ENCODING = "utf-8-sig"
#: The name that means standard input or standard output.
STDIN = "-"

# Magic numbers from the gzip (RFC 1952), bzip2 and xz file format specifications.
_MAGIC = [
    (b"\x1f\x8b", gzip.GzipFile),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
]
_GLOB_CHARS = set("*?[")


def check_encoding(name: str) -> str:
    """Return the codec name to decode ``name`` with, or ``"auto"``.

    Only encodings that keep ASCII bytes as they are (UTF-8, GB18030, GBK, Big5, ...) are
    accepted, because lines are split on the byte ``\\n`` before decoding.

    >>> check_encoding("GBK"), check_encoding("auto")
    ('gbk', 'auto')
    >>> check_encoding("utf-16")
    Traceback (most recent call last):
    ...
    ValueError: encoding 'utf-16' is not ASCII-compatible; convert the file to UTF-8 (iconv -f utf-16 -t utf-8)
    """
    if name == "auto":
        return name
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}; try utf-8, gb18030 or big5") from None
    if "\n a1".encode(info.name) != b"\n a1":
        raise ValueError(
            f"encoding {name!r} is not ASCII-compatible; "
            f"convert the file to UTF-8 (iconv -f {name} -t utf-8)"
        )
    # A UTF-8 byte-order mark is dropped whether the user said utf-8 or utf-8-sig.
    return "utf-8-sig" if info.name in ("utf-8", "utf-8-sig") else info.name


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Expand paths, directories and globs into a list of files (``-`` stays as it is).

    Directories are walked recursively in sorted order, skipping names that start with a dot.

    Raises:
        InputError: a path does not exist, a glob matches nothing, or a directory has no files.

    >>> expand_inputs(["-"])
    ['-']
    >>> expand_inputs(["/nonexistent/corpus.txt"])
    Traceback (most recent call last):
    ...
    wordmine.errors.InputError: /nonexistent/corpus.txt: no such file or directory
    """
    files: list[str] = []
    for name in inputs:
        if name == STDIN:
            files.append(name)
        elif os.path.isdir(name):
            found = _walk(name)
            if not found:
                raise InputError(f"{name}: directory holds no files; give a directory of text files")
            files.extend(found)
        elif os.path.exists(name):
            files.append(name)
        elif _GLOB_CHARS & set(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                raise InputError(f"{name}: no file matches this pattern")
            files.extend(expand_inputs(matches))
        else:
            raise InputError(f"{name}: no such file or directory")
    if not files:
        raise InputError("no input given; name files, directories, globs or - for stdin")
    return files


def _walk(top: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
    return found


def input_size(files: Iterable[str]) -> int | None:
    """Total size in bytes of the files as stored (compressed size), or None if one is stdin.

    >>> input_size(["-"]) is None
    True
    """
    total = 0
    for name in files:
        if name == STDIN:
            return None
        total += os.path.getsize(name)
    return total


@contextlib.contextmanager
def open_input(name: str) -> Iterator[tuple[IO[bytes], callable]]:
    """Open a file or ``-`` for binary reading, decompressing gzip, bzip2 or xz transparently.

    Yields ``(stream, position)``: ``position()`` is how many bytes of the stored file were
    consumed so far (for progress bars), or of the decompressed stream for stdin.

    Raises:
        InputError: the file cannot be opened or its compressed data is corrupt.
    """
    if name == STDIN:
        raw = sys.stdin.buffer
        owned = None
    else:
        try:
            raw = owned = open(name, "rb")
        except OSError as err:
            raise InputError(f"{name}: cannot open: {err.strerror}") from None
    try:
        head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        opener = next((op for magic, op in _MAGIC if head.startswith(magic)), None)
        stream = opener(fileobj=raw) if opener is gzip.GzipFile else (opener(raw) if opener else raw)
        if owned is not None:
            position = owned.tell
        else:
            position = _Counting(stream)
            stream = position
        try:
            yield stream, position
        except (EOFError, OSError, lzma.LZMAError) as err:
            # Truncated or corrupt compressed data surfaces as one of these while reading.
            if opener is None:
                raise
            raise InputError(f"{name}: compressed data is corrupt or truncated ({err})") from None
    finally:
        if owned is not None:
            owned.close()


@contextlib.contextmanager
def open_text(name: str, encoding: str = DEFAULT_ENCODING) -> Iterator[IO[str]]:
    """Open a file or ``-`` for reading text, decompressed as :func:`open_input` does.

    Lines keep their ends and end at ``\n`` only (``newline=""``): readers strip ``\r\n``.
    This is how every table reader opens its file, so each accepts what the README promises:
    a path, ``-``, and gzip, bzip2 or xz data.

    Raises:
        InputError: the file cannot be opened or its compressed data is corrupt.
    """
    with open_input(name) as (stream, _position):
        if not isinstance(stream, io.BufferedIOBase):
            stream = io.BufferedReader(stream)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            yield text
        finally:
            text.detach()  # open_input closes what it opened; stdin stays open


class _Counting(io.RawIOBase):
    """Counts the bytes read through it: the progress position of a stream without ``tell``."""

    def __init__(self, stream):
        self._stream = stream
        self.count = 0

    def read(self, size=-1):
        data = self._stream.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self):
        return True

    def __call__(self):
        return self.count


#: atomic_write's temporary file beside ``path``: hidden, named after it (``.NAME.<random>.tmp``).
_TMP_PREFIX = ".{}."
_TMP_SUFFIX = ".tmp"


def leftover_temporaries(path: str) -> list[str]:
    """The temporary files that :func:`atomic_write` left beside ``path`` when its process was
    killed (SIGKILL gives it no chance to clean up). Only the caller knows none is in use.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, ".t.tsv.k3j.tmp"), "w").close()
    >>> [os.path.basename(p) for p in leftover_temporaries(os.path.join(d, "t.tsv"))]
    ['.t.tsv.k3j.tmp']
    """
    directory, name = os.path.split(os.path.abspath(path))
    prefix = _TMP_PREFIX.format(name)
    return sorted(os.path.join(directory, e) for e in os.listdir(directory) if e.startswith(prefix) and e.endswith(_TMP_SUFFIX))


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "w") -> Iterator[IO]:
    """Open ``path`` for writing so that it appears complete or not at all.

    Data goes to a hidden temporary file in the same directory (so ``os.replace`` is atomic);
    on success it replaces ``path``, on any exception (Ctrl-C included) it is deleted and an
    existing ``path`` is left untouched. ``-`` writes to standard output instead. Text mode
    writes UTF-8 without BOM and ``\\n`` line ends, on stdout too.

    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "t.tsv")
    >>> try:
    ...     with atomic_write(target) as f:
    ...         _ = f.write("half")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> os.path.exists(target), os.listdir(os.path.dirname(target))
    (False, [])
    """
    binary = "b" in mode
    if path == STDIN:
        sys.stdout.flush()
        out = sys.stdout.buffer
        if binary:
            yield out
            out.flush()
        else:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=False)
            try:
                yield text
                text.flush()
            finally:
                text.detach()  # leave sys.stdout usable after we are done
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=_TMP_PREFIX.format(os.path.basename(path)), suffix=_TMP_SUFFIX)
    try:
        if binary:
            f = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with f:
            yield f
        # mkstemp creates the file 0600; give the result the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cache_dir() -> str:
    """A per-user cache directory (``$WORDMINE_CACHE``, else ``$XDG_CACHE_HOME/wordmine``).

    jieba's own default, one ``jieba.cache`` in the shared temp directory, breaks when several
    users run cron jobs on one host; a per-user directory avoids that.

    >>> os.path.isdir(cache_dir())
    True
    """
    base = os.environ.get("WORDMINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "wordmine",
    )
    try:
        os.makedirs(base, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except OSError:
        pass
    fallback = os.path.join(tempfile.gettempdir(), f"wordmine-{os.getuid()}")
    os.makedirs(fallback, mode=0o700, exist_ok=True)
    return fallback


def read_utf8_lines(path: str) -> Iterator[str]:
    """The lines of a UTF-8 file (BOM dropped, line ends kept); decoding errors name the line.

    ``-`` is stdin; compressed files are read as such. Lines end at ``\\n`` only (as the SIGHAN scorer reads them): a ``\\r`` before it is whitespace to
    ``str.split``, and no other character (U+2028, form feed, ...) ends a line.
    """
    with open_input(path) as (stream, _position):
        pending = b""
        lineno = 0
        while True:
            block = stream.read(_LINE_BLOCK)
            if not block:
                break
            lines = (pending + block).split(b"\n")
            pending = lines.pop()
            for raw in lines:
                lineno += 1
                yield _decode_line(raw, path, lineno)
        if pending:
            yield _decode_line(pending, path, lineno + 1)


def _decode_line(raw: bytes, path: str, lineno: int) -> str:
    if lineno == 1 and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{path}:{lineno}: not valid UTF-8 (byte 0x{raw[err.start]:02x} at byte {err.start + 1} "
            "of the line); convert the file to UTF-8 (iconv -f gb18030 -t utf-8, say)"
        ) from None
