"""Clusters by InfoMap (`wordmine cluster`): the two-level map equation (Rosvall & Bergstrom 2008).

Flow (as the reference implementation, mapequation/infomap, computes it):

* undirected: a link of weight w carries w / S in each direction, S the sum of the node
  strengths (a self-link counts once); a node's flow is its strength / S;
* directed: PageRank with teleportation probability 0.15 to links (a walker teleports to the
  source of a link chosen by weight), iterated to convergence; teleportation is *unrecorded*:
  after the iteration, link flows are the flows along links only (p_a * w_ab / w_a^out, one last
  step without teleportation, normalised), and a node's flow is the flow it receives by links.

Map equation (bits), with p_a the node flows, and for each module i its flow p_i, its exit flow
q_i and its enter flow e_i (equal to q_i on undirected graphs):

    L = plogp(sum e_i) - sum plogp(e_i) - sum plogp(q_i) - sum plogp(p_a) + sum plogp(q_i + p_i)

Search (as the reference does it): the core loop moves single nodes, in random order, to the
neighbouring module (or a new one) that lowers L most, until a pass moves nothing (at most 10
passes, the reference's core-loop limit); modules are then aggregated into super-nodes and the
core loop repeats on them, until nothing merges. Then fine-tuning (the leaf nodes re-moved with
the modules kept) and coarse-tuning (each module's own sub-modules moved as units) alternate
while a round lowers L by more than 1e-5 of it (the reference's relative tune threshold).
``trials`` runs keep the best; trial t uses the random seed ``seed + t``.

How it is fast without compiled code: one node's move changes the module statistics the next
move reads, so the reference's loop is sequential, and a Python loop over 100 000 nodes with 20
links each costs seconds a pass. Here numpy does the bulk and Python the end:

1. Batched rounds (:func:`_batched`, levels of 1 000 nodes or more): the best move of *every*
   node is computed at once (:func:`_proposals`: (node, neighbouring module) pairs by one
   sort of nearly sorted keys, the change of L of each pair in closed form, the best per node by
   segment minima). The moves are taken best first, but a module that receives nodes loses
   none and one that loses nodes receives none in the round (so no two nodes swap modules),
   and a round is kept only if it lowers L, computed exactly. A few rounds do most of the
   moves.
2. Screened single moves (:func:`_sequential`): the reference's loop, in random order, over
   the nodes that the screen finds a helpful move for; the next pass screens the moved nodes
   and their neighbours, and the last screen is of all nodes. Nodes without a helpful move
   would not move in the reference's loop either, so the end state is the same kind: no single
   move lowers L.

Codelengths match the reference's to 1e-5 or better (``benchmarks/bench_cluster.py``).

>>> g = Network.from_edges([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
>>> r = infomap(g, seed=1)
>>> r.modules_of(["a", "b", "c", "d", "e", "f"])
[0, 0, 0, 1, 1, 1]
>>> round(r.codelength, 6), round(r.one_level_codelength, 6)  # the reference prints the same
(2.32073, 2.556657)
"""

from __future__ import annotations

import math
import numbers
import random
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import defaults
from .errors import FormatError
from .formats import link_chunks, read_graph_links
from .keys import find, group_starts

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_TRIALS",
    "Graph",
    "InfomapResult",
    "Network",
    "check_options",
    "codelength",
    "flows",
    "infomap",
    "read_graph",
]

#: Trials and seed of :func:`infomap`: one trial; the reference implementation's seed.
DEFAULT_TRIALS = defaults.TRIALS
DEFAULT_SEED = defaults.CLUSTER_SEED
#: Teleportation probability of directed flow (the reference's default).
TELEPORTATION = 0.15
#: A move must lower L by more than this (the reference's minimum improvement).
MIN_IMPROVEMENT = 1e-10
#: Passes of the core loop at most (the reference's --core-loop-limit), and batched rounds at
#: most before them.
MAX_PASSES = 10
MAX_BATCH_ROUNDS = 10
#: Tuning rounds go on while a round lowers L by more than this share of the first L (the
#: reference's --tune-iteration-relative-threshold), at most MAX_TUNE_ROUNDS.
TUNE_RELATIVE_THRESHOLD = 1e-5
MAX_TUNE_ROUNDS = 10
#: A link's key is ``source << 32 | target`` while links are added up: node ids below 2**31
#: keep it a positive int64 (two billion labels would not fit in memory anyway).
_ID_BITS = 32
#: Links added up per chunk are merged into the running total once they outnumber it, and
#: not below 2**20 links (16 MB of keys and weights): each link is re-sorted O(log chunks)
#: times, and memory follows the distinct links.
_MERGE_FLOOR = 1 << 20


