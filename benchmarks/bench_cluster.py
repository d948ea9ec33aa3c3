"""Benchmark wordmine's InfoMap (wordmine.infomap) against the official `infomap` package.

One run measures both tools on the same graphs, each tool in a process of its own:

1. Generated graphs with planted communities (benchmarks/graphs.py): a planted partition
   (stochastic block model, communities of 50) and an LFR-like graph (power-law degrees and
   community sizes), average degree 20, of 1 000, 10 000 and 100 000 nodes, at mixing mu 0.1,
   0.3, 0.5 and 0.6 (mu: the share of each node's links that leave its community). They are
   undirected and unweighted. Reported for each: codelength, modules, NMI to the planted
   partition, seconds of one trial, and peak RSS.
2. The word graph of the news corpus in ../shared (skipped with --skip-words). Words are
   discovered in the first --chars characters (wordmine.discover_words, defaults, jobs 2), the
   slice is segmented with them (segment_corpus, replace mode, as bench_discover does), and
   graph.build_graph links each of the top --vocab words to its nearest words (k 50, cosine
   >= 0.6, directed, weighted by cosine). Both tools cluster it as directed and as undirected.
   The clusters are scored by purity against HIT Cilin (see `purity`), next to a random
   baseline, and the two partitions are compared with NMI. 4 M characters (27 000 words
   discovered, so the top 20 000 are a real cut) keep this part near 30 s (discovery and
   segmentation of the slice take most of it; the graph 6 s).

The table goes to benchmarks/RESULTS.md. Its first line names the wordmine/cluster.py that
ran: the commit, and the file's git blob id when the working tree differs from it. Each child
hashes the file it imported, so edits made during a run show.

How a tool is measured: the graph is written once to a temporary .npz file (int64 ends, float64
weights). The child process (`bench_cluster.py --child TOOL ...`) imports the tool, then loads
the graph into it. For ours that is `Network.from_arrays`, for the official package
`Infomap.add_links` of a numpy array; this is the "load" time. Then it runs one trial, timed
around the search alone (wall and CPU seconds), and writes the modules and codelength to a
result file. Ours is `infomap(graph, trials=1, seed=S)`. The official one is
`Infomap("--two-level --silent --num-trials 1 --seed S")` plus `--directed` on directed graphs,
whose default flow (PageRank, teleportation 0.15 to links, unrecorded) is the one ours
implements. Both start from the same seed S, but their random streams differ, so one trial
each is one sample of each search. Peak RSS is the larger of common.timed's 50 ms /proc sample
and the child's own high-water mark (VmHWM). The child is one process, so the latter is its
exact peak, imports and graph included.

NMI is normalised by the arithmetic mean of the two entropies: NMI = 2 I(X; Y) / (H(X) + H(Y)),
the form of Danon et al. (2005) that the LFR papers use and sklearn's default. Nodes missing from
a partition (isolated ones: none in the generated graphs) count as singletons.

    python benchmarks/bench_cluster.py [--sizes 1000,10000,100000] [--mixing 0.1,0.3,0.5,0.6]
        [--kinds planted,lfr] [--skip-words] [--chars 4000000] [--vocab 20000] [--quick] [--no-write]

--quick: sizes 1000,10000 and a 1 M-character word graph (about a minute). The default full
run took 3.6 minutes here (2 CPUs).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CILIN = HERE.parent.parent / "shared" / "benchmarks" / "cilin" / "cilin_ex.utf8"
TOOLS = ("ours", "official")
#: Targets of issue 5.
MAX_CODELENGTH_EXCESS = 0.001  # ours at most 0.1% above the official codelength
MAX_NMI_DEFICIT = 0.01
MAX_TIME_RATIO = 2.0  # at 100 000 nodes
MAX_RSS = 1 << 30
TIME_TARGET_NODES = 100_000
#: Shuffles behind the random purity baseline: the spread of the mean is ~0.001 at 20 shuffles.
BASELINE_SHUFFLES = 20


# --------------------------------------------------------------------------- child process


def child(tool: str, graph_path: str, out_path: str, seed: int, directed: bool) -> None:
    """Load the graph into ``tool``, run one trial, write ``out_path`` (.npz)."""
    if tool == "ours":
        from wordmine.cluster import Network, infomap
    else:
        import infomap
    start = time.perf_counter()
    with np.load(graph_path) as data:
        n, src, dst, w = int(data["n"]), data["source"], data["target"], data["weight"]
    if tool == "ours":
        graph = Network.from_arrays(list(range(n)), src, dst, w, directed)
        loaded = time.perf_counter()
        cpu = time.process_time()
        result = infomap(graph, trials=1, seed=seed)
        cpu, searched = time.process_time() - cpu, time.perf_counter()
        modules, length, count = result.modules, result.codelength, result.num_modules
        code = _git_blob(Path(sys.modules[infomap.__module__].__file__))
    else:
        im = infomap.Infomap(f"--two-level --silent --num-trials 1 --seed {seed}" + (" --directed" if directed else ""))
        im.add_links(np.column_stack([src, dst, w]))
        loaded = time.perf_counter()
        cpu = time.process_time()
        result = im.run()
        cpu, searched = time.process_time() - cpu, time.perf_counter()
        if result is None:  # infomap < 2.15: the results live on the Infomap object
            result, found = im, im.get_modules()
        else:
            found = result.modules()
        length, count = result.codelength, result.num_top_modules
        modules = np.full(n, -1, dtype=np.int64)
        modules[np.fromiter(found.keys(), np.int64, len(found))] = np.fromiter(found.values(), np.int64, len(found))
        code = f"infomap {infomap.__version__}"
    np.savez(
        out_path, modules=modules, codelength=length, num_modules=count, load_seconds=loaded - start,
        search_seconds=searched - loaded, cpu_seconds=cpu, code=code,
        maxrss=_high_water_mark(),
    )


def _git_blob(path: Path) -> str:
    """The short git blob id of a file's content: which version of the code ran, committed or not."""
    import hashlib

    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()[:7]


