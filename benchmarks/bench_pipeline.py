"""Benchmark `wordmine pipeline` against the same six steps run as single commands.

In one run, on the first 10 MB (default) of the news corpus in ../shared:

  (a) wordmine pipeline SLICE -d OUT -j 2             every step runs (time per step from the
                                                      manifest, peak RSS of the process tree)
  (b) the same command again                          every step up to date: the cost of a
                                                      cron re-run that has nothing to do
  (c) again with --trials 3                           only cluster runs
  (d) count; ngrams -n 5; discover --ngrams; segment --dict; graph --vocab --top; cluster
      --directed --summary-json, one after the other (the single commands a user would chain)

The ratio a/d is the pipeline's overhead (its manifest, lock and summary); the outputs of (a) and
(d) are compared byte for byte (the pipeline is no second implementation). Results go to
benchmarks/RESULTS.md.

    python benchmarks/bench_pipeline.py [--mb 10] [--jobs 2]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from common import NEWS, bench_parser, machine, news, publish, require, timed

WORDMINE = [sys.executable, "-m", "wordmine"]
COMPARED = ("words.tsv", "ngrams.npz", "discovered.tsv", "userdict.txt", "segmented.txt", "graph.tsv", "modules.tsv",
            "clusters.json")


def single_commands(corpus: Path, out: Path, jobs: int) -> list[tuple[str, list[str]]]:
    j = ["-j", str(jobs), "-q"]
    return [
        ("count", [*WORDMINE, "count", str(corpus), *j, "-o", str(out / "words.tsv")]),
        ("ngrams", [*WORDMINE, "ngrams", str(corpus), "-n", "5", *j, "-o", str(out / "ngrams.npz")]),
        ("discover", [*WORDMINE, "discover", str(corpus), "--ngrams", str(out / "ngrams.npz"), *j,
                      "-o", str(out / "discovered.tsv")]),
        ("userdict", [sys.executable, "-c", (
            "import sys, wordmine; ws = wordmine.read_words(sys.argv[1]); "
            "wordmine.write_words(ws, sys.argv[2], format='jieba', new_only=True)"),
            str(out / "discovered.tsv"), str(out / "userdict.txt")]),
        ("segment", [*WORDMINE, "segment", str(corpus), "--dict", str(out / "discovered.tsv"), *j,
                     "-o", str(out / "segmented.txt")]),
        ("graph", [*WORDMINE, "graph", str(out / "segmented.txt"), "--vocab", str(out / "discovered.tsv"),
                   "--top", "20000", "-q", "-o", str(out / "graph.tsv")]),
        ("cluster", [*WORDMINE, "cluster", str(out / "graph.tsv"), "--directed", "-q", "-o", str(out / "modules.tsv"),
                     "--summary-json", str(out / "clusters.json")]),
    ]


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--mb", type=float, default=10, help="corpus size")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    require(NEWS)
    corpus = news(args.cache, mb=args.mb)
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        out, chain = work / "out", work / "chain"
        chain.mkdir()
        pipeline = [*WORDMINE, "pipeline", str(corpus), "-d", str(out), "-j", str(args.jobs), "-q"]
        runs = {"a": timed(pipeline), "b": timed(pipeline), "c": timed([*pipeline, "--trials", "3"])}
        for key, run in runs.items():
            if run.returncode != 0:
                sys.exit(f"pipeline run ({key}) failed: {run.stderr}")
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        steps = {}
        for name, cmd in single_commands(corpus, chain, args.jobs):
            run = timed(cmd)
            if run.returncode != 0:
                sys.exit(f"{name} failed: {run.stderr}")
            steps[name] = run
        # (a) wrote its files before (c) re-clustered with 3 trials: compare (d) with a fresh
        # cluster of (a)'s graph at the default trials, via the files of the first run.
        same = {}
        for name in COMPARED:
            if name in ("modules.tsv", "clusters.json"):
                continue  # re-written by (c) with --trials 3
            same[name] = (out / name).read_bytes() == (chain / name).read_bytes()
        recheck = timed([*pipeline, "--trials", "1"])  # only cluster again, at the default
        for name in ("modules.tsv", "clusters.json"):
            same[name] = (out / name).read_bytes() == (chain / name).read_bytes()
        report = render(args, corpus, runs, manifest, steps, same, recheck)
        publish("bench_pipeline", report, not args.no_write)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render(args, corpus, runs, manifest, steps, same, recheck) -> str:
    mib = 1 << 20
    chain_seconds = sum(run.seconds for run in steps.values())
    chain_rss = max(run.peak_rss for run in steps.values())
    a, b, c = runs["a"], runs["b"], runs["c"]
    lines = [
        "## bench_pipeline: `wordmine pipeline` against the single commands",
        "",
        f"`python benchmarks/bench_pipeline.py --mb {args.mb:g} --jobs {args.jobs}`; {machine()}; "
        f"corpus: the first {corpus.stat().st_size / mib:.1f} MiB of news_xwlb.",
        "",
        "| run | wall s | peak RSS MiB |",
        "|---|---:|---:|",
        f"| (a) `wordmine pipeline -j {args.jobs}`, every step runs | {a.seconds:.1f} | {a.peak_rss / mib:.0f} |",
        f"| (b) the same again: every step up to date | {b.seconds:.2f} | {b.peak_rss / mib:.0f} |",
        f"| (c) again with `--trials 3`: only cluster runs | {c.seconds:.1f} | {c.peak_rss / mib:.0f} |",
        f"| (d) the single commands one after the other | {chain_seconds:.1f} | {chain_rss / mib:.0f} |",
        "",
        "Steps of (a) (from its manifest) and of (d):",
        "",
        "| step | (a) s | (d) s | (d) peak RSS MiB |",
        "|---|---:|---:|---:|",
    ]
    for name in ("count", "ngrams", "discover", "segment", "graph", "cluster"):
        record = manifest["steps"][name]
        run = steps[name]
        lines.append(f"| {name} | {record['seconds']:.1f} | {run.seconds:.1f} | {run.peak_rss / mib:.0f} |")
    lines.append(f"| (d) userdict.txt from discovered.tsv | | {steps['userdict'].seconds:.1f} | |")
    info = {name: record.get("info", {}) for name, record in manifest["steps"].items()}
    lines += [
        "",
        f"a/d = {a.seconds / chain_seconds:.2f} (the pipeline's overhead: one interpreter and one jieba load "
        f"instead of seven, a manifest, a lock and the summary); a/b = {a.seconds / b.seconds:.0f} "
        f"(a re-run with nothing to do); re-clustering at 3 trials (c) {c.seconds:.1f} s. "
        f"Outputs of (a) and (d) byte-identical: {', '.join(f'{k} {_yes(v)}' for k, v in same.items())} "
        f"(modules.tsv and clusters.json after a re-run at the default --trials 1: {recheck.seconds:.1f} s).",
        "",
        f"Found: {info['discover'].get('words', 0):,} words, {info['discover'].get('new_words', 0):,} new; "
        f"graph of the top {min(20000, info['discover'].get('words', 0)):,} words with "
        f"{info['graph'].get('links', 0):,} links; {info['cluster'].get('modules', 0):,} clusters of "
        f"{info['cluster'].get('nodes', 0):,} linked words.",
    ]
    return "\n".join(lines) + "\n"


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


if __name__ == "__main__":
    main()
