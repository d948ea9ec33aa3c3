"""The symbol table of n-gram counting: which units (:mod:`wordmine.corpus`) get a symbol of
their own, and the vectorised scan of text into symbol ids.

Every character unit of the corpus (ideographs, kana, ...) is a symbol. Latin words and numbers
are unbounded in number (a news corpus of 105 MiB has 24,000 distinct numbers, a forum dump
millions of user names and URLs), so only the most frequent of them get symbols of their own;
every other Latin word shares the class symbol ``<LATIN>`` and every other number ``<NUM>``.
Their statistics pool in the class (``<NUM>年`` is how often any rarer number comes before 年)
while their surface forms are kept wherever words are counted from the text itself.

How many: as many Latin words and numbers as fit in the room the characters leave in a 64-bit
key (see :class:`wordmine.keys.KeyPacker`: with ``V`` symbols, ``c`` symbols fit in one word as
long as ``V**c <= 2**64``), and at least :data:`MIN_WORD_UNITS`. A news corpus has ~5,500
characters: five fit in a word up to 7,131 symbols, so ~1,650 Latin words and numbers get their
own symbols and order-5 n-grams (what discovery counts) still take one word each. One more
symbol past that would double the keys of order 5 and the time to count them (6.9 s against
12.7 s for 50 MiB of news, one process). The most frequent are found in one pass with a
Misra-Gries summary of :data:`SUMMARY_SIZE` counters (Misra & Gries 1982; merged in batch order,
so the choice does not depend on the number of workers): any unit more frequent than
1/:data:`SUMMARY_SIZE` of all Latin words and numbers is sure to be in it.

Symbols are sorted by their text (code points): sorting n-gram keys sorts n-grams by their units.

>>> table = SymbolTable.build(["新", "词"], {"GDP": 3, "2024": 2})
>>> table.symbols
['2024', '<LATIN>', '<NUM>', 'GDP', '新', '词']
>>> encoded = table.encode("新词GDP，2025")
>>> encoded.ids.tolist()
[4, 5, 3, 4294967295, 2]
>>> table.strings_of(encoded.ids[:3])
['新', '词', 'GDP']
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from .corpus import CHARACTER, DIGIT, LATIN, CodePointTable, char_kind, unit_fragments
from .keys import NONE, digits_per_word

__all__ = [
    "CLASSES",
    "LATIN_CLASS",
    "MIN_WORD_UNITS",
    "NUMBER_CLASS",
    "SUMMARY_SIZE",
    "Encoded",
    "Scan",
    "SymbolTable",
    "UnitSummary",
    "gram_units",
    "scan",
    "word_unit_room",
]

#: The class symbol of the Latin words without a symbol of their own.
LATIN_CLASS = "<LATIN>"
#: The class symbol of the numbers without a symbol of their own.
NUMBER_CLASS = "<NUM>"
CLASSES = (LATIN_CLASS, NUMBER_CLASS)
#: Latin words and numbers with their own symbols, at least: the commonest letters, digits, years
#: and acronyms of any Chinese corpus fit in 256.
MIN_WORD_UNITS = 256
#: Counters of the Misra-Gries summary: 65,536 units of ~100 bytes each is ~7 MB.
SUMMARY_SIZE = 1 << 16

# Kinds of the scan: those of wordmine.corpus, plus the three characters that belong to a number
# only between or after digits.
_DOT, _COMMA, _PERCENT = 4, 5, 6
_kinds = CodePointTable(lambda ch: {".": _DOT, ",": _COMMA, "%": _PERCENT}.get(ch, char_kind(ch)))


class Scan(NamedTuple):
    """Units and separators of a text, in order: ``kind`` (a kind of :mod:`wordmine.corpus`;
    :data:`~wordmine.corpus.SEPARATOR` for a run of separators), ``start`` and ``end`` (offsets
    in the text), and the text's code points."""

    kind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    codes: np.ndarray


