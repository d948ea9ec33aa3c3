"""Keywords in context: a few lines of context for each of thousands of words, in one pass.

Finding: one Aho-Corasick automaton (Aho and Corasick, *Efficient string matching*, CACM 1975;
the ``pyahocorasick`` package) holds all the words and finds every occurrence of every one of
them in a single scan of each batch, whatever their number: a word inside another word
(``新词`` in ``新词发现``) and overlapping occurrences (``哈哈`` twice in ``哈哈哈``) included, which
a tokenizer's cut hides. Words of one ideograph (or other character of its own) are looked up
in a table of code points instead, with numpy: they make most of the occurrences, and the
automaton's cost is per occurrence. A match never cuts a Latin word or a run of digits (see
:mod:`wordmine.corpus` on units): ``AI`` is not found in ``MAIL``, nor ``15`` in ``2015``.

Text: words and corpus are compared after :func:`wordmine.corpus.normalize` (``-w ＡＩ`` finds
``AI`` and ``ＡＩ``); the contexts show the text as the file has it. Normalisation maps each
character to one character, so an offset in the normalised text is the same in the original.
A context is at most ``width`` characters on each side of the match, within its line (a KWIC
line never runs into the next line); tabs and other control characters become spaces, so that
every context fits in a TSV field. ``file`` is the input as named (``-`` for stdin) and
``line`` counts from 1, a ``\\r\\n`` being one line end.

Which examples (deterministic, whatever ``jobs`` is):

* ``pick="spread"`` (the default): a uniform sample of ``per_word`` occurrences spread over the
  whole corpus: those whose position (file, offset) has the smallest 64-bit hash (splitmix64,
  Steele et al., *Fast splittable pseudorandom number generators*, OOPSLA 2014), a bottom-k
  sample. A word's examples depend only on the corpus, not on the other words looked for.
* ``pick="first"``: the first ``per_word`` occurrences in corpus order.

Either way a word's examples are listed in corpus order. Memory is bounded: each batch keeps at
most ``per_word`` occurrences per word, and the parent keeps the ``per_word`` best so far.

>>> found = keywords_in_context_of_text("新词发现很难，发现新词更难。", ["新词", "发现"], width=3)
>>> [(c.left, c.match, c.right) for c in found["新词"]]
[('', '新词', '发现很'), ('，发现', '新词', '更难。')]
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from typing import IO, Iterable, Mapping, NamedTuple, Sequence

from . import defaults, parallel
from .corpus import CHARACTER, DEFAULT_BATCH_BYTES, DIGIT, LATIN, LocatedBatch, char_kind, normalize, read_located_batches
from .files import DEFAULT_ENCODING, STDIN, atomic_write, expand_inputs, input_size, shown

__all__ = [
    "KWIC_FORMATS",
    "KWIC_TABLE",
    "PICKS",
    "Context",
    "WordMatcher",
    "check_words",
    "keywords_in_context",
    "keywords_in_context_of_text",
    "write_kwic",
]

log = logging.getLogger(__name__)

#: How examples are chosen (see the module doc).
PICKS = ("spread", "first")
#: Header of a KWIC table (``wordmine kwic``): the word looked for, the left context, the match
#: as the file writes it, the right context, the file and the line.
KWIC_TABLE = ("word", "left", "match", "right", "file", "line")
#: Output formats of :func:`write_kwic`.
KWIC_FORMATS = ("tsv", "text")

# Positions are (file index << 40) | character offset in the file: 2**40 characters (a TiB of
# text) per file, 2**23 files, in a signed 64-bit integer.
_OFFSET_BITS = 40
# splitmix64's finaliser constants (Steele, Lea and Flood 2014; Vigna's splitmix64.c).
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
# Control characters (those str.splitlines splits on among them) become spaces in contexts.
_BLANK = {**{i: " " for i in range(32)}, 0x7F: " ", 0x85: " ", 0x2028: " ", 0x2029: " "}
# The parent compacts the rows it was sent once they are this many times the rows it keeps: a
# compaction sorts them all, so its cost per row is small once they are a few times the answer.
_KEPT_ROWS_PER_WORD = 4
_CONTROL = re.compile("[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029]")


class Context(NamedTuple):
    """One occurrence of ``word``: ``left`` + ``match`` + ``right`` is a stretch of line ``line``
    of ``file``, as the file writes it (``match`` may differ from ``word`` by normalisation)."""

    word: str
    left: str
    match: str
    right: str
    file: str
    line: int


def check_words(words: Iterable[str]) -> list[str]:
    """The words to look for: normalised, without repeats (the first stays), in the order given.

    Raises:
        ValueError: an empty word, or one with a line end (a match never spans lines).

    >>> check_words(["ＡＩ", "新词", "AI"])
    ['AI', '新词']
    """
    seen: dict[str, None] = {}
    for word in words:
        if not word or "\n" in word or "\r" in word:
            raise ValueError(f"cannot look for {word!r}: a word is not empty and holds no line end")
        seen.setdefault(normalize(word), None)
    return list(seen)


class WordMatcher:
    """Every occurrence of a set of words in a text: one pyahocorasick automaton and a table of
    single characters (see the module doc).

    The automaton runs over the text's UTF-8 bytes (read as Latin-1 characters): pyahocorasick
    looks a node's next character up by scanning the node's children, and on Chinese the root
    has thousands of them (every first character of a word); on bytes no node has more than 256.
    Measured with 20 000 news words: 0.42 s per million characters on characters, 0.17 s on bytes.

    >>> m = WordMatcher(["新词", "词", "AI"])
    >>> starts, ends, ids = m.find("新词 MAIL AI")
    >>> sorted(zip(starts.tolist(), ends.tolist(), ids.tolist()))
    [(0, 2, 0), (1, 2, 1), (8, 10, 2)]
    """

    def __init__(self, words: Sequence[str]):
        import ahocorasick
        import numpy as np

        self.words = list(words)
        n = len(self.words)
        self._chars = np.array([len(w) for w in self.words], dtype=np.int64)
        self._bytes = np.array([len(w.encode("utf-8")) for w in self.words], dtype=np.int64)
        # Words whose first (last) unit could continue a Latin word or a number before (after) it.
        self._edges = [(_edge_kind(w[0]), _edge_kind(w[-1])) for w in self.words]
        self._checked = np.array([a or b for a, b in self._edges], dtype=bool) if n else np.zeros(0, bool)
        singles = sorted((ord(w), i) for i, w in enumerate(self.words) if len(w) == 1 and char_kind(w) == CHARACTER)
        self._single_codes = np.array([c for c, _ in singles], dtype=np.uint32)
        self._single_ids = np.array([i for _, i in singles], dtype=np.int64)
        single = {i for _, i in singles}
        self._automaton = None
        if len(single) < n:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, word in enumerate(self.words):
                if i not in single:
                    automaton.add_word(word.encode("utf-8").decode("latin-1"), i)
            automaton.make_automaton()
            self._automaton = automaton
        self._before = np.array([a for a, _ in self._edges], dtype=np.int8)
        self._after = np.array([b for _, b in self._edges], dtype=np.int8)

    def find(self, text: str):
        """``(starts, ends, ids)``: numpy arrays of the character offsets (end excluded) and word
        numbers of every occurrence in ``text`` (normalised), in no particular order."""
        import numpy as np

        starts, ids = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        if not text:
            return starts[0], starts[0], ids[0]
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        if self._automaton is not None:
            data = text.encode("utf-8")
            flat = np.fromiter(itertools.chain.from_iterable(self._automaton.iter(data.decode("latin-1"))), dtype=np.int64)
            if flat.size:
                found = flat[1::2]
                first_byte = flat[0::2] - self._bytes[found] + 1
                raw = np.frombuffer(data, dtype=np.uint8)
                char_of_byte = np.cumsum((raw & 0xC0) != 0x80) - 1  # UTF-8: continuation bytes are 10xxxxxx
                starts.append(char_of_byte[first_byte])
                ids.append(found)
        if self._single_codes.size:
            at = np.minimum(np.searchsorted(self._single_codes, codes), self._single_codes.size - 1)
            where = np.flatnonzero(self._single_codes[at] == codes)
            starts.append(where.astype(np.int64))
            ids.append(self._single_ids[at[where]])
        starts, ids = np.concatenate(starts), np.concatenate(ids)
        ends = starts + self._chars[ids]
        if starts.size and self._checked.any():
            # A match whose first unit is a letter (digit) may not follow a letter (digit), nor
            # may one whose last unit is a letter (digit) precede one.
            before, after = self._before[ids], self._after[ids]
            cut = np.zeros(starts.size, dtype=bool)
            has = np.flatnonzero((before > 0) & (starts > 0))
            cut[has] = _kinds(codes, starts[has] - 1, text) == before[has]
            has = np.flatnonzero((after > 0) & (ends < codes.size))
            cut[has] |= _kinds(codes, ends[has], text) == after[has]
            starts, ends, ids = starts[~cut], ends[~cut], ids[~cut]
        return starts, ends, ids


# char_kind of the ASCII characters, for _kinds.
_ASCII_KINDS = [char_kind(chr(c)) for c in range(128)]


def _kinds(codes, at, text: str):
    """char_kind of the characters at offsets ``at``: ASCII from a table, the CJK ideographs
    (U+3400..U+9FFF, the blocks of almost every Chinese character) as CHARACTER, others one by one."""
    import numpy as np

    c = codes[at]
    kinds = np.full(at.size, CHARACTER, dtype=np.int8)
    ascii_ = c < 128
    kinds[ascii_] = np.array(_ASCII_KINDS, dtype=np.int8)[c[ascii_]]
    for i in np.flatnonzero(~ascii_ & ((c < 0x3400) | (c > 0x9FFF))).tolist():
        kinds[i] = char_kind(text[at[i]])
    return kinds


def _edge_kind(ch: str) -> int:
    """LATIN or DIGIT if a word's unit beginning (or ending) with ``ch`` could continue into the
    text beside it, else 0."""
    kind = char_kind(ch)
    return kind if kind in (LATIN, DIGIT) else 0


@parallel.with_engine
def keywords_in_context(
    inputs: Iterable[str],
    words: Iterable[str],
    *,
    width: int = defaults.KWIC_WIDTH,
    per_word: int = defaults.KWIC_PER_WORD,
    pick: str = defaults.KWIC_PICK,
    jobs: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> dict[str, list[Context]]:
    """Find ``per_word`` occurrences of each word in the corpus, with their contexts.

    Args:
        inputs: files, directories, globs or ``-`` (see :func:`wordmine.files.expand_inputs`).
        words: the words to look for (normalised; repeats count once: :func:`check_words`).
        width: characters of context on each side, at most (within the line).
        per_word: occurrences kept per word, at most.
        pick: ``"spread"`` (a sample over the whole corpus) or ``"first"`` (see the module doc).
        jobs: worker processes (None: all CPUs; 1: in-process).
        encoding, errors: how to decode the inputs (see :func:`wordmine.corpus.read_batches`).
        batch_bytes: input bytes per worker batch.
        progress: show a progress bar on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client`` (see
            :mod:`wordmine.parallel`). On Dask, this process reads the corpus and sends each
            batch's text to the workers (a batch must know the line and character offset it
            starts at, which a worker reading its own byte range of a file cannot know); the
            matching runs on the workers and the result is the same.

    Returns:
        word -> its contexts in corpus order, for every word in the order of ``words`` (an empty
        list for a word not found).

    Raises:
        ValueError: a bad word (:func:`check_words`), ``width`` or ``per_word`` below 1, or an
            unknown ``pick``.
        InputError: naming the file and line, for missing or undecodable inputs.
    """
    words = check_words(words)
    _check_options(width, per_word, pick)
    if not words:
        return {}
    files = expand_inputs(inputs)
    kept = parallel.map_batches(
        read_located_batches(files, batch_bytes=batch_bytes, encoding=encoding, errors=errors),
        _kwic_batch,
        _add,
        _Kept(per_word, _KEPT_ROWS_PER_WORD * per_word * len(words)),
        jobs=jobs,
        initializer=_init_worker,
        initargs=(words, width, per_word, pick),
        size=_nbytes,
        total=input_size(files),
        progress=progress,
        desc="kwic",
        engine=engine,
    )
    return _contexts(words, kept)


def keywords_in_context_of_text(
    text: str,
    words: Iterable[str],
    *,
    width: int = defaults.KWIC_WIDTH,
    per_word: int = defaults.KWIC_PER_WORD,
    pick: str = defaults.KWIC_PICK,
    name: str = STDIN,
) -> dict[str, list[Context]]:
    """:func:`keywords_in_context` of one string, in-process (the worker's own code path);
    ``name`` is what the contexts give as their file.

    >>> keywords_in_context_of_text("哈哈哈\\nAI和MAIL", ["哈哈", "AI"], per_word=1, pick="first")
    {'哈哈': [Context(word='哈哈', left='', match='哈哈', right='哈', file='-', line=1)], 'AI': [Context(word='AI', left='', match='AI', right='和MAIL', file='-', line=2)]}
    """
    from .corpus import Piece

    words = check_words(words)
    _check_options(width, per_word, pick)
    if not words:
        return {}
    _init_worker(words, width, per_word, pick)
    if text and not text.endswith("\n"):
        text += "\n"
    rows = _kwic_batch(LocatedBatch(text, 0, (Piece(name, 0, 0, 1, 0),)))
    return _contexts(words, _Kept(per_word, 0).add(rows))


def _check_options(width: int, per_word: int, pick: str) -> None:
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if per_word < 1:
        raise ValueError(f"per_word must be at least 1, not {per_word}")
    if pick not in PICKS:
        raise ValueError(f"pick must be one of {', '.join(PICKS)}, not {pick!r}")


def _contexts(words: list[str], kept: "_Kept") -> dict[str, list[Context]]:
    by_word: dict[int, list] = {}
    for row in kept.rows():
        by_word.setdefault(row[0], []).append(row)
    result = {}
    for i, word in enumerate(words):
        rows = sorted(by_word.get(i, ()), key=lambda row: row[2])  # corpus order
        result[word] = [Context(word, *row[3:]) for row in rows]
    return result


class _Kept:
    """The parent's side: rows ``(word id, key, position, left, match, right, file, line)`` from
    the batches, of which the ``per_word`` of smallest key per word are the answer.

    Rows are appended as they come and compacted to the best ``per_word`` per word whenever
    they exceed ``limit``: memory stays bounded, and sorting many rows at once costs less than
    merging each batch's (the order of batches does not matter: keys are unique per word).
    """

    def __init__(self, per_word: int, limit: int):
        self.per_word, self.limit = per_word, limit
        self._rows: list = []

    def add(self, rows: list) -> "_Kept":
        self._rows += rows
        if len(self._rows) > self.limit:
            self._rows = self.rows()
        return self

    def rows(self) -> list:
        """The best ``per_word`` rows of each word, by word id then key."""
        self._rows.sort(key=lambda row: row[:3])
        kept, wid, n = [], None, 0
        for row in self._rows:
            if row[0] != wid:
                wid, n = row[0], 0
            if n < self.per_word:
                kept.append(row)
                n += 1
        return kept


def _add(kept: _Kept, rows: list) -> _Kept:
    return kept.add(rows)


def write_kwic(
    contexts: Mapping[str, list[Context]] | Iterable[Context],
    output: str | IO[str] = STDIN,
    *,
    format: str = "tsv",
    header: bool = True,
) -> None:
    """Write contexts: a TSV of :data:`KWIC_TABLE` or, with ``format="text"``, lines aligned for
    a terminal (``file:line``, the left context right-aligned, the match, the right context;
    wide characters count as two columns), atomically when ``output`` is a path.

    >>> import io
    >>> out = io.StringIO()
    >>> write_kwic(keywords_in_context_of_text("我们发现新词\\n新词很多", ["新词"]), out, format="text")
    >>> print(out.getvalue(), end="")
    -:1  我们发现 新词
    -:2           新词 很多
    """
    if isinstance(output, str):
        with atomic_write(output) as f:
            write_kwic(contexts, f, format=format, header=header)
        return
    if format not in KWIC_FORMATS:
        raise ValueError(f"unknown kwic format {format!r}; use tsv or text")
    rows = [c for cs in contexts.values() for c in cs] if isinstance(contexts, Mapping) else list(contexts)
    if format == "tsv":
        if header:
            output.write("\t".join(KWIC_TABLE) + "\n")
        output.write("".join(f"{c.word}\t{c.left}\t{c.match}\t{c.right}\t{shown(c.file)}\t{c.line}\n" for c in rows))
        return
    places = [f"{shown(c.file)}:{c.line}" for c in rows]
    place_width = max(map(display_width, places), default=0)
    left_width = max((display_width(c.left) for c in rows), default=0)
    for place, c in zip(places, rows):
        line = (f"{place}{' ' * (place_width - display_width(place))}  "
                f"{' ' * (left_width - display_width(c.left))}{c.left} {c.match} {c.right}")
        output.write(line.rstrip(" ") + "\n")


def display_width(text: str) -> int:
    """Terminal columns of ``text``: two for a wide or full-width character, none for a combining
    mark, one for the others.

    >>> display_width("AI芯片"), display_width("é")
    (6, 1)
    """
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text
    )


# --- worker side -------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(words: list[str], width: int, per_word: int, pick: str) -> None:
    import numpy as np

    _WORKER.clear()
    _WORKER.update(
        matcher=WordMatcher(words), width=width, per_word=per_word, pick=pick,
        # This worker's own best keys per word (smallest first) over the batches it has seen:
        # a batch sends only the occurrences that enter them. Every occurrence among the whole
        # run's best enters its worker's best when it is seen, so the parent still gets it;
        # after a few batches almost nothing enters (about per_word * ln(n / per_word) of a
        # word's n occurrences, for a uniform hash), so little crosses the process boundary.
        best=np.full((len(words), per_word), np.iinfo(np.uint64).max, dtype=np.uint64),
    )


def _kwic_batch(batch: LocatedBatch) -> list:
    import numpy as np

    w = _WORKER
    per_word, best = w["per_word"], w["best"]
    text = batch.text
    starts, ends, ids = w["matcher"].find(normalize(text))
    if not starts.size:
        return []
    pieces = batch.pieces
    piece_starts = np.array([p.start for p in pieces], dtype=np.int64)
    which = np.searchsorted(piece_starts, starts, side="right") - 1
    file_index = np.array([p.index for p in pieces], dtype=np.int64)[which]
    offset = np.array([p.offset for p in pieces], dtype=np.int64)[which] + (starts - piece_starts[which])
    position = (file_index << _OFFSET_BITS) | offset
    key = position.astype(np.uint64) if w["pick"] == "first" else _mix(position)
    # Only what could enter this worker's best: a key no larger than the word's last best one.
    maybe = np.flatnonzero(key <= best[ids, -1])
    order = maybe[np.lexsort((position[maybe], key[maybe], ids[maybe]))]
    sorted_ids = ids[order]
    n = order.size
    group_start = np.maximum.accumulate(np.where(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]], np.arange(n), 0))
    rank = np.arange(n) - group_start
    chosen = order[rank < per_word]  # by word id, then key
    if not chosen.size:
        return []
    # The worker's best keys of these words, with the batch's: the smallest per_word stay.
    touched = np.unique(ids[chosen])
    fresh = np.full((touched.size, per_word), np.iinfo(np.uint64).max, dtype=np.uint64)
    fresh[np.searchsorted(touched, ids[chosen]), rank[rank < per_word]] = key[chosen]
    best[touched] = np.sort(np.concatenate([best[touched], fresh], axis=1), axis=1)[:, :per_word]
    chosen = chosen[key[chosen] <= best[ids[chosen], -1]]
    # Lines: newlines before each match, counted from its piece's start.
    newlines = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    s, e = starts[chosen], ends[chosen]
    before = np.searchsorted(newlines, s)
    piece = which[chosen]
    lines = np.array([p.line for p in pieces], dtype=np.int64)[piece] + before - np.searchsorted(newlines, piece_starts[piece])
    # The line of each match runs from just after the line end before it to the line end after it.
    bounds = np.concatenate(([-1], newlines, [len(text)]))
    line_start, line_end = bounds[before] + 1, bounds[before + 1]
    width = w["width"]
    clean = (lambda t: t.translate(_BLANK)) if _CONTROL.search(text.replace("\n", " ")) else (lambda t: t)
    rows = []
    for wid, k, pos, a, b, ls, le, f, line in zip(
        ids[chosen].tolist(), key[chosen].tolist(), position[chosen].tolist(), s.tolist(), e.tolist(),
        line_start.tolist(), line_end.tolist(), piece.tolist(), lines.tolist(),
    ):
        rows.append((
            wid, k, pos, clean(text[max(ls, a - width):a]), clean(text[a:b]),
            clean(text[b:min(le, b + width)]), pieces[f].file, line,
        ))
    return rows


def _mix(position):
    """splitmix64's finaliser of each position: a hash that spreads neighbouring positions
    uniformly (the key of ``pick="spread"``), as unsigned 64-bit integers."""
    import numpy as np

    z = position.astype(np.uint64) + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MIX2)
    return z ^ (z >> np.uint64(31))


def _nbytes(batch: LocatedBatch) -> int:
    return batch.nbytes
