"""Bursts and emerging words of the news corpus by year, and the speed of compare and trend.

1. Split the news corpus (../shared/corpora/news_xwlb, 2012-07 to 2026-06, stories in date
   order) into one file per year at the first line of each year's first story. The corpus has
   no dates in it; the line numbers below were found once from its source, china-data/xwlb at
   commit 710ba229 (the commit the corpus was built from): for each year, the title of the
   first story of 1 January whose title is a story start (a line after a blank line) exactly
   once in the corpus, stepping back over that day's earlier stories found just before it. Each
   boundary is checked here by the SHA-1 of its line (no corpus text is kept in the project).
2. Count each year with ``wordmine count -j 2`` (the CPU seconds are the cost to compare with).
3. ``wordmine trend`` over the 15 years; ``wordmine compare`` of each year against the merged
   other years, with ``--emerging`` (absent from every other year) and without.
4. Speed on 200,000-word tables: ``compare`` of two, ``trend`` over 15 (tables made from the
   news vocabulary with counts drawn per slice; the command, reading included, and the library
   call alone).
5. Mark the top 20 bursts and the top 20 emerging words of three years with the judgements of a
   person who read them (benchmarks/trend_judged.tsv: ✓ the year's event, name or coinage, ✗
   not); a word not judged yet shows as ?.

Run it under ``flock /tmp/wordmine-bench.lock`` when the machine is shared (~5 min on 2 cores).
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import NEWS, bench_parser, machine, publish, require, timed_tree, whole

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import wordmine  # noqa: E402

WORDMINE = str(Path(sys.executable).parent / "wordmine")
JUDGED = Path(__file__).with_name("trend_judged.tsv")
#: (year, first line of its first story, 1-based; SHA-1 of that line, first 12 hex digits)
YEAR_STARTS = [
    (2012, 1, None),
    (2013, 20033, "6af8762f4aac"),
    (2014, 61653, "c582de101c3d"),
    (2015, 97546, "a80980766410"),
    (2016, 133002, "d6adcbb8cf06"),
    (2017, 169391, "47e58f429a96"),
    (2018, 208589, "ec1ce919f075"),
    (2019, 249281, "240e94a70364"),
    (2020, 291233, "05fe51ce0b09"),
    (2021, 337183, "acbfeab3eff1"),
    (2022, 378323, "b452fbd6d221"),
    (2023, 418366, "9cb8a49ccf46"),
    (2024, 456753, "65ecf3ec16a4"),
    (2025, 496486, "45f6adcf0ecc"),
    (2026, 535103, "8d8214342e19"),
]
#: Years whose emerging words are read: the first full year (new leadership), the epidemic's
#: first year, and a recent one.
READ_YEARS = (2013, 2020, 2024)
TOP = 20
#: Speed tables: 200,000 words each (the issue's size), 15 slices.
SPEED_WORDS = 200_000
SPEED_SLICES = 15


def split_years(corpus: Path, out: Path) -> list[Path]:
    """One file per year, cut at YEAR_STARTS (checked by their hashes); written once."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{year}.txt" for year, _, _ in YEAR_STARTS]
    if all(p.exists() for p in paths):
        return paths
    starts = {line: (year, digest) for year, line, digest in YEAR_STARTS}
    current = None
    with open(corpus, "rb") as src:
        for lineno, line in enumerate(src, 1):
            if lineno in starts:
                year, digest = starts[lineno]
                found = hashlib.sha1(line.rstrip(b"\n")).hexdigest()[:12]
                if digest is not None and found != digest:
                    sys.exit(f"{corpus}:{lineno}: not the first story of {year} (sha1 {found}, expected {digest}): another corpus version?")
                if current is not None:
                    current.close()
                current = open(out / f"{year}.part", "wb")
            current.write(line)
    current.close()
    for p in paths:
        p.with_suffix(".part").replace(p)
    return paths


def count_years(texts: list[Path], out: Path) -> tuple[list[Path], float, float]:
    """``wordmine count -j 2`` per year: the tables, total wall and CPU seconds."""
    out.mkdir(parents=True, exist_ok=True)
    tables, wall, cpu = [], 0.0, 0.0
    for text in texts:
        table = out / f"{text.stem}.tsv"
        run = timed_tree([WORDMINE, "count", "-q", "-j", "2", str(text), "-o", str(table)])
        if run.returncode:
            sys.exit(f"count {text} failed: {run.stderr}")
        tables.append(table)
        wall, cpu = wall + run.seconds, cpu + run.cpu_seconds
    return tables, wall, cpu


def judgements() -> dict[tuple[str, str], str]:
    """(list, word) -> ✓ or ✗, from benchmarks/trend_judged.tsv (list, word, verdict, why)."""
    judged = {}
    if JUDGED.exists():
        for line in JUDGED.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                name, word, verdict, _why = line.split("\t")
                judged[(name, word)] = verdict
    return judged


