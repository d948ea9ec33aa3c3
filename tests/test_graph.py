"""The word graph: co-occurrences, PPMI, randomized SVD, nearest neighbours, file I/O, end to end."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wordmine
from wordmine.errors import FormatError, InputError
from wordmine.formats import read_vocabulary
import scipy.sparse

from wordmine.graph import (
    WEIGHT_SCALE,
    Cooccurrences,
    build_graph,
    cooccurrence_matrix,
    count_cooccurrences,
    knn_graph,
    ppmi,
    randomized_svd,
    read_word2vec_text,
    word_vectors_from_corpus,
    write_graph,
)

from conftest import ROOT, SAMPLE


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- co-occurrences and PPMI


def test_cooccurrence_counts_by_hand(tmp_path):
    # 模型 . 澜思: distance 2 through a token outside the vocabulary (1/2 each way);
    # 澜思 模型: distance 1 (1 each way); 澜思 澜思: the diagonal gets 1 from each side;
    # the last two lines touch only across a line end, which never counts.
    seg = _write(tmp_path / "seg.txt", "模型 的 澜思\n澜思 模型\n澜思 澜思\n模型\n澜思\n")
    words, m = cooccurrence_matrix([seg], [("澜思", 9), ("模型", 5), ("星澜", 1)], window=2)
    assert words == ["澜思", "模型", "星澜"]
    assert m.toarray().tolist() == [[2.0, 1.5, 0.0], [1.5, 0.0, 0.0], [0.0, 0.0, 0.0]]
    # Window 1 drops the pair at distance 2.
    _, m1 = cooccurrence_matrix([seg], ["澜思", "模型", "星澜"], window=1)
    assert m1.toarray()[0, 1] == 1.0


@pytest.mark.parametrize("options", [dict(jobs=1), dict(jobs=1, batch_bytes=256), dict(jobs=2, batch_bytes=256, memory="4K")])
def test_cooccurrence_batches_workers_and_spills_do_not_change_counts(tmp_path, options):
    rng = np.random.default_rng(1)
    vocab = [f"词{i}" for i in range(30)]
    lines = [" ".join(rng.choice(vocab + ["，", "的"], size=rng.integers(0, 15))) for _ in range(200)]
    seg = _write(tmp_path / "seg.txt", "\n".join(lines) + "\n")
    counts = count_cooccurrences([seg], vocab, window=4, tmp_dir=str(tmp_path), **options)
    # Integer weights: the table is the same, bit for bit, however it was counted and merged.
    reference = count_cooccurrences([seg], vocab, window=4, jobs=1)
    np.testing.assert_array_equal(counts.keys, reference.keys)
    np.testing.assert_array_equal(counts.weights, reference.weights)
    # Brute force: the same weights from plain loops.
    expected = np.zeros((30, 30))
    index = {w: i for i, w in enumerate(vocab)}
    for line in lines:
        tokens = line.split()
        for i, a in enumerate(tokens):
            for d in range(1, 5):
                if i + d < len(tokens) and a in index and tokens[i + d] in index:
                    expected[index[a], index[tokens[i + d]]] += 1 / d
                    expected[index[tokens[i + d]], index[a]] += 1 / d
    np.testing.assert_allclose(counts.matrix().toarray(), expected, rtol=1e-12)
    np.testing.assert_allclose(counts.row_sums(), expected.sum(axis=1), rtol=1e-12)
    # The runs and the merged table live in a temporary directory that goes with the table.
    assert any(p.name.startswith("wordmine-graph-") for p in tmp_path.iterdir())
    del counts
    assert not any(p.name.startswith("wordmine-graph-") for p in tmp_path.iterdir())


def test_distances_past_sixteen_round_to_the_nearest_unit(tmp_path):
    # 1/d is exact in units of 1/720720 up to d = 16; beyond, rounded to the nearest unit.
    line = " ".join(["甲"] + ["的"] * 18 + ["乙"])  # 甲 and 乙 are 19 tokens apart
    counts = count_cooccurrences([_write(tmp_path / "s.txt", line + "\n")], ["甲", "乙"], window=20, jobs=1)
    assert counts.weights.tolist() == [round(WEIGHT_SCALE / 19)]
    assert counts.matrix()[0, 1] == pytest.approx(1 / 19, abs=0.5 / WEIGHT_SCALE)


def test_cooccurrence_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("模型 澜思\n".encode() + b"\xd6\xd0 \xce\xc4\n")
    with pytest.raises(InputError, match=r"bad\.txt:2: not valid UTF-8"):
        cooccurrence_matrix([str(bad)], ["模型"])
    with pytest.raises(InputError, match="no such file"):
        cooccurrence_matrix([str(tmp_path / "missing.txt")], ["模型"])
    with pytest.raises(InputError, match="vocabulary is empty"):
        cooccurrence_matrix([str(bad)], [])


def _table(dense: np.ndarray) -> Cooccurrences:
    """The pair table of a symmetric count matrix (its diagonal holds twice each pair's weight)."""
    n = len(dense)
    a, b = np.nonzero(np.triu(dense))
    weights = np.where(a == b, dense[a, b] / 2, dense[a, b]) * WEIGHT_SCALE
    keys = a.astype(np.uint64) * np.uint64(n) + b.astype(np.uint64)
    return Cooccurrences([f"w{i}" for i in range(n)], keys, np.round(weights).astype(np.uint64))


def test_ppmi_by_hand():
    # Counts [[0, 2], [2, 4]]: D = 8, row and column sums (2, 6).
    counts = _table(np.array([[0.0, 2], [2, 4]]))
    plain = ppmi(counts, alpha=1).toarray()
    # PMI(0,1) = log(2*8 / (2*6)) = log(4/3); PMI(1,1) = log(4*8 / (6*6)) < 0 is dropped.
    assert plain[0, 1] == pytest.approx(math.log(4 / 3), rel=1e-6)
    assert plain[1, 0] == pytest.approx(math.log(4 / 3), rel=1e-6)
    assert plain[1, 1] == 0.0 and ppmi(counts, alpha=1).nnz == 2
    # Smoothed: P_a(c) = c**0.75 / (2**0.75 + 6**0.75).
    smoothed = ppmi(counts, alpha=0.75).toarray()
    z = 2**0.75 + 6**0.75
    assert smoothed[0, 1] == pytest.approx(math.log((2 / 8) / ((2 / 8) * (6**0.75 / z))), rel=1e-6)
    assert smoothed[1, 0] == pytest.approx(math.log((2 / 8) / ((6 / 8) * (2**0.75 / z))), rel=1e-6)
    assert smoothed[1, 1] == pytest.approx(max(0.0, math.log((4 / 8) / ((6 / 8) * (6**0.75 / z)))), abs=1e-6)


@pytest.mark.parametrize("chunk", [1 << 20, 3])
def test_ppmi_matches_dense_formula(monkeypatch, chunk):
    monkeypatch.setattr(Cooccurrences, "CHUNK", chunk)  # pieces of 3 pairs: rows filled across pieces
    rng = np.random.default_rng(2)
    dense = rng.integers(0, 4, size=(12, 12)).astype(float) * (rng.random((12, 12)) < 0.5)
    dense = np.triu(dense) + np.triu(dense, 1).T
    dense[3] = dense[:, 3] = 0  # an empty row stays empty
    got = ppmi(_table(dense), alpha=0.75)
    assert got.dtype == np.float32 and got.has_sorted_indices and got.has_canonical_format
    p_wc = dense / dense.sum()
    p_w = dense.sum(1, keepdims=True) / dense.sum()
    p_c = dense.sum(0) ** 0.75 / (dense.sum(0) ** 0.75).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(dense > 0, np.log(p_wc / (p_w * p_c)), 0)
    np.testing.assert_allclose(got.toarray(), np.maximum(expected, 0), atol=1e-6)
    assert got.nnz == (expected > 0).sum()


def test_ppmi_within_memory_leaves_out_the_rarest_pairs(caplog):
    caplog.set_level("WARNING")  # an earlier CLI test may have left the root logger at ERROR
    # Weights 1, 2 and 8: with room for 2 values, the pairs of weight 1 (and of 2) go first.
    dense = np.array([[0, 1, 0, 0], [1, 0, 2, 0], [0, 2, 0, 8], [0, 0, 8, 0]], dtype=float)
    full = ppmi(_table(dense), alpha=1)
    assert full.nnz == 6
    capped = ppmi(_table(dense), alpha=1, memory=2 * 8)
    assert capped.nnz == 2
    assert np.array_equal(capped.toarray() > 0, (dense == 8) & (full.toarray() > 0))
    np.testing.assert_array_equal(capped.toarray()[dense == 8], full.toarray()[dense == 8])
    assert "left out" in caplog.text and "--memory" in caplog.text


# ---------------------------------------------------------------- SVD


@pytest.mark.parametrize("sparse", [True, False])
def test_randomized_svd_recovers_low_rank(sparse):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((80, 5)) @ np.diag([50, 20, 10, 5, 1]) @ rng.standard_normal((5, 60))
    matrix = a
    if sparse:
        matrix = scipy.sparse.csr_matrix(a)
    u, s, vt = randomized_svd(matrix, 5, seed=7)
    exact = np.linalg.svd(a, compute_uv=False)[:5]
    np.testing.assert_allclose(s, exact, rtol=1e-9)
    np.testing.assert_allclose((u * s) @ vt, a, atol=1e-8)
    np.testing.assert_allclose(u.T @ u, np.eye(5), atol=1e-10)
    # Same seed, same result, bit for bit, whatever the threads of the sparse products.
    u2, s2, _ = randomized_svd(matrix, 5, seed=7, jobs=1)
    u3, s3, _ = randomized_svd(matrix, 5, seed=7, jobs=2)
    np.testing.assert_array_equal(u, u2)
    np.testing.assert_array_equal(s, s2)
    np.testing.assert_array_equal(u2, u3)
    np.testing.assert_array_equal(s2, s3)


def test_randomized_svd_approximates_top_of_full_rank():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((120, 90)) @ np.diag(0.8 ** np.arange(90)) @ rng.standard_normal((90, 90))
    _, s, _ = randomized_svd(a, 10, seed=0)
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False)[:10], rtol=1e-3)
    with pytest.raises(ValueError, match="rank must be between 1 and 90"):
        randomized_svd(a, 91)


