"""One self-contained HTML page about a pipeline's output directory (``wordmine report``).

The page reads nothing from the network: its CSS, its plots (SVG drawn here), its data (JSON)
and its small script are all inline, and text uses the system's fonts (``lang="zh"`` lets the
browser pick a Chinese one). It opens from a file, a mail attachment or a web server alike.

What it shows, from the files of OUTDIR (those that exist; a missing one leaves its section out):

* the corpus and the run: files, size, units (characters, Latin words, numbers), jieba tokens,
  lines, the steps with their times and parameters (``manifest.json``), wordmine's version and
  the date the page was made (``SOURCE_DATE_EPOCH`` when set, for byte-identical rebuilds);
* the discovered words (``discovered.tsv``) as a table that sorts by any column and filters by
  text, kind and least count: count, frequency per million jieba tokens (``words.tsv``'s
  total), cohesion, left and right entropy, jieba lift, kind and, for new words, a few lines
  of context from the corpus (:func:`wordmine.kwic.keywords_in_context`, a sample spread over
  the corpus);
* a log-log rank-frequency plot of the jieba words, the discovered words and the new words, with
  Zipf's law (count proportional to 1/rank) through the most frequent word for reference, and
  the number of discovered words of each kind;
* the clusters (``modules.tsv``, ``clusters.json``) as cards, largest flow first: size, flow,
  most central words; a card opens to show its words, and a word there filters the table;
* SIGHAN segmentation scores, for each ``*.tsv`` of OUTDIR that ``wordmine evaluate`` wrote
  (``metric<TAB>value``), e.g. ``wordmine evaluate ... -o OUTDIR/evaluation.tsv``;
* when the corpus was given as time slices (``wordmine pipeline --slices``: ``slice_totals.tsv``,
  ``slice_counts.tsv``, ``bursts.tsv``), a sparkline per new word in the table (its frequency
  per million tokens in each slice, from 0 to its own peak, its bursts shaded) and the
  heaviest bursts (:func:`wordmine.burst_words`) with the slices they span.

What is inlined is capped so that the page opens fast whatever the corpus: the
:data:`REPORT_NEW_WORDS` most frequent new words (with contexts) and the
:data:`REPORT_OTHER_WORDS` most frequent other words, the :data:`REPORT_CLUSTERS` clusters of
most flow with at most :data:`REPORT_CLUSTER_WORDS` words each; the page says how many there
are in all and which file holds them.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "discovered.tsv").write_text("word\\tcount\\tcohesion\\tleft_entropy\\tright_entropy\\tjieba_lift\\tkind\\n"
...                                       "星澜科技\\t3\\t6.8\\t1.1\\t1.0\\t9.1\\tnew\\n", encoding="utf-8")
>>> page = build_report(str(d), jobs=1)
>>> page.startswith("<!DOCTYPE html>"), '<html lang="zh">' in page, "星澜科技" in page, "http" in page
(True, True, True, False)
"""

from __future__ import annotations

import glob
import html
import json
import logging
import math
import os
import time
from collections import Counter
from typing import Any

from . import __version__, defaults
from .errors import InputError
from .files import atomic_write, shown

__all__ = [
    "REPORT",
    "REPORT_CLUSTERS",
    "REPORT_CLUSTER_WORDS",
    "REPORT_CONTEXTS",
    "REPORT_NEW_WORDS",
    "REPORT_OTHER_WORDS",
    "build_report",
    "rank_frequency_svg",
    "score_reports",
    "write_report",
]

log = logging.getLogger(__name__)

#: The page's file name in OUTDIR (the pipeline's last step writes it).
REPORT = "report.html"
#: New words inlined, with their contexts: about 300 bytes each, so at most 3 MB of a page that
#: Chromium parses and shows in well under a second (checked with 50 000 discovered words).
REPORT_NEW_WORDS = 10_000
#: Other discovered words inlined (no contexts, about 60 bytes each).
REPORT_OTHER_WORDS = 5_000
#: Contexts per new word, and characters on each side: two or three lines are enough to judge a
#: word, and 12 characters (half a clause) keep a row on one line of a laptop screen.
REPORT_CONTEXTS = 3
REPORT_CONTEXT_WIDTH = 12
#: Cluster cards, and words listed in an opened card: more are not read on one page. The first
#: _OPEN_CARDS are in sight, the others behind one click (four rows of four on a laptop screen).
REPORT_CLUSTERS = 48
REPORT_CLUSTER_WORDS = 150
_OPEN_CARDS = 16
#: Most central words on a closed card (the summary's 8).
_CARD_WORDS = 8
#: Rows per page of the table: a screen or two.
_PAGE_ROWS = 50
#: Points per series of the rank-frequency plot, log-spaced in rank: beyond a few hundred a
#: line of 640 pixels shows no difference.
_PLOT_POINTS = 240
#: Decimals of the numbers in the page's data: what the table shows.
_DIGITS = 3
_PER_MILLION = 1_000_000


def write_report(outdir: str, path: str | None = None, *, jobs: int | None = None, progress: bool = False, engine: object = None,
                 trend: bool | None = None) -> str:
    """Write :func:`build_report` of ``outdir`` to ``path`` (default ``OUTDIR/report.html``),
    atomically; ``-`` is stdout.

    Returns:
        The path written.

    Raises:
        InputError: ``outdir`` holds none of the files a report shows, or its corpus cannot be read.
        FormatError: a file of ``outdir`` is malformed (naming it and the line).
    """
    path = os.path.join(outdir, REPORT) if path is None else path
    page = build_report(outdir, jobs=jobs, progress=progress, engine=engine, trend=trend)
    with atomic_write(path) as f:
        f.write(page)
    return path


def build_report(outdir: str, *, jobs: int | None = None, progress: bool = False, engine: object = None,
                 trend: bool | None = None) -> str:
    """The HTML page about ``outdir`` (see the module doc), as a string.

    Args:
        outdir: a pipeline's output directory (or any directory holding some of its files).
        jobs: worker processes for finding the contexts (None: all CPUs; 1: in-process).
        progress: show a progress bar on stderr while finding the contexts (only on a TTY).
        engine: where the contexts are found (see :func:`wordmine.kwic.keywords_in_context`).
        trend: show the time slices (sparklines and bursts): True (their files must be there),
            False (never: the pipeline without ``--slices``), None (if their files are there).

    Raises:
        InputError: ``outdir`` holds none of the files a report shows, or ``trend`` is True and
            a file of the time slices is missing.
        FormatError: a file of ``outdir`` is malformed.
    """
    facts = _gather(outdir, jobs=jobs, progress=progress, engine=engine)
    facts["trend"] = _trend(outdir, trend)
    return _page(facts)


