"""The whole job in one call (``wordmine pipeline``): count, n-grams, discovery, segmentation,
word graph and clusters, each step writing its usual file into one directory, make-like.

Steps and their files in OUTDIR (each made by the library function the single command uses):

=========  ==========================  ===================================================
step       writes                      reads
=========  ==========================  ===================================================
count      ``words.tsv``               the corpus (jieba word frequencies)
ngrams     ``ngrams.npz``              the corpus (orders 1..n+1: the extra order gives
                                       discovery its boundary entropies)
discover   ``discovered.tsv``,         the corpus, ``ngrams.npz``
           ``userdict.txt``            (the new words as a jieba user dictionary)
segment    ``segmented.txt``           the corpus, ``discovered.tsv`` (as jieba's dictionary)
trend      ``bursts.tsv``,             with ``slices=True`` only (each input is a time slice):
           ``slice_totals.tsv``,       the corpus (its files' lines), ``segmented.txt``,
           ``slice_counts.tsv``        ``discovered.tsv`` (the new words)
graph      ``graph.tsv``               ``segmented.txt``, ``discovered.tsv`` (top words)
cluster    ``modules.tsv``,            ``graph.tsv``
           ``clusters.json``
report     ``report.html``             the corpus (contexts of the new words), ``words.tsv``,
                                       ``discovered.tsv``, ``modules.tsv``, ``clusters.json``,
                                       score reports of ``wordmine evaluate`` in OUTDIR; with
                                       ``slices=True`` the trend step's files
=========  ==========================  ===================================================

``manifest.json`` records, for each step that finished, the size and modification time of
every file it read and wrote, its parameters and the wordmine version; a step whose record
still matches is skipped (as make does, by size and time, not by content). Every file is
written atomically and the manifest after its step, so a run that is killed leaves the
previous outputs and a manifest that describes them: the next run redoes the unfinished step
and what follows. ``.lock`` is held (``flock``) while a run goes on: a second run on the same
directory stops at once with :class:`PipelineBusy`. ``summary.md`` sums the run up: corpus
size, time per step, words, the top new words (those of ``userdict.txt``: see the ``kind`` column of
:func:`wordmine.discover_words`) and the largest clusters with their most central words
(the most flow in the word graph).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "c.txt").write_text("星澜科技发布新品。星澜科技很好。" * 40, encoding="utf-8")
>>> result = run_pipeline([str(d / "c.txt")], str(d / "out"), options=PipelineOptions(jobs=1), until="discover")
>>> [(s.name, s.ran) for s in result.steps]
[('count', True), ('ngrams', True), ('discover', True)]
>>> [(s.name, s.ran) for s in run_pipeline([str(d / "c.txt")], str(d / "out"), until="discover").steps]
[('count', False), ('ngrams', False), ('discover', False)]
"""

from __future__ import annotations

import contextlib
import json
import math
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from . import __version__, defaults
from .errors import InputError, WordmineError
from .files import STDIN, atomic_write, expand_inputs, input_size, leftover_temporaries

log = logging.getLogger(__name__)

__all__ = ["SLICE_STEPS", "STEPS", "PipelineBusy", "PipelineOptions", "PipelineResult", "StepResult", "check_request", "run_pipeline"]

#: The steps in order.
STEPS = ("count", "ngrams", "discover", "segment", "graph", "cluster", "report")
#: The steps of a corpus given as time slices (``slices=True``): ``trend`` reads the segmented
#: text, so it follows ``segment``, and the report shows its files, so it precedes ``report``.
SLICE_STEPS = ("count", "ngrams", "discover", "segment", "trend", "graph", "cluster", "report")
#: The files of OUTDIR, by step.
OUTPUTS = {
    "count": ("words.tsv",),
    "ngrams": ("ngrams.npz",),
    "discover": ("discovered.tsv", "userdict.txt"),
    "segment": ("segmented.txt",),
    "trend": ("bursts.tsv", "slice_totals.tsv", "slice_counts.tsv"),
    "graph": ("graph.tsv",),
    "cluster": ("modules.tsv", "clusters.json"),
    "report": ("report.html",),
}
MANIFEST = "manifest.json"
SUMMARY = "summary.md"
LOCK = ".lock"
#: New words and clusters shown in the summary.
SUMMARY_WORDS = 20
SUMMARY_CLUSTERS = 10
SUMMARY_CLUSTER_WORDS = 8
#: Slices whose sizes the summary lists (a year's worth of months).
SUMMARY_SLICES = 12