def test_word_vectors_are_unit_and_zero_for_unseen(tmp_path):
    seg = _write(tmp_path / "seg.txt", "星澜 发布 澜思\n澜思 是 模型\n星澜 发布 模型\n")
    words, vectors = word_vectors_from_corpus([seg], ["星澜", "澜思", "模型", "发布", "没见过"], dim=3)
    assert words == ["星澜", "澜思", "模型", "发布", "没见过"]
    assert vectors.shape == (5, 3) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:4], axis=1), 1, rtol=1e-6)
    assert not vectors[4].any()


# ---------------------------------------------------------------- nearest neighbours


def _brute_force(vectors, k, min_cosine):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit.astype(np.float64) @ unit.T.astype(np.float64)
    edges = {}
    for i in range(len(unit)):
        order = sorted((j for j in range(len(unit)) if j != i), key=lambda j: (-sims[i, j], j))
        edges[i] = [(j, sims[i, j]) for j in order if sims[i, j] >= min_cosine][:k]
    return edges, sims


@pytest.mark.parametrize("batch", [None, 1, 7, 1000])
def test_knn_matches_brute_force(batch):
    rng = np.random.default_rng(6)
    vectors = rng.standard_normal((300, 6)).astype(np.float32)  # 6 dimensions: many cosines >= 0.6
    words = [f"词{i}" for i in range(300)]
    graph = knn_graph(words, vectors, k=5, min_cosine=0.6, batch=batch)
    expected, sims = _brute_force(vectors, 5, 0.6)
    got: dict[int, list] = {i: [] for i in range(300)}
    for s, t, w in zip(graph.sources.tolist(), graph.targets.tolist(), graph.weights.tolist()):
        got[s].append((t, w))
    assert sum(len(v) for v in expected.values()) > 500  # the threshold is not vacuous
    for i in range(300):
        assert [t for t, _ in got[i]] == [t for t, _ in expected[i]] or (
            # a float32/float64 near-tie at the boundary may swap; the weights must still agree
            np.allclose([w for _, w in got[i]], [w for _, w in expected[i]], atol=1e-6)
        )
        assert all(t != i for t, _ in got[i])
        assert all(w >= 0.6 for _, w in got[i])
        for t, w in got[i]:
            assert w == pytest.approx(sims[i, t], abs=1e-6)
        assert [w for _, w in got[i]] == sorted((w for _, w in got[i]), reverse=True)
    # Triples name the words.
    first = next(iter(graph))
    assert first[0] == words[int(graph.sources[0])] and isinstance(first[2], float)


