"""New-word discovery: exact against a plain-Python run of the same method; planted words found."""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE
from wordmine import count_ngrams, normalize
from wordmine.corpus import unit_fragments, units
from wordmine.discover import DEFAULT_MIN_PMI, FREE_OVERLAP, auto_min_count, discover_words, discover_words_in_text, judge_words
from wordmine.formats import Word, write_words


def naive_discover(text: str, n: int, min_count: int, min_pmi) -> dict[str, int]:
    """The method of the module docstring, step by step in plain Python, on tuples of units
    (no class symbols: the texts here have few distinct Latin words and numbers)."""
    frags = [tuple(f) for line in text.split("\n") for f in unit_fragments(normalize(line))]
    grams: Counter = Counter(f[i : i + k] for f in frags for k in range(1, n + 1) for i in range(len(f) - k + 1))
    total = sum(c for g, c in grams.items() if len(g) == 1)

    def cohesion(g: tuple) -> float:
        return min(math.log(total * grams[g] / (grams[g[:i]] * grams[g[i:]])) for i in range(1, len(g)))

    # Free units (FREE_OVERLAP): a pair with one stays only if its PMI reaches the partner's mean
    # PMI on the side facing it.
    pairs = {g: c for g, c in grams.items() if len(g) == 2}
    overlap, weighted, seen = Counter(), Counter(), Counter()  # keyed (unit, side)
    for g, c in pairs.items():
        chance = grams[g[:1]] * grams[g[1:]] / total
        for unit, side in ((g[0], "after"), (g[1], "before")):
            overlap[unit, side] += min(c, chance)
            weighted[unit, side] += c * math.log(c / chance)
            seen[unit, side] += c
    free = {g[0] for g in grams if len(g) == 1
            and max(overlap[g[0], "after"], overlap[g[0], "before"]) / grams[g] >= FREE_OVERLAP - 1e-9}

    def mean(unit, side):
        return weighted[unit, side] / max(seen[unit, side], 1)

    def not_by_chance(g: tuple) -> bool:
        if len(g) != 2 or not (g[0] in free or g[1] in free):
            return True
        if g[0] in free and g[1] in free:
            need = max(mean(g[0], "after"), mean(g[1], "before"))
        else:
            need = mean(g[1], "before") if g[0] in free else mean(g[0], "after")
        return cohesion(g) >= need - 1e-9

    kept = {g for g, c in grams.items() if len(g) >= 2 and c >= min_count and cohesion(g) >= min_pmi[min(len(g), len(min_pmi)) - 1]
            and not_by_chance(g)}
    pieces: Counter = Counter()
    for f in frags:
        joined = [False] * (len(f) - 1)
        for i in range(len(f)):
            for k in range(2, n + 1):
                if i + k <= len(f) and f[i : i + k] in kept:
                    for g in range(i, i + k - 1):
                        joined[g] = True
        piece = f[:1]
        for i in range(1, len(f)):
            if joined[i - 1]:
                piece += f[i : i + 1]
            else:
                pieces[piece] += 1
                piece = f[i : i + 1]
        pieces[piece] += 1

    def back_filter(p: tuple) -> bool:
        if len(p) <= 2:
            return True
        if len(p) <= n:
            return p in kept
        return all(p[i : i + n] in kept for i in range(len(p) - n + 1))

    return {"".join(p): c for p, c in pieces.items() if c >= min_count and back_filter(p)}


def as_counts(words) -> dict[str, int]:
    return {w.word: w.count for w in words}


def rows(words) -> list[tuple]:
    """Words as comparable tuples (NaN, which equals nothing, as None)."""
    return [tuple(None if isinstance(x, float) and math.isnan(x) else x for x in w) for w in words]


def test_sample_file_equals_the_plain_method():
    text = (SAMPLE / "sport.txt").read_text(encoding="utf-8")
    assert as_counts(discover_words_in_text(text, min_count=3)) == naive_discover(text, 4, 3, DEFAULT_MIN_PMI)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from("我们 今天 发布 新品 芯片 星澜科技 ，。 AI 2024 ○ 5G iPhone 3.5% A股 x".split()), min_size=5, max_size=120), st.integers(2, 5), st.integers(1, 3))
def test_generated_text_equals_the_plain_method(parts, n, min_count):
    text = "".join(parts)
    pmi = (0.0, 0.5, 1.0, 1.5)
    assert as_counts(discover_words_in_text(text, n=n, min_count=min_count, min_pmi=pmi[:n])) == naive_discover(text, n, min_count, pmi)


