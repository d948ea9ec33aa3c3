"""Benchmark `wordmine pipeline`: seconds and memory of each step, from 10 MiB to 1 GiB.

In one run, for each size (default 10 MiB, 105 MiB and 1 GiB):

  (a) every step of the pipeline as its own run, in order, into one directory:
      wordmine pipeline CORPUS -d OUT -j 2 -q --from STEP --until STEP
      so that each step's wall seconds, CPU seconds (user + system of the whole process tree)
      and peak RSS of the whole process tree (workers included, sampled every 50 ms) are its own.
      The make-like pipeline makes this the same work as one `wordmine pipeline` run.

The corpora: the first 10 MiB of the news corpus in ../shared; the whole news corpus (105 MiB);
and 1 GiB made by concatenating the news and laws corpora over and over (whole lines, cut at
1 GiB) in a temporary directory that is removed afterwards, never in the repository. Repeating
text makes no step cheaper than new text would: every batch is counted, every run spilled and
merged; only the distinct words and n-grams grow more slowly than in 1 GiB of new text.

Reported per size: each step's seconds and its ratio to count (the jieba time no tool avoids),
the total and total / count (also without the report: the mining steps), seconds per MiB, and
the largest peak RSS of any step.

Then, on the first size if it is a slice (smaller than the news corpus):

  (b) the whole pipeline again: every step up to date (what a cron re-run with nothing to do costs)
  (c) count; ngrams -n 5; discover --ngrams; segment --dict; graph --vocab --top; cluster
      --directed --summary-json; report, one after the other (the single commands a user would
      chain), whose outputs are compared byte for byte with (a)'s: the pipeline is no second
      implementation (the report is left out of the comparison: it shows the pipeline's step times).

Results go to benchmarks/RESULTS.md.

    python benchmarks/bench_pipeline.py [--sizes 10,105,1024] [--jobs 2]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from common import LAWS, MB, NEWS, bench_parser, machine, news, publish, require, timed, timed_tree, whole

WORDMINE = [sys.executable, "-m", "wordmine"]
#: The pipeline's steps (the report, last, reads the corpus again for its contexts).
STEPS = ("count", "ngrams", "discover", "segment", "graph", "cluster", "report")
#: The steps that mine the corpus, measured against count since issue 12 (the report came later).
MINING = STEPS[:-1]
#: Compared byte for byte with the single commands' (the report is not: its Run section gives
#: the pipeline's step times).
COMPARED = ("words.tsv", "ngrams.npz", "discovered.tsv", "userdict.txt", "segmented.txt", "graph.tsv", "modules.tsv",
            "clusters.json")
#: Sizes at or above the whole news corpus are made from whole corpora, not slices.
WHOLE_NEWS_MIB = 105


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
                   "--top", "20000", *j, "-o", str(out / "graph.tsv")]),
        ("cluster", [*WORDMINE, "cluster", str(out / "graph.tsv"), "--directed", "-q", "-o", str(out / "modules.tsv"),
                     "--summary-json", str(out / "clusters.json")]),
        ("report", [*WORDMINE, "report", str(out), *j]),
    ]


def corpus_of(mib: int, cache: Path, work: Path) -> tuple[Path, str]:
    """The corpus of ``mib`` MiB and how it was made."""
    if mib < WHOLE_NEWS_MIB:
        return news(cache, mb=mib), f"the first {mib} MiB of news_xwlb"
    news_path = whole(cache, NEWS)
    if mib == WHOLE_NEWS_MIB:
        return news_path, "the whole news_xwlb corpus"
    laws_path = whole(cache, require(LAWS))
    dest = work / f"corpus_{mib}mib.txt"
    limit, written, rounds, full = mib * MB, 0, 0, False
    with open(dest, "wb") as out:
        while not full:
            rounds += 1
            for source in (news_path, laws_path):
                with open(source, "rb") as f:
                    for line in f:
                        if written + len(line) > limit:
                            full = True
                            break
                        out.write(line)
                        written += len(line)
                if full:
                    break
    return dest, f"news_xwlb and laws concatenated {rounds} times over, cut at {mib} MiB ({written / MB:.0f} MiB)"


def steps_of(corpus: Path, out: Path, jobs: int) -> dict:
    """Run the pipeline one step at a time; each step's Run."""
    runs = {}
    for step in STEPS:
        run = timed_tree([*WORDMINE, "pipeline", str(corpus), "-d", str(out), "-j", str(jobs), "-q",
                          "--from", step, "--until", step])
        if run.returncode != 0:
            sys.exit(f"pipeline step {step} on {corpus} failed: {run.stderr}")
        runs[step] = run
        print(f"{corpus.name}: {step} {run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s, "
              f"peak RSS {run.peak_rss / MB:.0f} MiB", file=sys.stderr, flush=True)
    return runs


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--sizes", default="10,105,1024", help="corpus sizes in MiB (105: the whole news corpus)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    require(NEWS)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    results = []
    try:
        for i, mib in enumerate(sizes):
            corpus, made = corpus_of(mib, args.cache, work)
            out = work / f"out{mib}"
            steps = steps_of(corpus, out, args.jobs)
            result = {"mib": corpus.stat().st_size / MB, "made": made, "steps": steps}
            if i == 0 and mib < WHOLE_NEWS_MIB:  # the checks need not run on a large corpus
                result.update(checks(corpus, out, work, args.jobs))
            results.append(result)
            shutil.rmtree(out)
            if corpus.parent == work:
                corpus.unlink()
        publish("bench_pipeline", render(args, results), not args.no_write)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def checks(corpus: Path, out: Path, work: Path, jobs: int) -> dict:
    """(b) a re-run with every step up to date, (c) the single commands and their outputs."""
    rerun = timed([*WORDMINE, "pipeline", str(corpus), "-d", str(out), "-j", str(jobs), "-q"])
    if rerun.returncode != 0:
        sys.exit(f"pipeline re-run failed: {rerun.stderr}")
    chain = work / "chain"
    chain.mkdir()
    singles = {}
    for name, cmd in single_commands(corpus, chain, jobs):
        run = timed(cmd)
        if run.returncode != 0:
            sys.exit(f"{name} failed: {run.stderr}")
        singles[name] = run
    same = {name: (out / name).read_bytes() == (chain / name).read_bytes() for name in COMPARED}
    shutil.rmtree(chain)
    return {"rerun": rerun, "singles": singles, "same": same}


