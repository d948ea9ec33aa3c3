"""The report in a real browser: headless Chromium (tests/chromium.py) loads the pipeline's report of
data/sample and a report of 50 000 words, runs their script, and the tests read the rendered DOM
and every request the page made (none but itself). Skipped only when there is no chromium."""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter

import pytest

from chromium import Chromium, binary
from conftest import SAMPLE
from wordmine.formats import read_module_rows, read_words

pytestmark = pytest.mark.skipif(binary() is None, reason="no chromium binary: apt-get install chromium (.ci/run does)")

ROWS = "document.querySelectorAll('#wm-table tbody tr')"


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    """A pipeline run of data/sample: its last step writes report.html."""
    from wordmine.pipeline import PipelineOptions, run_pipeline

    out = tmp_path_factory.mktemp("report") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDMINE_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
        result = run_pipeline([str(SAMPLE)], str(out), options=PipelineOptions(jobs=2))
    assert [s.name for s in result.steps][-1] == "report" and result.steps[-1].ran
    return out


@pytest.fixture(scope="module")
def browser():
    with Chromium() as chromium:
        yield chromium


def rows(browser) -> list[list[str]]:
    return browser.evaluate(f"Array.from({ROWS}).map(tr => Array.from(tr.cells).slice(0, 9).map(td => td.textContent))")


def test_the_sample_report_renders_its_table_plots_and_asks_for_nothing(browser, sample_out):
    url = browser.open(str(sample_out / "report.html"))
    new = [w for w in read_words(str(sample_out / "discovered.tsv")) if w.is_new]
    shown = rows(browser)
    assert len(shown) == min(50, len(new))
    assert browser.evaluate("document.getElementById('wm-status').textContent") == f"showing 1–50 of {len(new)} words"
    # The new words in the summary's order: by variety (count x the smaller boundary entropy).
    by_variety = sorted(new, key=lambda w: (-w.count * min(w.left_entropy, w.right_entropy), -w.count, w.word))
    assert [r[0] for r in shown] == [w.word for w in by_variety[:50]] and all(r[8] == "new" for r in shown)
    assert browser.evaluate("document.querySelector('th[data-col=\"1\"]').getAttribute('aria-sort')") == "none"
    # Contexts: up to three KWIC lines per word, the word itself marked.
    marks = browser.evaluate(f"Array.from({ROWS}[0].querySelectorAll('.kw mark')).map(m => m.textContent)")
    assert 1 <= len(marks) <= 3 and set(marks) == {shown[0][0]}
    assert browser.evaluate("document.querySelectorAll('svg.rf polyline').length") == 3
    assert browser.evaluate("document.documentElement.lang") == "zh"
    assert browser.requested() == [url]


def test_a_cluster_card_opens(browser, sample_out):
    url = browser.open(str(sample_out / "report.html"))
    modules = read_module_rows(str(sample_out / "modules.tsv"))
    assert browser.evaluate("document.querySelectorAll('details.card').length") == min(48, len({m for _, m, _ in modules}))
    card = "document.querySelector('details.card')"
    assert browser.evaluate(f"{card}.open") is False
    assert browser.evaluate(f"{card}.querySelector('.chip').checkVisibility()") is False
    browser.evaluate(f"{card}.querySelector('summary').click()")
    assert browser.evaluate(f"{card}.open") is True
    chips = browser.evaluate(f"Array.from({card}.querySelectorAll('.chip')).map(c => [c.textContent, c.checkVisibility()])")
    first_module = [node for node, module, _ in modules if module == modules[0][1]]
    assert [c for c, _ in chips] == first_module[:150] and all(visible for _, visible in chips)
    # A word of the card finds itself in the table.
    browser.evaluate(f"{card}.querySelector('.chip').click()")
    assert [r[0] for r in rows(browser) if r[0] == first_module[0]] == [first_module[0]]
    assert browser.evaluate("document.getElementById('wm-q').value") == first_module[0]
    assert browser.requested() == [url]


def test_filtering_and_sorting(browser, sample_out):
    url = browser.open(str(sample_out / "report.html"))
    words = read_words(str(sample_out / "discovered.tsv"))
    new = [w for w in words if w.is_new]
    part = Counter(c for w in new for c in set(w.word)).most_common(1)[0][0]  # in several new words (澜)
    browser.evaluate(f"var q = document.getElementById('wm-q'); q.value = {json.dumps(part)}; q.dispatchEvent(new Event('input'))")
    expected = [w for w in new if part in w.word]
    # In the summary's order: by variety, most first, then by count and word.
    assert [r[0] for r in rows(browser)] == [w.word for w in sorted(expected, key=lambda w: (-w.variety, -w.count, w.word))][:50]
    assert browser.evaluate("document.getElementById('wm-status').textContent").endswith(f" of {len(expected)} words")
    browser.evaluate("var k = document.getElementById('wm-kind'); k.value = 'all'; k.dispatchEvent(new Event('change'))")
    assert browser.evaluate("document.getElementById('wm-status').textContent").endswith(
        f" of {sum(part in w.word for w in words)} words")
    browser.evaluate("var q = document.getElementById('wm-q'); q.value = 'no such word'; q.dispatchEvent(new Event('input'))")
    assert rows(browser) == [] and browser.evaluate("document.getElementById('wm-status').textContent") == "no word matches"
    # Back to the new words, sorted by count: descending at the first click, ascending at the second.
    browser.evaluate("var q = document.getElementById('wm-q'); q.value = ''; var k = document.getElementById('wm-kind');"
                     "k.value = 'new'; k.dispatchEvent(new Event('change'))")
    browser.evaluate("document.querySelector('th[data-col=\"1\"] button').click()")
    assert browser.evaluate("document.querySelector('th[data-col=\"1\"]').getAttribute('aria-sort')") == "descending"
    assert [int(r[1]) for r in rows(browser)] == sorted((w.count for w in new), reverse=True)[:50]
    browser.evaluate("document.querySelector('th[data-col=\"1\"] button').click()")
    assert browser.evaluate("document.querySelector('th[data-col=\"1\"]').getAttribute('aria-sort')") == "ascending"
    assert [int(r[1]) for r in rows(browser)] == sorted(w.count for w in new)[:50]
    browser.evaluate("document.getElementById('wm-next').click()")
    assert [int(r[1]) for r in rows(browser)] == sorted(w.count for w in new)[50:100]
    assert browser.requested() == [url]


