"""Two-level InfoMap: modules of a graph that minimise the map equation (Rosvall & Bergstrom 2008).

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
neighbouring module (or a new one) that lowers L most, until a pass moves nothing; modules are
then aggregated into super-nodes and the core loop repeats on them, until nothing merges. Then
fine-tuning (the leaf nodes re-moved with the modules kept) and coarse-tuning (each module's own
sub-modules moved as units) alternate while L improves. ``trials`` runs keep the best; trial t
uses the random seed ``seed + t``.

>>> g = Graph.from_edges([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
>>> r = infomap(g, seed=1)
>>> r.modules_of(["a", "b", "c", "d", "e", "f"])
[0, 0, 0, 1, 1, 1]
>>> round(r.codelength, 6), round(r.one_level_codelength, 6)  # the reference prints the same
(2.32073, 2.556657)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .errors import FormatError

__all__ = ["Graph", "InfomapResult", "codelength", "flows", "infomap", "read_graph"]

#: Teleportation probability of directed flow (the reference's default).
TELEPORTATION = 0.15
#: A move must lower L by more than this (the reference's minimum improvement).
MIN_IMPROVEMENT = 1e-10
#: Passes of the core loop at most, and tuning rounds at most.
MAX_PASSES = 200
MAX_TUNE_ROUNDS = 10


def plogp(x):
    """x log2 x, with 0 log 0 = 0 (numbers or arrays).

    >>> plogp(0.5), plogp(0.0)
    (-0.5, 0.0)
    """
    if isinstance(x, np.ndarray):
        out = np.zeros_like(x, dtype=np.float64)
        pos = x > 0
        out[pos] = x[pos] * np.log2(x[pos])
        return out
    return x * math.log2(x) if x > 0 else 0.0


@dataclass
class Graph:
    """A weighted graph on string labels; links with the same ends are summed."""

    labels: list[str]
    source: np.ndarray  # int64 node indices
    target: np.ndarray
    weight: np.ndarray  # float64
    directed: bool = False

    @classmethod
    def from_edges(cls, edges: Iterable[Sequence], directed: bool = False) -> "Graph":
        """From ``(source, target)`` or ``(source, target, weight)`` items (any hashable labels).

        >>> Graph.from_edges([("甲", "乙", 2.0), ("乙", "甲")]).weight.tolist()
        [3.0]
        """
        index: dict = {}
        src, dst, w = [], [], []
        for edge in edges:
            a, b = edge[0], edge[1]
            src.append(index.setdefault(a, len(index)))
            dst.append(index.setdefault(b, len(index)))
            w.append(float(edge[2]) if len(edge) > 2 else 1.0)
        return cls._build(list(index), np.array(src, np.int64), np.array(dst, np.int64), np.array(w, np.float64), directed)

    @classmethod
    def _build(cls, labels, src, dst, w, directed) -> "Graph":
        if not directed:  # one orientation per undirected link
            src, dst = np.minimum(src, dst), np.maximum(src, dst)
        n = len(labels)
        key = src * max(n, 1) + dst
        uniq, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=w, minlength=len(uniq))
        return cls(list(labels), uniq // max(n, 1), uniq % max(n, 1), summed, directed)

    @property
    def n(self) -> int:
        return len(self.labels)


def read_graph(path: str, directed: bool = False) -> Graph:
    """Read ``source<TAB>target[<TAB>weight]`` lines (labels are any strings), or the
    reference's link list ``source target [weight]`` separated by spaces; ``#`` starts a comment
    line, and Pajek-style ``*Vertices``/``*Edges`` headings are skipped.

    Raises:
        FormatError: naming the file and line of a malformed link or weight.
    """
    from .files import read_utf8_lines

    edges = []
    for lineno, line in enumerate(read_utf8_lines(path), 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#") or line.startswith("*"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
            raise FormatError(f"{path}:{lineno}: expected 'source<TAB>target[<TAB>weight]', found {len(fields)} fields")
        weight = 1.0
        if len(fields) == 3:
            try:
                weight = float(fields[2])
            except ValueError:
                raise FormatError(f"{path}:{lineno}: weight {fields[2]!r} is not a number") from None
            if not weight >= 0 or math.isinf(weight):
                raise FormatError(f"{path}:{lineno}: weight {fields[2]!r} must be a finite number >= 0")
        edges.append((fields[0], fields[1], weight))
    if not edges:
        raise FormatError(f"{path}: no links; expected lines 'source<TAB>target[<TAB>weight]'")
    return Graph.from_edges(edges, directed=directed)


def flows(graph: Graph, teleportation: float = TELEPORTATION) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node flows and directed link flows ``(p, source, target, flow)`` (see the module doc).

    Undirected links come back in both directions.

    >>> p, s, t, f = flows(Graph.from_edges([("a", "b"), ("b", "c")]))
    >>> p.tolist(), f.tolist()
    ([0.25, 0.5, 0.25], [0.25, 0.25, 0.25, 0.25])
    """
    n, src, dst, w = graph.n, graph.source, graph.target, graph.weight
    if not graph.directed:
        loop = src == dst
        strength = np.bincount(src, weights=w, minlength=n) + np.bincount(dst[~loop], weights=w[~loop], minlength=n)
        total = strength.sum()
        s = np.concatenate([src, dst[~loop]])
        t = np.concatenate([dst, src[~loop]])
        f = np.concatenate([w, w[~loop]]) / total
        return strength / total, s, t, f
    out_w = np.bincount(src, weights=w, minlength=n)
    dangling = out_w == 0
    teleport = out_w / out_w.sum()  # to links: to the source of a link chosen by weight
    step = w / out_w[src]
    beta = 1.0 - teleportation
    p = np.full(n, 1.0 / n)
    for iteration in range(200):
        dangling_rank = p[dangling].sum()
        new = (teleportation + beta * dangling_rank) * teleport + beta * np.bincount(dst, weights=step * p[src], minlength=n)
        new /= new.sum()
        error = np.abs(new - p).sum()
        p = new
        if error < 1e-15 and iteration >= 50:
            break
    # Unrecorded teleportation: one last step along links only.
    link_flow = step * p[src]
    link_flow /= link_flow.sum()
    node_flow = np.bincount(dst, weights=link_flow, minlength=n)
    return node_flow, src, dst, link_flow


