"""Benchmark `wordmine kwic` (one Aho-Corasick automaton) against a str.find loop and a `re` alternation.

The task: up to 5 examples (the first ones, --pick first: what the peers naturally do) of
each of 20 000 words, with 20 characters of context within the line, file and line, as TSV.
The words are the 20 000 most frequent discovered words of the news corpus (``--words``, a
``discovered.tsv`` of it; without one, ``wordmine discover`` makes one from the first 10 MiB).

  (a) str.find loop: the whole text in memory; for each word, ``text.find(word, i + 1)`` until
      it has 5 (a rare word scans the whole text), then the contexts;
  (b) re alternation: one pattern ``w1|w2|...`` (longest first), ``finditer`` over the text,
      keeping the first 5 matches of each word; it cannot find a word inside another match;
  (c) wordmine kwic -j 2 (--pick first), and (d) with the default --pick spread.

(a) and (b) take minutes on the whole corpus, so all four run on the same slice (default the
first 10 MiB) in one run, and (c) and (d) then run alone on the whole 105 MiB. The peers' times
grow linearly with the text (every character is tried against the pattern; a word not found
scans it all), so their 105 MiB figures are the slice's times the size ratio. Each run is its
own process tree (wall time, peak RSS of all processes). (a) and (c) must give the same lines
for the words that start and end with a CJK character (the others, ``15`` or ``AI``, wordmine
does not find inside ``2015`` or ``MAIL``); the share of (c)'s examples that (b) finds is given.

    flock /tmp/wordmine-bench.lock python benchmarks/bench_kwic.py [--slice-mb 10] [--words PATH]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common import MB, NEWS, bench_parser, machine, news, publish, require, timed_tree, whole

PEER = r"""
import re, sys
from wordmine.corpus import normalize
from wordmine.kwic import read_word_list

way, corpus, words_file, top, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
WIDTH, PER_WORD = 20, 5
words = list(dict.fromkeys(normalize(w) for w in read_word_list(words_file, top=top)))
with open(corpus, encoding="utf-8") as f:
    text = f.read()
norm = normalize(text)  # one character for one: offsets are the same in both
found = {w: [] for w in words}
if way == "find":
    for w in words:
        hits, i = found[w], norm.find(w)
        while i >= 0 and len(hits) < PER_WORD:
            hits.append(i)
            i = norm.find(w, i + 1)
else:
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    for m in pattern.finditer(norm):
        hits = found[m.group()]
        if len(hits) < PER_WORD:
            hits.append(m.start())
rows = []
for w in words:
    for i in found[w]:
        start, end = text.rfind("\n", 0, i) + 1, text.find("\n", i)
        j = i + len(w)
        rows.append(f"{w}\t{text[max(start, i - WIDTH):i]}\t{text[i:j]}\t{text[j:min(end, j + WIDTH)]}\t{corpus}\t{text.count(chr(10), 0, i) + 1}\n")
with open(out, "w", encoding="utf-8") as f:
    f.write("word\tleft\tmatch\tright\tfile\tline\n" + "".join(rows))
