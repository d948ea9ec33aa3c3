"""New-word discovery: keep cohesive n-grams, pre-segment by joining them, count the pieces.

The unsupervised method of bojone/word-discovery ("更好的新词发现算法"), made exact:

It works on units (:mod:`wordmine.corpus`): a character, a Latin word or a number is one unit,
so a discovered word never starts or ends inside a Latin word or a number (``A股``, ``5G`` and
``K线图`` can be words; ``ing`` or ``00`` cannot).

1. Count the n-grams of units of orders 1..n+1 (:func:`wordmine.ngrams.count_ngrams`; the
   extra order only serves the boundary entropies of step 5).
2. Cohesion of an n-gram w: the minimum over its binary splits w = a|b of
   ``ln(total * c(w) / (c(a) * c(b)))``, where ``total`` is the number of units in
   fragments (``totals[1]``), used for every order as the reference does. Keep the n-grams of
   order 2..n seen at least ``min_count`` times whose cohesion reaches ``min_pmi[k - 1]``
   (defaults 0, 0, 4, 6 for orders 1..4; natural log; see :data:`DEFAULT_MIN_PMI`). A pair
   with a free unit (one whose neighbours on one side are mostly what chance gives:
   :data:`FREE_OVERLAP`; 的, 是, 了, 在, 和 on news) is kept only if its PMI also reaches the
   partner's mean PMI on the side facing the free unit: 新的, 的是, 党的 no longer join by chance,
   目的 does. A Latin
   word or number without a symbol of its own counts as its class (:mod:`wordmine.symbols`):
   ``<NUM>年`` can be kept for all the rarer numbers before 年 at once.
3. Pre-segment every fragment by longest joining: the gap between two neighbouring units
   is closed when some kept n-gram covers both; the pieces are the maximal closed runs. (The
   kept n-grams are matched at every window with the packed keys of the n-gram table: the
   same matches an Aho-Corasick automaton of them would find, as numpy array operations.)
4. Count the pieces in worker processes (:mod:`wordmine.parallel`) by their text (``1999年``
   and ``2001年`` are two words, though both matched ``<NUM>年``), keep those seen at least
   ``min_count`` times, and back-filter: a piece of length 3..n units must itself be a kept
   n-gram, a longer one must have every length-n window kept. Counts are exact: a piece is
   counted once per occurrence, at fragment starts and ends alike, and never spans a fragment
   edge.
5. Describe each word: its count (as a piece), its cohesion (for words longer than n, the
   smallest cohesion of its n-windows; none for single units), the entropies of the units
   seen left and right of it in the corpus (a fragment edge counts as one more outcome; a word
   longer than the n-gram table's order minus one takes the left entropy of its first window of
   that order and the right entropy of its last, which it nearly always begins and ends).
6. Judge what each word is to jieba (its ``kind``; the first rule that applies):

   * ``unit``: a single unit (a character, Latin word or number): jieba cuts it whole anyway;
   * ``jieba``: jieba's dictionary has it, or jieba's cut keeps it whole (``5G``, ``iPhone``);
   * ``known``: the user knows it: one of the ``known`` words (``--known`` lists: a domain
     dictionary, the words accepted or turned down in an earlier run);
   * ``number``: numbers only (``1,000``, ``3.5%``);
   * ``quantity``: a date, time or quantity: it holds two or more numbers (``2020年12月23日``),
     or a number (digits, or Chinese numerals such as 三 or 两) that varies: at least
     :data:`QUANTITY_VARIANTS` discovered words are the same around another number
     (``2020年`` beside ``2019年``, ``2021年``; ``三大`` beside ``两大``, ``四大``), or a number
     in digits and its unit or multiplier, a word jieba tags as a numeral or measure word
     (``100毫升``, ``20分钟``, ``14亿``), or a number in digits that counts or dates within a
     phrase: between Chinese characters (``鸣礼炮21响``, ``第15条``; a serial number names a
     thing: ``光明星3号``), a percentage (``下降0.1%``), or at the end after a word that leaves
     the number's unit outside (``今年1``, ``比1``, ``低于50``; not ``波音737``);
   * ``fragment``: one unit stands next to it in at least :data:`FRAGMENT_SHARE` of its
     occurrences (``新局`` before 面): it is mostly a piece of a longer expression; also, as
     the last rule (on the words that every other rule leaves new), a word that lies inside a
     longer word of jieba's dictionary in that share of its occurrences: the unit before it
     makes such a word with its first characters, or the one after it with its last (``筑物``
     after 建 and 构: 建筑物, 构筑物; ``偷越国`` before 境: 国境), where several neighbours share
     the occurrences and none dominates;
   * ``compound``: jieba cuts it into common words, each one of the
     :data:`~wordmine.tokenizer.COMMON_WORDS` most frequent words of two or more characters in
     jieba's dictionary (``数据显示``, ``凝聚共识``, ``乡村振兴``): a combination of words every
     reader knows, which jieba already cuts as such (``影像初筛``, of the rarer 初筛, stays new);
   * ``phrase``: jieba's own unigram model accounts for it: its count is less than
     :data:`MIN_JIEBA_LIFT` times what the model expects of its jieba cut, per cut
     (``jieba_lift`` is the ln of that ratio: a frequent combination of frequent words,
     ``他说``, ``这是``, ``新的``); or it is a syntactic combination: a function word (jieba's
     tags r pronoun, p preposition, c conjunction, d adverb, u auxiliary, y modal particle,
     e interjection, or the copula 是), alone or several in a row, opens it before a word of
     two or more characters that is no proper name (``据了解``, ``为契机``, ``将于今晚``), one (u, y, e, p, c, f locative, d adverb, 是,
     or one of the :data:`POSTPOSITIONS`, localizers and the plural 们, whatever jieba's tag)
     closes it after such a word (``会谈后``, ``题目是``, ``逾期不``, ``框架内``, ``村民们``),
     or a conjunction or auxiliary joins two
     (``投诉和举报``; a conjunction also two one-character nouns, ``市和区``), or a particle
     (aspect 着 了 过, 得, 地, 的, a modal particle) closes one character that is no pronoun
     (``陪着``, ``吓得``, ``苦哉``; not ``怎的``), or an aspect particle closes single characters
     (``太硬了``, ``正闹着``), or one of the :data:`PREPOSITIONS` closes one character that is no
     surname (``愿同``, ``屯于``), or one of the :data:`LITERARY_ADVERBS` opens single characters
     (``便知``, ``又恐``), or a measure word
     that is no surname opens it (``架无人机``, cut from 3架无人机), or one of the
     :data:`COMPLEMENTS` closes a two-character verb (``凝聚起``, ``守护好``); or it holds one of the
     :data:`DEMONSTRATIVES` (``此访``, ``受此影响``), opens with one of the :data:`FORMAL_VERBS`
     (``予以取缔``) or ends in one of the :data:`SPEECH_VERBS` (``报道称``, ``警方称``: a
     reporting clause);
   * ``new``: everything else: names, terms, abbreviations, slang (``温凤浩``, ``中国梦``,
     ``走基层``, ``四风``, ``星澜科技``). These are the new words of ``--new-only``, of the
     pipeline's ``userdict.txt`` and of its summary.

``min_count="auto"`` scales with the corpus: one per ``AUTO_CHARS_PER_COUNT`` characters, at
least 2 (see :func:`auto_min_count`).

>>> import random
>>> rng = random.Random(0)
>>> vocab = "我们 今天 发布 新品 芯片 市场 用户 星澜科技 认为 未来 增长 团队".split()
>>> text = "。".join("".join(rng.choice(vocab) for _ in range(rng.randint(2, 6))) for _ in range(300))
>>> words = discover_words_in_text(text, min_count=3, min_pmi=(0, 1, 2, 3))  # a tiny corpus: low PMIs
>>> sorted(w.word for w in words) == sorted(vocab)
True
>>> [(w.word, w.count, w.kind) for w in words if w.word == "星澜科技"]
[('星澜科技', 86, 'new')]
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np

from . import defaults, parallel
from .corpus import Batch, Batches, normalize
from .files import DEFAULT_ENCODING, expand_inputs, input_size
from .formats import Word  # the row of a discovered-word table; re-exported here
from .keys import NONE, KeyPacker, KeySet, find, group_starts, searchable, sort_reduce, window_keys
from .ngrams import DEFAULT_ORDER, NgramTable, count_ngrams, count_ngrams_in_text
from .symbols import SymbolTable

__all__ = [
    "AUTO_CHARS_PER_COUNT",
    "DEFAULT_MIN_PMI",
    "FRAGMENT_SHARE",
    "FREE_OVERLAP",
    "MIN_JIEBA_LIFT",
    "POSTPOSITIONS",
    "PREPOSITIONS",
    "LITERARY_ADVERBS",
    "QUANTITY_VARIANTS",
    "SPEECH_VERBS",
    "SERIAL_SUFFIXES",
    "FORMAL_VERBS",
    "DEMONSTRATIVES",
    "COMPLEMENTS",
    "Word",
    "auto_min_count",
    "discover_words",
    "discover_words_in_text",
    "judge_words",
]

#: Cohesion thresholds for orders 1..4 (natural log): a pair must merely co-occur more often
#: than chance, 3-grams 55 times (e^4), 4-grams 400 times (e^6). Chosen by the benchmark
#: (benchmarks/RESULTS.md, 16 M characters): the reference's (0, 2, 4, 6) gives F1 0.755 / 0.752
#: on PKU / MSR, (0, 0, 4, 6) 0.776 / 0.778. (0, 0, 4, 7) gains 0.004 more there but finds 12
#: fewer of the 82 planted words of the 74k-character sample corpus, where a 4-gram's PMI can
#: hardly exceed ln(total / count) ~ 7.
DEFAULT_MIN_PMI = defaults.MIN_PMI
#: A unit is free (a function word: 的, 是, 了, 在, 和) when, before it or after it, its neighbours
#: are mostly what chance gives: the overlap sum_x min(P(x | u), P(x)) of their distribution
#: with the distribution of all units reaches one half. A majority, not a fitted value (0.48 and
#: 0.52 give F1 0.800 / 0.799 and 0.802 / 0.803 on PKU / MSR, 0.5 0.801 / 0.803).
FREE_OVERLAP = 0.5
#: A new word occurs at least 100 times as often as jieba's unigram model expects the tokens of
#: its jieba cut to meet (per cut): frequent combinations of frequent words (他说 0.6, 这是 -0.2
#: nats on the news corpus) fall far below ln 100 = 4.6, words jieba cuts wrongly (中国梦 4.9,
#: 四风 5.9, names such as 温凤浩 10.2 or 栗战书 17.2) lie above it.
MIN_JIEBA_LIFT = math.log(100)
#: A word that the same unit follows or precedes in three quarters of its occurrences is a
#: piece of a longer expression (新局 before 面 in 79%).
FRAGMENT_SHARE = 0.75
#: Three words that differ only in one number make a series (dates, counts): one or two can be
#: names (985工程 and 211工程, 双11).
QUANTITY_VARIANTS = 3
#: Chinese numerals: a run of them is a number to the quantity rule.
NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两几")
# jieba's part-of-speech tags of function words (the ICTCLAS set jieba's dictionary uses):
# pronouns, prepositions, conjunctions, adverbs, auxiliaries, modal particles, interjections;
# locatives close a phrase; conjunctions and auxiliaries join one wherever they stand.
_AUXILIARY = frozenset({"u", "uj", "ul", "uz", "ug", "uv", "ud", "y", "e"})
_OPENS_PHRASE = _AUXILIARY | {"r", "p", "c", "d"}
_CLOSES_PHRASE = _AUXILIARY | {"p", "c", "f", "d"}
_JOINS_PHRASE = _AUXILIARY | {"c"}
# The particles that close a one-character verb or adjective: aspect (着 了 过), complement
# and adverbial markers (得 地), the genitive 的, modal particles (呢 哩 哉) and interjections.
# Not 之 or 等 (u): given names end in 之 (郭攸之), and 等 makes plural pronouns (汝等, 吾等).
_PARTICLES = frozenset({"uz", "ul", "ug", "ud", "uv", "uj", "y", "e"})
_ASPECT = frozenset({"uz", "ul", "ug"})
_ADVERBIAL = frozenset({"d", "a", "ad", "ag", "z"})  # adverbs, adjectives, state words: what the particle 地 follows
_COPULA = "是"  # jieba tags it v; it is the copula, a function word
#: What closes a noun phrase after a word whatever jieba's tag says: the one-character localizers
#: (方位词, Chao 1968 §7.9; jieba tags 内 and 时 as nouns: 框架内, 事发时) and the plural suffix 们
#: (村民们): an inflected or postpositional form of a word, not a new word.
POSTPOSITIONS = frozenset("上下前后里外内中间旁边时们")
#: Prepositions (介词) that are hardly ever anything else: a preposition governs the noun phrase
#: after it, so it closes no word; jieba keeps the lexicalised verbs and conjunctions that end in
#: one (等于, 来自, 难以, 如同, 交给), and a character before one that jieba lacks is a verb or an
#: adverb with the preposition of the phrase that follows (愿|同, 屯|于, 遂|自). (Not 和, which
#: ends given names, 魏凤和; nor 把, 从, 跟, 向, 由, which are also nouns: 守把, 仪从, 脚跟, 斜向,
#: 来由; nor 在 and 为, which end words jieba lacks: 好在, 有为.)
PREPOSITIONS = frozenset("于与同被自以给")
#: Adverbs of the literary and early vernacular language (便 又 犹 岂 皆 亦 乃 忽 竟): they modify the
#: one-character verbs of that language (便|知, 又|恐, 皆|因, 忽|见), and jieba keeps the
#: lexicalised ones whole (便是, 乃至, 竟然, 忽然). An adverb opens a phrase before a word of two
#: characters anyway; before single characters only these do, as modern adverbs also make words
#: there (互认, 共赢, 再生水). (Not 均 or 曾: 均衡, 曾 is a surname.)
LITERARY_ADVERBS = frozenset("便又犹岂皆亦乃忽竟")
#: Verbs of saying and thinking (言说动词), which take a clause after them: a word that ends in
#: one of them is someone saying something (报道称, 警方称, 俄称, 他强调), a reporting clause.
SPEECH_VERBS = frozenset("说 称 表示 指出 认为 强调 透露 宣布 声称 宣称 坦言 直言".split())
#: Formal verbs (形式动词, Zhu Dexi 1985): verbs that only carry another verb as their object
#: (予以|取缔, 给予|补助, 加以|解决, 予|支持); jieba keeps them as words of their own, and what
#: they open is a verb phrase, never a new word.
FORMAL_VERBS = frozenset("予以 加以 给予 给以 进行 予".split())
#: Demonstratives (指示代词) point into the text around them (此访, 受此影响, 这条主线): jieba keeps
#: the lexicalised ones whole (因此, 这样, 彼此), so one that stands as a token of its own makes a
#: phrase. (那 is left out: it also writes foreign names, 安那, 那不勒斯.)
DEMONSTRATIVES = frozenset("此这")
#: Resultative and directional complements (结果/趋向补语, Chao 1968 §6.6): after a verb of two
#: characters one makes a verb phrase (凝聚|起, 守护|好, 勾勒|出, 经受|住, 折算|成); jieba keeps
#: the lexicalised ones whole (提出, 做好, 看到, 完成).
COMPLEMENTS = frozenset("起好出到住成")
#: After a number in digits these name a thing by its serial number (光明星3号, 太空船2号, 歼20型),
#: where any other character after one counts or dates something (鸣礼炮21响, 第15条).
SERIAL_SUFFIXES = frozenset("号型")
# Tags of the words after which a number that ends a word leaves its unit outside it (今年|1 月,
# 比|1, 于|2, 二|0): time words, prepositions, adverbs, conjunctions, numerals, pronouns,
# auxiliaries; and verbs of two or more characters (低于|50). After anything else a number may
# close a name (波音737, 雪龙2, 沪深300, 向阳红01, 南海救101).
_BEFORE_A_QUANTITY = frozenset({"t", "tg", "p", "d", "c", "m", "r"}) | _AUXILIARY
_PROPER_NAMES = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})  # person, place, organisation, other names
#: ``min_count="auto"``: one more required occurrence per this many characters of corpus. On
#: 16 M characters the benchmark's F1 peaks at min_count 4 (3..8 within 0.003; 24 loses 0.02,
#: the reference's fixed 32 more), so 4 M characters per count.
AUTO_CHARS_PER_COUNT = 4_000_000


def auto_min_count(total_chars: int) -> int:
    """The ``min_count`` for a corpus of ``total_chars`` fragment characters.

    >>> auto_min_count(100_000), auto_min_count(17_000_000)
    (2, 4)
    """
    return max(2, round(total_chars / AUTO_CHARS_PER_COUNT))


@parallel.with_engine
def discover_words(
    inputs: Iterable[str],
    *,
    ngrams: NgramTable | str | None = None,
    n: int = DEFAULT_ORDER,
    min_count: int | str = defaults.DISCOVER_MIN_COUNT,
    min_pmi: Sequence[float] = DEFAULT_MIN_PMI,
    jobs: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    errors: str = defaults.ERRORS,
    progress: bool = False,
    engine: object = defaults.ENGINE,
    known: Iterable[str] = (),
) -> list[Word]:
    """Discover the words of a corpus (see the module docstring for the method).

    Args:
        inputs: the corpus (files, directories, globs or ``-``).
        ngrams: an n-gram table of the same corpus (object or path), else it is counted here.
        n: the longest n-gram used (the table's order if one is given).
        min_count: fewest occurrences of a kept n-gram and of a word, or ``"auto"``.
        min_pmi: cohesion threshold per order 1..n (the last one repeats for higher orders).
        jobs: worker processes (None: all CPUs).
        encoding, errors: how to decode the inputs.
        progress: progress bars on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client``
            (see :mod:`wordmine.parallel`); the words do not depend on it.
        known: words the user knows (a domain dictionary, the words accepted or turned down
            in an earlier run): none of them is new; they get the kind ``known``.

    Returns:
        Words sorted by count descending, then by word.

    Raises:
        ValueError: ``n`` outside 2..16, ``min_count`` neither "auto" nor at least 1, or
            ``min_pmi`` not one or more finite numbers (thresholds of orders above ``n`` are
            not used; the command line refuses them when they are given).
        InputError, FormatError: bad inputs, or a bad n-gram table.
    """
    _check(n, min_count, min_pmi)
    files = expand_inputs(inputs)
    if ngrams is None:
        table = count_ngrams(files, n + 1, jobs=jobs, encoding=encoding, errors=errors, progress=progress, engine=engine)
    else:
        table = NgramTable.load(str(ngrams)) if not isinstance(ngrams, NgramTable) else ngrams
        n = min(n, table.n)
    count = auto_min_count(table.totals[1]) if min_count == "auto" else int(min_count)
    kept, cohesion = _cohesive(table, n, count, min_pmi)
    table.release()  # what the look-ups touched need not stay resident while the workers count
    pieces = parallel.map_batches(
        Batches(files, encoding=encoding, errors=errors), _count_pieces, _Pieces.add, _Pieces(),
        jobs=jobs, initializer=_init_worker, initargs=(table.symbols.symbols, n, kept),
        size=lambda b: b.nbytes, total=input_size(files), progress=progress, desc="pieces", engine=engine,
    )
    return _words_of_pieces(table, n, pieces, kept, cohesion, count, known)


def discover_words_in_text(text: str, *, n: int = DEFAULT_ORDER, min_count: int = 2, min_pmi: Sequence[float] = DEFAULT_MIN_PMI) -> list[Word]:
    """:func:`discover_words` on one string, in-process (the workers' own code path).

    >>> text = "我们发现新词。新词发现很有趣。我们喜欢新词。" * 5
    >>> [w.word for w in discover_words_in_text(text, min_count=3, min_pmi=(0, 2, 4, 6))]
    ['新', '词', '发现', '我们']
    """
    _check(n, min_count, min_pmi)
    table = count_ngrams_in_text(text, n + 1)
    kept, cohesion = _cohesive(table, n, min_count, min_pmi)
    _init_worker(table.symbols.symbols, n, kept)
    pieces = _Pieces().add(_count_pieces(Batch(text, 0)))
    return _words_of_pieces(table, n, pieces, kept, cohesion, min_count)


def _check(n: int, min_count, min_pmi: Sequence[float]) -> None:
    if not isinstance(n, int) or not 2 <= n <= 16:
        raise ValueError(f"n must be between 2 and 16, not {n!r}")
    if not (min_count == "auto" or (isinstance(min_count, (int, np.integer)) and min_count >= 1)):
        raise ValueError(f"min_count must be 'auto' or at least 1, not {min_count!r}")
    if not len(min_pmi) or not all(math.isfinite(float(x)) for x in min_pmi):
        raise ValueError(f"min_pmi must be one or more finite numbers (a threshold per order from 1), not {tuple(min_pmi)!r}")


#: Rows handled at once where a table may be large: 2**20 rows of keys, ids and scores are a
#: few tens of MB.
_SLICE = 1 << 20


def _threshold(min_pmi: Sequence[float], k: int) -> float:
    return float(min_pmi[min(k, len(min_pmi)) - 1])


def _cohesive(table: NgramTable, n: int, min_count: int, min_pmi: Sequence[float]) -> tuple[dict, dict]:
    """Kept keys per order 2..n (sorted) and the cohesion of each kept key."""
    packer = table.packer
    log_total = math.log(max(table.totals[1], 1))
    kept, cohesion = {}, {}
    # Every occurrence of an n-gram is one of each of its parts, so the parts of a candidate
    # (seen min_count times) are candidates too: their counts are looked up among the
    # candidates of their order alone, a table a tenth the size or less, in hash tables (the binary
    # searches of the whole tables took 2.2 s of 3.3 on the news corpus, these take 0.3 s).
    frequent = {1: (KeySet(np.asarray(table.keys[1])), np.asarray(table.counts[1]))}
    for k in range(2, n + 1):
        keys_k, counts_k = table.keys[k], table.counts[k]
        parts, scores, every = [], [], []
        # In slices: the table may be memory-mapped and far larger than memory.
        for start in range(0, len(counts_k), _SLICE):
            counts = np.asarray(counts_k[start : start + _SLICE])
            candidates = np.flatnonzero(counts >= min_count)
            keys = np.asarray(keys_k[start : start + _SLICE])[candidates]
            if k < n:
                every.append((keys, counts[candidates]))
            ids = packer.unpack(keys, k)
            score = np.full(len(keys), np.inf)
            log_w = np.log(counts[candidates].astype(np.float64)) + log_total
            for i in range(1, k):
                a = _count_of(frequent[i], packer.pack(np.ascontiguousarray(ids[:, :i])))
                b = _count_of(frequent[k - i], packer.pack(np.ascontiguousarray(ids[:, i:])))
                score = np.minimum(score, log_w - np.log(a.astype(np.float64)) - np.log(b.astype(np.float64)))
            keep = score >= _threshold(min_pmi, k)
            parts.append(keys[keep])
            scores.append(score[keep])
        width = packer.width(k)
        empty = np.zeros((0,) if width == 1 else (0, width), np.uint64)
        kept[k] = np.concatenate([empty, *parts])
        cohesion[k] = np.concatenate([np.zeros(0), *scores])
        if k == 2:
            kept[k], cohesion[k] = _without_chance_pairs(table, kept[k], cohesion[k])
        if k < n:
            frequent[k] = (KeySet(np.concatenate([empty, *(e[0] for e in every)])), np.concatenate([np.zeros(0, np.uint64), *(e[1] for e in every)]))
    return kept, cohesion


def _without_chance_pairs(table: NgramTable, keys: np.ndarray, pmi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The kept pairs without those where a free unit meets a partner no more than it meets
    anything (see :data:`FREE_OVERLAP`): a pair with a free unit stays if its PMI reaches the
    partner's mean PMI on the side that faces the free unit (both free: the larger of the two).

    A unit's mean PMI on one side, over the pairs it opens (or closes) weighted by their counts,
    is how much its neighbours there differ from chance (a Kullback-Leibler divergence); a unit
    that combines with anything (的, 是, 了, 在, 和) has pairs whose PMI scatters around 0, and
    the threshold 0 kept half of them (新的, 的是, 党的) by chance. 目的 stays (its PMI is above
    目's mean PMI with the units after it), as do pairs of two bound units (国务, 巴勒)."""
    sizes = len(table.symbols)
    total = max(table.totals[1], 1)
    unit_ids = table.packer.unpack(np.asarray(table.keys[1]), 1).ravel().astype(np.int64)
    unit_counts = np.zeros(sizes)
    unit_counts[unit_ids] = np.asarray(table.counts[1], dtype=np.float64)
    # Per unit and side (after it, before it): the overlap of its neighbours with chance, the
    # count-weighted sum of its pairs' PMI, and its pairs' count. Summed over slices of the
    # pairs: the table may be memory-mapped and far larger than memory.
    overlap, weighted, seen = np.zeros((2, sizes)), np.zeros((2, sizes)), np.zeros((2, sizes))
    keys_2, counts_2 = table.keys[2], table.counts[2]
    for start in range(0, len(counts_2), _SLICE):
        ids = table.packer.unpack(np.asarray(keys_2[start : start + _SLICE]), 2).astype(np.int64)
        pairs = np.asarray(counts_2[start : start + _SLICE], dtype=np.float64)
        chance = unit_counts[ids[:, 0]] * unit_counts[ids[:, 1]] / total
        for side in (0, 1):  # side 0: the pair's first unit, whose neighbour after it is the second
            unit = ids[:, side]
            overlap[side] += np.bincount(unit, np.minimum(pairs, chance), sizes)
            weighted[side] += np.bincount(unit, pairs * np.log(pairs / chance), sizes)
            seen[side] += np.bincount(unit, pairs, sizes)
    table.release()
    free = (overlap / np.maximum(unit_counts, 1)).max(axis=0) >= FREE_OVERLAP - 1e-9  # sums in any order
    mean_after, mean_before = weighted / np.maximum(seen, 1)
    kept_ids = table.packer.unpack(keys, 2).astype(np.int64)
    first, second = kept_ids[:, 0], kept_ids[:, 1]
    free_first, free_second = free[first], free[second]
    need = np.where(free_first & free_second, np.maximum(mean_after[first], mean_before[second]),
                    np.where(free_first, mean_before[second], mean_after[first]))
    stay = ~(free_first | free_second) | (pmi >= need - 1e-9)  # a tie (a partner's only pair) reaches it
    return keys[stay], pmi[stay]


def _count_of(frequent: tuple[KeySet, np.ndarray], keys: np.ndarray) -> np.ndarray:
    """The counts of keys in a table of candidates (0 where absent)."""
    where = frequent[0].index(keys)
    counts = frequent[1]
    return np.where(where >= 0, counts[where] if len(counts) else 0, 0)


# --- worker side: pre-segmentation and piece counts ---------------------------------------------

_WORKER: dict = {}


def _init_worker(symbols: list[str], n: int, kept: dict) -> None:
    table = SymbolTable(symbols)
    _WORKER.update(symbols=table, n=n, packer=KeyPacker(len(table)), kept={k: KeySet(v) for k, v in kept.items()})


def _count_pieces(batch: Batch) -> tuple[dict, Counter]:
    """Pieces of one batch: ``({length: (sorted keys, counts)}, Counter of other pieces)``.

    Pieces of units with symbols of their own are counted by key; those with a class symbol (a
    rare Latin word or number) by their text.
    """
    w = _WORKER
    packer, n, symbols = w["packer"], w["n"], w["symbols"]
    text = normalize(batch.text)
    encoded = symbols.encode(text)
    ids = encoded.ids
    size = len(ids)
    # cover[g] > 0: the gap between units g and g+1 lies inside a kept n-gram.
    cover = np.zeros(size + 1, dtype=np.int64)
    for k, starts, keys in window_keys(ids, packer, n):
        if not len(w["kept"][k]) or not len(starts):
            continue
        hit = starts[w["kept"][k].contains(keys)]
        cover += np.bincount(hit, minlength=size + 1)
        cover -= np.bincount(hit + k - 1, minlength=size + 1)
    joined = np.cumsum(cover[: max(size - 1, 0)]) > 0
    valid = ids != NONE
    open_left = np.ones(size, dtype=bool)
    open_left[1:] = ~joined
    open_right = np.ones(size, dtype=bool)
    open_right[:-1] = ~joined
    first = np.flatnonzero(valid & open_left)
    last = np.flatnonzero(valid & open_right)
    lengths = last - first + 1
    classes = np.cumsum(np.append(0, symbols.classes[np.where(valid, ids, 0)] & valid))
    # Pieces longer than n are keyed too (rows of several words when long): counting them by
    # their text cost the parent 10 s of Counter.update on the news corpus (2.5 M strings).
    by_text = classes[last + 1] > classes[first]
    keyed: dict = {}
    for length in np.unique(lengths[~by_text]).tolist():
        at = first[(lengths == length) & ~by_text]
        keyed[length] = sort_reduce(packer.pack(ids[at[:, None] + np.arange(length)]), None)
    starts, ends = encoded.start[first[by_text]].tolist(), encoded.end[last[by_text]].tolist()
    return keyed, Counter(text[a:b] for a, b in zip(starts, ends))


class _Pieces:
    """The parent's side: adds the piece counts of the batches.

    The batches' tables are added up whenever those waiting hold more rows than the sum so far
    (and at least :data:`_SLICE`), so memory follows the distinct pieces, not the corpus, and each
    row is re-sorted only a few times.
    """

    def __init__(self):
        self.keyed: dict[int, list] = {}
        self.waiting: dict[int, int] = {}  # rows not yet added into the first table of a length
        self.by_text: Counter = Counter()

    def add(self, part: tuple[dict, Counter]) -> "_Pieces":
        keyed, by_text = part
        for length, table in keyed.items():
            parts = self.keyed.setdefault(length, [])
            parts.append(table)
            self.waiting[length] = self.waiting.get(length, 0) + len(table[0])
            if self.waiting[length] > max(len(parts[0][0]), _SLICE):
                self.keyed[length] = [self.merged(length)]
                self.waiting[length] = 0
        self.by_text.update(by_text)
        return self

    def merged(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        parts = self.keyed.get(length, [])
        if not parts:
            return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
        return sort_reduce(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


# --- judging and describing the pieces ----------------------------------------------------------


def _words_of_pieces(table: NgramTable, n: int, pieces: _Pieces, kept: dict, cohesion: dict, min_count: int,
                     known: Iterable[str] = ()) -> list[Word]:
    """The words: pieces seen ``min_count`` times that pass the back-filter, described and judged."""
    packer = table.packer
    groups: dict[int, list] = {}  # length -> [(words, counts, ids (m, length))]
    for length in list(pieces.keyed):
        keys, counts = pieces.merged(length)
        good = counts >= min_count
        keys, counts = keys[good], counts[good]
        if len(keys):
            ids = packer.unpack(keys, length)
            groups.setdefault(length, []).append((table.symbols.strings_of(ids), counts, ids))
    frequent = [(word, count) for word, count in pieces.by_text.items() if count >= min_count]
    pieces.keyed.clear()  # counted: free them before the entropies and jieba's model load
    pieces.by_text.clear()
    if frequent:
        orders, rows = table.encode([word for word, _ in frequent])
        counts = np.array([count for _, count in frequent], dtype=np.uint64)
        words = [word for word, _ in frequent]
        for length, ids in rows.items():
            at = np.flatnonzero(orders == length)
            groups.setdefault(length, []).append(([words[i] for i in at.tolist()], counts[at], ids))
    described = []  # (word, count, cohesion, left, right, fragment share)
    windows = []  # (first index in described, first windows' keys, last windows' keys) of long words
    for length in sorted(groups):
        words = [w for part in groups[length] for w in part[0]]
        counts = np.concatenate([part[1] for part in groups[length]])
        ids = np.concatenate([part[2] for part in groups[length]])
        if length == 1:
            coh = np.full(len(words), np.nan)
            keep = np.ones(len(words), dtype=bool)
        elif length <= n:
            pos, found = find(kept[length], packer.pack(ids))
            # back-filter: a piece of length 3..n must be a kept n-gram (length 2: any pair)
            keep = found if length >= 3 else np.ones(len(words), dtype=bool)
            coh = np.where(found, cohesion[length][pos] if len(kept[length]) else np.nan, np.nan)
        else:
            # back-filter: every n-window of a long piece must be kept
            keep = np.ones(len(words), dtype=bool)
            coh = np.full(len(words), np.inf)
            for j in range(length - n + 1):
                pos, found = find(kept[n], packer.pack(np.ascontiguousarray(ids[:, j : j + n])))
                keep &= found
                coh = np.minimum(coh, np.where(found, cohesion[n][pos] if len(kept[n]) else np.inf, np.inf))
        where = np.flatnonzero(keep)
        ids = ids[where]
        sides = _neighbours(table, length, packer.pack(ids)) if length < table.n else None
        table.release()
        nan = np.full(len(where), np.nan)
        left, right, share = (sides.left, sides.right, sides.share) if sides else (nan, nan, nan)
        if sides is None and table.n >= 2 and len(ids):
            # No neighbours counted for the word itself: its first and last windows stand in.
            m = table.n - 1
            windows.append((len(described), packer.pack(np.ascontiguousarray(ids[:, :m])), packer.pack(np.ascontiguousarray(ids[:, -m:]))))
        for i, row in enumerate(where.tolist()):
            described.append((words[row], int(counts[row]), float(coh[row]), float(left[i]), float(right[i]), float(share[i])))
    if windows:
        _add_window_entropies(table, described, windows)
    judged = judge_words(((w, c, share) for w, c, _, _, _, share in described), table.totals[1], known=known)
    # The last rule: a word that would be new but mostly sits inside longer words of jieba's
    # dictionary is a fragment (measured for the new words only: they are few).
    new = [i for i, (_, kind) in enumerate(judged) if kind == "new"]
    for i, share in zip(new, _inside_words(table, [described[i][0] for i in new]).tolist()):
        if share >= FRAGMENT_SHARE:
            judged[i] = (judged[i][0], "fragment")
    result = [Word(w, c, coh, left, right, lift, kind) for (w, c, coh, left, right, _), (lift, kind) in zip(described, judged)]
    result.sort(key=lambda w: (-w.count, w.word))
    return result


def _add_window_entropies(table: NgramTable, described: list[tuple], windows: list[tuple[int, np.ndarray, np.ndarray]]) -> None:
    """Give words longer than the table's order minus one the left entropy of their first
    window of that order and the right entropy of their last (one pass over the table for all
    of them): what stands before 供给侧结 stands before 供给侧结构性改革, which it nearly always
    begins."""
    keys, _ = sort_reduce(np.concatenate([k for _, first, last in windows for k in (first, last)]), None)
    sides = _neighbours(table, table.n - 1, keys)
    table.release()
    for start, first, last in windows:
        left = sides.left[find(keys, first)[0]]
        right = sides.right[find(keys, last)[0]]
        for i in range(len(first)):
            word, count, coh, _, _, share = described[start + i]
            described[start + i] = (word, count, coh, float(left[i]), float(right[i]), share)


def _inside_words(table: NgramTable, words: list[str]) -> np.ndarray:
    """The share of each word's occurrences that lie inside a longer word of jieba's dictionary:
    where the unit before it makes such a word with its first characters (建 or 构 before 筑物:
    建筑物, 构筑物), or the unit after it one with its last (境 after 偷越国: 国境); the larger
    side. NaN for words of the table's order or longer (no neighbours counted)."""
    from .tokenizer import JiebaModel

    shares = np.full(len(words), np.nan)
    orders, rows = table.encode(words)
    before, after = JiebaModel().completions((w[:k] for w in words for k in range(1, len(w) + 1)),
                                             (w[-k:] for w in words for k in range(1, len(w) + 1)))
    symbols: dict[str, np.ndarray] = {}  # completing characters -> their unit ids (no unknown ones)

    def ids_of(chars: str) -> np.ndarray:
        if chars not in symbols:
            found = [table.symbols.index.get(c) for c in chars]
            symbols[chars] = np.array([i for i in found if i is not None], dtype=np.uint32)
        return symbols[chars]

    packer = table.packer
    for length, all_ids in rows.items():
        if not 2 <= length < table.n:
            continue
        positions = np.flatnonzero(orders == length)
        # A few thousand words at a time: each has hundreds of candidate neighbours.
        for first in range(0, len(all_ids), 2048):
            ids, at = all_ids[first : first + 2048], positions[first : first + 2048]
            totals = table.counts_of(length, packer.pack(ids)).astype(np.float64)
            share = np.zeros(len(at))
            for completing, edge in ((before, lambda w, k: w[:k]), (after, lambda w, k: w[-k:])):
                owners, keys = [], []
                for j, i in enumerate(at.tolist()):
                    word = words[i]
                    chars = np.unique(np.concatenate([ids_of(completing.get(edge(word, k), "")) for k in range(1, len(word) + 1)]))
                    if len(chars):
                        unit = np.broadcast_to(ids[j], (len(chars), length))
                        keys.append(np.hstack([chars[:, None], unit]) if completing is before else np.hstack([unit, chars[:, None]]))
                        owners.append(np.full(len(chars), j))
                if keys:
                    counts = table.counts_of(length + 1, packer.pack(np.ascontiguousarray(np.concatenate(keys)))).astype(np.float64)
                    inside = np.bincount(np.concatenate(owners), weights=counts, minlength=len(at))
                    share = np.fmax(share, np.divide(inside, totals, out=np.zeros(len(at)), where=totals > 0))
            shares[at] = share
    table.release()
    return shares


def judge_words(rows: Iterable[tuple[str, int, float]], total_units: int, *, known: Iterable[str] = ()) -> list[tuple[float, str]]:
    """What each word is to jieba: ``(jieba_lift, kind)`` (see the module doc, step 6).

    Args:
        rows: ``(word, count, share)`` of every discovered word of a corpus (the quantity rule
            compares a word with the others), ``share`` being the largest share of its
            occurrences one neighbouring unit takes (NaN if unknown).
        total_units: the corpus's units in fragments (``totals[1]`` of its n-gram table).
        known: the user's words (normalised as the corpus is): kind ``known``.

    >>> rows = [("星澜科技", 40, 0.2), ("他说", 45, 0.3), ("据了解", 20, 0.2), ("5G", 50, 0.1),
    ...         ("2023年", 90, 0.1), ("2024年", 80, 0.1), ("2025年", 70, 0.1), ("的", 9000, 0.0)]
    >>> [kind for _, kind in judge_words(rows, 1_000_000)]
    ['new', 'phrase', 'phrase', 'jieba', 'quantity', 'quantity', 'quantity', 'unit']
    """
    from .corpus import units
    from .tokenizer import JiebaModel

    jieba = JiebaModel()
    known = frozenset(normalize(w) for w in known)
    log_total = math.log(max(total_units, 1))
    rows = [(word, count, share, units(word)) for word, count, share in rows]

    def number_run(parts: list[str]) -> tuple[str, str] | None:
        """(before, after) the word's one run of numbers (digits or Chinese numerals)."""
        at = [i for i, u in enumerate(parts) if u[0].isdecimal() or u in NUMERALS]
        if not at or at[-1] - at[0] + 1 != len(at) or len(at) == len(parts):
            return None
        return "".join(parts[: at[0]]), "".join(parts[at[-1] + 1 :])

    variants: Counter = Counter()  # (before, after) -> how many words share it
    shapes = {}
    for word, _, _, parts in rows:
        shape = number_run(parts)
        if shape is not None:
            shapes[word] = shape
            variants[shape] += 1
    result = []
    for word, count, share, parts in rows:
        if len(parts) == 1:
            result.append((math.nan, "unit"))
            continue
        cut = jieba.cut(word)
        if jieba.known(word) or len(cut) == 1:
            result.append((math.nan, "jieba"))
            continue
        lift = (math.log(count) - log_total - jieba.log_probability(cut)) / (len(cut) - 1)
        numbers = sum(u[0].isdecimal() for u in parts)
        if word in known:
            kind = "known"
        elif numbers == len(parts):
            kind = "number"
        elif (numbers >= 2 or (word in shapes and variants[shapes[word]] >= QUANTITY_VARIANTS)
              or _number_with_unit(cut, parts, jieba) or _number_in_phrase(cut, parts, jieba)):
            kind = "quantity"
        elif share >= FRAGMENT_SHARE:
            kind = "fragment"
        elif all(jieba.common(t) for t in cut):
            kind = "compound"
        elif (lift < MIN_JIEBA_LIFT or cut[-1] in SPEECH_VERBS or cut[0] in FORMAL_VERBS
              or any(t in DEMONSTRATIVES for t in cut) or _function_word_phrase(cut, jieba.tags(cut), jieba.surname)):
            kind = "phrase"
        else:
            kind = "new"
        result.append((lift, kind))
    return result


def _number_with_unit(cut: list[str], parts: list[str], jieba) -> bool:
    """A number in digits and one word jieba tags as a numeral or measure word (m, q): its unit
    or multiplier (``100|毫升``, ``20|分钟``, ``14|亿``, ``20|多万``, ``5|年``), however few such
    words the corpus has."""
    return len(cut) == 2 and cut[0] == parts[0] and parts[0][0].isdecimal() and jieba.tags(cut[1:])[0] in ("m", "q")


def _number_in_phrase(cut: list[str], parts: list[str], jieba) -> bool:
    """A number in digits that counts, dates or measures within the word: between two Chinese
    characters, unless a serial number's suffix follows it (``鸣礼炮|21|响``, ``第|15|条``; but
    ``光明星|3|号``); a percentage after one (``下降|0.1%``); or a number that ends the word after
    a word that does not name a thing, whose unit stands after the word (``今年|1``, ``比|1``,
    ``低于|50``; but ``波音|737``, ``雪龙|2``, ``沪深|300``, ``南海救|101``)."""
    chinese = [u.isalpha() and not u.isascii() for u in parts]
    for i, u in enumerate(parts):
        if not u[0].isdecimal() or not i or not chinese[i - 1]:
            continue
        if u.endswith("%") or (i + 1 < len(parts) and chinese[i + 1] and parts[i + 1] not in SERIAL_SUFFIXES):
            return True
        if i + 1 == len(parts):
            before = len("".join(parts[:i]))
            ends = list(itertools.accumulate(len(t) for t in cut))
            if before in ends:
                token = cut[ends.index(before)]
                tag = jieba.tags([token])[0]
                return tag in _BEFORE_A_QUANTITY or (len(token) >= 2 and tag.startswith("v"))
    return False


def _function_word_phrase(cut: list[str], tags: list[str], surname: Callable[[str], bool] = lambda c: False) -> bool:
    """A function word attached to a word of two or more characters that is no proper name:
    at the start, alone or in a row (``据|了解``, ``为|契机``, ``将|于|今晚``), at the end (``会谈|后``, ``特别|是``, ``逾期|不``,
    ``村民|们``: an adverb modifies what follows it, a localizer or suffix closes a phrase), or
    joining two such words (``投诉|和|举报``); a measure word that is no ``surname`` opening
    one (``架|无人机``); a conjunction joining two one-character nouns (``市|和|区``); one of the
    :data:`COMPLEMENTS` closing a two-character verb (``凝聚|起``); a particle closing one
    character that is no pronoun (``陪|着``, ``吓|得``), or an aspect particle closing single
    characters (``太|硬|了``): the inflected verbs of a novel or a forum; one of the
    :data:`PREPOSITIONS` closing one character that is no ``surname`` (``愿|同``); one of the
    :data:`LITERARY_ADVERBS` opening single characters (``便|知``).

    Any other function character among single characters, or beside a piece jieba takes for a
    name, is left to the lift: it may be part of a name (闵若澜: 若 is a conjunction to jieba; 替巴洛韦:
    巴洛 a place name) as much as of a phrase (他说).
    """

    def content(i: int) -> bool:
        return len(cut[i]) >= 2 and tags[i] not in _PROPER_NAMES

    def opens(i: int) -> bool:
        # A measure word opens a noun after a number (3架|无人机, 户|村民): a piece of a quantity,
        # unless it is also a surname (张 is a measure word to jieba's dictionary).
        measure = i == 0 and tags[i] == "q" and len(cut[i]) == 1 and not surname(cut[i])
        return tags[i] in _OPENS_PHRASE or cut[i] == _COPULA or measure

    # 地 is the adverbial particle only after an adverb or an adjective (认真|地, 悄|地); after a
    # noun or a verb it is land, a noun (试验|地, 坝|地, 棉|地), as in jieba's 宅基地, 承包地.
    if len(cut) >= 2 and cut[-1] == "地" and tags[-2] not in _ADVERBIAL:
        tags = [*tags[:-1], "n"]
    # Function words may come in a row before the word they govern (将|于|今晚, 极|不|平凡).
    first = 0
    while first < len(cut) - 1 and opens(first):
        first += 1
    if first and content(first):
        return True
    if content(-2) and (tags[-1] in _CLOSES_PHRASE or cut[-1] == _COPULA or cut[-1] in POSTPOSITIONS):
        return True
    # A particle after one character inflects a verb or an adjective (陪|着, 吓|得, 苦|哉), unless
    # that character is a pronoun (怎|的: an interrogative of its own); an aspect particle ends
    # no name, so it closes one however many characters precede it (太|硬|了, 正|闹|着).
    if len(cut[-1]) == 1 and all(len(t) == 1 for t in cut[:-1]):
        if (len(cut) == 2 and tags[-1] in _PARTICLES and tags[0] != "r") or tags[-1] in _ASPECT:
            return True
    # A literary adverb before single characters (便|知, 又|恐, 犹|未): see LITERARY_ADVERBS.
    if cut[0] in LITERARY_ADVERBS and all(len(t) == 1 for t in cut):
        return True
    # A preposition closes no word: after one character that is no surname, it belongs to the
    # phrase that follows (愿|同 ... 一道); a surname and a preposition may be a name.
    if len(cut) == 2 and len(cut[0]) == 1 and cut[1] in PREPOSITIONS and not surname(cut[0]):
        return True
    # A complement after a two-character verb (a person's name may end in one: 徐克|成).
    if cut[-1] in COMPLEMENTS and len(cut) >= 2 and len(cut[-2]) == 2 and not tags[-2].startswith("nr"):
        return True
    # Coordination joins like with like: two words, or two one-character nouns (市|和|区, 父|或者|母).
    return any(tags[i] in _JOINS_PHRASE and ((content(i - 1) and content(i + 1)) or (tags[i] == "c" and tags[i - 1] == tags[i + 1] == "n"))
               for i in range(1, len(cut) - 1))


class _Sides(NamedTuple):
    """What stands beside words in the corpus: the entropies of their left and right
    neighbours, and the largest share of their occurrences one neighbour takes, either side."""

    left: np.ndarray
    right: np.ndarray
    share: np.ndarray


def _neighbours(table: NgramTable, length: int, keys: np.ndarray) -> _Sides:
    left, right, share_left, share_right = _entropies(table, length, keys)
    return _Sides(left, right, np.fmax(share_left, share_right))


def _entropies(table: NgramTable, length: int, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Left and right boundary entropies of the n-grams ``keys`` of order ``length``, and the
    largest share of their occurrences that one left (and one right) neighbour takes (all
    numbers count as one neighbour: a piece that mostly follows a number is part of a quantity)."""
    from .corpus import DIGIT

    nan = np.full(len(keys), np.nan)
    if length + 1 > table.n or not len(keys):
        return nan, nan.copy(), nan.copy(), nan.copy()
    packer = table.packer
    totals = table.counts_of(length, keys).astype(np.float64)
    ext_keys, ext_counts = table.keys[length + 1], table.counts[length + 1]
    wanted = np.unique(searchable(keys))
    # Most extensions extend no word: a hash probe each tells, where np.isin sorted every slice.
    wanted_set = KeySet(wanted) if keys.ndim == 1 else None
    # Start from empty pieces so that an empty extension table concatenates to nothing.
    sides: tuple[list, list] = ([keys[:0]], [keys[:0]])
    counts: tuple[list, list] = ([np.zeros(0)], [np.zeros(0)])
    numbers: tuple[list, list] = ([np.zeros(0, bool)], [np.zeros(0, bool)])  # the neighbour is a number
    is_number = table.symbols.kind == DIGIT
    step = 1 << 20  # extensions are read in slices: the table may be far larger than the words
    for i in range(0, len(ext_counts), step):
        chunk = np.asarray(ext_keys[i : i + step])
        if chunk.ndim == 1:
            # One word: what an extension extends is its key without the first or last digit.
            pair = (chunk % np.uint64(packer.radix**length), chunk // np.uint64(packer.radix))
            neighbour = (chunk // np.uint64(packer.radix**length), chunk % np.uint64(packer.radix))
        else:
            ids = packer.unpack(chunk, length + 1)
            pair = (packer.pack(np.ascontiguousarray(ids[:, 1:])), packer.pack(np.ascontiguousarray(ids[:, :-1])))
            neighbour = (ids[:, 0], ids[:, -1])
        for j, side in enumerate(pair):
            hit = wanted_set.contains(side) if wanted_set is not None else np.isin(searchable(side), wanted)
            sides[j].append(side[hit])
            counts[j].append(np.asarray(ext_counts[i : i + step])[hit].astype(np.float64))
            numbers[j].append(is_number[neighbour[j][hit].astype(np.int64)])
    result, shares = [], []
    for side, c, number in zip(*((np.concatenate(x) for x in group) for group in (sides, counts, numbers))):
        # side = the word each extension extends (left extensions end with it, right ones start).
        order = np.argsort(searchable(side), kind="stable")
        sorted_side = side[order]
        c, number = c[order], number[order]
        starts = group_starts(sorted_side)
        group_keys = sorted_side[starts]
        seen = np.add.reduceat(c, starts) if len(c) else np.zeros(0)
        clogc = np.add.reduceat(c * np.log(c), starts) if len(c) else np.zeros(0)
        largest = np.maximum(np.maximum.reduceat(np.where(number, 0.0, c), starts), np.add.reduceat(np.where(number, c, 0.0), starts)) if len(c) else np.zeros(0)
        pos, found = find(group_keys, keys)
        s_seen = np.where(found, seen[pos] if len(group_keys) else 0, 0.0)
        s_clogc = np.where(found, clogc[pos] if len(group_keys) else 0, 0.0)
        edge = np.maximum(totals - s_seen, 0.0)  # occurrences at a fragment edge: one more outcome
        with np.errstate(divide="ignore", invalid="ignore"):
            edge_term = np.where(edge > 0, edge * np.log(np.where(edge > 0, edge, 1.0)), 0.0)
            h = np.log(totals) - (s_clogc + edge_term) / totals
        result.append(np.where(totals > 0, np.maximum(h, 0.0), np.nan))
        with np.errstate(divide="ignore", invalid="ignore"):
            shares.append(np.where(found & (totals > 0), (largest[pos] if len(group_keys) else 0) / totals, 0.0))
    return result[0], result[1], shares[0], shares[1]
