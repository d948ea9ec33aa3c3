"""What ``-o`` does to what it names (files.atomic_write), and the checks commands make before
the work (files.check_writable, files.check_output).

Permission tests run their writer as another process: as the user ``nobody`` when the tests run
as root (root may write anywhere), as the same user otherwise.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile
import textwrap

import pytest

from wordmine import files
from wordmine.errors import WordmineError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def names(directory) -> list[str]:
    return sorted(os.listdir(directory))


def write(path, text: str) -> None:
    with files.atomic_write(str(path)) as f:
        f.write(text)


def device(tmp_path, name: str, minor: int) -> str:
    """A character device of the mem driver (3 null, 7 full) in tmp_path, or the system's own
    when this process may not make device nodes (never replace those with a broken writer)."""
    path = str(tmp_path / name)
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except OSError:
        return f"/dev/{name}"
    return path


# --- special files, links, modes ---------------------------------------------------------------


def test_a_device_is_written_not_replaced(tmp_path):
    null = device(tmp_path, "null", 3)
    write(null, "新词\t1\n")
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert os.stat(null).st_rdev == os.makedev(1, 3)
    assert not [n for n in os.listdir(os.path.dirname(null)) if n.startswith(".null.")]


def test_a_fifo_is_written_not_replaced(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())", str(fifo)],
        stdout=subprocess.PIPE,
    )
    try:
        with files.atomic_write(str(fifo)) as f:
            f.write("新词\t1\n")
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a file"
        assert reader.communicate()[0] == "新词\t1\n".encode()
    finally:
        reader.kill()
        reader.wait()
    assert names(tmp_path) == ["out.fifo"]


def test_a_full_device_is_a_disk_full_error(tmp_path):
    full = device(tmp_path, "full", 7)
    with pytest.raises(files.OutputError, match=r"full: disk full while writing \(No space left on device\); free some space or write elsewhere"):
        write(full, "新词\t1\n" * 10_000)
    assert stat.S_ISCHR(os.stat(full).st_mode)


@pytest.mark.parametrize("relative", [False, True])
def test_a_symlink_is_followed_and_stays_a_link(tmp_path, relative):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "t.tsv"
    real.write_text("old\n")
    link = tmp_path / "t.tsv"
    link.symlink_to("real/t.tsv" if relative else real)
    write(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == ("real/t.tsv" if relative else str(real))
    assert real.read_text() == "new\n"
    assert names(tmp_path) == ["real", "t.tsv"] and names(tmp_path / "real") == ["t.tsv"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "t.tsv"
    link.symlink_to(tmp_path / "made.tsv")
    write(link, "new\n")
    assert link.is_symlink() and (tmp_path / "made.tsv").read_text() == "new\n"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o600])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, mode):
    target = tmp_path / "t.tsv"
    target.write_text("old\n")
    os.chmod(target, mode)
    write(target, "new\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == mode and target.read_text() == "new\n"


def test_a_hard_link_is_broken_with_a_warning(tmp_path, caplog):
    caplog.set_level("WARNING")
    target, other = tmp_path / "t.tsv", tmp_path / "other.tsv"
    target.write_text("old\n")
    os.link(target, other)
    write(target, "new\n")
    assert target.read_text() == "new\n" and other.read_text() == "old\n"  # documented, as said
    assert f"{target} has 2 hard links; only this name gets the new content" in caplog.text


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(files.OutputError, match="is a directory; give the name of a file to write"):
        write(tmp_path, "x")
    with pytest.raises(files.OutputError, match="is a directory"):
        files.check_writable(str(tmp_path))


# --- errors while writing -----------------------------------------------------------------------


def test_disk_full_while_writing_is_an_output_error_and_leaves_nothing(tmp_path):
    target = tmp_path / "t.tsv"
    target.write_text("old\n")
    with pytest.raises(files.OutputError) as err:
        with files.atomic_write(str(target)) as f:
            f.write("half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # what a write to a full disk raises
    assert str(err.value) == f"{target}: disk full while writing (No space left on device); free some space or write elsewhere"
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert target.read_text() == "old\n" and names(tmp_path) == ["t.tsv"]


def test_an_error_of_another_file_is_not_blamed_on_the_output(tmp_path):
    with pytest.raises(FileNotFoundError):
        with files.atomic_write(str(tmp_path / "t.tsv")) as f:
            f.write("half")
            open(tmp_path / "missing.txt")
    assert names(tmp_path) == []


def run_writer(code: str, *args: str, as_other_user: bool = True) -> subprocess.CompletedProcess:
    """Run ``code`` in a new Python process, which drops root for ``nobody`` (after its imports:
    this Python lives under root's home) when we are root: its stdout and stderr."""
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1")
    if as_other_user and os.geteuid() == 0:
        code = DROP_ROOT + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], env=env, capture_output=True, text=True, cwd="/"
    )


DROP_ROOT = """
import os, wordmine.files, wordmine.errors
wordmine.files._host_tag()  # its lazy imports, while the standard library is still readable
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
"""