def test_knn_ties_by_index_and_zero_rows():
    vectors = np.array([[1, 0], [2, 0], [3, 0], [4, 0], [0, 0], [0, 1]], dtype=np.float32)
    words = list("甲乙丙丁戊己")
    graph = knn_graph(words, vectors, k=2, min_cosine=0.0)
    pairs = [(s, t) for s, t, _ in graph]
    # Rows 0..3 are the same direction: each links to the two lowest other indices; the zero
    # row 戊 has no edges either way; 己 is orthogonal to all (cosine 0 >= 0).
    assert pairs == [("甲", "乙"), ("甲", "丙"), ("乙", "甲"), ("乙", "丙"), ("丙", "甲"), ("丙", "乙"),
                     ("丁", "甲"), ("丁", "乙"), ("己", "甲"), ("己", "乙")]
    assert knn_graph(words, vectors, k=2, min_cosine=0.5, batch=1).sources.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="6 words but vectors of shape"):
        knn_graph(words, vectors[:5])


# ---------------------------------------------------------------- files


def test_word2vec_round_trip(tmp_path):
    rng = np.random.default_rng(8)
    words = ["星澜科技", "澜思", "Lite", "济衡医院"]
    vectors = rng.standard_normal((4, 5)).astype(np.float32)
    # As word2vec writes it: a trailing space on every line.
    text = "4 5\n" + "".join(w + " " + " ".join(repr(float(x)) for x in v) + " \n" for w, v in zip(words, vectors))
    got_words, got = read_word2vec_text(_write(tmp_path / "v.txt", text))
    assert got_words == words
    np.testing.assert_array_equal(got, vectors)
    with gzip.open(tmp_path / "v.txt.gz", "wt", encoding="utf-8") as f:
        f.write(text)
    assert read_word2vec_text(str(tmp_path / "v.txt.gz"))[0] == words


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty file"),
        ("星澜 1 2\n", r"v\.txt:1: expected the word2vec header"),
        ("2 3\n星澜 1 2 3\n澜思 1 2\n", r"v\.txt:3: expected a word and 3 numbers .* found 3 fields"),
        ("2 2\n星澜 1 x\n", r"v\.txt:2: 'x' is not a number"),
        ("1 2\n星澜 1 nan\n", r"v\.txt:2: vector of '星澜' has a value that is not finite"),
        ("2 2\n星澜 1 2\n星澜 3 4\n", r"v\.txt:3: word '星澜' already has a vector on line 2"),
        ("3 2\n星澜 1 2\n澜思 3 4\n", r"v\.txt:3: the file ends after 2 vectors, but its header \(line 1\) announces 3"),
        ("3 2\n", r"v\.txt:1: the file ends after 0 vectors, but its header \(line 1\) announces 3"),
        # Before: numpy.core._exceptions._ArrayMemoryError (the header was allocated first).
        ("99999999999 100000\n星澜 1 2\n", r"v\.txt:2: expected a word and 100000 numbers .* found 3 fields"),
        ("99999999999 2\n星澜 1 2\n", r"v\.txt:2: the file ends after 1 vectors, but its header \(line 1\) announces 99999999999"),
        ("2 99999999999\n星澜 1 2\n", r"v\.txt:2: expected a word and 99999999999 numbers"),
        ("1 2\n星澜 1 2\n澜思 3 4\n", r"v\.txt:3: more vectors than the 1"),
    ],
)
def test_word2vec_errors(tmp_path, text, message):
    with pytest.raises(FormatError, match=message):
        read_word2vec_text(_write(tmp_path / "v.txt", text))


