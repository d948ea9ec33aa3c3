"""jieba tokenizers for worker processes: private, quiet, cached per user.

Each worker builds its own ``jieba.Tokenizer`` (never the global ``jieba.dt``, never
``jieba.enable_parallel``), with its dictionary cache in the per-user cache directory of
:func:`wordmine.files.cache_dir` instead of jieba's shared file in the system temp directory.
jieba's loading messages ("Building prefix dict ...") are shown only when wordmine's own debug
logging is on (``-vv``).

>>> tk = make_tokenizer([("新词挖掘", 10, None)])
>>> tk.lcut("新词挖掘工具", HMM=False)
['新词挖掘', '工具']
>>> BlockCutter(tk, hmm=False)("新词挖掘工具。新词挖掘工具")
['新词挖掘', '工具', '。', '新词挖掘', '工具']
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import logging
import math
import os
import re
import tempfile
from typing import Iterable, KeysView, Mapping

from .corpus import CodePointTable
from .errors import OutputError
from .files import atomic_write, cache_dir

__all__ = ["COMMON_WORDS", "SURNAME_NAMES", "BlockCutter", "JiebaModel", "jieba_tags", "jieba_words", "make_tokenizer"]

#: The common vocabulary: the 10,000 most frequent words of two or more characters in jieba's
#: dictionary (they make up 77% of the frequency mass of its 337,000 such words; a reader of
#: Chinese knows them all, as the 5,000 words of the HSK 6 syllabus and more).
COMMON_WORDS = 10_000
#: A surname opens at least 100 of the person names in jieba's dictionary: 197 characters do
#: (王 1819, 张 1284, ..., 何 255, 于 621), the median character that opens one opens 23, and the
#: measure words at most 28 (位; 户 3, 架 0).
SURNAME_NAMES = 100

log = logging.getLogger(__name__)

#: An entry of a user dictionary: (word, frequency or None, part-of-speech tag or None).
UserWord = tuple[str, "int | None", "str | None"]


def make_tokenizer(userdict: Iterable[UserWord] = (), dictionary: str | None = None):
    """An initialised ``jieba.Tokenizer`` with the words of ``userdict`` added.

    The last tokenizer built is reused by the next call with the same arguments: treat it as
    read-only.

    Args:
        userdict: entries as returned by :func:`wordmine.formats.read_userdict`.
        dictionary: a jieba main dictionary file (``word freq [tag]`` lines) to use instead of
            jieba's own; its cache is keyed by path and modification time, as jieba does.
    """
    return _cached_tokenizer(tuple(userdict), dictionary)


def jieba_tags() -> dict[str, str]:
    """jieba's own dictionary as word -> part-of-speech tag, for the words of frequency above 0
    (read from its ``dict.txt``; "" for a word without a tag).

    >>> jieba_tags()["的"], "星澜科技" in jieba_tags()
    ('uj', False)
    """
    return _dictionary_facts()[0]


@functools.lru_cache(maxsize=1)
def _dictionary_facts() -> tuple[dict[str, str], frozenset]:
    """jieba's own dictionary's tags and its :data:`COMMON_WORDS` most frequent words of two or
    more characters, kept in the cache directory beside jieba's prefix cache.

    Read from ``dict.txt`` they take 1.4 s (parsing 349k lines, sorting them by frequency), from
    the cache 0.3 s: ``discover`` pays it once per run, after its workers are done. The cache is
    named after the dictionary's size and modification time and the size of the common
    vocabulary, so another jieba or another :data:`COMMON_WORDS` makes a new one.
    """
    import heapq
    import marshal

    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    st = os.stat(path)
    cache = os.path.join(cache_dir(), f"jieba-facts-{st.st_size}-{st.st_mtime_ns}-{COMMON_WORDS}.marshal")
    try:
        with open(cache, "rb") as f:
            tags, common = marshal.loads(f.read())
        return tags, frozenset(common)
    except Exception:  # missing or damaged: read the dictionary again
        pass
    tags, freq = {}, {}
    with open(path, "rb") as f:
        for line in f.read().decode("utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1] != "0":  # jieba: a later line of a word replaces it
                tags[parts[0]] = parts[2] if len(parts) > 2 else ""
                freq[parts[0]] = int(parts[1])
            elif parts:
                tags.pop(parts[0], None)
                freq.pop(parts[0], None)
    # nlargest is sorted(..., reverse=True)[:n]: on equal frequencies the greater word first
    common = [w for _, w in heapq.nlargest(COMMON_WORDS, ((f, w) for w, f in freq.items() if len(w) >= 2))]
    try:
        with atomic_write(cache, "wb") as f:
            f.write(marshal.dumps((tags, common)))
    except (OSError, OutputError):  # a read-only cache directory: read the dictionary every time
        pass
    return tags, frozenset(common)


def jieba_words() -> KeysView[str]:
    """The words of jieba's own dictionary (frequency above 0), as a set.

    >>> "中国" in jieba_words(), "星澜科技" in jieba_words()
    (True, False)
    """
    return jieba_tags().keys()


class JiebaModel:
    """What jieba's dictionary model (its unigram model, HMM off) makes of a string: its cut,
    the tags of the tokens, and the log-probability of the cut.

    >>> model = JiebaModel()
    >>> model.cut("他说"), model.tags(["他", "说"]), round(model.log_probability(["他", "说"]), 2)
    (['他', '说'], ['r', 'v'], -10.62)
    """

    def __init__(self):
        self._tokenizer = make_tokenizer()
        self._freq = self._tokenizer.FREQ  # words and, with frequency 0, their prefixes
        self._log_total = math.log(self._tokenizer.total)
        self._tags, self._common = _dictionary_facts()

    def common(self, word: str) -> bool:
        """One of the :data:`COMMON_WORDS` most frequent words of two or more characters.

        >>> JiebaModel().common("数据"), JiebaModel().common("初筛")
        (True, False)
        """
        return word in self._common

    def cut(self, text: str) -> list[str]:
        """jieba's tokens of ``text`` with its own dictionary and no HMM."""
        return self._tokenizer.lcut(text, HMM=False)

    def known(self, word: str) -> bool:
        """In jieba's dictionary."""
        return bool(self._freq.get(word))

    def tags(self, tokens: Iterable[str]) -> list[str]:
        """jieba's part-of-speech tag of each token ("" for a token its dictionary lacks)."""
        return [self._tags.get(t, "") for t in tokens]

    def surname(self, char: str) -> bool:
        """A character that opens at least :data:`SURNAME_NAMES` person names (tag nr, two or
        three characters) in jieba's dictionary: a surname (张, 何, 于; not 架 or 户).

        >>> JiebaModel().surname("张"), JiebaModel().surname("架")
        (True, False)
        """
        return char in _surnames()

    def completions(self, starts: Iterable[str], ends: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The characters that make a word of jieba's dictionary with each of ``starts`` after
        them (character + start), and with each of ``ends`` before them (end + character).

        >>> before, after = JiebaModel().completions(["筑物", "筑"], ["国"])
        >>> "建" in before["筑物"], "构" in before["筑"], "境" in after["国"]
        (True, True, True)
        """
        starts, ends = set(starts), set(ends)
        before: dict[str, str] = collections.defaultdict(str)
        after: dict[str, str] = collections.defaultdict(str)
        # One pass over the dictionary (0.2 s) instead of an index of every word's ends.
        for word, freq in self._freq.items():
            if freq and len(word) >= 2:
                if word[1:] in starts:
                    before[word[1:]] += word[0]
                if word[:-1] in ends:
                    after[word[:-1]] += word[-1]
        return dict(before), dict(after)

    def log_probability(self, tokens: Iterable[str]) -> float:
        """ln P of the tokens under jieba's unigram model (a token jieba's dictionary lacks
        scores as jieba scores an unknown character: frequency 1)."""
        return sum(math.log(self._freq.get(t) or 1) - self._log_total for t in tokens)


@functools.lru_cache(maxsize=1)
def _surnames() -> frozenset:
    opens = collections.Counter(w[0] for w, tag in jieba_tags().items() if tag == "nr" and 2 <= len(w) <= 3)
    return frozenset(c for c, n in opens.items() if n >= SURNAME_NAMES)


# Building a tokenizer costs about a second (loading jieba's 350k-word dictionary): keep the last
# one, so repeated library calls with jobs=1, and workers forked after one, do not pay again.
@functools.lru_cache(maxsize=1)
def _cached_tokenizer(userdict: tuple, dictionary: str | None = None):
    import jieba

    tk = jieba.Tokenizer() if dictionary is None else jieba.Tokenizer(dictionary)
    tk.tmp_dir = cache_dir()
    jieba_log = logging.getLogger("jieba")
    level = jieba_log.level
    if not log.isEnabledFor(logging.DEBUG):
        jieba_log.setLevel(logging.WARNING)
    try:
        if not _load_prefix_cache(tk):
            tk.initialize()
    finally:
        jieba_log.setLevel(level)
    for word, freq, tag in userdict:
        tk.add_word(word, freq, tag)
    return tk


def _load_prefix_cache(tk) -> bool:
    """Load jieba's prefix-dictionary cache as ``Tokenizer.initialize`` would, if it would use it.

    jieba reads the cache with ``marshal.load`` on the open file, which takes 1.3 s here against
    0.36 s for ``marshal.loads`` of the file's bytes: every worker process pays it, so this is
    most of a small job's start. Same file, same validity rule (jieba 0.42: ``jieba.cache`` for
    the default dictionary, else ``jieba.u<md5 of the absolute path>.cache``, valid if newer than
    the dictionary). Returns False (and jieba's own ``initialize`` builds the cache) otherwise.
    """
    import hashlib
    import marshal

    import jieba

    path = tk.dictionary
    if tk.cache_file:
        name = tk.cache_file
    elif path == jieba.DEFAULT_DICT:
        name = "jieba.cache"
    else:
        name = "jieba.u%s.cache" % hashlib.md5(path.encode("utf-8", "replace")).hexdigest()
    cache = os.path.join(tk.tmp_dir or tempfile.gettempdir(), name)
    try:
        if path != jieba.DEFAULT_DICT and os.path.getmtime(cache) <= os.path.getmtime(path):
            return False
        with open(cache, "rb") as f:
            freq, total = marshal.loads(f.read())
    except Exception:  # missing, stale or damaged: jieba rebuilds it
        return False
    if not isinstance(freq, dict) or not isinstance(total, (int, float)):
        return False
    tk.FREQ, tk.total, tk.initialized = freq, total, True
    return True


#: What BlockCutter's table holds for a prefix of words that is no word (log-probabilities are <= 0).
_PREFIX = 1.0


def _log_probabilities(tokenizer) -> dict[str, float]:
    """One look-up per fragment on BlockCutter's best-path loop: a word's log-probability (<= 0),
    or _PREFIX (> 0) for a prefix of words that is no word itself. Made once per tokenizer and
    state of its dictionary (0.2 s for jieba's): count and segment build a cutter per call and
    per worker; a word added to the tokenizer since (``add_word``) makes a new table."""
    state = (id(tokenizer), tokenizer.total, len(tokenizer.FREQ))
    table = _LOG_PROBABILITIES.get(state)
    if table is None or table[0] is not tokenizer:
        logtotal = math.log(tokenizer.total)
        table = (tokenizer, {w: math.log(f) - logtotal if f else _PREFIX for w, f in tokenizer.FREQ.items()})
        while len(_LOG_PROBABILITIES) >= 2:  # count's and segment's
            _LOG_PROBABILITIES.pop(next(iter(_LOG_PROBABILITIES)))
        _LOG_PROBABILITIES[state] = table
    return table[1]


_LOG_PROBABILITIES: dict = {}


class BlockCutter:
    """jieba's ``Tokenizer.cut`` re-implemented for speed: the same tokens, about 30% sooner.

    jieba cuts a text block by block, a block being a maximal run of the characters of its
    ``re_han_default`` (CJK, ASCII letters and digits, ``+#&._%-``). For each block it builds a
    DAG of the dictionary words starting at each position, then finds the most probable path
    right to left (``calc``), then re-cuts runs of single characters with its HMM. Here the DAG
    and the path are one backward pass over the block, with ``log(freq) - log(total)``
    computed once per word rather than once per occurrence; the scores are the same floating
    point numbers, added in the same order, and ties go to the longer word as in jieba's
    ``max`` over ``(score, end)`` tuples, so the tokens are identical (the tests compare them
    with jieba's own on the sample corpus and on generated text). The HMM step calls jieba's
    ``finalseg.cut`` as jieba does.

    Outside blocks, each whitespace character (or ``\\r\\n``) is one token and any other
    character is a token of its own, as in jieba.

    Given the units of the text (``spans``: the start and end offsets of its units of more than
    one character, :mod:`wordmine.corpus`), a block that holds such a unit is cut unit by unit:
    a word starts and ends at unit boundaries only, and a unit that starts no word is one token
    (scored as one unknown character), so a Latin word or a number is never split. Without the
    HMM, neighbouring one-unit tokens of ASCII letters or digits are joined, as jieba joins
    single ASCII characters (``iPhone`` + ``15``); with it, multi-character units stay as they
    are and only single characters go to the HMM.
    """

    #: Blocks as wordmine's fragments see them: letters and digits of every script (〇, CJK
    #: Extension A, ...) plus the symbols jieba keeps inside tokens and the comma of numbers.
    FRAGMENT_BLOCKS = re.compile(r"([\w+#&.,%\-]+)")

    def __init__(self, tokenizer, hmm: bool = True, blocks: re.Pattern | None = None):
        """``blocks``: the pattern of the runs cut with the dictionary (default jieba's own,
        CJK U+4E00..U+9FD5, ASCII letters, digits and ``+#&._%-``); :data:`FRAGMENT_BLOCKS`
        lets dictionary words hold any letter, such as the 〇 of 二〇〇一年."""
        import jieba
        from jieba import finalseg

        self._re_han = blocks or jieba.re_han_default
        self._re_skip = jieba.re_skip_default
        self._re_eng = jieba.re_eng
        self._hmm_cut = finalseg.cut
        self._hmm = hmm
        self._freq = tokenizer.FREQ  # words (freq > 0) and their prefixes (freq 0)
        logtotal = math.log(tokenizer.total)
        self._logp = _log_probabilities(tokenizer)
        # jieba scores a character that is no word as log(1) - logtotal.
        self._unknown = math.log(1) - logtotal

    def __call__(self, text: str, spans: Mapping[int, int] | None = None) -> list[str]:
        """The tokens of ``text``: without ``spans``, exactly ``list(tokenizer.cut(text, HMM=hmm))``;
        with them (``{start: end}`` of the units longer than one character), cut by units."""
        tokens: list[str] = []
        append, extend = tokens.append, tokens.extend
        re_han_match, re_skip = self._re_han.match, self._re_skip
        cut_block = self._cut_block
        starts = sorted(spans) if spans else []
        offset = 0
        for block in self._re_han.split(text):
            if not block:
                continue
            at, offset = offset, offset + len(block)
            if re_han_match(block):
                i = bisect.bisect_left(starts, at)
                if i < len(starts) and starts[i] < offset:
                    self._cut_block_units(block, at, spans, tokens)
                else:
                    cut_block(block, tokens)
            elif len(block) == 1:
                append(block)  # one character: a whitespace token or a token of its own alike
            else:
                for piece in re_skip.split(block):
                    if re_skip.match(piece):
                        append(piece)
                    else:
                        extend(piece)  # each character is a token
        return tokens

    def _ends(self, block: str) -> list[int]:
        """For each start position, the end (inclusive) of the word on jieba's best path."""
        get, unknown = self._logp.get, self._unknown
        n = len(block)
        score = [0.0] * (n + 1)
        end = [0] * n
        for start in range(n - 1, -1, -1):
            best = -math.inf
            best_end = start
            for i in range(start, n):
                lp = get(block[start : i + 1])
                if lp is None:  # neither a word nor the prefix of one
                    break
                if lp <= 0.0:  # a word
                    s = lp + score[i + 1]
                    if s >= best:  # >=: on a tie the later end wins, as in jieba
                        best, best_end = s, i
            if best == -math.inf:
                best = unknown + score[start + 1]
            score[start] = best
            end[start] = best_end
        return end

    def _cut_block_units(self, block: str, at: int, spans: Mapping[int, int], out: list[str]) -> None:
        """Cut a block unit by unit (see the class doc); ``at`` is its offset in the text."""
        bounds = []  # the start of every unit (or other character) of the block, then its end
        i, n = 0, len(block)
        while i < n:
            bounds.append(i)
            end = spans.get(at + i)
            i = end - at if end is not None else i + 1
        bounds.append(n)
        m = len(bounds) - 1
        get, unknown = self._logp.get, self._unknown
        score = [0.0] * (m + 1)
        ends = [0] * m  # for each unit, the unit after the word starting there
        for u in range(m - 1, -1, -1):
            start = bounds[u]
            best = -math.inf
            best_end = u + 1
            j = u + 1
            lp = get(block[start : bounds[j]])
            while lp is not None:  # a word or the prefix of one, ending at a unit boundary
                if lp <= 0.0:  # a word
                    s = lp + score[j]
                    if s >= best:  # on a tie the later end wins, as in jieba
                        best, best_end = s, j
                j += 1
                if j > m:
                    break
                lp = get(block[start : bounds[j]])
            if best == -math.inf:
                best = unknown + score[u + 1]
            score[u] = best
            ends[u] = best_end
        u = 0
        buf: list[str] = []  # HMM: single characters; else one-unit ASCII tokens to join
        eng = self._re_eng.match
        while u < m:
            v = ends[u]
            word = block[bounds[u] : bounds[v]]
            if self._hmm:
                if v - u == 1 and len(word) == 1:
                    buf.append(word)
                    u = v
                    continue
                if buf:
                    self._flush_singles("".join(buf), out)
                    buf = []
            else:
                if v - u == 1 and eng(word):
                    buf.append(word)
                    u = v
                    continue
                if buf:
                    out.append("".join(buf))
                    buf = []
            out.append(word)
            u = v
        if buf:
            if self._hmm:
                self._flush_singles("".join(buf), out)
            else:
                out.append("".join(buf))

    def _flush_singles(self, buf: str, out: list[str]) -> None:
        if len(buf) == 1:
            out.append(buf)
        elif not self._freq.get(buf):
            out.extend(self._hmm_cut(buf))
        else:
            out.extend(buf)

    def _cut_block(self, block: str, out: list[str]) -> None:
        end = self._ends(block)
        n = len(block)
        x = 0
        buf = ""
        if self._hmm:
            # Runs of single characters go to the HMM unless the run is itself a word.
            while x < n:
                y = end[x] + 1
                if y - x == 1:
                    buf += block[x]
                else:
                    if buf:
                        self._flush_singles(buf, out)
                        buf = ""
                    out.append(block[x:y])
                x = y
            if buf:
                self._flush_singles(buf, out)
        else:
            # Without the HMM, runs of single ASCII letters or digits are joined.
            eng = self._re_eng.match
            while x < n:
                y = end[x] + 1
                word = block[x:y]
                if y - x == 1 and eng(word):
                    buf += word
                else:
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(word)
                x = y
            if buf:
                out.append(buf)


    # --- the same cut of a whole text at once, with numpy (HMM off) -----------------------------

    def token_starts(self, text: str, starts=None, ends=None):
        """Where the tokens of ``self(text, spans)`` start, found with numpy for the whole text at
        once (HMM off only): a bool array of ``len(text)``, True at the first character of each
        non-empty token. ``starts`` and ``ends``: the offsets of the units of more than one
        character (the keys and values of ``spans``), as arrays.

        Same tokens, four to five times sooner on a batch of news (30 ms against 140 ms for
        256 KiB): Python's loops run once per character in :meth:`_ends`, here once per
        character of the longest block and of the longest word. The words starting at every position are found by walking the
        dictionary's trie (:class:`_Trie`) one character further at each step, from all
        positions at once; the best path is the recurrence of :meth:`_ends` solved for all
        blocks together, one distance from the block's end per step, with the same
        floating-point additions (``lp + score[end]``) and the same tie rule (the later end).
        A block that a span starts in but does not end in (the units of
        :func:`wordmine.symbols.scan` never do, but any spans may be given) is cut by
        :meth:`_cut_block_units`, as ``__call__`` cuts it.

        >>> cut = BlockCutter(make_tokenizer([("新词挖掘", 10, None)]), hmm=False)
        >>> text = "新词挖掘工具,iPhone15。"
        >>> [text[i] for i in cut.token_starts(text).nonzero()[0]]
        ['新', '工', ',', 'i', '。']
        >>> cut(text)
        ['新词挖掘', '工具', ',', 'iPhone15', '。']
        """
        import numpy as np

        if self._hmm:
            raise ValueError("token_starts cuts with the HMM off only")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        n = codes.size
        first = np.zeros(n, dtype=bool)
        if not n:
            return first
        inside = np.zeros(n + 1, dtype=bool)  # in a block; False past the end
        inside[:n] = self._block_chars(codes)
        edge = np.diff(inside.view(np.int8), prepend=np.int8(0))
        block_starts = np.flatnonzero(edge[:n] == 1)
        block_ends = np.flatnonzero(edge == -1)
        # Outside blocks every character is a token, "\r\n" one token.
        first[~inside[:n]] = True
        first[1:] &= ~((codes[1:] == 10) & (codes[:-1] == 13))
        first[block_starts] = True
        all_starts = np.zeros(0, np.int64) if starts is None else np.asarray(starts, dtype=np.int64)
        all_ends = np.zeros(0, np.int64) if ends is None else np.asarray(ends, dtype=np.int64)
        # __call__ ignores a span that starts outside a block; one that starts in a block and
        # ends past it makes the block's bounds out of order there: Python cuts that block.
        keep = inside[all_starts]
        starts, ends = all_starts[keep], all_ends[keep]
        block = np.searchsorted(block_starts, starts, side="right") - 1
        odd = ends > block_ends[block]
        python_blocks = np.unique(block[odd]).tolist()
        for b in python_blocks:
            inside[block_starts[b] : block_ends[b]] = False
        starts, ends = starts[~odd], ends[~odd]
        step = np.arange(1, n + 2, dtype=np.int64)  # from a unit's start to the next boundary
        step[starts] = ends
        bound = np.ones(n + 1, dtype=bool)  # not inside a unit
        if starts.size:
            depth = np.zeros(n + 2, dtype=np.int64)
            depth[starts + 1] += 1  # units do not overlap: no index repeats
            depth[ends] -= 1
            bound &= np.cumsum(depth[: n + 1]) == 0
        self._vector_cut(codes, inside, bound, step, block_starts, block_ends, first)
        if python_blocks:
            spans = dict(zip(all_starts.tolist(), all_ends.tolist()))
            for b in python_blocks:
                at, end = int(block_starts[b]), int(block_ends[b])
                tokens: list[str] = []
                self._cut_block_units(text[at:end], at, spans, tokens)
                tokens = [t for t in tokens if t]  # an odd span can make an empty token
                first[at:end] = False
                for offset in itertools.accumulate(map(len, tokens[:-1]), initial=at):
                    first[offset] = True
        return first

    def token_starts_pay(self, size: int) -> bool:
        """Whether to cut the next ``size`` characters with :meth:`token_starts` rather than
        ``__call__`` (HMM off): once the trie it needs is made. That costs about 3.4 µs per word
        or prefix of the dictionary (1.7 s for jieba's), and ``__call__`` about 1.6 µs per
        character, so the trie is made once ``__call__`` has cut twice as many characters as
        the dictionary has strings: a small job never pays for it, and a large one pays at most
        twice what knowing its size beforehand would (the ski-rental rule).

        >>> cut = BlockCutter(make_tokenizer([("新词挖掘", 10, None)]), hmm=False)
        >>> cut.token_starts_pay(10**9)
        True
        """
        if self._hmm:
            return False
        entry = _TRIES.get(id(self._logp))
        if entry is not None and entry[0] is self._logp:
            return True
        self._python_chars = self.__dict__.get("_python_chars", 0) + size
        return self._python_chars > 2 * len(self._logp)

    def _block_chars(self, codes):
        """Which characters of ``codes`` (UTF-32 code points) are block characters, from a
        table over all code points filled in as characters are first seen."""
        table = self.__dict__.get("_block_table")
        if table is None:
            table = self._block_table = CodePointTable(lambda ch: self._re_han.fullmatch(ch) is not None)
        return table(codes).view(bool)

    def _vector_cut(self, codes, inside, bound, step, block_starts, block_ends, first) -> None:
        """Mark in ``first`` the token starts of the blocks that ``inside`` holds (see
        :meth:`token_starts`)."""
        import numpy as np

        n = codes.size
        trie = _trie(self._logp)
        chars = np.zeros(n + 1, dtype=np.int64)  # a character's number in the trie, 0 outside blocks
        chars[:n] = trie.chars[codes]
        chars[~inside] = 0
        at = np.flatnonzero(inside[:n] & bound[:n])  # where tokens may start
        if not at.size:
            return
        # The DAG: the words at each start, found one character further per step (a word must
        # end at a unit boundary).
        found = []  # for words of 1, 2, ... characters: (starts, log-probabilities)
        node = trie.singles[chars[at]]
        where, node = at[node > 0], node[node > 0]
        while where.size:
            if found:
                node = trie.find(node * trie.base + chars[where + len(found)])
                hit = node > 0  # a word or the prefix of one
                where, node = where[hit], node[hit]
            lp = trie.logps[node]
            word = (lp <= 0.0) & bound[where + len(found) + 1]
            found.append((where[word], lp[word]))
            on = trie.parents[node]  # strings that go on
            where, node = where[on], node[on]
        # Best path: the starts at distance d from their block's end, for d = 1, 2, ..., all
        # blocks together; a start needs only the scores of starts nearer its block's end.
        block_end = block_ends[np.searchsorted(block_starts, at, side="right") - 1]
        distance = block_end - at
        small = distance.max() < 1 << 16  # a stable sort of 16-bit integers is a radix sort
        order = np.argsort(distance.astype(np.uint16) if small else distance, kind="stable")
        at, distance = at[order], distance[order]
        levels = np.searchsorted(distance, np.arange(1, int(distance[-1]) + 2)).tolist()
        # Column c: the edges of start at[c]: words of longest, ..., 1 characters (in that
        # order, so that argmax, which takes the first of equal maxima, takes the later end on
        # a tie, as jieba does), then one unit scored as an unknown character if no word starts
        # there. Starts are columns, not rows: numpy's loops then run along them.
        longest = len(found)
        column = np.zeros(n + 1, dtype=np.intp)
        column[at] = np.arange(at.size)
        lps = np.full((longest + 1, at.size), -np.inf)
        lone = np.ones(at.size, dtype=bool)
        for k, (p, lp) in enumerate(found):
            c = column[p]
            lps[longest - 1 - k, c] = lp
            lone[c] = False
        lps[longest, lone] = self._unknown
        index = np.int32 if n < 1 << 30 else np.int64  # half the memory to fill
        ends = np.empty((longest + 1, at.size), dtype=index)
        np.add(np.arange(longest, 0, -1, dtype=index)[:, None], at.astype(index), out=ends[:longest])
        ends[longest] = step[at]
        score = np.zeros(n + 2 + longest)  # 0 at and past each block's end
        best_end = np.zeros(n + 1, dtype=np.int64)
        columns = np.arange(at.size)
        for lo, hi in zip(levels[:-1], levels[1:]):
            if lo == hi:
                continue  # the positions at this distance are inside units
            e = ends[:, lo:hi]
            s = lps[:, lo:hi] + score[e]  # lp + score[end], as in _ends
            k = s.argmax(axis=0)
            c = columns[: hi - lo]
            p = at[lo:hi]
            score[p] = s[k, c]
            best_end[p] = e[k, c]
        # Follow the path from each block's start.
        here = block_starts[inside[block_starts]]
        path = []
        while here.size:
            path.append(here)
            here = best_end[here]
            here = here[inside[here]]
        if not path:
            return
        path = np.concatenate(path)
        first[path] = True
        # Neighbouring one-unit tokens of ASCII letters or digits are one token, as jieba joins
        # single ASCII characters.
        c = codes[path]
        ascii_ = ((c >= 48) & (c <= 57)) | (((c | 32) >= 97) & ((c | 32) <= 122))
        joins = np.zeros(n + 1, dtype=bool)
        joins[path[ascii_ & (best_end[path] == step[path])]] = True
        after = best_end[path[joins[path]]]
        first[after[joins[after]]] = False


class _Trie:
    """A dictionary's words and prefixes (BlockCutter's table) as a trie in a hash table, for
    :meth:`BlockCutter.token_starts`. Strings are numbered from 1 (0: the empty string); the
    key of a string is ``parent * base + char``, ``parent`` the number of the string without
    its last character and ``char`` that of its last character (from 1; ``chars`` maps code
    points to them, 0 for a character no string holds); ``logps[number]`` is its value in the
    table. A string whose prefix the table lacks is left out: ``_ends`` stops at the first
    prefix that is not in the table.

    The hash table (open addressing, linear probing, at most half full) answers a look-up in
    about one probe; a binary search over the sorted keys took three times as long.

    >>> t = _Trie({"新": -9.0, "新词": -12.0, "新词挖": 1.0, "词": -8.0})
    >>> import numpy as np
    >>> node = t.find(np.array([t.chars[ord("新")], t.chars[ord("挖")]]))  # strings of one character
    >>> node.tolist(), t.logps[node].tolist()
    ([1, 0], [-9.0, 0.0])
    >>> t.logps[t.find(node * t.base + t.chars[ord("词")])].tolist()  # 新词, and 词 after no string
    [-12.0, -8.0]
    """

    #: Fibonacci hashing's multiplier: 2**64 divided by the golden ratio (Knuth, TAOCP 6.4).
    _MULTIPLIER = 0x9E3779B97F4A7C15

    def __init__(self, logp: Mapping[str, float]):
        import numpy as np

        alphabet = {ch: i for i, ch in enumerate(sorted(set().union(*logp)) if logp else (), 1)}
        self.base = len(alphabet) + 1
        self.chars = np.zeros(0x110000, dtype=np.int32)
        self.chars[[ord(ch) for ch in alphabet]] = list(alphabet.values())
        by_length: dict[int, list[str]] = {}
        for word in logp:
            by_length.setdefault(len(word), []).append(word)
        number = {"": 0}
        keys, logps = [], [0.0]
        for length in range(1, max(by_length, default=0) + 1):
            for word in by_length.get(length, ()):
                parent = number.get(word[:-1])
                if parent is not None:
                    number[word] = len(number)
                    keys.append(parent * self.base + alphabet[word[-1]])
                    logps.append(logp[word])
        self.logps = np.array(logps)
        keys = np.array(keys, dtype=np.int64)
        self.parents = np.zeros(len(logps), dtype=bool)  # the strings that are a prefix of another
        self.parents[keys // self.base] = True
        self.singles = np.zeros(self.base, dtype=np.int64)  # the strings of one character, by char
        self.singles[keys[keys < self.base]] = np.flatnonzero(keys < self.base) + 1
        nodes = np.arange(1, keys.size + 1)
        self._bits = max(4, (2 * keys.size).bit_length())  # at most half full
        self._mask = (1 << self._bits) - 1
        self._keys = np.full(1 << self._bits, -1, dtype=np.int64)  # -1: an empty slot
        self._nodes = np.zeros(1 << self._bits, dtype=np.int64)
        # Insert all keys at once, round by round: of the keys whose slot is free, one per slot
        # takes it; the others try the next slot. A key stored d slots on has found those d
        # slots taken, so a look-up probing from its slot meets it before an empty slot.
        pending, h = nodes - 1, self._hash(keys)
        while pending.size:
            free = np.flatnonzero(self._keys[h] == -1)
            slots, first = np.unique(h[free], return_index=True)
            winners = pending[free[first]]
            self._keys[slots] = keys[winners]
            self._nodes[slots] = nodes[winners]
            lost = np.ones(pending.size, dtype=bool)
            lost[free[first]] = False
            pending, h = pending[lost], (h[lost] + 1) & self._mask

    def _hash(self, keys):
        import numpy as np

        # keys are >= 0: their int64 bits are their uint64 value; numpy indexes with uint64 too.
        return (keys.view(np.uint64) * np.uint64(self._MULTIPLIER)) >> np.uint64(64 - self._bits)

    def find(self, keys):
        """The numbers of the strings of ``keys`` (an int64 array), 0 for a key of none."""
        import numpy as np

        keys = np.asarray(keys, dtype=np.int64)
        h = self._hash(keys)
        stored = self._keys[h]
        out = np.where(stored == keys, self._nodes[h], 0)
        todo = np.flatnonzero((stored != keys) & (stored != -1))  # another key in the slot
        h, keys = h[todo], keys[todo]
        while todo.size:  # probe the next slots up to an empty one
            h = (h + 1) & self._mask
            stored = self._keys[h]
            hit = stored == keys
            out[todo[hit]] = self._nodes[h[hit]]
            more = ~hit & (stored != -1)
            todo, h, keys = todo[more], h[more], keys[more]
        return out


def _trie(logp: dict[str, float]) -> _Trie:
    """The trie of a table of _log_probabilities, made once per table (0.2 s for the 38,000
    words and prefixes of 27,000 words discovered in 10 MiB of news, 1.7 s for jieba's 498,000);
    the last two are kept (those of segment's two modes, say)."""
    entry = _TRIES.get(id(logp))
    if entry is None or entry[0] is not logp:
        entry = (logp, _Trie(logp))
        while len(_TRIES) >= 2:
            _TRIES.pop(next(iter(_TRIES)))
        _TRIES[id(logp)] = entry
    return entry[1]


_TRIES: dict = {}
