"""BlockCutter.token_starts (the whole text at once, with numpy) against BlockCutter.__call__
(block by block, in Python), which the tests of test_count.py compare with jieba's own cut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from wordmine import segment
from wordmine.corpus import Batch, normalize
from wordmine.symbols import scan
from wordmine.tokenizer import BlockCutter, _Trie, make_tokenizer


def spans_of(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The units of more than one character (and runs of separators), as segment finds them."""
    units = scan(text)
    longer = np.flatnonzero(units.end - units.start > 1)
    return units.start[longer], units.end[longer]


def call_starts(cut: BlockCutter, text: str, starts=None, ends=None) -> list[int]:
    """Where the non-empty tokens of cut(text, spans) start."""
    spans = dict(zip(starts.tolist(), ends.tolist())) if starts is not None else None
    tokens = cut(text, spans)
    return [at for at, token in zip(itertools.accumulate(map(len, tokens), initial=0), tokens) if token]


def vector_starts(cut: BlockCutter, text: str, starts=None, ends=None) -> list[int]:
    return np.flatnonzero(cut.token_starts(text, starts, ends)).tolist()


def sample_text() -> str:
    return normalize("".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))))


@pytest.fixture(scope="module")
def jieba_cutters():
    tk = make_tokenizer()
    return {blocks: BlockCutter(tk, hmm=False, blocks=blocks) for blocks in (None, BlockCutter.FRAGMENT_BLOCKS)}


@pytest.fixture(scope="module")
def tied_cutter(tmp_path_factory):
    """A dictionary whose words all have the same frequency: cuts decided by ties."""
    path = tmp_path_factory.mktemp("dict") / "tied.dict"
    words = ["新词", "词语", "语料", "新", "词", "语", "料", "一二", "二三", "一二三", "ab", "b1", "1.5", "3.5%", "〇二"]
    path.write_text("".join(f"{w} 7\n" for w in words), encoding="utf-8")
    return BlockCutter(make_tokenizer(dictionary=str(path)), hmm=False, blocks=BlockCutter.FRAGMENT_BLOCKS)


@pytest.mark.parametrize("fragments", [False, True])
def test_token_starts_equal_the_cut_on_the_sample(jieba_cutters, fragments):
    cut = jieba_cutters[BlockCutter.FRAGMENT_BLOCKS if fragments else None]
    text = sample_text()
    if fragments:  # as segment cuts: by units
        starts, ends = spans_of(text)
        assert vector_starts(cut, text, starts, ends) == call_starts(cut, text, starts, ends)
    else:  # as count cuts: jieba's blocks, no units
        assert vector_starts(cut, text) == call_starts(cut, text)


# Ideographs, Latin letters and digits (units of several characters), the symbols blocks hold,
# separators that make runs with them (.” starts in a block and ends past it), marks, whitespace,
# full-width forms (normalised below), 〇 and Extension A.
CHARS = list("我们发现新词语料统计中文分词工具的了是一二三abXY1259.,%+-_#&”，。——……（） \t\r\n\u3000〇㐀ＡＩ１２")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.sampled_from(CHARS), max_size=80))
def test_token_starts_equal_the_cut_on_generated_text(jieba_cutters, tied_cutter, text):
    text = normalize(text)
    starts, ends = spans_of(text)
    for cut in (jieba_cutters[BlockCutter.FRAGMENT_BLOCKS], tied_cutter):
        assert vector_starts(cut, text, starts, ends) == call_starts(cut, text, starts, ends)
    cut = jieba_cutters[None]
    assert vector_starts(cut, text) == call_starts(cut, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.sampled_from(list("新词语料一二三〇ab1.5%，")), max_size=40))
def test_token_starts_break_ties_as_jieba_does(tied_cutter, text):
    # 新词语: 新词 + 语 and 新 + 词语 score the same; jieba takes the later end (新词).
    assert vector_starts(tied_cutter, "新词语") == [0, 2]
    text = normalize(text)
    starts, ends = spans_of(text)
    assert vector_starts(tied_cutter, text, starts, ends) == call_starts(tied_cutter, text, starts, ends)


