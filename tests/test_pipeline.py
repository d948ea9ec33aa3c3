"""`wordmine.run_pipeline`: every file of OUTDIR made by its step's library function and
consistent with the others; make-like re-runs (what a changed input, parameter or file
re-runs, and what it leaves alone); an interrupted step leaves the previous outputs and the
manifest that describes them; a run on a locked OUTDIR is refused.

Two corpora: the whole sample (one run, shared by the module, only read) and three sample files
(one run, copied into ``tmp_path`` by every test that changes something)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import SAMPLE, pipeline_snapshot as snapshot

import wordmine
from wordmine.cluster import infomap, read_graph
from wordmine.errors import FormatError, InputError
from wordmine.files import expand_inputs
from wordmine.formats import (
    read_counts,
    read_modules,
    read_userdict,
    read_vocabulary,
    read_words,
    write_counts,
    write_words,
)
from wordmine.ngrams import NgramTable
from wordmine.pipeline import (
    MANIFEST,
    OUTPUTS,
    STEPS,
    SUMMARY,
    PipelineBusy,
    PipelineOptions,
    run_pipeline,
)

pytestmark = pytest.mark.slow  # whole pipelines: `pytest -m "not slow"` leaves them out

#: Every file a full run writes, in step order.
FILES = [name for step in STEPS for name in OUTPUTS[step]]
#: Three of the sample's files: a run takes about 2 s and still gives a graph and clusters.
SMALL_FILES = ("cooking.txt", "finance.txt", "sport.txt")
#: The small corpus's options: in-process, and fewer graph nodes than discovered words, so that
#: "the graph's words are the first graph_top discovered words" says something.
SMALL = PipelineOptions(jobs=1, graph_top=1000)


def ran(result) -> list[str]:
    return [step.name for step in result.steps if step.ran]


def assert_rewrote(before: dict, after: dict, steps: list[str]) -> None:
    """The files of ``steps`` were written again (new mtime), the others were not touched."""
    for step in STEPS:
        for name in OUTPUTS[step]:
            if step in steps:
                assert after[name][1] != before[name][1], f"{name} was not written again"
            else:
                assert after[name] == before[name], f"{name} changed"
    assert (after[MANIFEST] == before[MANIFEST]) == (not steps)


def same_content(a, b, name: str) -> bool:
    """Equal files; an npz by its table (the zip members carry their write times)."""
    if name.endswith(".npz"):
        x, y = NgramTable.load(str(a)), NgramTable.load(str(b))
        return (
            x.n == y.n and x.totals == y.totals and x.symbols == y.symbols
            and all(np.array_equal(x.keys[k], y.keys[k]) and np.array_equal(x.counts[k], y.counts[k]) for k in x.keys)
            and x.keys.keys() == y.keys.keys()
        )
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def graph_links(path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [tuple(line.split("\t")[:2]) for line in f if not line.startswith("#")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """Module fixtures run before conftest's (function) cache fixture: the same cache for them."""
    path = tmp_path_factory.getbasetemp() / "cache"
    path.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDMINE_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, cache):
    """The whole pipeline on a copy of the sample, with the default options and two jobs."""
    base = tmp_path_factory.mktemp("sample_run")
    corpus = base / "sample"
    shutil.copytree(SAMPLE, corpus)
    outdir = base / "out"
    options = PipelineOptions(jobs=2)
    result = run_pipeline([str(corpus)], str(outdir), options=options)
    return SimpleNamespace(
        corpus=corpus, files=expand_inputs([str(corpus)]), outdir=outdir, options=options, result=result,
        before=snapshot(outdir), summary=(outdir / SUMMARY).read_text(encoding="utf-8"),
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory, cache):
    """The pipeline on three sample files; tests copy ``outdir`` (:func:`copy_out`) before a run."""
    base = tmp_path_factory.mktemp("small_run")
    corpus = base / "corpus"
    corpus.mkdir()
    for name in SMALL_FILES:
        shutil.copy(SAMPLE / name, corpus / name)
    outdir = base / "out"
    result = run_pipeline([str(corpus)], str(outdir), options=SMALL)
    assert ran(result) == list(STEPS)
    info = {step.name: step.info for step in result.steps}
    assert info["graph"]["words"] == 1000 and info["graph"]["links"] > 300 and info["cluster"]["modules"] > 10
    return SimpleNamespace(corpus=corpus, inputs=[str(corpus)], outdir=outdir, before=snapshot(outdir))


