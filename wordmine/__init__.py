"""wordmine: mine Chinese text corpora for word counts, n-grams, new words and word clusters.

The public API, re-exported here, mirrors the ``wordmine`` command line one function per
subcommand. Submodules load on first use, so ``import wordmine`` (and ``wordmine --help``) stays
fast and does not import jieba or numpy.

>>> import wordmine
>>> wordmine.count_words_in_text("新词发现很有趣")["新词"]
1
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "Batch": "corpus",
    "fragments": "corpus",
    "is_wordlike": "corpus",
    "normalize": "corpus",
    "read_batches": "corpus",
    "count_words": "count",
    "count_words_in_text": "count",
    "merge_counts": "count",
    "prune_counts": "count",
    "NgramTable": "ngrams",
    "count_ngrams": "ngrams",
    "count_ngrams_in_text": "ngrams",
    "merge_ngrams": "ngrams",
    "Word": "discover",
    "discover_words": "discover",
    "discover_words_in_text": "discover",
    "write_words": "formats",
    "read_vocabulary": "formats",
    "SegmentStats": "segment",
    "segment_corpus": "segment",
    "segment_text": "segment",
    "Scores": "evaluate",
    "evaluate_segmentation": "evaluate",
    "score_lines": "evaluate",
    "WordmineError": "errors",
    "InputError": "errors",
    "FormatError": "errors",
    "WorkerError": "errors",
    "atomic_write": "files",
    "expand_inputs": "files",
    "read_counts": "formats",
    "read_userdict": "formats",
    "write_counts": "formats",
    "WordGraph": "graph",
    "build_graph": "graph",
    "knn_graph": "graph",
    "read_word2vec_text": "graph",
    "word_vectors_from_corpus": "graph",
    "write_graph": "graph",
    "Graph": "infomap",
    "InfomapResult": "infomap",
    "infomap": "infomap",
    "read_graph": "infomap",
    "cluster_summary": "formats",
    "codelength_report": "formats",
    "read_modules": "formats",
    "write_cluster_summary": "formats",
    "write_modules": "formats",
}

__all__ = ["__version__", *_EXPORTS]


class _Package(types.ModuleType):
    """The ``wordmine`` package, whose function ``infomap`` shares its name with a submodule.

    Importing ``wordmine.infomap`` (``from wordmine.infomap import Graph``, pytest collecting
    its doctests, ...) makes Python set the submodule as the package attribute ``infomap``,
    which would hide the function: ``wordmine.infomap(graph)`` would then fail in one import
    order and work in another. This keeps the function there in every order. (Python binds
    ``import wordmine.infomap as m`` to the attribute, so that ``m`` is the function too; use
    ``from wordmine.infomap import ...`` for the module's other names.)
    """

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wordmine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
