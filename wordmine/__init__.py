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
    "new_words": "formats",
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
    "OutputError": "errors",
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
    "write_graph": "formats",
    "Graph": "cluster",
    "Network": "cluster",
    "InfomapResult": "cluster",
    "infomap": "cluster",
    "read_graph": "cluster",
    "cluster_summary": "formats",
    "codelength_report": "formats",
    "read_modules": "formats",
    "write_cluster_summary": "formats",
    "write_modules": "formats",
    "read_words": "formats",
    "read_word_list": "formats",
    "Context": "kwic",
    "WordMatcher": "kwic",
    "keywords_in_context": "kwic",
    "keywords_in_context_of_text": "kwic",
    "write_kwic": "kwic",
    "build_report": "report",
    "write_report": "report",
    "PipelineBusy": "pipeline",
    "PipelineOptions": "pipeline",
    "PipelineResult": "pipeline",
    "run_pipeline": "pipeline",
    "Keyword": "compare",
    "compare_counts": "compare",
    "load_counts": "compare",
    "write_keywords": "compare",
    "Burst": "trend",
    "burst_words": "trend",
    "count_slices": "trend",
    "read_bursts": "trend",
    "write_bursts": "trend",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wordmine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