class PipelineBusy(WordmineError):
    """Another run holds the output directory's lock."""


@dataclass(frozen=True)
class PipelineOptions:
    """The knobs of every step (the single commands' defaults unless said otherwise).

    ``jobs``, ``engine`` and ``progress`` change how fast a step runs, not what it writes, so they
    are not among the parameters that decide whether a step is up to date.
    """

    jobs: int | None = None
    #: where the workers run: ``"local"`` (None), ``"dask"`` (one engine for every step),
    #: an engine or a ``distributed.Client`` (see :mod:`wordmine.parallel`).
    engine: object = defaults.ENGINE
    encoding: str = defaults.ENCODING
    errors: str = defaults.ERRORS
    #: count: jieba's HMM joins unknown characters (``wordmine count``'s default).
    hmm: bool = defaults.COUNT_HMM
    #: discover: the longest word (n-grams are counted to order + 1).
    order: int = defaults.ORDER
    min_count: int | str = defaults.DISCOVER_MIN_COUNT
    min_pmi: tuple[float, ...] = defaults.MIN_PMI
    #: graph: the nodes are the first ``graph_top`` discovered words (by count).
    graph_top: int = defaults.GRAPH_TOP
    k: int = defaults.K
    min_cosine: float = defaults.MIN_COSINE
    window: int = defaults.WINDOW
    dim: int = defaults.DIM
    #: graph: the random projection's seed (``wordmine graph --seed``'s default).
    graph_seed: int = defaults.GRAPH_SEED
    #: cluster: the word graph is directed (a word's nearest words), as the seed clustered it.
    directed: bool = defaults.PIPELINE_DIRECTED
    trials: int = defaults.TRIALS
    seed: int = defaults.CLUSTER_SEED
    #: each input is a time slice (``wordmine pipeline --slices``): the trend step runs (bursts
    #: and the new words' counts per slice) and the report draws a sparkline per new word.
    slices: bool = defaults.PIPELINE_SLICES
    #: discover: word lists of words the user knows (``wordmine discover --known``): none of
    #: their words is new; a change of their content runs discover again.
    known: tuple[str, ...] = ()
    progress: bool = False

    def __post_init__(self):
        """Check every step's parameters before any step runs (a bad graph seed must not wait for
        counting and discovery to finish)."""
        from .files import check_encoding

        def need(ok: bool, what: str) -> None:
            if not ok:
                raise ValueError(what)

        need(self.jobs is None or (isinstance(self.jobs, int) and self.jobs >= 1), f"jobs must be at least 1, not {self.jobs!r}")
        need(not isinstance(self.engine, str) or self.engine in defaults.ENGINES,
             f"engine must be one of {', '.join(defaults.ENGINES)}, not {self.engine!r}")
        check_encoding("utf-8" if self.encoding == "utf-8-sig" else self.encoding)
        need(self.errors in defaults.ERROR_HANDLERS, f"errors must be one of {', '.join(defaults.ERROR_HANDLERS)}, not {self.errors!r}")
        need(isinstance(self.order, int) and 2 <= self.order <= 15, f"order must be between 2 and 15, not {self.order!r}")
        need(self.min_count == "auto" or (isinstance(self.min_count, int) and self.min_count >= 1),
             f"min_count must be 'auto' or at least 1, not {self.min_count!r}")
        need(all(isinstance(x, (int, float)) and math.isfinite(x) for x in self.min_pmi) and len(self.min_pmi) >= 1,
             f"min_pmi must be one or more finite numbers (one per order from 1), not {self.min_pmi!r}")
        for name in ("graph_top", "k", "dim", "trials"):
            value = getattr(self, name)
            need(isinstance(value, int) and value >= 1, f"{name} must be at least 1, not {value!r}")
        need(isinstance(self.window, int) and 1 <= self.window <= defaults.MAX_WINDOW,
             f"window must be between 1 and {defaults.MAX_WINDOW}, not {self.window!r}")
        need(0.0 <= self.min_cosine <= 1.0, f"min_cosine must be between 0 and 1, not {self.min_cosine!r}")
        for name in ("graph_seed", "seed"):
            value = getattr(self, name)
            need(isinstance(value, int) and value >= 0, f"{name} must be a non-negative integer, not {value!r}")
        need(isinstance(self.slices, bool), f"slices must be True or False, not {self.slices!r}")
        need(isinstance(self.known, (tuple, list)) and all(isinstance(p, (str, os.PathLike)) for p in self.known),
             f"known must be a sequence of paths, not {self.known!r}")

    def params(self, step: str) -> dict:
        """The parameters that make ``step``'s output what it is (compared between runs)."""
        reading = {"encoding": self.encoding, "errors": self.errors}
        return {
            "count": {**reading, "hmm": self.hmm},
            "ngrams": {**reading, "n": self.order + 1},
            "discover": {**reading, "n": self.order, "min_count": self.min_count, "min_pmi": list(self.min_pmi)},
            "segment": {**reading, "mode": "replace", "hmm": False},
            "graph": {"top": self.graph_top, "k": self.k, "min_cosine": self.min_cosine, "window": self.window,
                      "dim": self.dim, "seed": self.graph_seed},
            "cluster": {"directed": self.directed, "trials": self.trials, "seed": self.seed},
            # Bursts with wordmine trend's defaults; the slices themselves are added by the run.
            "trend": {**reading, "s": defaults.BURST_S, "gamma": defaults.BURST_GAMMA, "min_count": defaults.TREND_MIN_COUNT},
            # Without slices, the parameters (and so the manifest) of a run before --slices existed.
            "report": {**reading, **({"slices": True} if self.slices else {})},
        }[step]


