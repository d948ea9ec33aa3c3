"""Benchmark `wordmine ngrams` (exact n-gram counts of units) against a dict loop and KenLM.

In one run, on the first 50 MB (default) of the news corpus in ../shared:

  (a) wordmine: wordmine ngrams CORPUS -n 4 -j 2 -o OUT.npz
  (b) naive:    for each line, the units cut by a regular expression written here from the
                definition in wordmine.corpus's module doc (a number such as 3.5% or 1,000 is
                one unit, a Latin word is one unit, punctuation separates fragments), and for k
                in 1..4, for each window of a fragment: d[units] += 1 (one process, on a 5 MB
                slice; the same slice is counted by wordmine too, and every count of both, all
                orders, both ways, and the totals are compared: "exact", with the Latin words
                and numbers that wordmine's symbol table pools in <LATIN> and <NUM> pooled the
                same way)
  (c) KenLM:    count_ngrams -o 4 -S 1G (from benchmarks/kenlm_peer.py) reading the same
                fragments, one per line with the units separated by spaces (KenLM counts
                space-separated tokens); the spaced file is written once, untimed, in the cache
  (d) order 6:  wordmine ngrams -n 6 against count_ngrams -o 6

Each runs as its own process tree; wall seconds, CPU seconds (user + system of the whole tree,
common.timed_tree: other load on the machine disturbs them less than wall time) and peak RSS (all
processes) are reported. MB/s is always the ORIGINAL text size over wall time (KenLM reads a
longer spaced file of the same text) and includes start-up and writing the output. KenLM also
counts <s> and </s> padding, a little more work than wordmine's fragments, but writes only
order N (wordmine writes orders 1..N). The cost ratios are wordmine / KenLM (below 1: wordmine
is cheaper). Then `wordmine ngrams -n 4` runs alone on 100 MB for its peak RSS. Results go to
benchmarks/RESULTS.md.

    python benchmarks/bench_ngrams.py [--mb 50] [--big-mb 100] [--naive-mb 5] [--jobs 2]
                                      [--skip-kenlm] [--no-write]
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from common import MB, NEWS, Run, bench_parser, machine, news, publish, require, timed_tree

NAIVE = r"""
import pickle, re, sys
from wordmine.corpus import char_kind  # the kind of one character (wordmine's documented table)
n = int(sys.argv[3])
# Units as the wordmine.corpus module doc defines them, cut here on their own (not with wordmine's
# code): normalise full-width ASCII, U+3000 and ○; each character becomes its kind ("d" a digit,
# "l" a Latin letter, "c" a character unit, ".,%" themselves, " " any other separator); a
# number is digits with "." between digits, "," before exactly three digits and one "%" after;
# a Latin word a run of letters; fragments are runs of adjacent units.
NORMAL = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20, 0x25CB: 0x3007}
UNIT = re.compile(r"d+(?:\.d+|,ddd(?!d))*%?|l+|c")
KIND = {}
def kinds(text):
    for ch in set(text) - KIND.keys():
        KIND[ch] = ch if ch in ".,%" else {0: " ", 1: "c", 2: "l", 3: "d"}[char_kind(ch)]
    return "".join(KIND[ch] for ch in text)
d = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n").translate(NORMAL)
        frags, end = [], -1
        for m in UNIT.finditer(kinds(line)):
            if m.start() != end:
                frags.append([])
            frags[-1].append(line[m.start():m.end()])
            end = m.end()
        for frag in frags:
            for k in range(1, n + 1):
                for i in range(len(frag) - k + 1):
                    gram = tuple(frag[i:i + k])
                    d[gram] = d.get(gram, 0) + 1
with open(sys.argv[2], "wb") as out:
    pickle.dump(d, out, pickle.HIGHEST_PROTOCOL)