def copy_out(small, tmp_path) -> str:
    """A copy of the small run's OUTDIR, times kept (``cp -a``): the manifest still matches."""
    out = tmp_path / "out"
    shutil.copytree(small.outdir, out)
    return str(out)


@pytest.fixture
def touched(small):
    """Bump the mtime of one corpus file (size unchanged) for the test, then put it back."""
    path = small.corpus / SMALL_FILES[0]
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    try:
        yield path
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


# --- end to end on the sample ------------------------------------------------------------------


def test_every_file_is_made_and_nothing_else(sample_run):
    assert sorted(os.listdir(sample_run.outdir)) == sorted([*FILES, SUMMARY, MANIFEST, ".lock"])  # no temporary files
    steps = sample_run.result.steps
    assert [(s.name, s.ran) for s in steps] == [(name, True) for name in STEPS]
    assert [s.outputs for s in steps] == [[os.path.join(sample_run.outdir, o) for o in OUTPUTS[s.name]] for s in steps]
    assert sample_run.result.outdir == str(sample_run.outdir)
    assert sample_run.result.summary == sample_run.summary


def test_the_manifest_describes_every_file(sample_run):
    with open(sample_run.outdir / MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["version"] == wordmine.__version__
    assert list(manifest["steps"]) == list(STEPS)

    def signature(paths, relative):
        stats = {p: os.stat(p) for p in paths}
        return {os.path.basename(p) if relative else os.path.abspath(p): [st.st_size, st.st_mtime_ns] for p, st in stats.items()}

    corpus = signature(sample_run.files, False)
    here = lambda *names: [str(sample_run.outdir / n) for n in names]
    inputs = {
        "count": corpus, "ngrams": corpus,
        "discover": {**corpus, **signature(here("ngrams.npz"), True)},
        "segment": {**corpus, **signature(here("discovered.tsv"), True)},
        "graph": signature(here("segmented.txt", "discovered.tsv"), True),
        "cluster": signature(here("graph.tsv"), True),
        "report": {**corpus, **signature(here("words.tsv", "discovered.tsv", "modules.tsv", "clusters.json"), True)},
    }
    for step, run in zip(STEPS, sample_run.result.steps):
        record = manifest["steps"][step]
        assert record["inputs"] == inputs[step], step
        assert record["outputs"] == signature(here(*OUTPUTS[step]), True), step
        assert record["params"] == json.loads(json.dumps(sample_run.options.params(step))), step
        assert record["version"] == wordmine.__version__
        assert record["info"] == run.info and record["seconds"] == round(run.seconds, 3)
    assert manifest["steps"]["cluster"]["params"] == {"directed": True, "trials": 1, "seed": 123}
    assert manifest["steps"]["graph"]["params"]["seed"] == 0  # wordmine graph's default, not the cluster's
    assert manifest["steps"]["ngrams"]["params"]["n"] == 5


def test_words_tsv_is_count_words_of_the_corpus(sample_run):
    counts = wordmine.count_words(sample_run.files, jobs=2)
    expected = io.StringIO()
    write_counts(counts, expected)
    assert (sample_run.outdir / "words.tsv").read_text(encoding="utf-8") == expected.getvalue()
    assert sample_run.result.steps[0].info == {"words": len(counts), "tokens": sum(counts.values())}
    assert read_counts(str(sample_run.outdir / "words.tsv")) == counts


def test_ngrams_npz_is_count_ngrams_to_order_plus_one(sample_run):
    table = NgramTable.load(str(sample_run.outdir / "ngrams.npz"))
    expected = wordmine.count_ngrams(sample_run.files, 5, jobs=2)
    assert table.n == 5
    assert table.totals == expected.totals
    assert table.symbols == expected.symbols
    assert len(table) == len(expected)
    for gram in ["的", "新", "星澜", "星澜科", "星澜科技", "澜科技发", "不存在的"]:
        assert table.count(gram) == expected.count(gram), gram
    assert table.count("星澜科技") > 0
    assert sample_run.result.steps[1].info == {"units": expected.totals[1], "symbols": len(expected.symbols)}


def test_discovered_tsv_and_userdict(sample_run):
    out = sample_run.outdir
    words = wordmine.discover_words(sample_run.files, ngrams=str(out / "ngrams.npz"), n=4, jobs=2)
    expected = io.StringIO()
    write_words(words, expected)
    assert (out / "discovered.tsv").read_text(encoding="utf-8") == expected.getvalue()
    # userdict.txt: the new words with their counts, most varied first (as --new-only lists them).
    table = read_words(str(out / "discovered.tsv"))
    new = [(w.word, w.count, None) for w in sorted((w for w in table if w.kind == "new"),
                                                   key=lambda w: (-w.count * min(w.left_entropy, w.right_entropy), -w.count, w.word))]
    assert read_userdict(str(out / "userdict.txt")) == new
    assert ("星澜科技", 16, None) in new and len(new) > 100
    assert sample_run.result.steps[2].info == {"words": len(words), "new_words": len(new)}


def test_segmented_txt_has_the_corpus_lines_and_characters(sample_run):
    # segment_corpus keeps the original characters, drops whitespace and keeps every line.
    corpus_lines = []
    for path in sample_run.files:
        with open(path, encoding="utf-8") as f:
            corpus_lines += f.read().splitlines()
    with open(sample_run.outdir / "segmented.txt", encoding="utf-8", newline="") as f:
        segmented = f.read()
    assert segmented.endswith("\n") and "\r" not in segmented
    lines = segmented[:-1].split("\n")
    assert len(lines) == len(corpus_lines) == 1095
    for number, (seg, text) in enumerate(zip(lines, corpus_lines), 1):
        assert seg.replace(" ", "") == "".join(text.split()), number
        assert "  " not in seg and seg == seg.strip(), number
    assert sample_run.result.steps[3].info == {"lines": 1095, "tokens": sum(len(line.split()) for line in lines)}
    # The discovered words are cut whole.
    assert "星澜科技" in segmented.split()


def test_clusters_graph_and_vocabulary_are_consistent(sample_run):
    out = sample_run.outdir
    modules = read_modules(str(out / "modules.tsv"))
    links = graph_links(out / "graph.tsv")
    graph_words = {w for link in links for w in link}
    top = [w for w, _ in read_vocabulary(str(out / "discovered.tsv"), top=sample_run.options.graph_top)]
    assert set(modules) == graph_words  # every node of the graph is in a module
    assert graph_words <= set(top)
    assert len(links) == sample_run.result.steps[4].info["links"] > 1000
    # modules.tsv is what InfoMap finds on graph.tsv (directed, one trial, seed 123).
    result = infomap(read_graph(str(out / "graph.tsv"), directed=True), trials=1, seed=123)
    assert {label: int(m) + 1 for label, m in zip(result.labels, result.modules.tolist())} == modules
    with open(out / "clusters.json", encoding="utf-8") as f:
        clusters = json.load(f)
    assert clusters["num_modules"] == len(set(modules.values())) == sample_run.result.steps[5].info["modules"]
    assert clusters["nodes"] == len(modules) == sample_run.result.steps[5].info["nodes"]
    assert clusters["links"] == len(links)
    assert (clusters["directed"], clusters["trials"], clusters["seed"]) == (True, 1, 123)
    sizes = {m: list(modules.values()).count(m) for m in set(modules.values())}
    assert clusters["top_modules"] and all(t["nodes"] == sizes[t["module"]] for t in clusters["top_modules"])


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The cells of the Markdown table that follows the line starting with ``heading``
    (without its column names)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 1:]:
        if rows and not line.startswith("|"):
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]


