"""The engine's worker processes, seen from outside: they die with the parent, stop quietly on SIGTERM.

Each test runs a small script that uses :func:`wordmine.parallel.map_batches` in its own session (so the
test can list and clean up every process it made), kills or terminates it the way the OOM
killer, ``timeout`` or an operator would, and then looks at what is left. All waits are bounded
polls: nothing here asserts how fast anything happens.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self/task") or not hasattr(os, "getsid"),
    reason="lists the processes of a session through /proc (Linux)",
)

#: Upper bound of every wait (s): starting a fork server that imports numpy and jieba takes about
#: a second on a loaded 2-core box; a generous bound keeps the tests from flaking, and a test that
#: passes never waits for it.
BOUND = 60.0
#: How long processes may take to go away after their parent died (s): the bound issue 11 sets;
#: they normally go within about a second (the resource tracker cleans up first).
GONE = 10.0

SCRIPT = textwrap.dedent(
    '''
    """Run wordmine.parallel.map_batches the way the CLI does: SIGTERM raises, the handler prints one line."""
    import multiprocessing, os, signal, struct, sys, time

    from wordmine import parallel

    # Workers run this module too (as __mp_main__, with the same argv) before they start.
    if "noprctl" in sys.argv[1]:  # as on macOS: the workers watch their parent with a thread
        parallel._set_parent_death_signal = lambda signum: False
    if "spawn" in sys.argv[1]:  # as where there is no fork server
        parallel._context = lambda: multiprocessing.get_context("spawn")


    class Terminated(BaseException):
        pass


    def on_sigterm(signum, frame):
        raise Terminated()


    def add(total, part):
        return total + part


    def mark(directory):
        with open(os.path.join(directory, f"{os.getpid()}.run"), "w"):
            pass


    def slow(batch):
        directory, _ = batch
        mark(directory)
        time.sleep(600)
        return 1


    def stall(batch):
        """Send the start of a result and hang: as a worker killed while it sends a big result."""
        directory, _ = batch
        frame = sys._getframe(1)
        while "result_queue" not in frame.f_locals:  # the executor's _process_worker
            frame = frame.f_back
        writer = frame.f_locals["result_queue"]._writer
        os.write(writer.fileno(), struct.pack("!i", 1 << 20) + b"the first bytes of 1 MiB")
        mark(directory)
        time.sleep(600)


    def report(_batch):
        import numpy

        square = numpy.ones((300, 300))
        square @ square  # OpenBLAS starts its thread pool at the first product big enough
        threads = len(os.listdir("/proc/self/task"))
        return {(os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"), threads)}


    def union(total, part):
        return total | part


    if __name__ == "__main__":
        mode, directory = sys.argv[1], sys.argv[2]
        signal.signal(signal.SIGTERM, on_sigterm)
        try:
            if mode == "blas":
                print(sorted(parallel.map_batches(range(8), report, union, set(), jobs=2)))
                print(os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"))
            else:
                func = {"slow": slow, "stall": stall}[mode.split("-")[0]]
                print("starting", flush=True)
                parallel.map_batches(((directory, i) for i in range(100)), func, add, 0, jobs=2)
        except Terminated:
            print("terminated", file=sys.stderr)
            sys.exit(143)
    '''
)


def _session(sid: int) -> list[str]:
    """The live processes of session ``sid`` (zombies are dead: only not yet reaped)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            continue
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            found.append(f"{name} {state} {cmdline}")
    return found


def _wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def engine(tmp_path):
    """Start the script in a new session; yields a starter; kills whatever is left afterwards."""
    script = tmp_path / "engine.py"
    script.write_text(SCRIPT, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    started = []

    def start(mode: str, **env: str) -> subprocess.Popen:
        environ = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), **env}
        proc = subprocess.Popen(
            [sys.executable, str(script), mode, str(marks)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=environ, text=True,
        )
        started.append(proc)
        return proc

    start.marks = marks
    yield start
    for proc in started:
        for line in _session(proc.pid):  # only processes of the sessions this test started
            try:
                os.kill(int(line.split()[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _running_workers(marks: Path, count: int) -> bool:
    return _wait_until(lambda: len(list(marks.glob("*.run"))) >= count, BOUND)


@pytest.mark.parametrize("mode", ["slow", "slow-noprctl", "slow-spawn-noprctl"])
def test_workers_fork_server_and_tracker_die_with_a_killed_parent(engine, mode):
    proc = engine(mode)
    assert _running_workers(engine.marks, 2), proc.stderr.read() if proc.poll() is not None else "no worker ran"
    assert len(_session(proc.pid)) >= 3  # the parent, two workers (the fork server, the resource tracker)
    os.kill(proc.pid, signal.SIGKILL)  # as the OOM killer or `timeout -s KILL` would
    proc.wait()
    assert _wait_until(lambda: not _session(proc.pid), GONE), _session(proc.pid)


def test_sigterm_while_workers_run_is_quiet_and_leaves_nothing(engine):
    proc = engine("slow")
    assert _running_workers(engine.marks, 2)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=BOUND)
    assert (proc.returncode, err) == (143, "terminated\n")
    assert _wait_until(lambda: not _session(proc.pid), GONE), _session(proc.pid)


def test_sigterm_while_a_worker_starts_is_quiet_and_leaves_nothing(engine):
    # The first worker starts while the fork server still imports numpy and jieba: a SIGTERM
    # then used to abort the start half-way, and the half-started worker printed an
    # UnpicklingError (or FileNotFoundError) traceback, or lived on, blocked, after the parent.
    proc = engine("slow")
    assert proc.stdout.readline() == "starting\n"
    # The fork server exists: the parent now waits for it to fork the first worker.
    assert _wait_until(lambda: any("forkserver" in line for line in _session(proc.pid)), BOUND)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=BOUND)
    assert (proc.returncode, err) == (143, "terminated\n")
    assert _wait_until(lambda: not _session(proc.pid), GONE), _session(proc.pid)


def test_sigterm_while_a_result_is_half_sent_does_not_hang(engine):
    # A worker killed in the middle of sending its result leaves the parent's reader waiting for
    # the rest; the parent printed "terminated" and then hung at exit, joining that reader.
    proc = engine("stall")
    assert _running_workers(engine.marks, 1)
    os.kill(proc.pid, signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the parent hung after SIGTERM: {_session(proc.pid)}")
    assert (proc.returncode, err) == (143, "terminated\n")


def test_workers_use_one_blas_thread_and_the_parent_keeps_its_environment(engine):
    proc = engine("blas", OPENBLAS_NUM_THREADS="4", OMP_NUM_THREADS="4")
    out, err = proc.communicate(timeout=BOUND)
    assert proc.returncode == 0, err
    workers, parent = out.splitlines()
    # Every worker: both variables say 1, and no BLAS thread runs beside the main thread even
    # after a matrix product (OpenBLAS starts one thread per CPU otherwise).
    assert workers == "[('1', '1', 1)]"
    assert parent == "4 4"