def codelength(p: np.ndarray, source: np.ndarray, target: np.ndarray, flow: np.ndarray, modules: np.ndarray) -> tuple[float, float, float]:
    """``(L, index codelength, module codelength)`` of a two-level partition, in bits.

    >>> p, s, t, f = flows(Graph.from_edges([("a", "b")]))
    >>> codelength(p, s, t, f, np.array([0, 0]))
    (1.0, 0.0, 1.0)
    """
    m = int(modules.max()) + 1 if len(modules) else 0
    cross = modules[source] != modules[target]
    exit_ = np.bincount(modules[source[cross]], weights=flow[cross], minlength=m)
    enter = np.bincount(modules[target[cross]], weights=flow[cross], minlength=m)
    mflow = np.bincount(modules, weights=p, minlength=m)
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


def infomap(graph: Graph | Iterable[Sequence], *, directed: bool = False, trials: int = 1, seed: int = 123) -> InfomapResult:
    """Find the two-level partition of ``graph`` with the shortest codelength found in ``trials``.

    Args:
        graph: a :class:`Graph`, or ``(source, target[, weight])`` items.
        directed: for items only: read them as directed links.
        trials: independent runs; the best is kept.
        seed: trial t uses the random seed ``seed + t``.
    """
    if not isinstance(graph, Graph):
        graph = Graph.from_edges(graph, directed=directed)
    p, src, dst, f = flows(graph)
    one_level = float(-plogp(p).sum())
    best = None
    for trial in range(trials):
        modules = _Search(graph.n, p, src, dst, f, random.Random(seed + trial)).run()
        length = codelength(p, src, dst, f, modules)
        if best is None or length[0] < best[1][0] - MIN_IMPROVEMENT:
            best = (modules, length)
    modules, (total, index, module) = best
    if total > one_level:  # as the reference: one module when no partition codes shorter
        modules = np.zeros(graph.n, dtype=np.int64)
        total, index, module = codelength(p, src, dst, f, modules)
    return InfomapResult(graph.labels, _renumber(modules, p), p, total, index, module, one_level)