def test_word2vec_io_errors(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        read_word2vec_text(str(tmp_path / "missing.txt"))
    (tmp_path / "bin.txt").write_bytes(b"1 2\n\xff\xfe\x00\x01\n")
    with pytest.raises(InputError, match=r"bin\.txt:2: not valid UTF-8"):
        read_word2vec_text(str(tmp_path / "bin.txt"))


def test_write_graph(tmp_path, capsys):
    edges = [("星澜科技", "澜思", np.float32(0.8123456)), ("澜思", "星澜科技", 1.0)]
    out = tmp_path / "g.tsv"
    write_graph(edges, str(out))
    assert out.read_text(encoding="utf-8") == "# source\ttarget\tweight\n星澜科技\t澜思\t0.812346\n澜思\t星澜科技\t1\n"
    write_graph(edges, "-", header=False)
    assert capsys.readouterr().out == "星澜科技\t澜思\t0.812346\n澜思\t星澜科技\t1\n"


def test_build_graph_from_vectors_file(tmp_path):
    path = _write(tmp_path / "v.txt", "4 2\n猫 1 0\n狗 0.9 0.1\n车 0 1\n船 0.1 0.9\n")
    graph = build_graph(vectors_file=path)
    assert [(s, t) for s, t, _ in graph] == [("猫", "狗"), ("狗", "猫"), ("车", "船"), ("船", "车")]
    # The vocabulary chooses and orders the nodes; words without a vector are left out.
    graph = build_graph(vectors_file=path, vocabulary=[("船", 5), ("车", 3), ("飞机", 2)])
    assert graph.words == ["船", "车"] and [(s, t) for s, t, _ in graph] == [("船", "车"), ("车", "船")]
    with pytest.raises(ValueError, match="either segmented text or a vectors file"):
        build_graph(["x.txt"], ["猫"], vectors_file=path)
    with pytest.raises(ValueError, match="either segmented text or a vectors file"):
        build_graph(vocabulary=["猫"])
    with pytest.raises(ValueError, match="give the vocabulary"):
        build_graph(["x.txt"])


# ---------------------------------------------------------------- end to end on data/sample


def test_graph_of_sample_corpus(tmp_path):
    words_tsv = str(tmp_path / "words.tsv")
    wordmine.write_words(wordmine.discover_words([str(SAMPLE)], jobs=1), words_tsv)
    # One segmented file per topic, to know which topic each word belongs to.
    segmented = []
    for source in sorted(SAMPLE.iterdir()):
        out = str(tmp_path / f"{source.stem}.seg")
        wordmine.segment_corpus([str(source)], out, vocabulary=read_vocabulary(words_tsv), jobs=1)
        segmented.append(out)
    vocabulary = read_vocabulary(words_tsv, top=2000)
    k = 50
    graph = build_graph(segmented, vocabulary, k=k, seed=3, jobs=1)
    assert graph.words == [w for w, _ in vocabulary]
    assert len(graph) > 500
    assert graph.weights.min() >= 0.6 and graph.weights.max() <= 1.0
    assert np.bincount(graph.sources).max() <= k
    assert not (graph.sources == graph.targets).any()
    assert len(set(zip(graph.sources.tolist(), graph.targets.tolist()))) == len(graph)

    # Same input and seed: byte-identical files, whatever the workers (co-occurrence counts
    # and kNN blocks; test_cooccurrence_batches_workers_and_spills_do_not_change_counts spills).
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    write_graph(graph, str(first))
    write_graph(build_graph(segmented, vocabulary, k=k, seed=3, jobs=2, tmp_dir=str(tmp_path)), str(second))
    assert first.read_bytes() == second.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("wordmine-graph-")]

    # Neighbours share a topic: give each word the file it occurs in most; most edges join
    # words of one file (measured 0.64-0.66 over seeds 0-4; shuffled targets give 0.13-0.17).
    index = {w: i for i, w in enumerate(graph.words)}
    per_file = np.zeros((len(segmented), len(index)))
    for f, path in enumerate(segmented):
        for token in Path(path).read_text(encoding="utf-8").split():
            if token in index:
                per_file[f, index[token]] += 1
    topic = per_file.argmax(axis=0)
    same = (topic[graph.sources] == topic[graph.targets]).mean()
    assert same > 0.5, same

    # Planted names and terms (absent from jieba) link to planted terms of their own topic:
    # sport teams and a cup, a restaurant and its dishes, a lake and a ridge (measured: 22
    # such edges, all within one file).
    planted = {}
    for line in (ROOT / "data" / "planted_terms.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        term, source, _ = line.split("\t")
        planted[term] = source
    links = [(s, t) for s, t, _ in graph if s in planted and t in planted]
    assert len(links) >= 5, links
    assert sum(planted[s] == planted[t] for s, t in links) >= 0.9 * len(links), links


# ---------------------------------------------------------------- bounds, inputs, one home for the file format


def test_word2vec_rows_in_many_blocks(tmp_path, monkeypatch):
    # Rows go into blocks as they are read (never an array of the header's size): many small
    # blocks give the same array as one.
    import sys

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((7, 3)).astype(np.float32)
    text = "7 3\n" + "".join(f"词{i} " + " ".join(repr(float(x)) for x in v) + "\n" for i, v in enumerate(vectors))
    path = _write(tmp_path / "v.txt", text)
    monkeypatch.setattr(sys.modules["wordmine.graph"], "_VECTOR_BLOCK_BYTES", 2 * 3 * 4)  # 2 rows a block
    words, got = read_word2vec_text(path)
    assert words == [f"词{i}" for i in range(7)] and got.dtype == np.float32
    np.testing.assert_array_equal(got, vectors)
    assert read_word2vec_text(_write(tmp_path / "none.txt", "0 4\n"))[1].shape == (0, 4)


def test_word2vec_from_stdin_and_xz(tmp_path, monkeypatch):
    import io
    import lzma
    import sys

    text = "2 2\n星澜 1 0\n澜思 0 1\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert read_word2vec_text("-")[0] == ["星澜", "澜思"]
    with lzma.open(tmp_path / "v.txt.xz", "wt", encoding="utf-8") as f:
        f.write(text)
    assert read_word2vec_text(str(tmp_path / "v.txt.xz"))[1].tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_cooccurrences_from_compressed_text_and_stdin(tmp_path, monkeypatch):
    import bz2
    import io
    import sys

    text = "星澜 发布 了 澜思\n澜思\n"
    plain = _write(tmp_path / "seg.txt", text)
    with bz2.open(tmp_path / "seg.txt.bz2", "wt", encoding="utf-8") as f:
        f.write(text)
    expected = cooccurrence_matrix([plain], ["澜思", "星澜"], window=3)[1].toarray()
    packed = cooccurrence_matrix([str(tmp_path / "seg.txt.bz2")], ["澜思", "星澜"], window=3)[1].toarray()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    piped = cooccurrence_matrix(["-"], ["澜思", "星澜"], window=3)[1].toarray()
    assert packed.tolist() == piped.tolist() == expected.tolist() != np.zeros((2, 2)).tolist()


def test_the_window_is_bounded(tmp_path):
    # Before: `graph --window 100000` on a 245 KB corpus ran past 300 s. The bound is checked
    # before any input is read (the segmented file here does not exist).
    from wordmine.graph import MAX_WINDOW, check_options

    assert MAX_WINDOW == 100
    for window in (0, MAX_WINDOW + 1, 100_000):
        with pytest.raises(ValueError, match=f"window must be an integer from 1 to 100, not {window}"):
            build_graph([str(tmp_path / "missing.seg")], ["猫"], window=window)
        with pytest.raises(ValueError, match="window must be an integer from 1 to 100"):
            cooccurrence_matrix([str(tmp_path / "missing.seg")], ["猫"], window=window)
        with pytest.raises(ValueError, match="window must be an integer from 1 to 100"):
            check_options(window=window)
    # The widest window counts what a window of the longest line's length counts.
    seg = _write(tmp_path / "seg.txt", "甲 乙 丙 的 丁\n丁 甲\n")
    words = ["甲", "乙", "丙", "丁"]
    widest = cooccurrence_matrix([seg], words, window=MAX_WINDOW)[1].toarray()
    assert widest.tolist() == cooccurrence_matrix([seg], words, window=4)[1].toarray().tolist()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"k": 0}, "k must be an integer >= 1, not 0"),
        ({"k": 2.5}, "k must be an integer >= 1, not 2.5"),
        ({"min_cosine": float("nan")}, "min_cosine must be a number from 0 to 1, not nan"),
        ({"min_cosine": -0.5}, "min_cosine must be a number from 0 to 1, not -0.5: a link's weight is its cosine"),
        ({"min_cosine": 1.5}, "min_cosine must be a number from 0 to 1, not 1.5"),
        ({"dim": 0}, "dim must be an integer >= 1, not 0"),
        ({"seed": -1}, "seed must be an integer >= 0, not -1"),
        ({"alpha": 0}, "alpha must be a finite number > 0, not 0"),
        ({"alpha": float("inf")}, "alpha must be a finite number > 0, not inf"),
    ],
)
def test_graph_options_are_checked_before_reading(tmp_path, options, message):
    # Each would have failed late (seed -1: after the co-occurrences), given made-up output
    # (min_cosine nan: no links; below 0: links that `wordmine cluster` refuses), or worse.
    from wordmine.graph import check_options

    with pytest.raises(ValueError, match=message):
        check_options(**options)
    with pytest.raises(ValueError, match=message):
        build_graph([str(tmp_path / "missing.seg")], ["猫"], **options)


