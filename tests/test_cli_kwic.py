"""`wordmine kwic`: output, formats, word lists, exit codes, -j invariance, the installed command."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest

from conftest import SAMPLE, TINY_TEXT, installed_command
from wordmine.cli import cli

HEADER = "word\tleft\tmatch\tright\tfile\tline"


def table(stdout: str) -> list[list[str]]:
    lines = stdout.splitlines()
    assert lines[0] == HEADER
    return [line.split("\t") for line in lines[1:]]


@pytest.mark.parametrize("source", ["path", "stdin", "gzip"])
def test_kwic_of_a_path_stdin_or_a_compressed_file(runner, tiny_corpus, tmp_path, source):
    if source == "gzip":
        packed = tmp_path / "tiny.txt.gz"
        packed.write_bytes(gzip.compress(TINY_TEXT.encode()))
        args, stdin, name = [str(packed)], None, str(packed)
    else:
        args, stdin, name = ([str(tiny_corpus)], None, str(tiny_corpus)) if source == "path" else (["-"], TINY_TEXT, "-")
    result = runner.invoke(cli, ["kwic", *args, "-w", "新词", "-w", "AI", "--width", "4", "-q"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert table(result.stdout) == [
        ["新词", "", "新词", "发现是中", name, "1"],
        ["新词", "语法发现", "新词", "！", name, "2"],
        ["AI", "二四年，", "ＡＩ", "芯片和大", name, "4"],
    ]


def test_words_from_a_table_top_per_word_and_text_format(runner, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("星澜科技发布新品。\n星澜很好，星澜科技更好。\n澜思\n", encoding="utf-8")
    words = tmp_path / "discovered.tsv"
    words.write_text("word\tcount\n星澜\t3\n星澜科技\t2\n澜思\t1\n", encoding="utf-8")
    result = runner.invoke(cli, ["kwic", str(corpus), "--words", str(words), "--top", "2", "--per-word", "2",
                                 "--pick", "first", "--width", "3", "--format", "text", "-q"])
    assert result.exit_code == 0, result.output
    # The left contexts are right-aligned on the widest, 很好， (six columns).
    assert result.stdout.splitlines() == [
        f"{corpus}:1         星澜 科技发",
        f"{corpus}:2         星澜 很好，",
        f"{corpus}:1         星澜科技 发布新",
        f"{corpus}:2  很好， 星澜科技 更好。",
    ]


def test_jobs_1_and_2_are_byte_identical(runner, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("星澜科技\n的\n患者\n澜思\n", encoding="utf-8")
    args = ["kwic", str(SAMPLE), "--words", str(words), "-q", "--per-word", "3"]
    one = runner.invoke(cli, [*args, "-j", "1"])
    two = runner.invoke(cli, [*args, "-j", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout_bytes == two.stdout_bytes
    assert len(table(one.stdout)) == 12


def test_output_file_is_written_and_cannot_be_an_input(runner, tiny_corpus, tmp_path):
    out = tmp_path / "kwic.tsv"
    assert runner.invoke(cli, ["kwic", str(tiny_corpus), "-w", "新词", "-q", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == runner.invoke(cli, ["kwic", str(tiny_corpus), "-w", "新词", "-q"]).stdout
    result = runner.invoke(cli, ["kwic", str(tiny_corpus), "-w", "新词", "-o", str(tiny_corpus)])
    assert result.exit_code == 2 and "is the input" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give the words with --words FILE or with -w WORD"),
        (["-w", "新词", "--words", "WORDS"], "give the words with --words FILE or with -w WORD"),
        (["-w", "新词", "--top", "3"], "--top needs --words"),
        (["-w", ""], "cannot look for ''"),
        (["-w", "新词", "--width", "0"], "Invalid value for '--width'"),
        (["-w", "新词", "--pick", "random"], "Invalid value for '--pick'"),
    ],
)
def test_bad_usage_exits_2(runner, tiny_corpus, tmp_path, args, message):
    words = tmp_path / "w.txt"
    words.write_text("新词\n", encoding="utf-8")
    args = [str(words) if a == "WORDS" else a for a in args]
    result = runner.invoke(cli, ["kwic", str(tiny_corpus), *args])
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_bad_data_exits_1(runner, tiny_corpus, tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("新词".encode("gbk"))
    result = runner.invoke(cli, ["kwic", str(gbk), "-w", "新词"])
    assert result.exit_code == 1 and "gbk.txt:1: not valid UTF-8" in result.stderr
    grams = tmp_path / "grams.tsv"
    grams.write_text("ngram\tcount\n新\t2\n", encoding="utf-8")
    result = runner.invoke(cli, ["kwic", str(tiny_corpus), "--words", str(grams)])
    assert result.exit_code == 1 and "n-gram table" in result.stderr


def test_the_installed_command_and_python_m(tiny_corpus):
    out = subprocess.run([installed_command(), "kwic", "-", "-w", "语法", "-q", "--no-header"], input=TINY_TEXT.encode(),
                         capture_output=True, check=True)
    assert out.stdout.decode() == "语法\t我们用结巴分词统计词频，再用Ｎ元\t语法\t发现新词！\t-\t2\n"
    module = subprocess.run([sys.executable, "-m", "wordmine", "kwic", str(tiny_corpus), "-w", "语法", "-q", "--no-header"],
                            capture_output=True, check=True)
    assert module.stdout.decode() == out.stdout.decode().replace("\t-\t", f"\t{tiny_corpus}\t")
