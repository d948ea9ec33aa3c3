"""Inputs expansion (special files, broken links), compressed and stdin inputs, file names in
messages, atomic writes (more in test_files_output.py and test_files_temporaries.py)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys

import pytest

from wordmine.corpus import read_batches
from wordmine.errors import InputError
from wordmine.files import atomic_write, check_encoding, expand_inputs, input_size, open_input, shown


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


# --- what a directory walk or a glob reads, and file names in messages --------------------------


def test_walk_skips_fifos_with_a_warning_instead_of_hanging(tmp_path, caplog):
    caplog.set_level("WARNING")
    (tmp_path / "a.txt").write_text("新词\n", encoding="utf-8")
    os.mkfifo(tmp_path / "p")  # reading it would wait for a writer forever
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.txt")]
    assert expand_inputs([str(tmp_path / "*")]) == [str(tmp_path / "a.txt")]
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [f"{tmp_path / 'p'}: skipped: not a regular file but a FIFO; name it on its own to read it anyway"] * 2


def test_walk_skips_dangling_symlinks_and_input_size_does_not_crash(tmp_path, caplog):
    caplog.set_level("WARNING")
    (tmp_path / "a.txt").write_text("新词\n", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    files = expand_inputs([str(tmp_path)])
    assert files == [str(tmp_path / "a.txt")]
    assert input_size(files) == len("新词\n".encode())
    assert "gone.txt: skipped: broken symbolic link" in caplog.text
    # Named on its own, it is an error that says what it is.
    with pytest.raises(InputError, match=r"gone.txt: broken symbolic link \(to .*deleted.txt\); fix or remove the link"):
        expand_inputs([str(tmp_path / "gone.txt")])


def test_a_directory_of_special_files_only_holds_no_files(tmp_path):
    os.mkfifo(tmp_path / "p")
    with pytest.raises(InputError, match="directory holds no files"):
        expand_inputs([str(tmp_path)])


def test_a_fifo_named_on_its_own_is_read(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    text = "管道里的新词\n" * 1000
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys; open(sys.argv[1], 'wb').write(sys.argv[2].encode())", str(fifo), text]
    )
    try:
        assert expand_inputs([str(fifo)]) == [str(fifo)]
        assert input_size([str(fifo)]) is None  # unknown, like stdin: no crash, no bogus 0
        batches = list(read_batches([str(fifo)], batch_bytes=4096))
        assert "".join(b.text for b in batches) == text
        assert sum(b.nbytes for b in batches) == len(text.encode())
    finally:
        writer.kill()
        writer.wait()


def test_input_size_of_a_device_is_unknown():
    assert input_size(["/dev/null"]) is None


@pytest.mark.parametrize("name, expected", [("语料.txt", "语料.txt"), ("a\nb.txt", "'a\\nb.txt'"), ("tab\there", "'tab\\there'")])
def test_shown_quotes_only_names_that_would_garble_a_message(name, expected):
    assert shown(name) == expected


def test_file_names_with_a_newline_stay_on_one_line(tmp_path):
    with pytest.raises(InputError) as err:
        expand_inputs([str(tmp_path / "no\nsuch.txt")])
    assert "\n" not in str(err.value) and "no\\nsuch.txt" in str(err.value)
    path = tmp_path / "bad\nname.txt"
    path.write_bytes("中文".encode("gbk") + b"\n")
    with pytest.raises(InputError) as err:
        list(read_batches([str(path)]))
    assert "\n" not in str(err.value)
    assert str(err.value).startswith(repr(str(path)) + ":1: not valid UTF-8")


def test_undecodable_file_name_is_shown_escaped(tmp_path):
    name = os.fsdecode(b"gbk-\xd6\xd0.txt")  # not UTF-8: Python keeps it as lone surrogates
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as f:
        f.write(b"ok\x00")
    with pytest.raises(InputError) as err:
        list(read_batches([path]))
    str(err.value).encode("utf-8")  # printable: no UnicodeEncodeError on the way to stderr
    assert "gbk-\\udcd6\\udcd0.txt" in str(err.value)


def test_a_glob_that_matches_a_directory_and_its_files_reads_each_file_once(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("x")
    (tmp_path / "d" / "sub" / "b.txt").write_text("x")
    assert expand_inputs([str(tmp_path / "d" / "**")]) == [str(tmp_path / "d" / "a.txt"), str(tmp_path / "d" / "sub" / "b.txt")]