def _sums(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Weights summed by index into n floats (np.bincount, which gives ints when empty)."""
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


def _sum_by_key(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys and the float weights of each added up (in input order: a stable
    sort, so the sums are those of ``np.bincount``)."""
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.float64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = group_starts(keys)
    with np.errstate(over="ignore"):  # sums past a float's range are inf, which callers refuse
        return keys[starts], np.add.reduceat(np.asarray(weights, dtype=np.float64)[order], starts)


def plogp(x):
    """x log2 x, with 0 log 0 = 0 (numbers or arrays).

    >>> plogp(0.5), plogp(0.0)
    (-0.5, 0.0)
    """
    if isinstance(x, np.ndarray):
        return _plogp(x)
    return x * math.log2(x) if x > 0 else 0.0


@dataclass
class Network:
    """The weighted network that :func:`infomap` partitions: nodes with labels, links between them.

    The constructors add up links with the same ends (in either direction when the network is
    undirected) and leave out links of weight 0, which carry no flow: ``source`` and ``target``
    are int64 indices into ``labels``, sorted by (source, target), with ``source <= target``
    when undirected; ``weight`` is float64, each > 0. (A :class:`wordmine.graph.WordGraph`
    is the word graph that ``wordmine graph`` computes; ``Network.from_edges(word_graph)``
    makes it one of these.)
    """

    labels: list
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    directed: bool = False

    @classmethod
    def from_edges(cls, edges: Iterable[Sequence], directed: bool = False) -> Network:
        """From ``(source, target)`` or ``(source, target, weight)`` items (any hashable labels).

        Raises:
            ValueError: a weight that is not a finite number >= 0.

        >>> Network.from_edges([("甲", "乙", 2.0), ("乙", "甲"), ("乙", "丙", 0)]).weight.tolist()
        [3.0]
        """
        return cls._from_chunks(link_chunks(_checked_edges(edges)), directed)

    @classmethod
    def from_arrays(cls, labels: Sequence, source, target, weight, directed: bool = False) -> Network:
        """From parallel arrays of links: node indices into ``labels`` and weights. Every label
        is a node, linked or not (a node without links has no flow).

        Raises:
            ValueError: arrays of different lengths, an index outside ``labels``, or a weight
                that is not a finite number >= 0.

        >>> g = Network.from_arrays(["甲", "乙"], [1, 0], [0, 1], [0.5, 0.25])
        >>> g.source.tolist(), g.target.tolist(), g.weight.tolist()
        ([0], [1], [0.75])
        """
        source, target = np.asarray(source, dtype=np.int64), np.asarray(target, dtype=np.int64)
        weight = np.asarray(weight, dtype=np.float64)
        if not len(source) == len(target) == len(weight):
            raise ValueError(f"{len(source)} sources, {len(target)} targets and {len(weight)} weights")
        if len(source) and (min(source.min(), target.min()) < 0 or max(source.max(), target.max()) >= len(labels)):
            raise ValueError(f"a node index is outside the {len(labels)} labels")
        _check_weights(weight)
        keep = weight > 0
        return cls._from_chunks(iter([(list(labels), source[keep], target[keep], weight[keep])]), directed)

    @classmethod
    def _from_chunks(cls, chunks: Iterator[tuple], directed: bool, path: str | None = None) -> Network:
        """From ``(new labels, source, target, weight)`` chunks (as :func:`read_graph_links`
        yields them), adding up repeated links as they come."""
        labels: list = []
        totals = _LinkTotals(directed)
        for new, source, target, weight in chunks:
            labels.extend(new)
            if len(labels) >= 1 << (_ID_BITS - 1):
                raise ValueError(f"more than {1 << (_ID_BITS - 1)} nodes")
            totals.add(source, target, weight)
        source, target, weight = totals.links()
        if not np.isfinite(weight).all():
            where = f"{path}: " if path is not None else ""
            message = f"{where}link weights add up to more than a float holds; scale them down"
            raise FormatError(message) if path is not None else ValueError(message)
        return cls(labels, source, target, weight, directed)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.labels)


#: The old name of :class:`Network` (until wordmine 0.2).
Graph = Network


def _check_weights(weight: np.ndarray) -> None:
    if len(weight) and not (np.isfinite(weight).all() and weight.min() >= 0):
        bad = weight[~(np.isfinite(weight) & (weight >= 0))][0]
        raise ValueError(f"link weight {float(bad)!r} is not a finite number >= 0")


def _checked_edges(edges: Iterable[Sequence]) -> Iterator[tuple]:
    """The links given to :meth:`Network.from_edges`, weights checked, weight-0 links left out."""
    for number, edge in enumerate(edges, 1):
        w = float(edge[2]) if len(edge) > 2 else 1.0
        if not 0.0 <= w < math.inf:
            raise ValueError(f"link {number} ({edge[0]!r}, {edge[1]!r}): weight {edge[2]!r} is not a finite number >= 0")
        if w:  # a weight-0 link carries no flow
            yield edge[0], edge[1], w


