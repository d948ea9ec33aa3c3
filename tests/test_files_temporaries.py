"""Temporary files and directories named after their owner, and their clean-up after a killed
run: real processes, killed with SIGKILL (which gives them no chance to clean up)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from wordmine import files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Holder:
    """A Python process that runs ``code`` (which prints one line when ready) and then waits
    on its stdin until it is killed or released."""

    def __init__(self, code: str, *args: str):
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code) + "\nsys.stdin.read()\n", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        self.said = self.process.stdout.readline().strip()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


@pytest.fixture
def holders():
    made: list[Holder] = []

    def make(code, *args):
        made.append(Holder(code, *args))
        return made[-1]

    yield make
    for holder in made:
        if holder.process.poll() is None:
            holder.kill()


WRITING = """
import sys
from wordmine.files import atomic_write
writing = atomic_write(sys.argv[1])  # to be killed in the middle of writing
f = writing.__enter__()
f.write("half")
f.flush()
print("writing", flush=True)
"""


def temporaries(directory) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp"))


def test_the_temporary_file_is_named_after_its_process(tmp_path, holders):
    writer = holders(WRITING, str(tmp_path / "t.tsv"))
    assert writer.said == "writing"
    [name] = temporaries(tmp_path)
    assert name.startswith(f".t.tsv.{writer.process.pid}-") and name.endswith(".tmp")
    assert files.leftover_temporaries(str(tmp_path / "t.tsv")) == [str(tmp_path / name)]


def test_the_next_write_removes_the_temporaries_of_killed_runs_only(tmp_path, holders, caplog):
    caplog.set_level("INFO")
    target = tmp_path / "t.tsv"
    killed, alive = holders(WRITING, str(target)), holders(WRITING, str(target))
    killed.kill()
    assert len(temporaries(tmp_path)) == 2
    old_style = tmp_path / ".t.tsv.k3j9x_a1.tmp"  # made before names carried a pid: whose?
    old_style.write_text("?")
    with files.atomic_write(str(target)) as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    [live, unknown] = temporaries(tmp_path)
    assert live.startswith(f".t.tsv.{alive.process.pid}-") and unknown == old_style.name
    assert f"left by a killed run (process {killed.process.pid})" in caplog.text


def test_remove_stale_temporaries_follows_a_symlink(tmp_path, holders):
    (tmp_path / "real").mkdir()
    link = tmp_path / "t.tsv"
    link.symlink_to(tmp_path / "real" / "t.tsv")
    holders(WRITING, str(link)).kill()
    [stale] = temporaries(tmp_path / "real")  # beside the target, not beside the link
    assert files.remove_stale_temporaries(str(link)) == [str(tmp_path / "real" / stale)]
    assert temporaries(tmp_path / "real") == []


def test_another_hosts_temporaries_are_left_alone(tmp_path, holders):
    dead = holders("import sys, os\nprint(os.getpid())")
    dead.kill()
    foreign = "ffffffff" if files._host_tag() != "ffffffff" else "00000000"
    other = tmp_path / f".t.tsv.{dead.said}-{foreign}.k3j.tmp"  # the pid means nothing here
    other.write_text("?")
    assert files.remove_stale_temporaries(str(tmp_path / "t.tsv")) == []
    assert other.exists()


MAKING = """
import sys
from wordmine.files import temporary_directory
print(temporary_directory("wordmine-test-", dir=sys.argv[1]), flush=True)
"""


def test_temporary_directory_removes_those_of_killed_runs(tmp_path, holders, caplog):
    caplog.set_level("INFO")
    killed, alive = holders(MAKING, str(tmp_path)), holders(MAKING, str(tmp_path))
    for holder in (killed, alive):
        assert os.path.basename(holder.said).startswith(f"wordmine-test-{holder.process.pid}-")
        with open(os.path.join(holder.said, "run.bin"), "wb") as f:
            f.write(b"\0" * 1000)
    killed.kill()
    other_kind = tmp_path / f"wordmine-other-{killed.process.pid}-{files._host_tag()}-abc"
    other_kind.mkdir()
    mine = files.temporary_directory("wordmine-test-", dir=str(tmp_path))
    assert os.path.basename(mine).startswith(f"wordmine-test-{os.getpid()}-{files._host_tag()}-")
    assert not os.path.exists(killed.said) and os.path.exists(alive.said) and other_kind.exists()
    assert f"left by a killed run (process {killed.process.pid})" in caplog.text
    shutil.rmtree(mine)


def test_temporary_directory_in_a_missing_directory_is_an_output_error(tmp_path):
    with pytest.raises(files.OutputError, match=r"missing: cannot make a temporary directory there \(No such file or directory\)"):
        files.temporary_directory("wordmine-test-", dir=str(tmp_path / "missing"))


def test_a_symlink_named_like_a_stale_directory_is_not_followed(tmp_path, holders):
    dead = holders("import sys, os\nprint(os.getpid())")
    dead.kill()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("x")
    (tmp_path / f"wordmine-test-{dead.said}-{files._host_tag()}-abc").symlink_to(precious)
    shutil.rmtree(files.temporary_directory("wordmine-test-", dir=str(tmp_path)))
    assert (precious / "keep.txt").exists()