# --- reading OUTDIR ----------------------------------------------------------------------------

_SHOWN_FILES = ("discovered.tsv", "words.tsv", "modules.tsv", "clusters.json", "manifest.json")


def _gather(outdir: str, *, jobs, progress, engine=None) -> dict:
    from .formats import new_words, read_counts, read_module_rows, read_words

    here = lambda name: os.path.join(outdir, name)  # noqa: E731
    if not os.path.isdir(outdir):
        raise InputError(f"{shown(outdir)}: no such directory; give a pipeline's output directory (wordmine pipeline -d)")
    evaluations = _evaluations(outdir)
    if not any(os.path.exists(here(name)) for name in _SHOWN_FILES) and not evaluations:
        raise InputError(
            f"{shown(outdir)}: none of {', '.join(_SHOWN_FILES)} is there; "
            "give a pipeline's output directory (wordmine pipeline -d)"
        )
    manifest = _manifest(here("manifest.json"))
    steps = manifest.get("steps", {})
    corpus = _corpus_files(steps, outdir)
    counts = read_counts(here("words.tsv")) if os.path.exists(here("words.tsv")) else None
    words = read_words(here("discovered.tsv")) if os.path.exists(here("discovered.tsv")) else None
    modules = read_module_rows(here("modules.tsv")) if os.path.exists(here("modules.tsv")) else None
    clusters = _json(here("clusters.json"))
    info = {name: record.get("info", {}) for name, record in steps.items() if isinstance(record, dict)}
    tokens = sum(counts.values()) if counts else info.get("count", {}).get("tokens")
    new = new_words(words) if words else []  # in the summary's order: by variety
    shown_new = new[:REPORT_NEW_WORDS]
    contexts = _contexts(corpus, [w.word for w in shown_new], steps, jobs=jobs, progress=progress, engine=engine)
    return {
        "outdir": outdir,
        "corpus": corpus,
        "steps": steps,
        "info": info,
        "counts": counts,
        "tokens": tokens,
        "words": words,
        "new": new,
        "shown_new": shown_new,
        "contexts": contexts,
        "modules": modules,
        "clusters": clusters,
        "evaluations": evaluations,
        "version": manifest.get("version", __version__),
        "date": _date(),
    }


#: The files of the time slices (``wordmine pipeline --slices``, its trend step).
TREND_FILES = ("slice_totals.tsv", "slice_counts.tsv", "bursts.tsv")


def _trend(outdir: str, trend: bool | None) -> dict | None:
    """The slices (labels, token totals), the new words' counts per slice and the bursts, with
    each word's bursts as ``[first, last]`` slice indices; None when there are none to show."""
    from .trend import read_bursts, read_slice_counts, read_slice_totals

    if trend is False:
        return None
    paths = [os.path.join(outdir, name) for name in TREND_FILES]
    missing = [path for path in paths if not os.path.exists(path)]
    if missing:
        if trend:
            raise InputError(f"{shown(missing[0])}: missing; run wordmine pipeline --slices to make it")
        return None
    totals = read_slice_totals(paths[0])
    labels, counts = read_slice_counts(paths[1])
    bursts = read_bursts(paths[2])
    if labels != [s.label for s in totals]:
        log.warning("%s and %s name other slices; the report leaves the slices out", shown(paths[0]), shown(paths[1]))
        return None
    index = {label: i for i, label in enumerate(labels)}
    bursts = [b for b in bursts if b.first in index and b.last in index]
    spans: dict[str, list[list[int]]] = {}
    for b in bursts:
        spans.setdefault(b.word, []).append([index[b.first], index[b.last]])
    return {"slices": totals, "labels": labels, "counts": counts, "bursts": bursts, "spans": spans}


def _manifest(path: str) -> dict:
    manifest = _json(path)
    if not isinstance(manifest.get("steps"), dict):
        manifest["steps"] = {}
    return manifest


def _json(path: str) -> dict:
    """A JSON object from a file, or {} if the file is missing or is not one (logged)."""
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except FileNotFoundError:
        return {}
    except (ValueError, UnicodeDecodeError):
        log.warning("%s: not readable JSON; the report leaves it out", shown(path))
        return {}
    return value if isinstance(value, dict) else {}


def _corpus_files(steps: dict, outdir: str) -> list[tuple[str, int | None]]:
    """``(path, size)`` of the corpus files as the manifest recorded them (the first step that
    read the corpus; OUTDIR's own files go by bare names there)."""
    for name in ("count", "ngrams", "discover", "segment"):
        inputs = steps.get(name, {}).get("inputs") if isinstance(steps.get(name), dict) else None
        if isinstance(inputs, dict):
            files = [(path, sig[0] if isinstance(sig, list) and sig else None) for path, sig in inputs.items()
                     if os.path.isabs(path)]
            if files:
                return files
    return []


def score_reports(outdir: str) -> list[str]:
    """The score reports of ``wordmine evaluate`` in ``outdir``: its ``*.tsv`` files whose header
    is ``metric<TAB>value``, sorted by name (what the report shows, and what the pipeline's report
    step reads).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "pku.tsv").write_text("metric\\tvalue\\nf1\\t0.812\\n", encoding="utf-8")
    >>> _ = (d / "words.tsv").write_text("word\\tcount\\n", encoding="utf-8")
    >>> [pathlib.Path(p).name for p in score_reports(str(d))]
    ['pku.tsv']
    """
    found = []
    for path in sorted(glob.glob(os.path.join(glob.escape(outdir), "*.tsv"))):
        try:
            with open(path, encoding="utf-8") as f:
                if f.readline(64).rstrip("\r\n") == "metric\tvalue":
                    found.append(path)
        except (OSError, UnicodeDecodeError):
            continue
    return found