@pytest.fixture
def open_tmp():
    """A directory under the system temp dir that another user may enter (tmp_path is private)."""
    path = tempfile.mkdtemp(prefix="wordmine-test-")
    os.chmod(path, 0o755)
    yield path
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    import shutil

    shutil.rmtree(path)


WRITE = """
    import sys
    from wordmine.errors import WordmineError
    from wordmine.files import atomic_write, check_writable
    try:
        if sys.argv[2] == "check":
            check_writable(sys.argv[1])
        with atomic_write(sys.argv[1]) as f:
            f.write("新词\\t1\\n" * 100_000)
    except WordmineError as err:
        print(type(err).__name__, err)
"""


def test_a_read_only_directory_is_found_before_the_work_and_while_writing(open_tmp):
    ro = os.path.join(open_tmp, "ro")
    os.mkdir(ro, 0o555)
    target = os.path.join(ro, "w.tsv")
    result = run_writer(WRITE, target, "check")
    assert result.stdout == (
        f"OutputError {target}: cannot write in directory {ro} (not writable, or a read-only file "
        "system); write elsewhere or fix its permissions\n"
    ), result.stderr
    result = run_writer(WRITE, target, "write")
    assert result.stdout == (
        f"OutputError {target}: cannot write (Permission denied); write elsewhere, or fix the "
        "permissions or the space of its directory\n"
    ), result.stderr
    assert os.listdir(ro) == []


def test_a_read_only_file_is_refused(open_tmp):
    os.chmod(open_tmp, 0o777)
    target = os.path.join(open_tmp, "w.tsv")
    with open(target, "w") as f:
        f.write("old\n")
    os.chmod(target, 0o444)
    for how in ("check", "write"):
        result = run_writer(WRITE, target, how)
        assert result.stdout == f"OutputError {target}: the file is read-only; make it writable (chmod u+w) or write elsewhere\n", result.stderr
    with open(target) as f:
        assert f.read() == "old\n"
    assert os.listdir(open_tmp) == ["w.tsv"]


def test_a_file_size_limit_is_an_output_error_without_traceback_or_leftovers(tmp_path):
    target = tmp_path / "w.tsv"
    target.write_text("old\n")
    code = textwrap.dedent("""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then writes past the limit fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))
    """) + textwrap.dedent(WRITE)
    result = run_writer(code, str(target), "write", as_other_user=False)
    assert result.stdout == (
        f"OutputError {target}: cannot write (File too large); write elsewhere, or fix the "
        "permissions or the space of its directory\n"
    ), result.stderr
    assert result.stderr == "" and target.read_text() == "old\n" and names(tmp_path) == ["w.tsv"]


# --- checks before the work ---------------------------------------------------------------------


def test_check_writable_names_a_missing_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WordmineError) as err:
        files.check_writable("nodir/w.tsv")
    assert str(err.value) == "nodir/w.tsv: directory nodir does not exist; create it (mkdir -p nodir) or write elsewhere"
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(files.OutputError, match="file.txt/w.tsv: file.txt is not a directory; write elsewhere"):
        files.check_writable("file.txt/w.tsv")


@pytest.mark.parametrize("output", ["-", "w.tsv", "sub/w.tsv", "/dev/null"])
def test_check_writable_passes_what_can_be_written(tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert files.check_writable(output) is None


def test_check_writable_follows_a_symlink_to_a_missing_directory(tmp_path):
    link = tmp_path / "w.tsv"
    link.symlink_to(tmp_path / "gone" / "w.tsv")
    with pytest.raises(files.OutputError, match=f"w.tsv: directory {tmp_path / 'gone'} does not exist"):
        files.check_writable(str(link))


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "in" / name).write_text("新词\n", encoding="utf-8")
    return tmp_path / "in"


@pytest.mark.parametrize("inputs", [["in/a.txt"], ["in"], ["in/*.txt"], ["in/**/*.txt"], ["-", "in/b.txt", "in/a.txt"]])
def test_check_output_refuses_an_input(corpus, monkeypatch, inputs):
    monkeypatch.chdir(corpus.parent)
    with pytest.raises(ValueError, match="^the output in/a.txt is the input in/a.txt; write the output to another file$"):
        files.check_output("in/a.txt", inputs)


def test_check_output_sees_through_links(corpus):
    link, hard = corpus.parent / "link.txt", corpus.parent / "hard.txt"
    link.symlink_to(corpus / "a.txt")
    os.link(corpus / "a.txt", hard)
    for output in (link, hard):
        with pytest.raises(ValueError, match=f"the output {output} is the input {corpus / 'a.txt'}"):
            files.check_output(str(output), [str(corpus)])


@pytest.mark.parametrize("output", ["-", "new.tsv", "in/new.tsv", "/dev/null"])
def test_check_output_passes_other_outputs(corpus, monkeypatch, output):
    monkeypatch.chdir(corpus.parent)
    assert files.check_output(output, ["in", "missing.txt", "none/*.txt", "/dev/null"]) is None
