"""`wordmine discover`: the word table, jieba dictionaries, options and errors."""

from __future__ import annotations

import jieba
import pytest

from conftest import SAMPLE
from wordmine import count_ngrams
from wordmine.cli import cli
from wordmine.formats import WORD_KINDS, WORD_TABLE


def test_table_columns_and_order(runner):
    result = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "-j", "2"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert tuple(lines[0].split("\t")) == WORD_TABLE
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 7 and r[6] in WORD_KINDS for r in rows)
    counts = [int(r[1]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    by_word = {r[0]: r for r in rows}
    assert by_word["星澜科技"][6] == "new" and float(by_word["星澜科技"][2]) > 6 and float(by_word["星澜科技"][5]) > 5
    assert by_word["的"][2] == "" and by_word["的"][5] == "" and by_word["的"][6] == "unit"  # one character


def test_new_only_top_and_jieba_format_load_in_jieba(runner, tmp_path):
    out = tmp_path / "new.dict"
    result = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "--new-only", "--top", "50", "--format", "jieba", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 50 and all(len(line.split(" ")) == 2 for line in lines)
    tk = jieba.Tokenizer()
    with open(out, "rb") as f:
        tk.load_userdict(f)
    assert "星澜科技" in tk.lcut("星澜科技发布新品", HMM=False)


def test_given_ngram_table_equals_counting(runner, tmp_path):
    grams = tmp_path / "g.npz"
    count_ngrams([str(SAMPLE)], 5).save(str(grams))
    a = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "--min-count", "3"])
    b = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "--min-count", "3", "--ngrams", str(grams)])
    assert a.exit_code == b.exit_code == 0 and a.stdout == b.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--min-count", "often"], "neither 'auto' nor a positive integer"),
        (["--min-pmi", "1,x"], "not a comma-separated list"),
        (["-n", "1"], "Invalid value for '-n'"),
        (["--format", "csv"], "Invalid value for '--format'"),
    ],
)
def test_bad_usage_exits_2(runner, args, message, tiny_corpus):
    result = runner.invoke(cli, ["discover", str(tiny_corpus), *args])
    assert result.exit_code == 2 and message in result.stderr


def test_merge_refuses_a_word_table(runner, tmp_path, tiny_corpus):
    words = tmp_path / "words.tsv"
    runner.invoke(cli, ["discover", str(SAMPLE), "-q", "-o", str(words)])
    result = runner.invoke(cli, ["merge", str(words), "-o", str(tmp_path / "x.tsv")])
    assert result.exit_code == 1 and "this is a discovered-word table" in result.stderr


def test_min_pmi_thresholds_for_unused_orders_are_refused(runner, tiny_corpus):
    result = runner.invoke(cli, ["discover", str(tiny_corpus), "-n", "3", "--min-pmi", "0,0,4,6"])
    assert result.exit_code == 2 and "--min-pmi has 4 thresholds for orders 1..3" in result.stderr
    result = runner.invoke(cli, ["discover", str(tiny_corpus), "--min-pmi", "0,nan"])
    assert result.exit_code == 2 and "finite" in result.stderr
    assert runner.invoke(cli, ["discover", str(tiny_corpus), "-n", "3", "-q"]).exit_code == 0  # the default has 4


def test_known_words_are_never_new(runner, tmp_path):
    """--known: the user's words (a plain list, a jieba dictionary, a word table) get kind known;
    the other words are judged as without it."""
    plain = tmp_path / "known.txt"
    plain.write_text("蓝溯\n\n鹭汀\n", encoding="utf-8")
    userdict = tmp_path / "user.dict"
    userdict.write_text("星澜科技 3 nz\n中国 5\n", encoding="utf-8")  # 中国 is jieba's own word: stays jieba
    base = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "-j", "2"])
    result = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "-j", "2", "--known", str(plain), "--known", str(userdict)])
    assert base.exit_code == result.exit_code == 0, result.output
    before = {r.split("\t")[0]: r.split("\t") for r in base.stdout.splitlines()[1:]}
    after = {r.split("\t")[0]: r.split("\t") for r in result.stdout.splitlines()[1:]}
    changed = {w for w in after if after[w] != before[w]}
    assert changed == {"蓝溯", "鹭汀", "星澜科技"}
    assert all(after[w][6] == "known" and after[w][:6] == before[w][:6] for w in changed)
    new_only = runner.invoke(cli, ["discover", str(SAMPLE), "-q", "--new-only", "--known", str(plain)])
    new_words = {line.split("\t")[0] for line in new_only.stdout.splitlines()[1:]}
    assert "蓝溯" not in new_words and "闵若澜" in new_words


def test_a_bad_known_list_is_named(runner, tmp_path, tiny_corpus):
    bad = tmp_path / "known.txt"
    bad.write_text("蓝溯\n鹭 汀 x\n", encoding="utf-8")  # three fields: neither a word nor a jieba line
    result = runner.invoke(cli, ["discover", str(tiny_corpus), "-q", "--known", str(bad)])
    assert result.exit_code == 1 and f"{bad}:2" in result.stderr
    result = runner.invoke(cli, ["discover", str(tiny_corpus), "-q", "--known", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "'--known'" in result.stderr