def test_knn_graph_refuses_a_min_cosine_that_is_not_a_cosine():
    vectors = np.array([[1, 0], [0.8, 0.6]], dtype=np.float32)
    for bad in (float("nan"), -1.5, 2.0):
        with pytest.raises(ValueError, match="min_cosine must be a number from -1 to 1"):
            knn_graph(["猫", "狗"], vectors, min_cosine=bad)


def test_the_graph_file_format_has_one_home():
    import wordmine.formats
    import wordmine.graph

    assert wordmine.write_graph is wordmine.formats.write_graph is wordmine.graph.write_graph is write_graph
    assert wordmine.graph.GRAPH_HEADER is wordmine.formats.GRAPH_HEADER
    assert wordmine.formats.table_kind(wordmine.formats.GRAPH_HEADER) == "a word graph (wordmine graph)"
    assert "def write_graph" not in Path(wordmine.graph.__file__).read_text(encoding="utf-8")
    assert "GRAPH_HEADER =" not in Path(wordmine.graph.__file__).read_text(encoding="utf-8")


def test_written_graphs_read_back(tmp_path):
    # write_graph and read_graph_links (the parser of wordmine.read_graph) agree.
    from wordmine.formats import read_graph_links

    edges = [("星澜科技", "澜思", 0.8123456), ("澜思", "济衡医院", 1.0), ("新 词", "#标签", 0.25)]
    path = tmp_path / "g.tsv"
    for header in (True, False):
        write_graph(edges, str(path), header=header)
        chunks = list(read_graph_links(str(path)))
        labels = [label for new, *_ in chunks for label in new]
        rows = [(labels[s], labels[t], w) for _, src, dst, wt in chunks for s, t, w in zip(src.tolist(), dst.tolist(), wt.tolist())]
        assert rows == [("星澜科技", "澜思", 0.812346), ("澜思", "济衡医院", 1.0), ("新 词", "#标签", 0.25)]


