"""Where bytes come from and go to: input expansion, ``-``, compression, encodings, atomic writes.

Inputs are paths, directories (walked recursively, hidden entries skipped), shell-style globs
(``**`` included) or ``-`` for standard input. Compressed inputs (gzip, bzip2, xz) are recognised by
their magic bytes, so a compressed stream on stdin works too. Outputs are written through
:func:`atomic_write`: the data goes to a temporary file beside the target, which replaces the
target only when everything was written, so an interrupted run never leaves a half-written file.
Commands check their output with :func:`check_writable` and :func:`check_output` before the work,
not after hours of counting. Temporary files and directories carry the owner's process id, so a
later run removes those of killed runs (:func:`remove_stale_temporaries`,
:func:`temporary_directory`). Every message that names a file shows it through :func:`shown`.

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
import errno
import functools
import glob
import gzip
import io
import logging
import lzma
import os
import re
import shutil
import stat
import sys
import tempfile
import weakref
from typing import IO, Callable, Iterable, Iterator

from . import defaults
from .errors import InputError, OutputError

_LINE_BLOCK = 1 << 16
_UTF8_BOM = b"\xef\xbb\xbf"

__all__ = [
    "DEFAULT_ENCODING",
    "STDIN",
    "atomic_write",
    "cache_dir",
    "check_encoding",
    "check_output",
    "check_writable",
    "expand_inputs",
    "input_size",
    "leftover_temporaries",
    "open_input",
    "open_text",
    "read_utf8_lines",
    "remove_stale_temporaries",
    "shown",
    "temporary_directory",
    "temporary_workspace",
]

log = logging.getLogger(__name__)

#: UTF-8 that also accepts (and drops) a leading byte-order mark.
DEFAULT_ENCODING = defaults.ENCODING
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
    if info.name != "utf-8-sig" and "\n a1".encode(info.name) != b"\n a1":
        raise ValueError(
            f"encoding {name!r} is not ASCII-compatible; "
            f"convert the file to UTF-8 (iconv -f {name} -t utf-8)"
        )
    # A UTF-8 byte-order mark is dropped whether the user said utf-8 or utf-8-sig.
    return "utf-8-sig" if info.name in ("utf-8", "utf-8-sig") else info.name


def shown(name: str) -> str:
    """A file name as messages show it: as it is, or quoted like a Python string literal when it
    holds a character that would garble a message (a newline, a control or format character, or
    a byte that is not UTF-8, which Python keeps as a lone surrogate and cannot print).

    >>> shown("语料/新闻.txt")
    '语料/新闻.txt'
    >>> print(shown("a\\nb.txt"), shown("x\\udcff.txt"))
    'a\\nb.txt' 'x\\udcff.txt'
    """
    return name if name.isprintable() else repr(name)


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Expand paths, directories and globs into a list of files (``-`` stays as it is).

    Directories are walked recursively in sorted order, skipping names that start with a dot.
    What a directory walk or a glob finds must be a regular file (or a symbolic link to one):
    a FIFO, socket or device there is skipped with a logged warning (reading a FIFO nobody
    writes would hang), and so is a dangling symbolic link. A FIFO or device named on its own is
    read: that is the user's choice (``wordmine count <(zcat a.gz)``).

    Raises:
        InputError: a path does not exist, a glob matches nothing, or a directory has no files.

    >>> expand_inputs(["-"])
    ['-']
    >>> expand_inputs(["/nonexistent/corpus.txt"])
    Traceback (most recent call last):
    ...
    wordmine.errors.InputError: /nonexistent/corpus.txt: no such file or directory
    """
    if isinstance(inputs, (str, os.PathLike)):  # one path, not a list of them: not its characters
        inputs = [os.fspath(inputs)]
    files = _expand(inputs, _skip_warning)
    if not files:
        raise InputError("no input given; name files, directories, globs or - for stdin")
    return files


def _skip_warning(path: str, why: str) -> None:
    log.warning("%s: skipped: %s", shown(path), why)