def test_a_span_that_starts_in_a_block_and_ends_past_it(jieba_cutters):
    # scan's units stay inside blocks, but token_starts takes any spans: one that starts in the
    # block 很好. and ends past it is cut as __call__ cuts it (its bounds then run backwards).
    cut = jieba_cutters[BlockCutter.FRAGMENT_BLOCKS]
    text = "他说很好.”然后走了3.5%。"
    starts, ends = np.array([4, 10]), np.array([6, 14])
    assert vector_starts(cut, text, starts, ends) == call_starts(cut, text, starts, ends)
    assert "".join(cut(text, {4: 6, 10: 14})) == text


def test_token_starts_needs_the_hmm_off():
    with pytest.raises(ValueError, match="HMM off"):
        BlockCutter(make_tokenizer(), hmm=True).token_starts("新词")
    assert BlockCutter(make_tokenizer(), hmm=False).token_starts("").size == 0


def test_trie_finds_every_string_and_leaves_out_those_without_prefixes():
    rng = np.random.default_rng(0)
    # Enough strings of few characters for many collisions in the hash table.
    words = {"".join(rng.choice(list("甲乙丙丁戊己庚辛"), size=rng.integers(1, 5))) for _ in range(3000)}
    table = {w[:k]: (-float(len(w)) if k == len(w) else 1.0) for w in words for k in range(1, len(w) + 1)}
    table["无前缀词"] = -3.0  # its prefixes are missing: never reached
    trie = _Trie(table)
    for word, lp in table.items():
        node = 0
        for ch in word:
            node = int(trie.find(np.array([node * trie.base + trie.chars[ord(ch)]]))[0])
            if not node:
                break
        assert (trie.logps[node] == lp) if word != "无前缀词" else node == 0
    assert trie.find(np.array([10**9, 0, 1])).tolist()[:2] == [0, 0]


def reference_segment(text: str) -> tuple[str, int, int]:
    """What _segment_batch made of a batch before token_starts: tokens of __call__, joined."""
    normal = normalize(text)
    starts, ends = spans_of(normal)
    tokens = segment._CUT(normal, dict(zip(starts.tolist(), ends.tolist())))
    bounds = list(itertools.accumulate(map(len, tokens), initial=0))
    tokens = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    joined = segment._MARK_PAIR.sub("", " ".join(tokens))
    lines = [" ".join(line.split()) for line in joined.split("\n")]
    return "\n".join(lines), text.count("\n"), sum(line.count(" ") + 1 for line in lines if line)


LINE_CHARS = CHARS + list("\x0b\x0c\x1c\x85\u2028○")


def numpy_segment_batch(text: str) -> tuple[str, int, int]:
    """_segment_batch on the numpy path, whatever it has cut before."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BlockCutter, "token_starts_pay", lambda self, size: True)
        return segment._segment_batch(Batch(text, 0))


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(LINE_CHARS), max_size=100))
def test_segment_batch_writes_what_the_tokens_joined_give(text):
    segment.segment_text("新词", vocabulary=[("新词", 3), ("语料", 2), ("一二三", 1), ("3.5%", 1)])  # sets _CUT
    assert numpy_segment_batch(text) == reference_segment(text)


@pytest.mark.parametrize("text", ["— —", "——", "—\u3000—x", "……\n……", "a——b— —c……。", "\r\n\r\n", " ", ""])
def test_segment_batch_joins_a_mark_only_with_the_same_mark_beside_it(text):
    segment.segment_text("新词", vocabulary=[("新词", 3)])
    assert numpy_segment_batch(text) == reference_segment(text)


def test_segment_batch_on_the_sample_with_jiebas_dictionary():
    segment.segment_text("新词", vocabulary=[("新词", 3)], mode="add")
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))
    assert numpy_segment_batch(text) == reference_segment(text)


def test_token_starts_pay_once_python_has_cut_twice_the_dictionary(tmp_path):
    # a small dictionary of its own: its trie is built here, in no time
    path = tmp_path / "small.dict"
    path.write_text("新词 5\n挖掘 3\n新 2\n", encoding="utf-8")
    cut = BlockCutter(make_tokenizer([("新词挖掘", 10, None)], dictionary=str(path)), hmm=False)
    strings = len(cut._logp)
    if not cut.token_starts_pay(0):  # no other test made this table's trie yet
        assert not cut.token_starts_pay(2 * strings)
        assert cut.token_starts_pay(1)
    cut.token_starts("新词")  # makes the trie
    assert cut.token_starts_pay(0)
    assert not BlockCutter(make_tokenizer(), hmm=True).token_starts_pay(10**12)
