"""The word graph that InfoMap clusters: each word links to its most similar words.

A node is a vocabulary word; it links to at most ``k`` (50) other words whose cosine similarity
to it is at least ``min_cosine`` (0.6), weighted by that cosine. The graph is directed: ``a``
may be among ``b``'s nearest words without ``b`` being among ``a``'s.

The word vectors come from a user's word2vec text file (:func:`read_word2vec_text`) or from a
segmented corpus (:func:`word_vectors_from_corpus`), by the count-based recipe of Levy, Goldberg
& Dagan, "Improving distributional similarity with lessons learned from word embeddings"
(TACL 2015), all in numpy:

1. Co-occurrence counts (:func:`cooccurrence_matrix`): two vocabulary words ``d <= window``
   tokens apart on one line add ``1/d`` (GloVe's harmonic weighting: near words say more), in
   both directions, so the matrix is symmetric. Tokens outside the vocabulary keep their place
   (they count in ``d``) but add nothing. Batches of lines become pairs of token ids, packed into
   ``uint64`` keys, sorted and counted; the batch tables are merged as they come, so memory
   follows the distinct pairs, not the corpus.
2. Positive PMI with context-distribution smoothing (:func:`ppmi`): ``max(0, log(P(w, c) /
   (P(w) P_a(c))))`` where ``P_a(c)`` is ``count(c)**alpha`` normalised, alpha = 0.75 (Levy et
   al.; word2vec's negative sampling uses the same power). It lowers the PMI of rare contexts,
   which plain PMI over-rates.
3. Truncated SVD of the sparse PPMI matrix (:func:`randomized_svd`, Halko, Martinsson & Tropp,
   "Finding structure with randomness", SIAM Review 2011): random projection, power iterations
   with QR re-orthonormalisation, QR, and the SVD of the small projected matrix. The sparse
   products are written with ``np.bincount`` (:class:`CSRMatrix`): no scipy.
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

import functools
import logging
import math
import numbers
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from . import defaults
from .errors import FormatError, InputError
from .files import expand_inputs, read_utf8_lines
# The graph file format lives in formats; these names stay here for callers of wordmine.graph.
from .formats import GRAPH_HEADER, write_graph  # noqa: F401
from .keys import group_starts

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_DIM",
    "DEFAULT_K",
    "DEFAULT_MIN_COSINE",
    "DEFAULT_SEED",
    "DEFAULT_WINDOW",
    "MAX_WINDOW",
    "CSRMatrix",
    "WordGraph",
    "build_graph",
    "check_options",
    "cooccurrence_matrix",
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
#: Tokens per counting batch: ~1M tokens make ~10M pair keys at window 5, ~100 MB of arrays.
DEFAULT_BATCH_TOKENS = 1 << 20
#: read_word2vec_text reads rows into blocks of this many bytes (16 MB: 40 000 rows of 100
#: dimensions), so that memory follows the rows read, whatever the header says.
_VECTOR_BLOCK_BYTES = 1 << 24
#: Cosines computed at once in knn_graph: 2**23 float32 values are 32 MB (the block, its
#: partitioned copy and its mask stay under 100 MB).
_SIMILARITY_ELEMENTS = 1 << 23


# --------------------------------------------------------------------------- sparse matrices


@dataclass(frozen=True)
class CSRMatrix:
    """A sparse matrix in compressed sparse row form, with the two products the SVD needs.

    ``indptr`` (int64, rows + 1), ``indices`` (int64 column of each value, sorted within a row),
    ``data`` (float64), ``shape``: the layout of scipy's ``csr_matrix``, without scipy.

    >>> m = CSRMatrix.from_coo(np.array([0, 0, 2]), np.array([0, 2, 1]), np.array([1.0, 2, 3]), (3, 3))
    >>> m.toarray().tolist()
    [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0]]
    >>> m.dot(np.ones((3, 1))).ravel().tolist(), m.transpose().dot(np.ones((3, 1))).ravel().tolist()
    ([3.0, 0.0, 3.0], [1.0, 3.0, 2.0])
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_coo(cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> CSRMatrix:
        """Build from coordinates (no repeated ``(row, col)``; any order)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        order = np.lexsort((cols, rows))
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
        return cls(indptr, cols[order], np.asarray(values, dtype=np.float64)[order], (int(shape[0]), int(shape[1])))

    @property
    def nnz(self) -> int:
        """Number of stored values."""
        return len(self.data)

    def row_ids(self) -> np.ndarray:
        """The row of each stored value."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))

    def transpose(self) -> CSRMatrix:
        """The transposed matrix, in CSR form."""
        return CSRMatrix.from_coo(self.indices, self.row_ids(), self.data, (self.shape[1], self.shape[0]))

    def toarray(self) -> np.ndarray:
        """A dense copy (for tests and small matrices)."""
        out = np.zeros(self.shape, dtype=self.data.dtype)
        out[self.row_ids(), self.indices] = self.data
        return out

    def dot(self, x: np.ndarray) -> np.ndarray:
        """The product with a dense matrix ``x`` of shape (columns, r).

        One ``np.bincount`` per column of ``x``: the values times the entries of ``x`` they
        meet, added up per row. Memory is a few arrays of ``nnz`` values, whatever ``r``; a
        product of the whole (nnz, r) gather with ``np.add.reduceat`` measured 3-5x slower
        (it allocates and writes nnz x r values).
        """
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[0] != self.shape[1]:
            raise ValueError(f"cannot multiply a {self.shape} matrix by one of shape {x.shape}")
        rows = self._rows
        columns = np.ascontiguousarray(x.T)
        out = np.empty((x.shape[1], self.shape[0]), dtype=np.float64)
        for j, column in enumerate(columns):
            out[j] = np.bincount(rows, weights=self.data * column[self.indices], minlength=self.shape[0])
        return out.T

    @functools.cached_property
    def _rows(self) -> np.ndarray:
        return self.row_ids()


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


def _reduce(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort keys and add the weights of equal keys (keys.sort_reduce adds integer counts)."""
    if len(keys) == 0:
        return keys, weights
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = group_starts(keys)
    return keys[starts], np.add.reduceat(weights[order], starts)


def _count_batch(ids: np.ndarray, n: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic co-occurrence weights of ordered pairs (left, right) in one batch of token ids.

    ``ids`` holds the batch's lines joined with ``window`` ids of -1 between them, so no window
    crosses a line; -1 also stands for tokens outside the vocabulary.
    """
    radix = np.uint64(window)
    keys = []
    for d in range(1, window + 1):
        left, right = ids[:-d], ids[d:]
        both = (left >= 0) & (right >= 0)
        pair = left[both].astype(np.uint64) * np.uint64(n) + right[both].astype(np.uint64)
        # The distance goes into the key's last digit, so one sort counts every (pair, d).
        keys.append(pair * radix + np.uint64(d - 1))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.float64)
    keys = np.sort(np.concatenate(keys))
    if len(keys) == 0:
        return keys, np.zeros(0, np.float64)
    starts = group_starts(keys)
    counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
    keys = keys[starts]
    distance = (keys % radix).astype(np.float64) + 1.0
    pairs = keys // radix
    # Sorting by (pair, d) sorted the pairs too: add up their distances' weights in place.
    starts = group_starts(pairs)
    return pairs[starts], np.add.reduceat(counts / distance, starts)


class _Totals:
    """Running (pair key -> weight) table, merged geometrically so the cost stays linear."""

    def __init__(self):
        self.keys = np.zeros(0, np.uint64)
        self.weights = np.zeros(0, np.float64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_size = 0

    def add(self, keys: np.ndarray, weights: np.ndarray) -> None:
        self.pending.append((keys, weights))
        self.pending_size += len(keys)
        # Merge once the pending tables outgrow the total (and a floor of 4M rows), so each row
        # is re-sorted O(log batches) times rather than once per batch.
        if self.pending_size > max(len(self.keys), 1 << 22):
            self.merge()

    def merge(self) -> tuple[np.ndarray, np.ndarray]:
        if self.pending:
            self.keys, self.weights = _reduce(
                np.concatenate([self.keys] + [k for k, _ in self.pending]),
                np.concatenate([self.weights] + [w for _, w in self.pending]),
            )
            self.pending, self.pending_size = [], 0
        return self.keys, self.weights


def cooccurrence_matrix(
    segmented: Iterable[str],
    vocabulary: Iterable,
    *,
    window: int = DEFAULT_WINDOW,
    batch_tokens: int = DEFAULT_BATCH_TOKENS,
    progress: bool = False,
) -> tuple[list[str], CSRMatrix]:
    """Windowed co-occurrence weights of vocabulary words in segmented text.

    Two vocabulary words ``d`` tokens apart on one line (``1 <= d <= window``) add ``1/d`` to
    both ``(a, b)`` and ``(b, a)``; a word next to itself adds ``2/d`` to its diagonal cell.
    Other tokens keep their place but add nothing.

    Args:
        segmented: files, directories, globs or ``-`` of segmented text (UTF-8, one sentence
            per line, tokens separated by spaces: what ``wordmine segment`` writes), streamed.
        vocabulary: the words (or ``(word, count)`` pairs, as
            :func:`wordmine.formats.read_vocabulary` returns); row ``i`` is the ``i``-th
            distinct word.
        window: tokens on each side that count as context, 1 to :data:`MAX_WINDOW`.
        batch_tokens: tokens counted at once (memory: ~10 bytes x window per token).
        progress: show a progress bar (lines) on stderr, only if it is a TTY.

    Returns:
        ``(words, matrix)``: the distinct words and the symmetric (n, n) weight matrix.

    Raises:
        InputError: an input is missing or not valid UTF-8 (naming file and line).
        InputError: an empty vocabulary, or one too large for 64-bit pair keys.
        ValueError: a window outside 1 to :data:`MAX_WINDOW`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "seg.txt")
    >>> _ = p.write_text("星澜 发布 了 澜思\\n澜思\\n", encoding="utf-8")
    >>> words, m = cooccurrence_matrix([str(p)], ["澜思", "星澜"], window=3)
    >>> m.toarray().tolist()
    [[0.0, 0.3333333333333333], [0.3333333333333333, 0.0]]
    """
    from tqdm import tqdm

    _check_integer("window", window, 1, MAX_WINDOW)
    words, index = _vocabulary_index(vocabulary)
    n = len(words)
    if n == 0:  # bad data (an empty word table), not a bad argument: exit 1 on the command line
        raise InputError("the vocabulary is empty; give the words that are the graph's nodes")
    if n * n * window >= 1 << 64:
        raise InputError(f"{n} words do not fit a 64-bit pair key; use a smaller vocabulary (--top)")
    totals = _Totals()
    separator = [-1] * window
    get = index.get
    ids: list[int] = []
    lines = 0
    bar = tqdm(unit=" lines", desc="co-occurrences", file=sys.stderr, disable=None if progress else True, leave=False)
    with bar:
        for name in expand_inputs(segmented):
            for line in read_utf8_lines(name):
                ids.extend([get(token, -1) for token in line.split()])
                ids.extend(separator)
                lines += 1
                if len(ids) >= batch_tokens:
                    totals.add(*_count_batch(np.array(ids, dtype=np.int64), n, window))
                    bar.update(lines)
                    ids, lines = [], 0
        if ids:
            totals.add(*_count_batch(np.array(ids, dtype=np.int64), n, window))
            bar.update(lines)
    keys, weights = totals.merge()
    # Count each pair once from each side: add the transposed table.
    transposed = (keys % np.uint64(n)) * np.uint64(n) + keys // np.uint64(n)
    keys, weights = _reduce(np.concatenate([keys, transposed]), np.concatenate([weights, weights]))
    rows = (keys // np.uint64(n)).astype(np.int64)
    cols = (keys % np.uint64(n)).astype(np.int64)
    log.info("co-occurrences: %d words, %d distinct pairs", n, len(keys))
    return words, CSRMatrix.from_coo(rows, cols, weights, (n, n))


def ppmi(counts: CSRMatrix, *, alpha: float = DEFAULT_ALPHA) -> CSRMatrix:
    """Positive pointwise mutual information of a co-occurrence matrix, with smoothing.

    ``PPMI(w, c) = max(0, log(P(w, c) / (P(w) * P_a(c))))`` with ``P(w, c) = #(w, c) / D``,
    ``P(w) = #(w) / D`` (row sums, D the total) and ``P_a(c) = #(c)**alpha / sum_c #(c)**alpha``
    (column sums): context-distribution smoothing (Levy et al. 2015); ``alpha=1`` is plain PMI.
    Only positive values are stored.

    >>> c = CSRMatrix.from_coo(np.array([0, 1, 1]), np.array([1, 0, 1]), np.array([2.0, 2, 4]), (2, 2))
    >>> ppmi(c, alpha=1).toarray().round(4).tolist()   # log(2 * 8 / (2 * 6)) = log(4/3)
    [[0.0, 0.2877], [0.2877, 0.0]]
    """
    rows = counts.row_ids()
    row_sums = np.bincount(rows, weights=counts.data, minlength=counts.shape[0])
    col_sums = np.bincount(counts.indices, weights=counts.data, minlength=counts.shape[1])
    total = counts.data.sum()
    if total <= 0:
        return CSRMatrix.from_coo(np.zeros(0), np.zeros(0), np.zeros(0), counts.shape)
    smoothed = col_sums**alpha
    # log P(w,c) - log P(w) - log P_a(c): the D of P(w, c) and of P(w) cancel.
    values = (
        np.log(counts.data)
        - np.log(row_sums[rows])
        - np.log(smoothed[counts.indices])
        + np.log(smoothed.sum())
    )
    keep = values > 0
    return CSRMatrix.from_coo(rows[keep], counts.indices[keep], values[keep], counts.shape)


# --------------------------------------------------------------------------- randomized SVD


def randomized_svd(
    matrix: CSRMatrix | np.ndarray,
    rank: int,
    *,
    oversample: int = DEFAULT_OVERSAMPLE,
    power_iterations: int = DEFAULT_POWER_ITERATIONS,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``rank`` largest singular triplets of a matrix, by random projection.

    Halko, Martinsson & Tropp (2011), algorithms 4.4 and 5.1: ``Y = A @ Omega`` for a Gaussian
    ``Omega`` with ``rank + oversample`` columns, ``power_iterations`` rounds of ``A.T`` and
    ``A`` products, each followed by a QR factorisation (without it the columns collapse onto
    the top singular vector in floating point), ``Q`` = an orthonormal basis of ``Y``, then the
    exact SVD of the small ``Q.T @ A``.

    Args:
        matrix: a :class:`CSRMatrix` or a dense array of shape (m, n).
        rank: singular values wanted (at most ``min(m, n)``).
        oversample: extra random vectors, for accuracy.
        power_iterations: rounds of subspace iteration, for accuracy on slowly decaying spectra.
        seed: the random projection's seed; the same seed gives the same result.

    Returns:
        ``(U, S, Vt)`` with shapes (m, rank), (rank,), (rank, n), S descending.

    >>> a = np.outer([1.0, 2, 3], [1.0, 0, 1])
    >>> u, s, vt = randomized_svd(a, 1)
    >>> round(float(s[0]), 6), round(float(np.sqrt(14 * 2)), 6)
    (5.291503, 5.291503)
    """
    m, n = matrix.shape
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be between 1 and {min(m, n)}, not {rank}")
    if isinstance(matrix, CSRMatrix):
        transposed = matrix.transpose()
        dot, tdot = matrix.dot, transposed.dot
    else:
        a = np.asarray(matrix, dtype=np.float64)
        dot, tdot = a.__matmul__, a.T.__matmul__
    width = min(rank + oversample, min(m, n))
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(dot(rng.standard_normal((n, width))))
    for _ in range(power_iterations):
        z, _ = np.linalg.qr(tdot(q))
        q, _ = np.linalg.qr(dot(z))
    small = tdot(q).T  # Q.T @ A, shape (width, n)
    u_small, s, vt = np.linalg.svd(small, full_matrices=False)
    return (q @ u_small)[:, :rank], s[:rank], vt[:rank]


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
    batch_tokens: int = DEFAULT_BATCH_TOKENS,
    progress: bool = False,
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
        batch_tokens: tokens counted at once.
        progress: show a progress bar on stderr (only if it is a TTY).

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
    words, counts = cooccurrence_matrix(
        segmented, vocabulary, window=window, batch_tokens=batch_tokens, progress=progress
    )
    matrix = ppmi(counts, alpha=alpha)
    rank = min(dim, len(words))
    u, s, _ = randomized_svd(matrix, rank, power_iterations=power_iterations, seed=seed)
    vectors = np.zeros((len(words), dim), dtype=np.float32)
    vectors[:, :rank] = u * np.sqrt(s)
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
        batch: rows per block (None: as many as keep the block of cosines near 32 MB).

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
    if batch is None:
        batch = max(1, _SIMILARITY_ELEMENTS // m)
    # Cosines are float32: the least float32 that is not below min_cosine, so no edge's weight
    # is below it (0.6 rounds up to 0.6000000238, but a threshold could round down).
    threshold = np.float32(min_cosine)
    if threshold < min_cosine:
        threshold = np.nextafter(threshold, np.float32(np.inf))
    sources, targets, weights = [], [], []
    for lo in range(0, m, batch):
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
        sources.append(live[r[keep] + lo])
        targets.append(live[c[keep]])
        weights.append(w[keep])
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
    progress: bool = False,
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
        progress: progress bars on stderr (only if it is a TTY).

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
            segmented, vocabulary, window=window, dim=dim, seed=seed, alpha=alpha, progress=progress
        )
    return knn_graph(words, vectors, k=k, min_cosine=min_cosine)

