"""wordmine.kwic: every occurrence found (inside words, overlapping), file and line, contexts cut
at the width and the line, the per-word cap and the documented choice of examples, -j 1 == -j 2."""

from __future__ import annotations

import io
import random

import pytest

import wordmine
from wordmine.corpus import normalize
from wordmine.kwic import Context, WordMatcher, check_words, keywords_in_context, keywords_in_context_of_text, write_kwic


def shown(found):
    return {word: [(c.left, c.match, c.right, c.file, c.line) for c in cs] for word, cs in found.items()}


def test_a_word_inside_another_and_overlapping_matches_are_found():
    found = keywords_in_context_of_text("新词发现\n哈哈哈\n", ["新词发现", "新词", "发现", "哈哈"], width=2)
    assert shown(found) == {
        "新词发现": [("", "新词发现", "", "-", 1)],
        "新词": [("", "新词", "发现", "-", 1)],
        "发现": [("新词", "发现", "", "-", 1)],
        "哈哈": [("", "哈哈", "哈", "-", 2), ("哈", "哈哈", "", "-", 2)],
    }


def test_a_match_never_cuts_a_latin_word_or_a_number():
    text = "AI芯片和MAIL，2015年和15日，5G网络\n"
    found = keywords_in_context_of_text(text, ["AI", "15", "G", "5"], width=3)
    assert shown(found) == {
        "AI": [("", "AI", "芯片和", "-", 1)],
        "15": [("5年和", "15", "日，5", "-", 1)],
        "G": [("日，5", "G", "网络", "-", 1)],
        "5": [("5日，", "5", "G网络", "-", 1)],
    }


