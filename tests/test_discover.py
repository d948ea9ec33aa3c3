"""New-word discovery: exact against a plain-Python run of the same method; planted words found."""

from __future__ import annotations

import csv
import math
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE
from wordmine import count_ngrams, normalize
from wordmine.corpus import unit_fragments
from wordmine.discover import DEFAULT_MIN_PMI, auto_min_count, discover_words, discover_words_in_text


def naive_discover(text: str, n: int, min_count: int, min_pmi) -> dict[str, int]:
    """The method of the module docstring, step by step in plain Python, on tuples of units
    (no class symbols: the texts here have few distinct Latin words and numbers)."""
    frags = [tuple(f) for line in text.split("\n") for f in unit_fragments(normalize(line))]
    grams: Counter = Counter(f[i : i + k] for f in frags for k in range(1, n + 1) for i in range(len(f) - k + 1))
    total = sum(c for g, c in grams.items() if len(g) == 1)

    def cohesion(g: tuple) -> float:
        return min(math.log(total * grams[g] / (grams[g[:i]] * grams[g[i:]])) for i in range(1, len(g)))

    kept = {g for g, c in grams.items() if len(g) >= 2 and c >= min_count and cohesion(g) >= min_pmi[min(len(g), len(min_pmi)) - 1]}
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


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from("我们 今天 发布 新品 芯片 星澜科技 ，。 AI 2024 ○ 5G iPhone 3.5% A股 x".split()), min_size=5, max_size=120), st.integers(2, 5), st.integers(1, 3))
def test_generated_text_equals_the_plain_method(parts, n, min_count):
    text = "".join(parts)
    pmi = (0.0, 0.5, 1.0, 1.5)
    assert as_counts(discover_words_in_text(text, n=n, min_count=min_count, min_pmi=pmi)) == naive_discover(text, n, min_count, pmi)


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
    assert len(found) >= 0.85 * len(planted)
    assert all(not words[t].in_jieba for t in found)
    assert words["的"].in_jieba and math.isnan(words["的"].cohesion)


def test_word_description():
    rng = random.Random(0)
    vocab = "我们 今天 发布 新品 芯片 市场 用户 星澜科技 认为 未来 增长 团队".split()
    text = "。".join("".join(rng.choice(vocab) for _ in range(rng.randint(2, 6))) for _ in range(300))
    words = {w.word: w for w in discover_words_in_text(text, min_count=3, min_pmi=(0, 1, 2, 3))}
    w = words["星澜科技"]
    assert w.cohesion > 3 and not w.in_jieba and words["我们"].in_jieba
    # 12 words follow each other at random: up to ln 13 of choice on each side (12 words + edge)
    assert 2 < w.left_entropy <= math.log(13) and 2 < w.right_entropy <= math.log(13)
    assert [x.count for x in words.values()] == sorted((x.count for x in words.values()), reverse=True)


def test_auto_min_count_scales_with_the_corpus():
    assert [auto_min_count(c) for c in (0, 3_000_000, 17_000_000, 170_000_000)] == [2, 2, 4, 42]
