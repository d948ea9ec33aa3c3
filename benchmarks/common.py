"""Helpers shared by the benchmark scripts: corpus slices, timed runs with peak RSS, RESULTS.md.

Peak RSS is the largest sum of resident memory over a process and all its descendants, sampled
every 50 ms from /proc: a parallel run's memory is its parent's plus its workers'.
"""

from __future__ import annotations

import lzma
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NEWS = SHARED / "corpora" / "news_xwlb" / "xwlb_2012_2026.txt.xz"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
MB = 1 << 20
_PAGE = os.sysconf("SC_PAGE_SIZE")


def require(path: Path) -> Path:
    """Exit cleanly (status 0, a message) when benchmark data is absent."""
    if not path.exists():
        print(f"skipped: {path} is absent (the benchmark data lives in ../shared)")
        sys.exit(0)
    return path


def slice_corpus(source: Path, size: int, dest: Path, *, chars: bool = False) -> Path:
    """Write the first whole lines of an .xz corpus holding ``size`` bytes (or characters,
    with ``chars``) to ``dest``, once."""
    if dest.exists() and (chars or dest.stat().st_size >= size * 0.99):
        return dest
    seen = 0
    tmp = dest.with_suffix(".part")
    with lzma.open(source, "rb") as src, open(tmp, "wb") as out:
        for line in src:
            out.write(line)
            seen += len(line.decode("utf-8")) if chars else len(line)
            if seen >= size:
                break
    tmp.replace(dest)
    return dest


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes
    returncode: int
    stderr: str


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (from /proc; cheap enough to poll)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * _PAGE
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


def timed(cmd: list[str], **kwargs) -> Run:
    """Run ``cmd``, returning wall seconds and the peak RSS of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace")
    return Run(seconds, peak, proc.returncode, stderr)


def machine() -> str:
    import jieba
    import numpy

    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, jieba {jieba.__version__}, "
        f"numpy {numpy.__version__}, {time.strftime('%Y-%m-%d')}"
    )


def write_section(name: str, body: str) -> None:
    """Replace the section ``name`` of RESULTS.md (between its markers), keeping the others."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\nLatest run of each script in `benchmarks/`; each section is rewritten by its script.\n"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
