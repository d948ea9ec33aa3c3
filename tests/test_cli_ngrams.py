"""`wordmine ngrams` and n-gram tables through `wordmine merge`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import SAMPLE, TINY_TEXT
from wordmine import NgramTable
from wordmine.cli import cli


@pytest.mark.parametrize("source", ["path", "stdin"])
def test_ngrams_to_stdout_is_tsv(runner, tiny_corpus, source):
    args, stdin = ([str(tiny_corpus)], None) if source == "path" else (["-"], TINY_TEXT)
    result = runner.invoke(cli, ["ngrams", *args, "-n", "2", "-q", "-j", "1"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = dict(line.split("\t") for line in result.stdout.splitlines()[1:])
    assert result.stdout.startswith("ngram\tcount\n")
    assert rows["新词"] == "2" and rows["发现"] == "2"
    assert not any(ch in g for g in rows for ch in ",，。! ")  # never across punctuation or spaces
    assert "二〇" in rows and "AI" in rows and "N元" in rows  # normalised before counting


def test_binary_output_jobs_and_memory_do_not_change_bytes(runner, tmp_path):
    outs = []
    for i, opts in enumerate([["-j", "1"], ["-j", "2"], ["-j", "2", "--memory", "16K"]]):
        out = tmp_path / f"g{i}.npz"
        result = runner.invoke(cli, ["ngrams", str(SAMPLE), "-n", "4", "-q", "-o", str(out), *opts])
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert NgramTable.load(str(tmp_path / "g0.npz")).count("星澜科技") == 35


def test_tsv_file_by_suffix_and_min_count(runner, tmp_path):
    out = tmp_path / "g.tsv"
    result = runner.invoke(cli, ["ngrams", str(SAMPLE), "-n", "3", "--min-count", "100", "-q", "-o", str(out)])
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ngram\tcount" and all(int(line.split("\t")[1]) >= 100 for line in lines[1:])


def test_merge_ngram_tables(runner, tmp_path):
    files = sorted(SAMPLE.glob("*.txt"))[:2]
    parts = []
    for i, f in enumerate(files):
        parts.append(tmp_path / f"p{i}.npz")
        assert runner.invoke(cli, ["ngrams", str(f), "-q", "-o", str(parts[-1])]).exit_code == 0
    both = tmp_path / "both.npz"
    assert runner.invoke(cli, ["ngrams", *map(str, files), "-q", "-o", str(both)]).exit_code == 0
    merged = tmp_path / "merged.npz"
    result = runner.invoke(cli, ["merge", *map(str, parts), "-q", "-o", str(merged)])
    assert result.exit_code == 0, result.output
    assert NgramTable.load(str(merged)) == NgramTable.load(str(both))


def test_merge_refuses_mixed_kinds_and_orders(runner, tmp_path, tiny_corpus):
    two, three, words = tmp_path / "2.npz", tmp_path / "3.npz", tmp_path / "w.tsv"
    runner.invoke(cli, ["ngrams", str(tiny_corpus), "-n", "2", "-q", "-o", str(two)])
    runner.invoke(cli, ["ngrams", str(tiny_corpus), "-n", "3", "-q", "-o", str(three)])
    runner.invoke(cli, ["count", str(tiny_corpus), "-q", "-o", str(words)])
    result = runner.invoke(cli, ["merge", str(two), str(three), "-o", str(tmp_path / "x.npz")])
    assert result.exit_code == 1 and "has orders 1..3, the first has 1..2" in result.stderr
    result = runner.invoke(cli, ["merge", str(two), str(words), "-o", str(tmp_path / "x.npz")])
    assert result.exit_code == 1 and "w.tsv: this is a word-count table" in result.stderr
    result = runner.invoke(cli, ["merge", str(words), str(two), "-o", str(tmp_path / "x.tsv")])
    assert result.exit_code == 1 and "2.npz: this is an n-gram table" in result.stderr
    assert not (tmp_path / "x.npz").exists() and not (tmp_path / "x.tsv").exists()


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["-n", "0"], 2, "Invalid value for '-n'"),
        (["--memory", "lots"], 2, "not a size"),
        (["--format", "csv"], 2, "Invalid value for '--format'"),
    ],
)
def test_bad_usage(runner, tiny_corpus, args, code, message):
    result = runner.invoke(cli, ["ngrams", str(tiny_corpus), *args])
    assert result.exit_code == code and message in result.stderr


def test_bad_input_exits_1(runner, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("国标".encode("gbk"))
    result = runner.invoke(cli, ["ngrams", str(path), "-q"])
    assert result.exit_code == 1 and "gbk.txt:1: not valid UTF-8" in result.stderr


def test_ctrl_c_removes_temporary_runs(tmp_path):
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))
    corpus = tmp_path / "big.txt"
    corpus.write_text(text * 40, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "g.npz"
    cmd = [sys.executable, "-m", "wordmine", "ngrams", str(corpus), "-n", "8", "-j", "2", "-q",
           "--memory", "64K", "--tmp-dir", str(work), "-o", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not os.listdir(work) and time.monotonic() < deadline:  # wait until it is at work
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert os.listdir(work) == [] and not out.exists()
