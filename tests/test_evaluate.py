"""Segmentation scores: hand-made cases, file handling, refusals, spans against brute force, and
agreement with the official SIGHAN Perl scorer on the SIGHAN 2005 PKU and MSR test sets."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared
from wordmine.errors import FormatError, InputError
from wordmine.evaluate import Scores, evaluate_segmentation, read_training_words, score_lines

# The official scorer calls this diff by its full path (see the `$diff =` line of `score`).
DIFF = "/usr/bin/diff"


def _scores(gold, pred, words=None) -> Scores:
    return score_lines(gold.split("\n"), pred.split("\n"), words)


# --- hand-made cases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, pred, counts, prf",
    [
        # perfect
        ("我们 发现 了 新词", "我们 发现 了 新词", (4, 4, 4), (1.0, 1.0, 1.0)),
        # over-split: 研究生 -> 研究 生; 命运 still right
        ("研究生 命运", "研究 生 命运", (2, 3, 1), (1 / 3, 1 / 2, 0.4)),
        # under-split: 我们 发现 -> 我们发现; 新词 still right
        ("我们 发现 新词", "我们发现 新词", (3, 2, 1), (1 / 2, 1 / 3, 0.4)),
        # same characters, every boundary moved: nothing right
        ("研究生 命", "研究 生命", (2, 2, 0), (0.0, 0.0, 0.0)),
        # several lines, blank ones included, add up
        ("新词 发现\n\n很 有趣", "新词发现\n\n很 有 趣", (4, 4, 1), (1 / 4, 1 / 4, 1 / 4)),
    ],
)
def test_hand_made_cases(gold, pred, counts, prf):
    s = _scores(gold, pred)
    assert (s.gold_words, s.pred_words, s.correct) == counts
    assert (s.precision, s.recall, s.f1) == pytest.approx(prf)


def test_any_whitespace_separates_words():
    gold = ["新词  发现\r\n", "很\t有趣\u3000吗\n"]  # SIGHAN's two spaces, CRLF, tab, U+3000
    pred = [" 新词 发现 ", "很 有趣 吗"]
    assert score_lines(gold, pred) == Scores(gold_words=5, pred_words=5, correct=5)


def test_oov_and_iv_counts_with_a_training_vocabulary():
    # 新词 and 挖掘 are OOV; 挖掘 (OOV) and 我们 (IV) are right, 发现 (IV) and 新词 (OOV) are not.
    s = _scores("我们 发现 新词 挖掘", "我们 发现新词 挖掘", {"我们", "发现", "新"})
    assert (s.gold_words, s.pred_words, s.correct) == (4, 3, 2)
    assert (s.oov_words, s.oov_correct, s.iv_words, s.iv_correct) == (2, 1, 2, 1)
    assert (s.oov_rate, s.oov_recall, s.iv_recall) == (0.5, 0.5, 0.5)


def test_without_vocabulary_oov_ratios_are_undefined_and_empty_vocabulary_makes_all_oov():
    s = _scores("我们 发现", "我们 发现")
    assert (s.oov_words, s.iv_words) == (0, 0)
    assert (s.oov_rate, s.oov_recall, s.iv_recall) == (None, None, None)
    # As in the official scorer: an empty word list makes every gold word OOV.
    s = _scores("我们 发现", "我们 发现", set())
    assert (s.oov_rate, s.oov_recall, s.iv_recall) == (1.0, 1.0, None)


def test_empty_input_has_no_ratios():
    s = score_lines([], [])
    assert s == Scores(0, 0, 0)
    assert (s.precision, s.recall, s.f1) == (None, None, None)


def test_report_is_metric_tab_value():
    s = _scores("我们 发现 新词", "我们发现 新词", {"我们"})
    assert s.to_tsv() == (
        "metric\tvalue\n"
        "gold_words\t3\npred_words\t2\ncorrect\t1\n"
        "precision\t0.500\nrecall\t0.333\nf1\t0.400\n"
        "oov_words\t2\noov_correct\t1\noov_rate\t0.667\noov_recall\t0.500\n"
        "iv_words\t1\niv_correct\t0\niv_recall\t0.000\n"
    )
    lines = s.to_tsv(header=False, digits=4).splitlines()
    assert lines[0] == "gold_words\t3" and "recall\t0.3333" in lines
    assert "oov_rate\t--" in Scores(1, 1, 1).to_tsv().splitlines()


# --- files ----------------------------------------------------------------------------------


def test_files_with_bom_crlf_and_trailing_blank_lines(tmp_path):
    gold = tmp_path / "gold.utf8"
    pred = tmp_path / "pred.txt"
    words = tmp_path / "words.utf8"
    # Like the SIGHAN files: CRLF, two spaces between words, a blank last line.
    gold.write_bytes("新词  发现  \r\n\r\n很  有趣  \r\n\r\n".encode())
    pred.write_bytes("\ufeff新词 发现\n\n很有趣".encode())  # BOM, LF, no final line end
    words.write_bytes("\ufeff新词\r\n\r\n  很 \n".encode())
    s = evaluate_segmentation(str(gold), str(pred), str(words))
    assert (s.gold_words, s.pred_words, s.correct) == (4, 3, 2)
    assert (s.oov_words, s.oov_correct, s.iv_words, s.iv_correct) == (2, 1, 2, 1)


def test_a_file_scored_against_itself_is_perfect(tmp_path):
    gold, _ = _write(tmp_path, "新词  发现\r\n\r\n很  有趣\r\n", "")
    s = evaluate_segmentation(gold, gold)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_compressed_and_stdin_inputs(tmp_path, monkeypatch):
    import gzip

    gold = tmp_path / "gold.txt.gz"
    with gzip.open(gold, "wt", encoding="utf-8") as f:
        f.write("新词 发现\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("新词发现\n".encode())))
    assert evaluate_segmentation(str(gold), "-") == Scores(2, 1, 0)
    with pytest.raises(ValueError, match="both be standard input"):
        evaluate_segmentation("-", "-")


def test_read_training_words_refuses_lines_of_several_words(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("新词\n新词发现 5 n\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"dict.txt:2: '新词发现 5 n' is not one word.*cut -d"):
        read_training_words(str(path))


def _write(tmp_path, gold: str, pred: str) -> tuple[str, str]:
    (tmp_path / "gold.txt").write_text(gold, encoding="utf-8")
    (tmp_path / "pred.txt").write_text(pred, encoding="utf-8")
    return str(tmp_path / "gold.txt"), str(tmp_path / "pred.txt")


@pytest.mark.parametrize(
    "gold, pred, message",
    [
        # a changed character, shown in context
        (
            "我们 发现\n研究 生命 起源\n",
            "我们 发现\n研究 生活 起源\n",
            r"pred.txt:2: the characters differ from .*gold.txt \(line 2\) at its character 8, whitespace "
            r"aside: gold '研究生命起源', prediction '研究生活起源'",
        ),
        # a character left out at the end
        ("我们 发现 。\n", "我们 发现\n", r"pred.txt:1: .* at its character 5, whitespace aside: gold '。', prediction '\(end of text\)'"),
        # a line missing at the end
        ("我们\n发现\n", "我们\n", r"pred.txt:1: the characters differ .* gold '发现', prediction '\(end of text\)'"),
        # nothing at all
        ("我们\n", "", r"pred.txt:1: the characters differ .* gold '我们'"),
        # a line too many
        ("我们\n", "我们\n发现\n\n", r"pred.txt:2: .* gold '\(end of text\)', prediction '发现'"),
    ],
)
def test_different_texts_name_the_predicted_file_and_line(tmp_path, gold, pred, message):
    with pytest.raises(FormatError, match=message):
        evaluate_segmentation(*_write(tmp_path, gold, pred))


def test_line_ends_are_whitespace_like_any_other(tmp_path):
    s = evaluate_segmentation(*_write(tmp_path, "我们\n\n发现 新词\n", "我们 发现\n新词\n\n\n"))
    assert (s.gold_words, s.pred_words, s.correct) == (3, 3, 3)


def test_long_lines_are_shown_as_excerpts(tmp_path):
    text = "前" * 30 + "中" + "后" * 30
    gold, pred = _write(tmp_path, text + "\n", text.replace("中", "终") + "\n")
    with pytest.raises(FormatError) as err:
        evaluate_segmentation(gold, pred)
    assert f"gold '…{'前' * 8}中{'后' * 7}…', prediction '…{'前' * 8}终{'后' * 7}…'" in str(err.value)


def test_undecodable_and_missing_files_are_input_errors(tmp_path):
    gold, pred = _write(tmp_path, "我们\n发现\n", "")
    (tmp_path / "pred.txt").write_bytes("我们\n".encode() + "发现\n".encode("gbk"))
    with pytest.raises(InputError, match=r"pred.txt:2: not valid UTF-8 \(byte 0xb7 at byte 1 of the line\)"):
        evaluate_segmentation(gold, pred)
    with pytest.raises(InputError, match=r"missing.txt: cannot open"):
        evaluate_segmentation(gold, str(tmp_path / "missing.txt"))


# --- spans against brute force ------------------------------------------------------------


@st.composite
def segmented_lines(draw):
    """Lines of random text (few distinct characters, so words repeat) cut twice at random."""
    lines = draw(st.lists(st.text("新词的了ab", max_size=12), max_size=5))
    sep = st.sampled_from([" ", "  ", "\t", "\u3000", " \r"])

    def cut(text):
        ends = sorted(draw(st.sets(st.integers(1, max(len(text) - 1, 1)))) | {len(text)}) if text else []
        words, start = [], 0
        for end in ends:
            if start < end <= len(text):
                words.append(text[start:end])
                start = end
        return words

    gold = [cut(text) for text in lines]
    pred = [cut(text) for text in lines]
    render = lambda words: draw(sep).join(words) + draw(st.sampled_from(["", "\n", "\r\n", " "]))  # noqa: E731
    return gold, pred, [render(w) for w in gold], [render(w) for w in pred]


def _spans(words):
    spans, start = set(), 0
    for word in words:
        spans.add((start, start + len(word), word))
        start += len(word)
    return spans


@settings(max_examples=300, deadline=None)
@given(segmented_lines(), st.sets(st.text("新词的了ab", min_size=1, max_size=3), max_size=6))
def test_span_matching_equals_brute_force(data, vocabulary):
    gold, pred, gold_lines, pred_lines = data
    s = score_lines(gold_lines, pred_lines, vocabulary)
    right = [_spans(g) & _spans(p) for g, p in zip(gold, pred)]
    gold_words = [w for line in gold for w in line]
    assert s.gold_words == len(gold_words)
    assert s.pred_words == sum(map(len, pred))
    assert s.correct == sum(map(len, right))
    assert s.oov_words == sum(w not in vocabulary for w in gold_words)
    assert s.iv_correct == sum(w in vocabulary for line in right for _, _, w in line)
    if s.gold_words:
        assert s.recall == s.correct / s.gold_words and s.precision == s.correct / s.pred_words
    # Swapping gold and prediction swaps precision and recall.
    swapped = score_lines(pred_lines, gold_lines)
    assert (swapped.correct, swapped.precision, swapped.recall) == (s.correct, s.recall, s.precision)
    # A segmentation scored against itself is perfect.
    same = score_lines(gold_lines, gold_lines)
    assert same.correct == same.gold_words == same.pred_words
    if same.gold_words:
        assert (same.precision, same.recall, same.f1) == (1.0, 1.0, 1.0)


# --- the official scorer ------------------------------------------------------------------


def _scorer():
    """The official scorer, or skip when it, perl or the diff it calls is absent."""
    score = shared("benchmarks", "sighan2005", "score")
    if shutil.which("perl") is None or not os.access(DIFF, os.X_OK):
        pytest.skip(f"the official scorer needs perl and {DIFF}")
    return score


def _summary(report: str) -> list[str]:
    """The scorer's last line: ###, file, ins, del, subst, nchange, true, test, R, P, F, OOV rate, OOV R, IV R."""
    last = report.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("###\t"), report[-2000:]
    return last.split("\t")