def _renumber(modules: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Modules numbered 0, 1, ... by decreasing flow (ties by smallest member)."""
    m = int(modules.max()) + 1
    mflow = np.bincount(modules, weights=p, minlength=m)
    first = np.full(m, len(modules))
    np.minimum.at(first, modules, np.arange(len(modules)))
    used = np.flatnonzero(np.bincount(modules, minlength=m))
    order = sorted(used.tolist(), key=lambda i: (-mflow[i], first[i]))
    new = np.zeros(m, dtype=np.int64)
    new[order] = np.arange(len(order))
    return new[modules]


class _Search:
    """The greedy search on one graph (node flows and directed link flows)."""

    def __init__(self, n, p, src, dst, f, rng: random.Random):
        self.n, self.p, self.src, self.dst, self.f, self.rng = n, p, src, dst, f, rng

    def run(self) -> np.ndarray:
        modules = self._two_level(self.n, self.p, self.src, self.dst, self.f, np.arange(self.n))
        length = codelength(self.p, self.src, self.dst, self.f, modules)[0]
        for round_ in range(MAX_TUNE_ROUNDS):
            # Fine-tuning: leaf nodes move again, starting from the modules found.
            tuned = self._two_level(self.n, self.p, self.src, self.dst, self.f, modules)
            # Coarse-tuning: each module's sub-modules move as units.
            tuned = self._coarse_tune(tuned)
            new_length = codelength(self.p, self.src, self.dst, self.f, tuned)[0]
            if new_length < length - MIN_IMPROVEMENT:
                modules, length = tuned, new_length
            else:
                break
        return modules

    def _coarse_tune(self, modules: np.ndarray) -> np.ndarray:
        sub = np.empty(self.n, dtype=np.int64)
        offset = 0
        inside = modules[self.src] == modules[self.dst]
        for module in np.unique(modules):
            members = np.flatnonzero(modules == module)
            local = np.full(self.n, -1)
            local[members] = np.arange(len(members))
            keep = inside & (modules[self.src] == module)
            s, t, f = local[self.src[keep]], local[self.dst[keep]], self.f[keep]
            found = self._two_level(len(members), self.p[members], s, t, f, np.arange(len(members)))
            sub[members] = found + offset
            offset += int(found.max()) + 1
        # Move the sub-modules (as super-nodes) starting from their modules.
        start = np.zeros(offset, dtype=np.int64)
        start[sub] = modules
        moved = self._hierarchy(self.p, self.src, self.dst, self.f, sub, start)
        return moved

    def _two_level(self, n, p, src, dst, f, start: np.ndarray) -> np.ndarray:
        """Core loop from ``start``, then aggregation until nothing merges."""
        return self._hierarchy(p, src, dst, f, np.arange(n), start)

    def _hierarchy(self, p, src, dst, f, units: np.ndarray, start: np.ndarray) -> np.ndarray:
        """Move ``units`` (each leaf node's unit) between modules, starting from ``start`` (the
        module of each unit), then aggregate modules and repeat; returns each leaf's module."""
        leaf = units.copy()  # leaf -> current super-node
        assign = start.copy()  # super-node -> module
        while True:
            k = int(leaf.max()) + 1
            sp = np.bincount(leaf, weights=p, minlength=k)
            ss, st = leaf[src], leaf[dst]
            cross = ss != st
            moved = _core(k, sp, ss[cross], st[cross], f[cross], _compact(assign), self.rng)
            modules = moved[leaf]
            before, after = len(np.unique(assign)), len(np.unique(moved))
            if after >= k or after == before and np.array_equal(moved, _compact(assign)):
                return _compact(modules)
            leaf = _compact(modules)
            assign = np.arange(int(leaf.max()) + 1)


def _compact(modules: np.ndarray) -> np.ndarray:
    return np.unique(modules, return_inverse=True)[1].astype(np.int64)


def _core(n: int, p: np.ndarray, src: np.ndarray, dst: np.ndarray, f: np.ndarray, start: np.ndarray, rng: random.Random) -> np.ndarray:
    """Move single nodes to the neighbouring module that lowers L most, until no move helps.

    Plain Python over lists: each move changes the module statistics the next one reads, so the
    loop is sequential; lists of floats are the fastest thing CPython has for that.
    """
    order_out = np.argsort(src, kind="stable")
    order_in = np.argsort(dst, kind="stable")
    out_ptr = np.searchsorted(src[order_out], np.arange(n + 1)).tolist()
    in_ptr = np.searchsorted(dst[order_in], np.arange(n + 1)).tolist()
    out_nbr, out_f = dst[order_out].tolist(), f[order_out].tolist()
    in_nbr, in_f = src[order_in].tolist(), f[order_in].tolist()
    node_p = p.tolist()
    node_exit = np.bincount(src, weights=f, minlength=n).tolist()
    node_enter = np.bincount(dst, weights=f, minlength=n).tolist()
    module = start.tolist()
    m = max(module) + 1 if module else 0
    size = m + n  # room for new modules
    mflow = [0.0] * size
    mexit = [0.0] * size
    menter = [0.0] * size
    members = [0] * size
    for a in range(n):
        mflow[module[a]] += node_p[a]
        members[module[a]] += 1
    for s, t, fl in zip(src.tolist(), dst.tolist(), f.tolist()):
        if module[s] != module[t]:
            mexit[module[s]] += fl
            menter[module[t]] += fl
    free = [i for i in range(size - 1, -1, -1) if members[i] == 0]
    sum_enter = sum(menter)
    log2 = math.log2

    def plogp_(x):
        return x * log2(x) if x > 0 else 0.0

    nodes = list(range(n))
    for _ in range(MAX_PASSES):
        rng.shuffle(nodes)
        moves = 0
        for a in nodes:
            old = module[a]
            # Flow between a and each neighbouring module: [out of a into it, into a from it].
            links: dict[int, list[float]] = {}
            for j in range(out_ptr[a], out_ptr[a + 1]):
                mod = module[out_nbr[j]]
                entry = links.get(mod)
                if entry is None:
                    links[mod] = [out_f[j], 0.0]
                else:
                    entry[0] += out_f[j]
            for j in range(in_ptr[a], in_ptr[a + 1]):
                mod = module[in_nbr[j]]
                entry = links.get(mod)
                if entry is None:
                    links[mod] = [0.0, in_f[j]]
                else:
                    entry[1] += in_f[j]
            to_old = links.pop(old, (0.0, 0.0))
            if members[old] > 1 and free:
                links.setdefault(free[-1], [0.0, 0.0])  # a new module of its own
            pa, ea, na = node_p[a], node_exit[a], node_enter[a]
            # The old module without a.
            old_exit = mexit[old] - ea + to_old[0] + to_old[1]
            old_enter = menter[old] - na + to_old[0] + to_old[1]
            old_flow = mflow[old] - pa
            base_old = -plogp_(menter[old]) - plogp_(mexit[old]) + plogp_(mexit[old] + mflow[old])
            new_old = -plogp_(old_enter) - plogp_(old_exit) + plogp_(old_exit + old_flow)
            best, best_mod, best_state = -MIN_IMPROVEMENT, -1, None
            for mod, (out_to, in_from) in links.items():
                new_exit = mexit[mod] + ea - out_to - in_from
                new_enter = menter[mod] + na - out_to - in_from
                new_flow = mflow[mod] + pa
                enter_total = sum_enter - menter[old] + old_enter - menter[mod] + new_enter
                delta = (
                    plogp_(enter_total) - plogp_(sum_enter)
                    + new_old - base_old
                    - plogp_(new_enter) - plogp_(new_exit) + plogp_(new_exit + new_flow)
                    + plogp_(menter[mod]) + plogp_(mexit[mod]) - plogp_(mexit[mod] + mflow[mod])
                )
                if delta < best:
                    best, best_mod, best_state = delta, mod, (new_exit, new_enter, new_flow, enter_total)
            if best_mod < 0:
                continue
            new_exit, new_enter, new_flow, enter_total = best_state
            mexit[old], menter[old], mflow[old] = old_exit, old_enter, old_flow
            mexit[best_mod], menter[best_mod], mflow[best_mod] = new_exit, new_enter, new_flow
            sum_enter = enter_total
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
        if moves == 0:
            break
    return np.array(module, dtype=np.int64)