def _high_water_mark() -> int:
    """Peak resident bytes of this process (VmHWM), or 0 where /proc is absent.

    Not getrusage's ru_maxrss: Linux carries it over from the parent through fork and exec,
    so a child of a 300 MB parent reports 300 MB. VmHWM belongs to the address space that exec
    made new.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return 0


# --------------------------------------------------------------------------- measures


def _labels(partition: np.ndarray) -> np.ndarray:
    """Partition as 0..k-1 labels; -1 (a node the tool left out) becomes a singleton of its own."""
    partition = np.asarray(partition, dtype=np.int64).copy()
    missing = partition < 0
    partition[missing] = partition.max(initial=0) + 1 + np.arange(int(missing.sum()))
    return np.unique(partition, return_inverse=True)[1]


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def nmi(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised mutual information 2 I(a; b) / (H(a) + H(b)) of two partitions of the same nodes.

    >>> nmi(np.array([0, 0, 1, 1]), np.array([5, 5, 7, 7])), nmi(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    (1.0, 0.0)
    """
    a, b = _labels(a), _labels(b)
    joint = np.unique(a * (int(b.max()) + 1) + b, return_counts=True)[1]
    ha, hb, hab = _entropy(np.bincount(a)), _entropy(np.bincount(b)), _entropy(joint)
    if ha + hb == 0:
        return 1.0  # both one module
    return float(2 * (ha + hb - hab) / (ha + hb))


def read_cilin(path: Path) -> dict[str, set[str]]:
    """Word -> its Cilin codes (polysemous words have several); lines are ``CODE WORD WORD ...``."""
    codes: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()  # some lines separate words by U+3000, which split() handles
            for word in fields[1:]:
                codes.setdefault(word, set()).add(fields[0])
    return codes