def test_the_summary(sample_run):
    out, summary = sample_run.outdir, sample_run.summary
    assert summary.startswith(f"# wordmine pipeline: {out}\n\nCorpus: 8 files, 245.5 KB, 73,101 units (characters, Latin words, numbers) in words.\n")
    steps = table_rows(summary, "Corpus:")
    assert [row[:2] for row in steps] == [[name, "ran"] for name in STEPS] + [["total", f"{len(STEPS)} ran"]]
    words = read_words(str(out / "discovered.tsv"))
    new = [w for w in words if w.kind == "new"]
    assert f"Discovered {len(words):,} words, {len(new):,} of them new " in summary
    # The top new words of discovered.tsv by variety (count x the smaller entropy), with their counts.
    top = sorted(new, key=lambda w: (-w.count * min(w.left_entropy, w.right_entropy), -w.count, w.word))[:20]
    assert [row[:3] for row in table_rows(summary, "Top new words")] == [[w.word, str(w.count), f"{w.variety:.1f}"] for w in top]
    assert table_rows(summary, "Top new words")[7][:3] == ["星澜科技", "16", "22.7"]
    # The largest clusters, largest first, with their most central (highest-flow) words.
    modules = read_modules(str(out / "modules.tsv"))
    members: dict[int, list[str]] = {}
    for word, module in modules.items():
        members.setdefault(module, []).append(word)
    largest = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:10]
    assert f"\n{len(members):,} clusters of {len(modules):,} words. The largest, " in summary
    clusters = table_rows(summary, f"{len(members):,} clusters of")
    assert clusters == [[str(m), str(len(ws)), " ".join(ws[:8])] for m, ws in largest]
    assert int(clusters[0][1]) == max(len(ws) for ws in members.values())


