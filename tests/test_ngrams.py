"""N-gram counts of units: exact against a naive count, whatever -j, memory or file format."""

from __future__ import annotations

import os
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from wordmine import NgramTable, count_ngrams, count_ngrams_in_text, merge_ngrams, normalize
from wordmine.corpus import unit_fragments
from wordmine.errors import FormatError, InputError
from wordmine.keys import KeyPacker, sort_reduce
from wordmine.ngrams import parse_memory

ALPHABET = st.sampled_from(list("新词发现中文㐀𠀀〇○ＡＢａ１ab9，。！、 \u3000\t😀\r\n-_%"))


def naive(text: str, n: int, pool=frozenset()) -> tuple[dict[str, int], dict[int, int]]:
    """Every window of units of every fragment of every line, in plain Python (units in
    ``pool`` stand as their class)."""
    counts: Counter = Counter()
    totals = {k: 0 for k in range(1, n + 1)}
    for line in text.replace("\r\n", "\n").split("\n"):
        for frag in unit_fragments(normalize(line)):
            frag = [("<NUM>" if u[0].isdecimal() else "<LATIN>") if u in pool else u for u in frag]
            for k in range(1, n + 1):
                for i in range(len(frag) - k + 1):
                    counts["".join(frag[i : i + k])] += 1
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
    assert KeyPacker(3002).width(8) == 2  # 3002**6 > 2**64: orders 6..8 take two words
    table = count_ngrams([path], 8, jobs=2, memory="64K", batch_bytes=4096)
    expected, totals = naive(text, 8)
    assert as_dict(table) == expected and table.totals == totals
    grams = list(expected)[:500] + ["不在表中的串", "㐀"]
    assert table.lookup(grams).tolist() == [expected.get(g, 0) for g in grams]


def test_no_ngram_crosses_a_fragment_boundary():
    table = count_ngrams_in_text("新词，发现\n新词 发现\nab_cd", 4)
    assert table.count("词发") == 0 and table.count("词，") == 0 and table.count("bc") == 0
    assert table.count("新词") == 2 and table.count("发现") == 2 and table.count("ab") == 1
    assert table.totals == {1: 10, 2: 4, 3: 0, 4: 0}  # "ab" and "cd" are one unit each


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


@pytest.mark.parametrize("options", [dict(jobs=2), dict(jobs=2, memory="32K", batch_bytes=8 << 10)])
def test_order_6_is_exact_and_the_same_file_whatever_jobs_or_memory(tmp_path, options):
    # The sample's 2,440 symbols put five in a word: order 5 packs its counts into its keys'
    # free bits, order 6 is cut after its first symbol (the layouts of wordmine.runs).
    reference = tmp_path / "ref.npz"
    table = count_ngrams([str(SAMPLE)], 6, jobs=1)
    assert table.packer.per_word == 5
    expected, totals = naive(sample_text(), 6)
    assert as_dict(table) == expected and table.totals == totals
    table.save(str(reference))
    out = tmp_path / "out.npz"
    count_ngrams([str(SAMPLE)], 6, tmp_dir=str(tmp_path), **options).save(str(out))
    assert out.read_bytes() == reference.read_bytes()


def test_temporary_runs_are_removed_after_an_error(tmp_path):
    good = write(tmp_path, "good.txt", "新词发现" * 5000)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\n")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(InputError, match="bad.txt:1: not valid UTF-8"):
        count_ngrams([good, str(bad)], 4, memory="1K", batch_bytes=1024, tmp_dir=str(work))
    assert os.listdir(work) == []


def test_merge_equals_counting_the_concatenation(tmp_path):
    a = write(tmp_path, "a.txt", "新词发现，中文分词\n")
    b = write(tmp_path, "b.txt", "分词工具ＡＢ１２\n新词")
    both = count_ngrams([a, b], 5, jobs=1)
    merged = merge_ngrams([count_ngrams([a], 5, jobs=1), count_ngrams([b], 5, jobs=1)])
    assert merged == both
    assert merged.totals == both.totals


