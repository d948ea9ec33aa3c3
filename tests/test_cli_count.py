"""`wordmine count`: output, exit codes, messages, -j invariance and interrupted runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import SAMPLE, TINY_TEXT
from wordmine.cli import cli


def rows(stdout: str) -> dict[str, int]:
    lines = stdout.splitlines()
    assert lines[0] == "word\tcount"
    return {w: int(c) for w, c in (line.split("\t") for line in lines[1:])}


@pytest.mark.parametrize("source", ["path", "stdin"])
def test_count_path_or_stdin(runner, tiny_corpus, source):
    args, stdin = (["count", str(tiny_corpus)], None) if source == "path" else (["count", "-"], TINY_TEXT)
    result = runner.invoke(cli, [*args, "-q", "-j", "1"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    counts = rows(result.stdout)
    assert counts["新词"] == 2 and counts["发现"] == 2 and "，" not in counts
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_output_file_equals_stdout(runner, tiny_corpus, tmp_path):
    out = tmp_path / "words.tsv"
    assert runner.invoke(cli, ["count", str(tiny_corpus), "-q", "-o", str(out)]).exit_code == 0
    stdout = runner.invoke(cli, ["count", str(tiny_corpus), "-q"]).stdout
    assert out.read_text(encoding="utf-8") == stdout


def test_options_reach_the_library(runner, tiny_corpus):
    result = runner.invoke(cli, ["count", str(tiny_corpus), "-q", "--top", "4", "--no-header", "--keep-punct"])
    assert result.stdout == ",\t2\n。\t2\n二\t2\n发现\t2\n"
    result = runner.invoke(cli, ["count", str(tiny_corpus), "-q", "--min-count", "2"])
    assert rows(result.stdout) == {"二": 2, "发现": 2, "新词": 2}


def test_jobs_1_and_2_are_byte_identical(runner):
    one = runner.invoke(cli, ["count", str(SAMPLE), "-q", "-j", "1"])
    two = runner.invoke(cli, ["count", str(SAMPLE), "-q", "-j", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout_bytes == two.stdout_bytes


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: str(p / "nope.txt"), "nope.txt: no such file or directory"),
        (lambda p: (p / "empty").mkdir() or str(p / "empty"), "empty: directory holds no files"),
        (lambda p: (p / "gbk.txt").write_bytes("国标编码".encode("gbk")) and str(p / "gbk.txt"),
         "gbk.txt:1: not valid UTF-8 (byte 0xb9 at byte 1 of the line); if it is GBK or GB2312, use --encoding gb18030"),
        (lambda p: (p / "a.out").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00") and str(p / "a.out"),
         "a.out:1: NUL byte: this looks like a binary file"),
    ],
)
def test_bad_inputs_exit_1_naming_the_file(runner, tmp_path, make, message):
    result = runner.invoke(cli, ["count", make(tmp_path), "-q"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_encoding_option_reads_gbk(runner, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("国标编码的中文文本\n".encode("gbk"))
    for encoding in ["gb18030", "auto"]:
        result = runner.invoke(cli, ["count", str(path), "-q", "--encoding", encoding])
        assert result.exit_code == 0
        assert rows(result.stdout) == {"国标": 1, "编码": 1, "的": 1, "中文": 1, "文本": 1}


@pytest.mark.parametrize(
    "args, message",
    [
        (["-j", "0"], "Invalid value for '-j' / '--jobs'"),
        (["--encoding", "utf-16"], "not ASCII-compatible"),
        (["--encoding", "klingon"], "unknown encoding"),
        (["--errors", "skip"], "Invalid value for '--errors'"),
        (["--userdict", "/nonexistent.dict"], "does not exist"),
    ],
)
def test_bad_usage_exits_2(runner, tiny_corpus, args, message):
    result = runner.invoke(cli, ["count", str(tiny_corpus), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_inputs_from_a_terminal_subprocess():
    # A pseudo-terminal on stdin: the command must refuse to wait for typed text.
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "wordmine", "count"], stdin=slave, capture_output=True, timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 2
    assert b"no INPUTS given and stdin is a terminal" in proc.stderr


def test_bad_userdict_exits_1(runner, tiny_corpus, tmp_path):
    userdict = tmp_path / "u.dict"
    userdict.write_text("词 3.5\n", encoding="utf-8")
    result = runner.invoke(cli, ["count", str(tiny_corpus), "--userdict", str(userdict)])
    assert result.exit_code == 1
    assert "u.dict:1: not a jieba user-dictionary line" in result.stderr


# --- interrupted runs leave no output ----------------------------------------------------------


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """About 12 MB: minutes of jieba work, so a signal surely arrives mid-run."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text(text * 50, encoding="utf-8")
    return path


def _start(big_corpus, out):
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordmine", "count", str(big_corpus), "-j", "2", "-q", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    time.sleep(3)  # workers are up and counting
    assert proc.poll() is None
    return proc


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_leaves_no_output_and_no_worker(big_corpus, tmp_path, sig, code):
    out = tmp_path / "words.tsv"
    proc = _start(big_corpus, out)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole process group
    else:
        proc.send_signal(sig)  # kill(1), or a cron supervisor, signals the main process only
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert b"no output was written" in stderr
    assert b"Traceback" not in stderr
    assert os.listdir(tmp_path) == []
    deadline = time.monotonic() + 10
    while live_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_processes(proc.pid) == []  # no worker (nor fork server) outlived the run


def live_processes(pgid: int) -> list[int]:
    """Processes of a group that are not zombies (those wait for init to reap them)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def test_sigkill_keeps_the_previous_output(big_corpus, tmp_path):
    out = tmp_path / "words.tsv"
    out.write_text("word\tcount\n旧\t1\n", encoding="utf-8")
    proc = _start(big_corpus, out)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert out.read_text(encoding="utf-8") == "word\tcount\n旧\t1\n"
    assert [n for n in os.listdir(tmp_path) if not n.startswith(".")] == ["words.tsv"]