def test_a_second_run_skips_every_step_and_touches_no_file(sample_run):
    result = run_pipeline([str(sample_run.corpus)], str(sample_run.outdir), options=sample_run.options)
    assert [(s.name, s.ran) for s in result.steps] == [(name, False) for name in STEPS]
    assert snapshot(sample_run.outdir) == sample_run.before  # bytes and mtimes
    assert [s.info for s in result.steps] == [s.info for s in sample_run.result.steps]
    # The summary says so, and shows the same words and clusters (read from the files).
    assert [row[:2] for row in table_rows(result.summary, "Corpus:")] == [[n, "up to date"] for n in STEPS] + [["total", "0 ran"]]
    after_steps = lambda text: text[text.index("Discovered"):]
    assert after_steps(result.summary) == after_steps(sample_run.summary)
    assert (sample_run.outdir / SUMMARY).read_text(encoding="utf-8") == result.summary


# --- what a re-run runs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"k": 20}, ["graph", "cluster", "report"]),
        ({"min_cosine": 0.5}, ["graph", "cluster", "report"]),
        ({"graph_seed": 7}, ["graph", "cluster", "report"]),
        ({"trials": 2}, ["cluster", "report"]),
        ({"seed": 7}, ["cluster", "report"]),
        ({"directed": False}, ["cluster", "report"]),
        ({"jobs": 2, "progress": True}, []),
        ({"hmm": False}, ["count", "report"]),
        ({"min_count": 3}, ["discover", "segment", "graph", "cluster", "report"]),
        ({"order": 3}, ["ngrams", "discover", "segment", "graph", "cluster", "report"]),
    ],
)
def test_a_changed_parameter_reruns_its_step_and_those_reading_its_files(small, tmp_path, change, expected):
    out = copy_out(small, tmp_path)
    options = dataclasses.replace(SMALL, **change)
    result = run_pipeline(small.inputs, out, options=options)
    assert ran(result) == expected
    assert_rewrote(small.before, snapshot(out), expected)
    # The manifest holds the new parameters: the same options again run nothing.
    assert ran(run_pipeline(small.inputs, out, options=options)) == []