def purity(words: list[str], modules: np.ndarray, cilin: dict[str, set[str]], level: int) -> tuple[float, int, int]:
    """Purity of clusters against Cilin classes at ``level`` (2: ``Aa``, 3: ``Aa01``).

    Only words in Cilin count, and only clusters holding at least two of them. A cluster's
    majority class is the class shared by most of its Cilin words. A polysemous word counts for
    each of its classes, so it agrees with the majority if any of its codes is in that class.
    Purity is the share of these words that agree, over all such clusters: the average of
    per-cluster purities weighted by their Cilin words. Returns ``(purity, words, clusters)``.

    >>> cilin = {"猫": {"Bi01A01="}, "狗": {"Bi01B01="}, "车": {"Bo21A01="}, "马": {"Bi01C01=", "Bo21B01="}}
    >>> purity(["猫", "狗", "车", "马"], np.array([0, 0, 0, 0]), cilin, 2)  # majority Bi: 猫 狗 马
    (0.75, 4, 1)
    """
    prefix = {2: 2, 3: 4}[level]
    members: dict[int, list[set[str]]] = {}
    for word, module in zip(words, modules.tolist()):
        if word in cilin:
            members.setdefault(module, []).append({code[:prefix] for code in cilin[word]})
    agree = total = clusters = 0
    for classes in members.values():
        if len(classes) < 2:
            continue
        tally: dict[str, int] = {}
        for word_classes in classes:
            for c in word_classes:
                tally[c] = tally.get(c, 0) + 1
        agree += max(tally.values())
        total += len(classes)
        clusters += 1
    return (agree / total if total else float("nan")), total, clusters


# --------------------------------------------------------------------------- running the tools


def infomap_version() -> str | None:
    try:
        import infomap
    except ImportError:
        return None
    return getattr(infomap, "__version__", "?")


def run_tool(tool: str, graph_path: Path, seed: int, directed: bool, work: Path) -> dict:
    from common import timed

    out = work / f"result_{tool}.npz"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", tool, str(graph_path), str(out), str(seed)]
    run = timed(cmd + (["--directed"] if directed else []))
    if run.returncode != 0:
        sys.exit(f"{tool} InfoMap failed (exit {run.returncode}) on {graph_path.name}:\n{run.stderr}")
    with np.load(out) as r:
        result = {key: r[key] for key in r.files}
    for key in ("codelength", "load_seconds", "search_seconds", "cpu_seconds"):
        result[key] = float(result[key])
    result["num_modules"] = int(result["num_modules"])
    result["code"] = str(result["code"])
    result["peak_rss"] = max(run.peak_rss, int(result["maxrss"]))
    result["wall"] = run.seconds
    return result


def save_graph(path: Path, n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray | None = None) -> Path:
    weight = np.ones(len(src)) if weight is None else weight
    np.savez(path, n=n, source=src.astype(np.int64), target=dst.astype(np.int64), weight=weight.astype(np.float64))
    return path


def graph_seed(kind: str, n: int, mu: float) -> int:
    """The generator's seed of one graph: fixed by its parameters, the same in every run."""
    return zlib.crc32(f"{kind} {n} {mu:g}".encode())


def synthetic(args, work: Path) -> list[dict]:
    import graphs

    rows = []
    for kind in args.kinds:
        for n in args.sizes:
            for mu in args.mixing:
                started = time.perf_counter()
                src, dst, planted = graphs.GENERATORS[kind](n, mu, seed=graph_seed(kind, n, mu))
                made = time.perf_counter() - started
                path = save_graph(work / "graph.npz", n, src, dst)
                row = {"kind": kind, "n": n, "mu": mu, "edges": len(src), "real_mu": graphs.mixing(src, dst, planted),
                       "degree": 2 * len(src) / n, "communities": len(np.unique(planted)), "generate_seconds": made}
                for tool in TOOLS:
                    result = run_tool(tool, path, args.seed, False, work)
                    result["nmi"] = nmi(result.pop("modules"), planted)
                    row[tool] = result
                rows.append(row)
                o, f = row["ours"], row["official"]
                print(f"{kind} n={n} mu={mu:g}: L {o['codelength']:.5f} / {f['codelength']:.5f}, modules "
                      f"{o['num_modules']} / {f['num_modules']}, NMI {o['nmi']:.3f} / {f['nmi']:.3f}, "
                      f"search {o['search_seconds']:.2f} s / {f['search_seconds']:.2f} s (ours / official)", file=sys.stderr)
    return rows


