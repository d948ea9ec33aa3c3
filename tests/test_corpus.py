"""The streaming reader (blocks, long lines, encodings, errors) and the normalisation rule."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordmine.corpus import fragments, is_wordlike, normalize, read_batches
from wordmine.errors import InputError

# Characters that exercise every rule: CJK (BMP and Extension A/B), 〇 and ○, full-width and ASCII
# letters and digits, punctuation of both widths, spaces, emoji, CR/LF.
TEXT_ALPHABET = st.sampled_from(list("新词发现中文㐀𠀀〇○ＡＢａ１２ab9，。！、：,.!-_%+ \u3000\t😀\r\n"))


def read_all(paths, **kwargs) -> str:
    return "".join(b.text for b in read_batches([str(p) for p in paths], **kwargs))


@pytest.mark.parametrize("repeat", [1, 100])  # short strings and whole batches take two paths
def test_normalize_maps_full_width_ideographic_space_and_circle(repeat):
    assert normalize("ＡＺａｚ０９！～　○＿𠀀字\n" * repeat) == "AZaz09!~ 〇_𠀀字\n" * repeat


CASES = json.loads((Path(__file__).parent / "cases" / "fragments.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_normalize_and_fragments(case):
    assert normalize(case["text"]) == case["normalized"]
    assert fragments(normalize(case["text"])) == case["fragments"]


def test_is_wordlike():
    assert [is_wordlike(t) for t in ["词", "C++", "3.5", "，", "...", " ", "\n"]] == [True, True, True, False, False, False, False]


def test_crlf_missing_final_newline_and_file_joins(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes("甲行\r\n乙行".encode("utf-8"))
    b.write_bytes("\ufeff丙行\n".encode("utf-8"))
    assert read_all([a, b]) == "甲行\n乙行\n丙行\n"


def test_batches_count_every_input_byte(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("一行文字\n" * 5000, encoding="utf-8")
    batches = list(read_batches([str(path)], batch_bytes=4096))
    assert len(batches) > 10
    assert sum(b.nbytes for b in batches) == path.stat().st_size
    assert all(b.text.endswith("\n") for b in batches)


@settings(max_examples=200, deadline=None)
@given(text=st.text(TEXT_ALPHABET, max_size=300), block=st.integers(4, 64))
def test_any_block_size_reproduces_the_text(tmp_path_factory, text, block):
    path = tmp_path_factory.mktemp("h") / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    expected = text.replace("\r\n", "\n")
    if expected and not expected.endswith("\n"):
        expected += "\n"
    assert read_all([path], batch_bytes=block) == expected


def test_long_line_is_cut_only_at_safe_boundaries(tmp_path):
    line = "长句子没有换行，但有标点。" * 20000  # about 780 KB on one line
    path = tmp_path / "long.txt"
    path.write_text(line, encoding="utf-8")
    pieces = [b.text for b in read_batches([str(path)], batch_bytes=10_000)]
    assert len(pieces) > 50
    assert "".join(pieces) == line + "\n"
    assert all(p[-1] in "，。\n" for p in pieces)


def test_boundaryless_stretch_is_carried_until_a_boundary(tmp_path, caplog):
    line = "字" * 30_000 + "，" + "词" * 1000
    path = tmp_path / "solid.txt"
    path.write_text(line, encoding="utf-8")
    pieces = [b.text for b in read_batches([str(path)], batch_bytes=1000)]
    assert pieces[0] == "字" * 30_000 + "，" and "".join(pieces) == line + "\n"
    assert caplog.text == ""


def test_long_line_without_boundaries_is_cut_hard_with_a_warning(tmp_path, caplog):
    caplog.set_level("WARNING")  # an earlier CLI test may have left the root logger at ERROR
    path = tmp_path / "solid.txt"
    path.write_text("字" * 1_200_000, encoding="utf-8")
    assert read_all([path], batch_bytes=50_000) == "字" * 1_200_000 + "\n"
    assert "very long line without punctuation" in caplog.text


def test_gbk_without_encoding_names_file_line_and_byte(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("第一行\n".encode("utf-8") + "中文".encode("gbk") + b"\n")
    with pytest.raises(InputError) as err:
        read_all([path])
    message = str(err.value)
    assert message.startswith(f"{path}:2: not valid UTF-8 (byte 0xd6 at byte 1 of the line)")
    assert "--encoding gb18030" in message


def test_gbk_with_encoding_reads_correctly(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("简体中文，ＧＢＫ编码\n".encode("gbk"))
    assert read_all([path], encoding="gb18030") == "简体中文，ＧＢＫ编码\n"


@pytest.mark.parametrize("raw, encoding", [("中文".encode("gbk"), "gb18030"), ("中文".encode("utf-8"), "utf-8-sig")])
def test_auto_encoding(tmp_path, raw, encoding, caplog):
    path = tmp_path / "x.txt"
    path.write_bytes(raw + b"\n")
    caplog.set_level("INFO")
    assert read_all([path], encoding="auto") == "中文\n"
    assert f"encoding detected as {encoding}" in caplog.text


def test_errors_replace_and_ignore_go_on(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\xff\xfeok\n")
    assert read_all([path], errors="replace") == "ok\ufffd\ufffdok\n"
    assert read_all([path], errors="ignore") == "okok\n"


def test_error_position_in_a_long_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"a\n" + "字，".encode("utf-8") * 1000 + b"\xff\n")
    with pytest.raises(InputError, match=r"bad.txt:2: not valid UTF-8 \(byte 0xff at byte 6001 of the line\)"):
        read_all([path], batch_bytes=64)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"image.png:3: NUL byte: this looks like a binary file"):
        read_all([path])


def test_stdin_plain_and_compressed(monkeypatch):
    for data in ["标准输入\n".encode(), gzip.compress("标准输入\n".encode())]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
        batches = list(read_batches(["-"]))
        assert "".join(b.text for b in batches) == "标准输入\n"
        assert sum(b.nbytes for b in batches) == len("标准输入\n".encode())


def test_compressed_input_is_batched_by_its_text(tmp_path):
    # The red team's bomb in small: 4.5 MB of repetitive text in a gzip of a few KB. Batching by
    # compressed bytes put all of it into one batch (a 6 MB gzip made 23 GB of worker memory).
    line = "新词发现很有趣，我们统计新词。" * 1000 + "\n"
    path = tmp_path / "b.gz"
    path.write_bytes(gzip.compress((line * 100).encode(), 9))
    assert path.stat().st_size < 50_000
    batches = list(read_batches([str(path)], batch_bytes=16_384))
    assert len(batches) > 200
    assert max(len(b.text.encode()) for b in batches) <= 2 * 16_384
    assert "".join(b.text for b in batches) == line * 100
    assert sum(b.nbytes for b in batches) == path.stat().st_size  # progress still counts the stored bytes


@pytest.mark.parametrize("text", ["一行文字\n", "ascii text\n", "混合 mixed 文字\n"])
def test_plain_files_are_batched_as_before(tmp_path, text):
    path = tmp_path / "c.txt"
    path.write_text(text * 20_000, encoding="utf-8")
    batches = list(read_batches([str(path)], batch_bytes=8192))
    # One block read per batch: sizes within a line of batch_bytes, as the tuned constants assume.
    assert all(abs(len(b.text.encode()) - 8192) < len(text.encode()) for b in batches[:-1])


def test_auto_that_chose_utf8_does_not_suggest_auto(tmp_path):
    path = tmp_path / "late.txt"
    path.write_bytes(b"plain ascii line\n" * 70_000 + "后面是GBK编码的中文\n".encode("gbk"))
    assert path.stat().st_size > 1 << 20
    with pytest.raises(InputError) as err:
        read_all([path], encoding="auto")
    assert str(err.value) == (
        f"{path}:70001: not valid UTF-8 (byte 0xba at byte 1 of the line); --encoding auto chose UTF-8 "
        "from the first MiB of the file; if the rest is GBK or GB2312, use --encoding gb18030, "
        "or use --errors replace to go on"
    )


def test_auto_that_chose_gb18030_names_it_in_errors(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("中文\n".encode("gbk") + b"bad \xff byte\n")
    with pytest.raises(InputError, match=(
        r"gbk.txt:2: not valid gb18030 \(byte 0xff at byte 5 of the line\); --encoding auto chose "
        r"gb18030 as the start of the file is not UTF-8; check the encoding"
    )):
        read_all([path], encoding="auto")


TRADITIONAL = (
    "我們的國家在這個時候發展得很快，經濟和文化都有了很大的進步。\n"
    "人們的生活越來越好，學校裡的學生也越來越多，他們說這是一個新的時代。\n"
)
SIMPLIFIED = (
    "我们的国家在这个时候发展得很快，经济和文化都有了很大的进步。\n"
    "人们的生活越来越好，学校里的学生也越来越多，他们说这是一个新的时代。\n"
)


@pytest.mark.parametrize(
    "text, raw_encoding, detected",
    [(TRADITIONAL, "big5", "cp950"), (SIMPLIFIED, "gbk", "gb18030"), (SIMPLIFIED, "gb2312", "gb18030"), (TRADITIONAL, "gbk", "gb18030")],
)
def test_auto_tells_big5_from_gbk(tmp_path, caplog, text, raw_encoding, detected):
    caplog.set_level("INFO")
    path = tmp_path / "x.txt"
    path.write_bytes(text.encode(raw_encoding) * 10)
    assert read_all([path], encoding="auto") == text * 10
    assert f"encoding detected as {detected}" in caplog.text


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\r\n \t\n"])
def test_an_empty_input_is_no_error_but_a_warning(tmp_path, caplog, content):
    caplog.set_level("WARNING")
    empty, full = tmp_path / "empty.txt", tmp_path / "full.txt"
    empty.write_bytes(content)
    full.write_text("新词\n", encoding="utf-8")
    assert read_all([empty, full]).strip() == "新词"
    assert [r.getMessage() for r in caplog.records] == [f"{empty}: empty input (no text); it adds nothing"]


def test_a_long_line_without_boundaries_warns_once_per_file(tmp_path, caplog):
    caplog.set_level("WARNING")
    path = tmp_path / "solid.txt"
    path.write_text("字" * 3_300_000, encoding="utf-8")  # cut hard three times
    assert read_all([path], batch_bytes=1 << 20) == "字" * 3_300_000 + "\n"
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"{path}:1: very long line without punctuation or space; cut inside a fragment")


def test_a_second_pass_can_keep_quiet(tmp_path, caplog):
    caplog.set_level("WARNING")
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert list(read_batches([str(path)], warn=False)) == []
    assert caplog.records == []