def test_merge_on_little_memory_equals_the_merge_in_memory(tmp_path):
    a = count_ngrams([str(SAMPLE / "sport.txt")], 5, jobs=1)
    b = count_ngrams([str(SAMPLE / "finance.txt")], 5, jobs=1)
    both = count_ngrams([str(SAMPLE / "sport.txt"), str(SAMPLE / "finance.txt")], 5, jobs=1)
    small = merge_ngrams([a, b], memory="64K", tmp_dir=str(tmp_path))  # many slices and ranges
    assert small == both and small.totals == both.totals
    assert merge_ngrams([a, b], min_count=3) == both.prune(3)
    del small
    assert os.listdir(tmp_path) == []  # the runs go with the table


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
    count_ngrams_in_text("甲乙甲乙，乙甲", 2).save(str(path), format="tsv")
    # by order, then count descending, then code point
    assert path.read_text(encoding="utf-8") == "ngram\tcount\n乙\t3\n甲\t3\n乙甲\t2\n甲乙\t2\n"


def test_latin_words_and_numbers_are_units():
    text = "iPhone15发布，售价5,999元，涨了3.5%。lock和license；K线图和A股，1,2,3"
    table = count_ngrams_in_text(text, 4)
    expected, totals = naive(text, 4)
    assert as_dict(table) == expected and table.totals == totals
    assert table.count("iPhone15发") == 1 and table.count("5,999元") == 1 and table.count("了3.5%") == 1
    # never a piece of a unit
    assert table.lookup(["Phone", "hone1", "999", "5%", "lo", "ck", "icen"]).tolist() == [0] * 7
    assert table.count("K线图") == 1 and table.count("A股") == 1 and table.count("1") == 1 and table.count("3") == 1


def test_rare_latin_words_and_numbers_share_their_class(monkeypatch, tmp_path):
    import wordmine.symbols as symbols

    # Room for 2 word units: the most frequent, GDP (3) and 2024 (2); the others are pooled.
    monkeypatch.setattr(symbols, "word_unit_room", lambda characters: 2)
    text = "GDP增长，GDP增长，GDP\n2024年，2024年，1999年，CPI上涨，PPI上涨\n"
    path = write(tmp_path, "c.txt", text * 3)
    table = count_ngrams([path], 3, jobs=2, batch_bytes=64)
    expected, totals = naive(text * 3, 3, pool={"1999", "CPI", "PPI"})
    assert as_dict(table) == expected and table.totals == totals
    assert table.pooled == ("<LATIN>", "<NUM>")
    assert table.count("<NUM>年") == 3 and table.count("1999年") == 3  # looked up as its class
    assert table.count("<LATIN>上涨") == 6 and table.count("2024年") == 6
    assert count_ngrams([path], 3, jobs=1) == table


def test_merge_pools_a_word_unit_that_a_table_may_have_pooled(monkeypatch, tmp_path):
    import wordmine.symbols as symbols

    monkeypatch.setattr(symbols, "word_unit_room", lambda characters: 1)
    a = write(tmp_path, "a.txt", "GDP增长，GDP增长，CPI上涨\n")  # GDP own, CPI pooled
    b = write(tmp_path, "b.txt", "CPI上涨，CPI上涨，GDP增长\n")  # CPI own, GDP pooled
    c = write(tmp_path, "c.txt", "GDP增长\n")  # GDP own, nothing pooled
    merged = merge_ngrams([count_ngrams([a], 3, jobs=1), count_ngrams([b], 3, jobs=1)])
    # Each table may have pooled the other's word: both join <LATIN>, and every count is exact.
    assert merged.count("<LATIN>增长") == 3 and merged.count("<LATIN>上涨") == 3
    assert "GDP" not in merged.symbols.index and "CPI" not in merged.symbols.index
    kept = merge_ngrams([count_ngrams([a], 3, jobs=1), count_ngrams([c], 3, jobs=1)])
    assert kept.count("GDP增长") == 3 and kept.count("<LATIN>上涨") == 1


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
    with pytest.raises(FormatError, match="junk.npz: not a readable npz file"):
        NgramTable.load(str(junk))


