"""The word graph that InfoMap clusters: each word links to its most similar words.

A node is a vocabulary word; it links to at most ``k`` (50) other words whose cosine similarity
to it is at least ``min_cosine`` (0.6), weighted by that cosine. The graph is directed: ``a``
may be among ``b``'s nearest words without ``b`` being among ``a``'s.

The word vectors come from a user's word2vec text file (:func:`read_word2vec_text`) or from a
segmented corpus (:func:`word_vectors_from_corpus`), by the count-based recipe of Levy, Goldberg
& Dagan, "Improving distributional similarity with lessons learned from word embeddings"
(TACL 2015), with numpy and scipy.sparse:

1. Co-occurrence counts (:func:`count_cooccurrences`): two vocabulary words ``d <= window``
   tokens apart on one line add ``1/d`` (GloVe's harmonic weighting: near words say more), in
   both directions, so the matrix is symmetric. Tokens outside the vocabulary keep their place
   (they count in ``d``) but add nothing. Each worker of the one engine turns a batch of lines
   into pair keys ``a * n + b`` (``a <= b``) with integer weights, sorts and adds them, and
   writes them as a sorted run on disk; the runs are merged by key ranges within ``--memory``
   (:mod:`wordmine.runs`, as for n-grams): memory follows the budget, not the corpus.
2. Positive PMI with context-distribution smoothing (:func:`ppmi`): ``max(0, log(P(w, c) /
   (P(w) P_a(c))))`` where ``P_a(c)`` is ``count(c)**alpha`` normalised, alpha = 0.75 (Levy et
   al.; word2vec's negative sampling uses the same power). It lowers the PMI of rare contexts,
   which plain PMI over-rates. The sparse matrix (float32) is filled in place from the merged
   pairs, and bounded by ``--memory`` too.
3. Truncated SVD of the sparse PPMI matrix (:func:`randomized_svd`, Halko, Martinsson & Tropp,
   "Finding structure with randomness", SIAM Review 2011): random projection, power iterations
   with QR re-orthonormalisation, QR, and the SVD of the small projected matrix; the sparse
   products are scipy.sparse's (8x faster than the numpy ``bincount`` products they replaced).
4. Vectors ``U * sqrt(S)`` (eigenvalue weighting p = 0.5, which Levy et al. found better than
   ``U * S`` for similarity), rows scaled to unit length. A word that never co-occurs with
   another has a zero row and no edges.

The neighbours (:func:`knn_graph`) come from blocks of rows of the cosine matrix (one matrix
product per block, ``np.partition``), so memory stays bounded whatever the vocabulary size;
ties are broken by word index, so the same input and seed give the same graph.

>>> vectors = np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32)
>>> [(s, t, round(w, 2)) for s, t, w in knn_graph(["猫", "狗", "车"], vectors, k=1, min_cosine=0.5)]
[('猫', '狗', 0.8), ('狗', '猫', 0.8), ('车', '狗', 0.6)]
"""

from __future__ import annotations

import itertools
import logging
import math
import numbers
import os
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import defaults, parallel
from .corpus import Batch, Batches
from .errors import FormatError, InputError
from .files import expand_inputs, input_size, read_utf8_lines, temporary_workspace
# The graph file format lives in formats; these names stay here for callers of wordmine.graph.
from .formats import GRAPH_HEADER, read_rows, write_graph  # noqa: F401
from .keys import group_starts, sort_reduce
from .runs import RunSpool, parse_memory, write_run

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_DIM",
    "DEFAULT_K",
    "DEFAULT_MIN_COSINE",
    "DEFAULT_SEED",
    "DEFAULT_WINDOW",
    "MAX_WINDOW",
    "WEIGHT_SCALE",
    "Cooccurrences",
    "WordGraph",
    "build_graph",
    "check_options",
    "cooccurrence_matrix",
    "count_cooccurrences",
    "knn_graph",
    "ppmi",
    "randomized_svd",
    "read_word2vec_text",
    "word_vectors_from_corpus",
]

log = logging.getLogger(__name__)

#: Neighbours per word and their least cosine: the graph of the seed technique.
DEFAULT_K = defaults.K
DEFAULT_MIN_COSINE = defaults.MIN_COSINE
#: Tokens on each side that count as context: word2vec's and GloVe's default window is 5 (GloVe
#: uses 10 for its largest models; 5 favours similar words over merely related ones).
DEFAULT_WINDOW = defaults.WINDOW
#: The widest window: ten times the widest in the literature (Levy et al. 2015 compare 2, 5
#: and 10; GloVe's widest is 10), where contexts already say what a text is about rather than
#: what a word is like. Counting costs time in proportion to the window (each token pairs with
#: ``window`` others on each side, and each line is padded by ``window`` separators): on the
#: 245 KB sample corpus 2.4 s at 5, 5.5 s at 100, and past 300 s at 100 000 before this bound.
#: A bound that depends on the data (the longest line) would only be known after reading it.
MAX_WINDOW = defaults.MAX_WINDOW
#: Vector dimensions: the common word2vec size for corpora of millions of words.
DEFAULT_DIM = defaults.DIM
#: Seed of the random projection (any fixed seed makes runs reproducible).
DEFAULT_SEED = defaults.GRAPH_SEED
#: Context-distribution smoothing exponent (Levy et al. 2015; word2vec's unigram^0.75).
DEFAULT_ALPHA = 0.75
#: Halko et al. (section 4.2) suggest 5 or 10 extra random vectors: 10 makes the top ``dim``
#: directions accurate with a small failure probability.
DEFAULT_OVERSAMPLE = 10
#: Power iterations (Halko et al. algorithm 4.4); PPMI spectra decay slowly, and 4 is what
#: scikit-learn's randomized_svd uses for a rank this small relative to the matrix.
DEFAULT_POWER_ITERATIONS = 4
#: Bytes of segmented text per counting batch: 4 MiB hold ~1M tokens, which make ~5M pair keys
#: at window 5: ~100 MB of arrays in a worker.
DEFAULT_BATCH_BYTES = 4 << 20
#: read_word2vec_text reads rows into blocks of this many bytes (16 MB: 40 000 rows of 100
#: dimensions), so that memory follows the rows read, whatever the header says.
_VECTOR_BLOCK_BYTES = 1 << 24
#: Cosines computed at once in knn_graph: 2**23 float32 values are 32 MB (the block, its
#: partitioned copy and its mask stay under 100 MB).
_SIMILARITY_ELEMENTS = 1 << 23


