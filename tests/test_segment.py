"""Segmentation with a vocabulary: exact tokens, line structure, original characters, -j; vocabularies."""

from __future__ import annotations

import itertools
import os

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from wordmine.corpus import normalize, units
from wordmine.errors import FormatError, InputError
from wordmine.files import cache_dir
from wordmine.formats import read_vocabulary
from wordmine.segment import SegmentStats, segment_corpus, segment_text

PLANTED = [("星澜科技", 35), ("澜思", 30), ("曜石芯", 20), ("发布", 10), ("芯片", 8)]


def segment_file(tmp_path, data: bytes, **kwargs) -> bytes:
    """Segment one input file holding ``data``; the output file's bytes."""
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_bytes(data)
    segment_corpus([str(src)], str(out), **{"jobs": 1, **kwargs})
    return out.read_bytes()


def test_replace_mode_uses_only_the_vocabulary():
    # 曜石 is in no vocabulary entry: its characters come out one by one, as jieba does.
    text = "星澜科技发布曜石芯片。"
    assert segment_text(text, vocabulary=PLANTED[:1] + PLANTED[3:]) == "星澜科技 发布 曜 石 芯片 。"
    assert segment_text(text, vocabulary=PLANTED) == "星澜科技 发布 曜石芯 片 。"


def test_add_mode_adds_words_and_keeps_jiebas():
    text = "星澜科技发布了新的曜石芯片，澜思大模型"
    assert jieba.lcut(text, HMM=False)[:3] == ["星", "澜", "科技"]
    vocabulary = [("星澜科技", 35), ("曜石芯", 20), ("澜思", 30)]
    assert segment_text(text, vocabulary=vocabulary, mode="add").split(" ") == [
        "星澜科技", "发布", "了", "新", "的", "曜石芯", "片", "，", "澜思", "大", "模型",
    ]


def test_add_mode_leaves_words_jieba_knows_as_they_are(tmp_path):
    # Known words keep jieba's frequencies (and total): the output is plain jieba's.
    text = "我们发现新词。二〇二四年，结巴分词统计词频！\n"
    known = [("的", 1), ("新词", 1), ("分词", 99999999)]
    expected = " ".join(t for t in jieba.cut(text.rstrip("\n"), HMM=False) if not t.isspace()) + "\n"
    assert segment_file(tmp_path, text.encode(), vocabulary=known, mode="add").decode() == expected
    assert segment_file(tmp_path, text.encode(), vocabulary=[], mode="add").decode() == expected


def test_replace_mode_equals_jieba_with_that_dictionary(tmp_path):
    # The reference: a jieba.Tokenizer on a dictionary file of the vocabulary, line by line.
    words = {}
    for path in sorted(SAMPLE.glob("*.txt")):
        for token in jieba.cut(normalize(path.read_text(encoding="utf-8")), HMM=False):
            if len(token) > 1 and token.strip():
                words[token] = words.get(token, 0) + 1
    vocabulary = sorted(words.items(), key=lambda x: (-x[1], x[0]))[:2000] + PLANTED
    dict_path = tmp_path / "v.dict"
    first = {}  # a repeated word keeps its first count, as segment_corpus does
    for word, count in vocabulary:
        first.setdefault(word, count)
    dict_path.write_text("".join(f"{w} {c}\n" for w, c in first.items()), encoding="utf-8")
    reference = jieba.Tokenizer(str(dict_path))
    reference.tmp_dir = str(tmp_path)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))
    lines = text.split("\n")[:-1]
    out = tmp_path / "out.txt"
    stats = segment_corpus([str(SAMPLE)], str(out), vocabulary=vocabulary, jobs=1)
    got = normalize(out.read_text(encoding="utf-8")).split("\n")[:-1]  # the output keeps "，" as it is
    assert len(got) == len(lines) and stats.lines == len(lines)
    # Lines whose units are all single characters are cut as jieba cuts them; the others are cut
    # by units, and a dash —— or ellipsis …… is one mark (both tested below).
    plain = [i for i, line in enumerate(lines) if all(len(u) == 1 for u in units(normalize(line))) and "——" not in line and "……" not in line]
    assert len(plain) > len(lines) / 2
    for i in plain:
        assert got[i] == " ".join(t for t in reference.cut(normalize(lines[i]), HMM=False) if not t.isspace())


