"""The README documents every command, and CI runs exactly the README's test command."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from wordmine.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme_and_has_help(runner, name):
    assert f"wordmine {name}" in README
    result = runner.invoke(cli, [name, "-h"])
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    main_job, test_command = blocks[0], blocks[1]
    assert "data/sample" in main_job and "pip install" in main_job
    # The dask extra too: the tests of --engine dask run in CI, not skipped.
    assert "pytest" in test_command and "pip install -e '.[test,dask]'" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test_command


def test_version(runner):
    import wordmine

    result = runner.invoke(cli, ["--version"])
    assert result.stdout == f"wordmine, version {wordmine.__version__}\n"


def test_cli_module_does_not_import_jieba_or_numpy():
    import subprocess
    import sys

    code = "import sys, wordmine.cli; print('jieba' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False False\n"
