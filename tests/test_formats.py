"""Count tables and jieba user dictionaries: round trips and refusals."""

from __future__ import annotations

import io
from collections import Counter

import jieba
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wordmine.errors import FormatError
from wordmine.formats import WORD_TABLE, read_counts, read_userdict, write_counts

# Words as wordmine writes them: no whitespace of any kind, not empty.
WORDS = st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Zs"), blacklist_characters="\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85"), min_size=1, max_size=8)


@given(st.dictionaries(WORDS, st.integers(0, 10**12), max_size=30), st.booleans())
def test_write_read_round_trip(tmp_path_factory, counts, header):
    path = tmp_path_factory.mktemp("rt") / "c.tsv"
    write_counts(Counter(counts), str(path), header=header)
    assert read_counts(str(path)) == Counter(counts)


@pytest.mark.parametrize("word", ["", "新 词", "新\t词", "a\nb", "\u3000"])
def test_a_word_no_table_can_hold_is_refused_both_ways(tmp_path, word):
    with pytest.raises(ValueError, match="is empty or holds whitespace"):
        write_counts({"好": 1, word: 2}, io.StringIO())
    path = tmp_path / "w.tsv"
    path.write_text(f"word\tcount\n{word}\t2\n", encoding="utf-8")
    if "\t" in word or "\n" in word:
        return  # a row of another width, or two rows: refused or read as such
    with pytest.raises(FormatError, match=r"w.tsv:2: word .* is empty or holds whitespace"):
        read_counts(str(path))


def test_written_order_is_count_then_code_point():
    out = io.StringIO()
    write_counts({"乙": 2, "甲": 2, "a": 1, "丙": 9}, out, header=False)
    assert out.getvalue() == "丙\t9\n乙\t2\n甲\t2\na\t1\n"


@pytest.mark.parametrize(
    "content, message",
    [
        ("ngram\tcount\n新词\t3\n", "this is an n-gram table"),
        ("word\tcount\n新词\t3\t4\n", r":2: expected 2 tab-separated fields"),
        ("word\tcount\n新词\tthree\n", r":2: count 'three' is not a non-negative integer"),
        ("新词\t-3\n", r":1: count '-3' is not a non-negative integer"),
        ("word\tcount\tcohesion\n", r":1: expected 2 tab-separated fields"),
    ],
)
def test_bad_tables_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_counts(str(path))


def test_binary_table_is_refused(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(FormatError, match=r"x.npz: this is an n-gram table"):
        read_counts(str(path))


def test_userdict_entries_load_in_jieba(tmp_path):
    path = tmp_path / "user.dict"
    path.write_text("\ufeff星澜科技 30 nz\n曜石芯\n\n端侧推理 5\n", encoding="utf-8")
    entries = read_userdict(str(path))
    assert entries == [("星澜科技", 30, "nz"), ("曜石芯", None, None), ("端侧推理", 5, None)]
    tk = jieba.Tokenizer()
    with open(path, "rb") as f:  # given a path, jieba leaves the file open
        tk.load_userdict(f)
    assert tk.lcut("星澜科技发布曜石芯", HMM=False) == ["星澜科技", "发布", "曜石芯"]


@pytest.mark.parametrize("line", ["词\t3", "词 3.5", "词 3 NZ", "两个 词 3"])
def test_userdict_lines_jieba_would_misread_are_refused(tmp_path, line):
    path = tmp_path / "user.dict"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"user.dict:1: not a jieba user-dictionary line"):
        read_userdict(str(path))


def test_discovered_words_round_trip_and_bad_tables(tmp_path):
    import math

    from wordmine.discover import Word
    from wordmine.formats import read_words, write_words

    words = [Word("星澜科技", 35, 6.85469, 1.4, 2.95, 9.5, "new"), Word("的", 900, math.nan, math.nan, math.nan, math.nan, "unit")]
    path = tmp_path / "d.tsv"
    write_words(words, str(path))
    back = read_words(str(path))
    assert [w[:3] for w in back] == [("星澜科技", 35, 6.85469), ("的", 900, back[1].cohesion)]
    assert math.isnan(back[1].cohesion) and [w.kind for w in back] == ["new", "unit"] and back[0].jieba_lift == 9.5
    path.write_text("word\tcount\n新词\t2\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"d.tsv:1: a word-count table"):
        read_words(str(path))
    path.write_text("\t".join(WORD_TABLE) + "\n新词\t2\t3\t\t\t\tyes\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"d.tsv:2: expected 7 tab-separated fields"):
        read_words(str(path))
    path.write_text("word\tcount\tcohesion\tleft_entropy\tright_entropy\tin_jieba\n新词\t2\t3\t\t\t0\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"d.tsv:1: a discovered-word table of wordmine 0.1 \(discover it again"):
        read_words(str(path))
