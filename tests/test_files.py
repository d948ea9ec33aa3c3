"""Inputs expansion, compressed and stdin inputs, atomic writes."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os

import pytest

from wordmine.errors import InputError
from wordmine.files import atomic_write, check_encoding, expand_inputs, open_input


def test_expand_walks_directories_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "2.txt")]


def test_expand_globs_recursively(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("x")
    (tmp_path / "y.txt").write_text("x")
    (tmp_path / "z.md").write_text("x")
    assert expand_inputs([str(tmp_path / "**" / "*.txt")]) == [str(tmp_path / "d" / "x.txt"), str(tmp_path / "y.txt")]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: str(p / "missing.txt"), "missing.txt: no such file or directory"),
        (lambda p: str(p / "*.nothing"), "no file matches this pattern"),
        (lambda p: (p / "empty").mkdir() or str(p / "empty"), "empty: directory holds no files"),
    ],
)
def test_expand_errors_name_the_input(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        expand_inputs([make(tmp_path)])


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_inputs_are_decompressed_by_magic(tmp_path, opener):
    path = tmp_path / "c.bin"  # no telling suffix: the magic bytes decide
    with opener(path, "wb") as f:
        f.write("压缩文本\n".encode("utf-8") * 1000)
    with open_input(str(path)) as (stream, position):
        data = stream.read()
        assert position() == os.path.getsize(path)
    assert data == "压缩文本\n".encode("utf-8") * 1000


def test_corrupt_compressed_input_is_an_input_error(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress("文本\n".encode() * 100)[:30])
    with pytest.raises(InputError, match="bad.gz: compressed data is corrupt or truncated"):
        with open_input(str(path)) as (stream, _):
            stream.read()


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.tsv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(str(target)) as f:
            f.write("new, half written")
            raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.tsv"]
    with atomic_write(str(target)) as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["out.tsv"]


def test_atomic_write_output_is_readable_like_a_plain_file(tmp_path):
    target = tmp_path / "out.tsv"
    with atomic_write(str(target)) as f:
        f.write("x\n")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~mask


def test_atomic_write_dash_is_stdout_utf8(capfdbinary):
    with atomic_write("-") as f:
        f.write("新词\t1\n")
    assert capfdbinary.readouterr().out == "新词\t1\n".encode("utf-8")


@pytest.mark.parametrize("name, canonical", [("utf-8", "utf-8-sig"), ("UTF8", "utf-8-sig"), ("GB18030", "gb18030"), ("big5", "big5")])
def test_check_encoding_accepts_ascii_compatible(name, canonical):
    assert check_encoding(name) == canonical


@pytest.mark.parametrize("name", ["utf-16", "utf-32-le", "no-such-codec"])
def test_check_encoding_refuses_others(name):
    with pytest.raises(ValueError):
        check_encoding(name)
