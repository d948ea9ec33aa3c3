"""`wordmine cluster`: module tables, the reference's clu and tree files, the summary, errors,
the `wordmine.infomap` export whatever is imported first, and graph -> cluster on segmented text."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import wordmine
from wordmine.cli import cli
from wordmine.errors import FormatError
from wordmine.formats import read_modules, write_modules
from conftest import ANIMALS, VEHICLES
from wordmine.cluster import Network, infomap, read_graph

# Two triangles joined by one link: 甲乙丙 and 丁戊己, joined by 丙-丁. By hand (and the
# reference prints the same): flows 3/14 for 丙 and 丁, 2/14 for the others; codelength 2.32073.
TRIANGLES = "# two triangles\n甲\t乙\n乙\t丙\n甲\t丙\n丁\t戊\n戊\t己\n丁\t己\n丙\t丁\n"
ROWS = ["丙\t1\t0.214286", "乙\t1\t0.142857", "甲\t1\t0.142857", "丁\t2\t0.214286", "己\t2\t0.142857", "戊\t2\t0.142857"]
REPORT = "wordmine: codelength 2.32073 bits (index 0.142857 + module 2.17787; one-level 2.55666 bits, 9.22792% saved) in 2 modules, 6 nodes\n"
# The same graph with the reference's integer ids (1 2 3 | 4 5 6, link 3-4), directed: the
# reference (Infomap 2.16.0, --two-level --directed) writes these .tree lines.
DIRECTED_TREE = ['1:1 0.362912 "6" 6', '1:2 0.224162 "4" 4', '1:3 0.160765 "5" 5', '2:1 0.186665 "3" 3', '2:2 0.0654964 "2" 2', '2:3 0 "1" 1']


@pytest.fixture
def triangles(tmp_path):
    path = tmp_path / "graph.tsv"
    path.write_text(TRIANGLES, encoding="utf-8")
    return path


@pytest.mark.parametrize("stdin", [False, True])
def test_two_triangles(runner, triangles, stdin):
    if stdin:
        result = runner.invoke(cli, ["cluster", "-"], input=triangles.read_bytes())
    else:
        result = runner.invoke(cli, ["cluster", str(triangles)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["node\tmodule\tflow", *ROWS]
    assert result.stderr == REPORT


def test_quiet_no_header_and_output_file(runner, triangles, tmp_path):
    out = tmp_path / "modules.tsv"
    result = runner.invoke(cli, ["cluster", str(triangles), "-q", "--no-header", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == result.stderr == ""
    assert out.read_text(encoding="utf-8") == "".join(row + "\n" for row in ROWS)
    assert read_modules(str(out)) == {"丙": 1, "乙": 1, "甲": 1, "丁": 2, "己": 2, "戊": 2}


def test_clu_format(runner, triangles):
    result = runner.invoke(cli, ["cluster", str(triangles), "--format", "clu", "--trials", "2", "--seed", "7"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "# written by wordmine %s (two-level map equation) in the .clu format of mapequation/infomap" % wordmine.__version__,
        "# trials 2",
        "# seed 7",
        "# partitioned into 2 levels with 2 top modules",
        "# codelength 2.32073 bits",
        "# relative codelength savings 9.22792%",
        "# flow model undirected",
        "# module level 1",
        "# node_id module flow",
        "丙 1 0.214286",
        "乙 1 0.142857",
        "甲 1 0.142857",
        "丁 2 0.214286",
        "己 2 0.142857",
        "戊 2 0.142857",
    ]


def test_tree_format_directed_as_the_reference_writes_it(runner, tmp_path):
    links = tmp_path / "links.txt"
    links.write_text("1 2\n2 3\n1 3\n4 5\n5 6\n4 6\n3 4\n", encoding="utf-8")  # the reference's link list
    result = runner.invoke(cli, ["cluster", str(links), "--directed", "--format", "tree"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[3:8] == [
        "# partitioned into 2 levels with 2 top modules",
        "# codelength 1.80824 bits",
        "# relative codelength savings 15.8093%",
        "# flow model directed",
        "# path flow name node_id",
    ]
    assert lines[8:] == DIRECTED_TREE
    no_header = runner.invoke(cli, ["cluster", str(links), "--directed", "--format", "tree", "--no-header"])
    assert no_header.stdout.splitlines() == DIRECTED_TREE


def test_tree_and_clu_lines_equal_the_reference_package(tmp_path):
    im = pytest.importorskip("infomap")
    edges = [(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4), (6, 7), (7, 8), (8, 6), (2, 9)]
    for directed in (False, True):
        ref = im.Infomap(two_level=True, silent=True, directed=directed, seed=123)
        for a, b in edges:
            ref.add_link(a, b)
        ref.run()
        result = infomap(Network.from_edges([(str(a), str(b)) for a, b in edges], directed=directed))
        for fmt in ("tree", "clu"):
            path = tmp_path / f"ref.{fmt}"
            getattr(ref, f"write_{fmt}")(str(path))
            expected = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
            out = io.StringIO()
            write_modules(result, out, format=fmt, header=False)
            assert out.getvalue().splitlines() == expected, (fmt, directed)


@pytest.mark.parametrize("fmt", ["clu", "tree"])
def test_the_reference_program_reads_our_files_back(runner, tmp_path, fmt):
    import shutil

    if shutil.which("infomap") is None:
        pytest.skip("the reference program (pip install infomap) is not installed")
    links = tmp_path / "links.txt"
    links.write_text("1 2\n2 3\n1 3\n4 5\n5 6\n4 6\n3 4\n", encoding="utf-8")
    ours = tmp_path / f"ours.{fmt}"
    assert runner.invoke(cli, ["cluster", str(links), "--format", fmt, "-q", "-o", str(ours)]).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    args = [str(links), str(out), "--two-level", "--cluster-data", str(ours), "--no-infomap", "--tree", "--silent"]
    subprocess.run(["infomap", *args], check=True, capture_output=True)
    tree = (out / "links.tree").read_text(encoding="utf-8")
    assert "# codelength 2.32073 bits" in tree and "with 2 top modules" in tree


def test_summary_json(runner, triangles, tmp_path):
    summary = tmp_path / "summary.json"
    result = runner.invoke(cli, ["cluster", str(triangles), "-q", "--trials", "3", "--summary-json", str(summary)])
    assert result.exit_code == 0
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert {k: data[k] for k in ("nodes", "links", "directed", "trials", "seed", "num_modules")} == {
        "nodes": 6, "links": 7, "directed": False, "trials": 3, "seed": 123, "num_modules": 2,
    }
    assert data["codelength"] == pytest.approx(2.32073035683379, abs=1e-9)
    assert data["codelength"] == pytest.approx(data["index_codelength"] + data["module_codelength"], abs=1e-12)
    assert data["one_level_codelength"] == pytest.approx(2.556656707462823, abs=1e-9)
    assert data["relative_codelength_savings"] == pytest.approx(1 - 2.32073035683379 / 2.556656707462823, abs=1e-9)
    assert data["top_modules"] == [
        {"module": 1, "nodes": 3, "flow": 0.5, "top_nodes": ["丙", "乙", "甲"]},
        {"module": 2, "nodes": 3, "flow": 0.5, "top_nodes": ["丁", "己", "戊"]},
    ]
    # To stdout, when the modules go to a file.
    result = runner.invoke(cli, ["cluster", str(triangles), "-q", "--summary-json", "-", "-o", str(tmp_path / "m.tsv")])
    assert json.loads(result.stdout)["num_modules"] == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--trials", "0"], "Invalid value for '--trials'"),
        (["--format", "csv"], "Invalid value for '--format'"),
        (["--seed", "x"], "Invalid value for '--seed'"),
        (["--summary-json", "-"], "cannot both go to stdout"),
    ],
)
def test_bad_usage_exits_2(runner, triangles, args, message):
    result = runner.invoke(cli, ["cluster", str(triangles), *args])
    assert result.exit_code == 2 and message in result.stderr


def test_needs_a_graph(runner):
    result = runner.invoke(cli, ["cluster"])
    assert result.exit_code == 2 and "Missing argument 'GRAPH'" in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ("甲\t乙\t0.5\n乙\t丙\t很多\n", "bad.tsv:2: weight '很多' is not a number"),
        ("甲\t乙\n丙\n", "bad.tsv:2: expected 'source<TAB>target[<TAB>weight]'"),
        ("# source\ttarget\tweight\n", "bad.tsv: no links"),
        # Before: flows and codelength NaN, rc 0 (and NaN in the summary JSON).
        ("a\tb\t0\nb\tc\t0\n", "bad.tsv: no links (its 2 links of weight 0 carry no flow)"),
        ("a\tb\t1\nb\tc\t-0.5\n", "bad.tsv:2: weight '-0.5' must be a finite number >= 0"),
        ("a\tb\tNaN\n", "bad.tsv:1: weight 'NaN' must be a finite number >= 0"),
        (b"\xd6\xd0\t\xce\xc4\n", "bad.tsv:1: not valid UTF-8"),
    ],
)
def test_bad_graph_exits_1_and_writes_nothing(runner, tmp_path, content, message):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out, summary = tmp_path / "modules.tsv", tmp_path / "summary.json"
    out.write_text("old\n", encoding="utf-8")
    result = runner.invoke(cli, ["cluster", str(bad), "-o", str(out), "--summary-json", str(summary)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert out.read_text(encoding="utf-8") == "old\n" and not summary.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tsv", "modules.tsv"]


def test_missing_graph_exits_1(runner, tmp_path):
    result = runner.invoke(cli, ["cluster", str(tmp_path / "none.tsv")])
    assert result.exit_code == 1 and "none.tsv: cannot open" in result.stderr


def test_labels_that_clu_cannot_hold_exit_1(runner, tmp_path):
    graph = tmp_path / "g.tsv"
    graph.write_text("新 词\t发现\n", encoding="utf-8")  # a label with a space: fine in TSV
    out = tmp_path / "m.clu"
    result = runner.invoke(cli, ["cluster", str(graph), "--format", "clu", "-o", str(out)])
    assert result.exit_code == 1 and "node '新 词' cannot be written in the clu format" in result.stderr
    assert not out.exists()
    result = runner.invoke(cli, ["cluster", str(graph), "-q"])
    assert result.exit_code == 0 and "新 词\t1\t0.5" in result.stdout.splitlines()


def test_chinese_labels_round_trip(tmp_path):
    words = ["新词", "发现", "挖掘", "语料", "统计", "模型", "ｆｕｌｌ", "〇号", "#标签"]
    edges = [(a, b, 1.0 + i % 3) for i, a in enumerate(words) for b in words[i + 1 : i + 3]]
    result = infomap(edges)
    path = tmp_path / "modules.tsv"
    write_modules(result, str(path))
    modules = read_modules(str(path))
    assert modules == {label: int(m) + 1 for label, m in zip(result.labels, result.modules.tolist())}
    assert sorted(modules) == sorted(words)
    write_modules(result, str(path), header=False)
    assert read_modules(str(path)) == modules


@pytest.mark.parametrize(
    "content, message",
    [
        ("word\tcount\n新词\t3\n", "this is a word-count table"),
        ("# source\ttarget\tweight\n新词\t发现\t0.9\n", "this is a word graph"),
        ("node\tmodule\tflow\n新词\t1\n", ":2: expected 3 tab-separated fields"),
        ("新词\t0\t0.5\n", ":1: module '0' is not a positive integer"),
        ("新词\t1\tlots\n", ":1: flow 'lots' is not a number between 0 and 1"),
        ("新词\t1\t0.5\n新词\t2\t0.5\n", ":2: node '新词' is listed twice"),
    ],
)
def test_read_modules_refuses(tmp_path, content, message):
    path = tmp_path / "m.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_modules(str(path))


def test_one_module_when_no_partition_codes_shorter(runner, tmp_path):
    graph = tmp_path / "g.tsv"
    graph.write_text("甲\t乙\n乙\t丙\n丙\t甲\n", encoding="utf-8")
    result = runner.invoke(cli, ["cluster", str(graph), "--format", "tree"])
    assert result.exit_code == 0
    assert "# partitioned into 2 levels with 1 top modules" in result.stdout
    assert result.stdout.splitlines()[-3:] == ['1:1 0.333333 "丙" 丙', '1:2 0.333333 "乙" 乙', '1:3 0.333333 "甲" 甲']
    assert result.stderr.endswith("0% saved) in 1 modules, 3 nodes\n")


def test_graph_then_cluster_on_segmented_text(runner, two_topics, tmp_path):
    animals, vehicles = ANIMALS, VEHICLES
    seg, vocab = two_topics
    graph, modules = tmp_path / "graph.tsv", tmp_path / "modules.tsv"
    result = runner.invoke(cli, ["graph", str(seg), "--vocab", str(vocab), "-q", "-o", str(graph)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["cluster", str(graph), "-q", "--trials", "3", "-o", str(modules)])
    assert result.exit_code == 0, result.output
    found = read_modules(str(modules))
    assert sorted(found) == sorted(animals + vehicles)
    assert len({found[w] for w in animals}) == len({found[w] for w in vehicles}) == 1
    assert found[animals[0]] != found[vehicles[0]]
    # The library gives the same modules.
    result = wordmine.infomap(read_graph(str(graph)), trials=3)
    assert {label: int(m) + 1 for label, m in zip(result.labels, result.modules.tolist())} == found


@pytest.mark.parametrize(
    "code",
    [
        "import wordmine.cluster as m; import wordmine; assert wordmine.infomap is m.infomap",
        "import wordmine; f = wordmine.infomap; import wordmine.cluster; assert wordmine.infomap is f",
        "from wordmine.cluster import Network, infomap as g; import wordmine; assert wordmine.infomap is g",
    ],
)
def test_wordmine_infomap_is_the_function_in_every_import_order(code):
    # In a fresh interpreter: importing the module wordmine.cluster does not change the export.
    check = "; import types, wordmine; assert isinstance(wordmine.infomap, types.FunctionType)"
    check += "; assert wordmine.infomap([('甲', '乙')]).num_modules == 1"
    subprocess.run([sys.executable, "-c", code + check], check=True)


def test_every_export_resolves_and_is_not_a_module():
    import types

    for name in wordmine.__all__:
        value = getattr(wordmine, name)
        assert not isinstance(value, types.ModuleType), name


def test_the_red_team_zero_weight_graph_exits_1_without_nan(runner):
    # printf 'a\tb\t0\nb\tc\t0\n' | wordmine cluster -   (was: flow nan, rc 0)
    result = runner.invoke(cli, ["cluster", "-"], input="a\tb\t0\nb\tc\t0\n")
    assert result.exit_code == 1
    assert result.stderr == "Error: -: no links (its 2 links of weight 0 carry no flow); expected lines 'source<TAB>target[<TAB>weight]' with weights > 0\n"
    assert "nan" not in result.stdout.lower()


def test_a_link_of_weight_0_is_left_out(runner, tmp_path):
    summary = tmp_path / "s.json"
    result = runner.invoke(cli, ["cluster", "-", "-q", "--summary-json", str(summary)], input="甲\t乙\t0\n乙\t丙\t1\n丙\t丁\t1\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["node\tmodule\tflow", "丙\t1\t0.5", "丁\t1\t0.25", "乙\t1\t0.25"]

    def no_nan(constant):
        raise AssertionError(f"{constant} in the summary")

    data = json.loads(summary.read_text(encoding="utf-8"), parse_constant=no_nan)
    assert data["nodes"] == 3 and data["links"] == 2


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_compressed_graph(runner, triangles, tmp_path, suffix):
    import bz2
    import gzip
    import lzma

    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    packed = tmp_path / f"graph.tsv{suffix}"
    with opener(packed, "wb") as f:
        f.write(triangles.read_bytes())
    result = runner.invoke(cli, ["cluster", str(packed)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["node\tmodule\tflow", *ROWS]