def render(args, results: list[dict]) -> str:
    lines = [
        "## bench_pipeline: every step from 10 MiB to 1 GiB",
        "",
        f"`python benchmarks/bench_pipeline.py --sizes {args.sizes} --jobs {args.jobs}`; {machine()}. "
        "Each step runs as `wordmine pipeline CORPUS -d OUT -j "
        f"{args.jobs} --from STEP --until STEP`, its own process tree: wall seconds, CPU seconds (user + "
        "system, all processes) and peak RSS of the whole tree (workers included, sampled every 50 ms).",
        "",
        "Corpora: " + "; ".join(f"{r['mib']:.0f} MiB: {r['made']}" for r in results) + ".",
        "",
        "Wall seconds per step, and each beside count (the jieba time no tool avoids):",
        "",
        "| MiB | " + " | ".join(STEPS) + " | total | total / count | mining steps / count | graph / count | s per MiB |",
        "|---:|" + "---:|" * (len(STEPS) + 5),
    ]
    for r in results:
        s = r["steps"]
        total = sum(run.seconds for run in s.values())
        mining = sum(s[name].seconds for name in MINING)
        count = s["count"].seconds
        lines.append(
            f"| {r['mib']:.0f} | " + " | ".join(f"{s[name].seconds:.1f}" for name in STEPS)
            + f" | {total:.1f} | **{total / count:.2f}** | **{mining / count:.2f}** | **{s['graph'].seconds / count:.2f}** "
            f"| {total / r['mib']:.2f} |"
        )
    lines += _step_table(
        results, "CPU seconds per step (user + system of all processes; other load disturbs them less than wall):",
        lambda run: run.cpu_seconds, "total", sum, "{:.1f}", "{:.1f}",
    )
    lines += _step_table(
        results, "Peak RSS of the whole process tree per step, MiB (target: at most 1 GB = 954 MiB at every size):",
        lambda run: run.peak_rss / MB, "largest", max, "{:.0f}", "**{:.0f}**",
    )
    first = results[0]
    if "rerun" in first:
        singles = first["singles"]
        chain = sum(run.seconds for run in singles.values())
        steps = sum(run.seconds for run in first["steps"].values())
        lines += [
            "",
            f"On {first['mib']:.0f} MiB: a re-run with every step up to date took {first['rerun'].seconds:.2f} s; "
            f"the single commands one after the other {chain:.1f} s against {steps:.1f} s for the steps above "
            f"(ratio {steps / chain:.2f}). Outputs of the pipeline and of the single commands byte-identical: "
            + ", ".join(f"{name} {'yes' if same else 'NO'}" for name, same in first["same"].items()) + ".",
        ]
    return "\n".join(lines) + "\n"


def _step_table(results: list[dict], title: str, value, last: str, combine, cell: str, last_cell: str) -> list[str]:
    """A table of one figure per step and size, with a last column combining the steps'."""
    lines = ["", title, "", "| MiB | " + " | ".join(STEPS) + f" | {last} |", "|---:|" + "---:|" * (len(STEPS) + 1)]
    for r in results:
        values = [value(r["steps"][name]) for name in STEPS]
        lines.append(f"| {r['mib']:.0f} | " + " | ".join(cell.format(v) for v in values) + f" | {last_cell.format(combine(values))} |")
    return lines


if __name__ == "__main__":
    main()
