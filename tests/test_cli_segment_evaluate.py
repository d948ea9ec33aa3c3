"""`wordmine segment` and `wordmine evaluate` chained through files, as a user runs them."""

from __future__ import annotations

from conftest import SAMPLE
from wordmine.cli import cli


def test_discover_segment_evaluate(runner, tmp_path):
    words = tmp_path / "words.tsv"
    assert runner.invoke(cli, ["discover", str(SAMPLE), "-q", "-o", str(words)]).exit_code == 0
    raw = tmp_path / "raw.txt"
    raw.write_text("星澜科技发布了新的端侧推理芯片。\n\n鹭汀队在穹顶杯夺冠！\n", encoding="utf-8")
    seg = tmp_path / "raw.seg"
    result = runner.invoke(cli, ["segment", str(raw), "--dict", str(words), "--top", "5000", "-q", "-o", str(seg)])
    assert result.exit_code == 0, result.output
    lines = seg.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[1] == ""
    assert "星澜科技" in lines[0].split(" ") and "鹭汀" in lines[2].split(" ")
    gold = tmp_path / "gold.txt"
    gold.write_text("星澜科技  发布  了  新  的  端侧  推理  芯片  。\n\n鹭汀  队  在  穹顶杯  夺冠  ！\n", encoding="utf-8")
    result = runner.invoke(cli, ["evaluate", "--gold", str(gold), str(seg), "-q"])
    assert result.exit_code == 0, result.output
    report = dict(line.split("\t") for line in result.stdout.splitlines()[1:])
    assert report["gold_words"] == "15" and 0 < float(report["f1"]) <= 1
    assert report["oov_rate"] == "--"  # no training words given


def test_add_to_jieba_and_hmm(runner, tmp_path):
    vocab = tmp_path / "new.dict"
    vocab.write_text("端侧推理 5\n", encoding="utf-8")
    raw = tmp_path / "raw.txt"
    raw.write_text("端侧推理芯片\n", encoding="utf-8")
    result = runner.invoke(cli, ["segment", str(raw), "--dict", str(vocab), "--add-to-jieba", "--hmm", "-q"])
    assert result.exit_code == 0 and result.stdout == "端侧推理 芯片\n"


def test_evaluate_refuses_a_different_text(runner, tmp_path):
    gold, pred = tmp_path / "gold.txt", tmp_path / "pred.txt"
    gold.write_text("研究  生命\n", encoding="utf-8")
    pred.write_text("研究 生活\n", encoding="utf-8")
    result = runner.invoke(cli, ["evaluate", "--gold", str(gold), str(pred)])
    assert result.exit_code == 1 and "pred.txt:1: the characters differ" in result.stderr


def test_segment_needs_a_dictionary(runner, tiny_corpus):
    result = runner.invoke(cli, ["segment", str(tiny_corpus)])
    assert result.exit_code == 2 and "--dict" in result.stderr
