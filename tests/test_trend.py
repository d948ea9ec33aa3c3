"""Bursts (wordmine.trend): planted bursts found at the right slices, none in flat series, the
Viterbi path against brute force, ties and order, and the slice files."""

from __future__ import annotations

import itertools
import math
import random

import pytest

import wordmine
from wordmine.errors import FormatError
from wordmine.trend import Burst, burst_words, read_slice_list, slice_label, sort_slices


def slices_of(series: dict[str, list[int]], totals: list[int]) -> list[dict[str, int]]:
    """Tables per slice: each word's series, the rest of the slice's tokens in filler "的"."""
    tables = []
    for t, total in enumerate(totals):
        table = {w: counts[t] for w, counts in series.items() if counts[t]}
        table["的"] = total - sum(table.values())
        tables.append(table)
    return tables


def costs(r, d, p):
    """The binomial cost of a slice in a state of rate p (the coefficient left out)."""
    return -(r * math.log(p) + (d - r) * math.log(1 - p))


def brute_force(r: list[int], d: list[int], s=2.0, gamma=1.0):
    """The cheapest state sequence by trying all 2^n of them (ties: the first found)."""
    n = len(r)
    p0 = sum(r) / sum(d)
    p = (p0, min(s * p0, 1.0))
    up = gamma * math.log(n)
    best = None
    for states in itertools.product((0, 1), repeat=n):
        cost, previous = 0.0, 0
        for t, q in enumerate(states):
            cost += costs(r[t], d[t], p[q]) + (up if q > previous else 0.0)
            previous = q
        if best is None or cost < best[0] - 1e-9:
            best = (cost, states)
    return best[1]


def test_a_planted_burst_is_found_at_its_slices():
    totals = [10000] * 10
    series = {"疫情": [10, 12, 9, 50, 60, 55, 11, 10, 9, 10], "会议": [100] * 10}
    bursts = burst_words(slices_of(series, totals), labels=[str(2010 + t) for t in range(10)])
    assert [(b.word, b.first, b.last, b.count) for b in bursts] == [("疫情", "2013", "2015", 165)]
    # the weight is Kleinberg's: the cost the burst saves over its slices
    r, d = series["疫情"], 10000
    p0 = sum(r) / (d * 10)
    expected = sum(costs(r[t], d, p0) - costs(r[t], d, 2 * p0) for t in (3, 4, 5))
    assert bursts[0].weight == pytest.approx(expected, rel=1e-9)
    assert bursts[0].weight > math.log(10)  # more than it cost to enter


