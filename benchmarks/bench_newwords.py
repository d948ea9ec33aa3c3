"""Judge the new words a person reads first: the top new words of the news and laws corpora, and of a novel.

In one run:
1. `wordmine discover CORPUS -j 2 --new-only` on the whole news corpus (105 MiB) and the whole
   laws corpus (55 MiB) of ../shared, and on one novel, 红楼梦 (2.5 MiB, early vernacular
   Chinese: what no rule was written for), defaults otherwise (timed, with peak RSS);
2. mark the first 200 new words of each, in the order `--new-only` lists them (by variety,
   `wordmine.new_words`), with the judgements in benchmarks/newwords_judged.tsv
   (a word, name or term, or not: read one by one by a person; a word not judged yet is shown
   as `?` and left out of the precision, and the run says so);
3. precision at 100 and 200 (the share of words, names and terms); where the first 100 have
   also been read a second time, independently (benchmarks/newwords_second_reading.tsv), both
   readings' P@100, the share both or either accept, and their agreement (Cohen's kappa);
4. the kinds of all discovered words (how many of each), and the most frequent words the
   rules keep out of the new words, for each kind (to see what they remove);
5. the planted terms of data/sample (data/planted_terms.tsv): how many are new words, and the
   sample's first 40 new words;
6. `--known`, as a user of a cron job would use it: the news of 2012-2019 mined and its first
   200 new words read once (the accepted ones go to the user's dictionary, the others to a
   stop list), then the news of 2020-2026 mined with those lists; precision of the later
   years' new words with neither, with the stop list, with both.
Results go to benchmarks/RESULTS.md.

    python benchmarks/bench_newwords.py [--jobs 2] [--top 200]
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

from common import LAWS, MB, NEWS, NOVEL, ROOT, bench_parser, machine, publish, require, timed, whole

from wordmine import new_words, read_words

JUDGED = Path(__file__).with_name("newwords_judged.tsv")
#: An independent reading of the first 100 new words of news and laws by the same standard, from
#: the lists shuffled and unmarked: how far two careful readers agree.
SECOND = Path(__file__).with_name("newwords_second_reading.tsv")
MARKS = {"word": "✓", "not": "✗"}  # a verdict as the tables show it
KINDS = ("new", "unit", "jieba", "number", "quantity", "fragment", "compound", "phrase")


def read_table(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f][1:]


def judgements(path: Path = JUDGED) -> dict[tuple[str, str], tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        return {(r["corpus"], r["word"]): (r["verdict"], r["note"]) for r in csv.DictReader(f, delimiter="\t")}


def second_reading(name: str, words: list[str], judged: dict, second: dict) -> str | None:
    """A row comparing the two readings of those of ``words`` both have read (None if none)."""
    pairs = [(w, judged[(name, w)][0], second[(name, w)][0]) for w in words if (name, w) in judged and (name, w) in second]
    if not pairs:
        return None
    words, first, other = (list(t) for t in zip(*pairs))
    n = len(words)
    a, b = first.count("word") / n, other.count("word") / n
    agree = sum(x == y for x, y in zip(first, other)) / n
    chance = a * b + (1 - a) * (1 - b)
    kappa = (agree - chance) / (1 - chance) if chance < 1 else 1.0
    both = sum(x == y == "word" for x, y in zip(first, other)) / n
    either = sum("word" in (x, y) for x, y in zip(first, other)) / n
    differ = [f"{w} ({MARKS[x]}/{MARKS[y]})" for w, x, y in zip(words, first, other) if x != y]
    return f"| {name} | {n} | {a:.2f} | {b:.2f} | {both:.2f} | {either:.2f} | {agree:.2f} | {kappa:.2f} | {' '.join(differ) or 'none'} |"


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args()
    require(NEWS)
    require(LAWS)
    require(NOVEL)
    judged = judgements()
    second = judgements(SECOND)
    readings = []
    work = Path(tempfile.mkdtemp(prefix="bench-newwords-"))
    lines = [
        "## bench_newwords: the new words a person reads first",
        "",
        f"`python benchmarks/bench_newwords.py --jobs {args.jobs} --top {args.top}`; {machine()}. `wordmine discover CORPUS "
        f"-j {args.jobs}` with its defaults on each whole corpus; the first {args.top} words of kind `new` in the order `--new-only` lists them (by variety: count × the smaller boundary entropy), each "
        "marked by a person reading it (benchmarks/newwords_judged.tsv): ✓ a word, name or term (fixed slogans, idioms, "
        "abbreviations such as 俄乌 beside jieba's 中美 included; in the novel also the words of its time and dialect, such as 梯己, 偏生, "
        "前儿, and names of address, such as 琏二爷), ✗ not (a phrase, a fragment, a quantity). No rule was written for the novel "
        "before its output was read; three were after: a particle closing one character (陪着), then, once its first 200 "
        "were judged (P@100 0.89, P@200 0.80), a preposition closing one (愿同) and a literary adverb opening single "
        "characters (便知).",
        "",
    ]
    summary = []
    unjudged_all = []
    head = len(lines)  # the summary table goes here
    for name, source in (("news", NEWS), ("laws", LAWS), ("novel", NOVEL)):
        corpus = whole(args.cache, source)
        out = work / f"{name}.tsv"
        run = timed([sys.executable, "-m", "wordmine", "discover", str(corpus), "-j", str(args.jobs), "-q", "-o", str(out)])
        if run.returncode != 0:
            sys.exit(f"wordmine discover {corpus} failed:\n{run.stderr}")
        rows = read_table(out)
        by_word = {r[0]: r for r in rows}
        new = [by_word[w.word] for w in new_words(read_words(str(out)))][: args.top]  # as --new-only lists them
        marks = []
        for r in new:
            verdict = judged.get((name, r[0]), ("?", ""))[0]
            marks.append(MARKS.get(verdict, "?"))
        unjudged = [r[0] for r, m in zip(new, marks) if m == "?"]
        unjudged_all += [(name, w) for w in unjudged]

        def precision(k: int) -> str:
            known = [m for m in marks[:k] if m != "?"]
            return f"{sum(m == '✓' for m in known) / len(known):.2f}" if known else "n/a"

        kinds = Counter(r[6] for r in rows)
        readings.append(second_reading(name, [r[0] for r in new[:100]], judged, second))
        summary.append((name, corpus.stat().st_size / MB, run, len(rows), kinds["new"], precision(100), precision(200), len(unjudged)))
        lines += [f"### {name}: the first {len(new)} new words", ""]
        for i in range(0, len(new), 20):
            lines.append(f"{i + 1}–{min(i + 20, len(new))}: " + " ".join(f"{r[0]}{m}" for r, m in zip(new[i : i + 20], marks[i : i + 20])))
            lines.append("")
        misses = [f"{w}" for (c, w), (v, _) in judged.items() if c == name and v == "not" and w in {r[0] for r in new}]
        lines += [f"Not words among them ({len(misses)}): {' '.join(misses)}.", ""]
        lines += [f"Kinds of all {len(rows):,} discovered words: " + ", ".join(f"{k} {kinds[k]:,}" for k in KINDS) + ".", ""]
        lines += ["The most frequent words of each kind the rules keep out of the new words (what they remove):", ""]
        for kind in ("phrase", "compound", "fragment", "quantity"):
            top = [r[0] for r in rows if r[6] == kind][:15]
            lines.append(f"- {kind}: {' '.join(top)}")
        lines.append("")
    # The planted terms of the sample corpus.
    out = work / "sample.tsv"
    run = timed([sys.executable, "-m", "wordmine", "discover", str(ROOT / "data" / "sample"), "-j", str(args.jobs), "-q", "-o", str(out)])
    rows = read_table(out)
    kinds = {r[0]: r[6] for r in rows}
    with open(ROOT / "data" / "planted_terms.tsv", encoding="utf-8") as f:
        planted = [r["term"] for r in csv.DictReader(f, delimiter="\t")]
    found = [t for t in planted if t in kinds]
    new_planted = [t for t in found if kinds[t] == "new"]
    sample_new = [w.word for w in new_words(read_words(str(out)))]
    table = ["| corpus | MiB | discover s | peak RSS MiB | words | new | P@100 | P@200 | not judged |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, mib, run_, n_words, n_new, p100, p200, missing in summary:
        table.append(f"| {name} | {mib:.0f} | {run_.seconds:.1f} | {run_.peak_rss / MB:.0f} | {n_words:,} | {n_new:,} | **{p100}** | **{p200}** | {missing} |")
    compared = [row for row in readings if row]
    if compared:
        table += [
            "",
            "The first 100 (and a few more) read a second time, independently, by the same standard (benchmarks/newwords_second_reading.tsv: "
            "a second reader given only the standard's text and the words, shuffled and unmarked): of the words both readings have, the precision by each, the share both "
            "or either accept, agreement and Cohen's κ, and the words read differently (first/second).",
            "",
            "| corpus | read twice | P first | P second | both ✓ | either ✓ | agreement | κ | read differently |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
            *compared,
        ]
    lines[head:head] = table + [
        "",
        f"Planted terms of data/sample: {len(found)} of {len(planted)} discovered, **{len(new_planted)}** of them new words"
        f" (not new: {' '.join(f'{t} ({kinds[t]})' for t in found if kinds[t] != 'new') or 'none'}; not discovered:"
        f" {' '.join(t for t in planted if t not in kinds)}). The sample's first 40 new words: {' '.join(sample_new[:40])}.",
        "",
    ]
    lines += held_out(args, judged, work, unjudged_all)
    if unjudged_all:
        print("not judged yet (add them to benchmarks/newwords_judged.tsv):", " ".join(f"{c}:{w}" for c, w in unjudged_all), file=sys.stderr)
    publish("bench_newwords", "\n".join(lines), not args.no_write)


def held_out(args, judged, work: Path, unjudged_all: list) -> list[str]:
    """Step 6: the words read in the earlier years as ``--known`` lists for the later ones."""
    from bench_trend import split_years

    years = split_years(whole(args.cache, NEWS), args.cache / "trend" / "years")
    early, late = [p for p in years if p.stem < "2020"], [p for p in years if p.stem >= "2020"]

    def mined(paths: list[Path], name: str, known: list[Path] = ()) -> list[str]:
        out = work / f"{name}.tsv"
        extra = [a for k in known for a in ("--known", str(k))]
        run = timed([sys.executable, "-m", "wordmine", "discover", *map(str, paths), "-j", str(args.jobs), "-q", "--new-only", *extra, "-o", str(out)])
        if run.returncode != 0:
            sys.exit(f"wordmine discover {name} failed:\n{run.stderr}")
        return [r[0] for r in read_table(out)][: args.top]

    def verdict(word: str) -> str:
        return judged.get(("news", word), ("?", ""))[0]

    seen = mined(early, "news-2012-2019")
    rejected, accepted = work / "rejected.txt", work / "accepted.txt"
    rejected.write_text("".join(w + "\n" for w in seen if verdict(w) == "not"), encoding="utf-8")
    accepted.write_text("".join(w + "\n" for w in seen if verdict(w) == "word"), encoding="utf-8")
    lines = [
        "### `--known`: the earlier years read once, for the later ones",
        "",
        f"`wordmine discover` of the news of 2012-2019 ({sum(p.stat().st_size for p in early) / MB:.0f} MiB, the files of "
        f"bench_trend), its first {len(seen)} new words read: {sum(verdict(w) == 'word' for w in seen)} ✓ (to the user's "
        f"dictionary), {sum(verdict(w) == 'not' for w in seen)} ✗ (to a stop list), {sum(verdict(w) == '?' for w in seen)} "
        f"not judged. Then the news of 2020-2026 ({sum(p.stat().st_size for p in late) / MB:.0f} MiB):",
        "",
        "| 2020-2026, `--new-only` | P@100 | P@200 | not judged | first ✗ |",
        "|---|---:|---:|---:|---|",
    ]
    unjudged_all += [("news", w) for w in seen if verdict(w) == "?"]
    for label, known in (("defaults", []), ("`--known rejected.txt`", [rejected]), ("`--known rejected.txt --known accepted.txt`", [rejected, accepted])):
        words = mined(late, "news-2020-2026-" + str(len(known)), known)
        marks = [verdict(w) for w in words]
        unjudged_all += [("news", w) for w, m in zip(words, marks) if m == "?"]

        def precision(k: int) -> str:
            read = [m for m in marks[:k] if m != "?"]
            return f"{sum(m == 'word' for m in read) / len(read):.2f}" if read else "n/a"

        misses = [w for w, m in zip(words, marks) if m == "not"][:12]
        lines.append(f"| {label} | **{precision(100)}** | **{precision(200)}** | {marks.count('?')} | {' '.join(misses)} |")
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