def test_jobs_and_a_given_ngram_table_give_the_same_words(tmp_path):
    one = discover_words([str(SAMPLE)], jobs=1, min_count=3)
    two = discover_words([str(SAMPLE)], jobs=2, min_count=3)
    grams = tmp_path / "g.npz"
    count_ngrams([str(SAMPLE)], 5, jobs=2).save(str(grams))
    given_table = discover_words([str(SAMPLE)], ngrams=str(grams), jobs=2, min_count=3)
    assert rows(one) == rows(two) == rows(given_table)


def test_planted_terms_are_discovered_as_new_words():
    with open(ROOT / "data" / "planted_terms.tsv", encoding="utf-8") as f:
        planted = [row["term"] for row in csv.DictReader(f, delimiter="\t")]
    words = {w.word: w for w in discover_words([str(SAMPLE)], jobs=2)}
    found = [t for t in planted if t in words]
    new = [t for t in found if words[t].kind == "new"]
    # 70 of the 82 before units and the new-word criterion: neither may lose any.
    assert len(found) >= 70 and len(new) >= 70
    assert words["的"].kind == "unit" and math.isnan(words["的"].cohesion)


def test_word_description():
    rng = random.Random(0)
    vocab = "我们 今天 发布 新品 芯片 市场 用户 星澜科技 认为 未来 增长 团队".split()
    text = "。".join("".join(rng.choice(vocab) for _ in range(rng.randint(2, 6))) for _ in range(300))
    words = {w.word: w for w in discover_words_in_text(text, min_count=3, min_pmi=(0, 1, 2, 3))}
    w = words["星澜科技"]
    assert w.cohesion > 3 and w.kind == "new" and words["我们"].kind == "jieba"
    # 12 words follow each other at random: up to ln 13 of choice on each side (12 words + edge)
    assert 2 < w.left_entropy <= math.log(13) and 2 < w.right_entropy <= math.log(13)
    assert [x.count for x in words.values()] == sorted((x.count for x in words.values()), reverse=True)


def test_auto_min_count_scales_with_the_corpus():
    assert [auto_min_count(c) for c in (0, 3_000_000, 17_000_000, 170_000_000)] == [2, 2, 4, 42]


def test_no_word_starts_or_ends_inside_a_latin_word_or_number():
    rng = random.Random(3)
    vocabulary = "iPhone15 A股 B站 5G K线图 售价 用户 讨论 testing license engineer 3.5% 5,999元 2024年 的 和 在".split()
    lines = ["".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 8))) for _ in range(400)]
    text = "\n".join(line + rng.choice("，。；") for line in lines)
    words = discover_words_in_text(text, min_count=3, min_pmi=(0, 1, 2, 3))
    text_units = [tuple(fragment) for line in text.split("\n") for fragment in unit_fragments(normalize(line))]
    runs = {f[i:j] for f in text_units for i in range(len(f)) for j in range(i + 1, min(len(f), i + 8) + 1)}
    assert words and all(tuple(units(w.word)) in runs for w in words)
    found = {w.word for w in words}
    # (5G is not among them: glued to the Latin word after it, 5 stands before GA, GB, GK as
    # often as before G, and the pair 5|G falls below what 5 has with its other neighbours.)
    assert {"iPhone15", "A股", "B站", "K线图", "testing", "license", "3.5%", "5,999元"} <= found
    assert not found & {"ing", "test", "Phone", "999", "5%", "lic", "ense", "neer"}
    kinds = {w.word: w.kind for w in words}
    assert kinds["3.5%"] == "unit" and kinds["iPhone15"] == "jieba"


