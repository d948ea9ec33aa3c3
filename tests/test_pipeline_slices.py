"""`run_pipeline(..., options=PipelineOptions(slices=True))`: each input a time slice; the trend
step's files (exact counts per slice, a burst where one was planted), make-like re-runs, the
report's sparklines, and a run without slices left as it was.

The corpus (written under ``tmp_path``): three slices of sample text, given out of time order,
one of them two files (one with CRLF line ends and no final line end), one gzipped; the new
word 蓝溯 of sport.txt planted twice in 2013 and three times in 2014, where it is otherwise
absent: it bursts in 2015."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import shutil
from collections import Counter
from types import SimpleNamespace

import pytest
from conftest import SAMPLE, pipeline_snapshot as snapshot

from wordmine.corpus import is_wordlike
from wordmine.errors import FormatError
from wordmine.formats import read_words
from wordmine.pipeline import OUTPUTS, SLICE_STEPS, STEPS, PipelineOptions, run_pipeline
from wordmine.trend import read_bursts, read_slice_counts, read_slice_totals

pytestmark = pytest.mark.slow  # whole pipelines

WORD = "蓝溯"
OPTIONS = PipelineOptions(jobs=1, graph_top=500, slices=True)
TREND_FILES = list(OUTPUTS["trend"])


def write_corpus(base) -> dict[str, list[str]]:
    """The three slices; returns the text lines of each slice's files, in corpus order."""
    for label in ("2013", "2014", "2015"):
        (base / label).mkdir(parents=True)
    cooking = (SAMPLE / "cooking.txt").read_text(encoding="utf-8").splitlines()
    finance = (SAMPLE / "finance.txt").read_text(encoding="utf-8").splitlines()
    sport = (SAMPLE / "sport.txt").read_text(encoding="utf-8").splitlines()
    a = cooking[:60] + [f"{WORD}回忆说，那天很冷。", f"后来{WORD}也来了。"]
    b = cooking[60:]
    finance = finance + [f"{WORD}说：“我来了。”", f"{WORD}回忆说，那天很热。", f"那年{WORD}十九岁。"]
    (base / "2013" / "a.txt").write_text("\n".join(a) + "\n", encoding="utf-8")
    (base / "2013" / "b.txt").write_bytes("\r\n".join(b).encode("utf-8"))  # CRLF, no final line end
    with gzip.open(base / "2014" / "finance.txt.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(finance) + "\n")
    (base / "2015" / "sport.txt").write_text("\n".join(sport) + "\n", encoding="utf-8")
    return {"2013": a + b, "2014": finance, "2015": sport}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "cache"
    path.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDMINE_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def sliced(tmp_path_factory, cache):
    base = tmp_path_factory.mktemp("sliced")
    lines = write_corpus(base / "corpus")
    inputs = [str(base / "corpus" / label) for label in ("2015", "2013", "2014")]  # not in time order
    out = base / "out"
    result = run_pipeline(inputs, str(out), options=OPTIONS)
    return SimpleNamespace(base=base, inputs=inputs, out=out, result=result, lines=lines, before=snapshot(out))


def slice_tokens(segmented: str, lines: dict[str, list[str]], order: list[str]) -> dict[str, Counter]:
    """The wordlike tokens of each slice's lines of segmented.txt, cut by the slices' line counts."""
    with open(segmented, encoding="utf-8", newline="\n") as f:
        text = f.read().split("\n")[:-1]
    counts, at = {}, 0
    for label in order:
        n = len(lines[label])
        counts[label] = Counter(t for line in text[at:at + n] for t in line.split() if is_wordlike(t))
        at += n
    assert at == len(text)
    return counts


def test_the_trend_step_writes_exact_counts_per_slice(sliced):
    out = sliced.out
    assert [(s.name, s.ran) for s in sliced.result.steps] == [(name, True) for name in SLICE_STEPS]
    totals = read_slice_totals(str(out / "slice_totals.tsv"))
    assert [(s.label, s.input, s.files, s.lines) for s in totals] == [
        ("2013", sliced.inputs[1], 2, len(sliced.lines["2013"])),
        ("2014", sliced.inputs[2], 1, len(sliced.lines["2014"])),
        ("2015", sliced.inputs[0], 1, len(sliced.lines["2015"])),
    ]
    # segmented.txt holds the slices in the order the inputs were given: 2015, 2013, 2014.
    tokens = slice_tokens(str(out / "segmented.txt"), sliced.lines, ["2015", "2013", "2014"])
    assert [s.tokens for s in totals] == [sum(tokens[label].values()) for label in ("2013", "2014", "2015")]
    labels, counts = read_slice_counts(str(out / "slice_counts.tsv"))
    assert labels == ["2013", "2014", "2015"]
    new = [w.word for w in read_words(str(out / "discovered.tsv")) if w.is_new]
    assert list(counts) == new and WORD in new
    assert counts[WORD] == [2, 3, "\n".join(sliced.lines["2015"]).count(WORD)]
    assert counts["邝砚秋"] == ["\n".join(sliced.lines["2013"]).count("邝砚秋"), 0, 0] and counts["邝砚秋"][0] > 10
    for word in new:
        assert counts[word] == [tokens[label][word] for label in labels], word
    info = {s.name: s.info for s in sliced.result.steps}["trend"]
    assert info["slices"] == 3 and info["tokens"] == sum(s.tokens for s in totals)


def test_the_planted_burst_is_in_bursts_tsv_and_the_summary(sliced):
    bursts = read_bursts(str(sliced.out / "bursts.tsv"))
    assert len(bursts) == {s.name: s.info for s in sliced.result.steps}["trend"]["bursts"]
    ours = [b for b in bursts if b.word == WORD]
    assert [(b.first, b.last) for b in ours] == [("2015", "2015")] and ours[0].count >= 20
    assert [b.weight for b in bursts] == sorted((b.weight for b in bursts), reverse=True)
    assert "3 time slices, 2013 to 2015" in sliced.result.summary and f"| {WORD} | 2015 |" in sliced.result.summary


def test_the_report_has_a_sparkline_per_new_word_and_the_bursts(sliced):
    page = (sliced.out / "report.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="wm-data">(.*?)</script>', page, re.S).group(1))
    assert data["slices"] == ["2013", "2014", "2015"]
    assert data["slice_tokens"] == [s.tokens for s in read_slice_totals(str(sliced.out / "slice_totals.tsv"))]
    _labels, counts = read_slice_counts(str(sliced.out / "slice_counts.tsv"))
    kinds = data["kinds"]
    rows = {r[0]: r for r in data["rows"]}
    new = [r for r in data["rows"] if kinds[r[8]] == "new"]
    assert new and all(len(r) == 12 and r[10] == counts[r[0]] for r in new)  # counts per slice, bursts
    assert all(len(r) == 10 for r in data["rows"] if kinds[r[8]] != "new")  # the others have none
    assert rows[WORD][11] == [[2, 2]]
    assert '<th class="spark"' in page and "function spark(r)" in page and "tr.appendChild(spark(r))" in page
    assert '<section id="bursts">' in page and '<a href="#bursts">Bursts</a>' in page
    assert f'data-word="{WORD}"' in page and "http" not in page


def test_a_second_sliced_run_skips_every_step(sliced):
    result = run_pipeline(sliced.inputs, str(sliced.out), options=OPTIONS)
    assert [(s.name, s.ran) for s in result.steps] == [(name, False) for name in SLICE_STEPS]
    assert snapshot(sliced.out) == sliced.before


def test_without_slices_no_trend_and_adding_slices_runs_trend_and_report_only(sliced, tmp_path):
    # The same corpus as one corpus, inputs in another order: the files of the sliced run, but
    # no trend files, and a page without sparklines.
    out = tmp_path / "plain"
    inputs = sorted(sliced.inputs)
    result = run_pipeline(inputs, str(out), options=dataclasses.replace(OPTIONS, slices=False))
    assert [s.name for s in result.steps] == list(STEPS)
    assert not any((out / name).exists() for name in TREND_FILES)
    assert "spark" not in (out / "report.html").read_text(encoding="utf-8") and "time slices" not in result.summary
    plain = snapshot(out)
    for name in ("words.tsv", "discovered.tsv", "userdict.txt", "graph.tsv", "modules.tsv"):
        assert plain[name][0] == sliced.before[name][0], name
    # --slices on that directory: segment is up to date (the same files in another order), and
    # the trend maps segmented.txt's lines to slices in the order segment read them.
    again = run_pipeline(sliced.inputs, str(out), options=OPTIONS)
    assert [s.name for s in again.steps if s.ran] == ["trend", "report"]
    for name in TREND_FILES:
        assert (out / name).read_bytes() == (sliced.out / name).read_bytes(), name
    # And without --slices again: the report goes back to the page without slices.
    back = run_pipeline(inputs, str(out), options=dataclasses.replace(OPTIONS, slices=False))
    assert [s.name for s in back.steps if s.ran] == ["report"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "spark" not in page and 'id="bursts"' not in page


def test_a_segmented_text_of_other_files_is_refused(sliced, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sliced.out, out)
    with open(out / "segmented.txt", "a", encoding="utf-8") as f:
        f.write("多 一 行\n")
    n = sum(map(len, sliced.lines.values()))
    with pytest.raises(FormatError, match=f"segmented.txt: {n + 1} lines, but the slices' files have {n}: it was not segmented"):
        run_pipeline(sliced.inputs, str(out), options=OPTIONS, start="trend")


@pytest.mark.parametrize("inputs, kwargs, message", [
    (["corpus/2013"], {}, "a trend needs at least 2 time slices, and with --slices each INPUT is one: 1 given"),
    (["a/2013", "b/2013.txt"], {}, "are both slice '2013'"),
    (["corpus/2013", "corpus/2014"], {"start": "graph", "until": "trend"}, "--from graph comes after --until trend"),
])
def test_bad_slices_raise_value_error(tmp_path, inputs, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        run_pipeline(inputs, str(tmp_path / "out"), options=OPTIONS, **kwargs)
    assert not (tmp_path / "out").exists()


def test_the_trend_step_needs_slices(tmp_path):
    with pytest.raises(ValueError, match=re.escape("the trend step runs only when the inputs are time slices (--slices)")):
        run_pipeline(["a", "b"], str(tmp_path / "out"), until="trend")
    with pytest.raises(ValueError, match="slices must be True or False"):
        PipelineOptions(slices="yes")


def test_a_file_in_two_slices_is_an_input_error(tmp_path):
    from wordmine.errors import InputError

    (tmp_path / "2013").mkdir()
    (tmp_path / "2013" / "a.txt").write_text("星澜科技发布新品。\n", encoding="utf-8")
    os.symlink(tmp_path / "2013" / "a.txt", tmp_path / "2014.txt")
    with pytest.raises(InputError, match="in the slices '2013' and '2014'"):
        run_pipeline([str(tmp_path / "2013"), str(tmp_path / "2014.txt")], str(tmp_path / "out"), options=OPTIONS)