def test_known_words_rerun_discover_when_their_list_changes(small, tmp_path):
    out = copy_out(small, tmp_path)
    new = [w.word for w in read_words(os.path.join(out, "discovered.tsv")) if w.is_new]
    known = tmp_path / "known.txt"
    known.write_text(new[0] + "\n", encoding="utf-8")
    options = dataclasses.replace(SMALL, known=(str(known),))
    after_discover = ["discover", "segment", "graph", "cluster", "report"]
    assert ran(run_pipeline(small.inputs, out, options=options)) == after_discover
    words = {w.word: w for w in read_words(os.path.join(out, "discovered.tsv"))}
    assert words[new[0]].kind == "known" and all(words[w].kind == "new" for w in new[1:])
    userdict = Path(out, "userdict.txt").read_text(encoding="utf-8").split()
    assert new[0] not in userdict and new[1] in userdict
    summary = Path(out, SUMMARY).read_text(encoding="utf-8")
    assert "nor are they in your known-word lists" in summary and "known 1," in summary
    assert ran(run_pipeline(small.inputs, out, options=options)) == []
    known.write_text(new[0] + "\n" + new[1] + "\n", encoding="utf-8")  # the list grows: discover again
    assert ran(run_pipeline(small.inputs, out, options=options)) == after_discover
    assert {w.word: w.kind for w in read_words(os.path.join(out, "discovered.tsv"))}[new[1]] == "known"
    known.unlink()
    with pytest.raises(InputError, match="no such word list"):
        run_pipeline(small.inputs, out, options=options)


def test_a_bad_known_list_fails_before_counting(small, tmp_path):
    bad = tmp_path / "known.txt"
    bad.write_text("星澜科技\n星澜 科技 x\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(FormatError, match=f"{re.escape(str(bad))}:2"):
        run_pipeline(small.inputs, str(out), options=dataclasses.replace(SMALL, known=(str(bad),)))
    assert not (out / "words.tsv").exists()


def test_the_directory_can_move(small, tmp_path):
    out = copy_out(small, tmp_path)  # cp -a: the manifest names OUTDIR's files relative to it
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == []
    assert snapshot(out) == small.before


def test_touching_a_corpus_file_reruns_every_step(small, tmp_path, touched):
    out = copy_out(small, tmp_path)
    result = run_pipeline(small.inputs, out, options=SMALL)
    assert ran(result) == list(STEPS)
    after = snapshot(out)
    assert_rewrote(small.before, after, list(STEPS))
    for name in FILES:  # same corpus text, same results (the report's Run section holds the steps' times)
        if not name.endswith((".npz", ".html")):
            assert after[name][0] == small.before[name][0], name
    assert same_content(small.outdir / "ngrams.npz", os.path.join(out, "ngrams.npz"), "ngrams.npz")


def test_force_reruns_every_step(small, tmp_path):
    out = copy_out(small, tmp_path)
    assert ran(run_pipeline(small.inputs, out, options=SMALL, force=True)) == list(STEPS)
    assert_rewrote(small.before, snapshot(out), list(STEPS))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("modules.tsv", ["cluster", "report"]),
        ("words.tsv", ["count", "report"]),  # only the report reads it
        ("userdict.txt", ["discover", "segment", "graph", "cluster", "report"]),
    ],
)
def test_a_deleted_file_is_made_again_by_its_step(small, tmp_path, name, expected):
    out = copy_out(small, tmp_path)
    os.remove(os.path.join(out, name))
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == expected
    after = snapshot(out)
    assert_rewrote(small.before, after, expected)
    assert after[name][0] == small.before[name][0]


