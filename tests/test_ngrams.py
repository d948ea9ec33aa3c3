"""Character n-gram counts: exact against a naive count, whatever -j, memory or file format."""

from __future__ import annotations

import os
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from wordmine import NgramTable, count_ngrams, count_ngrams_in_text, fragments, merge_ngrams, normalize
from wordmine.errors import FormatError
from wordmine.ngrams import _Layout, parse_memory

ALPHABET = st.sampled_from(list("新词发现中文㐀𠀀〇○ＡＢａ１ab9，。！、 \u3000\t😀\r\n-_%"))


def naive(text: str, n: int) -> tuple[dict[str, int], dict[int, int]]:
    """Every window of every fragment of every line, in plain Python."""
    counts: Counter = Counter()
    totals = {k: 0 for k in range(1, n + 1)}
    for line in text.replace("\r\n", "\n").split("\n"):
        for frag in fragments(normalize(line)):
            for k in range(1, n + 1):
                for i in range(len(frag) - k + 1):
                    counts[frag[i : i + k]] += 1
                    totals[k] += 1
    return dict(counts), totals


def as_dict(table: NgramTable) -> dict[str, int]:
    return {g: c for k in range(1, table.n + 1) for g, c in table.items(k)}


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def sample_text() -> str:
    return "".join(p.read_text(encoding="utf-8") + "\n" for p in sorted(SAMPLE.glob("*.txt")))


def test_sample_equals_naive_count():
    table = count_ngrams([str(SAMPLE)], 4, jobs=2, batch_bytes=32 << 10)
    expected, totals = naive(sample_text(), 4)
    assert as_dict(table) == expected
    assert table.totals == totals


@settings(max_examples=60, deadline=None)
@given(st.text(ALPHABET, max_size=200), st.integers(1, 8))
def test_generated_text_equals_naive_count(text, n):
    table = count_ngrams_in_text(text, n)
    expected, totals = naive(text, n)
    assert as_dict(table) == expected
    assert table.totals == totals


def test_large_alphabet_uses_multiword_keys_exactly(tmp_path):
    rng = random.Random(7)
    chars = [chr(0x4E00 + i) for i in range(3000)]
    text = "\n".join("".join(rng.choice(chars) for _ in range(rng.randint(1, 40))) + "，" + "".join(rng.choice(chars[:50]) for _ in range(30)) for _ in range(400))
    path = write(tmp_path, "wide.txt", text)
    assert _Layout(3000).words(8) == 2  # 3000**6 > 2**64: orders 6..8 take two words
    table = count_ngrams([path], 8, jobs=2, memory="64K", batch_bytes=4096)
    expected, totals = naive(text, 8)
    assert as_dict(table) == expected and table.totals == totals
    grams = list(expected)[:500] + ["不在表中的串", "㐀"]
    assert table.lookup(grams).tolist() == [expected.get(g, 0) for g in grams]


def test_no_ngram_crosses_a_fragment_boundary():
    table = count_ngrams_in_text("新词，发现\n新词 发现\nab_cd", 4)
    assert table.count("词发") == 0 and table.count("词，") == 0 and table.count("bc") == 0
    assert table.count("新词") == 2 and table.count("发现") == 2 and table.count("ab") == 1
    assert table.totals == {1: 12, 2: 6, 3: 0, 4: 0}


def test_lookup_and_count():
    table = count_ngrams_in_text("新词新词发现", 3)
    assert table.lookup(["新词", "词新", "新词发", "", "x", "新词新词"]).tolist() == [2, 1, 1, 0, 0, 0]
    assert table["新"] == 2 and table.count("现") == 1


@pytest.mark.parametrize("options", [dict(jobs=1), dict(jobs=2), dict(jobs=2, memory="32K", batch_bytes=8 << 10)])
def test_jobs_and_spilling_give_identical_files(tmp_path, options):
    reference = tmp_path / "ref.npz"
    count_ngrams([str(SAMPLE)], 4, jobs=1).save(str(reference))
    out = tmp_path / "out.npz"
    table = count_ngrams([str(SAMPLE)], 4, tmp_dir=str(tmp_path), **options)
    table.save(str(out))
    assert out.read_bytes() == reference.read_bytes()
    del table
    assert sorted(os.listdir(tmp_path)) == ["out.npz", "ref.npz"]  # runs removed with the table


