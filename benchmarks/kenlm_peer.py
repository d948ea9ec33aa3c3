"""Locate or build KenLM's ``count_ngrams`` as a peer for the n-gram counting benchmark.

KenLM is built from its source distribution on PyPI (``pip download --no-binary
:all: --no-deps kenlm``) inside a cache directory outside the repository, by
default ``~/.cache/wordmine-bench/kenlm``:

    dl/kenlm-<version>.tar.gz     the sdist
    kenlm-<version>/              unpacked sources
    build/bin/count_ngrams        the binary returned by find_or_build_count_ngrams()
    build.log                     output of the last build attempt

Nothing of KenLM is ever copied into this repository.  The build needs cmake, a
C++ compiler and Boost; on Debian/Ubuntu install them (as root) with:

    apt-get update && apt-get install -y --no-install-recommends cmake make g++ \\
        libboost-program-options-dev libboost-system-dev libboost-thread-dev \\
        libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev

(zlib/bzip2/lzma are optional; Eigen is only for KenLM's interpolate tool.)
This module never runs apt-get itself.  Note that with ``--no-binary :all:``
pip also builds the sdist's build requirement ``cmake`` from source to read
its metadata: ~12 minutes the first time, seconds once pip's wheel cache has it.

Using the binary: ``count_ngrams -o N -S 1G --write_vocab_list VOCAB < text > COUNTS``.
Input is whitespace-separated tokens, one sentence per line; each line is
padded with ``<s>`` and ends in ``</s>``.  Always pass ``-S``: the default is
80% of physical RAM, and less than 256M is rejected.  COUNTS holds only order-N
records; see decode_counts().
"""

import os
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

KENLM_VERSION = "0.3.0"  # pinned so that benchmark runs are comparable
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "wordmine-bench" / "kenlm"

# Debian package -> file proving it is installed.  Only what the build really
# requires is checked (KenLM's CMakeLists demands these four Boost components).
_REQUIRED = {
    "cmake": "cmake",
    "make": "make",
    "g++": "c++",
    "libboost-program-options-dev": "libboost_program_options.so",
    "libboost-system-dev": "libboost_system.so",
    "libboost-thread-dev": "libboost_thread.so",
    "libboost-test-dev": "libboost_unit_test_framework.so",
}
_LIB_DIRS = ("/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu",
             "/usr/lib/aarch64-linux-gnu")


def _present(probe):
    if probe.endswith(".so"):
        return any(os.path.exists(os.path.join(d, probe)) for d in _LIB_DIRS)
    return shutil.which(probe) is not None


def _run(cmd, logfile, **kwargs):
    """Run cmd, appending its output to logfile; return True on exit status 0."""
    with open(logfile, "a") as out:
        out.write("$ " + " ".join(map(str, cmd)) + "\n")
        out.flush()
        return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, **kwargs).returncode == 0


def _tail(logfile, lines=10):
    """Last lines of the log, preferring error lines over compiler-warning noise."""
    text = Path(logfile).read_text(errors="replace").splitlines()
    errors = [line for line in text if "error" in line.lower()]
    return "\n".join((errors or text)[-lines:])


def find_or_build_count_ngrams(cache_dir=None, log=print):
    """Return the path of a built count_ngrams, building it if needed; None on failure."""
    cache = Path(cache_dir) if cache_dir else DEFAULT_CACHE_DIR
    binary = cache / "build" / "bin" / "count_ngrams"
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary

    missing = [pkg for pkg, probe in _REQUIRED.items() if not _present(probe)]
    if missing:
        log("kenlm: cannot build count_ngrams, missing Debian packages: "
            "apt-get install -y " + " ".join(missing))
        return None

    logfile = cache / "build.log"
    src = cache / f"kenlm-{KENLM_VERSION}"
    sdist = cache / "dl" / f"kenlm-{KENLM_VERSION}.tar.gz"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        logfile.write_text("")
        if not sdist.is_file():
            log(f"kenlm: downloading sdist kenlm=={KENLM_VERSION} (may take minutes)")
            cmd = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                   "--no-deps", "--dest", str(sdist.parent), f"kenlm=={KENLM_VERSION}"]
            if not _run(cmd, logfile) or not sdist.is_file():
                log(f"kenlm: pip download failed (see {logfile}):\n{_tail(logfile)}")
                return None
        if not (src / "CMakeLists.txt").is_file():
            with tarfile.open(sdist) as tar:
                # The "data" filter refuses absolute paths, links out of the tree etc.
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(cache, filter="data")
                else:
                    tar.extractall(cache)
        if not (src / "lm" / "builder" / "count_ngrams_main.cc").is_file():
            log(f"kenlm: {sdist.name} lacks lm/builder/count_ngrams_main.cc")
            return None

        log("kenlm: building count_ngrams (about a minute on 2 cores)")
        build = cache / "build"
        jobs = str(os.cpu_count() or 2)
        ok = (_run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release"], logfile)
              and _run(["cmake", "--build", build, "--target", "count_ngrams",
                        "--parallel", jobs], logfile))
        if not ok or not binary.is_file():
            log(f"kenlm: build failed (see {logfile}):\n{_tail(logfile)}")
            return None
    except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        log(f"kenlm: build of count_ngrams failed: {type(exc).__name__}: {exc}")
        return None
    log(f"kenlm: built {binary}")
    return binary


def decode_counts(counts, vocab, order):
    """Decode count_ngrams output into {(word, ...): count}, for verifying counts.

    counts: bytes of stdout, records of `order` uint32 word ids then a uint64
    count (native byte order); vocab: bytes of the --write_vocab_list file,
    words NUL-terminated in id order (id 0 <unk>, 1 <s>, 2 </s>).  Only order-N
    n-grams are emitted, left-padded with <s>; a k-gram's count is the sum over
    records whose last k words match it (skipping suffixes containing <s>).
    """
    words = vocab.decode("utf-8").split("\0")[:-1]
    record = struct.Struct(f"={order}IQ")
    result = {}
    for fields in record.iter_unpack(counts):
        key = tuple(words[i] for i in fields[:order])
        result[key] = result.get(key, 0) + fields[order]
    return result