def _evaluations(outdir: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(file name, [(metric, value), ...])`` of each score report in OUTDIR."""
    found = []
    for path in score_reports(outdir):
        try:
            with open(path, encoding="utf-8") as f:
                rows = [tuple(line.rstrip("\r\n").split("\t", 1)) for line in f if "\t" in line][1:]
        except (OSError, UnicodeDecodeError):
            continue
        found.append((os.path.basename(path), rows))
    return found


def _contexts(corpus, words: list[str], steps: dict, *, jobs, progress, engine=None) -> dict:
    from .kwic import keywords_in_context

    if not words or not corpus:
        return {}
    files = [path for path, _size in corpus]
    missing = [path for path in files if not os.path.exists(path)]
    if missing:
        log.warning("%s: corpus file missing; the report shows no contexts", shown(missing[0]))
        return {}
    reading = steps.get("count", {}).get("params", {})
    return keywords_in_context(
        files, words, width=REPORT_CONTEXT_WIDTH, per_word=REPORT_CONTEXTS, pick="spread", jobs=jobs,
        encoding=reading.get("encoding", defaults.ENCODING), errors=reading.get("errors", defaults.ERRORS),
        progress=progress, engine=engine,
    )


def _date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():  # reproducible builds' convention: the same page every time
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(epoch)))
    return time.strftime("%Y-%m-%d %H:%M")


# --- the page ----------------------------------------------------------------------------------


def _page(f: dict) -> str:
    e = html.escape
    title = _title(f)
    body = [
        '<header class="top"><div class="wrap">',
        '<p class="kicker">wordmine report</p>',
        f"<h1>{e(title)}</h1>",
        f'<p class="sub">Made {e(f["date"])} by wordmine {e(str(f["version"]))} from <code>{e(f["outdir"])}</code></p>',
        _nav(f),
        "</div></header>",
        '<main class="wrap">',
        _overview(f),
        _words_section(f),
        _bursts_section(f),
        _plots_section(f),
        _clusters_section(f),
        _scores_section(f),
        _run_section(f),
        "</main>",
        '<footer class="wrap">This page is one file: its styles, plots, data and script are inside it and it '
        "loads nothing from the network. Made by <code>wordmine report</code>.</footer>",
    ]
    data = _data(f)
    return "".join([
        "<!DOCTYPE html>\n",
        '<html lang="zh">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{e(title)} · wordmine</title>\n",
        # An empty icon: without it a browser asks the server for /favicon.ico.
        '<link rel="icon" href="data:,">\n',
        f"<style>{_CSS}{_TREND_CSS if f['trend'] else ''}</style>\n</head>\n<body>\n",
        "\n".join(part for part in body if part),
        '\n<script type="application/json" id="wm-data">',
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"),
        f"</script>\n<script>{_TREND_SCRIPT if f['trend'] else _SCRIPT}</script>\n</body>\n</html>\n",
    ])


def _title(f: dict) -> str:
    files = [path for path, _ in f["corpus"]]
    if not files:
        return os.path.basename(os.path.abspath(f["outdir"]))
    if len(files) == 1:
        return os.path.basename(files[0])
    common = os.path.commonpath(files)
    return os.path.basename(common) or common


def _nav(f: dict) -> str:
    links = [("overview", "Corpus")]
    if f["words"] is not None:
        links.append(("words", "New words"))
    if f["trend"]:
        links.append(("bursts", "Bursts"))
    if f["counts"] or f["words"]:
        links.append(("frequency", "Frequencies"))
    if f["modules"]:
        links.append(("clusters", "Clusters"))
    if f["evaluations"]:
        links.append(("scores", "Scores"))
    if f["steps"]:
        links.append(("run", "Run"))
    return '<nav>' + "".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"


def _number(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{x:,}"


def _size(nbytes: int | None) -> str:
    if nbytes is None:
        return "–"
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:,} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    return ""


def _overview(f: dict) -> str:
    e = html.escape
    info = f["info"]
    sizes = [s for _, s in f["corpus"] if s is not None]
    tiles = [
        ("files", _number(len(f["corpus"])) if f["corpus"] else "–"),
        ("size", _size(sum(sizes)) if sizes else "–"),
        ("units", _number(info.get("ngrams", {}).get("units")), "characters, Latin words and numbers, in words"),
        ("jieba tokens", _number(f["tokens"]), "punctuation left out (count step)"),
        ("lines", _number(info.get("segment", {}).get("lines"))),
        ("discovered words", _number(len(f["words"])) if f["words"] is not None else "–"),
        ("new words", _number(len(f["new"])) if f["words"] is not None else "–", "neither in jieba's dictionary nor accounted for by it"),
        ("clusters", _number(f["clusters"].get("num_modules", len({m for _, m, _ in f["modules"]}) if f["modules"] else None)) if (f["clusters"] or f["modules"]) else "–"),
    ]
    cells = []
    for tile in tiles:
        label, value = tile[0], tile[1]
        hint = f' title="{e(tile[2])}"' if len(tile) > 2 else ""
        cells.append(f'<div class="tile"{hint}><div class="v">{e(value)}</div><div class="l">{e(label)}</div></div>')
    files = ""
    if f["corpus"]:
        items = "".join(f"<li><code>{e(path)}</code> <span class=\"muted\">{_size(size)}</span></li>" for path, size in f["corpus"][:200])
        more = f"<li class=\"muted\">and {len(f['corpus']) - 200:,} more</li>" if len(f["corpus"]) > 200 else ""
        files = f'<details class="files"><summary>The corpus files</summary><ul>{items}{more}</ul></details>'
    return f'<section id="overview"><h2>Corpus</h2><div class="tiles">{"".join(cells)}</div>{files}</section>'


def _words_section(f: dict) -> str:
    e = html.escape
    words = f["words"]
    if words is None:
        return ""
    others = sum(1 for w in words if not w.is_new)
    capped = []
    if len(f["new"]) > REPORT_NEW_WORDS:
        capped.append(f"the first {REPORT_NEW_WORDS:,} by variety of the {len(f['new']):,} new words")
    if others > REPORT_OTHER_WORDS:
        capped.append(f"the {REPORT_OTHER_WORDS:,} most frequent of the {others:,} other words")
    cap = (f'<p class="note">This page holds {" and ".join(capped)}; <code>discovered.tsv</code> has them all.</p>'
           if capped else "")
    kinds = Counter(w.kind for w in words)
    options = "".join(
        f'<option value="{k}"{" selected" if k == "new" else ""}>{k} ({kinds[k]:,})</option>' for k in _kind_order(kinds)
    )
    contexts_note = ("Contexts: up to three lines per new word, sampled over the whole corpus."
                     if f["contexts"] else "No contexts: the corpus files were not found.")
    per_million = "per million jieba tokens" if f["tokens"] else "(no words.tsv: no total to divide by)"
    headers = [
        ("word", "word", "text"), ("count", "count", "num"),
        ("variety", "count × the smaller of the two boundary entropies: how much varied use the corpus makes of the word "
         "(new words come in this order)", "num"),
        ("per million", per_million, "num"),
        ("cohesion", "how much more often the word's parts occur together than apart (PMI, natural log)", "num"),
        ("left H", "entropy of the characters before the word", "num"),
        ("right H", "entropy of the characters after the word", "num"),
        ("jieba lift", "how much more often than jieba's model expects its cut (natural log)", "num"),
        ("kind", "what discovery judged the word to be", "text"),
    ]
    ths = "".join(
        f'<th data-col="{i}" class="{cls}" title="{e(hint)}" aria-sort="none">'
        f'<button type="button">{e(name)}</button></th>'
        for i, (name, hint, cls) in enumerate(headers)
    )
    trend = ""
    if f["trend"]:
        labels = f["trend"]["labels"]
        ths = ths.replace("</th>", '</th><th class="spark" title="the word\'s frequency per million tokens in each time slice '
                          f'({e(labels[0])} to {e(labels[-1])}), from 0 to its own peak (the dot); shaded: its bursts">'
                          "per slice</th>", 1)
        trend = (f"Per slice: the new word's frequency in each of the {len(labels)} time slices, from 0 to its own peak; "
                 "its bursts shaded; point at it for the numbers. ")
    return (
        '<section id="words"><h2>New words</h2>'
        f'<p class="lead">{len(f["new"]):,} new words among {len(words):,} discovered. {e(contexts_note)} {e(trend)}'
        f'New words come by variety (count × the smaller boundary entropy), the others by count; '
        f'click a column to sort, type to filter.</p>{cap}'
        '<div class="controls">'
        '<label>Find <input id="wm-q" type="search" placeholder="word or part of it" autocomplete="off"></label>'
        f'<label>Kind <select id="wm-kind"><option value="all">all kinds ({len(words):,})</option>{options}</select></label>'
        '<label>Count at least <input id="wm-min" type="number" min="1" value="1"></label>'
        '<span id="wm-status" class="muted" aria-live="polite"></span>'
        "</div>"
        f'<div class="tablewrap"><table id="wm-table"><thead><tr>{ths}<th class="ctx">contexts</th></tr></thead>'
        "<tbody></tbody></table></div>"
        '<div class="pager"><button type="button" id="wm-prev">← previous</button>'
        '<span id="wm-page"></span><button type="button" id="wm-next">next →</button></div>'
        "</section>"
    )


def _kind_order(kinds: Counter) -> list[str]:
    from .formats import WORD_KINDS

    return [k for k in WORD_KINDS if kinds[k]] + sorted(k for k in kinds if k not in WORD_KINDS)


def _data(f: dict) -> dict:
    """The table's rows, as compact JSON: numbers rounded, kinds and files by number."""
    words = f["words"] or []
    if not words:
        return {"rows": [], "kinds": [], "files": [], "page": _PAGE_ROWS}
    kinds = _kind_order(Counter(w.kind for w in words))
    kind_index = {k: i for i, k in enumerate(kinds)}
    files: dict[str, int] = {}
    tokens = f["tokens"]

    def num(x):
        return None if x is None or x != x else round(x, _DIGITS)

    trend = f["trend"]
    rows = []
    # New words first, by variety (as the summary lists them), then the others by count.
    for w in f["new"][:REPORT_NEW_WORDS] + [w for w in words if not w.is_new][:REPORT_OTHER_WORDS]:
        contexts = [
            [c.left, c.match, c.right, files.setdefault(os.path.basename(c.file), len(files)), c.line]
            for c in f["contexts"].get(w.word, ())
        ]
        rows.append([
            w.word, w.count, num(w.variety), num(w.count * _PER_MILLION / tokens) if tokens else None, num(w.cohesion),
            num(w.left_entropy), num(w.right_entropy), num(w.jieba_lift), kind_index[w.kind], contexts,
        ])
        if trend and w.is_new:  # the sparkline's data: counts per slice, bursts as slice indices
            rows[-1] += [trend["counts"].get(w.word) or [0] * len(trend["labels"]), trend["spans"].get(w.word, [])]
    data = {"rows": rows, "kinds": kinds, "files": list(files), "page": _PAGE_ROWS}
    if trend:
        data.update(slices=trend["labels"], slice_tokens=[s.tokens for s in trend["slices"]])
    return data


#: Bursts listed on the page (bursts.tsv has them all): the heaviest, two screens of rows.
REPORT_BURSTS = 50
#: The width of a burst's timeline (CSS pixels) and the widest cell of a slice in it.
_SPAN_WIDTH = 150
_SPAN_CELL = 14


def _bursts_section(f: dict) -> str:
    e = html.escape
    trend = f["trend"]
    if not trend:
        return ""
    labels, bursts, slices = trend["labels"], trend["bursts"], trend["slices"]
    index = {label: i for i, label in enumerate(labels)}
    new = {w.word for w in f["new"]}
    in_table = {w.word for w in (f["words"] or [])}
    rows = []
    for b in bursts[:REPORT_BURSTS]:
        word = (f'<button type="button" class="chip{" new" if b.word in new else ""}" data-word="{e(b.word)}" '
                f'title="find it in the table">{e(b.word)}</button>' if b.word in in_table else e(b.word))
        rows.append(f'<tr><td class="word">{word}</td><td>{burst_span_svg(index[b.first], index[b.last], labels)}</td>'
                    f'<td>{e(b.first)}</td><td>{e(b.last)}</td><td class="num">{b.weight:,.1f}</td><td class="num">{b.count:,}</td></tr>')
    kept = (f"the {REPORT_BURSTS} heaviest of {len(bursts):,} are here, <code>bursts.tsv</code> has them all"
            if len(bursts) > REPORT_BURSTS else f"{len(bursts):,} in all")
    table = ('<div class="tablewrap"><table class="small bursts"><thead><tr><th>word</th><th>when</th><th>first</th>'
             '<th>last</th><th class="num" title="the cost the burst saves (Kleinberg\'s weight): longer and stronger bursts weigh more">'
             'weight</th><th class="num" title="the word\'s tokens in the burst\'s slices">count</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>') if rows else '<p class="muted">No word burst.</p>'
    sizes = "".join(f"<tr><td>{e(s.label)}</td><td><code>{e(s.input)}</code></td><td class=\"num\">{s.files:,}</td>"
                    f"<td class=\"num\">{s.lines:,}</td><td class=\"num\">{s.tokens:,}</td></tr>" for s in slices)
    return (
        '<section id="bursts"><h2>Bursts</h2>'
        f'<p class="lead">Words whose share of the text rose for a run of time slices, over the {len(labels)} slices '
        f"{e(labels[0])} to {e(labels[-1])}: Kleinberg's (2002) burst detection on the segmented text, as "
        f"<code>wordmine trend</code> computes it (s = {defaults.BURST_S:g}, γ = {defaults.BURST_GAMMA:g}); "
        f"heaviest first ({kept}). New words are marked; a discovered word, clicked, finds itself in the table.</p>"
        f"{table}"
        '<details class="files"><summary>The time slices</summary><table class="small"><thead><tr><th>slice</th>'
        '<th>input</th><th class="num">files</th><th class="num">lines</th><th class="num">tokens</th></tr></thead>'
        f"<tbody>{sizes}</tbody></table></details></section>"
    )


def burst_span_svg(first: int, last: int, labels: list[str]) -> str:
    """A burst's timeline: a cell per time slice, the burst's slices filled.

    >>> svg = burst_span_svg(1, 2, ["2013", "2014", "2015", "2016"])
    >>> svg.startswith("<svg") and svg.count('class="on"') == 2 and "2014 to 2015" in svg
    True
    """
    n = len(labels)
    cell = min(_SPAN_CELL, _SPAN_WIDTH / n)
    width, height = cell * n, 12
    on = ' class="on"'
    cells = "".join(f'<rect{on if first <= i <= last else ""} x="{i * cell:.1f}" y="0" '
                    f'width="{max(cell - 1, 0.5):.1f}" height="{height}"/>' for i in range(n))
    when = labels[first] if first == last else f"{labels[first]} to {labels[last]}"
    return (f'<svg class="span" width="{width:.0f}" height="{height}" viewBox="0 0 {width:.1f} {height}" role="img" '
            f'aria-label="{html.escape(when)}"><title>{html.escape(when)}</title>{cells}</svg>')


def _plots_section(f: dict) -> str:
    series = []
    if f["counts"]:
        series.append(("jieba words (words.tsv)", sorted(f["counts"].values(), reverse=True), "#64748b"))
    if f["words"]:
        series.append(("discovered words", sorted((w.count for w in f["words"]), reverse=True), "#0f766e"))
    if f["new"]:
        series.append(("new words", sorted((w.count for w in f["new"]), reverse=True), "#d97706"))
    if not series:
        return ""
    parts = ['<section id="frequency"><h2>Frequencies</h2><div class="plots">',
             f'<figure class="plot">{rank_frequency_svg(series)}<figcaption>Rank against count, both on log scales. '
             "A straight line of slope −1 is Zipf's law (dashed, through the most frequent word).</figcaption></figure>"]
    if f["words"]:
        kinds = Counter(w.kind for w in f["words"])
        top = max(kinds.values())
        bars = "".join(
            f'<div class="bar"><span class="k">{html.escape(k)}</span><span class="track"><span class="fill{" new" if k == "new" else ""}" '
            f'style="width:{100 * kinds[k] / top:.1f}%"></span></span><span class="n">{kinds[k]:,}</span></div>'
            for k in _kind_order(kinds)
        )
        parts.append(f'<figure class="kinds"><div class="bars">{bars}</div><figcaption>Discovered words by kind: '
                     "new words are the ones jieba neither has nor accounts for; the others are what the words "
                     "that were not kept turned out to be.</figcaption></figure>")
    parts.append("</div></section>")
    return "".join(parts)


def rank_frequency_svg(series: list[tuple[str, list[int], str]], width: int = 640, height: int = 380) -> str:
    """An inline SVG plot of count against rank on log-log axes, one line per series.

    Args:
        series: ``(label, counts sorted descending, CSS colour)``.

    >>> svg = rank_frequency_svg([("words", [100, 50, 33, 25, 20], "#000")])
    >>> svg.startswith("<svg") and "<polyline" in svg and ">words<" in svg
    True
    """
    e = html.escape
    left, right, top, bottom = 56, 16, 16, 44
    max_rank = max(len(c) for _, c, _ in series if c) if any(c for _, c, _ in series) else 1
    max_count = max((c[0] for _, c, _ in series if c), default=1)
    xmax = math.log10(max(max_rank, 10))
    ymax = math.log10(max(max_count, 10))
    sx = lambda r: left + (width - left - right) * math.log10(r) / xmax  # noqa: E731
    sy = lambda c: height - bottom - (height - top - bottom) * math.log10(c) / ymax  # noqa: E731
    out = [f'<svg class="rf" viewBox="0 0 {width} {height}" role="img" aria-label="rank-frequency plot, log-log">']
    for power in range(int(xmax) + 1):
        x = sx(10 ** power)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}"/>'
                   f'<text class="tick" x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_power(power)}</text>')
    for power in range(int(ymax) + 1):
        y = sy(10 ** power)
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_power(power)}</text>')
    out.append(f'<text class="axis" x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">rank</text>'
               f'<text class="axis" x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + height - bottom) / 2})">count</text>')
    # Zipf: count = top count / rank, from rank 1 to where it reaches a count of 1.
    last = min(max_count, 10 ** xmax)
    out.append(f'<line class="zipf" x1="{sx(1):.1f}" y1="{sy(max_count):.1f}" x2="{sx(last):.1f}" y2="{sy(max_count / last):.1f}"/>')
    for i, (label, counts, colour) in enumerate(series):
        if not counts:
            continue
        ranks = sorted({min(len(counts), round(10 ** (math.log10(len(counts)) * k / _PLOT_POINTS))) for k in range(_PLOT_POINTS + 1)})
        points = " ".join(f"{sx(r):.1f},{sy(max(counts[r - 1], 1)):.1f}" for r in ranks)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.2" points="{points}"><title>{e(label)}</title></polyline>')
        ly = top + 8 + 20 * i
        out.append(f'<line x1="{width - right - 200}" y1="{ly}" x2="{width - right - 176}" y2="{ly}" stroke="{colour}" stroke-width="3"/>'
                   f'<text class="legend" x="{width - right - 170}" y="{ly + 4}">{e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _power(p: int) -> str:
    return {0: "1", 1: "10", 2: "100", 3: "1k", 4: "10k", 5: "100k", 6: "1M", 7: "10M", 8: "100M"}.get(p, f"1e{p}")


def _clusters_section(f: dict) -> str:
    e = html.escape
    modules = f["modules"]
    if not modules:
        return ""
    new = {w.word for w in f["new"]}
    members: dict[int, list[tuple[str, float]]] = {}
    for node, module, flow in modules:
        members.setdefault(module, []).append((node, flow))
    order = sorted(members, key=lambda m: (-math.fsum(fl for _, fl in members[m]), m))
    summary = f["clusters"]
    head = f'{len(members):,} clusters of {len(modules):,} words'
    if isinstance(summary.get("codelength"), (int, float)) and isinstance(summary.get("relative_codelength_savings"), (int, float)):
        head += (f" (InfoMap: codelength {summary['codelength']:.3g} bits, "
                 f"{100 * summary['relative_codelength_savings']:.0f}% shorter than one level)")
    cards = []
    for module in order[:REPORT_CLUSTERS]:
        nodes = members[module]
        flow = math.fsum(fl for _, fl in nodes)
        central = "".join(f'<span{" class=new" if n in new else ""}>{e(n)}</span>' for n, _ in nodes[:_CARD_WORDS])
        chips = "".join(
            f'<button type="button" class="chip{" new" if n in new else ""}" data-word="{e(n)}" title="flow {fl:.2%}">{e(n)}</button>'
            for n, fl in nodes[:REPORT_CLUSTER_WORDS]
        )
        more = f'<span class="muted">and {len(nodes) - REPORT_CLUSTER_WORDS:,} more</span>' if len(nodes) > REPORT_CLUSTER_WORDS else ""
        n_new = sum(n in new for n, _ in nodes)
        cards.append(
            f'<details class="card"><summary><span class="cid">#{module}</span>'
            f'<span class="meta">{len(nodes):,} words · flow {100 * flow:.1f}%{f" · {n_new} new" if n_new else ""}</span>'
            f'<span class="central">{central}</span></summary><div class="chips">{chips}{more}</div></details>'
        )
    note = (f'<p class="note">The {REPORT_CLUSTERS} clusters of most flow are here; <code>modules.tsv</code> has all '
            f"{len(members):,}.</p>" if len(members) > REPORT_CLUSTERS else "")
    rest = ""
    if len(cards) > _OPEN_CARDS:
        rest = (f'<details class="more"><summary>{len(cards) - _OPEN_CARDS} more clusters</summary>'
                f'<div class="cards">{"".join(cards[_OPEN_CARDS:])}</div></details>')
    return (f'<section id="clusters"><h2>Clusters</h2><p class="lead">{head}. Words that occur in like contexts '
            "share a cluster; a card lists its most central words first (most flow in the word graph). Open a card "
            f"for its words; new words are marked, and clicking a word finds it in the table.</p>{note}"
            f'<div class="cards">{"".join(cards[:_OPEN_CARDS])}</div>{rest}</section>')


def _scores_section(f: dict) -> str:
    e = html.escape
    if not f["evaluations"]:
        return ""
    blocks = []
    names = {"precision": "precision", "recall": "recall", "f1": "F1", "oov_recall": "OOV recall", "iv_recall": "IV recall",
             "oov_rate": "OOV rate"}
    for name, rows in f["evaluations"]:
        values = dict(rows)
        big = "".join(f'<div class="tile"><div class="v">{e(values[k])}</div><div class="l">{names[k]}</div></div>'
                      for k in ("precision", "recall", "f1", "oov_recall", "iv_recall") if k in values)
        table = "".join(f"<tr><td>{e(k)}</td><td class=\"num\">{e(v)}</td></tr>" for k, v in rows)
        blocks.append(f'<h3><code>{e(name)}</code></h3><div class="tiles">{big}</div>'
                      f'<details><summary>All counts</summary><table class="small">{table}</table></details>')
    return ('<section id="scores"><h2>Segmentation scores</h2><p class="lead">SIGHAN bakeoff measures of a '
            f"segmentation against a gold one (<code>wordmine evaluate</code>).</p>{''.join(blocks)}</section>")


def _run_section(f: dict) -> str:
    e = html.escape
    steps = f["steps"]
    if not steps:
        return ""
    rows = []
    for name, record in steps.items():
        if not isinstance(record, dict):
            continue
        info = ", ".join(f"{k} {_number(v)}" for k, v in record.get("info", {}).items())
        params = ", ".join(f"{k} {json.dumps(v, ensure_ascii=False)}" for k, v in record.get("params", {}).items())
        rows.append(f"<tr><td>{e(name)}</td><td class=\"num\">{record.get('seconds', 0):.1f}</td>"
                    f"<td>{e(info)}</td><td class=\"muted\">{e(params)}</td></tr>")
    total = sum(r.get("seconds", 0) for r in steps.values() if isinstance(r, dict))
    return ('<section id="run"><h2>Run</h2>'
            f'<p class="lead">The steps that made these files, as <code>manifest.json</code> records them: {total:.1f} s in all.</p>'
            '<div class="tablewrap"><table class="small"><thead><tr><th>step</th><th class="num">seconds</th><th>result</th>'
            f'<th>parameters</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')


_CSS = """
:root{--bg:#f6f5f1;--ink:#1f2328;--muted:#6b7280;--line:#e4e2dc;--card:#fff;--accent:#0f766e;--accent2:#d97706;
--mark:#fde68a;font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",
"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font-size:15px;line-height:1.55}
.wrap{max-width:1400px;margin:0 auto;padding:0 24px}
header.top{background:#12343b;color:#f3f4f1;padding:28px 0 0;margin-bottom:28px}
header.top h1{margin:2px 0 4px;font-size:30px;font-weight:650;letter-spacing:.01em}
.kicker{margin:0;text-transform:uppercase;letter-spacing:.14em;font-size:12px;color:#9fd3c7}
.sub{margin:0 0 16px;color:#c9d6d3;font-size:14px}.sub code{color:#e6efe9;background:none}
nav{display:flex;gap:4px;flex-wrap:wrap}
nav a{color:#e6efe9;text-decoration:none;padding:8px 14px;border-radius:8px 8px 0 0;font-size:14px}
nav a:hover{background:#1d4a52}
section{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:22px 26px;margin:0 0 24px;
box-shadow:0 1px 2px rgba(0,0,0,.03)}
h2{margin:0 0 6px;font-size:21px}h3{font-size:16px;margin:18px 0 8px}
.lead{margin:0 0 14px;color:#374151;max-width:860px}
.note{margin:0 0 12px;padding:8px 12px;background:#f1f5f4;border-left:3px solid var(--accent);border-radius:4px;font-size:14px}
.muted{color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:#f3f2ee;padding:1px 4px;border-radius:4px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;margin:8px 0 12px}
.tile{background:#fafaf8;border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.tile .v{white-space:nowrap;font-size:21px;font-weight:650;color:#12343b;font-variant-numeric:tabular-nums}
.tile .l{font-size:13px;color:var(--muted)}
details.files summary,details summary{cursor:pointer;color:var(--accent)}
details.files ul{columns:2;font-size:13px;margin:8px 0 0;padding-left:18px}
.controls{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin:4px 0 12px}
.controls label{font-size:14px;color:#374151;display:flex;gap:6px;align-items:center}
.controls input,.controls select{font:inherit;padding:6px 10px;border:1px solid #cfcdc6;border-radius:8px;background:#fff}
#wm-q{width:220px}#wm-min{width:80px}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:7px 9px;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}
th{position:sticky;top:0;background:#fbfaf7;font-size:13px;font-weight:600;white-space:nowrap}
th button{all:unset;cursor:pointer}th button::after{content:" ↕";color:#c0bdb4}
th[aria-sort=ascending] button::after{content:" ↑";color:var(--accent)}
th[aria-sort=descending] button::after{content:" ↓";color:var(--accent)}
th.num,td.num{text-align:right}
td.word{font-size:17px;font-weight:600;white-space:nowrap}
tbody tr:hover{background:#fbfaf6}
.kind{display:inline-block;padding:1px 8px;border-radius:99px;font-size:12px;background:#eef2f1;color:#285e61}
.kind.new{background:#fef3c7;color:#92400e}
td.ctx{font-size:13.5px;color:#4b5563;padding-left:4px;padding-right:4px}
.kw{display:grid;grid-template-columns:10em max-content 10em 8em;justify-content:start;white-space:nowrap;line-height:1.6}
.kw .l{text-align:right;overflow:hidden;direction:rtl}.kw .l span{direction:ltr;unicode-bidi:isolate}
.kw .r{overflow:hidden}
.kw mark{background:var(--mark);color:#111;padding:0 3px;margin:1px 2px;border-radius:3px;line-height:1.4}
.kw .at{color:#9ca3af;font-size:11px;overflow:hidden;text-overflow:ellipsis;padding-left:8px;align-self:center}
@media (max-width:1360px){.kw{grid-template-columns:10em max-content 10em}.kw .at{display:none}}
.pager{display:flex;gap:12px;align-items:center;justify-content:center;margin-top:12px}
.pager button,.chip{font:inherit;border:1px solid #cfcdc6;background:#fff;border-radius:8px;padding:5px 12px;cursor:pointer}
.pager button:disabled{opacity:.4;cursor:default}
.plots{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;align-items:start}
@media (max-width:860px){.plots{grid-template-columns:1fr}}
figure{margin:0}figcaption{font-size:13px;color:var(--muted);margin-top:6px}
svg.rf{width:100%;height:auto;background:#fcfcfa;border:1px solid var(--line);border-radius:10px}
svg .grid{stroke:#ecebe6}svg .tick{font-size:11px;fill:#6b7280}svg .axis{font-size:12px;fill:#374151}
svg .legend{font-size:12px;fill:#374151}svg .zipf{stroke:#9ca3af;stroke-dasharray:5 4;stroke-width:1.2}
.bars{display:grid;gap:7px;margin-top:6px}
.bar{display:grid;grid-template-columns:88px 1fr 64px;gap:8px;align-items:center;font-size:13px}
.bar .track{background:#f0efea;border-radius:6px;height:14px;overflow:hidden}
.bar .fill{display:block;height:100%;background:#5f9ea0}.bar .fill.new{background:var(--accent2)}
.bar .n{text-align:right;font-variant-numeric:tabular-nums;color:#374151}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:12px;background:#fcfcfa;padding:0}
.card summary{list-style:none;padding:12px 14px;display:grid;gap:2px;color:var(--ink)}
.card summary::-webkit-details-marker{display:none}
.card .cid{font-size:12px;color:var(--accent);font-weight:700}
.card .meta{font-size:12.5px;color:var(--muted)}
.card .central{font-size:16px;line-height:1.5;display:flex;flex-wrap:wrap;gap:0 10px}
.card .central .new{color:#b45309}
details.more{margin-top:12px}details.more>summary{margin-bottom:12px}
.card[open]{grid-column:1/-1;background:#fff;box-shadow:0 2px 10px rgba(0,0,0,.06)}
.chips{display:flex;flex-wrap:wrap;gap:6px;padding:0 14px 14px}
.chip{padding:2px 10px;font-size:14px}.chip.new{background:#fef3c7;border-color:#f0c36a}
.chip:hover{border-color:var(--accent)}
table.small{font-size:13.5px}
footer{color:var(--muted);font-size:13px;padding-bottom:40px}
"""

# Sparklines and bursts: in the page only when there are time slices (a page without them is
# byte for byte the page of a wordmine without them).
_TREND_CSS = """
th.spark{font-size:13px;font-weight:600;white-space:nowrap;cursor:help}
td.spark{padding:8px 6px 4px}
svg.spark{display:block;overflow:visible}
svg.spark .area{fill:#d7ebe7}
svg.spark .line{fill:none;stroke:#0f766e;stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}
svg.spark .burst{fill:#fde68a}
svg.spark .peak{fill:#0f766e}
svg.spark .base{stroke:#d6d3cc;stroke-width:1}
table.bursts{width:auto;min-width:min(100%,640px)}table.bursts td{vertical-align:middle;padding-right:22px}
table.bursts td.word{font-size:16px}
table.bursts .chip{font-size:15px;font-weight:600}
svg.span{display:block}
svg.span rect{fill:#ecebe6}svg.span rect.on{fill:var(--accent2)}
"""

# The table: filter, sort, page. Text goes into the page through textContent only.
_SCRIPT = """
(function(){
var D=JSON.parse(document.getElementById('wm-data').textContent);
var table=document.getElementById('wm-table');if(!table)return;
var body=table.tBodies[0],rows=D.rows,kinds=D.kinds,files=D.files,size=D.page;
var q=document.getElementById('wm-q'),kind=document.getElementById('wm-kind'),least=document.getElementById('wm-min');
var status=document.getElementById('wm-status'),pageInfo=document.getElementById('wm-page');
var prev=document.getElementById('wm-prev'),next=document.getElementById('wm-next');
var col=null,dir=-1,page=0,view=[];
function fmt(x,c){if(x===null)return'\\u2013';if(c===1)return x.toLocaleString('en');return (c===2||c===3)&&x>=100?Math.round(x).toLocaleString('en'):String(x);}
function cmp(a,b){var x=a[col],y=b[col];if(x===y)return b[1]-a[1]||(a[0]<b[0]?-1:a[0]>b[0]?1:0);
if(x===null)return 1;if(y===null)return -1;return (x<y?-1:1)*dir;}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined)e.textContent=text;return e;}
function filter(){var s=q.value.trim(),k=kind.value,m=+least.value||0;
view=rows.filter(function(r){return (k==='all'||kinds[r[8]]===k)&&r[1]>=m&&(!s||r[0].indexOf(s)>=0);});
if(col!==null)view.sort(cmp);page=0;render();}
function render(){var n=view.length,pages=Math.max(1,Math.ceil(n/size));page=Math.min(page,pages-1);
var frag=document.createDocumentFragment();
view.slice(page*size,page*size+size).forEach(function(r){var tr=el('tr');
tr.appendChild(el('td','word',r[0]));
for(var c=1;c<=7;c++)tr.appendChild(el('td','num',fmt(r[c],c)));
var td=el('td');td.appendChild(el('span','kind'+(kinds[r[8]]==='new'?' new':''),kinds[r[8]]));tr.appendChild(td);
var cx=el('td','ctx');r[9].forEach(function(x){var d=el('div','kw'),l=el('span','l');l.appendChild(el('span','',x[0]));
d.appendChild(l);d.appendChild(el('mark','',x[1]));d.appendChild(el('span','r',x[2]));d.appendChild(el('span','at',files[x[3]]+':'+x[4]));
d.title=x[0]+x[1]+x[2]+'  ('+files[x[3]]+':'+x[4]+')';cx.appendChild(d);});tr.appendChild(cx);frag.appendChild(tr);});
body.replaceChildren(frag);
status.textContent=n?('showing '+(page*size+1).toLocaleString('en')+'\\u2013'+Math.min(n,page*size+size).toLocaleString('en')+' of '+n.toLocaleString('en')+' words'):'no word matches';
pageInfo.textContent='page '+(page+1)+' of '+pages;prev.disabled=page===0;next.disabled=page>=pages-1;}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){var c=th.getAttribute('data-col');if(c===null)return;
th.querySelector('button').addEventListener('click',function(){c=+c;if(col===c)dir=-dir;else{col=c;dir=c===0||c===8?1:-1;}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h){if(h.hasAttribute('data-col'))h.setAttribute('aria-sort','none');});
th.setAttribute('aria-sort',dir>0?'ascending':'descending');view.sort(cmp);page=0;render();});});
q.addEventListener('input',filter);kind.addEventListener('change',filter);least.addEventListener('input',filter);
prev.addEventListener('click',function(){page--;render();});next.addEventListener('click',function(){page++;render();});
document.addEventListener('click',function(ev){var b=ev.target.closest&&ev.target.closest('.chip');if(!b)return;
q.value=b.getAttribute('data-word');kind.value='all';least.value=1;filter();document.getElementById('words').scrollIntoView();});
filter();
})();
"""


#: Sparkline width and height (CSS pixels) and inner margin: a row's height, a word's width.
_SPARK_WIDTH, _SPARK_HEIGHT, _SPARK_MARGIN = 120, 30, 3

# A new word's sparkline (row fields 9: counts per slice, 10: bursts as [first, last] indices),
# drawn as SVG elements (createElementNS, in the namespace the HTML parser gives an <svg>: the page
# holds no URL), its numbers in a <title> (the tooltip).
_SPARK = """var NS=(function(){var d=document.createElement('div');d.innerHTML='<svg></svg>';return d.firstChild.namespaceURI;})(),
SL=D.slices,ST=D.slice_tokens;
function sv(t,a){var e=document.createElementNS(NS,t);for(var k in a)e.setAttribute(k,a[k]);return e;}
function pm(v){return v>=100?Math.round(v).toLocaleString('en'):String(+v.toPrecision(3));}
function spark(r){var td=el('td','spark'),c=r[10];if(!c)return td;
var n=c.length,W=%(w)d,H=%(h)d,P=%(m)d,f=c.map(function(x,i){return ST[i]?x*1e6/ST[i]:0;}),m=Math.max.apply(null,f),k=(W-2*P)/(n-1);
function X(i){return P+k*i;}function Y(v){return H-P-(m?(H-2*P)*v/m:0);}
var s=sv('svg',{'class':'spark',width:W,height:H,viewBox:'0 0 '+W+' '+H,role:'img'});
r[11].forEach(function(b){var x0=Math.max(0,X(b[0])-k/2),x1=Math.min(W,X(b[1])+k/2);
s.appendChild(sv('rect',{'class':'burst',x:x0.toFixed(1),y:0,width:(x1-x0).toFixed(1),height:H-P}));});
s.appendChild(sv('line',{'class':'base',x1:P,y1:H-P,x2:W-P,y2:H-P}));
var p=f.map(function(v,i){return X(i).toFixed(1)+','+Y(v).toFixed(1);}).join(' ');
s.appendChild(sv('polygon',{'class':'area',points:P+','+(H-P)+' '+p+' '+(W-P)+','+(H-P)}));
s.appendChild(sv('polyline',{'class':'line',points:p}));
if(m)s.appendChild(sv('circle',{'class':'peak',cx:X(f.indexOf(m)).toFixed(1),cy:Y(m).toFixed(1),r:2.4}));
var t=sv('title',{});t.textContent=r[0]+': count in each slice (per million tokens)\\n'+SL.map(function(l,i){
return l+'  '+c[i].toLocaleString('en')+'  ('+pm(f[i])+')';}).join('\\n')+(r[11].length?'\\nburst: '+r[11].map(function(b){
return SL[b[0]]+(b[1]>b[0]?'\\u2013'+SL[b[1]]:'');}).join(', '):'');
s.appendChild(t);s.setAttribute('aria-label',t.textContent);td.appendChild(s);return td;}
""" % {"w": _SPARK_WIDTH, "h": _SPARK_HEIGHT, "m": _SPARK_MARGIN}


def _with_sparklines(script: str) -> str:
    """The table's script that also draws a sparkline cell after each row's word."""
    define, row = "function el(", "tr.appendChild(el('td','word',r[0]));"
    if script.count(define) != 1 or script.count(row) != 1:
        raise AssertionError("the table's script changed: put the sparkline back into it")
    return script.replace(define, _SPARK + define).replace(row, row + "tr.appendChild(spark(r));")


_TREND_SCRIPT = _with_sparklines(_SCRIPT)
