"""`wordmine graph`: the word graph from word2vec vectors or segmented text, options and errors."""

from __future__ import annotations

import pytest

from conftest import ANIMALS, VEHICLES
from wordmine import graph as graph_module
from wordmine.cli import cli

VECTORS = "4 2\n猫 1 0\n狗 0.9 0.1\n车 0 1\n船 0.1 0.9\n"
# cos(猫, 狗) = 0.9 / sqrt(0.82) = 0.993884; cos(猫, 船) = 0.1 / sqrt(0.82) = 0.110432;
# cos(狗, 船) = 0.18 / 0.82 = 0.219512
EDGES = ["猫\t狗\t0.993884", "狗\t猫\t0.993884", "车\t船\t0.993884", "船\t车\t0.993884"]


@pytest.fixture
def vectors(tmp_path):
    path = tmp_path / "vectors.txt"
    path.write_text(VECTORS, encoding="utf-8")
    return path


def test_graph_from_vectors(runner, vectors):
    result = runner.invoke(cli, ["graph", "--vectors", str(vectors)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["# source\ttarget\tweight", *EDGES]
    assert result.stderr == ""


def test_vocab_top_k_min_cosine_and_no_header(runner, vectors, tmp_path):
    vocab = tmp_path / "v.dict"
    vocab.write_text("船 9\n猫 5\n狗 3\n车 1\n", encoding="utf-8")  # a jieba dictionary: nodes in this order
    result = runner.invoke(cli, ["graph", "--vectors", str(vectors), "--vocab", str(vocab), "--top", "3", "--no-header", "--min-cosine", "0.1"])
    assert result.stdout.splitlines() == ["船\t狗\t0.219512", "船\t猫\t0.110432", "猫\t狗\t0.993884", "猫\t船\t0.110432", "狗\t猫\t0.993884", "狗\t船\t0.219512"]
    result = runner.invoke(cli, ["graph", "--vectors", str(vectors), "--vocab", str(vocab), "-k", "1", "--min-cosine", "0.1", "--no-header"])
    assert result.stdout.splitlines() == ["船\t车\t0.993884", "猫\t狗\t0.993884", "狗\t猫\t0.993884", "车\t船\t0.993884"]


def test_defaults_are_the_library_constants(runner):
    help_text = runner.invoke(cli, ["graph", "-h"]).stdout
    for option, value in [("-k", graph_module.DEFAULT_K), ("--min-cosine", graph_module.DEFAULT_MIN_COSINE),
                          ("--window", graph_module.DEFAULT_WINDOW), ("--dim", graph_module.DEFAULT_DIM)]:
        param = next(p for p in cli.commands["graph"].params if option in p.opts)
        assert param.default == value, option
    assert "[default: 50; x>=1]" in help_text and "Example:" in help_text


@pytest.mark.parametrize("stdin", [False, True])
def test_graph_from_segmented_text_file_or_stdin(runner, two_topics, tmp_path, stdin):
    seg, vocab = two_topics
    out = tmp_path / "graph.tsv"
    args = ["graph", "--vocab", str(vocab), "--dim", "4", "-k", "3", "-q", "-o", str(out)]
    if stdin:
        result = runner.invoke(cli, [*args, "-"], input=seg.read_bytes())
    else:
        result = runner.invoke(cli, [*args, str(seg)])
    assert result.exit_code == 0, result.output
    assert result.stdout == result.stderr == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# source\ttarget\tweight"
    edges = [line.split("\t") for line in lines[1:]]
    assert len(edges) == 36  # 12 words with 3 neighbours each, all above 0.6 here
    assert [s for s, _, _ in edges] == [w for w in ANIMALS + VEHICLES for _ in range(3)]
    assert all(0.6 <= float(w) <= 1 and s != t for s, t, w in edges)
    # Neighbours are words of the same topic.
    assert all((s in ANIMALS) == (t in ANIMALS) for s, t, _ in edges)


def test_same_seed_same_bytes_and_no_inputs_reads_stdin(runner, two_topics):
    seg, vocab = two_topics
    a = runner.invoke(cli, ["graph", str(seg), "--vocab", str(vocab), "--seed", "3"])
    b = runner.invoke(cli, ["graph", "--vocab", str(vocab), "--seed", "3"], input=seg.read_bytes())
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout and len(a.stdout.splitlines()) > 12


def test_jobs_memory_and_tmp_dir_do_not_change_the_graph(runner, two_topics, tmp_path):
    seg, vocab = two_topics
    tmp = tmp_path / "runs"
    tmp.mkdir()
    outputs = []
    for options in (["-j", "1"], ["-j", "2", "--memory", "64M", "--tmp-dir", str(tmp)]):
        out = tmp_path / f"graph{len(outputs)}.tsv"
        result = runner.invoke(cli, ["graph", str(seg), "--vocab", str(vocab), "-q", "-o", str(out), *options])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) > 12
    assert list(tmp.iterdir()) == []  # the sorted runs are gone


def test_empty_graph_warns_and_writes_the_header(runner, vectors, tmp_path):
    out = tmp_path / "g.tsv"
    result = runner.invoke(cli, ["graph", "--vectors", str(vectors), "--min-cosine", "0.999", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == "# source\ttarget\tweight\n"
    assert "WARNING: the graph has no links: no two of its 4 words have a cosine of 0.999" in result.stderr
    result = runner.invoke(cli, ["graph", "--vectors", str(vectors), "--min-cosine", "0.999", "-q"])
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["x.seg", "--vectors", "VECTORS"], "give segmented text (INPUTS) or --vectors, not both"),
        (["x.seg"], "--vocab is required with segmented text"),
        (["--vectors", "VECTORS", "--top", "2"], "--top needs --vocab"),
        (["--vectors", "VECTORS", "-k", "0"], "Invalid value for '-k'"),
        (["--vectors", "VECTORS", "--min-cosine", "1.5"], "Invalid value for '--min-cosine'"),
        (["--vectors", "missing.txt"], "'missing.txt' does not exist"),
        # Before: past 300 s on a 245 KB corpus. (The message is the library's, or click's
        # once the option is an IntRange: either names the window.)
        (["-", "--vocab", "WORDS", "--window", "100000"], "window"),
        (["--vectors", "VECTORS", "--min-cosine", "-0.5"], "min"),  # negative weights: cluster refuses them
        (["--vectors", "VECTORS", "--min-cosine", "nan"], "min"),
    ],
)
def test_bad_usage_exits_2(runner, vectors, tmp_path, args, message):
    empty = tmp_path / "empty.tsv"
    empty.write_text("word\tcount\n", encoding="utf-8")
    words = tmp_path / "words.tsv"
    words.write_text("word\tcount\n猫\t3\n狗\t2\n", encoding="utf-8")
    args = [{"VECTORS": str(vectors), "EMPTY": str(empty), "WORDS": str(words)}.get(a, a) for a in args]
    result = runner.invoke(cli, ["graph", *args], input="猫 狗\n")
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_an_empty_vocabulary_is_bad_data_and_exits_1(runner, tmp_path):
    # As in segment: an empty word table is bad data (exit 1), not bad usage.
    empty = tmp_path / "empty.tsv"
    empty.write_text("word\tcount\n", encoding="utf-8")
    result = runner.invoke(cli, ["graph", "-", "--vocab", str(empty)], input="猫 狗\n")
    assert result.exit_code == 1 and "the vocabulary is empty" in result.stderr


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("vectors.txt", "2 2\n猫 1 0\n狗 1 x\n", "vectors.txt:3: 'x' is not a number"),
        ("vectors.txt", "3 2\n猫 1 0\n狗 1 0\n", "vectors.txt:3: the file ends after 2 vectors, but its header (line 1) announces 3"),
        # Before: a traceback (numpy's ArrayMemoryError), the header's array allocated first.
        ("vectors.txt", "99999999999 100000\n猫 1 0\n", "vectors.txt:2: expected a word and 100000 numbers"),
        ("words.tsv", "word\tcount\n猫\tmany\n", "words.tsv:2: count 'many' is not a non-negative integer"),
    ],
)
def test_bad_data_exits_1_and_writes_nothing(runner, vectors, tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "g.tsv"
    out.write_text("old\n", encoding="utf-8")
    args = ["--vectors", str(bad)] if name == "vectors.txt" else ["--vectors", str(vectors), "--vocab", str(bad)]
    result = runner.invoke(cli, ["graph", *args, "-o", str(out)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert out.read_text(encoding="utf-8") == "old\n"  # the previous output is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({name, "vectors.txt", "g.tsv"})  # no temporary file left


def test_bad_segmented_text_names_file_and_line(runner, tmp_path, two_topics):
    _, vocab = two_topics
    seg = tmp_path / "bad.seg"
    seg.write_bytes("猫 狗\n".encode() + "车 船\n".encode("gbk"))
    result = runner.invoke(cli, ["graph", str(seg), "--vocab", str(vocab), "-o", str(tmp_path / "g.tsv")])
    assert result.exit_code == 1 and "bad.seg:2: not valid UTF-8" in result.stderr
    assert not (tmp_path / "g.tsv").exists()


def test_no_inputs_from_a_terminal_subprocess(two_topics):
    # A pseudo-terminal on stdin, neither INPUTS nor --vectors: refuse to wait for typed text.
    import os
    import pty
    import subprocess
    import sys

    _, vocab = two_topics
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "wordmine", "graph", "--vocab", str(vocab)], stdin=slave, capture_output=True, timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 2
    assert b"no INPUTS given and stdin is a terminal" in proc.stderr


@pytest.mark.parametrize("source", ["gz", "stdin"])
def test_vectors_compressed_or_from_stdin(runner, vectors, tmp_path, source):
    import gzip

    if source == "gz":
        packed = tmp_path / "vectors.txt.gz"
        packed.write_bytes(gzip.compress(vectors.read_bytes()))
        result = runner.invoke(cli, ["graph", "--vectors", str(packed)])
    else:
        result = runner.invoke(cli, ["graph", "--vectors", "-"], input=vectors.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["# source\ttarget\tweight", *EDGES]


def test_segmented_text_compressed(runner, two_topics, tmp_path):
    import lzma

    seg, vocab = two_topics
    packed = tmp_path / "two.seg.xz"
    packed.write_bytes(lzma.compress(seg.read_bytes()))
    plain = runner.invoke(cli, ["graph", str(seg), "--vocab", str(vocab), "-q"])
    result = runner.invoke(cli, ["graph", str(packed), "--vocab", str(vocab), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout and len(result.stdout.splitlines()) > 1