def test_no_burst_in_a_flat_series_even_with_slices_of_different_sizes():
    totals = [1000, 5000, 20000, 3000, 8000]
    series = {"经济": [t // 100 for t in totals], "的的": [t // 10 for t in totals]}
    assert burst_words(slices_of(series, totals)) == []


def test_two_bursts_of_one_word():
    totals = [10000] * 8
    series = {"春运": [5, 80, 5, 5, 5, 80, 5, 5]}
    bursts = burst_words(slices_of(series, totals))
    assert sorted((b.first, b.last) for b in bursts) == [("2", "2"), ("6", "6")]
    assert bursts[0].weight == pytest.approx(bursts[1].weight)
    assert [b.first for b in bursts] == ["2", "6"]  # same weight: by first slice


def test_the_viterbi_path_is_the_cheapest_of_all():
    rng = random.Random(14)
    for trial in range(60):
        n = rng.randint(2, 7)
        d = [rng.choice([500, 1000, 4000]) for _ in range(n)]
        r = [rng.randint(0, 60) for _ in range(n)]
        if sum(r) == 0:
            continue
        s, gamma = rng.choice([1.5, 2.0, 3.0]), rng.choice([0.0, 0.5, 1.0, 2.0])
        states = brute_force(r, d, s, gamma)
        bursts = burst_words(slices_of({"词": r}, d), s=s, gamma=gamma, words=["词"])
        found = [0] * n
        for b in bursts:
            for t in range(int(b.first) - 1, int(b.last)):
                found[t] = 1
        assert tuple(found) == states, (r, d, s, gamma)


def test_the_result_does_not_depend_on_the_order_of_words():
    totals = [10000] * 6
    series = {"乙": [5, 5, 60, 60, 5, 5], "甲": [5, 5, 60, 60, 5, 5], "丙": [5, 40, 5, 5, 5, 5]}
    tables = slices_of(series, totals)
    reversed_tables = [dict(reversed(list(t.items()))) for t in tables]
    bursts = burst_words(tables)
    assert bursts == burst_words(reversed_tables)
    # 乙 and 甲 burst alike: the same weight, so code point order (U+4E59 < U+7532)
    assert [b.word for b in bursts][:2] == ["乙", "甲"] and bursts[0].weight == bursts[1].weight


def test_with_free_entry_only_slices_that_save_cost_burst():
    # gamma = 0: entering is free, so a slice bursts exactly when it saves cost; the slice at
    # the word's base rate (10 of 1000, p0 = 30/3000) does not.
    totals = [1000, 1000, 1000]
    bursts = burst_words(slices_of({"词": [0, 10, 20]}, totals), gamma=0, words=["词"])
    assert [(b.first, b.last) for b in bursts] == [("3", "3")]


def test_parameters_and_filters():
    totals = [10000] * 6
    series = {"热": [10, 10, 40, 10, 10, 10], "冷": [1, 1, 4, 1, 1, 1]}
    tables = slices_of(series, totals)
    assert {b.word for b in burst_words(tables)} == {"热"}
    assert burst_words(tables, gamma=20) == []  # entering costs more than any saving
    assert burst_words(tables, words=["冷"]) == []
    assert burst_words(tables, min_count=100) == []
    assert burst_words(tables, top=0) == []
    assert len(burst_words(tables, s=1.5)) == 1


def test_tables_on_disk(tmp_path):
    totals = [10000] * 4
    tables = slices_of({"新": [5, 5, 50, 5]}, totals)
    paths = []
    for t, table in enumerate(tables):
        paths.append(str(tmp_path / f"{t}.tsv"))
        wordmine.write_counts(table, paths[-1])
    assert burst_words(paths) == burst_words(tables)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"s": 1.0}, "s must be"),
        ({"gamma": -1}, "gamma must be"),
        ({"min_count": 0}, "min_count"),
        ({"labels": ["a"]}, "1 labels for 2 slices"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        burst_words([{"a": 1}, {"a": 2}], **kwargs)
    with pytest.raises(ValueError, match="at least 2 time slices"):
        burst_words([{"a": 1}])


def test_slice_names_and_order(tmp_path):
    assert slice_label("x/2013-07.tsv.xz") == "2013-07"
    assert slice_label("2013") == "2013"
    assert sort_slices(["b/2014.tsv", "a/2012.tsv", "c/2013.tsv.gz"]) == [
        ("2012", "a/2012.tsv"), ("2013", "c/2013.tsv.gz"), ("2014", "b/2014.tsv")]
    with pytest.raises(ValueError, match="are both slice '2013'"):
        sort_slices(["a/2013.tsv", "b/2013.tsv"])


def test_slice_list_file(tmp_path):
    (tmp_path / "sub").mkdir()
    listing = tmp_path / "sub" / "slices.tsv"
    listing.write_text("label\tpath\n春\tspring.tsv\n夏\t/abs/summer.tsv\n", encoding="utf-8")
    assert read_slice_list(str(listing)) == [("春", str(tmp_path / "sub" / "spring.tsv")), ("夏", "/abs/summer.tsv")]
    listing.write_text("春\ta.tsv\n春\tb.tsv\n", encoding="utf-8")
    with pytest.raises(FormatError, match="slices.tsv:2: slice '春' was already given on line 1"):
        read_slice_list(str(listing))
    listing.write_text("春 a.tsv\n", encoding="utf-8")
    with pytest.raises(FormatError, match="slices.tsv:1: expected label<TAB>path"):
        read_slice_list(str(listing))


def test_burst_rows_are_named_tuples():
    assert Burst("词", "1", "2", 3.5, 7)._fields == ("word", "first", "last", "weight", "count")