def word_graph(args, work: Path) -> dict:
    """Discover, segment, build the word graph; cluster it with both tools; score against Cilin."""
    import wordmine
    from wordmine import graph as wgraph

    from common import NEWS, news

    if not NEWS.exists() or not CILIN.exists():
        missing = NEWS if not NEWS.exists() else CILIN
        reason = f"{missing} is absent (the benchmark data lives in ../shared)"
        print(f"word graph skipped: {reason}", file=sys.stderr)
        return {"skipped": reason}
    corpus = news(args.cache, chars=args.chars)
    stages = {}
    started = time.perf_counter()
    words = wordmine.discover_words([str(corpus)], jobs=2)
    stages["discover"] = time.perf_counter() - started
    vocabulary = [(w.word, w.count) for w in words]
    segmented = work / "segmented.txt"
    started = time.perf_counter()
    wordmine.segment_corpus([str(corpus)], str(segmented), vocabulary=vocabulary[:args.segment_top], mode="replace", jobs=2)
    stages["segment"] = time.perf_counter() - started
    started = time.perf_counter()
    g = wgraph.build_graph([str(segmented)], vocabulary[:args.vocab], k=wgraph.DEFAULT_K, min_cosine=wgraph.DEFAULT_MIN_COSINE)
    stages["graph"] = time.perf_counter() - started
    segmented.unlink()
    # Nodes are the words with a link; the others (no vector, or no neighbour at cosine 0.6)
    # would be singleton modules of zero flow that only one of the tools lists.
    used = np.unique(np.concatenate([g.sources, g.targets]))
    index = np.full(len(g.words), -1, dtype=np.int64)
    index[used] = np.arange(len(used))
    nodes = [g.words[i] for i in used]
    src, dst, w = index[g.sources], index[g.targets], g.weights.astype(np.float64)
    path = save_graph(work / "words.npz", len(nodes), src, dst, w)
    undirected_edges = len(np.unique(np.minimum(src, dst) * len(nodes) + np.maximum(src, dst)))
    cilin = read_cilin(CILIN)
    rng = np.random.default_rng(args.seed)
    result = {"chars": args.chars, "discovered": len(words), "vocab": min(args.vocab, len(words)), "nodes": len(nodes),
              "edges": len(src), "undirected_edges": undirected_edges, "stages": stages,
              "in_cilin": sum(word in cilin for word in nodes), "runs": {}}
    for directed in (True, False):
        runs = {tool: run_tool(tool, path, args.seed, directed, work) for tool in TOOLS}
        for r in runs.values():
            modules = _labels(r["modules"])
            r["modules"] = modules
            for level in (2, 3):
                r[f"purity{level}"] = purity(nodes, modules, cilin, level)
                shuffled = [purity(nodes, rng.permutation(modules), cilin, level)[0] for _ in range(BASELINE_SHUFFLES)]
                r[f"random{level}"] = (float(np.mean(shuffled)), float(np.std(shuffled)))
            r["nontrivial"] = int((np.bincount(modules) >= 2).sum())
        runs["agreement"] = nmi(runs["ours"]["modules"], runs["official"]["modules"])
        result["runs"]["directed" if directed else "undirected"] = runs
        o, f = runs["ours"], runs["official"]
        print(f"word graph ({'directed' if directed else 'undirected'}): L {o['codelength']:.5f} / {f['codelength']:.5f}, "
              f"modules {o['num_modules']} / {f['num_modules']}, search {o['search_seconds']:.1f} s / "
              f"{f['search_seconds']:.1f} s, NMI between them {runs['agreement']:.3f}", file=sys.stderr)
    return result


# --------------------------------------------------------------------------- report


