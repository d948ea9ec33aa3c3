"""`wordmine report`: where the page goes, exit codes and messages, the installed command."""

from __future__ import annotations

import subprocess
import sys

from conftest import installed_command
from wordmine.cli import cli

DISCOVERED = (
    "word\tcount\tcohesion\tleft_entropy\tright_entropy\tjieba_lift\tkind\n"
    "星澜科技\t35\t6.85\t1.4\t2.95\t9.1\tnew\n"
)


def make_outdir(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "discovered.tsv").write_text(DISCOVERED, encoding="utf-8")
    return out


def test_report_writes_outdir_report_html(runner, tmp_path):
    out = make_outdir(tmp_path)
    result = runner.invoke(cli, ["report", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "星澜科技" in page


def test_report_to_a_file_or_stdout(runner, tmp_path):
    out = make_outdir(tmp_path)
    assert runner.invoke(cli, ["report", str(out), "-q", "-o", str(tmp_path / "page.html")]).exit_code == 0
    result = runner.invoke(cli, ["report", str(out), "-q", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>") and "星澜科技" in result.stdout
    assert not (out / "report.html").exists()


def test_bad_usage_and_bad_data(runner, tmp_path):
    result = runner.invoke(cli, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["report", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "none of discovered.tsv, words.tsv, modules.tsv" in result.stderr
    out = make_outdir(tmp_path)
    result = runner.invoke(cli, ["report", str(out), "-o", str(tmp_path / "missing" / "r.html")])
    assert result.exit_code == 1 and "does not exist; create it" in result.stderr
    (out / "discovered.tsv").write_text(DISCOVERED + "坏\n", encoding="utf-8")
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 1 and "discovered.tsv:3: expected 7 tab-separated fields" in result.stderr


def test_the_installed_command_and_python_m(tmp_path):
    out = make_outdir(tmp_path)
    subprocess.run([installed_command(), "report", str(out), "-q"], check=True, capture_output=True)
    module = subprocess.run([sys.executable, "-m", "wordmine", "report", str(out), "-q", "-o", "-"], check=True, capture_output=True)
    assert module.stdout.split(b"Made ")[0] == (out / "report.html").read_bytes().split(b"Made ")[0]
