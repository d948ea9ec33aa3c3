"""Streaming corpus reader and the one text-normalisation rule that every step shares.

Reading: :func:`read_batches` streams any number of inputs (see :mod:`wordmine.files`) as text
batches of a bounded size, measured on the text after decompression (a 6 MB gzip of repetitive
text holds gigabytes of it). Files are read in blocks, never whole; a line longer than a block is cut at a
safe boundary (whitespace or punctuation, where neither a fragment nor a jieba token can
continue), so even a single 1 GB line is read in bounded memory. An empty input (no bytes, or
blank lines only) is no error: it adds nothing and a warning names it, so a cron job on a day
without new text still succeeds.

Encodings: UTF-8 by default; ``encoding="auto"`` looks at the first MiB of each file and takes
UTF-8 if it decodes, else GB18030 or Big5 (as code page 950, its common superset): both decode
most Chinese bytes, so the one whose text holds more of the commonest characters (的, 一, 是,
們/们, ...) wins, and GB18030 on a tie (a short or character-less start).

Normalisation (:func:`normalize`), applied by each step to the text it receives:

* full-width ASCII U+FF01..U+FF5E becomes half-width (``２０２４`` -> ``2024``, ``，`` -> ``,``);
* U+3000 IDEOGRAPHIC SPACE becomes a space;
* ``○`` (U+25CB WHITE CIRCLE, often typed for zero as in ``二○一二``) becomes ``〇`` (U+3007).

Units and fragments (:func:`units`, :func:`fragments`): after normalisation, the text is a
sequence of *units*, the atoms that n-grams, discovered words and segmentations are made of:

* a character of a script written without spaces between words (CJK ideographs of every
  block, ``〇``, kana, Hangul, Yi, ...) and any other letter-or-digit character that is neither
  of the two kinds below (``①``, ``Ⅳ``, ``²``): one unit per character;
* a *Latin word*: a maximal run of letters of the scripts that separate words with spaces
  (Latin, Greek, Cyrillic, ...): ``iPhone``, ``GDP``;
* a *number*: a maximal run of decimal digits, with a ``.`` between digits (``3.5``,
  ``2024.5.1``) or a ``,`` before a group of exactly three digits (``1,000``, not the list
  ``1,2``) kept inside, and one ``%`` right after the last digit (``80%``): a percentage is one
  quantity, as jieba keeps ``3.5%`` and the SIGHAN bakeoff standards keep ``８０％`` whole.

A Latin word or a number is never split: published unsupervised segmenters treat them as
single tokens (Sun & Deng 2018), and a word that starts or ends inside one (``ing``, ``00``)
is noise. Adjacent units of different kinds are separate units (``5G`` is ``5`` + ``G``,
``A股`` is ``A`` + ``股``), so such words stay discoverable. A *fragment* is a maximal run of
units with nothing else between them: punctuation and symbols (``.``, ``,`` and ``%`` outside
numbers included), emoji, whitespace, line ends and ``_`` separate fragments. N-grams and
discovered words never cross them.

>>> fragments(normalize("二○一二年，ＡＩ芯片　大会！"))
['二〇一二年', 'AI芯片', '大会']
>>> units("iPhone15的售价涨了3.5%")
['iPhone', '15', '的', '售', '价', '涨', '了', '3.5%']
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import Callable, Iterable, Iterator, NamedTuple

from . import defaults
from .errors import InputError
from .files import DEFAULT_ENCODING, expand_inputs, open_input, shown

__all__ = [
    "CHARACTER",
    "DIGIT",
    "LATIN",
    "NUMBER_PATTERN",
    "SEPARATOR",
    "Batch",
    "CodePointTable",
    "DEFAULT_BATCH_BYTES",
    "LocatedBatch",
    "Piece",
    "char_kind",
    "fragments",
    "is_wordlike",
    "normalize",
    "read_batches",
    "Batches",
    "BatchPlan",
    "Span",
    "plan_batches",
    "read_plan",
    "read_located_batches",
    "unit_fragments",
    "units",
]

log = logging.getLogger(__name__)

#: Bytes of input per batch. 256 KiB is about 0.3 s of jieba in one worker: small enough that
#: the last batches leave no core idle for long, large enough that per-batch costs vanish.
DEFAULT_BATCH_BYTES = 256 * 1024
#: How much of a file ``encoding="auto"`` looks at: 1 MiB, about 350 000 Chinese characters.
_DETECT_BYTES = 1 << 20
#: The Big5 codec of ``auto``: Microsoft's code page 950, the Big5 that Windows writes; it also
#: decodes the ETEN extensions (碁, 銹, 裏, ...) on which the strict ``big5`` codec fails.
_BIG5 = "cp950"
# The commonest characters of modern Chinese (the first 25 of the usual frequency lists, most
# the same in both scripts) and both forms of the next ten: about 20% of the characters of real
# text in either script, under 0.5% of Big5 bytes read as GB18030 or of GB2312 bytes read as Big5
# (measured on data/sample and the four classics).
_COMMON = re.compile(
    "[的一是不了在人有我他大中上到以就出也你而子要和地自之年下生可"
    "们們个個这這来來为為国國说說时時会會对對]"
)

_NORMALIZE = {0xFF01 + i: 0x21 + i for i in range(0x5E)}
_NORMALIZE[0x3000] = 0x20
_NORMALIZE[0x25CB] = 0x3007
_FRAGMENT = re.compile(r"[^\W_]+")
# Where a long line may be cut: not a letter or digit (a fragment could continue), not one of the
# symbols jieba keeps inside tokens ("3.5%", "C++") nor their full-width forms (normalisation makes
# them those), and not \r (it may pair with the \n of the next block). A comma between digits
# may be inside a number ("1,000"): _cut_long_line passes over those.
_SAFE = re.compile(r"[^\w+#&.%\-\r＋＃＆．％－]")
# How far back from the end of a block to look for a safe cut; a line piece that has none is
# carried into the next block until it reaches _HARD_CUT_CHARS (bounding memory), then cut hard.
_LOOKBACK_CHARS = 64 * 1024
_HARD_CUT_CHARS = 1 << 20


class Batch(NamedTuple):
    """A piece of the corpus: ``text`` (whole lines, ``\\n``-separated) and ``nbytes``, the input
    bytes read for it as stored (compressed bytes of a compressed file): what progress bars count."""

    text: str
    nbytes: int


def normalize(text: str) -> str:
    """Map full-width ASCII to half-width, U+3000 to a space and ``○`` to ``〇``.

    >>> normalize("Ｈｅｌｌｏ，世界　２０２４")
    'Hello,世界 2024'
    """
    if len(text) < 256:
        return text.translate(_NORMALIZE)
    # On whole batches, numpy over UTF-32 code points is ~12x faster than str.translate (which
    # looks every character up in a dict): 20 ms instead of 0.4 s for 20 MB of news text.
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    full = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[full] -= 0xFEE0
    codes[codes == 0x3000] = 0x20
    codes[codes == 0x25CB] = 0x3007
    return codes.tobytes().decode("utf-32-le")


# Kinds of characters (after normalisation): what unit, if any, a character belongs to.
#: Not part of any unit (punctuation, symbols, whitespace, emoji, ``_``); ``.``, ``,`` and
#: ``%`` are separators too, except inside a number.
SEPARATOR = 0
#: A unit of its own: ideographs, kana, Hangul, ..., and letter-or-digit characters that are
#: neither Latin-word letters nor decimal digits.
CHARACTER = 1
#: A letter of a script that separates its words with spaces: runs of them are Latin words.
LATIN = 2
#: A decimal digit: runs of them (with ``.``, ``,`` and ``%`` as the module doc says) are numbers.
DIGIT = 3

# Letters of these blocks belong to scripts written without spaces between words: each is a
# unit of its own, like a CJK ideograph (Unicode 15 block boundaries).
_SPACELESS = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0xA4CF),  # CJK radicals, Kangxi, CJK symbols (〇), kana, Bopomofo, Hangul compatibility
                       # jamo, CJK Extension A, CJK Unified Ideographs, Yi
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables and Jamo Extended-B
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF00, 0xFFEF),  # half-width kana and Hangul (full-width ASCII is normalised away)
    (0x16FE0, 0x3FFFF),  # ideographic symbols, Tangut, kana supplements, Nushu, CJK Extensions B-H
)
#: A number (see the module doc), as a regular expression.
NUMBER_PATTERN = r"\d+(?:\.\d+|,\d{3}(?!\d))*%?"
_NUMBER = re.compile(NUMBER_PATTERN)


class CodePointTable:
    """A property of characters, looked up for many code points at once: a table over all code
    points (1.1 MB), filled in as characters are first seen (testing all 1.1 million at once
    would take 0.6 s). ``value`` maps a character to 0..254.

    >>> import numpy as np
    >>> space = CodePointTable(str.isspace)
    >>> space(np.array([ord(c) for c in "新 词\\n"], dtype=np.uint32)).tolist()
    [0, 1, 0, 1]
    """

    _UNSEEN = 255

    def __init__(self, value: Callable[[str], int]):
        import numpy as np

        self._value = value
        self._table = np.full(0x110000, self._UNSEEN, dtype=np.uint8)

    def __call__(self, codes):
        """The values of ``codes`` (an array of code points), as uint8."""
        import numpy as np

        found = self._table[codes]
        unseen = found == self._UNSEEN
        if unseen.any():
            for code in np.unique(codes[unseen]).tolist():
                self._table[code] = self._value(chr(code))
            found = self._table[codes]
        return found


def char_kind(ch: str) -> int:
    """The kind of one (normalised) character: :data:`SEPARATOR`, :data:`CHARACTER`,
    :data:`LATIN` or :data:`DIGIT`.

    >>> [char_kind(c) for c in "中a5.〇①é😀"]
    [1, 2, 3, 0, 1, 1, 2, 0]
    """
    if ch.isdecimal():
        return DIGIT
    if not ch.isalnum():
        return SEPARATOR
    if ch.isalpha():
        cp = ord(ch)
        if not any(lo <= cp <= hi for lo, hi in _SPACELESS):
            return LATIN
    return CHARACTER


def unit_fragments(text: str) -> list[list[str]]:
    """Cut normalised text into fragments, each a list of its units (see the module doc).

    >>> unit_fragments("A股和5G, 共1,000.5元; 1,2")
    [['A', '股', '和', '5', 'G'], ['共', '1,000.5', '元'], ['1'], ['2']]
    """
    result: list[list[str]] = []
    current: list[str] = []
    i, size = 0, len(text)
    while i < size:
        kind = char_kind(text[i])
        if kind == DIGIT:
            end = _NUMBER.match(text, i).end()
        elif kind == LATIN:
            end = i + 1
            while end < size and char_kind(text[end]) == LATIN:
                end += 1
        elif kind == CHARACTER:
            end = i + 1
        else:
            if current:
                result.append(current)
                current = []
            i += 1
            continue
        current.append(text[i:end])
        i = end
    if current:
        result.append(current)
    return result


def units(text: str) -> list[str]:
    """The units of normalised text, fragment after fragment (see the module doc).

    >>> units("K线图、iPhone")
    ['K', '线', '图', 'iPhone']
    """
    return [unit for fragment in unit_fragments(text) for unit in fragment]


def fragments(text: str) -> list[str]:
    """Cut normalised text into fragments: maximal runs of units (see module doc).

    >>> fragments("新词发现，n-gram统计 3.5%")
    ['新词发现', 'n', 'gram统计', '3.5%']
    """
    return ["".join(fragment) for fragment in unit_fragments(text)]


def is_wordlike(token: str) -> bool:
    """True if ``token`` holds at least one letter or digit (a unit character).

    >>> is_wordlike("新词"), is_wordlike("3.5%"), is_wordlike("，"), is_wordlike(" ")
    (True, True, False, False)
    """
    return _FRAGMENT.search(token) is not None


def read_batches(
    inputs: Iterable[str],
    *,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    encoding: str = DEFAULT_ENCODING,
    errors: str = "strict",
    warn: bool = True,
) -> Iterator[Batch]:
    """Stream the inputs as batches of about ``batch_bytes`` bytes of text each.

    Batches are sized by the text they hold, as bytes of the file's encoding after
    decompression: a batch ends once ``batch_bytes`` of them were read, give or take the line
    it ends in. A plain file is cut as its size says, and a compressed one as its text does, so
    that a small gzip of repetitive text still gives batches of bounded size. ``Batch.nbytes``
    is the input bytes read as stored (compressed), what progress bars count; batches of a
    compressed file may read none.

    Batch texts concatenate to the decoded corpus with ``\\r\\n`` turned into ``\\n`` and a
    ``\\n`` added after a file whose last line lacks one; they are not normalised.

    Args:
        inputs: paths, directories, globs or ``-`` (see :func:`wordmine.files.expand_inputs`).
        batch_bytes: target bytes of text (after decompression) per batch.
        encoding: a codec name, or ``"auto"`` (UTF-8, else GB18030 or Big5: see the module doc).
        errors: ``"strict"`` (bad bytes raise), ``"replace"`` or ``"ignore"``.
        warn: log warnings about the text (an empty input, a line cut inside a fragment), once
            per file; a second pass over the same inputs passes False.

    Raises:
        InputError: naming the file and line, for missing inputs, undecodable or binary data.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "c.txt")
    >>> _ = path.write_bytes("第一行\\r\\n第二行".encode())
    >>> [b.text for b in read_batches([str(path)])]
    ['第一行\\n第二行\\n']
    """
    # One batching loop: the located one, without the locations (counting line ends costs
    # about 0.3 ms per MiB).
    for batch in read_located_batches(inputs, batch_bytes=batch_bytes, encoding=encoding, errors=errors, warn=warn):
        yield Batch(batch.text, batch.nbytes)


class Piece(NamedTuple):
    """Where a stretch of a :class:`LocatedBatch` comes from: the ``file`` (as named in the
    inputs) and its ``index`` among them, the ``start`` of the stretch in the batch text, the
    ``line`` (from 1) of its first character and that character's ``offset`` in the file's text
    (characters from the file's start, ``\\r\\n`` counted as one)."""

    file: str
    index: int
    start: int
    line: int
    offset: int


class LocatedBatch(NamedTuple):
    """A :class:`Batch` that knows where its text comes from: ``pieces`` in text order, one per
    file (or part of a file) it holds."""

    text: str
    nbytes: int
    pieces: tuple


def read_located_batches(
    inputs: Iterable[str],
    *,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    encoding: str = DEFAULT_ENCODING,
    errors: str = "strict",
    warn: bool = True,
) -> Iterator[LocatedBatch]:
    """:func:`read_batches`, with the file, line and offset of every stretch of each batch.

    The same batches as :func:`read_batches` (same texts, same sizes), for steps that report
    where they found something (``wordmine kwic``). Lines and offsets count the decoded text,
    so they do not depend on ``batch_bytes``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("一\\n二\\n", encoding="utf-8")
    >>> _ = (d / "b.txt").write_text("三\\n", encoding="utf-8")
    >>> [tuple(p[1:]) for p in next(read_located_batches([str(d)])).pieces]
    [(0, 0, 1, 0), (1, 4, 1, 0)]
    """
    if errors not in defaults.ERROR_HANDLERS:
        raise ValueError(f"errors must be one of {', '.join(defaults.ERROR_HANDLERS)}, not {errors!r}")
    files = expand_inputs(inputs)
    buf: list[str] = []
    pieces: list[Piece] = []
    size = nbytes = length = 0
    for index, name in enumerate(files):
        line, offset = 1, 0
        for text, stored, read in _read_file(name, batch_bytes, encoding, errors, warn):
            if text:
                if not pieces or pieces[-1].index != index:  # else this file's stretch goes on
                    pieces.append(Piece(name, index, length, line, offset))
                buf.append(text)
                length += len(text)
                line += text.count("\n")
                offset += len(text)
            size += read
            nbytes += stored
            if size >= batch_bytes and buf:
                yield LocatedBatch("".join(buf), nbytes, tuple(pieces))
                buf, pieces, size, nbytes, length = [], [], 0, 0, 0
    if buf or nbytes:
        yield LocatedBatch("".join(buf), nbytes, tuple(pieces))


def _read_file(name: str, block: int, encoding: str, errors: str, warn: bool) -> Iterator[tuple[str, int, int]]:
    """Yield ``(text, stored bytes consumed, text bytes read)`` pieces of one file, each ending at
    a line end or safe cut; text bytes are the file's after decompression.

    A piece holds the text of at most ``block`` bytes (1 MiB for the first under ``auto``) plus
    the unfinished line carried over, which a hard cut bounds to ``_HARD_CUT_CHARS`` characters.
    """
    with open_input(name) as (stream, position):
        pending = b""  # bytes of an unfinished line, waiting for its end
        carry = ""  # decoded text of a long line, after its last safe cut
        decoder = codec = None
        lineno = 1  # line number of the first line in `pending`
        line_offset = 0  # bytes of the current line already decoded (long lines)
        done = 0  # position() at the last yield
        read = 0  # bytes of text (decompressed) read since the last yield
        ended_with_newline = True
        has_text = False  # anything but whitespace so far (an empty input gets a warning)
        hard_cuts = 0
        while True:
            # auto looks at the first MiB: read that much at once (a larger first piece).
            size = max(block, _DETECT_BYTES) if decoder is None and encoding == "auto" else block
            block_data = stream.read(size)
            read += len(block_data)
            data = pending + block_data if pending else block_data
            nul = data.find(b"\0")
            if nul >= 0:
                line = lineno + data.count(b"\n", 0, nul)
                raise InputError(
                    f"{shown(name)}:{line}: NUL byte: this looks like a binary "
                    "file, not text; leave it out of the inputs"
                )
            if decoder is None:
                codec = _choose_codec(name, data, encoding)
                decoder = codecs.getincrementaldecoder(codec)(errors=errors)
            eof = not block_data
            if eof:
                end = len(data)
            else:
                end = data.rfind(b"\n") + 1
                if end == 0:
                    if len(data) < block:
                        pending = data  # short read without a line end: read on
                        continue
                    end = len(data)  # a line longer than a block: decode it in pieces
            chunk, pending = data[:end], data[end:]
            text = _decode(decoder, chunk, eof, name, lineno, line_offset, codec, encoding == "auto")
            lineno += chunk.count(b"\n")
            line_offset = 0 if chunk.endswith(b"\n") else line_offset + len(chunk)
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            text, carry = carry + text, ""
            if eof:
                if text and not text.endswith("\n"):
                    text += "\n"
                elif not text and not ended_with_newline:
                    text = "\n"
            elif not chunk.endswith(b"\n"):
                text, carry, hard = _cut_long_line(text)
                if hard:
                    hard_cuts += 1
                    if hard_cuts == 1 and warn:
                        log.warning(
                            "%s:%d: very long line without punctuation or space; cut inside a "
                            "fragment about every %d characters (said once per file)",
                            shown(name), lineno, _HARD_CUT_CHARS,
                        )
            if not has_text and text and not text.isspace():
                has_text = True
            if text or position() > done:
                if text:
                    ended_with_newline = text.endswith("\n")
                yield text, position() - done, read
                done, read = position(), 0
            if eof:
                break
    if warn and hard_cuts > 1:
        log.info("%s: %d cuts inside fragments in all", shown(name), hard_cuts)
    if warn and not has_text:
        log.warning("%s: empty input (no text); it adds nothing", shown(name))


def _choose_codec(name: str, head: bytes, encoding: str) -> str:
    """The codec to decode a file with: ``encoding``, or for ``auto`` what its head says."""
    if encoding != "auto":
        return encoding
    head = head[:_DETECT_BYTES]
    if _decoded(head, "utf-8") is not None:
        codec = "utf-8-sig"
    else:
        gb, big5 = _decoded(head, "gb18030"), _decoded(head, _BIG5)
        if big5 is None:
            codec = "gb18030"
        elif gb is None:
            codec = _BIG5
        else:
            codec = _BIG5 if len(_COMMON.findall(big5)) > len(_COMMON.findall(gb)) else "gb18030"
    log.info("%s: encoding detected as %s", shown(name), codec)
    return codec


def _decoded(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly (a character cut at the end is fine), or None if it is not."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _decode(decoder, chunk: bytes, final: bool, name: str, lineno: int, offset: int, codec: str, auto: bool) -> str:
    buffered = decoder.getstate()[0]
    try:
        return decoder.decode(chunk, final)
    except UnicodeDecodeError as err:
        data = buffered + chunk
        at = max(err.start - len(buffered), 0)
        line = lineno + chunk.count(b"\n", 0, at)
        start = chunk.rfind(b"\n", 0, at) + 1
        column = (at - start) + (offset if start == 0 else 0) + 1
        utf8 = codecs.lookup(codec).name.startswith("utf-8")
        named = "UTF-8" if utf8 else codecs.lookup(codec).name
        if auto and utf8:
            hint = (
                "--encoding auto chose UTF-8 from the first MiB of the file; if the rest is GBK "
                "or GB2312, use --encoding gb18030"
            )
        elif auto:
            hint = (
                f"--encoding auto chose {named} as the start of the file is not UTF-8; "
                "check the encoding and give it (--encoding NAME)"
            )
        elif utf8:
            hint = "if it is GBK or GB2312, use --encoding gb18030 (or --encoding auto)"
        else:
            hint = "check the encoding (--encoding NAME or --encoding auto)"
        raise InputError(
            f"{shown(name)}:{line}: not valid {named} (byte 0x{data[err.start]:02x} at byte {column} "
            f"of the line); {hint}, or use --errors replace to go on"
        ) from None


def _cut_long_line(text: str) -> tuple[str, str, bool]:
    """Split a piece of an unfinished line at its last safe boundary: ``(head, carry, hard)``,
    ``hard`` when it had to cut inside a fragment."""
    last = None
    for match in _SAFE.finditer(text, max(0, len(text) - _LOOKBACK_CHARS)):
        at = match.start()
        if text[at] in ",，" and at > 0 and text[at - 1].isdecimal() and (at + 1 == len(text) or text[at + 1].isdecimal()):
            continue  # maybe inside a number (the next character may be in the next block)
        last = match
    if last is not None:
        return text[: last.end()], text[last.end() :], False
    if len(text) < _HARD_CUT_CHARS:
        return "", text, False  # no boundary yet: carry the whole piece into the next block
    # A million characters without punctuation or space: cutting here may split one fragment (or
    # jieba token) in two, which real text never makes us do; the reader says so, once per file.
    return text, "", True


# --- batch plans: the batches of read_batches, read by the workers themselves -----------------
#
# A worker on another machine should read its own part of a corpus from a shared file system,
# not receive the text from the process that plans the work. The plan of a batch names byte
# spans of files instead of holding their text. The spans are those the reader would read:
# :func:`plan_batches` runs the block loop of ``_read_file`` on file sizes and line ends only
# (it looks back from each block end for the last line end), so that reading the plans gives
# the same batches, text and sizes, as :func:`read_batches`: every step then gets the same
# results from either engine, even those that depend on where batches end (the Misra-Gries
# summary of the symbol pass). Files that cannot be cut by byte offsets are read by the
# planner and travel as text: stdin, compressed files, FIFOs, files of 64 KiB or less (their
# head is read anyway), encodings in which a newline byte may belong to another character
# (UTF-16, UTF-32) or that keep a state (UTF-7, HZ, ISO-2022), and a file holding a line longer
# than a block (the reader cuts it where the text says, which needs decoding).

#: Bytes the planner reads at once: a file's head (does it hold text?), the look-back for a
#: line end before a block end (a line is rarely longer), and small files whole.
_PLAN_READ = 1 << 16


class Span(NamedTuple):
    """Bytes ``start..stop`` of the plain file ``path`` (whole lines; ``final``: up to the end of
    the file), to decode with ``codec`` and ``errors`` (``auto``: the codec was detected)."""

    path: str
    codec: str
    errors: str
    auto: bool
    start: int
    stop: int
    final: bool


class BatchPlan(NamedTuple):
    """How to make one :class:`Batch`: ``segments`` in order, each a :class:`Span` to read or
    text the planner read; ``nbytes`` as :attr:`Batch.nbytes`."""

    segments: tuple
    nbytes: int


class Batches:
    """The batches of :func:`read_batches` as an object that can also give their plans.

    Iterating reads the batches (the local engine); :meth:`plans` gives the same batches as
    :class:`BatchPlan` objects that a worker turns into them with :func:`read_plan` (a
    distributed engine sends those, not the text).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp(), "c.txt")
    >>> _ = path.write_text("新词\\n" * 40000, encoding="utf-8")
    >>> batches = Batches([str(path)], batch_bytes=1 << 16)
    >>> [read_plan(p) for p in batches.plans()] == list(batches)
    True
    """

    def __init__(self, inputs: Iterable[str], *, batch_bytes: int = DEFAULT_BATCH_BYTES,
                 encoding: str = DEFAULT_ENCODING, errors: str = "strict", warn: bool = True):
        if errors not in defaults.ERROR_HANDLERS:
            raise ValueError(f"errors must be one of {', '.join(defaults.ERROR_HANDLERS)}, not {errors!r}")
        self.files = expand_inputs(inputs)
        self.options = dict(batch_bytes=batch_bytes, encoding=encoding, errors=errors, warn=warn)

    def __iter__(self) -> Iterator[Batch]:
        return read_batches(self.files, **self.options)

    def plans(self) -> Iterator[BatchPlan]:
        """The plans of the batches, in order (see :func:`plan_batches`)."""
        return plan_batches(self.files, **self.options)


def plan_batches(
    inputs: Iterable[str],
    *,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    encoding: str = DEFAULT_ENCODING,
    errors: str = "strict",
    warn: bool = True,
) -> Iterator[BatchPlan]:
    """Plans of the batches of :func:`read_batches` (same arguments): :func:`read_plan` of each
    is the batch. Input errors in spans are raised by :func:`read_plan`, naming file and line.
    """
    if errors not in defaults.ERROR_HANDLERS:
        raise ValueError(f"errors must be one of {', '.join(defaults.ERROR_HANDLERS)}, not {errors!r}")
    buf: list = []
    size = nbytes = 0
    for name in expand_inputs(inputs):
        for item, stored, read in _plan_file(name, batch_bytes, encoding, errors, warn):
            if item:
                buf.append(item)
            size += read
            nbytes += stored
            if size >= batch_bytes and buf:
                yield BatchPlan(_joined(buf), nbytes)
                buf, size, nbytes = [], 0, 0
    if buf or nbytes:
        yield BatchPlan(_joined(buf), nbytes)


def read_plan(plan: BatchPlan) -> Batch:
    """The batch a :class:`BatchPlan` describes (read where it runs: the files must be there).

    Raises:
        InputError: a span does not decode, or holds a NUL byte (naming file and line).
    """
    return Batch("".join(s if isinstance(s, str) else _read_span(s) for s in plan.segments), plan.nbytes)


def _joined(items: list) -> tuple:
    """Segments with adjacent spans of one file made one (decoding at line ends cuts nothing)."""
    out: list = []
    for item in items:
        last = out[-1] if out else None
        if isinstance(item, Span) and isinstance(last, Span) and last.path == item.path and last.stop == item.start:
            out[-1] = last._replace(stop=item.stop, final=item.final)
        else:
            out.append(item)
    return tuple(out)


def _splittable(codec: str) -> bool:
    """Whether a newline byte of ``codec`` text is always a newline: a file can be cut at one."""
    try:
        name = codecs.lookup(codec).name
    except LookupError:
        return False
    if name.startswith(("utf-16", "utf-32", "utf-7", "hz", "iso2022")):
        return False
    return "\n".encode(codec).endswith(b"\n")  # after a byte-order mark (utf-8-sig)


def _plan_file(name: str, block: int, encoding: str, errors: str, warn: bool) -> Iterator[tuple]:
    """``(Span or text, stored bytes, text bytes read)`` pieces of one file, as ``_read_file``
    yields them (a span standing for its text)."""
    import os
    import stat

    try:
        info = os.stat(name) if name != "-" else None
    except OSError:
        info = None  # the reader says what is wrong
    plain = (
        info is not None and stat.S_ISREG(info.st_mode) and info.st_size > _PLAN_READ
        and (encoding == "auto" or _splittable(encoding))
    )
    cuts = None
    if plain:
        try:
            with open(name, "rb") as f:
                if not _compressed(f.read(6)):
                    cuts = _plan_cuts(f, info.st_size, block, encoding == "auto")
        except OSError:
            cuts = None  # the reader says what is wrong
    if cuts is None:
        yield from _read_file(name, block, encoding, errors, warn)
        return
    with open(name, "rb") as f:
        codec = _choose_codec(name, f.read(_DETECT_BYTES), encoding)
        if warn and not _holds_text(f, codec):
            log.warning("%s: empty input (no text); it adds nothing", shown(name))
        for start, stop, stored, read, final in cuts:
            span = Span(name, codec, errors, encoding == "auto", start, stop, final)
            if final:  # the bytes after the last line end: they may decode to nothing
                f.seek(start)
                yield ("" if _decodes_to_nothing(f.read(stop - start), codec, errors, start) else span), stored, read
            else:
                yield span, stored, read


def _compressed(head: bytes) -> bool:
    # The magic numbers of gzip (RFC 1952), bzip2 and xz, which open_input decompresses.
    return head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"))


def _plan_cuts(f, size: int, block: int, auto: bool) -> list[tuple] | None:
    """The pieces ``(start, stop, stored, read, final)`` of ``_read_file``'s loop on a plain file
    of ``size`` bytes, or None if a block holds no line end (a long line: cut as text says)."""
    cuts = []
    begin = done = pos = read = 0
    first = True
    while True:
        want = max(block, _DETECT_BYTES) if first and auto else block
        first = False
        got = min(want, size - pos)
        if got <= 0:  # end of file: what is pending
            if begin < size:
                cuts.append((begin, size, pos - done, read, True))
            return cuts
        pos += got
        read += got
        end = _last_line_end(f, begin, pos)
        if end < 0:
            if pos - begin < block:  # a short read (the end of the file) without a line end
                continue
            return None
        cuts.append((begin, end + 1, pos - done, read, False))
        begin, done, read = end + 1, pos, 0


def _last_line_end(f, lo: int, hi: int) -> int:
    """The offset of the last ``\\n`` in bytes ``lo..hi`` of ``f``, or -1."""
    while hi > lo:
        start = max(lo, hi - _PLAN_READ)
        f.seek(start)
        at = f.read(hi - start).rfind(b"\n")
        if at >= 0:
            return start + at
        hi = start
    return -1


def _holds_text(f, codec: str) -> bool:
    """Whether the file holds anything but whitespace (read until something else shows)."""
    f.seek(0)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    while True:
        data = f.read(_PLAN_READ)
        text = decoder.decode(data, final=not data)
        if text and not text.isspace():
            return True
        if not data:
            return False


def _decodes_to_nothing(data: bytes, codec: str, errors: str, start: int) -> bool:
    if start > 0 and codecs.lookup(codec).name == "utf-8-sig":
        codec = "utf-8"
    try:
        return codecs.decode(data, codec, errors) == ""
    except UnicodeDecodeError:
        return False  # the worker raises, as the reader would


def _read_span(span: Span) -> str:
    """The text of a span, as ``_read_file`` gives it."""
    with open_input(span.path) as (stream, _position):
        stream.seek(span.start)
        data = stream.read(span.stop - span.start)
    nul = data.find(b"\0")
    if nul >= 0:
        line = _line_of(span.path, span.start) + data.count(b"\n", 0, nul)
        raise InputError(f"{shown(span.path)}:{line}: NUL byte: this looks like a binary file, not text; leave it out of the inputs")
    # A byte-order mark is dropped at the start of a file only (a decoder drops it at its start).
    codec = "utf-8" if span.start > 0 and codecs.lookup(span.codec).name == "utf-8-sig" else span.codec
    try:
        text = codecs.getincrementaldecoder(codec)(errors=span.errors).decode(data, True)
    except UnicodeDecodeError:
        decoder = codecs.getincrementaldecoder(codec)(errors=span.errors)
        _decode(decoder, data, True, span.path, _line_of(span.path, span.start), 0, codec, span.auto)
        raise  # _decode raised InputError; this is not reached
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if span.final and text and not text.endswith("\n"):
        text += "\n"
    return text


def _line_of(path: str, offset: int) -> int:
    """The line number (from 1) of the line that starts at byte ``offset`` (an error's line)."""
    lines = 1
    with open(path, "rb") as f:
        while offset > 0:
            data = f.read(min(offset, 1 << 20))
            if not data:
                break
            lines += data.count(b"\n")
            offset -= len(data)
    return lines
