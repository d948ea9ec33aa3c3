"""The Dask engine (``--engine dask``): the same bytes as the local engine, on a real scheduler and
two workers started here (127.0.0.1, free ports, stopped after), through a worker killed in the
middle of a run, and on a local cluster; the errors of a missing extra or scheduler.

Skipped only when the dask extra is absent (``pip install 'wordmine[dask]'``; CI installs it).
"""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, installed_command
from wordmine import daskengine
from wordmine.cli import cli

needs_dask = pytest.mark.skipif(not daskengine.available(), reason="the dask extra is not installed")

#: How long the scheduler and workers get to start (s): each takes 1-3 s on a busy 2-core box.
_START = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_command(*args: str) -> list[str]:
    """The ``dask`` script beside the running Python (as the package installed it)."""
    return [str(Path(sys.executable).parent / "dask"), *args]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """A corpus of 0.6 MB: a large file the workers read by byte spans, small and gzip files
    that travel as text."""
    d = tmp_path_factory.mktemp("dask-corpus")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    lines = [line for text in texts for line in text.splitlines()]
    big = d / "big.txt"
    with open(big, "w", encoding="utf-8") as f:
        for i in range(2):
            f.writelines(line + "\n" for line in lines[i::2] + lines[1 - i % 2 :: 3])
    (d / "small.txt").write_text(texts[0], encoding="utf-8")
    (d / "more.txt.gz").write_bytes(gzip.compress(texts[1].encode("utf-8")))
    return [str(big), str(d / "small.txt"), str(d / "more.txt.gz")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A ``dask scheduler`` and two ``dask worker`` processes (one thread each) on 127.0.0.1."""
    if not daskengine.available():
        pytest.skip("the dask extra is not installed")
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    log_dir = tmp_path_factory.mktemp("dask-logs")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    procs: list = []
    logs: list = []

    def start(name: str, *args: str) -> None:
        logs.append(open(log_dir / f"{name}.log", "wb"))
        procs.append(subprocess.Popen(_dask_command(*args), env=env, stdin=subprocess.DEVNULL, stdout=logs[-1],
                                      stderr=subprocess.STDOUT, start_new_session=True))

    client = None
    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        for i in range(2):
            start(f"worker{i}", "worker", address, "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1",
                  "--no-dashboard", "--name", f"w{i}")
        client = Client(address, timeout=_START)
        client.wait_for_workers(2, timeout=_START)
        yield client
    finally:
        if client is not None:
            client.close()
        for p in procs:  # the scheduler and the nannies, and their worker processes (own sessions)
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        for f in logs:
            f.close()


def _run(*args: str, env: dict | None = None) -> bytes:
    done = subprocess.run([installed_command(), *args, "-q"], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    return done.stdout


@needs_dask
@pytest.mark.parametrize("command", [
    ["count"], ["ngrams", "-n", "3", "--format", "tsv"], ["discover", "-n", "3"],
    ["kwic", "-w", "的", "-w", "新词", "-w", "发现", "--per-word", "50"],
])
def test_commands_write_the_local_bytes(cluster, corpus, command):
    local = _run(*command, *corpus, "-j", "2")
    assert len(local.splitlines()) > 100
    address = cluster.scheduler.address
    assert _run(*command, *corpus, "--engine", "dask", "--scheduler", address) == local
    if command == ["count"]:  # the scheduler named by the environment
        small = _run(*command, corpus[1], "-j", "1")
        assert _run(*command, corpus[1], "--engine", "dask", env={**os.environ, "WORDMINE_SCHEDULER": address}) == small


@needs_dask
def test_ngram_runs_merged_by_ranges_on_the_workers(cluster, corpus, tmp_path):
    """Many runs (small batches) merged in many key ranges (little memory) on the workers."""
    import wordmine

    options = dict(batch_bytes=64 << 10, memory="1M", tmp_dir=str(tmp_path))
    local = wordmine.count_ngrams(corpus, 4, jobs=2, **options)
    distributed = wordmine.count_ngrams(corpus, 4, engine=cluster, **options)
    assert distributed.symbols == local.symbols and distributed == local
    for table, name in ((local, "a.npz"), (distributed, "b.npz")):
        table.save(str(tmp_path / name))
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


#: Pipeline files that say when or how fast they were made.
_DATED = ("manifest.json", "summary.md", "report.html", ".lock")


@needs_dask
def test_pipeline_writes_the_local_files(cluster, corpus, tmp_path):
    from wordmine.pipeline import PipelineOptions, run_pipeline

    out = tmp_path / "out"  # both runs write there: a report may name its directory
    for name, engine in (("local", "local"), ("dask", cluster)):
        run_pipeline(corpus[:2], str(out), options=PipelineOptions(jobs=2, engine=engine, graph_top=200, dim=16, trials=2))
        out.rename(tmp_path / name)
    files = sorted(p.name for p in (tmp_path / "local").iterdir() if p.name not in _DATED)
    assert "segmented.txt" in files and "modules.tsv" in files
    for name in files:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


@needs_dask
def test_a_worker_killed_in_a_run_loses_nothing(cluster, corpus, tmp_path):
    """SIGKILL to a worker process while it counts: its tasks run again elsewhere, same counts."""
    import wordmine

    expected = wordmine.count_words(corpus, jobs=2, batch_bytes=32 << 10)
    victim, pid = sorted(cluster.run(os.getpid).items())[0]
    result: dict = {}

    def count():
        try:
            result["counts"] = wordmine.count_words(corpus, engine=cluster, batch_bytes=32 << 10)
        except BaseException as err:  # noqa: BLE001 - handed to the test's thread
            result["error"] = err

    thread = threading.Thread(target=count)
    thread.start()
    deadline = time.monotonic() + 60
    while not cluster.processing().get(victim) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cluster.processing().get(victim), "the victim got no task"
    os.kill(pid, signal.SIGKILL)
    thread.join(240)
    assert "error" not in result, result.get("error")
    assert list(result["counts"].items()) == list(expected.items())
    cluster.wait_for_workers(2, timeout=_START)  # the nanny starts a new worker process


@needs_dask
def test_segment_writes_the_local_bytes(cluster, corpus, tmp_path):
    import wordmine

    vocabulary = [(w, c) for w, c in wordmine.count_words(corpus[1:], jobs=1).most_common(3000)]
    out_local, out_dask = tmp_path / "local.seg", tmp_path / "dask.seg"
    wordmine.segment_corpus(corpus, str(out_local), vocabulary=vocabulary, jobs=2, batch_bytes=64 << 10)
    wordmine.segment_corpus(corpus, str(out_dask), vocabulary=vocabulary, engine=cluster, batch_bytes=64 << 10)
    assert out_dask.read_bytes() == out_local.read_bytes()


@needs_dask
def test_local_cluster_of_jobs_workers(corpus, runner):
    """Without a scheduler, --engine dask starts a local cluster of -j workers."""
    local = runner.invoke(cli, ["count", *corpus, "-j", "2", "-q"])
    result = runner.invoke(cli, ["count", *corpus, "-j", "2", "-q", "--engine", "dask"])
    assert result.exit_code == 0, result.output
    assert result.stdout == local.stdout


def test_dask_missing_is_a_usage_error(runner, tiny_corpus, monkeypatch):
    monkeypatch.setattr(daskengine, "available", lambda: False)
    result = runner.invoke(cli, ["count", str(tiny_corpus), "--engine", "dask"])
    assert result.exit_code == 2
    assert "pip install 'wordmine[dask]'" in result.stderr


def test_scheduler_needs_the_dask_engine(runner, tiny_corpus):
    result = runner.invoke(cli, ["ngrams", str(tiny_corpus), "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "--engine dask" in result.stderr


@needs_dask
def test_unreachable_scheduler_is_an_error_naming_it(runner, tiny_corpus, monkeypatch):
    monkeypatch.setattr(daskengine, "_CONNECT_SECONDS", 2)
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = runner.invoke(cli, ["count", str(tiny_corpus), "--engine", "dask", "--scheduler", address, "-q"])
    assert result.exit_code == 1
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr


def test_dask_is_imported_only_when_asked_for():
    code = "import sys, wordmine, wordmine.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


class _FakeLibc:
    """mallopt and malloc_trim, recorded."""

    def __init__(self):
        self.calls: list = []

    def mallopt(self, param, value):
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


def _heap_task(libc):
    with daskengine._LOCK, daskengine._heap_kept():
        return list(libc.calls)


def test_a_task_keeps_its_heap_and_an_idle_worker_gives_it_back(monkeypatch):
    """Under a nanny's MALLOC_TRIM_THRESHOLD_, a task gets the thresholds a local worker reaches,
    the nanny's come back after it, and the heap is trimmed once no task came for a while."""
    libc = _FakeLibc()
    monkeypatch.setattr(daskengine, "_LIBC", [libc])
    monkeypatch.setattr(daskengine, "_IDLE_TRIM_SECONDS", 0.05)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    during = _heap_task(libc)
    assert during == [("mallopt", -3, 32 << 20), ("mallopt", -1, 64 << 20)]
    assert libc.calls[2:] == [("mallopt", -3, 128 << 10), ("mallopt", -1, 65536)]
    _heap_task(libc)  # the next task within the idle time: no trim in between
    assert ("malloc_trim", 0) not in libc.calls
    deadline = time.monotonic() + 10
    while ("malloc_trim", 0) not in libc.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert libc.calls.count(("malloc_trim", 0)) == 1
    libc.calls.clear()
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")  # no nanny: glibc's dynamic thresholds, untouched
    assert _heap_task(libc) == [] and libc.calls == []


def _page_faults_of_big_arrays() -> int:
    """Minor page faults of this thread while it makes and frees 20 arrays of 8 MB."""
    import resource

    import numpy as np

    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(20):
        np.ones(1 << 20, dtype=np.uint64).sum()
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


@needs_dask
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's thresholds")
def test_a_nanny_worker_reuses_the_heap_in_a_task(cluster):
    """Not a fresh mmap per array, as the nanny's variable alone makes it: 10,320 faults then
    (about 500 an array: some of its pages huge), 0-512 with the heap kept (the first array's)."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        future = cluster.submit(daskengine._run, None, lambda _: _page_faults_of_big_arrays(), None, "test", None,
                                pure=False)
        faults = future.result(timeout=_START)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert faults < 2048, faults
