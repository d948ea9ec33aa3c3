"""Word counts equal a direct single-process jieba count; -j, merge and options behave."""

from __future__ import annotations

from collections import Counter

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE, TINY_TEXT
from wordmine import count_words, merge_counts, normalize, write_counts
from wordmine.errors import FormatError

_DIRECT = jieba.Tokenizer()


def direct_count(text: str, hmm: bool = True) -> Counter:
    """The naive reference: jieba line by line, keep tokens with a letter or digit."""
    counts: Counter = Counter()
    for line in text.splitlines():
        for w in _DIRECT.cut(normalize(line), HMM=hmm):
            if any(ch.isalnum() for ch in w):
                counts[w] += 1
    return counts


def sample_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))


def test_tiny_corpus_exact_counts(tiny_corpus):
    counts = count_words([str(tiny_corpus)], jobs=1)
    assert counts["新词"] == 2
    assert counts["2024"] == 0 and counts["N"] == 1  # normalised: Ｎ -> N, 二○二四 -> 二〇二四
    assert "，" not in counts and "," not in counts and "！" not in counts
    assert counts == direct_count(TINY_TEXT)


@pytest.mark.parametrize("jobs", [1, 2])
def test_sample_equals_direct_jieba_count(jobs):
    assert count_words([str(SAMPLE)], jobs=jobs, batch_bytes=16 * 1024) == direct_count(sample_text())


def test_sample_without_hmm(tmp_path):
    assert count_words([str(SAMPLE)], jobs=1, hmm=False) == direct_count(sample_text(), hmm=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.sampled_from(list("我们发现新词语料统计中文分词工具，。！ＡＩ12 ○")), max_size=40), max_size=8))
def test_generated_text_equals_direct_count(tmp_path, lines):
    text = "\n".join(lines) + "\n"
    path = tmp_path / "g.txt"
    path.write_text(text, encoding="utf-8")
    assert count_words([str(path)], jobs=1, batch_bytes=16) == direct_count(text)


def test_jobs_1_and_2_write_identical_bytes(tmp_path):
    out1, out2 = tmp_path / "1.tsv", tmp_path / "2.tsv"
    write_counts(count_words([str(SAMPLE)], jobs=1), str(out1))
    write_counts(count_words([str(SAMPLE)], jobs=2, batch_bytes=8 * 1024), str(out2))
    assert out1.read_bytes() == out2.read_bytes()


def test_merge_is_associative_and_equals_counting_the_concatenation(tmp_path):
    files = sorted(SAMPLE.glob("*.txt"))[:3]
    a, b, c = (count_words([str(f)], jobs=1) for f in files)
    for name, counts in zip("abc", (a, b, c)):
        write_counts(counts, str(tmp_path / f"{name}.tsv"))
    left = merge_counts([merge_counts([tmp_path / "a.tsv", str(tmp_path / "b.tsv")]), c])
    right = merge_counts([a, merge_counts([tmp_path / "b.tsv", tmp_path / "c.tsv"])])
    assert left == right == count_words([str(f) for f in files], jobs=1)


def test_min_count_and_top():
    full = count_words([str(SAMPLE)], jobs=1)
    pruned = count_words([str(SAMPLE)], jobs=1, min_count=5)
    assert pruned == Counter({w: c for w, c in full.items() if c >= 5})
    top = count_words([str(SAMPLE)], jobs=1, top=10)
    assert list(top.items()) == sorted(full.items(), key=lambda x: (-x[1], x[0]))[:10]


def test_keep_punct_keeps_punctuation_but_never_whitespace(tiny_corpus):
    counts = count_words([str(tiny_corpus)], jobs=1, keep_punct=True)
    assert counts["!"] == 1 and counts["。"] == 2 and counts[","] == 2
    assert not any(w.isspace() for w in counts)


def test_userdict_changes_tokens(tmp_path, tiny_corpus):
    plain = count_words([str(tiny_corpus)], jobs=1, hmm=False)
    assert plain["信息处理"] == 0
    userdict = tmp_path / "user.dict"
    userdict.write_text("信息处理 100000 n\n", encoding="utf-8")
    assert count_words([str(tiny_corpus)], jobs=2, hmm=False, userdict=str(userdict))["信息处理"] == 1


