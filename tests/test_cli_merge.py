"""`wordmine merge`: adding tables, refusing other kinds, chaining through stdin and stdout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLE, installed_command
from wordmine import count_words, merge_counts, read_counts, write_counts
from wordmine.cli import cli


@pytest.fixture
def day_tables(tmp_path):
    days = sorted(SAMPLE.glob("*.txt"))[:2]
    paths = []
    for i, day in enumerate(days):
        path = tmp_path / f"day{i}.tsv"
        write_counts(count_words([str(day)], jobs=1), str(path))
        paths.append(path)
    return days, paths


def test_merge_adds_tables_like_counting_all_days(runner, day_tables, tmp_path):
    days, paths = day_tables
    out = tmp_path / "total.tsv"
    result = runner.invoke(cli, ["merge", *map(str, paths), "-o", str(out), "-q"])
    assert result.exit_code == 0 and result.stderr == ""
    direct = tmp_path / "direct.tsv"
    write_counts(count_words([str(d) for d in days], jobs=1), str(direct))
    assert out.read_bytes() == direct.read_bytes()


def test_running_total_can_be_rewritten_in_place(runner, day_tables):
    _, (day0, day1) = day_tables
    before = read_counts(str(day0)) + read_counts(str(day1))
    result = runner.invoke(cli, ["merge", str(day0), str(day1), "-o", str(day0)])
    assert result.exit_code == 0
    assert read_counts(str(day0)) == before


def test_merge_refuses_other_kinds(runner, day_tables, tmp_path):
    _, (day0, _) = day_tables
    other = tmp_path / "grams.tsv"
    other.write_text("ngram\tcount\n新词\t3\n", encoding="utf-8")
    result = runner.invoke(cli, ["merge", str(day0), str(other), "-o", str(tmp_path / "out.tsv")])
    assert result.exit_code == 1
    assert "grams.tsv: this is an n-gram table" in result.stderr
    assert not (tmp_path / "out.tsv").exists()


def test_merge_refuses_a_table_without_its_header(runner, day_tables, tmp_path):
    # A headerless n-gram table has a word-count table's two columns: only the header tells.
    _, (day0, _) = day_tables
    grams = tmp_path / "grams.tsv"
    grams.write_text("的\t5072\n新词\t3\n", encoding="utf-8")
    result = runner.invoke(cli, ["merge", str(day0), str(grams), "-o", str(tmp_path / "out.tsv")])
    assert result.exit_code == 1 and "grams.tsv:1: no header row" in result.stderr
    assert not (tmp_path / "out.tsv").exists()


def test_merge_needs_tables(runner):
    result = runner.invoke(cli, ["merge"])
    assert result.exit_code == 2 and "Missing argument 'TABLES...'" in result.stderr


def test_merge_top_and_min_count(runner, day_tables):
    _, paths = day_tables
    total = merge_counts(paths)
    result = runner.invoke(cli, ["merge", *map(str, paths), "--top", "2", "--no-header"])
    assert result.stdout.splitlines() == [f"{w}\t{c}" for w, c in list(total.items())[:2]]
    result = runner.invoke(cli, ["merge", *map(str, paths), "--min-count", "50"])
    expected = [f"{w}\t{c}" for w, c in total.items() if c >= 50]
    assert 0 < len(expected) < len(total) and result.stdout.splitlines()[1:] == expected


@pytest.mark.parametrize("command", [["wordmine"], [sys.executable, "-m", "wordmine"]])
def test_stdin_stdout_chaining_through_the_installed_command(command, day_tables, tmp_path):
    command = [installed_command()] if command == ["wordmine"] else command
    days, (day0, _) = day_tables
    count = subprocess.run([*command, "count", "-", "-q", "-j", "2"], input=days[1].read_bytes(), capture_output=True, check=True)
    merged = subprocess.run([*command, "merge", str(day0), "-", "-q"], input=count.stdout, capture_output=True, check=True)
    assert merged.stderr == b""
    out = tmp_path / "direct.tsv"
    write_counts(count_words([str(d) for d in days], jobs=1), str(out))
    assert merged.stdout == out.read_bytes()