def test_an_edited_output_is_made_again(small, tmp_path):
    out = copy_out(small, tmp_path)
    with open(os.path.join(out, "graph.tsv"), "a", encoding="utf-8") as f:
        f.write("星澜科技\t澜思\t0.9\n")
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == ["graph", "cluster", "report"]
    assert snapshot(out)["graph.tsv"][0] == small.before["graph.tsv"][0]


def test_a_new_wordmine_version_reruns_every_step(small, tmp_path, monkeypatch):
    out = copy_out(small, tmp_path)
    monkeypatch.setattr("wordmine.pipeline.__version__", "99.0")
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == list(STEPS)
    with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
        manifest = json.load(f)
    assert manifest["version"] == "99.0" and {r["version"] for r in manifest["steps"].values()} == {"99.0"}


def test_from_graph_runs_graph_and_cluster_only_even_if_the_corpus_changed(small, tmp_path, touched):
    out = copy_out(small, tmp_path)
    options = dataclasses.replace(SMALL, k=20)
    result = run_pipeline(small.inputs, out, options=options, start="graph")
    assert [(s.name, s.ran) for s in result.steps] == [("graph", True), ("cluster", True), ("report", True)]
    assert_rewrote(small.before, snapshot(out), ["graph", "cluster", "report"])
    assert "Discovered" not in result.summary and "clusters of" in result.summary
    # Without --from the out-of-date steps run (and so all that follow).
    assert ran(run_pipeline(small.inputs, out, options=options)) == list(STEPS)


def test_from_graph_skips_graph_and_cluster_when_they_are_up_to_date(small, tmp_path, touched):
    out = copy_out(small, tmp_path)
    result = run_pipeline(small.inputs, out, options=SMALL, start="graph")
    # The report reads the touched corpus too (its contexts): it runs again.
    assert [(s.name, s.ran) for s in result.steps] == [("graph", False), ("cluster", False), ("report", True)]
    assert_rewrote(small.before, snapshot(out), ["report"])


def test_until_discover_runs_count_to_discover_only(small, tmp_path, touched):
    out = copy_out(small, tmp_path)
    result = run_pipeline(small.inputs, out, options=SMALL, until="discover")
    assert [(s.name, s.ran) for s in result.steps] == [("count", True), ("ngrams", True), ("discover", True)]
    assert_rewrote(small.before, snapshot(out), ["count", "ngrams", "discover"])
    assert "Top new words" in result.summary and "clusters of" not in result.summary
    # The rest catches up on the next full run.
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == ["segment", "graph", "cluster", "report"]


@pytest.mark.parametrize(
    "inputs, kwargs, message",
    [
        (None, {"start": "cluster", "until": "count"}, "--from cluster comes after --until count"),
        (None, {"start": "graph", "until": "discover"}, "--from graph comes after --until discover"),
        (None, {"start": "clustering"}, "unknown step 'clustering'; the steps are count, ngrams, discover, segment, graph, cluster, report"),
        (["-"], {}, "the pipeline reads its inputs several times and compares them between runs: name files, directories or globs (stdin cannot be read twice)"),
        ("corpus and -", {}, "stdin cannot be read twice"),
        ([], {}, "name files, directories or globs"),
    ],
)
def test_bad_arguments_raise_value_error_and_write_nothing(small, tmp_path, inputs, kwargs, message):
    if inputs is None:
        inputs = small.inputs
    elif inputs == "corpus and -":
        inputs = [*small.inputs, "-"]
    out = tmp_path / "out"
    with pytest.raises(ValueError) as error:
        run_pipeline(inputs, str(out), options=SMALL, **kwargs)
    assert message in str(error.value)
    assert not out.exists()