def _expand(inputs: Iterable[str], skip: Callable[[str, str], None], strict: bool = True) -> list[str]:
    """expand_inputs without the final check; ``skip(path, why)`` hears of each skipped entry;
    ``strict=False`` leaves out what is missing instead of raising."""
    files: list[str] = []
    for name in inputs:
        if name == STDIN:
            files.append(name)
        elif os.path.isdir(name):
            found = [path for path in _walk(name) if _regular(path, skip)]
            if not found and strict:
                raise InputError(f"{shown(name)}: directory holds no files; give a directory of text files")
            files.extend(found)
        elif os.path.exists(name):
            files.append(name)
        elif _GLOB_CHARS & set(name):
            matches = sorted(glob.glob(name, recursive=True))
            if not matches and strict:
                raise InputError(f"{shown(name)}: no file matches this pattern")
            found = []
            for match in matches:
                if os.path.isdir(match):
                    found.extend(_expand([match], skip, strict))
                elif _regular(match, skip):
                    found.append(match)
            # "d/**" matches d/, d/sub/ and the files in them: read each file once.
            seen: set[str] = set()
            for path in found:
                if os.path.normpath(path) not in seen:
                    seen.add(os.path.normpath(path))
                    files.append(path)
        elif os.path.islink(name) and strict:
            raise InputError(
                f"{shown(name)}: broken symbolic link (to {shown(os.readlink(name))}); "
                "fix or remove the link"
            )
        elif strict:
            raise InputError(f"{shown(name)}: no such file or directory")
    return files


def _regular(path: str, skip: Callable[[str, str], None]) -> bool:
    """True if ``path`` (found by a walk or a glob) is a regular file, else ``skip`` it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            skip(path, f"broken symbolic link (to {shown(os.readlink(path))})")
        return False  # else it was removed since the listing: nothing to read
    except OSError as err:
        skip(path, f"cannot read it ({err.strerror})")
        return False
    if stat.S_ISREG(mode):
        return True
    skip(path, f"not a regular file but a {_kind(mode)}; name it on its own to read it anyway")
    return False


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _walk(top: str) -> list[str]:
    found = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
    return found


def input_size(files: Iterable[str]) -> int | None:
    """Total size in bytes of the files as stored (compressed size), or None if it cannot be
    known: one is stdin, a FIFO or a device (named on its own), or is gone since the listing
    (reading it will say so).

    >>> input_size(["-"]) is None
    True
    """
    total = 0
    for name in files:
        if name == STDIN:
            return None
        try:
            info = os.stat(name)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
    return total


@contextlib.contextmanager
def open_input(name: str) -> Iterator[tuple[IO[bytes], callable]]:
    """Open a file or ``-`` for binary reading, decompressing gzip, bzip2 or xz transparently.

    Yields ``(stream, position)``: ``position()`` is how many bytes of the stored file were
    consumed so far (for progress bars), or of the decompressed stream for stdin, a FIFO or a
    device.

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
            raise InputError(f"{shown(name)}: cannot open: {err.strerror}") from None
    try:
        head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        opener = next((op for magic, op in _MAGIC if head.startswith(magic)), None)
        stream = opener(fileobj=raw) if opener is gzip.GzipFile else (opener(raw) if opener else raw)
        if owned is not None and owned.seekable():
            position = owned.tell
        else:  # stdin, or a FIFO or device named on the command line: tell() would fail
            position = _Counting(stream)
            stream = position
        try:
            yield stream, position
        except (EOFError, OSError, lzma.LZMAError) as err:
            # Truncated or corrupt compressed data surfaces as one of these while reading.
            if opener is None:
                raise
            raise InputError(f"{shown(name)}: compressed data is corrupt or truncated ({err})") from None
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


#: atomic_write's temporary file beside ``path``: hidden, named after it and its owner,
#: ``.NAME.<pid>-<host>.<random>.tmp`` (``<host>``: :func:`_host_tag`). Before the owner was
#: named it was ``.NAME.<random>.tmp``: those are still listed, never removed as stale.
_TMP_SUFFIX = ".tmp"
_TMP_MIDDLE = re.compile(r"(?:(\d+)-([0-9a-f]{8})\.)?[a-z0-9_]+")
# Errors of a write to an open file that mean the output, not the data, is the problem.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