@pytest.mark.parametrize("word, count, share, kind", [
    ("星澜科技", 40, 0.2, "new"),       # jieba cuts 星/澜/科技
    ("温凤浩", 30, 0.0, "new"),         # a name
    ("中国梦", 18, 0.4, "new"),         # 中国 + 梦: far more often together than jieba expects
    ("他说", 45, 0.3, "phrase"),        # 他 + 说: about what jieba expects
    ("这是", 300, 0.3, "phrase"),
    ("据了解", 20, 0.2, "phrase"),      # a preposition before a word
    ("将于今晚", 20, 0.2, "phrase"),    # an adverb and a preposition before one
    ("会谈后", 20, 0.2, "phrase"),      # a locative after one
    ("投诉和举报", 20, 0.2, "phrase"),  # a conjunction between two
    ("框架内", 30, 0.2, "phrase"),      # a localizer jieba tags as a noun
    ("事发时", 30, 0.2, "phrase"),
    ("村民们", 30, 0.2, "phrase"),      # the plural suffix
    ("逾期未", 30, 0.2, "phrase"),      # an adverb modifies what follows, never ends a word
    ("警方称", 30, 0.2, "phrase"),      # a reporting clause
    ("俄称", 30, 0.2, "phrase"),
    ("此访", 30, 0.2, "phrase"),        # a demonstrative points into the text around it
    ("受此影响", 30, 0.2, "phrase"),
    ("架无人机", 30, 0.2, "phrase"),    # a measure word opens it: cut from 3架无人机
    ("张叔平", 30, 0.2, "new"),         # 张 is a measure word to jieba, and a surname
    ("互尊互信", 30, 0.2, "new"),       # 尊 is one too, but does not open it
    ("予以取缔", 30, 0.2, "phrase"),    # a formal verb carries a verb
    ("予支持", 30, 0.2, "phrase"),
    ("市和区", 30, 0.2, "phrase"),      # a conjunction between two one-character nouns
    ("父或者母", 30, 0.2, "phrase"),
    ("凝聚起", 30, 0.2, "phrase"),      # a verb and its complement
    ("守护好", 30, 0.2, "phrase"),
    ("徐克成", 30, 0.2, "new"),         # ... but a name may end in one
    ("陪着", 30, 0.2, "phrase"),        # a particle inflects one character: aspect,
    ("吓得", 30, 0.2, "phrase"),        # complement marker,
    ("苦哉", 30, 0.2, "phrase"),        # modal particle
    ("太硬了", 30, 0.2, "phrase"),      # an aspect particle after single characters
    ("怎的", 300, 0.2, "new"),          # ... but a pronoun and its particle make one of their own
    ("汝等", 30, 0.2, "new"),           # 等 makes a plural pronoun
    ("麦贤得", 30, 0.2, "new"),         # a name may end in 得 (it is no aspect particle)
    ("认真地", 3000, 0.2, "phrase"),    # 地 after an adjective is the adverbial particle,
    ("悄地", 3000, 0.2, "phrase"),
    ("试验地", 3000, 0.2, "new"),       # ... after a verb or a noun it is land
    ("坝地", 3000, 0.2, "new"),
    ("愿同", 300, 0.2, "phrase"),       # a preposition belongs to the phrase after it
    ("屯于", 300, 0.2, "phrase"),
    ("守把", 300, 0.2, "new"),          # 把 is a noun too (a guard post)
    ("斜向", 300, 0.2, "new"),          # so is 向 (a direction)
    ("好在", 3000, 0.2, "new"),         # 在 ends words jieba lacks
    ("便知", 300, 0.2, "phrase"),       # a literary adverb before a one-character verb
    ("又恐", 300, 0.2, "phrase"),
    ("互认", 300, 0.2, "new"),          # ... but a modern adverb also makes words there
    ("风生水起", 30, 0.2, "new"),       # an idiom (jieba: 风生水|起)
    ("数据显示", 30, 0.2, "compound"),  # two common words
    ("新局", 20, 0.8, "fragment"),      # mostly before 面
    ("1,000", 20, 0.1, "unit"),         # one number, one unit
    ("3.5%12", 20, 0.1, "number"),
    ("2020年12月23日", 9, 0.1, "quantity"),
    ("100毫升", 9, 0.1, "quantity"),     # a number and its unit, however few like it
    ("14亿", 9, 0.1, "quantity"),        # a number and its multiplier
    ("鸣礼炮21响", 9, 0.1, "quantity"),  # a number between Chinese characters counts something
    ("第15条", 9, 0.1, "quantity"),
    ("光明星3号", 9, 0.1, "new"),        # ... but a serial number names a thing
    ("下降0.1%", 9, 0.1, "quantity"),     # a percentage
    ("今年1", 9, 0.1, "quantity"),        # a number whose unit (月) stands outside the word
    ("比1", 9, 0.1, "quantity"),
    ("低于50", 9, 0.1, "quantity"),
    ("沪深300", 9, 0.1, "new"),          # ... but after a noun or a name it may end a name
    ("南海救101", 9, 0.1, "new"),
    ("2063年议程", 9, 0.1, "new"),       # a name with a number in it
    ("5G网络", 9, 0.1, "new"),
    ("中国", 500, 0.1, "jieba"),
    ("5G", 50, 0.1, "jieba"),           # jieba keeps runs of letters and digits whole
    ("新", 900, 0.1, "unit"),
])
def test_what_a_word_is_to_jieba(word, count, share, kind):
    assert judge_words([(word, count, share)], 1_000_000)[0][1] == kind