@dataclass
class StepResult:
    """What happened to one step: run (``ran``) or skipped as up to date, and how long it took
    (for a skipped step, the time of the run that made its files)."""

    name: str
    ran: bool
    seconds: float
    outputs: list[str]
    info: dict = field(default_factory=dict)


@dataclass
class PipelineResult:
    outdir: str
    steps: list[StepResult]
    summary: str  # the text of summary.md


def run_pipeline(
    inputs: Iterable[str],
    outdir: str,
    *,
    options: PipelineOptions | None = None,
    force: bool = False,
    start: str | None = None,
    until: str | None = None,
    on_step: Callable[[StepResult], None] | None = None,
) -> PipelineResult:
    """Run the steps from ``start`` to ``until`` (default: all) on a corpus, into ``outdir``.

    Args:
        inputs: the corpus: files, directories or globs (not ``-``: the steps read it several
            times, and a re-run must be able to see whether it changed).
        outdir: the directory of the outputs (made if missing).
        options: the steps' parameters.
        force: run the steps even if they are up to date.
        start, until: the first and last step to run (names of :data:`STEPS`). Steps before
            ``start`` are not run even if out of date; their files must exist.
        on_step: called with each :class:`StepResult` as it finishes (the CLI prints them).

    Returns:
        A :class:`PipelineResult`; ``summary.md`` is written too.

    Raises:
        ValueError: ``-`` among the inputs, an unknown step name, or ``start`` after ``until``.
        PipelineBusy: another run holds ``outdir``.
        InputError: a missing input, or a missing file of a step before ``start``.
        WordmineError: bad data, from the step that read it.
    """
    from dataclasses import replace

    from .parallel import open_engine

    options = options or PipelineOptions()
    steps = check_request(inputs, start, until, slices=options.slices)
    corpus = _corpus(inputs, outdir)
    plan = _slice_plan(inputs, outdir, corpus) if options.slices else None
    # Read once, before any step: a bad word list fails now, not after counting.
    known = _known_words(options) if "discover" in steps else []
    os.makedirs(outdir, exist_ok=True)
    with _locked(outdir), open_engine(options.engine, jobs=options.jobs) as engine:
        options = replace(options, engine=engine)  # one engine (a Dask cluster) for every step
        _remove_leftovers(outdir)
        manifest = _read_manifest(outdir)
        runs = []
        for name in steps:
            run = _do_step(name, corpus, outdir, options, manifest, force, plan, known)
            runs.append(run)
            if on_step is not None:
                on_step(run)
        summary = _summary(outdir, corpus, runs, manifest)
        with atomic_write(os.path.join(outdir, SUMMARY)) as f:
            f.write(summary)
    return PipelineResult(outdir, runs, summary)