def test_contexts_show_the_text_as_written_cut_at_the_width_and_the_line(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes("第一行没有\r\n一二三四五ＡＩ芯片六七八九十\r\n\t我们的ＡＩ\x0b很好\n".encode())
    found = keywords_in_context([str(path)], ["ＡＩ"], width=4, jobs=1)
    assert shown(found) == {
        "AI": [("二三四五", "ＡＩ", "芯片六七", str(path), 2), (" 我们的", "ＡＩ", " 很好", str(path), 3)],
    }


def test_files_and_lines_over_several_files_and_batches(tmp_path):
    (tmp_path / "a.txt").write_text("星澜\n\n星澜科技\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("无\n" * 50 + "新的星澜\n", encoding="utf-8")
    for batch_bytes in (8, 1 << 16):
        found = keywords_in_context([str(tmp_path)], ["星澜"], width=2, batch_bytes=batch_bytes, jobs=1, pick="first")
        assert [(c.file.rsplit("/", 1)[1], c.line, c.left, c.right) for c in found["星澜"]] == [
            ("a.txt", 1, "", ""), ("a.txt", 3, "", "科技"), ("b.txt", 51, "新的", ""),
        ]


def splitmix64(x: int) -> int:
    """The documented hash of a position, in plain Python (mod 2**64)."""
    mask = (1 << 64) - 1
    z = (x + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def reference(files: list[str], texts: list[str], words: list[str], width: int, per_word: int, pick: str):
    """Brute force: every occurrence by str.find, chosen by the documented keys."""
    result = {}
    for word in words:
        hits = []
        for index, (name, text) in enumerate(zip(files, texts)):
            start = text.find(word)
            while start >= 0:
                hits.append((index, start, name, text))
                start = text.find(word, start + 1)
        key = (lambda h: (h[0] << 40) | h[1]) if pick == "first" else (lambda h: (splitmix64((h[0] << 40) | h[1]), (h[0] << 40) | h[1]))
        chosen = sorted(sorted(hits, key=key)[:per_word], key=lambda h: (h[0], h[1]))
        rows = []
        for index, start, name, text in chosen:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            end = start + len(word)
            rows.append(Context(word, text[max(line_start, start - width):start], word, text[end:min(line_end, end + width)],
                                name, text.count("\n", 0, start) + 1))
        result[word] = rows
    return result


@pytest.fixture
def random_corpus(tmp_path):
    rng = random.Random(13)
    alphabet = "新词发现星澜科技的了是在和"
    texts = []
    for i in range(3):
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(120)]
        texts.append("\n".join(lines) + "\n")
        (tmp_path / f"{i}.txt").write_text(texts[-1], encoding="utf-8")
    files = [str(tmp_path / f"{i}.txt") for i in range(3)]
    words = ["新词", "星澜科技", "的", "词发", "了是在", "和和", "澜"]
    return files, texts, words


@pytest.mark.parametrize("pick", ["spread", "first"])
def test_the_choice_is_the_documented_one_and_the_same_whatever_jobs_and_batches(random_corpus, pick):
    files, texts, words = random_corpus
    expected = reference(files, texts, words, width=5, per_word=3, pick=pick)
    one = keywords_in_context(files, words, width=5, per_word=3, pick=pick, jobs=1)
    assert one == expected
    assert keywords_in_context(files, words, width=5, per_word=3, pick=pick, jobs=2, batch_bytes=512) == one


def test_spread_examples_come_from_the_whole_corpus_and_do_not_depend_on_the_other_words(random_corpus):
    files, texts, words = random_corpus
    spread = keywords_in_context(files, ["的"], per_word=5, jobs=1)["的"]
    first = keywords_in_context(files, ["的"], per_word=5, jobs=1, pick="first")["的"]
    assert {c.file for c in first} == {files[0]} and len({c.file for c in spread}) > 1
    assert keywords_in_context(files, words, per_word=5, jobs=1)["的"] == spread


def test_words_are_normalised_and_counted_once_and_a_missing_word_has_no_context():
    found = keywords_in_context_of_text("ＡＩ和AI\n", ["AI", "ＡＩ", "没有"], per_word=5, width=1)
    assert list(found) == ["AI", "没有"]
    assert [(c.left, c.match, c.right) for c in found["AI"]] == [("", "ＡＩ", "和"), ("和", "AI", "")]
    assert found["没有"] == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="not empty and holds no line end"):
        check_words(["新词", ""])
    with pytest.raises(ValueError, match="width must be at least 1"):
        keywords_in_context_of_text("x", ["x"], width=0)
    with pytest.raises(ValueError, match="per_word must be at least 1"):
        keywords_in_context_of_text("x", ["x"], per_word=0)
    with pytest.raises(ValueError, match="pick must be one of spread, first"):
        keywords_in_context_of_text("x", ["x"], pick="random")
    assert keywords_in_context(["/nonexistent"], []) == {}


def test_an_undecodable_input_names_file_and_line(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("好的\n".encode() + "新词".encode("gbk") + b"\n")
    with pytest.raises(wordmine.InputError, match=r"gbk.txt:2: not valid UTF-8"):
        keywords_in_context([str(path)], ["新词"], jobs=1)


def test_write_kwic_tsv_and_text():
    found = keywords_in_context_of_text("我们发现新词\n新词很多\n", ["新词", "我们"], width=4, pick="first")
    out = io.StringIO()
    write_kwic(found, out)
    assert out.getvalue() == (
        "word\tleft\tmatch\tright\tfile\tline\n"
        "新词\t我们发现\t新词\t\t-\t1\n"
        "新词\t\t新词\t很多\t-\t2\n"
        "我们\t\t我们\t发现新词\t-\t1\n"
    )
    out = io.StringIO()
    write_kwic([c for cs in found.values() for c in cs], out, format="text")
    assert out.getvalue().splitlines() == [
        "-:1  我们发现 新词",
        "-:2           新词 很多",
        "-:1           我们 发现新词",
    ]


def test_the_matcher_finds_every_occurrence_of_many_words():
    rng = random.Random(3)
    words = sorted({"".join(rng.choice("甲乙丙丁") for _ in range(rng.randrange(1, 4))) for _ in range(40)})
    text = "".join(rng.choice("甲乙丙丁，") for _ in range(2000))
    starts, ends, ids = WordMatcher(words).find(text)
    got = sorted(zip(starts.tolist(), ends.tolist(), ids.tolist()))
    expected = sorted((i, i + len(w), k) for k, w in enumerate(words) for i in range(len(text)) if text.startswith(w, i))
    assert got == expected


def test_the_library_is_exported():
    assert wordmine.keywords_in_context is keywords_in_context and wordmine.write_kwic is write_kwic
    assert normalize("ＡＩ") == "AI"