def test_a_format_1_table_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "old.npz"
    meta = np.frombuffer(b'{"format": "wordmine-ngrams", "version": 1, "n": 1, "wordmine": "0.1.0"}', np.uint8)
    np.savez(path, meta=meta, alphabet=np.array([0x65B0], np.uint32), keys_1=np.array([0], np.uint64),
             counts_1=np.array([1], np.uint64), totals=np.array([1], np.uint64))
    with pytest.raises(FormatError, match="format 1 .*count it again with wordmine ngrams"):
        NgramTable.load(str(path))


@pytest.mark.parametrize("damage, message", [
    (dict(keys_2=np.array([7, 3], np.uint64)), "keys_2 are not sorted"),
    (dict(keys_2=np.array([3, 3], np.uint64)), "keys_2 are not sorted"),
    (dict(keys_2=np.array([3, 10**12], np.uint64)), "keys_2 hold ids outside"),
    (dict(counts_2=np.array([1], np.uint64)), "do not fit order 2"),
    (dict(counts_2=np.array([1, 0], np.uint64)), "counts_2 hold a zero count"),
    (dict(counts_2=np.array([1, 1], np.int64)), "not uint64"),
    (dict(keys_2=np.array(["x", "y"], dtype=object)), "not numbers"),
    (dict(totals=np.array([1], np.uint64)), "totals missing or of the wrong shape"),
])
def test_damaged_tables_are_refused(tmp_path, damage, message):
    good = tmp_path / "good.npz"
    table = count_ngrams_in_text("新词新词，词新", 2)
    table.save(str(good))
    arrays = dict(np.load(good))
    assert len(arrays["keys_2"]) == 2
    arrays.update(damage)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays, allow_pickle=True) if any(a.dtype == object for a in damage.values()) else np.savez(bad, **arrays)
    with pytest.raises(FormatError, match=message):
        NgramTable.load(str(bad))


def test_parse_memory():
    assert [parse_memory(x) for x in ["1G", "1.5g", "512M", "64KiB", "100"]] == [1 << 30, 3 << 29, 512 << 20, 64 << 10, 100]
    with pytest.raises(ValueError):
        parse_memory("lots")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.integers(0, 2999), min_size=1, max_size=9), min_size=1, max_size=20), st.integers(2, 70000))
def test_packer_pack_unpack_round_trip(rows, size):
    packer = KeyPacker(size)
    k = min(len(r) for r in rows)
    ids = np.array([r[:k] for r in rows], dtype=np.uint32) % size
    assert (packer.unpack(packer.pack(ids), k) == ids).all()


def test_a_full_temporary_directory_is_an_error_not_a_traceback(tmp_path):
    # A tiny filesystem would need root; a run directory that cannot be created stands for it.
    from wordmine.errors import OutputError
    from wordmine.runs import write_run

    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write sorted runs"):
        write_run(str(blocked / "run"), {1: (np.array([1], np.uint64), np.array([1], np.uint64))})


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, (1 << 20) - 1), st.integers(1, 300), max_size=40), st.sampled_from([0, 1, 3, 8, 44]))
def test_counts_packed_into_keys_round_trip(table, shift):
    from wordmine.keys import pack_counts, unpack_counts

    keys = np.array(sorted(table), dtype=np.uint64)
    counts = np.array([table[k] for k in sorted(table)], dtype=np.uint64)
    packed = pack_counts(keys, counts, shift)
    assert (np.diff(packed.astype(np.float64)) >= 0).all() if len(packed) else True
    if shift:  # every field holds a count of 1..2**shift-1
        assert ((packed & np.uint64((1 << shift) - 1)) > 0).all()
    k, c = unpack_counts(packed, shift)
    assert k.tolist() == keys.tolist() and c.tolist() == counts.tolist()


@settings(max_examples=60, deadline=None)
@given(st.sets(st.one_of(st.integers(0, 40), st.integers(0, (1 << 64) - 1), st.integers((1 << 64) - 40, (1 << 64) - 1)), max_size=200),
       st.lists(st.integers(0, (1 << 64) - 1), max_size=50))