# --------------------------------------------------------------------------- co-occurrences


def _vocabulary_index(vocabulary: Iterable) -> tuple[list[str], dict[str, int]]:
    """Words (first occurrence kept) and word -> id, from words or ``(word, count)`` pairs."""
    words: list[str] = []
    index: dict[str, int] = {}
    for entry in vocabulary:
        word = entry if isinstance(entry, str) else entry[0]
        if word not in index:
            index[word] = len(words)
            words.append(word)
    return words, index


#: Co-occurrence weights are integers in units of 1/WEIGHT_SCALE: 720720 = lcm(1..16), so ``1/d``
#: is exact for every distance up to 16 (windows wider than that round 1/d to the nearest unit:
#: an error below 7e-7, 0.01 % of 1/d at the widest window). Integer sums do not depend on the order of addition, so the counts are the
#: same whatever the batches, the workers or the order in which runs are merged.
WEIGHT_SCALE = 720720
#: Marks a line end inside a batch's token stream (a character no segmented token holds).
_LINE_END = "\x00"


def _distance_weights(window: int) -> np.ndarray:
    """``round(WEIGHT_SCALE / d)`` for d = 1..window, as uint64 (index d - 1)."""
    return np.array([(2 * WEIGHT_SCALE + d) // (2 * d) for d in range(1, window + 1)], dtype=np.uint64)


def pair_table(ids: np.ndarray, n: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The co-occurrence table of one stream of token ids: sorted unique pair keys and weights.

    ``ids`` holds vocabulary ids (0..n-1), -1 for a token outside the vocabulary (it keeps its
    place: it counts in the distance) and -2 for a line end (no window crosses it). A pair of
    words ``a <= b`` at distance ``d`` is the key ``a * n + b`` and adds ``WEIGHT_SCALE / d``.

    >>> keys, weights = pair_table(np.array([0, 1, -1, 0, -2, 1]), 2, 2)  # (0, 1) at 1 and 2
    >>> [(int(k) // 2, int(k) % 2, int(w) / WEIGHT_SCALE) for k, w in zip(keys, weights)]
    [(0, 1, 1.5)]
    """
    ids = np.asarray(ids, dtype=np.int64)
    line = np.cumsum(ids == -2)
    radix = np.uint64(window)
    keys = []
    for d in range(1, min(window, len(ids) - 1) + 1):
        left, right = ids[:-d], ids[d:]
        both = np.flatnonzero((left >= 0) & (right >= 0) & (line[:-d] == line[d:]))
        a, b = left[both], right[both]
        pair = np.minimum(a, b).astype(np.uint64) * np.uint64(n) + np.maximum(a, b).astype(np.uint64)
        # The distance goes into the key's last digit: one plain sort (no argsort) counts every
        # (pair, d), and sorts the pairs too.
        keys.append(pair * radix + np.uint64(d - 1))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    keys, counts = sort_reduce(np.concatenate(keys), None)
    weights = counts * _distance_weights(window)[(keys % radix).astype(np.intp)]
    pairs = keys // radix
    starts = group_starts(pairs)
    return pairs[starts], np.add.reduceat(weights, starts)


@dataclass
class Cooccurrences:
    """Co-occurrence counts of vocabulary words: the pairs ``a <= b`` as sorted keys
    ``a * n + b`` with integer weights (units of 1/:data:`WEIGHT_SCALE`), and row sums.

    The symmetric count matrix ``M`` has ``M[a, b] = M[b, a] = weight / WEIGHT_SCALE`` and
    ``M[a, a] = 2 * weight / WEIGHT_SCALE`` (a word beside itself is both its own left and right
    context). Arrays may be memory-mapped from a temporary directory that lives as long as this
    object (``owner``).

    >>> c = Cooccurrences(["猫", "狗"], np.array([1], np.uint64), np.array([WEIGHT_SCALE], np.uint64))
    >>> c.matrix().toarray().tolist(), c.row_sums().tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [1.0, 1.0])
    """

    words: list[str]
    keys: np.ndarray
    weights: np.ndarray
    owner: object = None

    #: Rows of the pair table handled at once by :meth:`chunks` (16 MB of keys and weights; the PPMI pass makes about ten arrays of each piece's size).
    CHUNK = 1 << 20

    def __len__(self) -> int:
        return len(self.keys)

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(a, b, count)`` arrays (int64, int64, float64) of consecutive pieces of the table."""
        n = np.uint64(len(self.words))
        for keys, weights in zip(_pieces(self.keys, self.CHUNK), _pieces(self.weights, self.CHUNK)):
            yield (keys // n).astype(np.int64), (keys % n).astype(np.int64), weights.astype(np.float64) / WEIGHT_SCALE

    def row_sums(self) -> np.ndarray:
        """Row sums of the symmetric count matrix (equal to its column sums)."""
        n = len(self.words)
        sums = np.zeros(n, dtype=np.float64)
        for a, b, count in self.chunks():
            sums += np.bincount(a, weights=count, minlength=n)
            sums += np.bincount(b, weights=count, minlength=n)
        return sums

    def matrix(self):
        """The symmetric count matrix as a ``scipy.sparse.csr_matrix`` (float64)."""
        import scipy.sparse

        n = len(self.words)
        parts = [(a, b, c) for a, b, c in self.chunks()] or [(np.zeros(0, np.int64),) * 2 + (np.zeros(0),)]
        a, b, c = (np.concatenate(x) for x in zip(*parts))
        off = a != b
        rows = np.concatenate([a, b[off]])
        cols = np.concatenate([b, a[off]])
        values = np.concatenate([np.where(off, c, 2 * c), c[off]])
        return scipy.sparse.csr_matrix((values, (rows, cols)), shape=(n, n))


def _pieces(array: np.ndarray, size: int) -> Iterator[np.ndarray]:
    """Consecutive pieces of ``size`` rows of an array, read into memory (see formats.read_rows)."""
    for lo in range(0, len(array), size):
        yield read_rows(array, lo, lo + size)


_WORKER: dict = {}


def _init_worker(index: dict, window: int, work: str) -> None:
    ids = dict(index)
    ids[_LINE_END] = -2
    _WORKER.update(ids=ids, n=len(index), window=window, work=work, done=0)


def _count_pairs(batch: Batch) -> tuple[str, dict]:
    """Count one batch of segmented lines into a sorted run on disk: ``(run directory, totals)``."""
    w = _WORKER
    get = w["ids"].get
    tokens = batch.text.replace("\n", f" {_LINE_END} ").split()
    ids = np.fromiter(map(get, tokens, itertools.repeat(-1)), dtype=np.int64, count=len(tokens))
    keys, weights = pair_table(ids, w["n"], w["window"])
    w["done"] += 1
    # A name of this attempt's own (see wordmine.ngrams._count_batch): a batch run again writes anew.
    path = os.path.join(w["work"], f"run-{os.getpid()}-{w['done']:06d}-{uuid.uuid4().hex[:8]}")
    write_run(path, {1: (keys, weights)})
    return path, {1: len(keys)}


def _batch_bytes(batch: Batch) -> int:
    return batch.nbytes



@parallel.with_engine
def count_cooccurrences(
    segmented: Iterable[str],
    vocabulary: Iterable,
    *,
    window: int = DEFAULT_WINDOW,
    jobs: int | None = None,
    memory: int | str = defaults.MEMORY,
    tmp_dir: str | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> Cooccurrences:
    """Windowed co-occurrence weights of vocabulary words in segmented text, on bounded memory.

    Two vocabulary words ``d`` tokens apart on one line (``1 <= d <= window``) add ``1/d`` to
    both ``(a, b)`` and ``(b, a)``; a word next to itself adds ``2/d`` to its diagonal cell.
    Other tokens keep their place but add nothing. Each worker counts a batch of lines into a
    sorted run on disk (:mod:`wordmine.runs`), and the runs are merged by key ranges within
    ``memory``, as n-grams are counted: memory follows the batch and the budget, not the corpus.
    (A line longer than a batch, 4 MiB, is cut at a space, as :func:`wordmine.corpus.read_batches`
    cuts any line: no window crosses that cut.)

    Args:
        segmented: files, directories, globs or ``-`` of segmented text (UTF-8, one sentence
            per line, tokens separated by spaces: what ``wordmine segment`` writes), streamed.
        vocabulary: the words (or ``(word, count)`` pairs, as
            :func:`wordmine.formats.read_vocabulary` returns); row ``i`` is the ``i``-th
            distinct word.
        window: tokens on each side that count as context, 1 to :data:`MAX_WINDOW`.
        jobs: worker processes (None: all CPUs; 1: in-process). The counts do not depend on it.
        memory: bytes (or ``"512M"``) of pairs a merge may hold.
        tmp_dir: where the sorted runs go (default: the system temporary directory).
        batch_bytes: bytes of text per batch.
        progress: progress bar on stderr (only if it is a TTY).
        engine: ``"local"`` (None), ``"dask"``, an engine or a ``distributed.Client``
            (see :mod:`wordmine.parallel`); with Dask, ``tmp_dir`` must be seen by every worker.

    Returns:
        A :class:`Cooccurrences`.

    Raises:
        InputError: an input is missing or not valid UTF-8 (naming file and line).
        InputError: an empty vocabulary, or one too large for 64-bit pair keys.
        ValueError: a window outside 1 to :data:`MAX_WINDOW`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "seg.txt")
    >>> _ = p.write_text("星澜 发布 了 澜思\\n澜思\\n", encoding="utf-8")
    >>> counts = count_cooccurrences([str(p)], ["澜思", "星澜"], window=3, jobs=1)
    >>> counts.matrix().toarray().tolist()
    [[0.0, 0.3333333333333333], [0.3333333333333333, 0.0]]
    """
    _check_integer("window", window, 1, MAX_WINDOW)
    words, index = _vocabulary_index(vocabulary)
    n = len(words)
    if n == 0:  # bad data (an empty word table), not a bad argument: exit 1 on the command line
        raise InputError("the vocabulary is empty; give the words that are the graph's nodes")
    if n * n * window >= 1 << 64:  # a pair and its distance are one 64-bit key (see pair_table)
        raise InputError(f"{n} words do not fit a 64-bit pair key; use a smaller vocabulary (--top)")
    if _LINE_END in index:
        raise InputError("a vocabulary word is the NUL character; give words of the segmented text")
    budget = parse_memory(memory)
    jobs = parallel.capped_jobs(jobs)
    work, cleanup = temporary_workspace("wordmine-graph-", dir=tmp_dir)
    try:
        files = expand_inputs(segmented)
        spool = RunSpool([1], budget, work, engine=engine)
        parallel.map_batches(
            Batches(files, batch_bytes=batch_bytes, encoding="utf-8"), _count_pairs, RunSpool.add, spool,
            jobs=jobs, initializer=_init_worker, initargs=(index, window, work), size=_batch_bytes,
            total=input_size(files), progress=progress, desc="co-occurrences", engine=engine,
        )
        keys, weights = spool.finish(1, jobs, lambda k: 1)
    except BaseException:
        cleanup()
        raise
    counts = Cooccurrences(words, keys[1], weights[1], cleanup)
    weakref.finalize(counts, cleanup)
    log.info("co-occurrences: %d words, %d distinct pairs", n, len(counts))
    return counts


def cooccurrence_matrix(segmented: Iterable[str], vocabulary: Iterable, *, window: int = DEFAULT_WINDOW, **options):
    """``(words, matrix)``: :func:`count_cooccurrences` as a symmetric ``scipy.sparse`` matrix.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "seg.txt")
    >>> _ = p.write_text("猫 猫\\n", encoding="utf-8")
    >>> cooccurrence_matrix([str(p)], ["猫"], jobs=1)[1].toarray().tolist()
    [[2.0]]
    """
    counts = count_cooccurrences(segmented, vocabulary, window=window, **options)
    return counts.words, counts.matrix()


# --------------------------------------------------------------------------- PPMI


def ppmi(counts: Cooccurrences, *, alpha: float = DEFAULT_ALPHA, memory: int | str = defaults.MEMORY):
    """Positive pointwise mutual information of co-occurrence counts, with smoothing.

    ``PPMI(w, c) = max(0, log(P(w, c) / (P(w) * P_a(c))))`` with ``P(w, c) = #(w, c) / D``,
    ``P(w) = #(w) / D`` (row sums, D the total) and ``P_a(c) = #(c)**alpha / sum_c #(c)**alpha``
    (column sums): context-distribution smoothing (Levy et al. 2015); ``alpha=1`` is plain PMI.

    Only positive values are stored, as a ``scipy.sparse.csr_matrix`` of float32 (what the SVD
    multiplies; 8 bytes a value with its column). The matrix is built in place from the pair
    table, piece by piece, so it is the only thing in memory that grows. Should it need more
    than ``memory``, the pairs with the least co-occurrence weight are left out (by powers of
    two of the weight, the same for every row: the rarest pairs, whose PMI is the least
    reliable, go first), and a warning says how many.

    >>> c = Cooccurrences(["a", "b"], np.array([1, 3], np.uint64), np.array([2, 2], np.uint64) * WEIGHT_SCALE)
    >>> ppmi(c, alpha=1).toarray().astype(float).round(4).tolist()   # log(2 * 8 / (2 * 6)) = log(4/3)
    [[0.0, 0.2877], [0.2877, 0.0]]
    """
    import scipy.sparse

    if not 0.0 < alpha < math.inf:
        raise ValueError(f"alpha must be a finite number > 0, not {alpha!r}")
    n = len(counts.words)
    sums = counts.row_sums()
    smoothed = sums**alpha
    log_sums = np.log(sums, out=np.full(n, -np.inf), where=sums > 0)
    log_smoothed = np.log(smoothed, out=np.full(n, -np.inf), where=smoothed > 0)
    log_total = math.log(smoothed.sum()) if smoothed.sum() > 0 else 0.0

    def values(a, b, count):
        """The PPMI of (a, b) and of (b, a) for pairs a <= b, and whether (b, a) is a cell of its own."""
        mirror = a != b
        log_count = np.log(np.where(mirror, count, 2 * count))
        return log_count - log_sums[a] - log_smoothed[b] + log_total, log_count - log_sums[b] - log_smoothed[a] + log_total, mirror

    # Pass 1: positive values per row and weight class (floor of log2 of the weight).
    classes = 64
    per_row = np.zeros(n * classes, dtype=np.int64)
    for a, b, count in counts.chunks():
        forward, backward, mirror = values(a, b, count)
        level = np.clip(np.floor(np.log2(count * WEIGHT_SCALE)), 0, classes - 1).astype(np.int64)
        keep = forward > 0
        per_row += np.bincount(a[keep] * classes + level[keep], minlength=n * classes)
        keep = mirror & (backward > 0)
        per_row += np.bincount(b[keep] * classes + level[keep], minlength=n * classes)
    per_row = per_row.reshape(n, classes)
    limit = max(1, parse_memory(memory) // _PPMI_BYTES_PER_VALUE)
    by_class = per_row.sum(axis=0)
    least = 0
    while by_class[least:].sum() > limit:
        least += 1
    if least:
        log.warning(
            "the PPMI matrix keeps the %d values of pairs of weight >= %g (%d of weight below it are left "
            "out) to stay within --memory; give more memory to keep them",
            by_class[least:].sum(), 2.0**least / WEIGHT_SCALE, by_class[:least].sum(),
        )
    # Pass 2: the values in place. Row r gets its values in the order of the table: first from
    # pairs (c, r) with c < r (mirrored), then from pairs (r, c) with c >= r, so the columns of
    # every row come sorted.
    row_counts = per_row[:, least:].sum(axis=1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(row_counts, out=indptr[1:])
    nnz = int(indptr[-1])
    index_type = np.int32 if nnz < 1 << 31 else np.int64
    indices = np.empty(nnz, dtype=index_type)
    data = np.empty(nnz, dtype=np.float32)
    fill = indptr[:-1].copy()

    def place(rows, cols, vals):
        """Put values at the next free places of their rows, in the order given per row."""
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        starts = group_starts(rows)
        rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.append(starts, len(rows))))
        at = fill[rows] + rank
        indices[at] = cols[order]
        data[at] = vals[order]
        fill[rows[starts]] += np.diff(np.append(starts, len(rows)))

    for a, b, count in counts.chunks():
        forward, backward, mirror = values(a, b, count)
        strong = count * WEIGHT_SCALE >= 2.0**least
        # Row r's (r, c) values come after its (c, r) ones (c < r: those pairs sort first), in
        # every piece of the table and across pieces, so each row's columns come sorted.
        keep = mirror & (backward > 0) & strong
        place(b[keep], a[keep], backward[keep])
        keep = (forward > 0) & strong
        place(a[keep], b[keep], forward[keep])
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=(n, n))


#: Bytes of one stored PPMI value: float32 value and int32 column (the row pointers are per word).
_PPMI_BYTES_PER_VALUE = 8


# --------------------------------------------------------------------------- randomized SVD


def randomized_svd(
    matrix,
    rank: int,
    *,
    oversample: int = DEFAULT_OVERSAMPLE,
    power_iterations: int = DEFAULT_POWER_ITERATIONS,
    seed: int = 0,
    jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``rank`` largest singular triplets of a matrix, by random projection.

    Halko, Martinsson & Tropp (2011), algorithms 4.4 and 5.1: ``Y = A @ Omega`` for a Gaussian
    ``Omega`` with ``rank + oversample`` columns, ``power_iterations`` rounds of ``A.T`` and
    ``A`` products, each followed by a factorisation that keeps the columns apart (without it
    they collapse onto the top singular vector in floating point: an LU factor, five times
    cheaper than a QR and as good for this, as scikit-learn does), ``Q`` = an orthonormal basis
    of ``Y`` (QR), then the exact SVD of the small ``Q.T @ A``. The products are scipy.sparse's;
    the arithmetic is in the matrix's precision (float32 for the PPMI matrix, float64
    otherwise), on one BLAS thread (see :func:`_one_blas_thread`).

    Args:
        matrix: a ``scipy.sparse`` matrix or a dense array of shape (m, n).
        rank: singular values wanted (at most ``min(m, n)``).
        oversample: extra random vectors, for accuracy.
        power_iterations: rounds of subspace iteration, for accuracy on slowly decaying spectra.
        seed: the random projection's seed; the same seed gives the same result.
        jobs: threads for the sparse products (None: all CPUs); the result does not depend on it.

    Returns:
        ``(U, S, Vt)`` with shapes (m, rank), (rank,), (rank, n), S descending.

    >>> a = np.outer([1.0, 2, 3], [1.0, 0, 1])
    >>> u, s, vt = randomized_svd(a, 1)
    >>> round(float(s[0]), 6), round(float(np.sqrt(14 * 2)), 6)
    (5.291503, 5.291503)
    """
    import scipy.linalg
    import scipy.sparse

    m, n = matrix.shape
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n)}, not {rank}")
    if scipy.sparse.issparse(matrix):
        a = matrix.tocsr()
        dtype = np.float32 if a.dtype == np.float32 else np.float64
        a = a.astype(dtype, copy=False)
    else:
        a = np.asarray(matrix, dtype=np.float64)
        dtype = np.float64
    width = min(rank + oversample, min(m, n))
    rng = np.random.default_rng(seed)
    with _one_blas_thread(), ThreadPoolExecutor(parallel.capped_jobs(jobs)) as pool:
        dot, tdot = _products(a, pool)
        y = dot(rng.standard_normal((n, width)).astype(dtype))
        for _ in range(power_iterations):
            # Between products the basis only needs to stay well conditioned: an LU factor does
            # that at a fifth of the cost of a QR (scikit-learn's randomized_svd does the same).
            y = dot(_lu_basis(tdot(_lu_basis(y))))
        q = scipy.linalg.qr(y, mode="economic", check_finite=False)[0]
        # The SVD of the small Q.T @ A = (A.T @ Q).T through a QR of the tall A.T @ Q = Q2 R:
        # then Q.T @ A = R.T @ Q2.T, and only the tiny R needs an SVD (a direct SVD of the
        # (width, n) matrix took ten times as long).
        q2, r = scipy.linalg.qr(tdot(q), mode="economic", check_finite=False)
        u_small, s, vt_small = np.linalg.svd(r.T)
        u, vt = q @ u_small, vt_small @ q2.T
    return u[:, :rank], s[:rank], vt[:rank]


#: A sparse matrix is multiplied in this many blocks of rows (of about equal numbers of values),
#: on as many threads as there are CPUs: scipy's products run without the GIL. The number is
#: fixed, not the threads', so that the sums of A.T @ X over the blocks are added in the same
#: order, and give the same floating-point result, whatever -j.
_PRODUCT_BLOCKS = 4


def _products(a, pool: ThreadPoolExecutor):
    """``(x -> A @ x, x -> A.T @ x)``, the sparse ones by blocks of rows on the pool's threads."""
    import scipy.sparse

    if not scipy.sparse.issparse(a) or a.shape[0] < _PRODUCT_BLOCKS:
        at = a.T
        return (lambda x: np.asarray(a @ x)), (lambda x: np.asarray(at @ x))
    cuts = np.searchsorted(a.indptr, np.linspace(0, a.nnz, _PRODUCT_BLOCKS + 1)[1:-1])
    bounds = [0, *cuts.tolist(), a.shape[0]]
    blocks = []
    for lo, hi in zip(bounds, bounds[1:]):
        start, stop = a.indptr[lo], a.indptr[hi]
        # Views of the matrix's values and columns: no copy of the matrix.
        blocks.append((lo, hi, scipy.sparse.csr_matrix(
            (a.data[start:stop], a.indices[start:stop], a.indptr[lo:hi + 1] - start), shape=(hi - lo, a.shape[1])
        )))

    def dot(x):
        out = np.empty((a.shape[0], x.shape[1]), dtype=np.result_type(a.dtype, x.dtype))

        def part(block):
            lo, hi, b = block
            out[lo:hi] = b @ x

        list(pool.map(part, blocks))
        return out

    def tdot(x):
        parts = list(pool.map(lambda block: block[2].T @ x[block[0]:block[1]], blocks))
        total = parts[0]
        for p in parts[1:]:  # always in block order
            total = total + p
        return total

    return dot, tdot


def _lu_basis(y: np.ndarray) -> np.ndarray:
    """A well-conditioned basis of the columns of a tall matrix: the unit lower factor of its LU."""
    import scipy.linalg

    return scipy.linalg.lu(y, permute_l=True, check_finite=False)[0]


def _one_blas_thread():
    """Run BLAS on one thread: the factorisations here are of tall, thin matrices, where threads
    cost more than they give (QR of 20 000 x 110 ten times: 2.8 s on one thread, 30 s on two
    of this 2-core box while other work runs), and one thread gives the same floating-point
    result on every machine whatever its cores, so the graph does not depend on them."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# --------------------------------------------------------------------------- word vectors


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32); zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def word_vectors_from_corpus(
    segmented: Iterable[str],
    vocabulary: Iterable,
    *,
    window: int = DEFAULT_WINDOW,
    dim: int = DEFAULT_DIM,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    power_iterations: int = DEFAULT_POWER_ITERATIONS,
    jobs: int | None = None,
    memory: int | str = defaults.MEMORY,
    tmp_dir: str | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> tuple[list[str], np.ndarray]:
    """Unit word vectors from a segmented corpus: co-occurrences, PPMI, randomized SVD.

    See the module documentation for the method. The vectors are ``U * sqrt(S)`` of the PPMI
    matrix's truncated SVD, rows scaled to unit length; a word without any positive PMI (never
    seen, or only beside words outside the vocabulary) gets a zero row.

    Args:
        segmented: files, directories, globs or ``-`` of segmented text (UTF-8, tokens
            separated by spaces, one sentence per line).
        vocabulary: the words, or ``(word, count)`` pairs (a repeated word keeps its first place).
        window: tokens on each side that count as context (weight 1/distance).
        dim: dimensions (at most the number of words).
        seed: seed of the random projection: same input and seed, same vectors.
        alpha: context-distribution smoothing exponent (1 = plain PPMI).
        power_iterations: subspace iterations of the randomized SVD.
        jobs, memory, tmp_dir, batch_bytes: how co-occurrences are counted (see
            :func:`count_cooccurrences`); ``memory`` also bounds the PPMI matrix (see :func:`ppmi`).
        progress: show a progress bar on stderr (only if it is a TTY).
        engine: where co-occurrences are counted (see :func:`count_cooccurrences`).

    Returns:
        ``(words, vectors)``: the distinct vocabulary words and a float32 array (n, dim).

    Raises:
        InputError: an input is missing or not valid UTF-8 (naming file and line).
        InputError: an empty vocabulary.
        ValueError: an option out of range (see :func:`check_options`).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "seg.txt")
    >>> _ = p.write_text("星澜 发布 澜思\\n澜思 是 模型\\n星澜 发布 模型\\n", encoding="utf-8")
    >>> words, vectors = word_vectors_from_corpus([str(p)], ["星澜", "澜思", "模型", "发布"], dim=2)
    >>> words, vectors.shape, vectors.dtype.name
    (['星澜', '澜思', '模型', '发布'], (4, 2), 'float32')
    """
    check_options(window=window, dim=dim, seed=seed, alpha=alpha)
    counts = count_cooccurrences(
        segmented, vocabulary, window=window, jobs=jobs, memory=memory, tmp_dir=tmp_dir,
        batch_bytes=batch_bytes, progress=progress, engine=engine,
    )
    words = counts.words
    matrix = ppmi(counts, alpha=alpha, memory=memory)
    del counts  # its temporary directory goes now, not after the SVD
    rank = min(dim, len(words))
    u, s, _ = randomized_svd(matrix, rank, power_iterations=power_iterations, seed=seed, jobs=jobs)
    vectors = np.zeros((len(words), dim), dtype=np.float32)
    vectors[:, :rank] = u * np.sqrt(s).astype(u.dtype)
    # A word with an empty PPMI row has a zero row of U in exact arithmetic; QR leaves ~1e-17
    # there, which normalising would blow up into a random direction.
    vectors[np.diff(matrix.indptr) == 0] = 0
    log.info("vectors: %d words, %d dimensions, %d without context", len(words), dim,
             int((np.diff(matrix.indptr) == 0).sum()))
    return words, _unit_rows(vectors)


def read_word2vec_text(path: str) -> tuple[list[str], np.ndarray]:
    """Read word vectors in word2vec's text format (``-binary 0``; gensim's ``save_word2vec_format``).

    The first line is ``count dim``; each next line a word and ``dim`` numbers, separated by
    single spaces (a trailing space, as word2vec writes, is fine). gzip, bzip2 and xz files
    and ``-`` are read too.

    Args:
        path: the file, or ``-`` for standard input.

    Returns:
        ``(words, vectors)``: the words in file order and a float32 array (count, dim), as
        stored (not normalised).

    Raises:
        FormatError: naming file and line: a bad header, a line without a word and ``dim``
            numbers, a number that is not finite, a repeated word, or fewer or more lines
            than the header says. Memory follows the vectors read, never the header's claim.
        InputError: the file is missing or not valid UTF-8 (a binary word2vec file, say).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "vectors.txt")
    >>> _ = p.write_text("2 3\\n星澜 1 0 0\\n澜思 0.5 0.5 0 \\n", encoding="utf-8")
    >>> words, vectors = read_word2vec_text(str(p))
    >>> words, vectors.tolist()
    (['星澜', '澜思'], [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    """
    lines = read_utf8_lines(path)
    try:
        header = next(lines, None)
        if header is None:
            raise FormatError(f"{path}: empty file; expected a word2vec text file ('count dim' first)")
        fields = header.split()
        if len(fields) != 2 or not all(f.isdigit() and f.isascii() for f in fields):
            raise FormatError(
                f"{path}:1: expected the word2vec header 'count dim', found {header[:40]!r}; "
                "is this a word2vec text file (not -binary 1, not GloVe's header-less format)?"
            )
        count, dim = int(fields[0]), int(fields[1])
        if dim < 1:
            raise FormatError(f"{path}:1: dimension must be at least 1, not {dim}")
        words: list[str] = []
        seen: dict[str, int] = {}
        # Rows go into blocks allocated as rows arrive: a header claiming 10**11 words must not
        # allocate them (nor one row of a made-up dimension before a line has that many numbers).
        blocks: list[np.ndarray] = []
        block, filled = np.zeros((0, dim), dtype=np.float32), 0
        block_rows = max(1, _VECTOR_BLOCK_BYTES // (4 * dim))
        lineno = 1
        for lineno, line in enumerate(lines, 2):
            line = line.rstrip("\r\n").rstrip(" ")
            if not line:
                continue
            if len(words) == count:
                raise FormatError(f"{path}:{lineno}: more vectors than the {count} the header announces")
            parts = line.split(" ")
            if len(parts) != dim + 1:
                raise FormatError(
                    f"{path}:{lineno}: expected a word and {dim} numbers separated by single "
                    f"spaces, found {len(parts)} fields"
                )
            word = parts[0]
            if not word:
                raise FormatError(f"{path}:{lineno}: empty word")
            if word in seen:
                raise FormatError(f"{path}:{lineno}: word {word!r} already has a vector on line {seen[word]}")
            try:
                row = np.array(parts[1:], dtype=np.float32)
            except ValueError:
                bad = next(p for p in parts[1:] if not _is_float(p))
                raise FormatError(f"{path}:{lineno}: {bad!r} is not a number") from None
            if not np.isfinite(row).all():
                raise FormatError(f"{path}:{lineno}: vector of {word!r} has a value that is not finite")
            seen[word] = lineno
            if filled == len(block):
                blocks.append(block)
                block, filled = np.empty((min(block_rows, count - len(words)), dim), dtype=np.float32), 0
            block[filled] = row
            filled += 1
            words.append(word)
    finally:
        lines.close()
    if len(words) != count:
        raise FormatError(
            f"{path}:{lineno}: the file ends after {len(words)} vectors, but its header (line 1) announces {count}"
        )
    blocks.append(block[:filled])
    return words, blocks[-1] if len(blocks) == 2 else np.concatenate(blocks)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True)
class WordGraph:
    """Directed weighted edges between words, as parallel arrays of node indices.

    Iterating yields ``(source, target, weight)`` triples of words and floats, by source index
    (the vocabulary's order), then weight descending, then target index.

    >>> g = WordGraph(["猫", "狗"], np.array([0]), np.array([1]), np.array([0.75], np.float32))
    >>> len(g), list(g)
    (1, [('猫', '狗', 0.75)])
    """

    words: list[str]
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[tuple[str, str, float]]:
        words = self.words
        for s, t, w in zip(self.sources.tolist(), self.targets.tolist(), self.weights.tolist()):
            yield words[s], words[t], w


def knn_graph(
    words: Sequence[str],
    vectors: np.ndarray,
    *,
    k: int = DEFAULT_K,
    min_cosine: float = DEFAULT_MIN_COSINE,
    batch: int | None = None,
    jobs: int | None = None,
) -> WordGraph:
    """Link each word to its ``k`` most similar other words with a cosine of at least ``min_cosine``.

    Cosines are computed in blocks of ``batch`` rows (one matrix product each), the ``k`` best
    of a row found with ``np.partition``; equal cosines are ranked by word index, so the
    same vectors give the same graph. Rows that are all zero (words without a vector)
    have no edges, in either direction; a word never links to itself.

    Args:
        words: the node labels, one per row of ``vectors``.
        vectors: (n, dim) array; rows are scaled to unit length here (so any vectors do).
        k: most neighbours per word.
        min_cosine: least cosine of an edge.
        batch: rows per block (None: as many as keep the blocks of cosines of all threads near 32 MB).
        jobs: threads computing blocks at once (None: all CPUs); the graph does not depend on it.

    Returns:
        A :class:`WordGraph`; weights are float32 cosines.

    Raises:
        ValueError: ``words`` and ``vectors`` differ in length, k is below 1, or min_cosine is
            not a number from -1 to 1.

    >>> v = np.array([[1, 0], [1, 0.1], [-1, 0]], dtype=np.float32)
    >>> [(s, t, round(w, 3)) for s, t, w in knn_graph(["新词", "生词", "旧词"], v, k=5, min_cosine=0.9)]
    [('新词', '生词', 0.995), ('生词', '新词', 0.995)]
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(f"{len(words)} words but vectors of shape {vectors.shape}")
    _check_integer("k", k, 1)
    if not -1.0 <= min_cosine <= 1.0:
        raise ValueError(f"min_cosine must be a number from -1 to 1, not {min_cosine!r}")
    unit = _unit_rows(vectors)
    n = len(unit)
    live = np.flatnonzero(unit.any(axis=1))  # rows with a vector; zero rows get no edges
    empty = WordGraph(list(words), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    if len(live) < 2:
        return empty
    candidates = unit[live]
    m = len(live)
    kk = min(k, m - 1)
    threads = parallel.capped_jobs(jobs)
    if batch is None:  # the threads share the budget of cosines
        batch = max(1, _SIMILARITY_ELEMENTS // (m * threads))
    # Cosines are float32: the least float32 that is not below min_cosine, so no edge's weight
    # is below it (0.6 rounds up to 0.6000000238, but a threshold could round down).
    threshold = np.float32(min_cosine)
    if threshold < min_cosine:
        threshold = np.nextafter(threshold, np.float32(np.inf))

    def block(lo: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hi = min(lo + batch, m)
        sims = candidates[lo:hi] @ candidates.T
        np.clip(sims, -1.0, 1.0, out=sims)
        rows = np.arange(hi - lo)
        sims[rows, rows + lo] = -np.inf  # no self-links
        # The kk-th largest cosine of each row: a value (np.partition, no index array), so ties
        # with it are all kept below and ranked by index, whatever sits at the boundary.
        kth = np.partition(sims, m - kk, axis=1)[:, m - kk]
        floor = np.maximum(kth, threshold)
        r, c = np.nonzero(sims >= floor[:, None])
        w = sims[r, c]
        order = np.lexsort((c, -w, r))
        r, c, w = r[order], c[order], w[order]
        # Rank within the row; ties at the boundary can give a row more than kk candidates.
        starts = np.searchsorted(r, r, side="left")
        keep = np.arange(len(r)) - starts < kk
        return live[r[keep] + lo], live[c[keep]], w[keep]

    # Blocks are independent: `jobs` threads take them (numpy's products and partitions run
    # without the GIL), each on one BLAS thread, so threads x BLAS threads stay within the CPUs;
    # map keeps the blocks' order, so the graph does not depend on the threads.
    with _one_blas_thread(), ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(block, range(0, m, batch))) if threads > 1 else [block(lo) for lo in range(0, m, batch)]
    sources, targets, weights = zip(*parts)
    graph = WordGraph(
        list(words),
        np.concatenate(sources).astype(np.int64),
        np.concatenate(targets).astype(np.int64),
        np.concatenate(weights).astype(np.float32),
    )
    log.info("graph: %d nodes, %d edges (k=%d, min_cosine=%g)", n, len(graph), k, min_cosine)
    return graph


def check_options(
    *,
    k: int = DEFAULT_K,
    min_cosine: float = DEFAULT_MIN_COSINE,
    window: int = DEFAULT_WINDOW,
    dim: int = DEFAULT_DIM,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
) -> None:
    """Check the options of :func:`build_graph` (the pipeline checks its steps' options with this
    before the first step runs).

    Raises:
        ValueError: ``k`` or ``dim`` not an integer >= 1, ``min_cosine`` not a number from 0
            to 1 (a link's weight is its cosine: InfoMap's flow needs weights >= 0), ``window``
            not an integer from 1 to :data:`MAX_WINDOW`, ``seed`` not an integer >= 0 (numpy's
            seeds), or ``alpha`` not a finite number > 0.

    >>> check_options(window=1000)
    Traceback (most recent call last):
    ...
    ValueError: window must be an integer from 1 to 100, not 1000
    """
    _check_integer("k", k, 1)
    if not 0.0 <= min_cosine <= 1.0:
        raise ValueError(
            f"min_cosine must be a number from 0 to 1, not {min_cosine!r}: a link's weight is its cosine, "
            "and InfoMap's flow needs weights >= 0"
        )
    _check_integer("window", window, 1, MAX_WINDOW)
    _check_integer("dim", dim, 1)
    _check_integer("seed", seed, 0)
    if not 0.0 < alpha < math.inf:
        raise ValueError(f"alpha must be a finite number > 0, not {alpha!r}")


def _check_integer(name: str, value, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bound}, not {value!r}")


def build_graph(
    segmented: Iterable[str] | None = None,
    vocabulary: Iterable | None = None,
    *,
    vectors_file: str | None = None,
    k: int = DEFAULT_K,
    min_cosine: float = DEFAULT_MIN_COSINE,
    window: int = DEFAULT_WINDOW,
    dim: int = DEFAULT_DIM,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    jobs: int | None = None,
    memory: int | str = defaults.MEMORY,
    tmp_dir: str | None = None,
    progress: bool = False,
    engine: object = defaults.ENGINE,
) -> WordGraph:
    """The word graph of a segmented corpus, or of a word2vec file (``wordmine graph``).

    Args:
        segmented: segmented text (files, directories, globs or ``-``) to compute vectors
            from (:func:`word_vectors_from_corpus`); or None with ``vectors_file``.
        vocabulary: the nodes: words or ``(word, count)`` pairs (for example
            ``read_vocabulary("words.tsv", top=20000)``). Required with ``segmented``; with
            ``vectors_file`` it keeps only these words (those without a vector are dropped),
            and None keeps every word of the file.
        vectors_file: a word2vec text file (:func:`read_word2vec_text`) instead of a corpus.
        k, min_cosine: most neighbours per word and least cosine of an edge (0 to 1: a link's
            weight is its cosine, and InfoMap's flow needs weights >= 0).
        window, dim, seed, alpha: how vectors are computed from ``segmented``.
        jobs, memory, tmp_dir: workers, memory budget and temporary directory of the co-occurrence
            count (see :func:`count_cooccurrences`); the graph does not depend on ``jobs``.
        progress: progress bars on stderr (only if it is a TTY).
        engine: where co-occurrences are counted (see :func:`count_cooccurrences`); the
            vectors and the graph are computed in this process.

    Returns:
        A :class:`WordGraph`.

    Raises:
        ValueError: both or neither of ``segmented`` and ``vectors_file``, ``segmented``
            without a vocabulary, or an option out of range (see :func:`check_options`),
            checked before any input is read.
        InputError, FormatError: unreadable inputs (naming file and line).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "v.txt")
    >>> _ = p.write_text("3 2\\n猫 1 0\\n狗 0.9 0.1\\n车 0 1\\n", encoding="utf-8")
    >>> [(s, t) for s, t, w in build_graph(vectors_file=str(p), vocabulary=["狗", "猫"])]
    [('狗', '猫'), ('猫', '狗')]
    """
    if (segmented is None) == (vectors_file is None):
        raise ValueError("give either segmented text or a vectors file, not both or neither")
    check_options(k=k, min_cosine=min_cosine, window=window, dim=dim, seed=seed, alpha=alpha)
    if vectors_file is not None:
        file_words, vectors = read_word2vec_text(vectors_file)
        if vocabulary is not None:
            wanted, _ = _vocabulary_index(vocabulary)
            row = {w: i for i, w in enumerate(file_words)}
            present = [w for w in wanted if w in row]
            if len(present) < len(wanted):
                log.info("%d of %d vocabulary words have no vector in %s and are left out",
                         len(wanted) - len(present), len(wanted), vectors_file)
            file_words = present
            vectors = vectors[[row[w] for w in present]] if present else vectors[:0]
        words = file_words
    else:
        if vocabulary is None:
            raise ValueError("give the vocabulary (the graph's nodes) with segmented text")
        words, vectors = word_vectors_from_corpus(
            segmented, vocabulary, window=window, dim=dim, seed=seed, alpha=alpha, jobs=jobs, memory=memory,
            tmp_dir=tmp_dir, progress=progress, engine=engine,
        )
    return knn_graph(words, vectors, k=k, min_cosine=min_cosine, jobs=jobs)