def test_a_missing_file_of_a_step_before_from_is_an_input_error(small, tmp_path):
    out = copy_out(small, tmp_path)
    os.remove(os.path.join(out, "discovered.tsv"))
    with pytest.raises(InputError) as error:
        run_pipeline(small.inputs, out, options=SMALL, start="graph")
    assert str(error.value) == f"{os.path.join(out, 'discovered.tsv')}: missing; run the step that makes it (without --from)"
    before = {k: v for k, v in small.before.items() if k != "discovered.tsv"}
    assert snapshot(out) == before


def test_a_missing_corpus_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="none.txt: no such file or directory"):
        run_pipeline([str(tmp_path / "none.txt")], str(tmp_path / "out"))


def test_jobs_do_not_change_the_files(small, tmp_path):
    out = tmp_path / "out"
    result = run_pipeline(small.inputs, str(out), options=dataclasses.replace(SMALL, jobs=2))
    assert ran(result) == list(STEPS)
    for name in ("words.tsv", "discovered.tsv", "userdict.txt", "segmented.txt", "graph.tsv", "modules.tsv", "clusters.json"):
        assert same_content(small.outdir / name, out / name, name), name
    assert same_content(small.outdir / "ngrams.npz", out / "ngrams.npz", "ngrams.npz")


# --- interrupted and concurrent runs -----------------------------------------------------------


def test_an_interrupted_step_leaves_the_previous_files_and_manifest(small, tmp_path, monkeypatch):
    from wordmine.graph import WordGraph

    out = copy_out(small, tmp_path)
    rows = WordGraph.__iter__
    seen = {}

    def interrupted(self):
        for i, row in enumerate(rows(self)):
            if i == 100:  # in the middle of write_graph: the new graph goes to a temporary file
                seen["files"] = sorted(os.listdir(out))
                seen["graph"] = (tmp_path / "out" / "graph.tsv").read_bytes()
                raise KeyboardInterrupt
            yield row

    monkeypatch.setattr(WordGraph, "__iter__", interrupted)
    options = dataclasses.replace(SMALL, k=20)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(small.inputs, out, options=options)
    assert [name for name in seen["files"] if name.startswith(".graph.tsv.")]  # the temporary file
    assert seen["graph"] == small.before["graph.tsv"][0]
    # Nothing of the interrupted step remains, the manifest is the one that describes the files.
    assert sorted(os.listdir(out)) == sorted([*FILES, SUMMARY, MANIFEST, ".lock"])
    assert snapshot(out) == small.before
    monkeypatch.undo()
    # The old parameters: the manifest matches, nothing to do (and the lock was released).
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == []
    # The new ones: the interrupted step and the one after it run, and the files agree.
    assert ran(run_pipeline(small.inputs, out, options=options)) == ["graph", "cluster", "report"]
    graph_words = {w for link in graph_links(os.path.join(out, "graph.tsv")) for w in link}
    assert set(read_modules(os.path.join(out, "modules.tsv"))) == graph_words
    assert ran(run_pipeline(small.inputs, out, options=options)) == []