def test_key_set_answers_as_the_sorted_search(keys, others):
    # keys at both ends of the range: the empty-slot marker and the table's tail are tested too
    from wordmine.keys import KeySet, find

    table = np.array(sorted(keys), dtype=np.uint64)
    queries = np.array(sorted(keys) + others + [k ^ 1 for k in keys], dtype=np.uint64)
    s = KeySet(table)
    assert len(s) == len(table)
    expected = find(table, queries)[1] if len(table) else np.zeros(len(queries), bool)
    assert s.contains(queries).tolist() == expected.tolist()
    assert s.contains(queries).sum() >= len(keys)


def test_key_set_of_multiword_rows_and_many_colliding_keys():
    from wordmine.keys import KeySet

    rows = np.array([[1, 2], [1, 3], [4, 0]], np.uint64)
    assert KeySet(rows).contains(np.array([[1, 3], [1, 4], [4, 0]], np.uint64)).tolist() == [True, False, True]
    # 100 000 consecutive keys, the probe runs of a dense set: every one found, none more
    keys = np.arange(100_000, dtype=np.uint64) * np.uint64(1 << 20)
    s = KeySet(keys)
    assert s.contains(keys).all() and not s.contains(keys + np.uint64(1)).any()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7130), min_size=6, max_size=6), min_size=1, max_size=60))
def test_keys_cut_after_their_first_symbol_sort_as_table_keys(rows):
    from wordmine.keys import join_first, reduce_split, sort_split, split_first

    packer = KeyPacker(7131)  # the news corpus's symbols: five to a word, no bit to spare
    keys = packer.pack(np.array(rows, dtype=np.uint32))
    first, rest = split_first(keys, packer.radix, packer.per_word)
    assert (join_first(first, rest, packer.radix, packer.per_word) == keys).all()
    first, rest, counts = reduce_split(*sort_split(first.astype(np.uint16), rest))
    expected_keys, expected_counts = sort_reduce(keys, None)
    assert (join_first(first, rest, packer.radix, packer.per_word) == expected_keys).all()
    assert counts.tolist() == expected_counts.tolist()


def test_merge_reads_runs_of_every_layout(tmp_path):
    from wordmine.keys import pack_counts, sort_split, split_first
    from wordmine.runs import Packed, Split, merge_runs, plan, read_run, write_run

    rng = np.random.default_rng(3)
    packer = KeyPacker(7131)
    ids = rng.integers(0, 12, size=(30000, 6)).astype(np.uint32)  # few symbols: repeated n-grams
    keys5, keys6 = packer.pack(ids[:, :5]), packer.pack(ids)
    parts = np.array_split(np.arange(30000), 3)
    runs = []
    for i, part in enumerate(parts):
        if i == 0:  # as a worker writes them
            first, rest = split_first(keys6[part], packer.radix, packer.per_word)
            tables = {5: Packed(np.sort(keys5[part]), 0), 6: Split(*sort_split(first.astype(np.uint16), rest), packer.radix, packer.per_word)}
        elif i == 1:  # counts in the free bits of narrower keys
            tables = {5: Packed(pack_counts(*sort_reduce(keys5[part] % np.uint64(1 << 40), None), 24), 24), 6: sort_reduce(keys6[part], None)}
        else:  # as a merge writes them
            tables = {5: sort_reduce(keys5[part], None), 6: sort_reduce(keys6[part], None)}
        runs.append(str(tmp_path / f"run{i}"))
        write_run(runs[-1], tables)
    assert [len(read_run(runs[0], k)[1]) for k in (5, 6)] == [len(sort_reduce(keys5[parts[0]], None)[1]), len(sort_reduce(keys6[parts[0]], None)[1])]
    assert len(plan(runs, 6, 1 << 12)) > 2
    merged = merge_runs(runs, [5, 6], str(tmp_path / "out"), budget=1 << 12)  # several ranges
    expected5 = sort_reduce(np.concatenate([keys5[parts[0]], keys5[parts[1]] % np.uint64(1 << 40), keys5[parts[2]]]), None)
    expected6 = sort_reduce(keys6, None)
    for k, expected in ((5, expected5), (6, expected6)):
        assert np.array_equal(merged[k][0], expected[0]) and np.array_equal(merged[k][1], expected[1])
