"""`wordmine trend`: output, slice order, --slices, exit codes and messages."""

from __future__ import annotations

import random
import subprocess

import pytest

import wordmine
from conftest import installed_command
from wordmine.cli import cli
from wordmine.trend import TREND_TABLE

# Per year: 疫情 bursts in 2020-2021, 会议 is flat.
SERIES = {"疫情": [3, 2, 80, 70, 4], "会议": [50, 50, 50, 50, 50]}
YEARS = ["2018", "2019", "2020", "2021", "2022"]


def table(stdout: str) -> list[list[str]]:
    lines = stdout.splitlines()
    assert lines[0] == "\t".join(TREND_TABLE)
    return [line.split("\t") for line in lines[1:]]


@pytest.fixture
def slices(tmp_path):
    paths = []
    for t, year in enumerate(YEARS):
        counts = {w: s[t] for w, s in SERIES.items()}
        counts["的"] = 5000 - sum(counts.values())
        paths.append(tmp_path / f"{year}.tsv")
        wordmine.write_counts(counts, str(paths[-1]))
    return paths


def test_trend_finds_the_burst(runner, slices):
    result = runner.invoke(cli, ["trend", *map(str, slices), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = table(result.stdout)
    assert [r[:3] + r[4:] for r in rows] == [["疫情", "2020", "2021", "150"]]
    assert float(rows[0][3]) > 0


def test_the_order_of_the_slices_on_the_command_line_does_not_matter(runner, slices):
    shuffled = list(map(str, slices))
    random.Random(3).shuffle(shuffled)
    assert shuffled != list(map(str, slices))
    assert runner.invoke(cli, ["trend", *shuffled, "-q"]).stdout == runner.invoke(cli, ["trend", *map(str, slices), "-q"]).stdout


def test_slices_file_gives_order_and_labels(runner, slices, tmp_path):
    listing = tmp_path / "slices.tsv"
    listing.write_text("label\tpath\n" + "".join(f"Y{p.stem}\t{p.name}\n" for p in slices), encoding="utf-8")
    out = tmp_path / "bursts.tsv"
    result = runner.invoke(cli, ["trend", "--slices", str(listing), "-q", "-o", str(out), "--no-header"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").split("\t")[:3] == ["疫情", "Y2020", "Y2021"]


def test_options_reach_the_library(runner, slices, tmp_path):
    paths = list(map(str, slices))
    assert table(runner.invoke(cli, ["trend", *paths, "-q", "--gamma", "50"]).stdout) == []
    assert table(runner.invoke(cli, ["trend", *paths, "-q", "--min-count", "1000"]).stdout) == []
    words = tmp_path / "words.txt"
    words.write_text("会议\n", encoding="utf-8")
    assert table(runner.invoke(cli, ["trend", *paths, "-q", "--words", str(words)]).stdout) == []
    assert len(table(runner.invoke(cli, ["trend", *paths, "-q", "-s", "1.5", "--top", "1"]).stdout)) == 1


def test_bad_data_exits_1(runner, slices, tmp_path):
    bad = tmp_path / "2023.tsv"
    bad.write_text("word\tcount\n疫情\t-1\n", encoding="utf-8")
    result = runner.invoke(cli, ["trend", *map(str, slices), str(bad), "-q"])
    assert result.exit_code == 1
    assert "2023.tsv:2: count '-1' is not a non-negative integer" in result.stderr
    result = runner.invoke(cli, ["trend", *map(str, slices), str(tmp_path / "2030.tsv"), "-q"])
    assert result.exit_code == 1 and "2030.tsv: no such file" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "no slices given"),
        (["{0}"], "at least 2 time slices; 1 given"),
        (["{0}", "{1}", "--slices", "{0}"], "give SLICE... or --slices, not both"),
        (["{0}", "{1}", "-s", "1"], "-s"),
        (["{0}", "{1}", "--gamma", "-1"], "--gamma"),
        (["{0}", "{1}", "-o", "{0}"], "is the input"),
    ],
)
def test_bad_usage_exits_2(runner, slices, args, message):
    result = runner.invoke(cli, ["trend", *(a.format(*slices) for a in args)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_two_slices_of_the_same_name_exit_2(runner, slices, tmp_path):
    (tmp_path / "other").mkdir()
    twin = tmp_path / "other" / "2018.tsv"
    twin.write_bytes(slices[0].read_bytes())
    result = runner.invoke(cli, ["trend", str(slices[0]), str(twin)])
    assert result.exit_code == 2 and "are both slice '2018'" in result.stderr


def test_the_installed_command(slices):
    out = subprocess.run([installed_command(), "trend", *map(str, slices), "-q", "--no-header"], capture_output=True, check=True)
    assert out.stdout.decode("utf-8").startswith("疫情\t2020\t2021\t") and out.stderr == b""