class _LinkTotals:
    """Links added up by their ends as chunks of them come: each chunk is summed on its own,
    and the sums are merged into the total once they outnumber it (see _MERGE_FLOOR)."""

    def __init__(self, directed: bool):
        self.directed = directed
        self.keys = np.zeros(0, dtype=np.int64)
        self.weights = np.zeros(0, dtype=np.float64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_size = 0

    def add(self, source: np.ndarray, target: np.ndarray, weight: np.ndarray) -> None:
        if not self.directed:  # one orientation per undirected link
            source, target = np.minimum(source, target), np.maximum(source, target)
        keys, weights = _sum_by_key((source << _ID_BITS) | target, weight)
        self.pending.append((keys, weights))
        self.pending_size += len(keys)
        if self.pending_size > max(len(self.keys), _MERGE_FLOOR):
            self._merge()

    def _merge(self) -> None:
        if len(self.pending) == 1 and len(self.keys) == 0:  # one chunk: already summed
            (self.keys, self.weights), self.pending, self.pending_size = self.pending[0], [], 0
        elif self.pending:
            self.keys, self.weights = _sum_by_key(
                np.concatenate([self.keys] + [k for k, _ in self.pending]),
                np.concatenate([self.weights] + [w for _, w in self.pending]),
            )
            self.pending, self.pending_size = [], 0

    def links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(source, target, weight)`` of the distinct links, sorted by source, then target."""
        self._merge()
        return self.keys >> _ID_BITS, self.keys & ((1 << _ID_BITS) - 1), self.weights


def read_graph(path: str, directed: bool = False, *, allow_empty: bool = False) -> Network:
    """Read a graph file (``wordmine graph``'s, or the reference's link list) into a :class:`Network`.

    :func:`wordmine.formats.read_graph_links` parses the file: ``source<TAB>target[<TAB>weight]``
    lines, or ``source target [weight]`` separated by spaces; ``#`` comments. Repeated links
    are added up chunk by chunk as the file is read, so memory follows the distinct links,
    not the lines; links of weight 0 carry no flow and are left out.

    Args:
        path: the file, or ``-`` for standard input (gzip, bzip2 and xz are read too).
        directed: read the links as directed (else ``a b`` and ``b a`` are one link).
        allow_empty: a file without links gives a network without nodes (else an error).

    Raises:
        FormatError: naming the file and line of a malformed link or weight, or a wordmine
            table of another kind (a word table would otherwise read as links word -> count);
            a file without links (unless ``allow_empty``).
        InputError: the file is missing or not valid UTF-8.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "graph.tsv")
    >>> _ = p.write_text("# source\\ttarget\\tweight\\n新词\\t发现\\t0.5\\n发现\\t新词\\t0.25\\n", encoding="utf-8")
    >>> g = read_graph(str(p))
    >>> g.labels, g.weight.tolist()
    (['新词', '发现'], [0.75])
    """
    return Network._from_chunks(read_graph_links(path, allow_empty=allow_empty), directed, path)


def flows(graph: Network, teleportation: float = TELEPORTATION) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node flows and directed link flows ``(p, source, target, flow)`` (see the module doc).

    Undirected links come back in both directions.

    >>> p, s, t, f = flows(Network.from_edges([("a", "b"), ("b", "c")]))
    >>> p.tolist(), f.tolist()
    ([0.25, 0.5, 0.25], [0.25, 0.25, 0.25, 0.25])
    """
    n, src, dst, w = graph.n, graph.source, graph.target, graph.weight
    if not graph.directed:
        loop = src == dst
        strength = _sums(src, w, n) + _sums(dst[~loop], w[~loop], n)
        total = strength.sum()
        s = np.concatenate([src, dst[~loop]])
        t = np.concatenate([dst, src[~loop]])
        f = np.concatenate([w, w[~loop]]) / total
        return strength / total, s, t, f
    out_w = _sums(src, w, n)
    dangling = out_w == 0
    teleport = out_w / out_w.sum()  # to links: to the source of a link chosen by weight
    step = w / out_w[src]
    beta = 1.0 - teleportation
    p = np.full(n, 1.0 / n)
    for iteration in range(200):
        dangling_rank = p[dangling].sum()
        new = (teleportation + beta * dangling_rank) * teleport + beta * _sums(dst, step * p[src], n)
        new /= new.sum()
        error = np.abs(new - p).sum()
        p = new
        if error < 1e-15 and iteration >= 50:
            break
    # Unrecorded teleportation: one last step along links only.
    link_flow = step * p[src]
    link_flow /= link_flow.sum()
    node_flow = _sums(dst, link_flow, n)
    return node_flow, src, dst, link_flow


def codelength(p: np.ndarray, source: np.ndarray, target: np.ndarray, flow: np.ndarray, modules: np.ndarray) -> tuple[float, float, float]:
    """``(L, index codelength, module codelength)`` of a two-level partition, in bits.

    >>> p, s, t, f = flows(Network.from_edges([("a", "b")]))
    >>> codelength(p, s, t, f, np.array([0, 0]))
    (1.0, 0.0, 1.0)
    """
    m = int(modules.max()) + 1 if len(modules) else 0
    cross = modules[source] != modules[target]
    exit_ = _sums(modules[source[cross]], flow[cross], m)
    enter = _sums(modules[target[cross]], flow[cross], m)
    mflow = _sums(modules, p, m)
    index = plogp(enter.sum()) - plogp(enter).sum()
    module = -plogp(exit_).sum() - plogp(p).sum() + plogp(exit_ + mflow).sum()
    return float(index + module), float(index), float(module)