def test_temporary_runs_are_removed_after_an_error(tmp_path):
    good = write(tmp_path, "good.txt", "新词发现" * 5000)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\n")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(Exception, match="bad.txt:1: not valid UTF-8"):
        count_ngrams([good, str(bad)], 4, memory="1K", batch_bytes=1024, tmp_dir=str(work))
    assert os.listdir(work) == []


def test_merge_equals_counting_the_concatenation(tmp_path):
    a = write(tmp_path, "a.txt", "新词发现，中文分词\n")
    b = write(tmp_path, "b.txt", "分词工具ＡＢ１２\n新词")
    both = count_ngrams([a, b], 5, jobs=1)
    merged = merge_ngrams([count_ngrams([a], 5, jobs=1), count_ngrams([b], 5, jobs=1)])
    assert merged == both
    assert merged.totals == both.totals


def test_merge_refuses_different_orders(tmp_path):
    a = tmp_path / "a.npz"
    count_ngrams_in_text("新词", 2).save(str(a))
    with pytest.raises(FormatError, match="has orders 1..3, the first has 1..2"):
        merge_ngrams([str(a), count_ngrams_in_text("新词", 3)])


@pytest.mark.parametrize("fmt", ["npz", "tsv"])
def test_file_round_trips(tmp_path, fmt):
    table = count_ngrams([str(SAMPLE)], 4, jobs=1)
    path = tmp_path / f"t.{fmt}"
    table.save(str(path), format=fmt)
    loaded = NgramTable.load(str(path))
    assert loaded == table
    if fmt == "npz":
        assert isinstance(loaded.keys[4], np.memmap)  # memory-mapped, not read


def test_tsv_layout(tmp_path):
    path = tmp_path / "t.tsv"
    count_ngrams_in_text("abab，ba", 2).save(str(path), format="tsv")
    # by order, then count descending, then code point
    assert path.read_text(encoding="utf-8") == "ngram\tcount\na\t3\nb\t3\nab\t2\nba\t2\n"


def test_min_count_prunes_each_order_alone():
    text = "新词新词新词发"
    full = count_ngrams_in_text(text, 3)
    pruned = full.prune(3)
    assert as_dict(pruned) == {g: c for g, c in as_dict(full).items() if c >= 3}
    assert pruned.count("新") == 3 and pruned.count("发") == 0
    assert pruned.totals == full.totals


def test_min_count_during_counting_equals_pruning_after(tmp_path):
    path = str(SAMPLE / "sport.txt")
    assert count_ngrams([path], 4, min_count=5, memory="16K", batch_bytes=8 << 10) == count_ngrams([path], 4).prune(5)


def test_bad_files_are_format_errors(tmp_path):
    words = write(tmp_path, "w.tsv", "word\tcount\n新词\t2\n")
    with pytest.raises(FormatError, match="this is a word-count table"):
        NgramTable.load(words)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(FormatError, match="junk.npz: not a readable n-gram table"):
        NgramTable.load(str(junk))


def test_parse_memory():
    assert [parse_memory(x) for x in ["1G", "1.5g", "512M", "64KiB", "100"]] == [1 << 30, 3 << 29, 512 << 20, 64 << 10, 100]
    with pytest.raises(ValueError):
        parse_memory("lots")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 2999), min_size=1, max_size=9), min_size=1, max_size=20), st.integers(2, 70000))
def test_layout_pack_unpack_round_trip(rows, size):
    layout = _Layout(size)
    k = min(len(r) for r in rows)
    ids = np.array([r[:k] for r in rows], dtype=np.uint32) % size
    assert (layout.unpack(layout.pack(ids), k) == ids).all()
