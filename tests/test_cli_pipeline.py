"""`wordmine pipeline`: per-step lines and the summary on stderr, -q, the options reaching the
library, exit 1 (bad data), 2 (bad usage) and 75 (OUTDIR in use), and a run killed by a signal
(SIGKILL, SIGTERM) in a subprocess: the files it leaves are complete and the next run finishes
the job with the files of a clean run."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, TINY_TEXT, installed_command, pipeline_snapshot as snapshot

from wordmine.cli import cli
from wordmine.cluster import read_graph
from wordmine.formats import read_counts, read_modules, read_userdict, read_words
from wordmine.ngrams import NgramTable
from wordmine.pipeline import (
    MANIFEST,
    OUTPUTS,
    STEPS,
    SUMMARY,
    PipelineOptions,
    run_pipeline,
)

pytestmark = pytest.mark.slow  # whole pipelines: `pytest -m "not slow"` leaves them out

FILES = [name for step in STEPS for name in OUTPUTS[step]]
#: Two sample files: a run takes under 2 s and gives a graph and clusters.
CORPUS_FILES = ("sport.txt", "travel.txt")
STEP_LINE = re.compile(r"wordmine: (\w+): (?:ran in \d+\.\d s|up to date) \((.*)\)")


def step_lines(stderr: str) -> list[tuple[str, bool, str]]:
    """``(step, ran, files)`` of the per-step lines at the head of stderr."""
    found = []
    for line in stderr.splitlines():
        m = STEP_LINE.fullmatch(line)
        if m is None:
            break
        found.append((m.group(1), "ran in" in line, m.group(2)))
    return found


def same_content(a, b, name: str) -> bool:
    """Equal files; an npz by its table (the zip members carry their write times)."""
    if name.endswith(".npz"):
        x, y = NgramTable.load(str(a)), NgramTable.load(str(b))
        return x.totals == y.totals and x.keys.keys() == y.keys.keys() and all(
            (x.keys[k] == y.keys[k]).all() and (x.counts[k] == y.counts[k]).all() for k in x.keys
        )
    with open(a, "rb") as f, open(b, "rb") as g:
        x, y = f.read(), g.read()
    if name == "report.html":  # the same page but for its date, the directory it names and the steps' times
        made = re.compile(rb'<p class="sub">.*?</p>|<section id="run">.*?</section>', re.S)
        x, y = made.sub(b"", x), made.sub(b"", y)
    return x == y


def manifest(outdir) -> dict:
    with open(os.path.join(outdir, MANIFEST), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """`wordmine pipeline CORPUS -d OUT -j 1` on two sample files, once for the module."""
    base = tmp_path_factory.mktemp("cli_run")
    cache = tmp_path_factory.getbasetemp() / "cache"  # conftest's cache (its fixture runs later)
    cache.mkdir(exist_ok=True)
    corpus = base / "corpus"
    corpus.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(SAMPLE / name, corpus / name)
    outdir = base / "out"
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDMINE_CACHE", str(cache))
        result = runner.invoke(cli, ["pipeline", str(corpus), "-d", str(outdir), "-j", "1"])
    assert result.exit_code == 0, result.output
    return SimpleNamespace(corpus=corpus, inputs=[str(corpus)], outdir=outdir, result=result, before=snapshot(outdir))


def copy_out(cli_run, tmp_path) -> str:
    out = tmp_path / "out"
    shutil.copytree(cli_run.outdir, out)  # times kept: the manifest still matches
    return str(out)


def test_a_run_prints_each_step_then_the_summary(cli_run):
    result = cli_run.result
    assert result.stdout == ""
    assert step_lines(result.stderr) == [(name, True, ", ".join(OUTPUTS[name])) for name in STEPS]
    summary = (cli_run.outdir / SUMMARY).read_text(encoding="utf-8")
    head = "".join(line + "\n" for line in result.stderr.splitlines()[: len(STEPS)])
    assert result.stderr == head + "\n" + summary
    assert "| cluster | ran |" in summary and "Top new words (of " in summary
    info = manifest(cli_run.outdir)["steps"]
    assert info["graph"]["info"]["links"] > 100 and info["cluster"]["info"]["modules"] > 10


def test_a_second_run_says_up_to_date(runner, cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "-j", "2"])
    assert result.exit_code == 0, result.output
    lines = [f"wordmine: {name}: up to date ({', '.join(OUTPUTS[name])})" for name in STEPS]
    assert result.stderr.splitlines()[: len(STEPS) + 1] == [*lines, ""]
    assert result.stderr.endswith((tmp_path / "out" / SUMMARY).read_text(encoding="utf-8"))
    assert "| total | 0 ran | 0.0 | |" in result.stderr
    assert snapshot(out) == cli_run.before


def test_the_command_and_the_library_agree_on_the_defaults(cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    result = run_pipeline(cli_run.inputs, out, options=PipelineOptions(jobs=1))
    assert [step.ran for step in result.steps] == [False] * len(STEPS)
    assert snapshot(out) == cli_run.before


def test_quiet_and_the_options_reach_the_library(runner, cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    known = tmp_path / "known.txt"
    known.write_text("星澜科技\n", encoding="utf-8")
    args = ["-n", "3", "--min-count", "3", "--min-pmi", "0,0,5", "--graph-top", "300", "-k", "10", "--min-cosine", "0.5",
            "--graph-seed", "7", "--undirected", "--trials", "2", "--seed", "5", "--errors", "replace", "--encoding", "UTF8",
            "--known", str(known)]
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "-j", "2", "-q", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == result.stderr == ""
    options = PipelineOptions(order=3, min_count=3, min_pmi=(0.0, 0.0, 5.0), graph_top=300, k=10, min_cosine=0.5,
                              graph_seed=7, directed=False, trials=2, seed=5, errors="replace", known=(str(known),))
    steps = manifest(out)["steps"]
    for name in STEPS:
        assert steps[name]["params"] == json.loads(json.dumps(options.params(name))), name
    assert steps["cluster"]["params"] == {"directed": False, "trials": 2, "seed": 5}
    assert steps["graph"]["params"]["seed"] == 7
    assert steps["graph"]["info"]["words"] == 300
    with open(os.path.join(out, "clusters.json"), encoding="utf-8") as f:
        clusters = json.load(f)
    assert (clusters["directed"], clusters["trials"], clusters["seed"]) == (False, 2, 5)
    # The library with the same options (the known-word list among them) finds everything up to date.
    assert [s.ran for s in run_pipeline(cli_run.inputs, out, options=options).steps] == [False] * len(STEPS)


def test_from_and_until(runner, cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "--from", "cluster", "--trials", "2"])
    assert result.exit_code == 0, result.output
    assert step_lines(result.stderr) == [("cluster", True, "modules.tsv, clusters.json"), ("report", True, "report.html")]
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "--until", "ngrams", "--force"])
    assert result.exit_code == 0, result.output
    assert step_lines(result.stderr) == [("count", True, "words.tsv"), ("ngrams", True, "ngrams.npz")]
    assert "Top new words" not in result.stderr and "clusters of" not in result.stderr


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["-"], "新词发现\n", "(stdin cannot be read twice)\n"),
        ([], "新词发现\n", "(stdin cannot be read twice)\n"),
        (["CORPUS", "--from", "cluster", "--until", "count"], None, "Error: --from cluster comes after --until count\n"),
        (["CORPUS", "--from", "clustering"], None, "Invalid value for '--from': 'clustering' is not one of"),
        (["CORPUS", "--trials", "0"], None, "Invalid value for '--trials'"),
        (["CORPUS", "--min-count", "0"], None, "'0' is neither 'auto' nor a positive integer"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(runner, cli_run, tmp_path, args, stdin, message):
    out = tmp_path / "out"
    args = [str(cli_run.corpus) if a == "CORPUS" else a for a in args]
    result = runner.invoke(cli, ["pipeline", *args, "-d", str(out)], input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert not out.exists()


def test_an_outdir_is_required(runner, cli_run):
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs])
    assert result.exit_code == 2 and "Missing option '-d' / '--outdir'" in result.stderr


def test_an_undecodable_file_exits_1_naming_it(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TINY_TEXT, encoding="utf-8")
    bad = corpus / "b.txt"
    bad.write_bytes(TINY_TEXT.encode("gbk"))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["pipeline", str(corpus), "-d", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert f"Error: {bad}:1: not valid UTF-8 (byte 0xd0 at byte 1 of the line); if it is GBK" in result.stderr
    assert os.listdir(out) == [".lock"]  # the count step failed: no file, no manifest
    # Read as GB18030 it counts (the UTF-8 file is valid GB18030 too, if garbled).
    result = runner.invoke(cli, ["pipeline", str(bad), "-d", str(out), "-j", "1", "-q", "--encoding", "gb18030", "--until", "count"])
    assert result.exit_code == 0, result.output
    assert read_counts(str(out / "words.tsv"))["新词"] == 2


def test_missing_files_exit_1(runner, cli_run, tmp_path):
    result = runner.invoke(cli, ["pipeline", str(tmp_path / "none.txt"), "-d", str(tmp_path / "out")])
    assert result.exit_code == 1 and f"Error: {tmp_path / 'none.txt'}: no such file or directory\n" == result.stderr
    out = tmp_path / "empty"
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", str(out), "--from", "graph"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out / 'segmented.txt'}: missing; run the step that makes it (without --from)\n"


@pytest.mark.skipif(os.name == "nt", reason="fcntl.flock is POSIX")
def test_a_locked_outdir_exits_75(runner, cli_run, tmp_path):
    import fcntl

    out = copy_out(cli_run, tmp_path)
    with open(os.path.join(out, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("pid 4242, started 2024-01-01 03:00:00\n")
        lock.flush()
        result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "--force"])
        assert result.exit_code == 75
        assert result.stdout == ""
        assert result.stderr == (
            f"Error: {out}: another wordmine pipeline is running there (pid 4242, started 2024-01-01 03:00:00); "
            "wait for it to finish, or give another output directory\n"
        )
        result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "-q"])  # -q too: it is an error
        assert result.exit_code == 75 and "another wordmine pipeline is running there" in result.stderr
        assert snapshot(out) == cli_run.before
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "-q"])
    assert result.exit_code == 0 and result.stderr == ""


def test_the_installed_command(cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    command = installed_command()
    done = subprocess.run([command, "pipeline", *cli_run.inputs, "-d", out, "-q"], capture_output=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    help_text = subprocess.run([command, "pipeline", "--help"], capture_output=True, text=True, check=True).stdout
    assert "exit status 75" in help_text and "--from [count|ngrams|discover|segment|graph|cluster|report]" in help_text
    assert snapshot(out) == cli_run.before


def parses(path: str, name: str) -> None:
    """Read a file of OUTDIR with the reader of its kind (each raises on a truncated file)."""
    if name == "words.tsv":
        assert read_counts(path)
    elif name == "ngrams.npz":
        assert NgramTable.load(path).n == 5
    elif name == "discovered.tsv":
        assert read_words(path)
    elif name == "userdict.txt":
        assert read_userdict(path)
    elif name == "segmented.txt":
        with open(path, encoding="utf-8") as f:
            assert f.read().endswith("\n")
    elif name == "graph.tsv":
        assert read_graph(path).n > 0
    elif name == "modules.tsv":
        assert read_modules(path)
    elif name == "report.html":
        with open(path, encoding="utf-8") as f:
            assert f.read().endswith("</html>\n")
    else:
        with open(path, encoding="utf-8") as f:
            assert json.load(f)["num_modules"] > 0


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals and process groups")
@pytest.mark.parametrize("over, sig", [("empty", signal.SIGKILL), ("finished", signal.SIGKILL), ("empty", signal.SIGTERM)])
def test_a_killed_run_leaves_complete_files_and_the_next_run_finishes_the_job(runner, cli_run, tmp_path, over, sig):
    out = tmp_path / "out"
    if over == "finished":
        shutil.copytree(cli_run.outdir, out)

    def manifest_time():
        return os.stat(out / MANIFEST).st_mtime_ns if (out / MANIFEST).exists() else None

    before = manifest_time()
    command = [sys.executable, "-m", "wordmine", "pipeline", *cli_run.inputs, "-d", str(out), "-j", "2", "--force", "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing check
        while manifest_time() == before:  # the first step finished: the next one is running
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.002)
        if sig == signal.SIGKILL:
            os.killpg(proc.pid, sig)  # the workers too, as the OOM killer or `kill -9 -PGID` would
        else:
            proc.send_signal(sig)  # as `timeout` does
        stderr = proc.communicate(timeout=120)[1].decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 143
        assert "wordmine: terminated; the steps that finished kept their files; run it again to finish" in stderr
        assert [name for name in os.listdir(out) if name.endswith(".tmp")] == []  # cleaned up

    # Every file there is complete: it reads, and it is the file of a clean run.
    killed = manifest(out)
    assert "count" in killed["steps"]
    for name in FILES:
        path = out / name
        if path.exists():
            parses(str(path), name)
            assert same_content(path, cli_run.outdir / name, name), name
    if over == "finished":  # --force: count ran again (and the manifest says so)
        assert killed["steps"]["count"]["outputs"]["words.tsv"][1] == os.stat(out / "words.tsv").st_mtime_ns
        assert os.stat(out / "words.tsv").st_mtime_ns != cli_run.before["words.tsv"][1]
    if over == "empty":
        # The manifest records the steps that finished: a prefix of the steps, with their files.
        recorded = list(killed["steps"])
        assert recorded == list(STEPS[: len(recorded)]) and len(recorded) < len(STEPS)
        for step in recorded:
            for name in OUTPUTS[step]:
                stat = os.stat(out / name)
                assert killed["steps"][step]["outputs"][name] == [stat.st_size, stat.st_mtime_ns]

    # The next run does what is left, and ends with the files of a clean run.
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert step_lines(result.stderr)[0] == ("count", False, "words.tsv")
    if over == "empty":
        assert step_lines(result.stderr) == [(s, s not in recorded, ", ".join(OUTPUTS[s])) for s in STEPS]
    for name in FILES:
        assert same_content(out / name, cli_run.outdir / name, name), name
    again = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", str(out), "-j", "2"])
    assert [ran for _, ran, _ in step_lines(again.stderr)] == [False] * len(STEPS)


def test_no_discovered_words_give_an_empty_graph_not_a_usage_error(runner, cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    with open(os.path.join(out, "discovered.tsv"), "w", encoding="utf-8") as f:
        f.write("word\tcount\tcohesion\tleft_entropy\tright_entropy\tjieba_lift\tkind\n")  # no word left
    result = runner.invoke(cli, ["pipeline", *cli_run.inputs, "-d", out, "--from", "graph"])
    assert result.exit_code == 0 and "Usage:" not in result.stderr
    assert "no words were discovered: the word graph has no nodes" in result.stderr
    with open(os.path.join(out, "graph.tsv"), encoding="utf-8") as f:
        assert f.read() == "# source\ttarget\tweight\n"


# --- --slices ----------------------------------------------------------------------------------


def test_slices_adds_the_trend_step_and_only_it_and_the_report_run(runner, cli_run, tmp_path):
    out = copy_out(cli_run, tmp_path)
    files = [str(cli_run.corpus / name) for name in reversed(CORPUS_FILES)]  # two slices: sport, travel
    result = runner.invoke(cli, ["pipeline", *files, "-d", out, "-j", "1", "--slices"])
    assert result.exit_code == 0, result.output
    lines = step_lines(result.stderr)
    assert [name for name, _, _ in lines] == ["count", "ngrams", "discover", "segment", "trend", "graph", "cluster", "report"]
    assert [name for name, ran, _ in lines if ran] == ["trend", "report"]
    assert lines[4][2] == "bursts.tsv, slice_totals.tsv, slice_counts.tsv"
    with open(os.path.join(out, "slice_counts.tsv"), encoding="utf-8") as f:
        assert f.readline() == "word\tsport\ttravel\n"
    assert "2 time slices, sport to travel" in result.stderr
    again = runner.invoke(cli, ["pipeline", *files, "-d", out, "-j", "1", "--slices", "-q"])
    assert again.exit_code == 0 and again.stderr == ""


@pytest.mark.parametrize("args, message", [
    (["CORPUS"], "Error: a trend needs at least 2 time slices, and with --slices each INPUT is one: 1 given\n"),
    (["CORPUS", "CORPUS/../corpus/"], "are both slice 'corpus'; give each slice its own name"),
])
def test_slices_need_two_inputs_of_their_own_names(runner, cli_run, tmp_path, args, message):
    out = tmp_path / "out"
    args = [a.replace("CORPUS", str(cli_run.corpus)) for a in args]
    result = runner.invoke(cli, ["pipeline", *args, "-d", str(out), "--slices"])
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr
    assert not out.exists()