@pytest.mark.parametrize("mode, hmm", [("replace", False), ("add", False), ("add", True)])
def test_latin_words_and_numbers_are_never_split(mode, hmm):
    # A dictionary that holds pieces of units (lo, ck, 99, 00) cannot cut them.
    vocabulary = [("lo", 50), ("ck", 50), ("icen", 50), ("99", 50), ("00", 50), ("A股", 3), ("2000年", 4), ("售价", 2)]
    text = "lock和license，iPhone15售价5,999元，涨了3.5%，A股2000年1月，1,2"
    tokens = segment_text(text, vocabulary=vocabulary, mode=mode, hmm=hmm).split(" ")
    unit_list = units(normalize(text))
    assert "".join(tokens) == text
    # every token is a run of whole units (or punctuation)
    ends = set(itertools.accumulate(len(u) if u in unit_list else 1 for u in _pieces(text, unit_list)))
    assert set(itertools.accumulate(map(len, tokens))) <= ends
    for word in ["lock", "license", "5,999", "3.5%"]:
        assert word in tokens
    if mode == "replace":
        assert "A股" in tokens and "2000年" in tokens and "iPhone15" in tokens


def _pieces(text: str, unit_list: list[str]) -> list[str]:
    """The text as its units and the characters between them, in order."""
    pieces, rest = [], text
    for unit in unit_list:
        at = rest.index(unit)
        pieces += list(rest[:at]) + [unit]
        rest = rest[at + len(unit) :]
    return pieces + list(rest)


def test_line_structure_is_kept(tmp_path):
    data = "星澜科技\r\n\r\n  \t\r\n，。\r\n澜思　发布\r\r\nno end".encode()
    out = segment_file(tmp_path, data, vocabulary=PLANTED).decode()
    # A lone "\r" is whitespace inside the line; jieba keeps runs of ASCII letters whole.
    assert out == "星澜科技\n\n\n， 。\n澜思 发布\nno end\n"
    assert out.count("\n") == data.count(b"\n") + 1  # + the missing final line end


def test_original_full_width_characters_are_kept(tmp_path):
    # Cut as 1998 and AI芯片 (normalised), written as in the input, so it scores against the gold.
    line = "１９９８年，ＡＩ芯片（Ｃ＋＋）"  # (C++: C is one unit, + and + characters)
    vocabulary = [("1998", 3), ("AI芯片", 3), ("C++", 2)]
    out = segment_file(tmp_path, line.encode(), vocabulary=vocabulary).decode()
    assert out == "１９９８ 年 ， ＡＩ芯片 （ Ｃ＋＋ ）\n"
    assert segment_text(line, vocabulary=vocabulary, mode="add") == out.rstrip("\n")


def test_words_outside_jiebas_character_class_are_cut_whole():
    # jieba's own blocks hold U+4E00..U+9FD5, ASCII letters and digits only; segment cuts the
    # runs of all letters and digits, so a word with 〇 (U+3007, or ○ before normalising) or
    # an Extension A character can be one token.
    vocabulary = [("二〇〇一年", 3), ("年", 1), ("㐀㐁", 2)]
    assert segment_text("二○○一年，二〇〇一年㐀㐁", vocabulary=vocabulary) == "二○○一年 ， 二〇〇一年 㐀㐁"


def test_vocabulary_words_are_normalised():
    vocabulary = [("ＡＩ芯片", 3), ("很", 1)]
    assert segment_text("ＡＩ芯片很热", vocabulary=vocabulary) == "ＡＩ芯片 很 热"


@pytest.mark.parametrize("mode", ["replace", "add"])
def test_jobs_1_and_2_write_identical_bytes(tmp_path, mode):
    out1, out2 = tmp_path / "1.txt", tmp_path / "2.txt"
    cache = set(os.listdir(cache_dir()))
    s1 = segment_corpus([str(SAMPLE)], str(out1), vocabulary=PLANTED, mode=mode, jobs=1)
    s2 = segment_corpus([str(SAMPLE)], str(out2), vocabulary=PLANTED, mode=mode, jobs=2, batch_bytes=4 * 1024)
    assert out1.read_bytes() == out2.read_bytes()
    assert s1 == s2
    assert set(os.listdir(cache_dir())) <= cache | {"jieba.cache"}  # no cache of a temporary dictionary