@functools.lru_cache(maxsize=None)
def _host_tag() -> str:
    """Eight hex digits naming this host and pid namespace, written next to a pid in temporary
    names: a pid says whether its process is alive only on the host (and in the container) that
    made it, and output or temporary directories may be shared (NFS, a bind-mounted /tmp)."""
    import hashlib
    import socket

    try:
        namespace = os.readlink("/proc/self/ns/pid")  # Linux: "pid:[4026531836]"
    except OSError:
        namespace = ""
    text = f"{socket.gethostname()}\0{namespace}"
    return hashlib.blake2s(text.encode("utf-8", "surrogateescape"), digest_size=4).hexdigest()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` (of this host and pid namespace) may still be running."""
    if os.name == "nt" or pid <= 0:
        return True  # on Windows os.kill(pid, 0) would terminate the process; <= 0 means groups
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # PermissionError: it exists but belongs to another user
    return True


def _beside(path: str) -> str:
    """The absolute path that atomic_write replaces for ``path``: a symbolic link's target."""
    return os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)


def _temporaries(path: str) -> list[tuple[str, int | None, str | None]]:
    """atomic_write's temporary files beside ``path``: ``(file, owner pid, host tag)``, the pid
    and tag None for the older names that carry no owner."""
    directory, name = os.path.split(_beside(path))
    prefix = f".{name}."
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.startswith(prefix) and entry.endswith(_TMP_SUFFIX):
            match = _TMP_MIDDLE.fullmatch(entry[len(prefix) : -len(_TMP_SUFFIX)])
            if match:
                pid = int(match[1]) if match[1] else None
                found.append((os.path.join(directory, entry), pid, match[2]))
    return sorted(found)


def leftover_temporaries(path: str) -> list[str]:
    """All temporary files of :func:`atomic_write` beside ``path``, whoever made them: those of
    killed runs (SIGKILL gives a process no chance to clean up), but maybe also those of a run
    writing ``path`` now. Only a caller that knows no other run writes there (the pipeline holds
    a lock) may delete them all; :func:`remove_stale_temporaries` deletes only the dead runs'.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> for name in [".t.tsv.k3j.tmp", ".t.tsv.4242-0a1b2c3d.k3j_x.tmp", ".t.tsv.9.k3j.tmp"]:
    ...     _ = open(os.path.join(d, name), "w").close()
    >>> [os.path.basename(p) for p in leftover_temporaries(os.path.join(d, "t.tsv"))]
    ['.t.tsv.4242-0a1b2c3d.k3j_x.tmp', '.t.tsv.k3j.tmp']
    """
    return [tmp for tmp, _pid, _tag in _temporaries(path)]


def remove_stale_temporaries(path: str) -> list[str]:
    """Delete the temporary files that killed runs of :func:`atomic_write` left beside ``path``.

    A temporary file is stale when its name says it was made on this host (and pid namespace)
    by a process that no longer exists (``os.kill(pid, 0)`` raises ProcessLookupError). A live
    owner, one of another host or container, or a name without an owner (made before names
    carried one) is left alone. A recycled pid only delays the clean-up: its file is taken for
    live until that process ends too. atomic_write calls this for its target first.

    Returns:
        The files deleted (each is also logged at INFO level).

    >>> import subprocess, sys, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
    ...                       capture_output=True, text=True).stdout.strip()
    >>> stale = os.path.join(d, f".t.tsv.{dead}-{_host_tag()}.k3j.tmp")
    >>> mine = os.path.join(d, f".t.tsv.{os.getpid()}-{_host_tag()}.k3j.tmp")
    >>> for p in (stale, mine):
    ...     _ = open(p, "w").close()
    >>> remove_stale_temporaries(os.path.join(d, "t.tsv")) == [stale], os.path.exists(mine)
    (True, True)
    """
    tag = _host_tag()
    removed = []
    for tmp, pid, owner in _temporaries(path):
        if pid is None or owner != tag or _alive(pid):
            continue
        try:
            os.unlink(tmp)
        except OSError:
            continue  # another run removed it first, or we may not
        log.info("removed %s, left by a killed run (process %d)", shown(tmp), pid)
        removed.append(tmp)
    return removed


def temporary_directory(prefix: str, dir: str | None = None) -> str:
    """Make a new private directory for a run's temporary files and return its path.

    Like :func:`tempfile.mkdtemp`, but the name carries the owner: ``<prefix><pid>-<host>-<random>``
    (``wordmine-ngrams-8123-0a1b2c3d-k3j9x_a1``). First it deletes the directories with the same
    prefix in ``dir`` that killed runs left (SIGKILL, the OOM killer): those owned by this user,
    made on this host and pid namespace by a process that no longer exists (see
    :func:`remove_stale_temporaries`). The caller removes its own directory when done
    (``shutil.rmtree``); if it is killed first, the next run's call does.

    Args:
        prefix: names this kind of run, ``"wordmine-ngrams-"`` or ``"wordmine-segment-"``.
        dir: where to make it; None for the system's (``$TMPDIR``, else ``/tmp``).

    Raises:
        OutputError: the directory cannot be made there (missing, read-only, full).

    >>> import shutil
    >>> path = temporary_directory("wordmine-doctest-")
    >>> os.path.basename(path).startswith(f"wordmine-doctest-{os.getpid()}-"), os.listdir(path)
    (True, [])
    >>> shutil.rmtree(path)
    """
    base = dir if dir is not None else tempfile.gettempdir()
    _remove_stale_directories(prefix, base)
    try:
        return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-{_host_tag()}-", dir=base)
    except OSError as err:
        raise OutputError(
            f"{shown(base)}: cannot make a temporary directory there ({err.strerror}); "
            "free some space or choose another temporary directory (--tmp-dir, or TMPDIR)"
        ) from None


def temporary_workspace(prefix: str, dir: str | None = None) -> tuple[str, Callable[[], None]]:
    """A :func:`temporary_directory` and the one call that removes it: ``(path, remove)``.

    ``remove`` runs at most once: call it on error, or tie it to the object whose arrays are
    memory-mapped from the directory (``weakref.finalize(table, remove)``), so the files go
    with the object, or at exit at the latest.

    >>> path, remove = temporary_workspace("wordmine-doctest-")
    >>> os.path.isdir(path), remove(), os.path.isdir(path)
    (True, None, False)
    """
    path = temporary_directory(prefix, dir=dir)
    return path, weakref.finalize(_Workspace, shutil.rmtree, path, True)


class _Workspace:
    """The anchor of the finalizers of temporary workspaces (alive until exit)."""


def _remove_stale_directories(prefix: str, base: str) -> None:
    pattern = re.compile(re.escape(prefix) + r"(\d+)-([0-9a-f]{8})-[a-z0-9_]+")
    try:
        entries = os.listdir(base)
    except OSError:
        return
    tag = _host_tag()
    for entry in entries:
        match = pattern.fullmatch(entry)
        if not match or match[2] != tag or _alive(int(match[1])):
            continue
        path = os.path.join(base, entry)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue  # never follow a link, never touch another user's files
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            log.info("removed %s, left by a killed run (process %s)", shown(path), match[1])


def _output_error(path: str, err: OSError) -> OutputError:
    """The message for an OSError while writing ``path``: what happened and what to do."""
    if err.errno in _FULL_ERRNOS:
        return OutputError(
            f"{shown(path)}: disk full while writing ({err.strerror}); free some space or write elsewhere"
        )
    return OutputError(
        f"{shown(path)}: cannot write ({err.strerror}); write elsewhere, or fix the permissions "
        "or the space of its directory"
    )


def _output_target(path: str) -> tuple[str, os.stat_result | None]:
    """What writing ``path`` means: ``(file to replace or write, its stat or None if new)``.

    A FIFO or device comes back as it is (written directly); a symbolic link as its target.

    Raises:
        OutputError: ``path`` is a directory, a read-only file, or cannot be looked at.
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None  # a new file, or a dangling link (writing creates its target), or a bad directory
    except OSError as err:  # ELOOP, ENOTDIR, EACCES on a directory on the way
        raise _output_error(path, err) from None
    if info is None or stat.S_ISREG(info.st_mode):
        target = _beside(path)
        if info is not None and not os.access(target, os.W_OK):
            raise OutputError(
                f"{shown(path)}: the file is read-only; make it writable (chmod u+w) or write elsewhere"
            )
        return target, info
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{shown(path)}: is a directory; give the name of a file to write")
    return path, info


def check_writable(output: str) -> None:
    """Check, before the work, that :func:`atomic_write` will be able to write ``output``.

    Commands call this first, so that a typo in ``-o`` fails at once rather than after hours of
    counting. ``-`` (stdout) always passes. The check cannot foresee a disk that fills up.

    Raises:
        OutputError: the output's directory does not exist, is not a directory or is not
            writable; the output is a directory or a read-only file.

    >>> check_writable("-")
    >>> check_writable("/nonexistent/words.tsv")
    Traceback (most recent call last):
    ...
    wordmine.errors.OutputError: /nonexistent/words.tsv: directory /nonexistent does not exist; create it (mkdir -p /nonexistent) or write elsewhere
    """
    if output == STDIN:
        return
    target, info = _output_target(output)
    if info is not None and not stat.S_ISREG(info.st_mode):
        if not os.access(output, os.W_OK):
            raise OutputError(f"{shown(output)}: cannot write this {_kind(info.st_mode)}; write elsewhere")
        return
    # Name the directory as the user wrote it, unless a link sends the output elsewhere.
    directory = os.path.dirname(target)
    named = directory if os.path.islink(output) else (os.path.dirname(output) or ".")
    if not os.path.exists(directory):
        raise OutputError(
            f"{shown(output)}: directory {shown(named)} does not exist; "
            f"create it (mkdir -p {shown(named)}) or write elsewhere"
        )
    if not os.path.isdir(directory):
        raise OutputError(f"{shown(output)}: {shown(named)} is not a directory; write elsewhere")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(
            f"{shown(output)}: cannot write in directory {shown(named)} (not writable, or a read-only "
            "file system); write elsewhere or fix its permissions"
        )


def check_output(output: str, inputs: Iterable[str]) -> None:
    """Refuse an output that is one of the inputs (``wordmine count c.txt -o c.txt``).

    Writing it would replace the corpus with counts once the run is done. Inputs are expanded
    as :func:`expand_inputs` does (directories, globs; missing ones are left to it), and compared
    by file identity, so a symbolic or hard link to an input is caught too. ``-`` and FIFOs or
    devices (``-o /dev/null``) always pass. ``merge`` reads all its inputs before it writes and
    need not call this.

    Raises:
        ValueError: ``output`` is the same file as an input (the CLI makes it exit status 2).

    >>> import tempfile, pathlib
    >>> corpus = pathlib.Path(tempfile.mkdtemp(), "c.txt")
    >>> _ = corpus.write_text("新词\\n", encoding="utf-8")
    >>> check_output(str(corpus.with_name("w.tsv")), [str(corpus.parent)])
    >>> check_output(str(corpus), [str(corpus.parent)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the output .../c.txt is the input .../c.txt; write the output to another file
    """
    if output == STDIN:
        return
    try:
        out = os.stat(output)
    except OSError:
        return  # a new file is no input; a path that cannot be looked at fails in check_writable
    if not stat.S_ISREG(out.st_mode):
        return
    for name in _expand(inputs, lambda _path, _why: None, strict=False):
        if name == STDIN:
            continue
        try:
            info = os.stat(name)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (out.st_dev, out.st_ino):
            raise ValueError(
                f"the output {shown(output)} is the input {shown(name)}; write the output to another file"
            )


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "w") -> Iterator[IO]:
    """Open ``path`` for writing so that it appears complete or not at all.

    Data goes to a hidden temporary file in the same directory (so ``os.replace`` is atomic);
    on success it replaces ``path``, on any exception (Ctrl-C included) it is deleted and an
    existing ``path`` is left untouched. ``-`` writes to standard output instead. Text mode
    writes UTF-8 without BOM and ``\\n`` line ends, on stdout too. What ``path`` may be:

    * a new file: it gets the permissions a plain ``open()`` gives (``0666 & ~umask``);
    * an existing file: the new one keeps its permission bits (a 640 file stays 640) and, where
      allowed, its owner and group. A read-only file is refused, as the shell's ``>`` does;
    * a symbolic link: followed; the temporary file goes beside the link's final target, which
      it replaces, and the link stays a link;
    * a hard-linked file (more than one name): replacing makes a new file under this name only,
      the other names keep the old content. Atomicity wins over updating every name in place,
      and a warning is logged;
    * a FIFO or a device (``/dev/null``, ``/dev/stdout``): written directly, never replaced (a
      device node cannot be written atomically, and replacing ``/dev/null`` would break the
      system); an interrupted write leaves there what was written;
    * a directory: refused.

    The temporary file is named ``.NAME.<pid>-<host>.<random>.tmp`` after the process writing
    it; the temporary files of killed runs beside ``path`` are deleted first
    (:func:`remove_stale_temporaries`).

    Raises:
        OutputError: ``path`` cannot be written (a directory, a read-only file or directory, a
            missing directory) or the disk filled up while writing; no temporary file is left.
            Call :func:`check_writable` before long work to fail early.

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
        if isinstance(out, io.RawIOBase):
            # python -u or PYTHONUNBUFFERED=1: a raw file, whose write() may stop part-way and is
            # not retried by the wrappers; buffered, a reader that went away raises BrokenPipeError.
            out = open(out.fileno(), "wb", closefd=False)
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
    target, info = _output_target(path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            f = open(path, "wb") if binary else open(path, "w", encoding="utf-8", newline="\n")
        except OSError as err:
            raise _output_error(path, err) from None
        yield from _write_then_close(f, path)
        return
    if info is not None and info.st_nlink > 1:
        log.warning(
            "%s has %d hard links; only this name gets the new content, the others keep the old",
            shown(path), info.st_nlink,
        )
    remove_stale_temporaries(target)
    directory, name = os.path.split(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.{os.getpid()}-{_host_tag()}.", suffix=_TMP_SUFFIX)
    except OSError as err:
        raise _output_error(path, err) from None
    try:
        f = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        yield from _write_then_close(f, path)
        try:
            _set_mode(tmp, info)
            os.replace(tmp, target)
        except OSError as err:
            raise _output_error(path, err) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_then_close(f: IO, path: str) -> Iterator[IO]:
    """Yield ``f`` to the caller's block, then close it; write errors become OutputError."""
    try:
        yield f
    except OSError as err:
        _close_quietly(f)
        # An error of a write to an open file has no file name; one with a name (an input the
        # block opened, say) is not about this output.
        if err.filename is None and err.errno in _WRITE_ERRNOS:
            raise _output_error(path, err) from None
        raise
    except BaseException:
        _close_quietly(f)
        raise
    try:
        f.close()  # flushes: a full disk often shows only here
    except OSError as err:
        raise _output_error(path, err) from None


def _close_quietly(f: IO) -> None:
    # close() flushes first; after a failed write that fails again, and would hide the first error.
    with contextlib.suppress(OSError):
        f.close()


def _set_mode(tmp: str, old: os.stat_result | None) -> None:
    """Give the new file the mode (and owner) of the file it replaces, else a plain open()'s."""
    if old is None:
        # mkstemp creates the file 0600; give the result the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    new = os.stat(tmp)
    if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.chown(tmp, old.st_uid, old.st_gid)  # only root may give a file to another user
        except OSError:
            with contextlib.suppress(OSError):
                os.chown(tmp, -1, old.st_gid)  # a member of the group keeps a shared file's group
    os.chmod(tmp, stat.S_IMODE(old.st_mode))  # after chown, which clears set-user-ID bits


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
    """The lines of a UTF-8 file (BOM dropped, ``\\n`` dropped); decoding errors name the line.

    ``-`` is stdin; compressed files are read as such. Lines end at ``\\n`` only (as the SIGHAN
    scorer reads them): a ``\\r`` before it is kept (whitespace to ``str.split``), and no other
    character (U+2028, form feed, ...) ends a line. Whole blocks of lines are decoded at once;
    only a block that is not valid UTF-8 is decoded line by line, to name the line.
    """
    with open_input(path) as (stream, _position):
        pending = b""
        lineno = 0
        while True:
            block = stream.read(_LINE_BLOCK)
            if not block:
                break
            data = pending + block
            cut = data.rfind(b"\n")
            if cut < 0:
                pending = data
                continue
            raw, pending = data[:cut], data[cut + 1 :]
            if lineno == 0 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            try:
                lines = raw.decode("utf-8").split("\n")
            except UnicodeDecodeError:
                lines = [_decode_line(line, path, lineno + i) for i, line in enumerate(raw.split(b"\n"), 1)]
            lineno += len(lines)
            yield from lines
        if pending:
            yield _decode_line(pending, path, lineno + 1)


def _decode_line(raw: bytes, path: str, lineno: int) -> str:
    if lineno == 1 and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{shown(path)}:{lineno}: not valid UTF-8 (byte 0x{raw[err.start]:02x} at byte {err.start + 1} "
            "of the line); convert the file to UTF-8 (iconv -f gb18030 -t utf-8, say)"
        ) from None
