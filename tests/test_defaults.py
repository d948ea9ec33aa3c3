"""One source of defaults: every option of the command line defaults to its library function's
default (and the pipeline's options to the single steps')."""

from __future__ import annotations

import dataclasses
import inspect

import click
import pytest

import wordmine
from wordmine import defaults
from wordmine.cli import cli
from wordmine.pipeline import PipelineOptions

# command -> (library function, {option name in the command: parameter name in the function})
COMMANDS = {
    "count": (wordmine.count_words, {}),
    "ngrams": (wordmine.count_ngrams, {}),
    "discover": (wordmine.discover_words, {}),
    "segment": (wordmine.segment_corpus, {}),
    "graph": (wordmine.build_graph, {}),
    "cluster": (wordmine.infomap, {}),
    "compare": (wordmine.compare_counts, {}),
    "trend": (wordmine.burst_words, {}),
    "kwic": (wordmine.keywords_in_context, {}),
}
# options whose value the command turns into the library's (the CLI's spelling, the library's value)
SPELLED = {
    "encoding": lambda value: wordmine.files.check_encoding(value),
    "min_pmi": lambda value: tuple(float(x) for x in value.split(",")),
    "memory": lambda value: value,
}


def cli_defaults(name: str) -> dict:
    """The defaults the command's options declare (click 8.2+ marks "none" with a sentinel)."""
    return {
        p.name: p.default for p in cli.commands[name].params
        if isinstance(p, click.Option) and p.default is not None and "UNSET" not in repr(p.default)
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_cli_default_is_the_library_default(name):
    function, renamed = COMMANDS[name]
    library = {k: p.default for k, p in inspect.signature(function).parameters.items() if p.default is not inspect.Parameter.empty}
    checked = 0
    for option, value in cli_defaults(name).items():
        parameter = renamed.get(option, option)
        if parameter not in library:
            continue  # an option of the command only (output, format, quiet, ...)
        value = SPELLED.get(parameter, lambda v: v)(value)
        assert value == library[parameter], f"{name} --{option}: {value!r} != {library[parameter]!r}"
        checked += 1
    assert checked >= 1


def test_the_pipeline_options_are_the_commands_defaults():
    pipeline = cli_defaults("pipeline")
    options = {f.name: f.default for f in dataclasses.fields(PipelineOptions)}
    names = {"order": "order", "min_count": "min_count", "min_pmi": "min_pmi", "graph_top": "graph_top", "k": "k",
             "min_cosine": "min_cosine", "directed": "directed", "trials": "trials", "graph_seed": "graph_seed",
             "seed": "seed", "errors": "errors", "encoding": "encoding"}
    for option, field in names.items():
        value = SPELLED.get(option, lambda v: v)(pipeline[option])
        assert value == options[field], option
    # the single steps the pipeline runs have the same defaults
    assert options["k"] == cli_defaults("graph")["k"] and options["min_cosine"] == cli_defaults("graph")["min_cosine"]
    assert options["trials"] == cli_defaults("cluster")["trials"] and options["seed"] == cli_defaults("cluster")["seed"]
    assert options["graph_seed"] == cli_defaults("graph")["seed"] and options["directed"] == defaults.PIPELINE_DIRECTED