@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_longer_than_a_batch(tmp_path, jobs):
    # read_batches cuts such lines at punctuation or spaces, so a line spans several batches.
    line = "星澜科技发布曜石芯片，澜思 也是。" * 50
    data = ("短句\n" + line + "\n\n" + line + "  \n").encode()
    whole = segment_file(tmp_path, data, vocabulary=PLANTED)
    assert segment_file(tmp_path, data, vocabulary=PLANTED, jobs=jobs, batch_bytes=64) == whole
    assert whole.count(b"\n") == 4 and b"  " not in whole and b" \n" not in whole


def test_stdout_and_several_inputs(tmp_path, capsysbinary):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("星澜科技", encoding="utf-8")
    b.write_text("\n澜思\n", encoding="utf-8")
    assert segment_corpus([str(a), str(b)], "-", vocabulary=PLANTED, jobs=1) == SegmentStats(3, 2)
    assert capsysbinary.readouterr().out == "星澜科技\n\n澜思\n".encode()


def test_no_jieba_cache_is_left_behind(tmp_path):
    before = set(os.listdir(cache_dir()))
    segment_file(tmp_path, "星澜科技".encode(), vocabulary=PLANTED)
    assert set(os.listdir(cache_dir())) == before


def test_bad_vocabularies_and_modes(tmp_path):
    with pytest.raises(InputError, match="the vocabulary is empty"):
        segment_text("星澜", vocabulary=[])
    with pytest.raises(ValueError, match="mode must be one of replace, add, not 'both'"):
        segment_text("星澜", vocabulary=PLANTED, mode="both")
    with pytest.raises(ValueError, match="contains whitespace"):
        segment_text("星澜", vocabulary=[("星 澜", 1)])
    with pytest.raises(ValueError, match="not a non-negative integer"):
        segment_text("星澜", vocabulary=[("星澜", -1)])
    with pytest.raises(InputError, match="no such file"):
        segment_corpus([str(tmp_path / "missing.txt")], vocabulary=PLANTED)


# Words, full-width forms, jieba's in-word symbols, punctuation and every kind of whitespace
# (including what str.splitlines takes for a line end).
LINE_CHARS = list("星澜科技发布曜石芯片澜思我们的了一二三〇○ＡＩ１２abc12.%+-_#&，。！（）")
LINE_CHARS += list(" \t\r\u3000\x0b\x0c\x1c\x85\u2028")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("mode", ["replace", "add"])  # one mode at a time: its tokenizer is reused
@given(st.lists(st.text(st.sampled_from(LINE_CHARS), max_size=30), min_size=1, max_size=6))
def test_output_tokens_give_back_the_input_lines(tmp_path, mode, lines):
    # What a scorer relies on: one line per line, tokens split by one space, and the tokens of a
    # line joined together are the line itself without its whitespace, character for character.
    text = "\n".join(lines) + "\n"
    out = segment_file(tmp_path, text.encode(), vocabulary=PLANTED, mode=mode, batch_bytes=16).decode()
    out_lines = out.split("\n")
    assert out_lines.pop() == ""
    assert len(out_lines) == len(lines)
    for line, segmented in zip(lines, out_lines):
        assert segmented.replace(" ", "") == "".join(ch for ch in line if not ch.isspace())
        if segmented:
            assert all(token and not any(ch.isspace() for ch in token) for token in segmented.split(" "))


