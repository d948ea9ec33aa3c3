"""Benchmark new-word discovery by the unsupervised segmentation protocol of bojone/word-discovery.

In one run:
1. discover words (DEFAULT parameters, `-j 2`) on the first 16 M characters of the news corpus
   in ../shared plus the raw SIGHAN 2005 PKU and MSR test texts;
2. take the top 50,000 words as jieba's WHOLE dictionary, segment pku_test.utf8 and
   msr_test.utf8 with the HMM off, and score them with `wordmine evaluate` (and the official
   perl `score`, when perl is there);
3. the practical use: jieba's own dictionary plus the discovered words it lacks, against jieba
   alone, on both test sets (HMM off and on);
4. the reference algorithm side by side (benchmarks/reference_discovery.py, a faithful
   re-implementation): at its default (min_count 32, KenLM-like counts) and at its best setting
   found (exact counts, min_count 16), scored by the same protocol.
Each step runs as `python -m wordmine ...`, timed with its peak RSS (all processes). Results go
to benchmarks/RESULTS.md.

    python benchmarks/bench_discover.py [--chars 16000000] [--jobs 2] [--top 50000] [--min-count auto]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import MB, NEWS, SHARED, Run, bench_parser, machine, news, publish, require, timed

SIGHAN = SHARED / "benchmarks" / "sighan2005"


def wordmine(*args: str) -> Run:
    run = timed([sys.executable, "-m", "wordmine", *args])
    if run.returncode != 0:
        sys.exit(f"wordmine {' '.join(args)} failed:\n{run.stderr}")
    return run


def evaluate(corpus: str, seg: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "wordmine", "evaluate", "--gold", str(SIGHAN / f"{corpus}_test_gold.utf8"),
         "--words", str(SIGHAN / f"{corpus}_training_words.utf8"), str(seg), "--no-header"],
        capture_output=True, text=True, check=True,
    ).stdout
    return {k: float(v) for k, v in (line.split("\t") for line in out.splitlines()) if v not in ("--",)}


def perl_f1(corpus: str, seg: Path) -> float | None:
    if shutil.which("perl") is None or not Path("/usr/bin/diff").exists():
        return None
    out = subprocess.run(
        ["perl", str(SIGHAN / "score"), str(SIGHAN / f"{corpus}_training_words.utf8"),
         str(SIGHAN / f"{corpus}_test_gold.utf8"), str(seg)],
        capture_output=True, text=True,
    ).stdout
    m = re.search(r"=== F MEASURE:\s*([0-9.]+)", out)
    return float(m.group(1)) if m else None


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--chars", type=int, default=16_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=50_000)
    parser.add_argument("--min-count", default="auto")
    parser.add_argument("--sweep", default="4,12,24", help="other min_counts to score by the protocol ('' skips)")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    require(NEWS)
    require(SIGHAN / "pku_test.utf8")
    news_slice = news(args.cache, chars=args.chars)
    work = Path(tempfile.mkdtemp(prefix="bench-discover-"))
    try:
        j = str(args.jobs)
        words = work / "words.tsv"
        inputs = [str(news_slice), str(SIGHAN / "pku_test.utf8"), str(SIGHAN / "msr_test.utf8")]
        runs = {"discover": wordmine("discover", *inputs, "-j", j, "-q", "--min-count", args.min_count, "-o", str(words))}
        n_words = sum(1 for _ in open(words, encoding="utf-8")) - 1
        scores, practical = {}, {}
        empty = work / "empty.dict"
        empty.write_text("", encoding="utf-8")
        for corpus in ("pku", "msr"):
            raw = str(SIGHAN / f"{corpus}_test.utf8")
            seg = work / f"{corpus}.seg"
            runs[f"segment {corpus}"] = wordmine("segment", raw, "--dict", str(words), "--top", str(args.top), "--replace-dict", "--no-hmm", "-j", j, "-q", "-o", str(seg))
            scores[corpus] = evaluate(corpus, seg) | {"perl_f1": perl_f1(corpus, seg)}
            for hmm in ("--no-hmm", "--hmm"):
                for name, vocab in (("jieba", empty), ("jieba + discovered", words)):
                    out = work / f"{corpus}{hmm}{name[:6]}.seg"
                    wordmine("segment", raw, "--dict", str(vocab), "--add-to-jieba", hmm, "-j", j, "-q", "-o", str(out))
                    practical[(corpus, hmm, name)] = evaluate(corpus, out)
        reference = {}
        settings = [] if args.skip_reference else [("default: KenLM-like counts, min_count 32", "kenlm", "32"), ("best: exact counts, min_count 16", "exact", "16")]
        for label, counting, mc in settings:
            ref_words = work / f"ref_{counting}_{mc}.tsv"
            run = timed([sys.executable, str(Path(__file__).parent / "reference_discovery.py"), *inputs, "--counting", counting, "--min-count", mc, "-o", str(ref_words)])
            if run.returncode != 0:
                sys.exit(f"reference_discovery.py failed:\n{run.stderr}")
            f1 = {}
            for corpus in ("pku", "msr"):
                seg = work / f"ref_{corpus}.seg"
                wordmine("segment", str(SIGHAN / f"{corpus}_test.utf8"), "--dict", str(ref_words), "--top", str(args.top), "--replace-dict", "--no-hmm", "-j", j, "-q", "-o", str(seg))
                f1[corpus] = evaluate(corpus, seg)["f1"]
            reference[label] = (run, f1)
        sweep = {}
        for mc in [m for m in args.sweep.split(",") if m]:
            other = work / f"words_{mc}.tsv"
            wordmine("discover", *inputs, "-j", j, "-q", "--min-count", mc, "-o", str(other))
            for corpus in ("pku", "msr"):
                seg = work / f"{corpus}_{mc}.seg"
                wordmine("segment", str(SIGHAN / f"{corpus}_test.utf8"), "--dict", str(other), "--top", str(args.top), "--replace-dict", "--no-hmm", "-j", j, "-q", "-o", str(seg))
                sweep[(mc, corpus)] = evaluate(corpus, seg)["f1"]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    chars = news_slice.stat().st_size
    lines = [
        "## bench_discover: new-word discovery, judged by segmentation",
        "",
        f"`python benchmarks/bench_discover.py --chars {args.chars} --jobs {args.jobs} --top {args.top} --min-count {args.min_count}`; "
        f"{machine()}; corpus: the first {args.chars / 1e6:.0f} M characters of news_xwlb ({chars / MB:.0f} MiB) "
        f"plus the raw PKU and MSR test texts; {n_words} words discovered.",
        "",
        "Unsupervised protocol (top words as jieba's whole dictionary, HMM off):",
        "",
        "| test set | P | R | F1 | F1 (perl score) | OOV recall | IV recall |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for corpus, s in scores.items():
        perl = f"{s['perl_f1']:.3f}" if s.get("perl_f1") is not None else "n/a"
        lines.append(f"| {corpus.upper()} | {s['precision']:.3f} | {s['recall']:.3f} | **{s['f1']:.3f}** | {perl} | {s['oov_recall']:.3f} | {s['iv_recall']:.3f} |")
    lines += ["", "Time and memory of each stage (`-j` as above):", "", "| stage | wall s | peak RSS MiB |", "|---|---:|---:|"]
    for name, run in runs.items():
        lines.append(f"| {name} | {run.seconds:.1f} | {run.peak_rss / MB:.0f} |")
    lines += ["", "Practical use: jieba's dictionary plus the discovered words it lacks (`--add-to-jieba`), against jieba alone:", "",
              "| test set | HMM | jieba F1 | + discovered F1 | jieba OOV R | + discovered OOV R |", "|---|---|---:|---:|---:|---:|"]
    for corpus in ("pku", "msr"):
        for hmm in ("--no-hmm", "--hmm"):
            a, b = practical[(corpus, hmm, "jieba")], practical[(corpus, hmm, "jieba + discovered")]
            lines.append(f"| {corpus.upper()} | {'on' if hmm == '--hmm' else 'off'} | {a['f1']:.3f} | {b['f1']:.3f} | {a['oov_recall']:.3f} | {b['oov_recall']:.3f} |")
    if reference:
        lines += ["", "The reference algorithm, side by side (one process; `wordmine discover` above used -j " + str(args.jobs) + "):", "",
                  "| reference run | PKU F1 | MSR F1 | wall s | peak RSS MiB | time / wordmine's |", "|---|---:|---:|---:|---:|---:|"]
        for label, (run, f1) in reference.items():
            lines.append(f"| {label} | {f1['pku']:.3f} | {f1['msr']:.3f} | {run.seconds:.1f} | {run.peak_rss / MB:.0f} | {run.seconds / runs['discover'].seconds:.1f} |")
    if sweep:
        lines += ["", f"F1 of the protocol with other --min-count values (the run above: {args.min_count}): " + "; ".join(
            f"{mc}: PKU {sweep[(mc, 'pku')]:.3f}, MSR {sweep[(mc, 'msr')]:.3f}" for mc in dict.fromkeys(m for m, _ in sweep))]
    lines += ["", "Targets: F1 >= 0.72 (PKU) and >= 0.715 (MSR) with default parameters; the whole discover run <= 20 s with 2 workers, peak RSS <= 1 GB."]
    report = "\n".join(lines)
    publish("bench_discover", report, not args.no_write)


if __name__ == "__main__":
    main()