def test_the_sparklines_of_a_sliced_run_render_as_svg(browser, sample_out, tmp_path):
    """The sample again, each of its files a time slice (--slices): on a copy of the run the
    steps before trend are up to date, trend and report run; every new word's row of the table
    gets an SVG sparkline, drawn in the DOM with its numbers in a <title>."""
    import shutil

    from wordmine.files import expand_inputs
    from wordmine.pipeline import PipelineOptions, run_pipeline

    out = tmp_path / "out"
    shutil.copytree(sample_out, out)
    result = run_pipeline(expand_inputs([str(SAMPLE)]), str(out), options=PipelineOptions(jobs=2, slices=True))
    assert [s.name for s in result.steps if s.ran] == ["trend", "report"]
    url = browser.open(str(out / "report.html"))
    assert len(rows(browser)) == 50
    sparks = browser.evaluate(
        f"Array.from({ROWS}).map(tr => {{var s = tr.querySelector('td.spark svg'); if (!s) return null; var b = s.getBoundingClientRect();"
        "return [tr.cells[0].textContent, s.namespaceURI, s.querySelectorAll('polyline').length, b.width, b.height,"
        "s.querySelector('title').textContent.split('\\n').length, s.querySelector('polyline').getAttribute('points').split(' ').length];})")
    assert all(spark is not None for spark in sparks)
    # SVG elements (not text), one line of 8 points (the slices), drawn 120 x 30; the title: the
    # word, a line per slice, and a line of bursts if it has any.
    assert {(s[1], s[2], s[3], s[4], s[6]) for s in sparks} == {("http://www.w3.org/2000/svg", 1, 120, 30, 8)}
    assert {s[5] for s in sparks} <= {9, 10}
    first = browser.evaluate(f"{ROWS}[0].querySelector('td.spark title').textContent").split("\n")
    assert first[0].startswith(rows(browser)[0][0] + ": count in each slice") and first[1].startswith("cooking  ")
    # The bursts: a timeline per burst, and a new word of the list finds itself in the table.
    assert browser.evaluate("document.querySelectorAll('#bursts svg.span').length") == min(50, {s.name: s.info for s in result.steps}["trend"]["bursts"])
    chip = "document.querySelector('#bursts .chip.new')"
    word = browser.evaluate(f"{chip}.textContent")
    browser.evaluate(f"{chip}.click()")
    found = [r[0] for r in rows(browser)]
    assert word in found and all(word in w for w in found)  # the filter finds words holding it
    at = found.index(word)
    assert browser.evaluate(f"{ROWS}[{at}].querySelectorAll('td.spark svg polyline').length") == 1
    assert browser.requested() == [url]


def test_a_report_of_50000_words_stays_small_and_opens(browser, tmp_path):
    from wordmine import report
    from wordmine.formats import Word, write_words

    alphabet = "星澜科技新词发现模型数据中文语料挖掘聚类网络城市河流山水风云"
    words = ["".join(chars) for chars in itertools.islice(itertools.product(alphabet, repeat=4), 50_000)]
    table = [Word(w, 50_000 - i, 6.0, 1.0, 2.0, 9.0, "new" if i % 4 == 0 else "phrase") for i, w in enumerate(words)]
    out = tmp_path / "out"
    out.mkdir()
    write_words(table, str(out / "discovered.tsv"))
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join("".join(words[i:i + 8]) for i in range(0, 4000, 8)) + "\n", encoding="utf-8")
    manifest = {"steps": {"count": {"inputs": {str(corpus): [corpus.stat().st_size, 0]}, "params": {}, "info": {"tokens": 10**7}}}}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    path = report.write_report(str(out), jobs=1)
    assert os.path.getsize(path) < 4 * 2**20  # what is inlined is capped (README: about 3 MB at most)
    url = browser.open(path)
    assert len(rows(browser)) == 50
    assert browser.evaluate("document.getElementById('wm-status').textContent") == "showing 1–50 of 10,000 words"
    assert browser.evaluate("document.querySelectorAll('#wm-table tbody .kw').length") > 0
    browser.evaluate("var k = document.getElementById('wm-kind'); k.value = 'all'; k.dispatchEvent(new Event('change'))")
    assert browser.evaluate("document.getElementById('wm-status').textContent") == "showing 1–50 of 15,000 words"
    assert browser.requested() == [url]


def test_the_network_check_sees_a_request(browser, tmp_path):
    """The control: a page that does ask for something from elsewhere is caught."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><img src="http://example.invalid/x.png"><script>fetch("https://example.invalid/a.json")'
                    '.catch(() => 0)</script>', encoding="utf-8")
    url = browser.open(str(page))
    requested = browser.requested()
    assert requested[0] == url and "http://example.invalid/x.png" in requested and "https://example.invalid/a.json" in requested
