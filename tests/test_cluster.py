"""Two-level InfoMap: codelengths checked by a plain computation, planted modules recovered."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from wordmine.cluster import Network, infomap, read_graph
from wordmine.errors import FormatError


def plain_flows(n, edges, directed, alpha=0.15):
    """Node and link flows in plain Python (the module docstring's definition)."""
    if not directed:
        strength = [0.0] * n
        for a, b, w in edges:
            strength[a] += w
            if a != b:
                strength[b] += w
        total = sum(strength)
        links = {}
        for a, b, w in edges:
            links[(a, b)] = links.get((a, b), 0.0) + w / total
            if a != b:
                links[(b, a)] = links.get((b, a), 0.0) + w / total
        return [s / total for s in strength], links
    out = [0.0] * n
    for a, b, w in edges:
        out[a] += w
    tele = [o / sum(out) for o in out]
    p = [1.0 / n] * n
    for _ in range(300):
        dangling = sum(p[i] for i in range(n) if out[i] == 0)
        new = [(alpha + (1 - alpha) * dangling) * tele[i] for i in range(n)]
        for a, b, w in edges:
            new[b] += (1 - alpha) * w / out[a] * p[a]
        s = sum(new)
        p = [x / s for x in new]
    links = {}
    for a, b, w in edges:
        links[(a, b)] = links.get((a, b), 0.0) + w / out[a] * p[a]
    s = sum(links.values())
    links = {k: v / s for k, v in links.items()}
    node = [0.0] * n
    for (a, b), v in links.items():
        node[b] += v
    return node, links


def plain_codelength(p, links, modules):
    def plogp(x):
        return x * math.log2(x) if x > 0 else 0.0

    ids = set(modules)
    exit_ = {i: 0.0 for i in ids}
    enter = {i: 0.0 for i in ids}
    flow = {i: 0.0 for i in ids}
    for (a, b), v in links.items():
        if modules[a] != modules[b]:
            exit_[modules[a]] += v
            enter[modules[b]] += v
    for a, x in enumerate(p):
        flow[modules[a]] += x
    return (
        plogp(sum(enter.values())) - sum(plogp(e) for e in enter.values()) - sum(plogp(q) for q in exit_.values())
        - sum(plogp(x) for x in p) + sum(plogp(exit_[i] + flow[i]) for i in ids)
    )


def random_graph(n, m, seed, directed):
    rng = random.Random(seed)
    edges = [(rng.randrange(n), rng.randrange(n), rng.choice([1.0, 2.0, 0.5])) for _ in range(m)]
    return edges


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_reported_codelength_equals_a_plain_computation(directed, seed):
    edges = random_graph(40, 120, seed, directed)
    graph = Network.from_edges([(str(a), str(b), w) for a, b, w in edges], directed=directed)
    result = infomap(graph, seed=seed)
    index = {label: i for i, label in enumerate(graph.labels)}
    relabelled = [(index[str(a)], index[str(b)], w) for a, b, w in edges]
    p, links = plain_flows(graph.n, relabelled, directed)
    assert np.allclose(result.flow, p, atol=1e-12)
    assert result.codelength == pytest.approx(plain_codelength(p, links, result.modules.tolist()), abs=1e-9)
    assert result.one_level_codelength == pytest.approx(-sum(x * math.log2(x) for x in p if x > 0), abs=1e-9)
    assert result.codelength <= result.one_level_codelength + 1e-12


def test_two_triangles_joined_by_one_link():
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")]
    result = infomap(edges)
    assert result.modules_of("abcdef") == [0, 0, 0, 1, 1, 1]
    # By hand: 6 nodes, node flows 2/14 or 3/14, one link between the modules (exit 1/14 each).
    p = [2 / 14, 2 / 14, 3 / 14, 3 / 14, 2 / 14, 2 / 14]
    q = 1 / 14
    expected = (2 * q) * 1.0 + 2 * (-(q * math.log2(q)) - sum(x * math.log2(x) for x in p[:3]) + (q + 0.5) * math.log2(q + 0.5))
    assert result.codelength == pytest.approx(expected, abs=1e-12)


def planted(n, k, mu, degree, seed):
    rng = np.random.default_rng(seed)
    comm = np.arange(n) % k
    members = [np.flatnonzero(comm == c) for c in range(k)]
    edges = []
    for _ in range(n * degree // 2):
        a = int(rng.integers(n))
        b = int(members[comm[a]][rng.integers(len(members[comm[a]]))]) if rng.random() >= mu else int(rng.integers(n))
        if a != b:
            edges.append((a, b))
    return comm, edges


@pytest.mark.parametrize("directed", [False, True])
def test_planted_modules_are_recovered_at_low_mixing(directed):
    comm, edges = planted(400, 8, 0.1, 16, seed=3)
    result = infomap(Network.from_edges(edges, directed=directed), seed=5)
    found = result.modules_of(range(400))
    # the same partition up to the names of the modules
    pairs = set(zip(comm.tolist(), found))
    assert len(pairs) == 8 and len({a for a, _ in pairs}) == 8 and len({b for _, b in pairs}) == 8


def test_seeds_reproduce_and_trials_keep_the_best():
    _, edges = planted(300, 6, 0.45, 12, seed=1)
    g = Network.from_edges(edges)
    a, b = infomap(g, seed=7), infomap(g, seed=7)
    assert a.modules.tolist() == b.modules.tolist() and a.codelength == b.codelength
    best = infomap(g, seed=7, trials=4)
    assert best.codelength <= min(infomap(g, seed=7 + t).codelength for t in range(4)) + 1e-12


def test_chinese_labels_round_trip(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("# 词图\n新词\t发现\t0.9\n发现\t挖掘\t0.8\n挖掘\t新词\n语料 统计\n", encoding="utf-8")
    g = read_graph(str(path))
    assert sorted(g.labels) == ["发现", "挖掘", "新词", "统计", "语料"]
    result = infomap(g)
    assert result.modules_of(["新词", "发现"])[0] == result.modules_of(["挖掘"])[0]


@pytest.mark.parametrize(
    "content, message",
    [
        ("a\tb\tc\n", "weight 'c' is not a number"),
        ("a\n", "expected 'source<TAB>target"),
        ("# only\n", "no links"),
        ("a\tb\t0.5\nb\tc\t-1\n", r"bad\.tsv:2: weight '-1' must be a finite number >= 0"),
        ("a\tb\tnan\n", r"bad\.tsv:1: weight 'nan' must be a finite number >= 0"),
        ("a b -inf\n", r"bad\.tsv:1: weight '-inf' must be a finite number >= 0"),
        ("a\tb\tinf\n", r"bad\.tsv:1: weight 'inf' must be a finite number >= 0"),
        ("a\tb\t0\nb\tc\t0\n", r"bad\.tsv: no links \(its 2 links of weight 0 carry no flow\)"),
    ],
)
def test_bad_graph_files(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_graph(str(path))


def test_agrees_with_the_reference_package_when_installed():
    im = pytest.importorskip("infomap")
    _, edges = planted(500, 10, 0.3, 14, seed=2)
    for directed in (False, True):
        ref = im.Infomap(two_level=True, silent=True, directed=directed, seed=3)
        for a, b in edges:
            ref.add_link(a, b)
        ref_result = ref.run()
        ours = infomap(Network.from_edges(edges, directed=directed), seed=3)
        reference_length = ref_result.codelength if ref_result is not None and hasattr(ref_result, "codelength") else ref.codelength
        assert ours.codelength <= reference_length * 1.001


def test_karate_club_gives_the_published_codelength():
    # Zachary's karate club, generated by networkx (not stored here); unweighted. The
    # reference's documented result: 3 modules, codelength 4.311793 bits.
    nx = pytest.importorskip("networkx")
    edges = [(str(a), str(b)) for a, b in nx.karate_club_graph().edges()]
    result = infomap(edges, seed=1)
    assert result.num_modules == 3
    assert round(result.codelength, 6) == 4.311793
    assert result.modules_of(["0", "1", "2", "3"]) == [result.modules_of(["0"])[0]] * 4
    assert result.modules_of(["32"]) != result.modules_of(["0"])


def _brute_force_best_move(p, links, modules):
    """The largest decrease of L by moving one node to another module or a new one."""
    base = plain_codelength(p, links, modules)
    best = 0.0
    for a in range(len(modules)):
        for target in set(modules) | {max(modules) + 1}:
            if target != modules[a]:
                moved = list(modules)
                moved[a] = target
                best = max(best, base - plain_codelength(p, links, moved))
    return best


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_core_loop_ends_where_no_single_move_helps(directed, batched, monkeypatch):
    # The batched rounds and the screened one-node passes (used from 1 000 nodes up) must end
    # in the same kind of state as the plain loop: no single move lowers L.
    import sys

    module = sys.modules["wordmine.cluster"]
    monkeypatch.setattr(module, "SEQUENTIAL_NODES", 0 if batched else 10**9)
    edges = random_graph(30, 90, 11, directed)
    graph = Network.from_edges(edges, directed=directed)
    p, src, dst, f = module.flows(graph)
    keep = src != dst
    level = module._Level(graph.n, p, src[keep], dst[keep], f[keep], not directed)
    found = module._core(level, np.arange(graph.n), random.Random(3), np.random.default_rng(3))
    index = {label: i for i, label in enumerate(graph.labels)}
    p_plain, links = plain_flows(graph.n, [(index[a], index[b], w) for a, b, w in edges], directed)
    assert _brute_force_best_move(p_plain, links, found.tolist()) < 1e-9


def test_planted_modules_are_recovered_by_the_batched_search():
    comm, edges = planted(3000, 60, 0.1, 20, seed=4)
    result = infomap(Network.from_edges(edges), seed=2)
    pairs = set(zip(comm.tolist(), result.modules_of(range(3000))))
    assert len(pairs) == 60 and len({b for _, b in pairs}) == 60


def test_a_word_table_is_not_read_as_a_graph(tmp_path):
    path = tmp_path / "words.tsv"
    path.write_text("word\tcount\n星澜\t35\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"words.tsv:1: this is a word-count table"):
        read_graph(str(path))


# ---------------------------------------------------------------- weights, empty graphs, options


def test_links_of_weight_0_carry_no_flow_and_are_left_out(tmp_path):
    # Before: flow and codelength NaN with rc 0. A link of weight 0 is no link, and a label
    # that only such links name is no node.
    with_zero = infomap([("甲", "乙", 0), ("乙", "丙", 1.0), ("丙", "丁", 2.0), ("丁", "乙", 0.0)])
    without = infomap([("乙", "丙", 1.0), ("丙", "丁", 2.0)])
    assert with_zero.labels == without.labels == ["乙", "丙", "丁"]
    assert np.isfinite(with_zero.flow).all() and math.isfinite(with_zero.codelength)
    assert with_zero.flow.tolist() == without.flow.tolist() and with_zero.codelength == without.codelength
    path = tmp_path / "g.tsv"
    path.write_text("甲\t乙\t0\n乙\t丙\t1\n丙\t丁\t2\n", encoding="utf-8")
    assert read_graph(str(path)).labels == ["乙", "丙", "丁"]


@pytest.mark.parametrize("directed", [False, True])
def test_a_graph_whose_links_all_weigh_0_has_no_links(tmp_path, directed):
    with pytest.raises(ValueError, match="the graph has no links; nothing to cluster"):
        infomap([("a", "b", 0), ("b", "c", 0)], directed=directed)
    path = tmp_path / "zero.tsv"
    path.write_text("a\tb\t0\nb\tc\t0\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"zero\.tsv: no links \(its 2 links of weight 0 carry no flow\)"):
        read_graph(str(path), directed=directed)
    # The pipeline's path: an empty network, which it handles itself.
    empty = read_graph(str(path), directed=directed, allow_empty=True)
    assert empty.n == 0 and len(empty.source) == 0


@pytest.mark.parametrize("graph", [[], Network([], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))])
def test_infomap_of_an_empty_graph_is_a_clear_error(graph):
    # Before: "zero-size array to reduction operation maximum which has no identity".
    with pytest.raises(ValueError, match="the graph has no links; nothing to cluster"):
        infomap(graph)


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf"), -float("inf")])
def test_weights_that_are_not_finite_numbers_at_least_0_are_refused(weight):
    # Before: a negative weight gave a made-up codelength (-1494 bits), NaN gave NaN.
    with pytest.raises(ValueError, match=r"link 2 \('b', 'c'\): weight .* is not a finite number >= 0"):
        Network.from_edges([("a", "b", 1.0), ("b", "c", weight)])
    with pytest.raises(ValueError, match="is not a finite number >= 0"):
        Network.from_arrays(["a", "b"], [0], [1], [weight])
    # A Network built field by field is checked by infomap itself.
    direct = Network(["a", "b", "c"], np.array([0, 1]), np.array([1, 2]), np.array([1.0, weight]))
    with pytest.raises(ValueError, match="is not a finite number >= 0"):
        infomap(direct)


def test_weights_that_add_up_past_a_float_are_refused(tmp_path):
    with pytest.raises(ValueError, match="add up to more than a float holds"):
        Network.from_edges([("a", "b", 1e308), ("b", "a", 1e308)])
    path = tmp_path / "big.tsv"
    path.write_text("a\tb\t1e308\nb\ta\t1e308\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"big\.tsv: link weights add up to more than a float holds"):
        read_graph(str(path))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"trials": 0}, "trials must be an integer >= 1, not 0"),
        ({"trials": -2}, "trials must be an integer >= 1, not -2"),
        ({"trials": 1.5}, "trials must be an integer >= 1, not 1.5"),
        ({"trials": True}, "trials must be an integer >= 1, not True"),
        ({"seed": -1}, "seed must be an integer >= 0, not -1"),
        ({"seed": 2.5}, "seed must be an integer >= 0, not 2.5"),
        ({"seed": "7"}, "seed must be an integer >= 0, not '7'"),
    ],
)
def test_trials_and_seed_are_checked(options, message):
    # Before: trials=0 was a TypeError from deep inside; seed -1 silently ran as seed 1.
    with pytest.raises(ValueError, match=message):
        infomap([("a", "b")], **options)


def test_numpy_integers_are_fine_options():
    result = infomap([("a", "b"), ("b", "c")], trials=np.int64(2), seed=np.uint32(5))
    assert result.num_modules == 1


def test_from_arrays_adds_up_links_and_keeps_every_label():
    g = Network.from_arrays(["a", "b", "c", "d"], [1, 0, 2, 0], [0, 1, 3, 2], [1.0, 2.0, 0.5, 0.0])
    assert (g.source.tolist(), g.target.tolist(), g.weight.tolist()) == ([0, 2], [1, 3], [3.0, 0.5])
    assert g.n == 4
    directed = Network.from_arrays(["a", "b"], [1, 0], [0, 1], [1.0, 2.0], directed=True)
    assert (directed.source.tolist(), directed.target.tolist(), directed.weight.tolist()) == ([0, 1], [1, 0], [2.0, 1.0])
    with pytest.raises(ValueError, match="outside the 2 labels"):
        Network.from_arrays(["a", "b"], [0], [2], [1.0])
    with pytest.raises(ValueError, match="1 sources, 2 targets and 1 weights"):
        Network.from_arrays(["a", "b"], [0], [1, 0], [1.0])


def test_graph_is_the_old_name_of_network():
    import wordmine
    from wordmine.cluster import Graph

    assert Graph is Network and wordmine.Graph is wordmine.Network is Network


@pytest.mark.parametrize("directed", [False, True])
def test_repeated_links_are_added_up_chunk_by_chunk(tmp_path, monkeypatch, directed):
    # read_graph sums each chunk of links and merges the sums (memory follows the distinct
    # links, not the lines): small chunks and merges give the network of one big chunk.
    import functools
    import sys

    from wordmine.formats import read_graph_links

    rng = random.Random(4)
    words = [f"词{i}" for i in range(12)]
    links = [(rng.choice(words), rng.choice(words), rng.choice([0.0, 0.5, 1.0, 3.0])) for _ in range(500)]
    path = tmp_path / "g.tsv"
    path.write_text("".join(f"{a}\t{b}\t{w}\n" for a, b, w in links), encoding="utf-8")
    whole = Network.from_edges(links, directed=directed)
    module = sys.modules["wordmine.cluster"]
    monkeypatch.setattr(module, "read_graph_links", functools.partial(read_graph_links, chunk_links=7))
    monkeypatch.setattr(module, "_MERGE_FLOOR", 5)
    chunked = read_graph(str(path), directed=directed)
    assert chunked.labels == whole.labels
    assert chunked.source.tolist() == whole.source.tolist() and chunked.target.tolist() == whole.target.tolist()
    np.testing.assert_allclose(chunked.weight, whole.weight, rtol=1e-12)
    # By hand: each distinct (oriented) link once, with its weights added up.
    expected = {}
    index = {label: i for i, label in enumerate(whole.labels)}
    for a, b, w in links:
        if w:
            key = (index[a], index[b]) if directed else tuple(sorted((index[a], index[b])))
            expected[key] = expected.get(key, 0.0) + w
    got = dict(zip(zip(chunked.source.tolist(), chunked.target.tolist()), chunked.weight.tolist()))
    assert got.keys() == expected.keys() and all(got[k] == pytest.approx(v) for k, v in expected.items())


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_read_graph_reads_compressed_files(tmp_path, suffix):
    import bz2
    import gzip
    import lzma

    text = "# source\ttarget\tweight\n新词\t发现\t0.5\n发现\t挖掘\t1\n".encode("utf-8")
    opener = {"": open, ".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    path = tmp_path / f"g.tsv{suffix}"
    with opener(path, "wb") as f:
        f.write(text)
    g = read_graph(str(path))
    assert g.labels == ["新词", "发现", "挖掘"] and g.weight.tolist() == [0.5, 1.0]