def test_bad_userdict_names_the_line(tmp_path, tiny_corpus):
    userdict = tmp_path / "user.dict"
    userdict.write_text("好词 3\n坏词\t3\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"user.dict:2: not a jieba user-dictionary line"):
        count_words([str(tiny_corpus)], userdict=str(userdict))


@pytest.mark.parametrize("hmm", [True, False])
def test_block_cutter_gives_jieba_tokens_on_the_sample(hmm):
    from wordmine.tokenizer import BlockCutter, make_tokenizer

    tk = make_tokenizer([("星澜科技", 50, None), ("澜思", 3, None)])
    text = normalize(sample_text())
    assert BlockCutter(tk, hmm=hmm)(text) == list(tk.cut(text, HMM=hmm))


@pytest.fixture(scope="module")
def cutters():
    from wordmine.tokenizer import BlockCutter, make_tokenizer

    tk = make_tokenizer()
    return tk, {hmm: BlockCutter(tk, hmm=hmm) for hmm in (True, False)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.sampled_from(list("我们发现新词语料统计中文分词工具的了是在和一二三abcXY12.%+-_#&，。 \t\r\n〇㐀")), max_size=60), st.booleans())
def test_block_cutter_gives_jieba_tokens_on_generated_text(cutters, text, hmm):
    tk, cut = cutters
    assert cut[hmm](text) == list(tk.cut(text, HMM=hmm))


def test_bad_arguments_raise_clear_errors(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("新词发现\n", encoding="utf-8")
    assert count_words(str(corpus), jobs=1) == count_words([str(corpus)], jobs=1)  # one path, not its characters
    with pytest.raises(ValueError, match="top must be at least 0"):
        count_words([str(corpus)], jobs=1, top=-1)
    with pytest.raises(ValueError, match="errors must be one of strict, replace, ignore"):
        count_words([str(corpus)], jobs=1, errors="bogus")


def test_tokenizer_loads_jiebas_own_prefix_cache_and_rebuilds_a_stale_one(tmp_path, monkeypatch):
    """make_tokenizer reads jieba's cache itself (faster): the same dictionary as jieba's
    initialize, for the default and for a custom dictionary, and a cache older than its
    dictionary is not used."""
    import os

    from wordmine import tokenizer as tok

    def same_as_jieba(loaded, dictionary=None):
        reference = jieba.Tokenizer(dictionary) if dictionary else jieba.Tokenizer()
        reference.tmp_dir = tok.cache_dir()
        reference.initialize()
        return loaded.FREQ == reference.FREQ and loaded.total == reference.total

    tok._cached_tokenizer.cache_clear()
    try:
        tok.make_tokenizer()  # makes sure the user's cache of jieba's dictionary exists
        tok._cached_tokenizer.cache_clear()
        assert same_as_jieba(tok.make_tokenizer())
        monkeypatch.setattr(tok, "cache_dir", lambda: str(tmp_path))
        custom = tmp_path / "dict.txt"
        custom.write_text("新词 5 n\n发现 3 v\n", encoding="utf-8")
        tok._cached_tokenizer.cache_clear()
        built = tok.make_tokenizer(dictionary=str(custom))  # no cache yet: jieba builds one
        (cache,) = tmp_path.glob("jieba.u*.cache")
        tok._cached_tokenizer.cache_clear()
        loaded = tok.make_tokenizer(dictionary=str(custom))  # read by wordmine
        assert loaded is not built and loaded.FREQ == built.FREQ and same_as_jieba(loaded, str(custom))
        custom.write_text("新词 5 n\n发现 3 v\n挖掘 7 v\n", encoding="utf-8")
        later = os.path.getmtime(cache) + 10
        os.utime(custom, (later, later))
        tok._cached_tokenizer.cache_clear()
        assert tok.make_tokenizer(dictionary=str(custom)).FREQ["挖掘"] == 7
    finally:
        tok._cached_tokenizer.cache_clear()