def test_a_number_that_varies_is_a_quantity_and_a_fixed_one_a_name():
    rows = [("2023年", 90, 0.1), ("2024年", 80, 0.1), ("2025年", 70, 0.1), ("985工程", 30, 0.1), ("211工程", 30, 0.1),
            ("三大", 50, 0.1), ("两大", 40, 0.1), ("四大", 30, 0.1), ("四风", 30, 0.1)]
    kinds = [kind for _, kind in judge_words(rows, 1_000_000)]
    # 四大 is jieba's own word, but it still makes 三大 and 两大 a series
    assert kinds == ["quantity"] * 3 + ["new", "new"] + ["quantity", "quantity", "jieba", "new"]


def test_known_words_come_after_jieba_and_before_the_rules():
    rows = [("星澜科技", 40, 0.2), ("他说", 45, 0.3), ("中国", 500, 0.1), ("AB股", 30, 0.1), ("闵若澜", 30, 0.1)]
    kinds = [kind for _, kind in judge_words(rows, 1_000_000, known=["星澜科技", "他说", "中国", "ＡＢ股"])]
    # jieba's own word stays jieba; the user's list is normalised as the corpus is (full-width letters)
    assert kinds == ["known", "known", "jieba", "known", "new"]


def test_a_piece_of_longer_jieba_words_is_a_fragment_though_no_one_neighbour_dominates():
    # 筑物 stands after 建 (建筑物) 6 times and after 构 (构筑物) 5: no neighbour takes 3/4 of it,
    # but every occurrence is inside a word of jieba's dictionary; so is 汀国 before 境 and 家
    # (国境, 国家). 澜汀, after 鹭 and 蓝 (no such words), stays new. The single characters keep
    # the pairs 建筑, 构筑 and 国境 apart (they co-occur less often than chance).
    text = "。".join(["建筑物"] * 6 + ["构筑物"] * 5 + ["鹭澜汀"] * 6 + ["蓝澜汀"] * 5 + ["汀国境"] * 6 + ["汀国家"] * 5
                    + ["建", "构", "筑", "鹭", "蓝", "澜", "国", "境", "家"] * 300)
    kinds = {w.word: w.kind for w in discover_words_in_text(text, min_count=3) if len(w.word) > 1}
    assert kinds == {"筑物": "fragment", "汀国": "fragment", "澜汀": "new"}


def test_a_word_longer_than_the_table_takes_the_entropies_of_its_end_windows():
    # n=2 counts a table of order 3: 星澜科技 (4 units) has no neighbours of its own in it; the
    # left ones of 星澜 and the right ones of 科技 stand in: two of each, equally often.
    text = "。".join(["甲星澜科技丙"] * 10 + ["乙星澜科技丁"] * 10 + ["甲", "乙", "丙", "丁"] * 300)
    words = [w for w in discover_words_in_text(text, n=2, min_count=3, min_pmi=(0, 2)) if len(w.word) > 1]
    assert [(w.word, w.count) for w in words] == [("星澜科技", 20)]
    assert words[0].left_entropy == pytest.approx(math.log(2)) and words[0].right_entropy == pytest.approx(math.log(2))


def test_new_only_lists_new_words_by_variety():
    rows = [Word("温凤浩", 90, 9.0, 0.1, 4.0, 10.2, "new"),     # a byline: always after 记者
            Word("中国梦", 60, 8.0, 3.0, 3.5, 4.9, "new"),
            Word("他说", 99, 1.0, 4.0, 4.0, 0.6, "phrase"),
            Word("走基层", 30, 8.0, 3.0, 3.0, 6.0, "new"),
            Word("四风", 45, 8.0, 2.0, 2.0, 5.9, "new")]        # 90 nats, as 走基层: the count decides
    out = io.StringIO()
    write_words(rows, out, new_only=True, top=3, header=False)
    assert [line.split("\t")[0] for line in out.getvalue().splitlines()] == ["中国梦", "四风", "走基层"]