def check_request(inputs: Iterable[str], start: str | None = None, until: str | None = None, *,
                  slices: bool = False) -> list[str]:
    """The steps a :func:`run_pipeline` call would consider, or ValueError for a request that
    cannot be run (``-`` or no inputs, an unknown step, ``start`` after ``until``; with
    ``slices``, fewer than two inputs or two inputs of the same slice label).

    >>> check_request(["corpus/"], start="graph")
    ['graph', 'cluster', 'report']
    >>> check_request(["news/2013/", "news/2014/"], start="segment", until="graph", slices=True)
    ['segment', 'trend', 'graph']
    """
    inputs = list(inputs)
    if STDIN in inputs or not inputs:
        raise ValueError("the pipeline reads its inputs several times and compares them between runs: "
                         "name files, directories or globs (stdin cannot be read twice)")
    steps = SLICE_STEPS if slices else STEPS
    first = steps.index(_step_name(start or steps[0], steps))
    last = steps.index(_step_name(until or steps[-1], steps))
    if first > last:
        raise ValueError(f"--from {steps[first]} comes after --until {steps[last]}")
    if slices:
        from .trend import sort_slices

        if len(inputs) < 2:
            raise ValueError(f"a trend needs at least 2 time slices, and with --slices each INPUT is one: "
                             f"{len(inputs)} given")
        sort_slices(inputs)  # two inputs of one label: ValueError
    return list(steps[first:last + 1])


def _corpus(inputs: list[str], outdir: str) -> list[str]:
    """The corpus files, without the files of OUTDIR (``wordmine pipeline . -d out`` must not
    read its own outputs)."""
    # Real paths: an OUTDIR reached through a symlink (or a corpus that is) is still OUTDIR.
    inside = os.path.realpath(outdir) + os.sep
    files = [f for f in expand_inputs(inputs) if not os.path.realpath(f).startswith(inside)]
    if not files:
        raise InputError(f"{' '.join(inputs)}: no corpus files outside {outdir}")
    return files


def _remove_leftovers(outdir: str) -> None:
    """Delete the temporary files of a killed run (atomic_write's ``.NAME.*.tmp``; SIGKILL gives
    no chance to clean up). Safe: the lock is held, so no other run is writing them."""
    for name in [*(name for step in OUTPUTS.values() for name in step), MANIFEST, SUMMARY]:
        for leftover in leftover_temporaries(os.path.join(outdir, name)):
            with contextlib.suppress(OSError):
                os.remove(leftover)
                log.info("removed %s, left by an interrupted run", leftover)


def _step_name(name: str, steps: tuple[str, ...] = STEPS) -> str:
    if name not in steps:
        if name in SLICE_STEPS:
            raise ValueError(f"the {name} step runs only when the inputs are time slices (--slices)")
        raise ValueError(f"unknown step {name!r}; the steps are {', '.join(steps)}")
    return name


def _slice_plan(inputs: list[str], outdir: str, corpus: list[str]) -> list[tuple[str, str, list[str]]]:
    """``(label, input, corpus files)`` of each time slice, in time order: each input is a slice,
    labelled and ordered as ``wordmine trend`` labels and orders its tables."""
    from .trend import sort_slices

    plan = [(label, source, _corpus([source], outdir)) for label, source in sort_slices(inputs)]
    owner: dict[str, str] = {}
    for label, _source, files in plan:
        for path in files:
            key = os.path.realpath(path)
            if key in owner:
                raise InputError(f"{path}: in the slices {owner[key]!r} and {label!r}; give each slice its own files")
            owner[key] = label
    return plan


# --- the steps ---------------------------------------------------------------------------------


def _step_inputs(name: str, corpus: list[str], outdir: str) -> list[str]:
    here = _in(outdir)
    return {
        "count": corpus,
        "ngrams": corpus,
        "discover": corpus + [here("ngrams.npz")],
        "segment": corpus + [here("discovered.tsv")],
        "trend": corpus + [here("segmented.txt"), here("discovered.tsv")],
        "graph": [here("segmented.txt"), here("discovered.tsv")],
        "cluster": [here("graph.tsv")],
        "report": corpus + [here(name) for name in ("words.tsv", "discovered.tsv", "modules.tsv", "clusters.json")]
        + _score_reports(outdir),
    }[name]


