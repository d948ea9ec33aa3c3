"""Shared fixtures: a tiny corpus under tmp_path, a click runner, paths to shared data."""

from __future__ import annotations

import os
import random
import signal
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"

TINY_TEXT = (
    "新词发现是中文信息处理的基础工作。\n"
    "我们用结巴分词统计词频，再用Ｎ元语法发现新词！\n"
    "\n"
    "二○二四年，ＡＩ芯片和大模型成为热门话题。\n"
)


def pytest_configure(config):
    """Worker processes x BLAS threads <= cores, in the tests too: each of pytest-xdist's
    processes gets its share of the cores for BLAS (OpenBLAS threads fighting processes for 2
    cores made one test 7x slower). Set before numpy is first imported (collection imports it);
    the commands the tests start inherit it."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, threads)
    # A shell starts a background job (`pytest &`, some CI runners) with Ctrl-C ignored, and the
    # commands a test starts would inherit that: the tests of Ctrl-C need its default.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A three-line UTF-8 corpus with full-width characters, ○ and a blank line."""
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner that keeps stderr apart from stdout (click 8.2+ always does)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def installed_command() -> str:
    """The ``wordmine`` script installed beside the running Python (``pip install -e .`` puts it
    in ``.venv/bin``, whether or not that is on PATH)."""
    path = Path(sys.executable).parent / "wordmine"
    assert path.exists(), f"{path} is missing: install the package as the README says (pip install -e '.[test]')"
    return str(path)


def shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared holds the benchmark data)")
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """One jieba cache for the whole session, outside the user's home."""
    monkeypatch.setenv("WORDMINE_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    os.makedirs(tmp_path_factory.getbasetemp() / "cache", exist_ok=True)


ANIMALS = "猫 狗 兔 鼠 牛 羊".split()
VEHICLES = "车 船 飞机 火车 地铁 公交".split()


@pytest.fixture
def two_topics(tmp_path):
    """Segmented text where animals co-occur with animals and vehicles with vehicles, and its vocabulary."""
    rng = random.Random(5)
    lines = []
    for i in range(400):
        topic = ANIMALS if i % 2 else VEHICLES
        lines.append(" ".join(rng.choice(topic) if rng.random() < 0.7 else rng.choice("的了是在") for _ in range(8)))
    seg = tmp_path / "two.seg"
    seg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vocab = tmp_path / "words.tsv"
    vocab.write_text("word\tcount\n" + "".join(f"{w}\t10\n" for w in ANIMALS + VEHICLES), encoding="utf-8")
    return seg, vocab


def pipeline_snapshot(outdir) -> dict[str, tuple[bytes, int]]:
    """``{name: (bytes, mtime_ns)}`` of the pipeline's step files and manifest that exist."""
    from wordmine.pipeline import MANIFEST, OUTPUTS

    shot = {}
    for name in [*(n for names in OUTPUTS.values() for n in names), MANIFEST]:
        path = os.path.join(outdir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                shot[name] = (f.read(), os.stat(path).st_mtime_ns)
    return shot
