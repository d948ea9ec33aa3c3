"""An independent, small re-implementation of the reference new-word discovery of bojone/word-discovery.

The algorithm of kexue.fm "更好的新词发现算法" (https://kexue.fm/archives/4256, reproduced in
https://kexue.fm/archives/6920 and github.com/bojone/word-discovery), with the reference's choices
and flaws kept on purpose, so the benchmark can run it side by side with `wordmine discover`:

1. each input line is cut into "sentences" by re.sub('[^\\u4e00-\\u9fa50-9a-zA-Z ]+', '\\n', line):
   digits and ASCII letters stay, full-width digits and ○ are boundaries, and ASCII spaces stay
   inside the sentences (a known flaw);
2. character n-grams of orders 1..4 are counted (see "Counting" below);
3. n-grams below --min-count are dropped; total = the sum of the 1-gram counts; an n-gram of
   length 2..4 is kept when min over its splits of total*c(s)/(c(s[:i])*c(s[i:])) > MIN_PROBA[len(s)];
4. every sentence is cut: gap k between characters k and k+1 stays joined when a kept n-gram
   s[i:i+j] (j = 2..4) spans it (r[i:i+j-1] += 1; joined where r > 0); the pieces are counted;
5. back-filter: pieces with count >= --min-count and is_real(piece): a piece of 3 or more
   characters needs every 4-window s[i:i+4], i in range(len - 4 + 1), kept -- so 3-character
   pieces are never checked (the reference's flaw);
6. output: a `word<TAB>count` TSV with a header, sorted by count descending then word, which
   `wordmine segment --dict` reads.

Counting (--counting):
* ``kenlm`` (default): what the reference gets from KenLM's `count_ngrams -o 4`. The reference
  writes each sentence with its characters joined by spaces, so KenLM splits it on whitespace and
  the ASCII spaces vanish from the counts (but not from step 4's sentences). KenLM pads each
  sentence with 3 (= order - 1) <s> in front and one </s> at the end and counts the 4-grams of
  that; the reference drops the 4-gram records below min_count, strips <s>/</s> from the rest and
  adds each record's count to every prefix of what is left (KenlmNgrams.read_ngrams). Hence the
  padding effects reproduced here: the n-grams starting at a sentence's first character are counted
  up to 4 times, those starting at its last two characters (except the first) not at all, and a
  frequent n-gram can have a suffix absent from the table; like the reference's filter_ngrams, an
  absent part then counts as `total` (`.get(part, total)`).
* ``exact``: plain n-gram counts of orders 1..4 inside each sentence (spaces included as
  characters), no padding effects -- what the algorithm means rather than what the code does.

Not reproduced: empty sentences (the reference adds KenLM's "<s> </s>" records to `total`;
here they are skipped), and pieces holding a space are left out of the output (the reference would
list " ", and with exact counting words like "张贝龙 文字编辑"; no jieba dictionary can hold them).

    python benchmarks/reference_discovery.py INPUT... [--min-count 32] [--counting kenlm|exact] -o words.tsv

The time of each stage goes to stderr.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

# The reference's thresholds on total*c(s)/(c(a)*c(b)), by n-gram length (kexue.fm/archives/4256:
# min_proba = {2: 5, 3: 25, 4: 125}), and its default min_count and order.
MIN_PROBA = {2: 5, 3: 25, 4: 125}
MIN_COUNT = 32
ORDER = 4
# The reference's sentence splitter: anything but CJK ideographs, ASCII digits/letters and space.
SPLIT = re.compile("[^\u4e00-\u9fa50-9a-zA-Z ]+")
# Stand-ins for KenLM's <s> and </s> inside the 4-gram keys (they never occur in a sentence).
BOS, EOS = "\x02", "\x03"


def read_sentences(paths: list[str]) -> list[str]:
    """Every non-empty sentence of every line of ``paths`` (UTF-8), cut as the reference does."""
    sentences = []
    for path in paths:
        with open(path, encoding="utf-8-sig") as f:
            for line in f:
                sentences.extend(s for s in SPLIT.sub("\n", line).split("\n") if s)
    return sentences


def count_exact(sentences: list[str], order: int = ORDER) -> Counter:
    """Plain counts of the character n-grams of orders 1..order inside each sentence."""
    counts = Counter()
    for n in range(1, order + 1):
        counts.update(s[i:i + n] for s in sentences for i in range(len(s) - n + 1))
    return counts


def count_kenlm(sentences: list[str], min_count: int, order: int = ORDER) -> Counter:
    """Counts as the reference derives them from KenLM's order-``order`` records (module docstring)."""
    pad = BOS * (order - 1)
    records = Counter()
    for s in sentences:
        t = s.replace(" ", "")  # KenLM splits the space-joined characters on whitespace
        if t:
            p = pad + t + EOS
            records.update(p[i:i + order] for i in range(len(p) - order + 1))
    counts = Counter()
    for record, n in records.items():
        if n >= min_count:
            c = record.replace(BOS, "").replace(EOS, "")
            for j in range(1, len(c) + 1):
                counts[c[:j]] += n
    return counts