def _score_reports(outdir: str) -> list[str]:
    from .report import score_reports

    return score_reports(outdir)


def _in(outdir: str) -> Callable[[str], str]:
    return lambda name: os.path.join(outdir, name)


def _do_step(name, corpus, outdir, options, manifest, force, plan=None, known=()) -> StepResult:
    inputs = _step_inputs(name, corpus, outdir)
    if name == "report" and options.slices:
        inputs += [os.path.join(outdir, o) for o in OUTPUTS["trend"]]
    if name == "discover":
        inputs += [os.fspath(p) for p in options.known]
    outputs = [os.path.join(outdir, o) for o in OUTPUTS[name]]
    missing = [path for path in inputs if not os.path.exists(path)]
    if missing:
        if missing[0] in corpus:
            raise InputError(f"{missing[0]}: corpus file missing (a dangling link, or deleted meanwhile)")
        if name == "discover" and missing[0] not in _step_inputs(name, corpus, outdir):
            raise _no_word_list(missing[0])
        raise InputError(f"{missing[0]}: missing; run the step that makes it (without --from)")
    params = options.params(name)
    extra = {"known": known} if name == "discover" else {}
    if name == "trend":
        params = {**params, "slices": [[label, os.path.abspath(source)] for label, source, _ in plan]}
        extra = {"plan": plan, "order": _segmented_order(manifest, corpus)}
    record = manifest["steps"].get(name)
    current = {"inputs": _signature(inputs, outdir), "params": params, "version": __version__}
    if not force and record is not None and all(record.get(k) == v for k, v in current.items()) \
            and record.get("outputs") == _signature(outputs, outdir, missing_ok=True):
        log.info("%s: up to date", name)
        return StepResult(name, False, record.get("seconds", 0.0), outputs, record.get("info", {}))
    log.info("%s: running", name)
    began = time.perf_counter()
    info = _RUNNERS[name](corpus, outdir, options, **extra)
    seconds = time.perf_counter() - began
    manifest["steps"][name] = {**current, "outputs": _signature(outputs, outdir), "seconds": round(seconds, 3), "info": info}
    # Later steps read this step's files: their records no longer match and they run again.
    _write_manifest(outdir, manifest)
    return StepResult(name, True, seconds, outputs, info)


def _count(corpus, outdir, o: PipelineOptions) -> dict:
    from .count import count_words
    from .formats import write_counts

    counts = count_words(corpus, jobs=o.jobs, hmm=o.hmm, encoding=o.encoding, errors=o.errors, progress=o.progress,
                         engine=o.engine)
    write_counts(counts, os.path.join(outdir, "words.tsv"))
    return {"words": len(counts), "tokens": sum(counts.values())}


def _ngrams(corpus, outdir, o: PipelineOptions) -> dict:
    from .ngrams import count_ngrams

    table = count_ngrams(corpus, o.order + 1, jobs=o.jobs, encoding=o.encoding, errors=o.errors, progress=o.progress,
                         engine=o.engine)
    table.save(os.path.join(outdir, "ngrams.npz"))
    return {"units": int(table.totals[1]), "symbols": len(table.symbols)}


def _discover(corpus, outdir, o: PipelineOptions, known: Iterable[str] = ()) -> dict:
    from .discover import discover_words
    from .formats import write_words

    words = discover_words(
        corpus, ngrams=os.path.join(outdir, "ngrams.npz"), n=o.order, min_count=o.min_count, min_pmi=o.min_pmi,
        jobs=o.jobs, encoding=o.encoding, errors=o.errors, progress=o.progress, engine=o.engine,
        known=known,
    )
    write_words(words, os.path.join(outdir, "discovered.tsv"))
    write_words(words, os.path.join(outdir, "userdict.txt"), format="jieba", new_only=True)
    return {"words": len(words), "new_words": sum(w.is_new for w in words)}


