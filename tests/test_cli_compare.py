"""`wordmine compare`: output, tables or corpora, stdin, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys

import pytest

import wordmine
from conftest import installed_command
from wordmine.cli import cli
from wordmine.compare import COMPARE_TABLE

FOCUS = {"新词": 30, "热词": 12, "的": 958}
REFERENCE = {"新词": 1, "热词": 10, "的": 989}


def table(stdout: str) -> list[list[str]]:
    lines = stdout.splitlines()
    assert lines[0] == "\t".join(COMPARE_TABLE)
    return [line.split("\t") for line in lines[1:]]


@pytest.fixture
def tables(tmp_path):
    focus, reference = tmp_path / "focus.tsv", tmp_path / "reference.tsv"
    wordmine.write_counts(FOCUS, str(focus))
    wordmine.write_counts(REFERENCE, str(reference))
    return focus, reference


@pytest.mark.parametrize("source", ["path", "stdin"])
def test_compare_two_tables(runner, tables, source):
    focus, reference = tables
    args, stdin = ([str(focus)], None) if source == "path" else (["-"], focus.read_text(encoding="utf-8"))
    result = runner.invoke(cli, ["compare", *args, str(reference), "-q"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = table(result.stdout)
    assert [r[:3] for r in rows] == [["新词", "30", "1"]]
    assert rows[0][5] == "34.1398"  # G2 of 30 against 1 in two tables of 1000 (hand: see test_compare)


def test_options_reach_the_library(runner, tables, tmp_path):
    focus, reference = tables
    result = runner.invoke(cli, ["compare", str(reference), str(focus), "-q", "--negative", "--min-g2", "0", "--min-count", "1", "--no-header"])
    # swapped: 的 over-used, then the negative ones from the least to the most under-used
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["的", "热词", "新词"]
    result = runner.invoke(cli, ["compare", str(focus), str(reference), "-q", "--emerging", "--max-reference", "1", "--sort", "log_ratio"])
    assert [r[0] for r in table(result.stdout)] == ["新词"]
    words = tmp_path / "words.txt"
    words.write_text("热词\n", encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(focus), str(reference), "-q", "--words", str(words), "--min-g2", "0"])
    assert [r[0] for r in table(result.stdout)] == ["热词"]


def test_corpora_are_counted_with_the_same_options(runner, tmp_path):
    focus, reference = tmp_path / "week.txt", tmp_path / "year.txt"
    focus.write_text("星澜科技发布新品。\n" * 10, encoding="utf-8")
    reference.write_text("今天天气很好，我们去公园散步。\n" * 10, encoding="utf-8")
    words = tmp_path / "new.dict"
    words.write_text("星澜科技 5\n", encoding="utf-8")
    out = tmp_path / "keywords.tsv"
    result = runner.invoke(cli, ["compare", str(focus), str(reference), "-q", "-j", "1", "--words", str(words), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r[:3] for r in table(out.read_text(encoding="utf-8"))] == [["星澜科技", "10", "0"]]


def test_round_trip_count_then_compare(runner, tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("新词发现很有趣。\n", encoding="utf-8")
    counts = tmp_path / "c.tsv"
    assert runner.invoke(cli, ["count", str(corpus), "-q", "-j", "1", "-o", str(counts)]).exit_code == 0
    from_table = runner.invoke(cli, ["compare", str(counts), str(counts), "-q", "--min-g2", "0", "--min-count", "1"])
    from_corpus = runner.invoke(cli, ["compare", str(corpus), str(counts), "-q", "-j", "1", "--min-g2", "0", "--min-count", "1"])
    assert from_table.exit_code == from_corpus.exit_code == 0
    assert from_table.stdout == from_corpus.stdout
    rows = table(from_table.stdout)
    assert rows and all(r[5] == "0" and r[6] == "0" and r[7] == "1" for r in rows)  # a corpus against itself


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.joinpath("bad.tsv").write_text("新词\t3\n", encoding="utf-8") and str(p / "bad.tsv"),
         "bad.tsv:1: looks like a word-count table without its header row"),
        (lambda p: str(p / "missing.tsv"), "missing.tsv: no such file or directory"),
        (lambda p: p.joinpath("bad.tsv").write_text("word\tcount\n新词\tx\n", encoding="utf-8") and str(p / "bad.tsv"),
         "bad.tsv:2: count 'x' is not a non-negative integer"),
    ],
)
def test_bad_data_exits_1_naming_the_file(runner, tables, tmp_path, make, message):
    result = runner.invoke(cli, ["compare", make(tmp_path), str(tables[1]), "-q"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["-", "-"], "FOCUS and REFERENCE cannot both be -"),
        (["{f}", "{r}", "--max-reference", "2"], "--max-reference goes with --emerging"),
        (["{f}", "{r}", "--sort", "chi2"], "'chi2' is not one of"),
        (["{f}", "{r}", "--smoothing", "0"], "--smoothing"),
        (["{f}", "{r}", "-o", "{f}"], "is the input"),
        (["{f}"], "Missing argument 'REFERENCE'"),
    ],
)
def test_bad_usage_exits_2(runner, tables, args, message):
    focus, reference = tables
    result = runner.invoke(cli, ["compare", *(a.format(f=focus, r=reference) for a in args)], input="")
    assert result.exit_code == 2
    assert message in result.stderr


def test_output_directory_is_checked_before_the_work(runner, tables, tmp_path):
    result = runner.invoke(cli, ["compare", *map(str, tables), "-o", str(tmp_path / "nope" / "k.tsv")])
    assert result.exit_code == 1 and "does not exist" in result.stderr


def test_the_installed_command(tables):
    focus, reference = tables
    out = subprocess.run([installed_command(), "compare", "-", str(reference), "-q"], input=focus.read_bytes(),
                         capture_output=True, check=True)
    assert out.stdout.decode("utf-8").splitlines()[1].startswith("新词\t30\t1\t")
    module = subprocess.run([sys.executable, "-m", "wordmine", "compare", str(focus), str(reference), "-q"],
                            capture_output=True, check=True)
    assert module.stdout == out.stdout and module.stderr == b""


def test_the_counting_options_default_to_count_words():
    import inspect

    from test_defaults import cli_defaults

    library = inspect.signature(wordmine.load_counts).parameters
    options = cli_defaults("compare")
    for name in ("hmm", "encoding", "errors"):
        value = options[name]
        value = wordmine.files.check_encoding(value) if name == "encoding" else value
        assert value == library[name].default == inspect.signature(wordmine.count_words).parameters[name].default, name