"""


def cjk_edged(word: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in (word[0], word[-1]))


def lines(path: Path, keep=lambda word: True) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines()[1:] if keep(line.split("\t", 1)[0])]


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--slice-mb", type=float, default=10, help="the slice all four run on")
    parser.add_argument("--words", type=Path, default=Path("/tmp/p12/out105/discovered.tsv"),
                        help="discovered.tsv of the news corpus (made from the slice if absent)")
    parser.add_argument("--top", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    require(NEWS)
    small = news(args.cache, mb=args.slice_mb)
    big = whole(args.cache, NEWS)
    wordmine = [sys.executable, "-m", "wordmine"]
    words = args.words
    if not words.exists():
        words = args.cache / f"kwic_discovered_{args.slice_mb:g}mb.tsv"
        if not words.exists():
            subprocess.run([*wordmine, "discover", str(small), "-j", str(args.jobs), "-q", "-o", str(words)], check=True)
    out = {k: args.cache / f"kwic_{k}.tsv" for k in "abcdef"}
    common = ["--words", str(words), "--top", str(args.top), "-j", str(args.jobs), "-q"]
    runs = {
        "a": timed_tree([sys.executable, "-c", PEER, "find", str(small), str(words), str(args.top), str(out["a"])]),
        "b": timed_tree([sys.executable, "-c", PEER, "re", str(small), str(words), str(args.top), str(out["b"])]),
        "c": timed_tree([*wordmine, "kwic", str(small), *common, "--pick", "first", "-o", str(out["c"])]),
        "d": timed_tree([*wordmine, "kwic", str(small), *common, "-o", str(out["d"])]),
        "e": timed_tree([*wordmine, "kwic", str(big), *common, "--pick", "first", "-o", str(out["e"])]),
        "f": timed_tree([*wordmine, "kwic", str(big), *common, "-o", str(out["f"])]),
    }
    for key, run in runs.items():
        if run.returncode != 0:
            sys.exit(f"run {key} failed:\n{run.stderr}")
    same = lines(out["a"], cjk_edged) == lines(out["c"], cjk_edged)
    ours = set(lines(out["c"]))
    by_re = len(ours & set(lines(out["b"]))) / max(len(ours), 1)
    small_size, big_size = small.stat().st_size, big.stat().st_size
    scale = big_size / small_size
    a, b, c = runs["a"], runs["b"], runs["c"]
    names = {
        "a": "(a) str.find loop, 1 process", "b": "(b) re alternation, 1 process",
        "c": f"(c) wordmine kwic -j {args.jobs} --pick first", "d": f"(d) wordmine kwic -j {args.jobs} (spread)",
        "e": f"(c) wordmine kwic -j {args.jobs} --pick first", "f": f"(d) wordmine kwic -j {args.jobs} (spread)",
    }
    report = [
        "## bench_kwic: examples of 20 000 words (keyword in context)",
        "",
        f"`flock /tmp/wordmine-bench.lock python benchmarks/bench_kwic.py --slice-mb {args.slice_mb:g}`; {machine()}; "
        f"{args.top:,} words ({words.name}), 5 examples each, 20 characters of context.",
        "",
        "| run | input | wall s | CPU s | MB/s | peak RSS MiB | examples | time / (c) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in "abcdef":
        r = runs[key]
        size = big_size if key in "ef" else small_size
        base = runs["e"] if key in "ef" else c
        report.append(
            f"| {names[key]} | {size / MB:.0f} MiB | {r.seconds:.1f} | {r.cpu_seconds:.1f} | {size / MB / r.seconds:.2f} | "
            f"{r.peak_rss / MB:.0f} | {len(lines(out[key])):,} | {r.seconds / base.seconds:.2f} |"
        )
    e = runs["e"]
    report += [
        "",
        f"- On the same {small_size / MB:.0f} MiB: (b)/(c) = **{b.seconds / c.seconds:.1f}x** (target >= 10), "
        f"(a)/(c) = **{a.seconds / c.seconds:.1f}x**.",
        f"- On 105 MiB, the peers scaled by the size ratio {scale:.1f} (their time is linear in the text): (b) about "
        f"{b.seconds * scale:.0f} s, (a) at most {a.seconds * scale:.0f} s, against {e.seconds:.1f} s for (c): "
        f"**{b.seconds * scale / e.seconds:.0f}x** and {a.seconds * scale / e.seconds:.0f}x. The peers hold the whole text "
        f"in memory (their peak RSS grows with it); wordmine streams: {e.peak_rss / MB:.0f} MiB peak on 105 MiB, "
        f"{c.peak_rss / MB:.0f} MiB on {small_size / MB:.0f} MiB.",
        f"- (a) and (c) give the same lines for the words with CJK characters at both ends: **{'yes' if same else 'NO'}**. "
        f"(b) finds {100 * by_re:.1f}% of (c)'s examples: an alternation matches one word per place, so a word "
        "inside a longer match (新词 in 新词发现) is never found.",
    ]
    publish("bench_kwic", "\n".join(report), not args.no_write)


if __name__ == "__main__":
    main()