@pytest.mark.skipif(os.name == "nt", reason="fcntl.flock is POSIX")
def test_a_run_on_a_locked_directory_is_refused(small, tmp_path):
    import fcntl

    out = copy_out(small, tmp_path)
    with open(os.path.join(out, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("pid 4242, started 2024-01-01 02:00:00\n")
        lock.flush()
        with pytest.raises(PipelineBusy) as error:
            run_pipeline(small.inputs, out, options=SMALL, force=True)
        assert str(error.value) == (
            f"{out}: another wordmine pipeline is running there (pid 4242, started 2024-01-01 02:00:00); "
            "wait for it to finish, or give another output directory"
        )
        assert snapshot(out) == small.before
    # Released: a run goes on (and names itself in the lock file).
    assert ran(run_pipeline(small.inputs, out, options=SMALL)) == []
    with open(os.path.join(out, ".lock"), encoding="utf-8") as f:
        assert re.fullmatch(rf"pid {os.getpid()}, started \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\n", f.read())


# --- bugs ----------------------------------------------------------------------------------------


def test_a_corpus_without_discovered_words_runs_to_the_end(tmp_path):
    corpus = tmp_path / "c.txt"  # the module docstring's corpus: every n-gram has one neighbour
    corpus.write_text("星澜科技发布新品。星澜科技很好。" * 40, encoding="utf-8")
    out = tmp_path / "out"
    result = run_pipeline([str(corpus)], str(out), options=PipelineOptions(jobs=1))
    assert ran(result) == list(STEPS)
    assert read_words(str(out / "discovered.tsv")) == []
    assert graph_links(out / "graph.tsv") == []
    assert read_modules(str(out / "modules.tsv")) == {}


def test_the_temporary_files_of_a_killed_run_are_removed_by_the_next(small, tmp_path):
    out = copy_out(small, tmp_path)
    left = [".graph.tsv.x1y2.tmp", ".manifest.json.abc.tmp"]
    for name in left + [".notes.tmp", "mine.tmp"]:
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("half")
    result = run_pipeline(small.inputs, out, options=SMALL)
    assert ran(result) == []
    assert sorted(n for n in os.listdir(out) if n.endswith(".tmp")) == [".notes.tmp", "mine.tmp"]


def test_an_outdir_inside_the_corpus_directory_is_not_read_as_corpus(small, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small.corpus, corpus)
    out = corpus / "out"  # `wordmine pipeline corpus -d corpus/out`
    first = run_pipeline([str(corpus)], str(out), options=SMALL, until="count")
    second = run_pipeline([str(corpus)], str(out), options=SMALL, until="count")
    assert ran(first) == ["count"] and ran(second) == []
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(os.path.basename(p) for p in manifest["steps"]["count"]["inputs"]) == sorted(SMALL_FILES)


@pytest.mark.parametrize("options, message", [
    (dict(graph_seed=-1), "graph_seed must be a non-negative integer"),
    (dict(trials=0), "trials must be at least 1"),
    (dict(min_pmi=(0.0, float("nan"))), "min_pmi must be one or more finite numbers"),
    (dict(window=1000), "window must be between 1 and 100"),
    (dict(min_cosine=-0.5), "min_cosine must be between 0 and 1"),
    (dict(errors="bogus"), "errors must be one of"),
])
def test_every_steps_parameters_are_checked_before_any_step_runs(options, message):
    with pytest.raises(ValueError, match=message):
        PipelineOptions(**options)


def test_a_manifest_of_another_shape_and_a_name_that_is_not_utf8(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = os.fsdecode(b"\xff\xfe.txt")  # not UTF-8: a lone surrogate in Python's str
    (corpus / name).write_text("星澜科技发布新品。星澜科技很好。\n" * 30, encoding="utf-8")
    out = tmp_path / "out"
    options = PipelineOptions(jobs=1)
    run_pipeline([str(corpus)], str(out), options=options, until="discover")
    again = run_pipeline([str(corpus)], str(out), options=options, until="discover")
    assert [s.ran for s in again.steps] == [False, False, False]
    (out / MANIFEST).write_text('{"steps": {"count": 5, "ngrams": []}}', encoding="utf-8")
    third = run_pipeline([str(corpus)], str(out), options=options, until="discover")
    assert [s.ran for s in third.steps] == [True, True, True]


def test_an_outdir_reached_through_a_symlink_is_not_read_as_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("星澜科技发布新品。\n" * 20, encoding="utf-8")
    (tmp_path / "link").symlink_to(corpus, target_is_directory=True)
    out = tmp_path / "link" / "out"  # inside the corpus directory, named through the link
    first = run_pipeline([str(corpus)], str(out), options=PipelineOptions(jobs=1), until="count")
    again = run_pipeline([str(corpus)], str(out), options=PipelineOptions(jobs=1), until="count")
    assert first.steps[0].ran and not again.steps[0].ran  # words.tsv was not read as corpus