# --- read_vocabulary -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "word\tcount\n星澜科技\t35\n澜思\t30\n\n曜石芯\t20\n",  # wordmine count
        "word\tcount\tcohesion\tleft_entropy\tright_entropy\tjieba_lift\tkind\n"  # discovery
        "星澜科技\t35\t812.5\t2.1\t2.3\t9\tnew\n"
        "澜思\t30\t95.2\t1.5\t1.9\t8\tnew\n曜石芯\t20\t40\t1\t1\t\tnew\n",
        "\ufeff星澜科技\t35\n澜思\t30\n曜石芯\t20\n",  # --no-header, with a BOM
        "\n星澜科技 35 nz\r\n澜思 30\n曜石芯 20 n\n",  # jieba dictionary
    ],
    ids=["counts", "discovery", "no-header", "jieba"],
)
def test_read_vocabulary_formats(tmp_path, content):
    path = tmp_path / "vocabulary"
    path.write_text(content, encoding="utf-8")
    assert read_vocabulary(str(path)) == [("星澜科技", 35), ("澜思", 30), ("曜石芯", 20)]
    assert read_vocabulary(str(path), top=2) == [("星澜科技", 35), ("澜思", 30)]
    assert read_vocabulary(str(path), top=0) == []


@pytest.mark.parametrize("format", ["tsv", "jieba"])
def test_read_vocabulary_reads_discovered_word_tables(tmp_path, format):
    from wordmine.discover import Word
    from wordmine.formats import write_words

    words = [Word("星澜科技", 35, 6.85, 1.4, 2.95, 9.0, "new"), Word("澜思", 30, float("nan"), 1.0, 0.5, 8.0, "new")]
    write_words(words, str(tmp_path / "words"), format=format)
    assert read_vocabulary(str(tmp_path / "words")) == [("星澜科技", 35), ("澜思", 30)]


def test_read_vocabulary_reads_jiebas_own_dictionary():
    with jieba.Tokenizer().get_dict_file() as f:
        path = f.name
    entries = read_vocabulary(path)
    assert len(entries) > 300000 and entries[0] == ("AT&T", 3)


@pytest.mark.parametrize(
    "content, message",
    [
        ("word\tcount\n星澜\tmany\n", r"v:2: count 'many' is not a non-negative integer"),
        ("word\tcount\n星澜\t3.5\n", r"v:2: count '3.5' is not a non-negative integer"),
        ("星澜\t3\n星 澜\t3\n", r"v:2: word '星 澜' contains whitespace"),
        ("星澜\t3\n\t3\n", r"v:2: empty word"),
        ("word\tcount\tcohesion\n星澜\t3\n", r"v:2: expected 3 tab-separated fields, as in the header"),
        ("星澜\t3\n星澜\n", r"v:2: expected at least 2 tab-separated fields"),
        ("星澜 3\n星澜 3.5\n", r"v:2: count '3.5' is not a non-negative integer"),
        ("星澜 3\n星澜\n", r"v:2: not a jieba dictionary line '星澜'; expected 'word freq \[tag\]'"),
        ("星澜 3\nNew York 3\n", r"v:2: not a jieba dictionary line"),
        ("星澜 3 NZ\n", r"v:1: not a jieba dictionary line"),
        ("星澜 3\n星\u3000澜 3\n", r"v:2: word '星\\u3000澜' contains whitespace"),
        ("ngram\tcount\n星澜\t3\n", r"v: this is an n-gram table"),
    ],
)
def test_read_vocabulary_errors_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "v"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_vocabulary(str(path))


def test_read_vocabulary_refuses_binary_and_missing_files(tmp_path):
    (tmp_path / "g.npz").write_bytes(b"PK\x03\x04\xff")
    with pytest.raises(FormatError, match="g.npz: this is an n-gram table"):
        read_vocabulary(str(tmp_path / "g.npz"))
    (tmp_path / "gbk.txt").write_bytes("星澜 3\n".encode("gb18030"))
    with pytest.raises(FormatError, match="gbk.txt: not valid UTF-8"):
        read_vocabulary(str(tmp_path / "gbk.txt"))
    with pytest.raises(FormatError, match="missing.tsv: no such file"):
        read_vocabulary(str(tmp_path / "missing.tsv"))


def test_a_dash_or_an_ellipsis_is_one_mark():
    vocabulary = [("我们", 3)]
    assert segment_text("他说——我们来了……好。—x——", vocabulary=vocabulary) == "他 说 —— 我们 来 了 …… 好 。 — x ——"
    assert segment_text("——\n——", vocabulary=vocabulary) == "——\n——"  # not across a line end
