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