def _word_units(kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Latin words and numbers among the kinds of a text's characters: ``(start, end,
    is a number)`` of each. Only the positions of letters, digits and the three characters
    that join numbers are looked at (a twentieth of news text)."""
    size = len(kinds)
    candidates = np.flatnonzero(kinds >= LATIN)  # LATIN, DIGIT, ., , and %
    padded = np.zeros(size + 5, dtype=np.uint8)  # SEPARATOR before the start and past the end
    padded[1 : size + 1] = kinds
    at = candidates + 1  # positions in padded
    k = padded[at]
    before = padded[at - 1] == DIGIT
    after = padded[at + 1] == DIGIT
    group = after & (padded[at + 2] == DIGIT) & (padded[at + 3] == DIGIT) & (padded[at + 4] != DIGIT)
    # digits, and the joiners that stand where the rules of wordmine.corpus put them
    number = (k == DIGIT) | (before & (((k == _DOT) & after) | (k == _PERCENT) | ((k == _COMMA) & group)))
    latin = k == LATIN
    keep = number | latin
    positions, number, latin, k = candidates[keep], number[keep], latin[keep], k[keep]
    # A unit starts where the one before is not of the same kind, or is a percent sign ending a
    # number, or is not adjacent.
    adjacent = np.zeros(len(positions), dtype=bool)
    adjacent[1:] = positions[1:] == positions[:-1] + 1
    same = np.zeros(len(positions), dtype=bool)
    same[1:] = (number[1:] & number[:-1] & (k[:-1] != _PERCENT)) | (latin[1:] & latin[:-1])
    first = np.flatnonzero(~(adjacent & same))
    ends = np.append(positions[first[1:] - 1], positions[-1] if len(positions) else 0) + 1
    return positions[first], ends[: len(first)], number[first]


def scan(text: str) -> Scan:
    """Find the units of normalised text (the rules of :mod:`wordmine.corpus`), with numpy.

    >>> s = scan("A股涨3.5%，1,2")
    >>> [("A股涨3.5%，1,2"[a:b], int(k)) for k, a, b in zip(s.kind, s.start, s.end)]
    [('A', 2), ('股', 1), ('涨', 1), ('3.5%', 3), ('，', 0), ('1', 3), (',', 0), ('2', 3)]
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    size = len(codes)
    kinds = _kinds(codes)
    word_starts, word_ends, is_number = _word_units(kinds)
    char = kinds == CHARACTER
    inside = char.copy()
    if len(word_starts):  # +1 at each word's start, -1 at its end: positions inside a word
        covered = np.bincount(word_starts, minlength=size + 1) - np.bincount(word_ends, minlength=size + 1)
        inside |= np.cumsum(covered[:size]) > 0
    # A separator entry for the first of each run of separators.
    separator_starts = np.flatnonzero(np.diff(inside.view(np.int8)) == -1) + 1
    entry = char.copy()
    entry[word_starts] = True
    entry[separator_starts] = True
    if size and not inside[0]:
        entry[0] = True
    # Every entry starts at a boundary (a unit start or a separator); it ends at the next one.
    boundaries = np.flatnonzero(entry | ~inside)
    at = np.flatnonzero(entry[boundaries])
    entries = boundaries[at]
    ends = np.append(boundaries, size)[at + 1]
    kind_at = char.view(np.uint8) * np.uint8(CHARACTER)  # SEPARATOR is 0
    kind_at[word_starts] = np.where(is_number, DIGIT, LATIN)
    return Scan(kind_at[entries], entries, ends, codes)


class Encoded(NamedTuple):
    """Symbol ids of a text's units (:data:`wordmine.keys.NONE` at separators and at units
    the table lacks), with each entry's ``start`` and ``end`` offsets in the text."""

    ids: np.ndarray
    start: np.ndarray
    end: np.ndarray


def word_unit_room(characters: int) -> int:
    """How many Latin words and numbers get symbols of their own beside ``characters``
    character symbols (see the module doc).

    >>> word_unit_room(5471), word_unit_room(20000), word_unit_room(100)
    (1658, 45534, 256)
    """
    fixed = characters + len(CLASSES)
    c = digits_per_word(max(fixed, 2))
    largest = int(round(2 ** (64 / c)))
    while largest**c > 1 << 64:
        largest -= 1
    while (largest + 1) ** c <= 1 << 64:
        largest += 1
    return max(MIN_WORD_UNITS, largest - fixed)


