"""Helpers shared by the benchmark scripts: corpus slices, timed runs with peak RSS, RESULTS.md.

Peak RSS is the largest sum of resident memory over a process and all its descendants, sampled
every 50 ms from /proc: a parallel run's memory is its parent's plus its workers'. CPU seconds
(:func:`timed_tree`) are user + system time of the whole tree, exact, from the kernel's counts.
"""

from __future__ import annotations

import argparse
import lzma
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
NEWS = SHARED / "corpora" / "news_xwlb" / "xwlb_2012_2026.txt.xz"
LAWS = SHARED / "corpora" / "laws" / "laws_zh.txt.xz"
NOVEL = SHARED / "corpora" / "classics" / "hongloumeng.txt"  # 红楼梦, plain text
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


def bench_parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark has: --cache and --no-write."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "wordmine-bench",
                        help="where corpus slices and peers are kept between runs")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    return parser


def news(cache: Path, *, mb: float | None = None, chars: int | None = None) -> Path:
    """The first ``mb`` MiB (or ``chars`` characters) of the news corpus, sliced into ``cache`` once."""
    cache.mkdir(parents=True, exist_ok=True)
    if chars is not None:
        return slice_corpus(NEWS, chars, cache / f"news_{chars}chars.txt", chars=True)
    return slice_corpus(NEWS, int(mb * MB), cache / f"news_{mb:g}mb.txt")


def whole(cache: Path, source: Path) -> Path:
    """The whole of an .xz corpus, unpacked into ``cache`` once (the tools read it unpacked:
    what is measured is counting, not xz); a corpus that is not compressed is read in place."""
    if source.suffix != ".xz":
        return source
    cache.mkdir(parents=True, exist_ok=True)
    dest = cache / source.name.removesuffix(".xz")
    if not dest.exists():  # written as .part and renamed: a file that exists is complete
        tmp = dest.with_suffix(".part")
        with lzma.open(source, "rb") as src, open(tmp, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        tmp.replace(dest)
    return dest


def publish(name: str, report: str, write: bool) -> None:
    """Print a benchmark's report and, unless --no-write, make it RESULTS.md's section ``name``."""
    print(report)
    if write:
        write_section(name, report)


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes
    returncode: int
    stderr: str
    cpu_seconds: float | None = None  # user + system of the whole tree (timed_tree only)


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


def timed_tree(cmd: list[str], **kwargs) -> Run:
    """:func:`timed`, plus the CPU seconds (user + system) of ``cmd``'s whole process tree.

    ``getrusage(RUSAGE_CHILDREN)`` only counts descendants that were waited for, all the way up:
    wordmine's workers are children of a fork server its main process never waits for (the
    server exits after it). So this process becomes a child subreaper (Linux ``prctl``): orphans
    of the tree are re-parented here and reaped below, and the fork server's count includes the
    workers it reaped. Elsewhere the figure may miss such processes.
    """
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = timed(cmd, **kwargs)
    _reap_orphans(time.monotonic() + 60)  # the fork server ends once its parent is gone
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return run


_PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_orphans(deadline: float) -> None:
    """Wait for every remaining child (re-parented orphans), until none is left or the deadline."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)


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
