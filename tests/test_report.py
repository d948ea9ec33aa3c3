"""wordmine.report: what the page holds, read back from its HTML and its inline data."""

from __future__ import annotations

import html.parser
import json
import logging
import os
import re

import pytest

import wordmine
from wordmine import report
from wordmine.errors import FormatError, InputError
from wordmine.report import build_report, write_report

CORPUS = "星澜科技发布了新品。\n我们认为星澜科技很好，澜思也不错。\n澜思模型\t开源了。\n"
DISCOVERED = (
    "word\tcount\tcohesion\tleft_entropy\tright_entropy\tjieba_lift\tkind\n"
    "星澜科技\t2\t6.85\t1.4\t2.95\t9.1\tnew\n"
    "了\t2\t\t1.5\t1.6\t\tunit\n"
    "澜思\t2\t5.5\t0.69\t1.0\t8.2\tnew\n"
    "我们认为\t1\t3.1\t0\t0\t0.5\tphrase\n"
)


class Page(html.parser.HTMLParser):
    """The page's tags, attributes and text, and its inline data."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._script = None
        self.scripts: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = attrs.get("id", "code")
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script:
            self.scripts[self._script] += data
        else:
            self.text.append(data)

    def all(self, tag, cls=None):
        return [a for t, a in self.tags if t == tag and (cls is None or cls in a.get("class", "").split())]

    @property
    def data(self) -> dict:
        return json.loads(self.scripts["wm-data"])

    @property
    def words(self) -> str:
        return " ".join(self.text)


@pytest.fixture
def outdir(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "discovered.tsv").write_text(DISCOVERED, encoding="utf-8")
    (out / "words.tsv").write_text("word\tcount\n了\t2\n星澜\t2\n科技\t2\n我们\t1\n认为\t1\n", encoding="utf-8")
    (out / "modules.tsv").write_text("node\tmodule\tflow\n星澜科技\t1\t0.4\n澜思\t1\t0.3\n了\t2\t0.2\n我们认为\t3\t0.1\n", encoding="utf-8")
    (out / "clusters.json").write_text(json.dumps({"codelength": 1.5, "relative_codelength_savings": 0.25, "num_modules": 3}), encoding="utf-8")
    size = corpus.stat().st_size
    manifest = {"version": "0.1.0", "steps": {
        "count": {"inputs": {str(corpus): [size, 1]}, "params": {"encoding": "utf-8-sig", "errors": "strict", "hmm": True},
                  "seconds": 0.5, "info": {"words": 5, "tokens": 8}},
        "ngrams": {"inputs": {str(corpus): [size, 1]}, "params": {"n": 5}, "seconds": 0.25, "info": {"units": 40}},
    }}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "pku.tsv").write_text("metric\tvalue\ngold_words\t10\nprecision\t0.812\nrecall\t0.790\nf1\t0.801\n", encoding="utf-8")
    return out


def test_the_page_is_self_contained_chinese_html(outdir):
    text = build_report(str(outdir), jobs=1)
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>") and ("html", {"lang": "zh"}) in page.tags
    # Nothing is fetched: no external script, style, image or font; the only link is an empty icon.
    assert not any(a.get("src") for _, a in page.tags)
    assert page.all("link") == [{"rel": "icon", "href": "data:,"}]
    assert "http:" not in text and "https:" not in text and "url(" not in text and "@import" not in text
    assert set(page.scripts) == {"wm-data", "code"}


def test_the_table_data_contexts_and_per_million(outdir):
    data = Page(build_report(str(outdir), jobs=1)).data
    assert data["kinds"] == ["new", "unit", "phrase"] and data["files"] == ["corpus.txt"]
    rows = {r[0]: r for r in data["rows"]}
    # the new words first, by variety (as the summary lists them), then the others by count
    assert [r[0] for r in data["rows"]] == ["星澜科技", "澜思", "了", "我们认为"]
    # count, variety (2 x 1.4), per million of the 8 jieba tokens of words.tsv, cohesion, entropies, lift, kind
    assert rows["星澜科技"][1:9] == [2, 2.8, 250000.0, 6.85, 1.4, 2.95, 9.1, 0]
    assert rows["了"][4] is None and rows["了"][7] is None
    # contexts (new words only): as the file writes them, within the line, with file and line
    assert rows["星澜科技"][9] == [["", "星澜科技", "发布了新品。", 0, 1], ["我们认为", "星澜科技", "很好，澜思也不错。", 0, 2]]
    assert rows["澜思"][9] == [["我们认为星澜科技很好，", "澜思", "也不错。", 0, 2], ["", "澜思", "模型 开源了。", 0, 3]]
    assert rows["了"][9] == []


def test_the_facts_plot_cards_and_scores(outdir):
    text = build_report(str(outdir), jobs=1)
    page = Page(text)
    tiles = dict((label, value) for value, label in re.findall(r'<div class="v">([^<]*)</div><div class="l">([^<]*)</div>', text))
    size = len(CORPUS.encode())
    assert tiles == {"files": "1", "size": f"{size} bytes", "units": "40", "jieba tokens": "8", "lines": "–",
                     "discovered words": "4", "new words": "2", "clusters": "3",
                     "precision": "0.812", "recall": "0.790", "F1": "0.801"}
    text = page.words
    assert "Made" in text and "by wordmine 0.1.0" in text and str(outdir) in text
    svg = page.all("svg", "rf")
    assert len(svg) == 1 and len(page.all("polyline")) == 3  # jieba words, discovered, new
    cards = page.all("details", "card")
    assert len(cards) == 3
    chips = [a["data-word"] for a in page.all("button", "chip")]
    assert chips == ["星澜科技", "澜思", "了", "我们认为"]
    assert [a["class"] for a in page.all("button", "chip")][:2] == ["chip new", "chip new"]
    assert "2 words · flow 70.0% · 2 new" in text
    assert "codelength 1.5 bits, 25% shorter than one level" in text
    assert "pku.tsv" in text and "0.812" in text and "0.801" in text and "F1" in text
    assert "count" in text and "ngrams" in text  # the run's steps


def test_what_is_inlined_is_capped_and_said(outdir, monkeypatch):
    monkeypatch.setattr(report, "REPORT_NEW_WORDS", 1)
    monkeypatch.setattr(report, "REPORT_OTHER_WORDS", 1)
    monkeypatch.setattr(report, "REPORT_CLUSTERS", 2)
    monkeypatch.setattr(report, "_OPEN_CARDS", 1)
    page = Page(build_report(str(outdir), jobs=1))
    assert [r[0] for r in page.data["rows"]] == ["星澜科技", "了"]
    assert ("the first 1 by variety of the 2 new words and the 1 most frequent of the 2 other words; "
            "discovered.tsv has them all") in " ".join(page.words.split())
    assert "The 2 clusters of most flow are here; modules.tsv has all 3." in " ".join(page.words.split())
    assert len(page.all("details", "card")) == 2 and len(page.all("details", "more")) == 1


def test_missing_pieces_leave_their_sections_out(outdir, caplog):
    for name in ("modules.tsv", "clusters.json", "pku.tsv", "words.tsv"):
        os.remove(outdir / name)
    os.remove(outdir.parent / "corpus.txt")
    with caplog.at_level(logging.WARNING):
        page = Page(build_report(str(outdir), jobs=1))
    assert "corpus file missing; the report shows no contexts" in caplog.text
    assert page.all("details", "card") == [] and "Segmentation scores" not in page.words
    assert all(r[9] == [] and r[3] is not None for r in page.data["rows"])  # per million from the manifest's tokens
    assert len(page.all("polyline")) == 2


def test_bad_outdirs(tmp_path, outdir):
    with pytest.raises(InputError, match="no such directory"):
        build_report(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="none of discovered.tsv, words.tsv"):
        build_report(str(tmp_path / "empty"))
    (outdir / "discovered.tsv").write_text(DISCOVERED + "坏\tx\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"discovered.tsv:6:"):
        build_report(str(outdir))


def test_write_report_is_reproducible_and_the_same_whatever_jobs(outdir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = write_report(str(outdir), jobs=1)
    assert path == os.path.join(str(outdir), "report.html")
    first = (outdir / "report.html").read_bytes()
    assert b"Made 2023-11-14 22:13 UTC" in first
    assert write_report(str(outdir), str(outdir / "again.html"), jobs=2) and (outdir / "again.html").read_bytes() == first
    assert wordmine.build_report is build_report and wordmine.write_report is write_report