@dataclass
class InfomapResult:
    """Modules (one per node, numbered from 0 by decreasing flow), flows and codelengths."""

    labels: list[str]
    modules: np.ndarray
    flow: np.ndarray
    codelength: float
    index_codelength: float
    module_codelength: float
    one_level_codelength: float

    @property
    def num_modules(self) -> int:
        return int(self.modules.max()) + 1 if len(self.modules) else 0

    def modules_of(self, labels: Iterable[str]) -> list[int]:
        where = {label: i for i, label in enumerate(self.labels)}
        return [int(self.modules[where[label]]) for label in labels]


def check_options(*, trials: int = DEFAULT_TRIALS, seed: int = DEFAULT_SEED) -> None:
    """Check the options of :func:`infomap` (the pipeline checks its steps' options with this
    before the first step runs).

    Raises:
        ValueError: ``trials`` is not an integer >= 1, or ``seed`` not an integer >= 0 (as the
            reference's ``--seed``; Python's ``random`` would take -1 for 1).

    >>> check_options(trials=0)
    Traceback (most recent call last):
    ...
    ValueError: trials must be an integer >= 1, not 0
    """
    if isinstance(trials, bool) or not isinstance(trials, numbers.Integral) or trials < 1:
        raise ValueError(f"trials must be an integer >= 1, not {trials!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, not {seed!r}")


def infomap(
    graph: Network | Iterable[Sequence],
    *,
    directed: bool = False,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
) -> InfomapResult:
    """Find the two-level partition of ``graph`` with the shortest codelength found in ``trials``.

    Args:
        graph: a :class:`Network`, or ``(source, target[, weight])`` items.
        directed: for items only: read them as directed links.
        trials: independent runs; the best is kept.
        seed: trial t uses the random seed ``seed + t``.

    Raises:
        ValueError: a graph without links (or only links of weight 0), a weight that is not a
            finite number >= 0, ``trials`` below 1 or a ``seed`` below 0 (see
            :func:`check_options`).

    >>> infomap([("新词", "发现", 0)])
    Traceback (most recent call last):
    ...
    ValueError: the graph has no links; nothing to cluster
    """
    check_options(trials=trials, seed=seed)
    trials, seed = int(trials), int(seed)  # numpy integers too: random.Random takes ints
    if not isinstance(graph, Network):
        graph = Network.from_edges(graph, directed=directed)
    graph = _with_flow(graph)
    p, src, dst, f = flows(graph)
    one_level = float(-plogp(p).sum())
    best = None
    for trial in range(trials):
        modules = _Search(graph.n, p, src, dst, f, not graph.directed, random.Random(seed + trial)).run()
        length = codelength(p, src, dst, f, modules)
        if best is None or length[0] < best[1][0] - MIN_IMPROVEMENT:
            best = (modules, length)
    modules, (total, index, module) = best
    if total > one_level:  # as the reference: one module when no partition codes shorter
        modules = np.zeros(graph.n, dtype=np.int64)
        total, index, module = codelength(p, src, dst, f, modules)
    return InfomapResult(graph.labels, _renumber(modules, p), p, total, index, module, one_level)


def _with_flow(graph: Network) -> Network:
    """``graph`` without links of weight 0 (a Network built directly may have them), or a
    ValueError if no link is left or a weight is not a finite number >= 0."""
    weight = np.asarray(graph.weight, dtype=np.float64)
    _check_weights(weight)
    linked = weight > 0
    if not linked.any():
        raise ValueError("the graph has no links; nothing to cluster")
    with np.errstate(over="ignore"):
        total = weight.sum()
    if not np.isfinite(total):
        raise ValueError("link weights add up to more than a float holds; scale them down")
    if not linked.all():
        graph = Network(graph.labels, graph.source[linked], graph.target[linked], weight[linked], graph.directed)
    return graph