def keep_ngrams(counts: Counter, min_count: int, order: int = ORDER) -> tuple[set[str], dict[str, int]]:
    """The n-grams of length 2..order "solid" enough, and the min_count-filtered table."""
    table = {g: c for g, c in counts.items() if c >= min_count}
    total = float(sum(c for g, c in table.items() if len(g) == 1))
    kept = set()
    for g, c in table.items():
        if 2 <= len(g) <= order:
            score = min(total * c / (table.get(g[:i], total) * table.get(g[i:], total)) for i in range(1, len(g)))
            if score > MIN_PROBA[len(g)]:
                kept.add(g)
    return kept, table


def cut(s: str, kept: set[str], order: int = ORDER) -> list[str]:
    """Join the characters of ``s`` across every gap a kept n-gram spans (the reference's ``cut``)."""
    joined = bytearray(len(s) - 1)  # the reference's r > 0
    for i in range(len(s) - 1):
        for j in range(2, order + 1):
            if s[i:i + j] in kept:  # near the end s[i:i+j] is shorter than j, as in the reference
                joined[i:i + j - 1] = b"\x01" * len(joined[i:i + j - 1])
    pieces, start = [], 0
    for k, join in enumerate(joined):
        if not join:
            pieces.append(s[start:k + 1])
            start = k + 1
    pieces.append(s[start:])
    return pieces


def is_real(piece: str, kept: set[str], order: int = ORDER) -> bool:
    """The reference's back-filter: 3-character pieces pass unchecked (range(0) is empty)."""
    if len(piece) >= 3:
        return all(piece[i:i + order] in kept for i in range(len(piece) - order + 1))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--min-count", type=int, default=MIN_COUNT, help=f"the reference's min_count (default {MIN_COUNT})")
    parser.add_argument("--counting", choices=("kenlm", "exact"), default="kenlm", help="n-gram counts with KenLM's padding effects, or exact ones")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()

    def stage(name: str, start: float) -> float:
        now = time.perf_counter()
        print(f"{name}: {now - start:.1f} s", file=sys.stderr, flush=True)
        return now

    t = t0 = time.perf_counter()
    sentences = read_sentences(args.inputs)
    t = stage(f"read {len(sentences)} sentences, {sum(map(len, sentences))} chars", t)
    counts = count_kenlm(sentences, args.min_count) if args.counting == "kenlm" else count_exact(sentences)
    t = stage(f"count n-grams ({args.counting}): {len(counts)} distinct", t)
    kept, table = keep_ngrams(counts, args.min_count)
    del counts, table
    t = stage(f"filter n-grams: {len(kept)} kept", t)
    pieces = Counter()
    for s in sentences:
        pieces.update(cut(s, kept))
    t = stage(f"cut sentences: {len(pieces)} distinct pieces", t)
    words = {w: c for w, c in pieces.items() if c >= args.min_count and " " not in w and is_real(w, kept)}
    t = stage(f"back-filter: {len(words)} words", t)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write("word\tcount\n")
        for w, c in sorted(words.items(), key=lambda r: (-r[1], r[0])):
            f.write(f"{w}\t{c}\n")
    t = stage("write", t)
    print(f"total: {t - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