class UnitSummary:
    """The symbol pass's accumulator: the corpus's character units (exact) and a Misra-Gries
    summary of its Latin words and numbers. Add batch results in batch order.

    >>> s = UnitSummary().add(UnitSummary.of_text("新词GDP新"))
    >>> s.characters.tolist(), dict(s.words)
    ([26032, 35789], {'GDP': 1})
    """

    def __init__(self, characters: np.ndarray | None = None, words: Mapping[str, int] | None = None):
        self.characters = np.zeros(0, dtype=np.uint32) if characters is None else characters
        self.words: Counter = Counter(words or {})

    @staticmethod
    def of_text(text: str) -> "UnitSummary":
        """The units of one (normalised) text: its distinct characters, its word-unit counts."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        # Distinct code points: a count over the BMP is cheaper than sorting them all.
        seen = np.flatnonzero(np.bincount(codes[codes < 0x10000], minlength=0x10000)).astype(np.uint32)
        distinct = np.union1d(seen, codes[codes >= 0x10000]).astype(np.uint32)
        characters = distinct[_kinds(distinct) == CHARACTER]
        starts, ends, _ = _word_units(_kinds(codes))
        return UnitSummary(characters, Counter(text[a:b] for a, b in zip(starts.tolist(), ends.tolist())))

    def add(self, other: "UnitSummary") -> "UnitSummary":
        self.characters = np.union1d(self.characters, other.characters).astype(np.uint32)
        self.words.update(other.words)
        if len(self.words) > 2 * SUMMARY_SIZE:
            # Misra-Gries: take the (size+1)-th largest count off every counter, drop the
            # counters that reach zero. A unit's count is under-estimated by at most
            # (all units seen) / (SUMMARY_SIZE + 1).
            cut = sorted(self.words.values(), reverse=True)[SUMMARY_SIZE]
            self.words = Counter({w: c - cut for w, c in self.words.items() if c > cut})
        return self

    def table(self, room: int | None = None) -> "SymbolTable":
        """The symbol table: every character, the ``room`` most frequent word units (default
        :func:`word_unit_room`), the classes."""
        chars = [chr(c) for c in self.characters.tolist()]
        return SymbolTable.build(chars, self.words, room=room)


class SymbolTable:
    """Symbols (sorted strings) and the mapping of text units to their ids.

    Attributes:
        symbols: the symbols, sorted; a symbol's id is its index.
        classes: ids of the classes ``<LATIN>`` and ``<NUM>`` (a boolean mask over ids).
    """

    def __init__(self, symbols: Sequence[str]):
        self.symbols = list(symbols)
        self.index = {s: i for i, s in enumerate(self.symbols)}
        if len(self.index) != len(self.symbols) or self.symbols != sorted(self.symbols):
            raise ValueError("symbols must be sorted and distinct")
        missing = [c for c in CLASSES if c not in self.index]
        if missing:
            raise ValueError(f"a symbol table must hold the classes {', '.join(CLASSES)}")
        self.latin_class = self.index[LATIN_CLASS]
        self.number_class = self.index[NUMBER_CLASS]
        self.classes = np.zeros(len(self.symbols), dtype=bool)
        self.classes[[self.latin_class, self.number_class]] = True
        #: per id: True for a symbol of more than one character (word units and classes)
        self.long = np.fromiter((len(s) > 1 for s in self.symbols), dtype=bool, count=len(self.symbols))
        #: per id: the kind of unit (CHARACTER, LATIN or DIGIT; a class has its members' kind)
        self.kind = np.fromiter((_symbol_kind(s) for s in self.symbols), dtype=np.uint8, count=len(self.symbols))
        self._lut = None

    @classmethod
    def build(cls, characters: Iterable[str], words: Mapping[str, int], room: int | None = None) -> "SymbolTable":
        """Characters (single-character units), the ``room`` most frequent of ``words`` (ties
        by text), and the classes."""
        characters = sorted(set(characters))
        room = word_unit_room(len(characters)) if room is None else room
        chosen = sorted(words.items(), key=lambda item: (-item[1], item[0]))[:room]
        return cls(sorted({*characters, *(w for w, _ in chosen), *CLASSES}))

    def __len__(self) -> int:
        return len(self.symbols)

    def __eq__(self, other) -> bool:
        return isinstance(other, SymbolTable) and self.symbols == other.symbols

    def __repr__(self) -> str:
        return f"<SymbolTable of {len(self.symbols)} symbols>"

    @property
    def character_lut(self) -> np.ndarray:
        """Code point -> id of the single-character symbols (NONE for the rest)."""
        if self._lut is None:
            lut = np.full(0x110000, NONE, dtype=np.uint32)
            for i, s in enumerate(self.symbols):
                if len(s) == 1:
                    lut[ord(s)] = i
            self._lut = lut
        return self._lut

    def class_of(self, unit: str) -> int:
        """The class id a Latin word or number without a symbol of its own falls in."""
        return self.number_class if unit[:1].isdecimal() else self.latin_class

    @staticmethod
    def class_name_of(unit: str) -> str:
        """The class a Latin word or number belongs to: ``<NUM>`` or ``<LATIN>``.

        >>> SymbolTable.class_name_of("2024"), SymbolTable.class_name_of("GDP")
        ('<NUM>', '<LATIN>')
        """
        return NUMBER_CLASS if unit[:1].isdecimal() else LATIN_CLASS

    def id_of(self, unit: str) -> int:
        """The id of one unit (a word unit without a symbol gets its class; an unknown
        character, or a class name, gets :data:`~wordmine.keys.NONE` or the class).

        >>> t = SymbolTable.build(["股"], {"A": 5})
        >>> [t.id_of(u) for u in ["A", "股", "B", "7", "猫", "<NUM>"]] == [t.index["A"], t.index["股"], t.latin_class, t.number_class, int(NONE), t.number_class]
        True
        """
        i = self.index.get(unit)
        if i is not None:
            return i
        if len(unit) == 1 and char_kind(unit) == CHARACTER:
            return int(NONE)
        if char_kind(unit[:1]) in (LATIN, DIGIT):
            return self.class_of(unit)
        return int(NONE)

    def encode(self, text: str) -> Encoded:
        """Symbol ids of the units of normalised ``text`` (see :class:`Encoded`)."""
        s = scan(text)
        ids = np.full(len(s.kind), NONE, dtype=np.uint32)
        is_char = s.kind == CHARACTER
        ids[is_char] = self.character_lut[s.codes[s.start[is_char]]]
        words = np.flatnonzero((s.kind == LATIN) | (s.kind == DIGIT))
        if len(words):
            get = self.index.get
            found = [get(w) for w in (text[a:b] for a, b in zip(s.start[words].tolist(), s.end[words].tolist()))]
            ids[words] = [
                i if i is not None else (self.number_class if s.kind[j] == DIGIT else self.latin_class)
                for i, j in zip(found, words.tolist())
            ]
        return Encoded(ids, s.start, s.end)

    def ids_of_strings(self, strings: Sequence[str]) -> list[np.ndarray]:
        """For each string, the ids of its units (its fragments joined: a string is looked up
        as one n-gram), ``<LATIN>`` and ``<NUM>`` written as such standing for their class.

        >>> t = SymbolTable.build(["股"], {"A": 5})
        >>> [ids.tolist() for ids in t.ids_of_strings(["A股", "<NUM>股"])] == [[t.index["A"], t.index["股"]], [t.number_class, t.index["股"]]]
        True
        """
        result = []
        for string in strings:
            parts = _split_classes(string)
            result.append(np.array([self.id_of(u) for part in parts for u in part], dtype=np.uint32))
        return result

    def strings_of(self, ids: np.ndarray) -> list[str]:
        """The text of rows of ids (``(m, k)``), or of single ids (``(m,)``)."""
        ids = np.asarray(ids)
        if ids.ndim == 1:
            ids = ids[:, None]
        m, k = ids.shape
        if m == 0:
            return []
        long_rows = self.long[ids].any(axis=1)
        out = [""] * m
        short = np.flatnonzero(~long_rows)
        if len(short):
            codes = np.array([ord(s) if len(s) == 1 else 0 for s in self.symbols], dtype="<u4")[ids[short]]
            for i, text in zip(short.tolist(), np.ascontiguousarray(codes).view(f"<U{k}").ravel().tolist()):
                out[i] = text
        symbols = self.symbols
        for i in np.flatnonzero(long_rows).tolist():
            out[i] = "".join(symbols[j] for j in ids[i].tolist())
        return out


def gram_units(gram: str) -> list[str]:
    """The units of an n-gram as a table writes it (``<LATIN>`` and ``<NUM>`` are units), or []
    when it holds a character that is no unit (punctuation, a space).

    >>> gram_units("A股<NUM>年"), gram_units("新，词")
    (['A', '股', '<NUM>', '年'], [])
    """
    units = [u for part in _split_classes(gram) for u in part]
    return [] if "\0" in units else units


def _symbol_kind(symbol: str) -> int:
    if symbol == NUMBER_CLASS:
        return DIGIT
    if symbol == LATIN_CLASS:
        return LATIN
    return char_kind(symbol[0])


def _split_classes(string: str) -> list[list[str]]:
    """Units of a string in which ``<LATIN>`` and ``<NUM>`` stand for their classes."""
    parts: list[list[str]] = []
    rest = string
    while rest:
        at = min((i for i in (rest.find(c) for c in CLASSES) if i >= 0), default=-1)
        if at < 0:
            parts.append(_units_of(rest))
            break
        if at:
            parts.append(_units_of(rest[:at]))
        name = next(c for c in CLASSES if rest.startswith(c, at))
        parts.append([name])
        rest = rest[at + len(name) :]
    return parts


def _units_of(text: str) -> list[str]:
    units = [u for fragment in unit_fragments(text) for u in fragment]
    # A character that is no unit (punctuation) makes the string no n-gram: keep it, unknown.
    if sum(map(len, units)) != len(text):
        return units + ["\0"]
    return units