def _renumber(modules: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Modules numbered 0, 1, ... by decreasing flow (ties by smallest member)."""
    m = int(modules.max()) + 1
    mflow = _sums(modules, p, m)
    first = np.full(m, len(modules))
    np.minimum.at(first, modules, np.arange(len(modules)))
    used = np.flatnonzero(np.bincount(modules, minlength=m))
    order = sorted(used.tolist(), key=lambda i: (-mflow[i], first[i]))
    new = np.zeros(m, dtype=np.int64)
    new[order] = np.arange(len(order))
    return new[modules]


class _Search:
    """The greedy search on one graph (node flows and directed link flows)."""

    def __init__(self, n, p, src, dst, f, symmetric: bool, rng: random.Random):
        self.n, self.p, self.src, self.dst, self.f = n, p, src, dst, f
        self.symmetric, self.rng = symmetric, rng
        self.np_rng = np.random.default_rng(rng.getrandbits(64))
        self.leaf_level = _Level(n, p, src[src != dst], dst[src != dst], f[src != dst], symmetric)

    def run(self) -> np.ndarray:
        modules = self._two_level(np.arange(self.n))
        length = first = codelength(self.p, self.src, self.dst, self.f, modules)[0]
        for round_ in range(MAX_TUNE_ROUNDS):
            # Fine-tuning: leaf nodes move again, starting from the modules found.
            tuned = self._two_level(modules)
            # Coarse-tuning: each module's sub-modules move as units.
            tuned = self._coarse_tune(tuned)
            new_length = codelength(self.p, self.src, self.dst, self.f, tuned)[0]
            if new_length < length - MIN_IMPROVEMENT:
                modules, length, gain = tuned, new_length, length - new_length
                if gain > TUNE_RELATIVE_THRESHOLD * first:
                    continue
            break
        return modules

    def _two_level(self, start: np.ndarray) -> np.ndarray:
        """Core loop on the leaf nodes from ``start``, then aggregation until nothing merges."""
        return self._hierarchy(self.leaf_level, np.arange(self.n), start)

    def _coarse_tune(self, modules: np.ndarray) -> np.ndarray:
        # Sub-modules of all modules at once: the search on the links inside modules only, so
        # no sub-module crosses a module (the modules are independent but for the index
        # codebook term, which couples them weakly).
        leaf = self.leaf_level
        inside = modules[leaf.src] == modules[leaf.dst]
        level = _Level(self.n, self.p, leaf.src[inside], leaf.dst[inside], leaf.f[inside], self.symmetric)
        sub = self._hierarchy(level, np.arange(self.n), np.arange(self.n))
        # Move the sub-modules (as super-nodes) starting from their modules.
        start = np.zeros(int(sub.max()) + 1, dtype=np.int64)
        start[sub] = modules
        return self._hierarchy(leaf, sub, start)

    def _hierarchy(self, leaf_level: "_Level", units: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Move ``units`` (each leaf node's unit) between modules, starting from ``start`` (the
        module of each unit), then aggregate modules and repeat; returns each leaf's module."""
        leaf = units  # leaf -> current super-node
        assign = _compact(start)  # super-node -> module
        identity = len(units) == leaf_level.n and bool(np.all(units == np.arange(len(units))))
        while True:
            k = int(leaf.max()) + 1
            if identity:
                level, identity = leaf_level, False
            else:
                level = leaf_level.aggregate(leaf, k)
            moved = _core(level, assign, self.rng, self.np_rng)
            modules = moved[leaf]
            before, after = int(assign.max()) + 1, int(moved.max()) + 1
            if after >= k or after == before and np.array_equal(moved, assign):
                return modules
            leaf = modules
            assign = np.arange(after)


def _compact(modules: np.ndarray) -> np.ndarray:
    """Module ids renumbered 0, 1, ... keeping their order."""
    return np.unique(modules, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _plogp(x: np.ndarray, inplace: bool = False) -> np.ndarray:
    """x log2 x of an array, 0 where x is 0; ``inplace`` reuses x (a temporary) for the result.

    A flow that rounding left at -1e-18 gives about 1e-15, far below MIN_IMPROVEMENT.
    """
    x = np.asarray(x, dtype=np.float64)
    logs = np.log2(np.maximum(x, 1e-300))
    return np.multiply(x, logs, out=x if inplace else logs)


# --- the core loop -----------------------------------------------------------------------------

#: Below this many nodes the core loop is plain Python from the start: numpy's cost per call
#: outweighs its speed on small graphs.
SEQUENTIAL_NODES = 1000
#: The batched phase stops when fewer than this share of the nodes has a move that helps; the
#: rest is done one node at a time, as the reference does it.
BATCH_MIN_SHARE = 0.01


class _Level:
    """One level of the search: nodes with flows, the flows of the links between different
    nodes (sorted by source), and each node's neighbours with the flow both ways between them
    (out plus in, the only thing a move's change of L depends on), in CSR order."""

    def __init__(self, n: int, p: np.ndarray, src: np.ndarray, dst: np.ndarray, f: np.ndarray, symmetric: bool):
        self.n, self.p, self.symmetric = n, p, symmetric
        # By node, then neighbour: the pair keys of singletons come sorted (see _proposals).
        order = np.argsort(src * n + dst)
        self.src, self.dst, self.f = src[order], dst[order], f[order]
        self.node_exit = _sums(src, f, n)
        self.node_enter = _sums(dst, f, n)
        if symmetric:  # each link is there both ways with the same flow
            self.nbr_src, self.nbr_dst, self.nbr_w = self.src, self.dst, 2.0 * self.f
        else:
            key, self.nbr_w = _sum_by_key(np.concatenate([src * n + dst, dst * n + src]), np.concatenate([f, f]))
            self.nbr_src, self.nbr_dst = key // n, key % n
        self.nbr_ptr = np.searchsorted(self.nbr_src, np.arange(n + 1))

    def aggregate(self, leaf: np.ndarray, k: int) -> "_Level":
        """The level whose nodes are the groups ``leaf`` (node -> group) of this one's."""
        s, t = leaf[self.src], leaf[self.dst]
        cross = s != t
        key, f = _sum_by_key(s[cross] * k + t[cross], self.f[cross])
        return _Level(k, _sums(leaf, self.p, k), key // k, key % k, f, self.symmetric)


def _module_stats(level: _Level, module: np.ndarray):
    """Flow, exit flow, enter flow and members of each module id < n."""
    n = level.n
    ms, md = module[level.src], module[level.dst]
    cross = level.f * (ms != md)
    mexit = _sums(ms, cross, n)
    menter = mexit if level.symmetric else _sums(md, cross, n)
    return _sums(module, level.p, n), mexit, menter, np.bincount(module, minlength=n)


def _stats_length(stats) -> float:
    """L of the modules with these :func:`_module_stats`, but for the constant - sum plogp(p_a)."""
    mflow, mexit, menter, _ = stats
    return float(plogp(menter.sum()) - _plogp(menter).sum() - _plogp(mexit).sum() + _plogp(mexit + mflow).sum())


def _ranges(ptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Positions ptr[a] .. ptr[a + 1] - 1 of every node a of ``nodes``, concatenated."""
    lengths = ptr[nodes + 1] - ptr[nodes]
    ends = np.cumsum(lengths)
    return np.repeat(ptr[nodes] - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)


def _proposals(level: _Level, module: np.ndarray, stats=None, nodes: np.ndarray | None = None):
    """For every node (or every node of the sorted array ``nodes``), the move that lowers L
    most given the current modules, as if each node moved alone: ``(nodes, targets, deltas)``
    of the nodes that have one; target -1 is a new module of its own. Module ids must be < n;
    ``stats`` are the modules' :func:`_module_stats` if known."""
    n, p, ea, na = level.n, level.p, level.node_exit, level.node_enter
    mflow, mexit, menter, members = _module_stats(level, module) if stats is None else stats
    sum_enter = menter.sum()
    term = -_plogp(menter) - _plogp(mexit) + _plogp(mexit + mflow)  # each module's part of L
    src, dst, w = level.nbr_src, level.nbr_dst, level.nbr_w
    if nodes is not None:
        where = _ranges(level.nbr_ptr, nodes)
        src, dst, w = src[where], dst[where], w[where]
    # (node, neighbouring module) pairs with the flows between them. The lists are sorted by
    # node, so a stable sort of the keys only reorders within a node's run: src stays as is.
    if nodes is None and np.array_equal(module, np.arange(n)):
        # Every node alone: the pairs are the neighbour lists themselves (sorted, no repeats).
        both, node, cand = w, src, dst
    elif len(src):
        keys = src * n
        keys += module[dst]
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = group_starts(keys)
        both = np.add.reduceat(w[order], first)
        node = src[first]
        cand = keys[first]
        cand -= node * n
    else:
        both = np.zeros(0)
        node = cand = np.zeros(0, dtype=np.int64)
    # Per-node values over the nodes in question (``local`` numbers them from 0).
    if nodes is None:
        local, mo, p_w, ea_w, na_w = node, module, p, ea, na
    else:
        local, mo, p_w, ea_w, na_w = find(nodes, node)[0], module[nodes], p[nodes], ea[nodes], na[nodes]
    at_old = cand == mo[local]
    to_old = np.zeros(len(mo))
    to_old[local[at_old]] = both[at_old]
    old_exit = mexit[mo] - ea_w + to_old
    old_enter = menter[mo] - na_w + to_old
    d_old = -_plogp(old_enter) - _plogp(old_exit) + _plogp(old_exit + mflow[mo] - p_w) - term[mo]
    base = d_old - plogp(sum_enter)
    enter_rest = sum_enter - menter[mo] + old_enter  # total enter flow once a has left
    # Moves to a neighbouring module: with ``both`` the flow between a and module c, c's exit
    # flow becomes exit[c] + exit[a] - both, its enter flow enter[c] + enter[a] - both, and
    # the total enter flow enter_rest[a] + enter[a] - both.
    pair_term = term[cand]
    pair_term[at_old] = -np.inf  # not a move
    pair_term -= base[local]
    exit_sum = mexit + mflow  # gathered once: exit + flow of c, plus a's
    sums = exit_sum[cand]
    sums += (ea_w + p_w)[local]
    sums -= both
    delta = _plogp(sums, inplace=True)
    delta -= pair_term
    total = (enter_rest + na_w)[local]
    total -= both
    delta += _plogp(total, inplace=True)
    new_exit = mexit[cand]
    new_exit += ea_w[local]
    new_exit -= both
    if level.symmetric:
        delta -= 2.0 * _plogp(new_exit, inplace=True)
    else:
        new_enter = menter[cand]
        new_enter += na_w[local]
        new_enter -= both
        delta -= _plogp(new_exit, inplace=True)
        delta -= _plogp(new_enter, inplace=True)
    # The best per node (pairs are sorted by node, then module: ties go to the smallest id).
    best = np.full(len(mo), np.inf)
    target = np.full(len(mo), -1, dtype=np.int64)
    if len(local):
        start = group_starts(local)
        low = np.minimum.reduceat(delta, start)
        run = np.repeat(np.arange(len(start)), np.diff(np.append(start, len(local))))
        hit = np.flatnonzero(delta == low[run])
        hit = hit[group_starts(run[hit])]
        best[local[hit]] = delta[hit]
        target[local[hit]] = cand[hit]
    # A new module of its own, for nodes that share theirs.
    alone = members[mo] > 1
    d_new = base + _plogp(enter_rest + na_w) - _plogp(na_w) - _plogp(ea_w) + _plogp(ea_w + p_w)
    better = alone & (d_new < best)
    best[better] = d_new[better]
    target[better] = -1
    moving = np.flatnonzero(best < -MIN_IMPROVEMENT)
    return (moving if nodes is None else nodes[moving]), target[moving], best[moving]


def _core(level: _Level, start: np.ndarray, rng: random.Random, np_rng: np.random.Generator) -> np.ndarray:
    """Move single nodes to the neighbouring module that lowers L most, until no move helps.

    Big levels start with batched rounds (:func:`_batched`); every level ends one node at a
    time in random order (:func:`_sequential`), so the result is a state where no single move
    helps, as the reference's.
    """
    module = _compact(start)
    screen = level.n >= SEQUENTIAL_NODES
    first = None
    if screen:
        module, first = _batched(level, module, np_rng)
    return _compact(_sequential(level, module, rng, screen, first))


def _batched(level: _Level, module: np.ndarray, np_rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
    """Rounds of many moves at once: every node's best move is computed with numpy, and the
    moves are taken best first, except that a module that receives nodes loses none and a
    module that loses nodes receives none in one round (two nodes swapping modules, or a
    chain of moves, would undo each other). Each round must lower L, checked exactly.

    Returns the modules, and the nodes with a helpful move in them if known (else None).
    """
    n = level.n
    stats = _module_stats(level, module)
    length = _stats_length(stats)
    for _ in range(MAX_BATCH_ROUNDS):
        nodes, targets, deltas = _proposals(level, module, stats)
        if len(nodes) < max(1, BATCH_MIN_SHARE * n):
            return module, nodes
        order = np.lexsort((np_rng.random(len(nodes)), deltas))
        sender = bytearray(n)
        receiver = bytearray(n)
        taken_nodes, taken_targets = [], []
        fresh = n
        mod = module.tolist()
        for a, t in zip(nodes[order].tolist(), targets[order].tolist()):
            o = mod[a]
            if receiver[o] or (t >= 0 and sender[t]):
                continue
            sender[o] = 1
            if t < 0:
                t, fresh = fresh, fresh + 1
            else:
                receiver[t] = 1
            taken_nodes.append(a)
            taken_targets.append(t)
        moved = module.copy()
        moved[taken_nodes] = taken_targets
        moved = _compact(moved)
        new_stats = _module_stats(level, moved)
        new_length = _stats_length(new_stats)
        if not new_length < length - MIN_IMPROVEMENT:
            return module, nodes
        module, length, stats = moved, new_length, new_stats
    return module, None


def _sequential(level: _Level, module_array: np.ndarray, rng: random.Random, screen: bool, first: np.ndarray | None = None) -> np.ndarray:
    """The reference's core loop: nodes in random order, each moved at once to its best module.

    Plain Python over lists: each move changes the module statistics the next one reads, so the
    loop is sequential; lists of floats are the fastest thing CPython has for that. With
    ``screen``, a pass visits only the nodes that :func:`_proposals` finds a helpful move for
    (the others would stay: the same fixed point, far fewer visits); ``first`` are those of the
    first pass if known.
    """
    n = level.n
    symmetric = level.symmetric
    node_p, node_exit, node_enter = level.p.tolist(), level.node_exit.tolist(), level.node_enter.tolist()
    nbr_ptr, nbr, nbr_w = level.nbr_ptr.tolist(), level.nbr_dst, level.nbr_w
    if screen:  # few nodes are visited: slice their links out of the arrays

        def links_of(a):
            lo, hi = nbr_ptr[a], nbr_ptr[a + 1]
            return zip(nbr[lo:hi].tolist(), nbr_w[lo:hi].tolist())
    else:
        nbr, nbr_w = nbr.tolist(), nbr_w.tolist()

        def links_of(a):
            lo, hi = nbr_ptr[a], nbr_ptr[a + 1]
            return zip(nbr[lo:hi], nbr_w[lo:hi])
    flow_a, exit_a, enter_a, members_a = _module_stats(level, module_array)
    module = module_array.tolist()
    mflow, mexit, menter, members = flow_a.tolist(), exit_a.tolist(), enter_a.tolist(), members_a.tolist()
    term = (-_plogp(enter_a) - _plogp(exit_a) + _plogp(exit_a + flow_a)).tolist()
    free = [i for i in range(n - 1, -1, -1) if members[i] == 0]
    sum_enter = sum(menter)
    log2 = math.log2
    nodes = list(range(n))
    active = None  # the nodes to screen; None: all
    # numpy copies of the state for the screens, brought up to date after each pass
    module_np = module_array.copy()
    stats_np = (flow_a.copy(), exit_a.copy(), exit_a.copy() if symmetric else enter_a.copy(), members_a.copy())
    for _ in range(MAX_PASSES):
        if screen and first is not None:
            nodes, first = first.tolist(), None
        elif screen:
            nodes = _proposals(level, module_np, stats_np, active)[0].tolist()
            if not nodes and active is not None:
                active = None  # the last word is a screen of all nodes
                continue
        rng.shuffle(nodes)
        moves = 0
        moved, left = [], []
        for a in nodes:
            old = module[a]
            # Flow between a and each neighbouring module: out of a into it, plus into a from it.
            links: dict[int, float] = {}
            get = links.get
            for b, w in links_of(a):
                mod = module[b]
                links[mod] = get(mod, 0.0) + w
            to_old = links.pop(old, 0.0)
            if members[old] > 1 and free:
                links.setdefault(free[-1], 0.0)  # a new module of its own
            pa, ea, na = node_p[a], node_exit[a], node_enter[a]
            # The old module without a.
            old_exit = mexit[old] - ea + to_old
            old_enter = menter[old] - na + to_old
            old_flow = mflow[old] - pa
            old_sum = old_exit + old_flow
            old_term = (
                (-old_enter * log2(old_enter) if old_enter > 0 else 0.0)
                + (-old_exit * log2(old_exit) if old_exit > 0 else 0.0)
                + (old_sum * log2(old_sum) if old_sum > 0 else 0.0)
            )
            enter_rest = sum_enter - menter[old] + old_enter
            base = old_term - term[old] - (sum_enter * log2(sum_enter) if sum_enter > 0 else 0.0)
            best, best_mod = -MIN_IMPROVEMENT, -1
            for mod, both in links.items():
                new_exit = mexit[mod] + ea - both
                new_enter = menter[mod] + na - both
                new_sum = new_exit + mflow[mod] + pa
                total = enter_rest - menter[mod] + new_enter
                delta = (
                    base - term[mod]
                    + (total * log2(total) if total > 0 else 0.0)
                    - (new_enter * log2(new_enter) if new_enter > 0 else 0.0)
                    - (new_exit * log2(new_exit) if new_exit > 0 else 0.0)
                    + (new_sum * log2(new_sum) if new_sum > 0 else 0.0)
                )
                if delta < best:
                    best, best_mod = delta, mod
            if best_mod < 0:
                continue
            both = links[best_mod]
            new_exit = mexit[best_mod] + ea - both
            new_enter = menter[best_mod] + na - both
            sum_enter = enter_rest - menter[best_mod] + new_enter
            mexit[old], menter[old], mflow[old] = old_exit, old_enter, old_flow
            term[old] = old_term
            mexit[best_mod], menter[best_mod] = new_exit, new_enter
            mflow[best_mod] += pa
            new_sum = new_exit + mflow[best_mod]
            term[best_mod] = (
                (-new_enter * log2(new_enter) if new_enter > 0 else 0.0)
                + (-new_exit * log2(new_exit) if new_exit > 0 else 0.0)
                + (new_sum * log2(new_sum) if new_sum > 0 else 0.0)
            )
            members[old] -= 1
            if members[old] == 0:
                free.append(old)
            if members[best_mod] == 0:
                if free[-1] == best_mod:
                    free.pop()
                else:
                    free.remove(best_mod)
            members[best_mod] += 1
            module[a] = best_mod
            moves += 1
            moved.append(a)
            left.append(old)
        if moves == 0:
            break
        if screen:
            moved_a = np.array(moved, dtype=np.int64)
            module_np[moved_a] = [module[a] for a in moved]
            touched = np.unique(np.concatenate([module_np[moved_a], np.array(left, dtype=np.int64)]))
            for array, values in zip(stats_np, (mflow, mexit, menter, members)):
                array[touched] = [values[i] for i in touched.tolist()]
            # Whose best move may have changed: the moved nodes and their neighbours (and, less
            # so, other members of the modules they left and joined: the final full screen
            # catches those).
            near = [moved_a, level.nbr_dst[_ranges(level.nbr_ptr, moved_a)]]
            active = np.unique(np.concatenate(near))
    return np.array(module, dtype=np.int64)
