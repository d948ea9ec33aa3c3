"""Keyness (wordmine.compare): G², Log Ratio and simple maths against hand-computed values,
symmetry, filters, ties, and the inputs (tables, corpora, word lists)."""

from __future__ import annotations

import gzip
import logging
import math

import pytest

import wordmine
from wordmine.compare import compare_counts, keyness, load_counts
from wordmine.formats import read_word_list
from wordmine.errors import FormatError


def everything(focus, reference, **kwargs):
    """Every word, both directions, no test: {word: Keyword}."""
    rows = compare_counts(focus, reference, min_g2=0, min_count=1, negative=True, **kwargs)
    return {r.word: r for r in rows}


def hand_g2(a, b, c, d):
    """The two-term log-likelihood written out as on the Lancaster calculator's page."""
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * ((a * math.log(a / e1) if a else 0) + (b * math.log(b / e2) if b else 0))
    return g2 if a / c >= b / d else -g2


def test_the_lancaster_calculators_worked_example():
    # ucrel.lancs.ac.uk/llwizard.html: a word seen 52 times in a corpus of 50,000 words and 57
    # times in one of 75,000 has LL + 2.65 (over-used in corpus 1, not significant).
    rows = everything({"词": 52, "其他": 50000 - 52}, {"词": 57, "其他": 75000 - 57})
    word = rows["词"]
    assert round(word.g2, 2) == 2.65
    assert word.g2 == pytest.approx(2.6517, abs=1e-4)
    assert word.g2 == pytest.approx(hand_g2(52, 57, 50000, 75000), rel=1e-12)
    # Log Ratio = log2((52/50000) / (57/75000)) = log2(1.368421...)
    assert word.log_ratio == pytest.approx(math.log2(1.3684210526), rel=1e-9)
    assert word.focus_pm == pytest.approx(1040.0) and word.reference_pm == pytest.approx(760.0)
    assert word.simple_maths == pytest.approx(1041 / 761)


def test_hand_computed_values():
    # 30 of 100 against 1 of 100: E1 = E2 = 15.5; G2 = 2 (30 ln(30/15.5) + 1 ln(1/15.5)) = 34.1398
    rows = everything({"新词": 30, "的": 70}, {"新词": 1, "的": 99})
    word = rows["新词"]
    assert word.g2 == pytest.approx(34.1398, abs=1e-4)
    assert word.log_ratio == pytest.approx(math.log2(30))
    assert word.simple_maths == pytest.approx((300000 + 1) / (10000 + 1))
    # 的: 70 of 100 against 99 of 100, under-used in the focus: negative
    assert rows["的"].g2 == pytest.approx(hand_g2(70, 99, 100, 100)) and rows["的"].g2 < 0


def test_a_zero_count_is_half_a_count_in_log_ratio_and_nothing_in_g2():
    rows = everything({"新": 10, "旧": 990}, {"旧": 1000})
    assert rows["新"].log_ratio == pytest.approx(math.log2((10 / 1000) / (0.5 / 1000)))  # log2(20)
    assert rows["新"].g2 == pytest.approx(2 * 10 * math.log(2))  # E1 = 5, and the zero cell adds 0
    assert rows["新"].simple_maths == pytest.approx((10000 + 1) / 1)


def test_smoothing_is_kilgarriffs_n():
    rows = everything({"新": 10, "旧": 990}, {"新": 1, "旧": 999}, smoothing=100)
    assert rows["新"].simple_maths == pytest.approx((10000 + 100) / (1000 + 100))


def test_swapping_the_corpora_flips_the_signs():
    focus = {"甲": 50, "乙": 3, "丙": 200, "丁": 7, "戊": 1}
    reference = {"甲": 20, "乙": 30, "丙": 410, "丁": 14, "己": 4}
    forward, backward = everything(focus, reference), everything(reference, focus)
    assert forward.keys() == backward.keys() == set(focus) | set(reference)
    for word, row in forward.items():
        back = backward[word]
        assert back.g2 == pytest.approx(-row.g2, abs=1e-9)
        assert back.log_ratio == pytest.approx(-row.log_ratio)
        assert back.simple_maths == pytest.approx(1 / row.simple_maths)
        assert (back.focus_count, back.reference_count) == (row.reference_count, row.focus_count)


def test_default_filter_keeps_significant_over_used_words():
    focus = {"热词": 40, "稍多": 12, "少见": 4, "的": 1000}
    reference = {"热词": 2, "稍多": 8, "的": 1000, "冷词": 60}
    rows = compare_counts(focus, reference)
    assert [r.word for r in rows] == ["热词"]  # 稍多 is not significant; 少见 is seen < 5 times
    assert rows[0].g2 >= 15.13
    negative = compare_counts(focus, reference, negative=True)
    assert [r.word for r in negative] == ["热词", "冷词"]  # positive first, then negative
    assert negative[1].g2 <= -15.13
    loose = compare_counts(focus, reference, min_g2=0, min_count=1)
    assert [r.word for r in loose] == ["热词", "少见", "稍多", "的"]  # 的: 1000 of 1056 against 1000 of 1070


def test_emerging_words_are_absent_from_or_rare_in_the_reference():
    focus = {"新": 30, "更新": 30, "旧": 30, "的": 1000}
    reference = {"更新": 1, "旧": 1, "的": 5000}
    assert [r.word for r in compare_counts(focus, reference, emerging=True)] == ["新"]
    rows = compare_counts(focus, reference, emerging=True, max_reference=1)
    assert [r.word for r in rows] == ["新", "旧", "更新"]  # 旧 and 更新 tie: code point order