def speed_tables(vocabulary: list[tuple[str, int]], tmp: Path) -> list[Path]:
    """15 tables of SPEED_WORDS words each: the news words (padded with made-up ones), counts
    drawn around each word's share of the corpus."""
    words = [w for w, _ in vocabulary[:SPEED_WORDS]]
    counts = [c for _, c in vocabulary[:SPEED_WORDS]]
    words += [f"词{i}" for i in range(SPEED_WORDS - len(words))]
    counts += [1] * (SPEED_WORDS - len(counts))
    rng = random.Random(14)
    paths = []
    for t in range(SPEED_SLICES):
        table = {w: max(1, int(c / SPEED_SLICES * rng.uniform(0.3, 1.7))) for w, c in zip(words, counts)}
        paths.append(tmp / f"s{t:02d}.tsv")
        wordmine.write_counts(table, str(paths[-1]))
    return paths


def timed_command(args: list[str]) -> float:
    run = timed_tree([WORDMINE, *args])
    if run.returncode:
        sys.exit(f"wordmine {' '.join(args)} failed: {run.stderr}")
    return run.seconds


def main() -> None:
    args = bench_parser(__doc__).parse_args()
    corpus = whole(args.cache, require(NEWS))
    work = args.cache / "trend"
    texts = split_years(corpus, work / "years")
    tables, count_wall, count_cpu = count_years(texts, work / "counts")
    years = [t.stem for t in tables]
    judged = judgements()
    with tempfile.TemporaryDirectory(prefix="wordmine-bench-trend-") as tmp:
        tmp = Path(tmp)
        bursts_file = tmp / "bursts.tsv"
        trend_seconds = timed_command(["trend", *map(str, tables), "-q", "-o", str(bursts_file)])
        bursts = [line.split("\t") for line in bursts_file.read_text(encoding="utf-8").splitlines()[1:]]

        counts = {y: wordmine.read_counts(str(t)) for y, t in zip(years, tables)}
        unique, emerging, keywords, compare_seconds = {}, {}, {}, []
        for i, year in enumerate(years):
            # against all the other years: the year's keywords, and the words of that year only
            rest = Counter()
            for other in years:
                if other != year:
                    rest.update(counts[other])
            rest_file = tmp / f"rest_{year}.tsv"
            wordmine.write_counts(rest, str(rest_file))
            out = tmp / f"unique_{year}.tsv"
            compare_seconds.append(timed_command(["compare", str(tables[i]), str(rest_file), "-q", "--emerging", "-o", str(out)]))
            unique[year] = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
            keywords[year] = [r.word for r in wordmine.compare_counts(counts[year], rest, top=10)]
            # against the years before: the words that emerged that year (and may have stayed)
            if i:
                before = Counter()
                for other in years[:i]:
                    before.update(counts[other])
                emerging[year] = wordmine.compare_counts(counts[year], before, emerging=True)

        total = Counter()
        for c in counts.values():
            total.update(c)
        paths = speed_tables(wordmine.prune_counts(total).most_common(), tmp)
        speed_compare = timed_command(["compare", str(paths[0]), str(paths[1]), "-q", "-o", str(tmp / "k.tsv")])
        speed_trend = timed_command(["trend", *map(str, paths), "-q", "-o", str(tmp / "b.tsv")])
        loaded = [wordmine.read_counts(str(p)) for p in paths]
        start = time.perf_counter()
        wordmine.compare_counts(loaded[0], loaded[1])
        lib_compare = time.perf_counter() - start
        start = time.perf_counter()
        n_bursts = len(wordmine.burst_words(loaded, labels=[p.stem for p in paths]))
        lib_trend = time.perf_counter() - start

    tokens = {y: sum(c.values()) for y, c in counts.items()}
    lines = [
        "## bench_trend: bursts and emerging words of the news corpus by year",
        "",
        f"Machine: {machine()}. Corpus: news_xwlb ({corpus.stat().st_size / (1 << 20):.0f} MiB), cut into "
        f"{len(years)} years at the first story of each 1 January (line numbers found from the corpus' "
        "source, china-data/xwlb, and checked by hash; see the script). 2012 starts in July, 2026 ends in June.",
        "",
        "| year | " + " | ".join(years) + " |",
        "|---|" + "---:|" * len(years),
        "| tokens (k) | " + " | ".join(f"{tokens[y] / 1000:.0f}" for y in years) + " |",
        "| words (k) | " + " | ".join(f"{len(counts[y]) / 1000:.0f}" for y in years) + " |",
        "",
        "### Speed",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| count, 15 years, `-j 2` (wall; CPU {count_cpu:.0f} s) | {count_wall:.1f} |",
        f"| trend over the 15 year tables (command) | {trend_seconds:.2f} |",
        f"| compare, one year against the other 14 merged, `--emerging` (command, mean of 15) | {sum(compare_seconds) / len(compare_seconds):.2f} |",
        f"| compare of two {SPEED_WORDS:,}-word tables (command, reading included) | {speed_compare:.2f} |",
        f"| the same, `compare_counts` on loaded tables | {lib_compare:.2f} |",
        f"| trend over {SPEED_SLICES} slices of {SPEED_WORDS:,} words (command, reading included) | {speed_trend:.2f} |",
        f"| the same, `burst_words` on loaded tables ({n_bursts:,} bursts) | {lib_trend:.2f} |",
        "",
        f"### Top {TOP} bursts (`wordmine trend`, s = 2, γ = 1)",
        "",
        "✓: the year's event, name or coinage, as a reader of the news would name it; ✗: not "
        "(a judgement per word, in benchmarks/trend_judged.tsv); ?: not judged yet.",
        "",
        "| | word | first | last | weight | count |",
        "|---|---|---|---|---:|---:|",
    ]
    marks = []
    for word, first, last, weight, count in bursts[:TOP]:
        mark = judged.get(("bursts", word), "?")
        marks.append(mark)
        lines.append(f"| {mark} | {word} | {first} | {last} | {float(weight):,.0f} | {int(count):,} |")
    lines.append(f"\n{marks.count('✓')} of {len(marks)} ✓.")
    for year in READ_YEARS:
        year = str(year)
        rows = emerging[year][:TOP]
        lines += [
            "",
            f"### {year}: top {TOP} emerging words (`wordmine compare {year}.tsv before.tsv --emerging`, "
            f"before = 2012..{int(year) - 1} merged; {len(emerging[year]):,} in all)",
            "",
            "| | word | count | g2 | log_ratio | in later years |",
            "|---|---|---:|---:|---:|---:|",
        ]
        marks = []
        later = Counter()
        for other in years[years.index(year) + 1:]:
            later.update(counts[other])
        for row in rows:
            mark = judged.get((year, row.word), "?")
            marks.append(mark)
            lines.append(f"| {mark} | {row.word} | {row.focus_count:,} | {row.g2:,.1f} | {row.log_ratio:.2f} | {later[row.word]:,} |")
        lines += [
            "",
            f"{marks.count('✓')} of {len(marks)} ✓. Against all the other years: top keywords {' '.join(keywords[year])}; "
            f"top words of this year only (`--emerging` against the other 14): {' '.join(r[0] for r in unique[year][:10])}.",
        ]
    lines += ["", "Words of one year only (`--emerging` against the other 14 years): " + ", ".join(f"{y} {len(unique[y]):,}" for y in years) + "."]
    if JUDGEMENT:
        lines += ["", "### Reading", "", JUDGEMENT.strip()]
    publish("bench_trend", "\n".join(lines), not args.no_write)