def _infomap_state(rows: list[dict], words: dict | None) -> str:
    """Which wordmine/cluster.py ran: its last commit, and the file versions (blobs) ours used."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False)
        return run.stdout.strip()

    commits = git("log", "-30", "--format=%h", "--", "wordmine/cluster.py").split()
    commit = commits[0] if commits else "?"
    # The file's version in each recent commit, to name a blob by its commit where one has it.
    known = {git("rev-parse", "--short=7", f"{c}:wordmine/cluster.py"): c for c in reversed(commits)}
    runs = [r["ours"] for r in rows]
    if words and "runs" in words:
        runs += [flow["ours"] for flow in words["runs"].values()]
    used = list(dict.fromkeys(r["code"] for r in runs))
    if len(used) == 1 and used[0] in known:
        return f"commit {known[used[0]]}"
    named = ", ".join(f"{blob} ({'commit ' + known[blob] if blob in known else 'uncommitted'}; "
                      f"{sum(r['code'] == blob for r in runs)} runs)" for blob in used)
    return f"last commit {commit}; the runs of ours used file blob{'s' if len(used) > 1 else ''} {named}"


def _signed(x: float, digits: int) -> str:
    """``x`` with its sign, and no sign on a value that rounds to zero."""
    text = f"{x:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def _pct(ours: float, official: float) -> str:
    return _signed(100 * (ours - official) / official, 3) + "%"


def report(args, rows: list[dict], words: dict | None, state: str, seconds: float, version: str) -> str:
    from common import machine

    cmd = (f"python benchmarks/bench_cluster.py --sizes {','.join(map(str, args.sizes))} "
           f"--mixing {','.join(f'{m:g}' for m in args.mixing)} --kinds {','.join(args.kinds)}"
           + (" --skip-words" if args.skip_words else f" --chars {args.chars} --vocab {args.vocab}"))
    lines = [
        "## bench_cluster: InfoMap, ours against the official package",
        "",
        (f"`{cmd}`; {machine()}, infomap {version}; wordmine/cluster.py at {state}; "
         f"the whole run took {seconds / 60:.1f} min."),
    ]
    if rows:
        lines += [
            "",
            ("Generated graphs (benchmarks/graphs.py; undirected, unweighted, average degree ~20): `planted` = "
             "stochastic block model with communities of 50, `lfr` = LFR-like (degrees power law 2 in [~10, 50], "
             "community sizes power law 1 in [20, 100]); mu = share of a node's links leaving its community "
             "(asked / reached). One trial each, the same seed "
             f"({args.seed}). NMI to the planted partition, normalised by the arithmetic mean of the entropies. "
             "search s = the trial itself (flow + search), CPU s its CPU time, load s = graph file into the tool; "
             "peak RSS of the whole child process."),
            "",
            "| graph | nodes | edges | mu | tool | codelength | modules | NMI | search s | CPU s | load s | peak RSS MiB |",
            "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        several = len({row["ours"]["code"] for row in rows}) > 1
        for row in rows:
            for tool in TOOLS:
                r = row[tool]
                name = f"{tool} ({r['code']})" if several and tool == "ours" else tool
                lines.append(
                    f"| {row['kind']} | {row['n']} | {row['edges']} | {row['mu']:g} / {row['real_mu']:.3f} | {name} | "
                    f"{r['codelength']:.5f} | {r['num_modules']} | {r['nmi']:.4f} | {r['search_seconds']:.2f} | "
                    f"{r['cpu_seconds']:.2f} | {r['load_seconds']:.2f} | {r['peak_rss'] / (1 << 20):.0f} |")
        lines += [
            "",
            ("Ours against the official, per graph: codelength difference (negative: ours is shorter), "
             "time ratio (search wall seconds; CPU seconds), NMI difference:"),
            "",
            "| graph | nodes | mu | codelength | time ratio | CPU ratio | NMI ours − official |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            o, f = row["ours"], row["official"]
            lines.append(
                f"| {row['kind']} | {row['n']} | {row['mu']:g} | {_pct(o['codelength'], f['codelength'])} | "
                f"{o['search_seconds'] / f['search_seconds']:.2f} | {o['cpu_seconds'] / max(f['cpu_seconds'], 1e-9):.2f} | "
                f"{_signed(o['nmi'] - f['nmi'], 4)} |")
        slowest = max(rows, key=lambda r: r["generate_seconds"])
        lines += ["", (f"Generating a graph took at most {slowest['generate_seconds']:.1f} s ({slowest['kind']}, "
                       f"{slowest['n']} nodes, mu {slowest['mu']:g}).")]
    if words and "skipped" in words:
        lines += ["", f"Word graph: skipped, {words['skipped']}."]
    elif words:
        lines += _word_lines(args, words)
    lines += ["", "Targets (issue 5):", ""] + _targets(rows, words)
    return "\n".join(lines)


def _word_lines(args, words: dict) -> list[str]:
    s = words["stages"]
    lines = [
        "",
        (f"Word graph: the first {words['chars'] / 1e6:g} M characters of news_xwlb; {words['discovered']} words discovered "
         f"(defaults, jobs 2: {s['discover']:.0f} s), the slice segmented with them ({s['segment']:.0f} s), vectors and "
         f"graph of the top {words['vocab']} (k 50, cosine >= 0.6: {s['graph']:.0f} s). {words['nodes']} words have a "
         f"link: the nodes; {words['edges']} directed links ({words['undirected_edges']} undirected: a link both ways is "
         f"one link of summed weight); {words['in_cilin']} of the nodes are in HIT Cilin."),
        "",
        ("Purity against Cilin: over clusters holding >= 2 Cilin words, the share of those words whose class is "
         "the cluster's majority class (level 2 = `Aa`, 95 classes; level 3 = `Aa01`, 1 425 classes). A "
         "polysemous word counts for each of its classes and agrees if any of them is the majority. Random: "
         f"the same cluster sizes with the words shuffled (mean ± sd of {BASELINE_SHUFFLES}). Covered: Cilin words "
         "in such clusters / clusters counted."),
        "",
        ("| flow | tool | codelength | modules (>= 2 words) | search s | CPU s | load s | peak RSS MiB | purity L2 | random L2 | "
         "purity L3 | random L3 | covered |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for flow, runs in words["runs"].items():
        for tool in TOOLS:
            r = runs[tool]
            p2, p3 = r["purity2"], r["purity3"]
            lines.append(
                f"| {flow} | {tool} | {r['codelength']:.5f} | {r['num_modules']} ({r['nontrivial']}) | "
                f"{r['search_seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['load_seconds']:.2f} | {r['peak_rss'] / (1 << 20):.0f} | "
                f"{p2[0]:.3f} | {r['random2'][0]:.3f} ± {r['random2'][1]:.3f} | {p3[0]:.3f} | "
                f"{r['random3'][0]:.3f} ± {r['random3'][1]:.3f} | {p2[1]} / {p2[2]} |")
    lines.append("")
    lines.append("Ours against the official on the word graph: " + "; ".join(
        f"{flow}: codelength {_pct(runs['ours']['codelength'], runs['official']['codelength'])}, time ratio "
        f"{runs['ours']['search_seconds'] / runs['official']['search_seconds']:.2f}, NMI between the partitions "
        f"{runs['agreement']:.3f}" for flow, runs in words["runs"].items()) + ".")
    return lines


def _targets(rows: list[dict], words: dict | None) -> list[str]:
    def verdict(ok: bool) -> str:
        return "**pass**" if ok else "**FAIL**"

    out = []
    pairs = [(r["ours"], r["official"]) for r in rows]
    if words and "runs" in words:
        pairs += [(runs["ours"], runs["official"]) for runs in words["runs"].values()]
    if pairs:
        excess = [(o["codelength"] - f["codelength"]) / f["codelength"] for o, f in pairs]
        bad = sum(e > MAX_CODELENGTH_EXCESS for e in excess)
        out.append(f"- codelength within 0.1% of the official or shorter: {verdict(bad == 0)} ({len(pairs) - bad} of "
                   f"{len(pairs)} graphs, word graphs included; ours − official at most {_signed(100 * max(excess), 3)}%)")
    if rows:
        deficit = [r["official"]["nmi"] - r["ours"]["nmi"] for r in rows]
        bad = sum(d > MAX_NMI_DEFICIT for d in deficit)
        out.append(f"- NMI >= official − 0.01: {verdict(bad == 0)} ({len(rows) - bad} of {len(rows)} graphs; "
                   f"ours − official at least {_signed(-max(deficit), 4)})")
        big = [r for r in rows if r["n"] >= TIME_TARGET_NODES]
        if big:
            ratios = [r["ours"]["search_seconds"] / r["official"]["search_seconds"] for r in big]
            cpu = [r["ours"]["cpu_seconds"] / r["official"]["cpu_seconds"] for r in big]
            secs = [r["official"]["search_seconds"] for r in big]
            over = [f"{r['kind']} mu {r['mu']:g}" for r, x in zip(big, ratios) if x > MAX_TIME_RATIO]
            out.append(f"- seconds per trial <= 2x the official at {TIME_TARGET_NODES} nodes: "
                       f"{verdict(not over)} (ratios {min(ratios):.3f}–{max(ratios):.3f}, CPU "
                       f"{min(cpu):.3f}–{max(cpu):.3f}; official {min(secs):.1f}–{max(secs):.1f} s per trial"
                       + (f"; over 2x: {', '.join(over)})" if over else ")"))
        else:
            out.append(f"- seconds per trial <= 2x the official at {TIME_TARGET_NODES} nodes: not measured (no graph "
                       "of that size in this run)")
    rss = [r["ours"]["peak_rss"] for r in rows]
    if words and "runs" in words:
        rss += [runs["ours"]["peak_rss"] for runs in words["runs"].values()]
    if rss:
        out.append(f"- peak RSS <= 1 GB (ours): {verdict(max(rss) <= MAX_RSS)} (largest {max(rss) / (1 << 20):.0f} MiB)")
    return out


# --------------------------------------------------------------------------- main


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tool, graph_path, out_path, seed = sys.argv[2:6]
        child(tool, graph_path, out_path, int(seed), "--directed" in sys.argv[6:])
        return
    from common import bench_parser, publish

    parser = bench_parser(__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="nodes of the generated graphs")
    parser.add_argument("--mixing", default="0.1,0.3,0.5,0.6", help="mixing parameters mu")
    parser.add_argument("--kinds", default="planted,lfr", help="generators: planted, lfr")
    parser.add_argument("--seed", type=int, default=123, help="InfoMap's seed, for both tools")
    parser.add_argument("--skip-words", action="store_true", help="no word graph")
    parser.add_argument("--chars", type=int, default=4_000_000, help="characters of news for the word graph")
    parser.add_argument("--vocab", type=int, default=20_000, help="top discovered words: the word graph's nodes")
    parser.add_argument("--segment-top", type=int, default=50_000, help="top discovered words segmenting the slice")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000 and a 1 M-character word graph")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.chars = "1000,10000", 1_000_000
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.mixing = [float(m) for m in args.mixing.split(",") if m]
    args.kinds = [k for k in args.kinds.split(",") if k]
    import graphs

    unknown = set(args.kinds) - set(graphs.GENERATORS)
    if unknown:
        parser.error(f"unknown --kinds {', '.join(sorted(unknown))}; choose from {', '.join(graphs.GENERATORS)}")
    version = infomap_version()
    if version is None:
        print("skipped: the official `infomap` package is not installed (pip install -e '.[bench]')")
        sys.exit(0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        work = Path(tmp)
        rows = synthetic(args, work)
        words = None if args.skip_words else word_graph(args, work)
    seconds = time.perf_counter() - started
    state = _infomap_state(rows, words)
    text = report(args, rows, words, state, seconds, version)
    publish("bench_cluster", text, not args.no_write)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))  # graphs.py and common.py, when run from elsewhere
    main()