@pytest.mark.parametrize(
    "gold, pred, ours, perl",
    [
        # Agreement: over- and under-splitting, OOV and IV words (the word list holds 我们, 新词).
        ("我们 发现 了 新词\n研究生 命运\n", "我们发现 了 新词\n研究 生 命运\n", (6, 6, 3), (6, 6, "0.500", "0.500")),
        # diff matches equal strings at other offsets: a and b here.
        ("ab a b\n", "a b ab\n", (3, 3, 0), (3, 3, "0.667", "0.667")),
        # A correct lone | or < looks like a diff marker: the scorer counts it as missed (in recall).
        ("甲 | 乙 < 丙\n", "甲 | 乙 < 丙\n", (5, 5, 5), (5, 5, "0.600", "1.000")),
    ],
)
def test_small_cases_against_the_official_scorer(tmp_path, gold, pred, ours, perl):
    score = _scorer()
    gold_path, pred_path = _write(tmp_path, gold, pred)
    (tmp_path / "words.txt").write_text("我们\n新词\n", encoding="utf-8")
    args = ["perl", str(score), str(tmp_path / "words.txt"), gold_path, pred_path]
    row = _summary(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    assert (int(row[6]), int(row[7]), row[8], row[9]) == perl  # true, test, recall, precision
    s = evaluate_segmentation(gold_path, pred_path, str(tmp_path / "words.txt"))
    assert (s.gold_words, s.pred_words, s.correct) == ours


def test_msr_gold_moves_opening_quotes_across_lines():
    """The official MSR gold moves an opening quote to the previous line on 16 lines: the raw
    test text, as one word per line, still scores against it (line ends are whitespace)."""
    raw = shared("benchmarks", "sighan2005", "msr_test.utf8")
    gold = shared("benchmarks", "sighan2005", "msr_test_gold.utf8")
    s = evaluate_segmentation(str(gold), str(raw))
    lines = raw.read_text(encoding="utf-8").splitlines()
    assert s.gold_words == 106873 and s.pred_words == sum(len(line.split()) for line in lines)


@pytest.mark.slow
def test_agrees_with_the_official_scorer_on_sighan2005(tmp_path):
    LINES = 800  # of 1945 (PKU) and 3985 (MSR): 35 000 and 20 000 words
    """jieba's segmentation of the first lines of PKU (HMM off) and MSR (HMM on), scored by
    both; perl runs in parallel (its diff takes ~10 s on a whole test set)."""
    score = _scorer()
    from wordmine.tokenizer import BlockCutter, make_tokenizer

    folder = score.parent
    tokenizer = make_tokenizer()
    runs = {}
    for corpus in ("pku", "msr"):
        with open(folder / f"{corpus}_test_gold.utf8", encoding="utf-8", newline="\n") as f:
            gold_lines = f.readlines()[:LINES]
        gold = tmp_path / f"{corpus}_gold.txt"
        gold.write_text("".join(gold_lines), encoding="utf-8")
        texts = ["".join(line.split()) for line in gold_lines]
        if corpus == "pku":
            # The segmented text is the official test input itself (for MSR, see the test above).
            with open(folder / "pku_test.utf8", encoding="utf-8", newline="\n") as f:
                assert texts == [line.rstrip("\r\n") for line in f][:LINES]
        for hmm in (corpus == "msr",):
            cut = BlockCutter(tokenizer, hmm=hmm)
            pred = tmp_path / f"{corpus}_hmm{int(hmm)}.txt"
            pred.write_text("".join(" ".join(cut(text)) + "\n" for text in texts), encoding="utf-8")
            words = folder / f"{corpus}_training_words.utf8"
            out = open(tmp_path / f"{pred.name}.out", "w+", encoding="utf-8")
            args = ["perl", str(score), str(words), str(gold), str(pred)]
            proc = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, text=True)
            runs[corpus, hmm] = proc, out, evaluate_segmentation(str(gold), str(pred), str(words))
    failures = []
    for (corpus, hmm), (proc, out, s) in runs.items():
        _, stderr = proc.communicate()
        assert proc.returncode == 0 and stderr == "", stderr
        out.seek(0)
        row = _summary(out.read())
        out.close()
        ins, dele, subst, true, test = (int(row[i]) for i in (2, 3, 4, 6, 7))
        assert (s.gold_words, s.pred_words) == (true, test)
        # The scorer's exact ratios, from its counts (checked against the ones it prints); the
        # OOV and IV ones it prints rounded only.
        p, r = (test - ins - subst) / test, (true - dele - subst) / true
        assert (format(r, ".3f"), format(p, ".3f")) == (row[8], row[9])
        perl = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r)}
        for name, printed in zip(("oov_rate", "oov_recall", "iv_recall"), row[11:14]):
            perl[name] = float(printed)
        for name, value in perl.items():
            # Less than 0.0005 apart (exact ratios), or than 0.001 (rounded ones): the scorer's
            # diff alignment moves a few words (see wordmine.evaluate).
            tolerance = 0.0005 if name in ("precision", "recall", "f1") else 0.001
            if abs(getattr(s, name) - value) >= tolerance:
                failures.append(f"{corpus} hmm={hmm} {name}: ours {getattr(s, name):.5f}, perl {value:.5f}")
    assert not failures, failures