def _known_words(o: PipelineOptions) -> list[str]:
    """The words of the known-word lists of ``o`` (discover's ``known``)."""
    from .formats import read_word_list

    for path in o.known:
        if not os.path.isfile(path):
            raise _no_word_list(os.fspath(path))
    return [w for path in o.known for w in read_word_list(os.fspath(path))]


def _no_word_list(path: str) -> InputError:
    return InputError(f"{path}: no such word list (known words); give an existing file")


def _segment(corpus, outdir, o: PipelineOptions) -> dict:
    from .formats import read_vocabulary
    from .segment import segment_corpus

    vocabulary = read_vocabulary(os.path.join(outdir, "discovered.tsv"))
    if not vocabulary:  # a corpus too small or too plain for discovery: jieba's words alone
        log.warning("no words were discovered: the corpus is segmented with jieba's dictionary alone")
    stats = segment_corpus(
        corpus, os.path.join(outdir, "segmented.txt"), vocabulary=vocabulary, mode="replace" if vocabulary else "add",
        hmm=False,
        jobs=o.jobs, encoding=o.encoding, errors=o.errors, progress=o.progress, engine=o.engine,
    )
    return {"lines": stats.lines, "tokens": stats.tokens}


def _segmented_order(manifest: dict, corpus: list[str]) -> list[str]:
    """The corpus files in the order of ``segmented.txt``'s lines: that of the run that segmented
    them (the manifest's record; inputs given in another order since leave the step up to date)."""
    record = manifest["steps"].get("segment", {})
    by_key = {os.path.abspath(path): path for path in corpus}
    recorded = [key for key in record.get("inputs", {}) if key in by_key]
    return [by_key[key] for key in recorded] if len(recorded) == len(corpus) else corpus


def _trend(corpus, outdir, o: PipelineOptions, *, plan, order) -> dict:
    from .corpus import read_batches
    from .formats import read_words
    from .trend import Slice, burst_words, count_slices, write_bursts, write_slice_counts, write_slice_totals

    here = _in(outdir)
    slice_of = {os.path.realpath(path): i for i, (_label, _source, files) in enumerate(plan) for path in files}
    # Line ends as segment reads them (the same reader: encodings, compression, \r\n), a file at a time.
    runs = [
        (slice_of[os.path.realpath(path)],
         sum(batch.text.count("\n") for batch in read_batches([path], encoding=o.encoding, errors=o.errors, warn=False)))
        for path in order
    ]
    counts = count_slices(here("segmented.txt"), runs, len(plan))
    labels = [label for label, _source, _files in plan]
    lines = [0] * len(plan)
    for index, n in runs:
        lines[index] += n
    slices = [Slice(label, source, len(files), lines[i], sum(counts[i].values())) for i, (label, source, files) in enumerate(plan)]
    bursts = burst_words(counts, labels=labels, s=defaults.BURST_S, gamma=defaults.BURST_GAMMA, min_count=defaults.TREND_MIN_COUNT)
    new = [w.word for w in read_words(here("discovered.tsv")) if w.is_new]
    write_bursts(bursts, here("bursts.tsv"))
    write_slice_totals(slices, here("slice_totals.tsv"))
    write_slice_counts(new, counts, labels, here("slice_counts.tsv"))
    return {"slices": len(plan), "tokens": sum(s.tokens for s in slices), "bursts": len(bursts)}


def _graph(corpus, outdir, o: PipelineOptions) -> dict:
    from .formats import read_vocabulary
    from .graph import build_graph, write_graph

    vocabulary = read_vocabulary(os.path.join(outdir, "discovered.tsv"), top=o.graph_top)
    if not vocabulary:
        log.warning("no words were discovered: the word graph has no nodes")
        write_graph([], os.path.join(outdir, "graph.tsv"))
        return {"words": 0, "links": 0}
    graph = build_graph(
        [os.path.join(outdir, "segmented.txt")], vocabulary, k=o.k, min_cosine=o.min_cosine, window=o.window,
        dim=o.dim, seed=o.graph_seed, jobs=o.jobs, progress=o.progress, engine=o.engine,
    )
    write_graph(graph, os.path.join(outdir, "graph.tsv"))
    return {"words": len(vocabulary), "links": len(graph)}


