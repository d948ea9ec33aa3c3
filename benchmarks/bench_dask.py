"""bench_dask: the Dask engine against the local one, at 105 MiB (the whole news corpus).

For ``count`` and ``ngrams``: ``wordmine STEP CORPUS -j 2`` (the local engine), then the same
command with ``--engine dask --scheduler ADDRESS`` against a ``dask scheduler`` and two
``dask worker --nthreads 1`` processes started beforehand on 127.0.0.1 (as a cluster would be),
then ``--engine dask -j 2`` (a local cluster started by the command, its start-up included).
It reports wall seconds, their ratio to the local engine (target: at most 1.15), whether the
outputs are byte-identical, and the peak RSS of the client process alone (target: at most
300 MB; with a scheduler the client has no child processes, so its tree is itself).

Run it under the benchmark lock (the machine's 2 cores are shared)::

    flock /tmp/wordmine-bench.lock .venv/bin/python benchmarks/bench_dask.py
"""

from __future__ import annotations

import filecmp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import MB, NEWS, RESULTS, bench_parser, machine, publish, require, timed, whole  # noqa: E402

BIN = Path(sys.executable).parent
#: The commands measured: (name, arguments after the corpus, output file name, runs). An 8 s
#: ngrams run varies by a quarter from run to run on a 2-core box (the engines' start, the page
#: cache): its engines run three times, interleaved, and the medians are compared.
STEPS = [("count", ["count"], "words.tsv", 1), ("ngrams", ["ngrams", "-n", "4"], "ngrams.npz", 3)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(logs: Path) -> tuple[str, list]:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    procs = []
    for name, args in [("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])] + [
        (f"worker{i}", ["worker", address, "--nthreads", "1", "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard"])
        for i in range(2)
    ]:
        out = open(logs / f"{name}.log", "wb")
        procs.append(subprocess.Popen([str(BIN / "dask"), *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
    return address, procs


def cluster_cpu(procs: list) -> float:
    """CPU seconds (user + system) used so far by the cluster's processes: the scheduler, the
    nannies and their worker processes (alive, so their own counts, from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [p.pid for p in procs]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime: fields 14 and 15
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # ended meanwhile
    return total


def timed_cpu(cmd: list[str], cluster: list) -> common.Run:
    """:func:`common.timed_tree`, but for a process that has children of its own to keep (the
    cluster): it waits only for the orphans of ``cmd``'s tree (a fork server, a local cluster's
    nannies), not for every child, so the CPU of the whole tree is counted."""
    import resource
    import time

    common._become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = timed(cmd)
    keep = {p.pid for p in cluster}
    deadline = time.monotonic() + 60  # a fork server ends once its parent is gone
    while time.monotonic() < deadline:
        orphans = [c for c in _children() if c not in keep]
        if not orphans:
            break
        for pid in orphans:
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.01)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return run


def _children() -> list[int]:
    pids = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            pids.extend(int(c) for c in f.read().split())
    return pids


def stop_cluster(procs: list) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(30)


#: The steps of the estimate (the report, which reads the outputs once more, is left out).
STEPS_ON_PAPER = ("count", "ngrams", "discover", "segment", "graph", "cluster")


def pipeline_1gib() -> dict[str, tuple[float, float]]:
    """bench_pipeline's latest 1 GiB row in RESULTS.md (-j 2): wall and CPU seconds of each step.

    Its section has a table of wall seconds, then one of CPU seconds, both with the steps as
    columns after ``MiB``; the row of 1024 MiB is read from each.
    """
    text = RESULTS.read_text(encoding="utf-8")
    section = text[text.index("<!-- bench_pipeline -->") : text.index("<!-- /bench_pipeline -->")]
    tables: list[dict[str, float]] = []
    header: list[str] = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "MiB":
            header = cells
        elif cells[0] == "1024" and header:
            tables.append({name: float(value.strip("*")) for name, value in zip(header[1:], cells[1:]) if name in STEPS_ON_PAPER})
    wall, cpu = tables[0], tables[1]  # the third table, peak RSS, is not needed
    return {step: (wall[step], cpu[step]) for step in STEPS_ON_PAPER}
#: Steps whose parallel part is not split into batches on the cluster but runs on the threads of
#: the command's own machine (the graph's PPMI, SVD and nearest neighbours, after its
#: co-occurrence count: counted here with all of its parallel part on one machine, the worse case).
ONE_MACHINE = {"graph", "cluster"}


#: What each step does in the command's own process, beside its workers.
SERIAL = {
    "count": "the client adding 4096 batch counters of 256 KiB and writing the table",
    "ngrams": "the client planning the merge and writing the table",
    "discover": "the cohesion of the candidates and the description of the words",
    "segment": "the client writing the segmented text in order",
    "graph": "the PPMI matrix, the SVD and the neighbours",
    "cluster": "InfoMap, one process",
}


def estimate(machines: int = 8, cores: int = 16, ratio: float = 1.0) -> str:
    """The 1 GiB pipeline on ``machines`` x ``cores``, on paper, from the 2-core measurements.

    With 2 workers, wall = serial + parallel / 2 and CPU = serial + parallel, so serial =
    2 x wall - CPU (an upper bound: imperfect use of the 2 cores counts as serial). On the
    cluster a step takes serial + ratio x parallel / (its cores), ``ratio`` being the measured
    dask / local wall ratio (scheduling, shared reads, results through the network).
    """
    rows, total = [], 0.0
    for step, (wall, cpu) in pipeline_1gib().items():
        serial = min(cpu, max(0.0, 2 * wall - cpu))
        parallel = cpu - serial
        width = cores if step in ONE_MACHINE else machines * cores
        seconds = serial + ratio * parallel / width
        total += seconds
        rows.append((step, wall, serial, parallel, width, seconds))
    lines = [
        f"On paper: the 1 GiB pipeline on {machines} machines x {cores} cores ({machines * cores} Dask workers), from "
        "bench_pipeline's 1 GiB row (wall and CPU seconds of each step with 2 workers). With 2 workers, wall = serial "
        "+ parallel / 2 and CPU = serial + parallel, so each step's serial part (the client's merges and writing, "
        "the steps that run in the command's process) is 2 x wall - CPU, an upper bound; the parallel part then "
        f"runs on the cluster at the measured dask / local wall ratio ({ratio:.2f}, the worst of count and ngrams "
        "above), the graph's on the 16 cores of one machine (its SVD and neighbours are threads of the command).",
        "",
        "| step | 2 cores, wall s | serial s | parallel CPU s | cores | estimate s |",
        "|---|---:|---:|---:|---:|---:|",
        *(f"| {s} | {w:.1f} | {se:.1f} | {p:.1f} | {c} | {e:.1f} |" for s, w, se, p, c, e in rows),
        f"| **total** | {sum(r[1] for r in rows):.1f} | | | | **{total:.1f}** |",
        "",
    ]
    top, *others = sorted(rows, key=lambda r: -r[5])
    nxt = sorted(others, key=lambda r: -r[2])[:2]
    lines.append(
        f"About {total:.0f} s instead of {sum(r[1] for r in rows):.0f} s ({sum(r[1] for r in rows) / total:.0f}x). "
        f"{top[0]} would dominate ({top[5]:.0f} s), and in it the serial part ({top[2]:.0f} s: {SERIAL[top[0]]}), "
        "not the work spread over the workers; then the serial parts of "
        + " and ".join(f"{r[0]} ({r[2]:.0f} s: {SERIAL[r[0]]})" for r in nxt)
        + ". Not counted: the start of the workers (a few seconds, once) and reading 1 GiB six times from the "
        "shared file system (about 1 s per pass at 1 GB/s)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = bench_parser(__doc__)
    args = parser.parse_args()
    corpus = whole(args.cache, require(NEWS))
    size_mb = corpus.stat().st_size / MB
    wordmine = str(BIN / "wordmine")
    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    address, procs = start_cluster(work)
    rows = []
    worst = 0.0
    try:
        for name, command, output, repeat in STEPS:
            runs: dict = {}  # engine -> ([runs], output)
            for attempt in range(repeat):
                for i, (engine, extra) in enumerate((("local -j 2", ["-j", "2"]),
                                                     ("dask, 2 workers", ["--engine", "dask", "--scheduler", address]),
                                                     ("dask, local cluster -j 2", ["--engine", "dask", "-j", "2"]))):
                    out = work / f"{name}-{i}-{attempt}-{output}"
                    before = cluster_cpu(procs)
                    run = timed_cpu([wordmine, *command, str(corpus), *extra, "-q", "-o", str(out)], procs)
                    if "--scheduler" in extra:  # the work done by the cluster started beforehand
                        run.cpu_seconds += cluster_cpu(procs) - before
                    if run.returncode != 0:
                        raise SystemExit(f"{name} {engine} failed: {run.stderr}")
                    runs.setdefault(engine, ([], out))[0].append(run)
                    print(f"{name} {engine}: {run.seconds:.1f} s, {run.cpu_seconds:.1f} CPU s, "
                          f"peak RSS {run.peak_rss / MB:.0f} MiB", file=sys.stderr)
            base_runs, base_out = runs["local -j 2"]
            base = statistics.median(r.seconds for r in base_runs)
            for engine, (engine_runs, out) in runs.items():
                seconds = statistics.median(r.seconds for r in engine_runs)
                if engine == "dask, 2 workers":
                    worst = max(worst, seconds / base)
                same = "yes" if filecmp.cmp(out, base_out, shallow=False) else "**no**"
                rss = f"{max(r.peak_rss for r in engine_runs) / MB:.0f}" + (" (client)" if engine == "dask, 2 workers" else "")
                spread = f" ({min(r.seconds for r in engine_runs):.1f}-{max(r.seconds for r in engine_runs):.1f})" if repeat > 1 else ""
                cpu = statistics.median(r.cpu_seconds for r in engine_runs)
                rows.append(f"| {name} | {engine} | {seconds:.1f}{spread} | {seconds / base:.2f} | {cpu:.1f} | {same} | {rss} |")
    finally:
        stop_cluster(procs)
        shutil.rmtree(work, ignore_errors=True)  # 1.8 GB of outputs and runs
    report = "\n".join([
        "## bench_dask: the Dask engine against the local one",
        "",
        f"`flock /tmp/wordmine-bench.lock python benchmarks/bench_dask.py`; {machine()}. Corpus: the whole news_xwlb "
        f"corpus ({size_mb:.0f} MiB). *local -j 2*: the process pool; *dask, 2 workers*: a `dask scheduler` and two "
        "`dask worker --nthreads 1` started beforehand on 127.0.0.1 (`--engine dask --scheduler ADDRESS`); *dask, local "
        "cluster*: `--engine dask -j 2`, its start-up included. Peak RSS: the command's process tree, which for "
        "*dask, 2 workers* is the client alone (targets: wall ratio at most 1.15, client at most 300 MB = 286 MiB).",
        "",
        "Wall seconds: one run of count, the median (min-max) of three interleaved runs of ngrams. CPU seconds (user "
        "+ system, median): the command's process tree, and for *dask, 2 workers* the scheduler, nannies and "
        "workers' too (what they used during the run): less noisy than wall time on a shared 2-core box.",
        "",
        "| step | engine | wall s | / local | CPU s | same bytes | peak RSS MiB |",
        "|---|---|---:|---:|---:|---|---:|",
        *rows,
        "",
        estimate(ratio=max(worst, 1.0)),
    ])
    publish("bench_dask", report, not args.no_write)


if __name__ == "__main__":
    main()