#: What a reader makes of the lists (written after reading the run recorded in RESULTS.md).
JUDGEMENT = """
**Bursts.** Kleinberg's weight is the cost a burst saves, which grows with the word's count, so
the top of the list is frequent words in long bursts, and they name the periods of the news
rather than single events: the epidemic (疫情, 病例, 确诊, 新冠, 防控, 肺炎, 2020-2022), the new
government and its slogans (李强, 中国式 and 现代化 of 中国式现代化, 高质量 of 高质量发展, from
2023), the wars (俄军 from 2022, 以军 and 加沙 from 2023). The 7 misses are not noise but
real shifts of no interest to a reader: house style (号 and 日 in dates, 称 in war reports), the
accounting words of the daily case tallies (例, 新增, 累计), and the year's own number. A reader
who wants events should filter such words out (a stop list, or `--words` with discovered
words) or read further down the list, where shorter bursts of rarer words sit.

**Emerging words** (absent from every earlier year, by G²) are the better list for the year's
events and coinages: 15, 14 and 16 of 20 are, in 2013 the mass-line campaign (四风, 查摆,
鱼翅), the smog (霾, 大气污染), H7N9, the Lushan earthquake, the first lady; in 2020 COVID (新冠,
ECMO, 福奇, 援鄂), the Hong Kong security law, the coinages 六保, 双循环, 带货; in 2024 Nauru,
the Noto earthquake, new heads of state, the Chancay port, the coinage 两重. Nearly every miss
is a piece of a longer name or slogan that jieba cut (哈尼 of 鲁哈尼, 火神 of 火神山, 外防 of
外防输入, 内察 of 内察里姆走廊, 武王 of 武王墩墓) or a function character glued to a new word
(受新冠, 因新冠, 以媒称): the events are right, the word boundaries are jieba's. Counting with the
discovered words added (`--words` on corpora, or `count --userdict`) is the remedy; two
generic terms in 2013 (司法解释, 听取意见) probably come from comparing against half a year of 2012 only.
Against all the other years (the issue's comparison), the words of one year only are mostly
names of that year's people and places (李文亮, 离汉 in 2020; 佳乐苑, 克尔曼 in 2024), while
the top keywords by G² mix the year's themes with its own number and house style.

**Speed.** `compare` and `trend` take seconds where counting the same text takes minutes; with
200,000-word tables most of their time is reading the tables (`read_counts`, a Python loop per
row): the computations themselves are a fraction of a second (compare) and a few seconds
(trend: the union of 15 vocabularies, 15-step Viterbi over all words, and sorting the bursts).
"""


if __name__ == "__main__":
    main()