def test_ties_are_broken_by_word_and_sort_and_top_apply():
    focus = {"乙": 20, "甲": 20, "丙": 40, "的": 100}
    reference = {"的": 1000, "丙": 2}
    rows = compare_counts(focus, reference)
    # 乙 and 甲 have the same counts, so the same G2: code point order (U+4E59 < U+7532)
    assert [r.word for r in rows] == ["丙", "乙", "甲"]
    assert rows[1].g2 == rows[2].g2 < rows[0].g2
    by_ratio = [r.word for r in compare_counts(focus, reference, sort="log_ratio")]
    assert by_ratio == ["乙", "甲", "丙"]  # 20 against 0.5 beats 40 against 2
    assert [r.word for r in compare_counts(focus, reference, sort="focus_count", top=2)] == ["丙", "乙"]
    assert [r.word for r in compare_counts(focus, {"的": 1000, "丙": 1}, sort="log_ratio")] == ["丙", "乙", "甲"]  # 40/1 = 20/0.5


def test_words_restrict_the_rows_but_not_the_totals():
    focus = {"新词": 30, "热词": 30, "的": 940}
    reference = {"新词": 1, "热词": 1, "的": 998}
    rows = compare_counts(focus, reference, words=["新词"])
    assert [r.word for r in rows] == ["新词"]
    assert rows[0] == compare_counts(focus, reference)[0]  # same totals, same values


def test_tables_on_disk_compressed_or_not(tmp_path):
    wordmine.write_counts({"新词": 30, "的": 70}, str(tmp_path / "focus.tsv"))
    with gzip.open(tmp_path / "reference.tsv.gz", "wt", encoding="utf-8") as f:
        f.write("word\tcount\n新词\t1\n的\t99\n")
    from_files = compare_counts(str(tmp_path / "focus.tsv"), str(tmp_path / "reference.tsv.gz"))
    assert from_files == compare_counts({"新词": 30, "的": 70}, {"新词": 1, "的": 99})
    assert [r.word for r in from_files] == ["新词"]


def test_an_empty_table_compares_as_nothing(caplog):
    with caplog.at_level(logging.WARNING):
        assert compare_counts({}, {"的": 3}) == []
    assert "FOCUS has no words" in caplog.text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_count": 0}, "min_count"),
        ({"min_g2": -1}, "min_g2"),
        ({"min_g2": float("nan")}, "min_g2"),
        ({"smoothing": 0}, "smoothing"),
        ({"max_reference": -1}, "max_reference"),
        ({"sort": "chi2"}, "sort must be one of"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_counts({"a": 1}, {"a": 1}, **kwargs)


def test_keyness_is_vectorised():
    import numpy as np

    g2, log_ratio, simple_maths = keyness(np.array([52, 0, 10]), np.array([57, 5, 0]), 50000, 75000)
    assert g2.shape == log_ratio.shape == simple_maths.shape == (3,)
    assert [hand_g2(a, b, 50000, 75000) for a, b in [(52, 57), (0, 5), (10, 0)]] == pytest.approx(g2.tolist())


# --- inputs ------------------------------------------------------------------------------------


def test_load_counts_reads_a_table_and_counts_a_corpus(tmp_path, tiny_corpus):
    wordmine.write_counts({"新词": 2}, str(tmp_path / "w.tsv"))
    assert load_counts(str(tmp_path / "w.tsv")) == {"新词": 2}
    counted = load_counts(str(tiny_corpus), jobs=1)
    assert counted == wordmine.count_words([str(tiny_corpus)], jobs=1)
    assert counted["新词"] == 2


def test_load_counts_adds_the_words_to_jieba_when_counting(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("星澜科技发布新品。\n星澜科技今天上市。\n", encoding="utf-8")
    assert "星澜科技" not in load_counts(str(corpus), jobs=1)  # jieba splits the name
    assert load_counts(str(corpus), jobs=1, words=["星澜科技"])["星澜科技"] == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("新词\t2\n", "looks like a word-count table without its header row"),
        ("ngram\tcount\n新词\t2\n", "this is an n-gram table"),
        ("word\tfocus_count\treference_count\n", "not a word-count table or a corpus"),
    ],
)
def test_load_counts_refuses_tables_it_would_count_as_text(tmp_path, text, message):
    path = tmp_path / "t.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        load_counts(str(path))


def test_read_word_list_reads_lists_tables_and_dictionaries(tmp_path):
    (tmp_path / "a.txt").write_text("星澜科技\n\n澜思\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("word\tcount\tcohesion\n星澜科技\t35\t8.1\n", encoding="utf-8")
    (tmp_path / "c.dict").write_text("星澜科技 35 nz\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text("星澜科技\n", encoding="utf-8")
    assert read_word_list(str(tmp_path / "a.txt")) == ["星澜科技", "澜思"]
    assert read_word_list(str(tmp_path / "b.tsv")) == read_word_list(str(tmp_path / "c.dict")) == ["星澜科技"]
    (tmp_path / "bad.txt").write_bytes("新词\n".encode("gbk"))
    with pytest.raises(FormatError, match="bad.txt: not valid UTF-8"):
        read_word_list(str(tmp_path / "bad.txt"))
