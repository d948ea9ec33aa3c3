"""Batch plans (:func:`wordmine.corpus.plan_batches`): read where they run, they are the batches
of :func:`wordmine.corpus.read_batches`, text and sizes, whatever the files hold."""

import gzip
import random

import pytest

from wordmine.corpus import Batches, Span, plan_batches, read_batches, read_plan
from wordmine.errors import InputError

_WORDS = ["新词", "发现", "，", "。", "iPhone", "3.5%", " ", "\u3000", "A股", "我们", "的", "1,000"]


def _text(rng: random.Random, lines: int, long_every: int = 0, crlf: bool = False) -> str:
    out = []
    for i in range(lines):
        n = rng.randrange(0, 40)
        if long_every and i % long_every == long_every - 1:
            n = 3000  # longer than a small block
        out.append("".join(rng.choice(_WORDS) for _ in range(n)))
    return ("\r\n" if crlf else "\n").join(out)


def _same(paths, **options):
    batches = list(read_batches(paths, **options))
    plans = list(plan_batches(paths, **options))
    assert [read_plan(p) for p in plans] == batches
    return plans


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("block", [4096, 20000])
def test_plans_read_as_the_batches(tmp_path, seed, block):
    rng = random.Random(seed)
    paths = []
    for i in range(4):
        path = tmp_path / f"{i}.txt"
        text = _text(rng, rng.choice([5, 3000, 9000]), crlf=rng.random() < 0.3)
        if rng.random() < 0.5:
            text += "\n"
        data = text.encode("utf-8")
        if rng.random() < 0.3:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        paths.append(str(path))
    plans = _same(paths, batch_bytes=block)
    if block == 4096:  # the large files are read by the workers
        assert any(isinstance(s, Span) for p in plans for s in p.segments)


@pytest.mark.parametrize("encoding", ["gb18030", "auto", "utf-8-sig"])
def test_plans_of_other_encodings(tmp_path, encoding):
    rng = random.Random(7)
    path = tmp_path / "gb.txt"
    path.write_bytes(_text(rng, 60000).encode("gb18030" if encoding != "utf-8-sig" else "utf-8"))
    plans = _same([str(path)], batch_bytes=1 << 16, encoding=encoding)
    assert any(isinstance(s, Span) for p in plans for s in p.segments)


def test_what_travels_as_text(tmp_path):
    """Long lines, compressed files and small files are read by the planner."""
    rng = random.Random(3)
    long = tmp_path / "long.txt"
    long.write_text(_text(rng, 400, long_every=50), encoding="utf-8")
    gz = tmp_path / "c.txt.gz"
    gz.write_bytes(gzip.compress(_text(rng, 3000).encode()))
    small = tmp_path / "small.txt"
    small.write_text("新词\n", encoding="utf-8")
    plans = _same([str(p) for p in (long, gz, small)], batch_bytes=4096)
    assert all(isinstance(s, str) for p in plans for s in p.segments)


def test_odd_ends(tmp_path):
    """A tail that decodes to nothing, whitespace only, a file without a last line end."""
    tail = tmp_path / "tail.txt"
    tail.write_bytes(("新词\n" * 30000).encode() + b"\xff\xfe")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n" * 50000)
    open_end = tmp_path / "open.txt"
    open_end.write_bytes(("新词\n" * 30000).encode() + "尾".encode())
    paths = [str(p) for p in (tail, blank, open_end)]
    _same(paths, batch_bytes=4096, errors="ignore")
    _same(paths, batch_bytes=4096, errors="replace")


def test_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(("新词\n" * 30000).encode() + b"\xff\n" + ("新词\n" * 100).encode())
    with pytest.raises(InputError) as local:
        list(read_batches([str(path)], batch_bytes=4096))
    with pytest.raises(InputError) as planned:
        for plan in plan_batches([str(path)], batch_bytes=4096):
            read_plan(plan)
    assert str(planned.value) == str(local.value)
    assert ":30001:" in str(local.value)
    path.write_bytes(("新词\n" * 30000).encode() + b"a\0b\n")
    with pytest.raises(InputError, match=":30001: NUL byte"):
        for plan in Batches([str(path)], batch_bytes=4096).plans():
            read_plan(plan)