_LABELS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6) | st.sampled_from(["#词", "*词", "\ufeff词", "词\t频", "词\n", "", "新词"])


@settings(max_examples=300, deadline=None)
@given(
    edges=st.lists(st.tuples(_LABELS, _LABELS, st.floats(min_value=0, max_value=1e300) | st.just(0.0)), max_size=6),
    header=st.booleans(),
)
def test_write_graph_writes_only_what_read_graph_links_reads_back(tmp_path_factory, edges, header):
    from wordmine.formats import format_float, read_graph_links

    path = tmp_path_factory.mktemp("g") / "g.tsv"
    try:
        write_graph(edges, str(path), header=header)
    except ValueError as err:
        assert "cannot be read back" in str(err)
        assert any(
            not a or not b or any(c in a + b for c in "\t\n") or a.startswith(("#", "*")) or (i == 0 and not header and a.startswith("\ufeff"))
            for i, (a, b, _) in enumerate(edges)
        )
        assert not path.exists()
        return
    chunks = list(read_graph_links(str(path), allow_empty=True))
    labels = [label for new, *_ in chunks for label in new]
    rows = [(labels[s], labels[t], w) for _, src, dst, wt in chunks for s, t, w in zip(src.tolist(), dst.tolist(), wt.tolist())]
    assert rows == [(a, b, float(format_float(w))) for a, b, w in edges if float(format_float(w)) > 0]


def test_write_graph_refuses_weights_read_graph_refuses(tmp_path):
    for weight in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"link '猫' -> '狗': weight .* is not a finite number >= 0"):
            write_graph([("猫", "狗", weight)], str(tmp_path / "g.tsv"))
    assert not (tmp_path / "g.tsv").exists()