def _cluster(corpus, outdir, o: PipelineOptions) -> dict:
    from .cluster import infomap, read_graph
    from .formats import MODULE_TABLE, write_cluster_summary, write_modules

    path = os.path.join(outdir, "graph.tsv")
    graph = read_graph(path, directed=o.directed, allow_empty=True)
    if graph.n == 0:  # a corpus too small for any two words to be alike: no clusters
        log.warning("%s has no links: no clusters (give more text, or lower --min-cosine)", path)
        with atomic_write(os.path.join(outdir, "modules.tsv")) as f:
            f.write("\t".join(MODULE_TABLE) + "\n")
        with atomic_write(os.path.join(outdir, "clusters.json")) as f:
            f.write("{}\n")
        return {"modules": 0, "nodes": 0}
    result = infomap(graph, trials=o.trials, seed=o.seed)
    write_modules(result, os.path.join(outdir, "modules.tsv"), directed=o.directed, trials=o.trials, seed=o.seed)
    write_cluster_summary(result, graph, os.path.join(outdir, "clusters.json"), trials=o.trials, seed=o.seed)
    return {"modules": result.num_modules, "nodes": graph.n, "codelength": round(result.codelength, 6)}


def _report(corpus, outdir, o: PipelineOptions) -> dict:
    from .report import REPORT, write_report

    path = write_report(outdir, os.path.join(outdir, REPORT), jobs=o.jobs, progress=o.progress, engine=o.engine,
                        trend=o.slices)
    return {"bytes": os.path.getsize(path)}


_RUNNERS = {"count": _count, "ngrams": _ngrams, "discover": _discover, "segment": _segment, "trend": _trend,
            "graph": _graph, "cluster": _cluster, "report": _report}


# --- manifest and lock -------------------------------------------------------------------------


def _signature(paths: list[str], outdir: str, missing_ok: bool = False) -> dict:
    """``{path: [size, mtime_ns]}``: what make compares (content hashes would read tens of GB).

    Files of OUTDIR go by their names (the directory can move, with its files' times kept:
    ``cp -a``), the corpus by absolute paths.
    """
    signature = {}
    for path in paths:
        key = os.path.abspath(path)
        if os.path.dirname(key) == os.path.abspath(outdir):
            key = os.path.basename(key)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            if not missing_ok:
                raise
            signature[key] = None
            continue
        signature[key] = [stat.st_size, stat.st_mtime_ns]
    return signature