"""


def spaced(corpus: Path) -> Path:
    """KenLM's input for ``corpus``: one fragment per line, units separated by spaces (cached)."""
    from wordmine import normalize
    from wordmine.corpus import unit_fragments

    dest = corpus.with_suffix(".units.txt")
    if dest.exists() and dest.stat().st_mtime >= corpus.stat().st_mtime:
        return dest
    tmp = dest.with_suffix(".part")
    with open(corpus, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as out:
        for line in src:
            out.writelines(" ".join(frag) + "\n" for frag in unit_fragments(normalize(line)))
    tmp.replace(dest)
    return dest


def kenlm(binary: Path, order: int, text: Path, cache: Path, memory: str | None = "1G") -> Run:
    """Time ``count_ngrams -o ORDER < text > counts``; the counts file is deleted afterwards.

    ``memory=None`` leaves -S at KenLM's default (80% of physical memory)."""
    counts, vocab = cache / f"kenlm_{order}.bin", cache / f"kenlm_{order}.vocab"
    # timed() sends stdout to /dev/null, but count_ngrams writes its counts to stdout: a shell
    # redirects it to a file, then execs count_ngrams (the same process, so the same tree).
    cmd = [str(binary), "-o", str(order), *(["-S", memory] if memory else []), "--write_vocab_list", str(vocab)]
    with open(text, "rb") as stdin:
        run = timed_tree(["sh", "-c", 'exec "$@" > "$0"', str(counts), *cmd], stdin=stdin)
    counts.unlink(missing_ok=True)
    return run


def compare(naive_path: Path, table_path: Path, order: int) -> list[str]:
    """Differences between the naive dict and wordmine's table, orders 1..order (empty: exact)."""
    import wordmine

    with open(naive_path, "rb") as f:
        naive = pickle.load(f)
    table = wordmine.NgramTable.load(table_path)
    symbols = table.symbols.index
    pooled: dict[str, int] = {}  # the naive counts, rarer Latin words and numbers as their class
    for units, count in naive.items():
        gram = "".join(u if u in symbols else table.symbols.class_name_of(u) for u in units)
        pooled[gram] = pooled.get(gram, 0) + count
    orders = {g: len(units) for units in naive for g in ["".join(u if u in symbols else table.symbols.class_name_of(u) for u in units)]}
    problems = []
    for k in range(1, order + 1):
        ref = {g: c for g, c in pooled.items() if orders[g] == k}
        mine = dict(table.items(k))
        total = sum(ref.values())
        if table.totals.get(k) != total:
            problems.append(f"order {k}: total {table.totals.get(k)} (wordmine) vs {total} (naive)")
        diff = [(g, ref.get(g, 0), mine.get(g, 0)) for g in ref.keys() | mine.keys()]
        diff = sorted(d for d in diff if d[1] != d[2])
        if diff:
            shown = ", ".join(f"{g!r} naive {a} wordmine {b}" for g, a, b in diff[:5])
            problems.append(f"order {k}: {len(diff)} of {len(ref)} n-grams differ, e.g. {shown}")
    return problems


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--mb", type=float, default=50, help="input size for the side-by-side runs")
    parser.add_argument("--big-mb", type=float, default=100, help="input size for the memory run (0: skip)")
    parser.add_argument("--naive-mb", type=float, default=5, help="input size for the naive loop and the exactness check")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-kenlm", action="store_true", help="do not run KenLM's count_ngrams")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each side-by-side command, interleaved; the run of median CPU is shown")
    args = parser.parse_args()

    require(NEWS)
    corpus = news(args.cache, mb=args.mb)
    small = news(args.cache, mb=args.naive_mb)
    size, small_size = corpus.stat().st_size, small.stat().st_size
    binary, note = None, "skipped (--skip-kenlm)"
    if not args.skip_kenlm:
        from kenlm_peer import find_or_build_count_ngrams

        binary = find_or_build_count_ngrams(log=lambda msg: print(msg, file=sys.stderr))
        note = "skipped: count_ngrams could not be found or built (see kenlm_peer.py)"

    def wordmine(text: Path, order: int, out: str) -> Run:
        return timed_tree([sys.executable, "-m", "wordmine", "ngrams", str(text), "-n", str(order), "-j", str(args.jobs),
                      "--min-count", "1", "-q", "-o", str(args.cache / out)])

    # The side-by-side commands (a, c, d, d') run --repeat times, interleaved, so that a slow
    # moment of the machine falls on both sides; each shows its run of median CPU time (single
    # runs of KenLM differed by 20% here from one run of the benchmark to the next).
    text = spaced(corpus) if binary is not None else None
    side_by_side = {
        "a": lambda: wordmine(corpus, 4, "ngrams_a.npz"),
        "c": lambda: kenlm(binary, 4, text, args.cache),
        "d": lambda: wordmine(corpus, 6, "ngrams_d.npz"),
        "d2": lambda: kenlm(binary, 6, text, args.cache),
    }
    if binary is None:
        del side_by_side["c"], side_by_side["d2"]
    tries: dict[str, list[Run]] = {key: [] for key in side_by_side}
    for _ in range(max(1, args.repeat)):
        for key, run in side_by_side.items():
            tries[key].append(run())
    best = {key: sorted(runs, key=lambda r: r.cpu_seconds)[len(runs) // 2] for key, runs in tries.items()}

    # key -> (label, order, input bytes, run)
    rows: dict[str, tuple[str, int, int, Run]] = {}
    rows["a"] = (f"(a) wordmine ngrams -n 4 -j {args.jobs}", 4, size, best["a"])
    rows["b"] = ("(b) naive dict loop, 1 process", 4, small_size,
                 timed_tree([sys.executable, "-c", NAIVE, str(small), str(args.cache / "ngrams_naive.pickle"), "4"]))
    rows["b2"] = (f"(b') wordmine ngrams -n 4 -j {args.jobs}, naive's slice", 4, small_size, wordmine(small, 4, "ngrams_b.npz"))
    if binary is not None:
        rows["c0"] = ("(c0) KenLM count_ngrams -o 4, default -S (80% of RAM)", 4, size, kenlm(binary, 4, text, args.cache, None))
        rows["c"] = ("(c) KenLM count_ngrams -o 4 -S 1G", 4, size, best["c"])
    rows["d"] = (f"(d) wordmine ngrams -n 6 -j {args.jobs}", 6, size, best["d"])
    if binary is not None:
        rows["d2"] = ("(d') KenLM count_ngrams -o 6 -S 1G", 6, size, best["d2"])
    if args.big_mb:
        big = news(args.cache, mb=args.big_mb)
        rows["e"] = (f"(e) wordmine ngrams -n 4 -j {args.jobs}, memory", 4, big.stat().st_size, wordmine(big, 4, "ngrams_e.npz"))
    for key, (label, _, _, run) in rows.items():
        if run.returncode != 0:
            sys.exit(f"{label} failed (exit {run.returncode}):\n{run.stderr}")
    problems = compare(args.cache / "ngrams_naive.pickle", args.cache / "ngrams_b.npz", 4)
    for path in args.cache.glob("ngrams_*"):  # outputs: ~0.7 GB at the default sizes
        path.unlink()

    def mbps(key: str) -> float:
        _, _, nbytes, run = rows[key]
        return nbytes / MB / run.seconds

    lines = [
        "## bench_ngrams: n-gram counts of units",
        "",
        f"`python benchmarks/bench_ngrams.py --mb {args.mb:g} --big-mb {args.big_mb:g} --naive-mb {args.naive_mb:g} "
        f"--jobs {args.jobs} --repeat {args.repeat}`; {machine()}; input: first {size / MB:.1f} MiB of news_xwlb. MB/s is "
        "original text MiB over wall seconds (KenLM reads the same fragments, units spaced out, one per line). (a), (c), "
        f"(d) and (d') ran {args.repeat} times each, interleaved: the run of median CPU time is shown "
        "(CPU s of all runs: " + "; ".join(f"{key} " + " ".join(f"{r.cpu_seconds:.1f}" for r in runs) for key, runs in tries.items()) + ").",
        "",
        "| run | order | input MB | wall s | CPU s | MB/s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, (label, order, nbytes, run) in rows.items():
        lines.append(f"| {label} | {order} | {nbytes / MB:.1f} | {run.seconds:.1f} | {run.cpu_seconds:.1f} | {mbps(key):.2f} "
                     f"| {run.peak_rss / MB:.0f} |")
    lines.append("")
    if binary is not None:
        def ratios(mine: str, peer: str) -> str:
            a, b = rows[mine][3], rows[peer][3]
            return f"CPU **{a.cpu_seconds / b.cpu_seconds:.2f}x**, wall {a.seconds / b.seconds:.2f}x"

        lines.append(f"- cost wordmine / KenLM -S 1G (below 1: wordmine is cheaper): order 4 {ratios('a', 'c')}; "
                     f"order 6 {ratios('d', 'd2')} (target: CPU below 1). Against KenLM's default -S, order 4: "
                     f"{ratios('a', 'c0')}.")
    else:
        lines.append(f"- KenLM: {note}.")
    lines.append(f"- wordmine / naive dict loop on {small_size / MB:.1f} MiB: {mbps('b2') / mbps('b'):.1f}x throughput.")
    lines.append(f"- exact (every n-gram count of orders 1-4 and the totals equal to the naive loop's): "
                 f"**{'yes' if not problems else 'NO'}**.")
    lines += [f"  - {p}" for p in problems]
    if "e" in rows:
        _, _, nbytes, run = rows["e"]
        lines.append(f"- memory: `wordmine ngrams -n 4 -j {args.jobs}` on {nbytes / MB:.0f} MiB: {run.seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, "
                     f"peak RSS **{run.peak_rss / MB:.0f} MiB** (all processes; target <= 1024).")
    report = "\n".join(lines)
    publish("bench_ngrams", report, not args.no_write)


if __name__ == "__main__":
    main()