def _read_manifest(outdir: str) -> dict:
    path = os.path.join(outdir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
        if isinstance(manifest, dict) and isinstance(manifest.get("steps"), dict):
            # A record of another shape (edited by hand, say) cannot say a step is up to date.
            manifest["steps"] = {k: v for k, v in manifest["steps"].items() if k in SLICE_STEPS and isinstance(v, dict)}
            return manifest
        log.warning("%s: not a wordmine manifest; every step runs again", path)
    except FileNotFoundError:
        pass
    except (ValueError, UnicodeDecodeError):
        log.warning("%s: unreadable; every step runs again", path)
    return {"steps": {}}


def _write_manifest(outdir: str, manifest: dict) -> None:
    manifest["version"] = __version__
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (os.fsdecode's surrogates)
        text = json.dumps(manifest, ensure_ascii=True, indent=1) + "\n"
    with atomic_write(os.path.join(outdir, MANIFEST)) as f:
        f.write(text)


@contextlib.contextmanager
def _locked(outdir: str) -> Iterator[None]:
    """Hold ``outdir/.lock`` for the run. An OS lock (flock) goes away with its process, so a
    killed run never leaves a stale lock; the file's text only names the holder."""
    path = os.path.join(outdir, LOCK)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            with open(path, encoding="utf-8", errors="replace") as f:
                holder = f.read().strip() or "another process"
            raise PipelineBusy(
                f"{outdir}: another wordmine pipeline is running there ({holder}); "
                "wait for it to finish, or give another output directory"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


# --- summary -----------------------------------------------------------------------------------


def _summary(outdir: str, corpus: list[str], runs: list[StepResult], manifest: dict) -> str:
    """summary.md: corpus, steps, words, new words, clusters (from the files, run or not)."""
    from .formats import WORD_KINDS, new_words, read_modules, read_words

    here = _in(outdir)
    size = input_size(corpus) or 0
    info = {name: record.get("info", {}) for name, record in manifest["steps"].items()}
    lines = [f"# wordmine pipeline: {outdir}", ""]
    chars = info.get("ngrams", {}).get("units")
    lines.append(f"Corpus: {len(corpus)} file{'s' * (len(corpus) != 1)}, {_size(size)}"
                 + (f", {chars:,} units (characters, Latin words, numbers) in words" if chars else "") + ".")
    lines += ["", "| step | this run | seconds | wrote |", "|---|---|---:|---|"]
    for run in runs:
        status = "ran" if run.ran else "up to date"
        wrote = ", ".join(os.path.basename(p) for p in run.outputs)
        detail = ", ".join(f"{k} {_number(v)}" for k, v in run.info.items())
        lines.append(f"| {run.name} | {status} | {run.seconds:.1f} | {wrote}{' (' + detail + ')' if detail else ''} |")
    ran = sum(run.seconds for run in runs if run.ran)
    lines.append(f"| total | {sum(run.ran for run in runs)} ran | {ran:.1f} | |")
    done = {run.name for run in runs}  # sections of the steps of this run only
    if "discover" in done:
        words = read_words(here("discovered.tsv"))
        new = new_words(words)
        kinds = Counter(w.kind for w in words)
        yours = ", nor are they in your known-word lists" if kinds["known"] else ""
        lines += ["", f"Discovered {len(words):,} words, {len(new):,} of them new (jieba neither has them nor "
                  f"accounts for them{yours}; userdict.txt holds them). The others, by their kind column: "
                  + ", ".join(f"{kind} {kinds[kind]:,}" for kind in WORD_KINDS if kind != "new" and kinds[kind]) + ".", ""]
        if new:
            lines += [f"Top new words (of {len(new):,}; by variety: count × the smaller boundary entropy):", "",
                      "| word | count | variety | cohesion | jieba lift |", "|---|---:|---:|---:|---:|"]
            lines += [f"| {w.word} | {w.count} | {w.variety:.1f} | {_number(w.cohesion)} | {_number(w.jieba_lift)} |" for w in new[:SUMMARY_WORDS]]
    if "trend" in done:
        lines += _trend_summary(outdir)
    if "cluster" in done:
        modules: dict[int, list[str]] = {}
        for word, module in read_modules(here("modules.tsv")).items():  # by module, then flow
            modules.setdefault(module, []).append(word)
        largest = sorted(modules.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:SUMMARY_CLUSTERS]
        lines += ["", f"{len(modules):,} clusters of {sum(map(len, modules.values())):,} words. The largest, "
                  "with their most central words (most flow first):", ""]
        if largest:
            lines += ["| cluster | words | most central |", "|---:|---:|---|"]
            lines += [f"| {m} | {len(ws)} | {' '.join(ws[:SUMMARY_CLUSTER_WORDS])} |" for m, ws in largest]
    return "\n".join(lines) + "\n"


def _trend_summary(outdir: str) -> list[str]:
    """The summary's lines on the time slices and the heaviest bursts."""
    from .trend import read_bursts, read_slice_totals

    here = _in(outdir)
    slices = read_slice_totals(here("slice_totals.tsv"))
    bursts = read_bursts(here("bursts.tsv"))
    lines = ["", f"{len(slices)} time slices, {slices[0].label} to {slices[-1].label} "
             f"({', '.join(f'{s.label} {s.tokens:,}' for s in slices[:SUMMARY_SLICES])}"
             f"{', ...' if len(slices) > SUMMARY_SLICES else ''} tokens); {len(bursts):,} bursts (bursts.tsv)."]
    if bursts:
        lines += ["", "Heaviest bursts:", "", "| word | slices | weight | count |", "|---|---|---:|---:|"]
        lines += [f"| {b.word} | {b.first if b.first == b.last else b.first + ' to ' + b.last} | {b.weight:.1f} | {b.count} |"
                  for b in bursts[:SUMMARY_WORDS]]
    return lines


def _size(nbytes: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if nbytes < 1000 or unit == "GB":
            return f"{nbytes:,} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    return ""


def _number(x) -> str:
    if isinstance(x, float):
        return format(x, ".6g")
    return f"{x:,}" if isinstance(x, int) else str(x)

