"""The ``wordmine`` command line: a thin click layer over the functions of :mod:`wordmine`.

Each command parses its options, makes one library call and writes the result. Bad data raises
:class:`wordmine.errors.WordmineError` in the library, shown here as ``Error: ...`` with exit
status 1; bad usage exits 2 (click); Ctrl-C exits 130 and SIGTERM 143, leaving no output file.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys

import click

import wordmine
from wordmine import defaults
from wordmine.errors import WordmineError
from wordmine.pipeline import STEPS  # imports neither numpy nor jieba

_ERRORS = defaults.ERROR_HANDLERS
_log = logging.getLogger("wordmine.cli")


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that `finally` blocks and atomic writes clean up."""


class WordmineGroup(click.Group):
    """Turns library errors into exit 1, Ctrl-C into exit 130, SIGTERM into 143."""

    @staticmethod
    def _left(ctx: click.Context) -> str:
        if ctx.invoked_subcommand == "pipeline":
            return "the steps that finished kept their files; run it again to finish"
        return "no output was written"

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WordmineError as err:
            raise click.ClickException(str(err)) from None
        except KeyboardInterrupt:
            click.echo(f"wordmine: interrupted; {self._left(ctx)}", err=True)
            ctx.exit(130)
        except _Terminated:
            click.echo(f"wordmine: terminated; {self._left(ctx)}", err=True)
            ctx.exit(143)
        except BrokenPipeError:
            # The reader of stdout went away (`wordmine count x | head`): not an error of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)


def _on_sigterm(signum, frame):
    raise _Terminated()


@click.group(cls=WordmineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(wordmine.__version__, "--version", prog_name="wordmine")
def cli() -> None:
    """Mine Chinese text corpora: word counts, n-grams, new words and word clusters.

    \b
    Every command reads files, directories, globs or - (stdin) and writes
    to -o FILE (atomically) or stdout. Run `wordmine COMMAND -h` for details.
    """
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.stderr is None or getattr(sys.stderr, "closed", False):
        # Started with stderr closed (2>&-): messages go nowhere rather than onto stdout, which
        # carries data only (click falls back to stdout when stderr is missing).
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != 2:
            os.dup2(devnull, 2)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)


# --- shared option groups ----------------------------------------------------------------------


def _encoding(ctx, param, value):
    from wordmine.files import check_encoding

    try:
        return check_encoding(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def input_options(f):
    """INPUTS..., --encoding, --errors."""

    @click.argument("inputs", nargs=-1, metavar="INPUTS...")
    @click.option(
        "--encoding", default=defaults.ENCODING, show_default=True, callback=_encoding,
        help="Input encoding (gb18030, big5, ...) or 'auto' (UTF-8, else GB18030).",
    )
    @click.option(
        "--errors", type=click.Choice(_ERRORS), default=defaults.ERRORS, show_default=True,
        help="What to do with undecodable bytes: stop, replace them with U+FFFD, or drop them.",
    )
    @functools.wraps(f)
    def wrapper(*args, inputs, **kwargs):
        if not inputs:
            if sys.stdin.isatty():
                raise click.UsageError("no INPUTS given and stdin is a terminal; name files or pipe text in")
            inputs = ("-",)
        return f(*args, inputs=list(inputs), **kwargs)

    return wrapper


def output_options(f):
    """-o/--output, --no-header."""
    f = click.option("--no-header", is_flag=True, help="Leave out the header row.")(f)
    return click.option(
        "-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
        help="Output file (written atomically), or - for stdout.",
    )(f)


def jobs_option(f):
    """-j/--jobs."""
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=None,
        help="Worker processes [default and most: the CPUs this process may use]; 1 runs in-process.",
    )(f)


def verbosity_options(f):
    """-q/--quiet, -v/--verbose: set up logging before the command runs."""

    @click.option("-q", "--quiet", is_flag=True, help="No progress bar, only errors.")
    @click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debugging).")
    @functools.wraps(f)
    def wrapper(*args, quiet, verbose, **kwargs):
        level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
        logging.basicConfig(level=level, format="wordmine: %(levelname)s: %(message)s", stream=sys.stderr, force=True)
        return f(*args, quiet=quiet, verbose=verbose, **kwargs)

    return wrapper


def _check_output(output: str, inputs=None) -> None:
    """Before the work: the output can be written (else exit 1) and is none of the inputs (else
    exit 2: ``wordmine count c.txt -o c.txt`` would replace the corpus)."""
    from wordmine.files import check_output, check_writable

    check_writable(output)
    if inputs is not None:
        try:
            check_output(output, inputs)
        except ValueError as err:
            raise click.UsageError(str(err)) from None


# --- commands ----------------------------------------------------------------------------------


@cli.command()
@input_options
@output_options
@jobs_option
@click.option("--hmm/--no-hmm", default=defaults.COUNT_HMM, show_default=True, help="Let jieba's HMM join unknown characters.")
@click.option("--userdict", type=click.Path(exists=True, dir_okay=False), help="A jieba user dictionary to add.")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.MIN_COUNT, show_default=True, help="Drop rarer words.")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N most frequent words.")
@click.option("--keep-punct", is_flag=True, help="Also count punctuation and symbol tokens.")
@verbosity_options
def count(inputs, encoding, errors, output, no_header, jobs, hmm, userdict, min_count, top, keep_punct, quiet, verbose):
    """Count words (jieba tokens) in parallel; write `word<TAB>count` rows.

    \b
    Example:
      wordmine count data/sample -j 2 --min-count 2 -o words.tsv
      xzcat news.txt.xz | wordmine count - --top 20
    """
    _check_output(output, inputs)
    counts = wordmine.count_words(
        inputs, jobs=jobs, hmm=hmm, userdict=userdict, min_count=min_count, top=top,
        keep_punct=keep_punct, encoding=encoding, errors=errors, progress=not quiet,
    )
    wordmine.write_counts(counts, output, header=not no_header)


def _memory(ctx, param, value):
    from wordmine.runs import parse_memory

    try:
        return parse_memory(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def _table_format(output: str, fmt: str) -> str:
    # Binary tables go to files; people reading stdout, and *.tsv files, get text.
    if fmt != "auto":
        return fmt
    return "tsv" if output == "-" or output.endswith(".tsv") else "npz"


_FORMAT_HELP = "npz (binary, memory-mapped) or tsv [default: tsv for stdout and *.tsv, else npz]."


@cli.command()
@input_options
@output_options
@jobs_option
@click.option("-n", "--order", "n", type=click.IntRange(1, 16), default=defaults.ORDER, show_default=True, help="Count orders 1..N.")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.MIN_COUNT, show_default=True, help="Drop rarer n-grams (after merging).")
@click.option("--memory", default=defaults.MEMORY, show_default=True, callback=_memory, help="Memory for merging the sorted runs (the workers' batches come on top).")
@click.option("--format", "fmt", type=click.Choice(["auto", "npz", "tsv"]), default="auto", help=_FORMAT_HELP)
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), help="Where sorted runs go [default: $TMPDIR].")
@verbosity_options
def ngrams(inputs, encoding, errors, output, no_header, jobs, n, min_count, memory, fmt, tmp_dir, quiet, verbose):
    """Count character n-grams of orders 1..N exactly (within fragments).

    \b
    Example:
      wordmine ngrams data/sample -n 4 -j 2 -o grams.npz
      wordmine ngrams big/ -n 6 --memory 2G --min-count 2 -o grams.npz
      wordmine ngrams data/sample -n 2 --min-count 20 | head
    """
    _check_output(output, inputs)
    table = wordmine.count_ngrams(
        inputs, n, min_count=min_count, jobs=jobs, memory=memory, encoding=encoding, errors=errors,
        tmp_dir=tmp_dir, progress=not quiet,
    )
    table.save(output, format=_table_format(output, fmt), header=not no_header)


def _min_count_auto(ctx, param, value):
    if value == "auto":
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise click.BadParameter(f"{value!r} is neither 'auto' nor a positive integer")


def _finite(ctx, param, value):
    """click's FloatRange lets nan through (no comparison with it is true)."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a finite number")
    return value


def _check_min_pmi(min_pmi: tuple, n: int) -> None:
    """A --min-pmi that was given may not hold thresholds for orders the run does not use."""
    ctx = click.get_current_context()
    given = ctx.get_parameter_source("min_pmi") not in (click.core.ParameterSource.DEFAULT, None)
    if given and len(min_pmi) > n:
        raise click.UsageError(f"--min-pmi has {len(min_pmi)} thresholds for orders 1..{n}; give at most {n}")


#: --min-pmi's default as it is typed.
_MIN_PMI = ",".join(format(x, "g") for x in defaults.MIN_PMI)


def _floats(ctx, param, value):
    import math

    try:
        values = tuple(float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise click.BadParameter(f"{value!r}: every threshold must be a finite number")
    return values


@cli.command()
@input_options
@output_options
@jobs_option
@click.option("--ngrams", "ngrams_file", type=click.Path(exists=True, dir_okay=False), help="An n-gram table of this corpus (else counted here).")
@click.option("-n", "--order", "n", type=click.IntRange(2, 16), default=defaults.ORDER, show_default=True, help="Longest n-gram kept.")
@click.option("--min-count", default=defaults.DISCOVER_MIN_COUNT, show_default=True, callback=_min_count_auto, help="Fewest occurrences, or auto (grows with the corpus).")
@click.option("--min-pmi", default=_MIN_PMI, show_default=True, callback=_floats, help="Cohesion threshold per order 1..n (natural log; the last repeats for longer n-grams).")
@click.option("--new-only", is_flag=True, help="Only new words: neither in jieba's dictionary nor accounted for by it (kind new).")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N most frequent words.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "jieba"]), default="tsv", show_default=True, help="A table, or a jieba user dictionary.")
@verbosity_options
def discover(inputs, encoding, errors, output, no_header, jobs, ngrams_file, n, min_count, min_pmi, new_only, top, fmt, quiet, verbose):
    """Discover words: cohesive n-grams joined into pieces, counted and back-filtered.

    \b
    Example:
      wordmine discover data/sample -j 2 -o words.tsv
      wordmine discover news/ --ngrams grams.npz --new-only --format jieba -o new.dict
    """
    _check_min_pmi(min_pmi, n)
    _check_output(output, inputs)
    words = wordmine.discover_words(
        inputs, ngrams=ngrams_file, n=n, min_count=min_count, min_pmi=min_pmi, jobs=jobs,
        encoding=encoding, errors=errors, progress=not quiet,
    )
    wordmine.write_words(words, output, format=fmt, new_only=new_only, top=top, header=not no_header)


@cli.command()
@input_options
@jobs_option
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True), help="Output file (written atomically), or - for stdout.")
@click.option("--dict", "dict_file", required=True, type=click.Path(exists=True, dir_okay=False), help="Words: a wordmine table (word, count, ...) or a jieba dictionary.")
@click.option("--top", type=click.IntRange(min=1), help="Use only the first N words of --dict.")
@click.option("--replace-dict/--add-to-jieba", "replace", default=defaults.SEGMENT_MODE == "replace", show_default=True, help="The words are jieba's whole dictionary, or are added to jieba's own.")
@click.option("--hmm/--no-hmm", default=defaults.SEGMENT_HMM, show_default=True, help="Let jieba's HMM join runs of single characters.")
@verbosity_options
def segment(inputs, encoding, errors, jobs, output, dict_file, top, replace, hmm, quiet, verbose):
    """Segment text with a vocabulary: one line per input line, tokens separated by one space.

    \b
    Example:
      wordmine segment test.txt --dict words.tsv --top 50000 -o test.seg
      wordmine segment news/ --dict new.dict --add-to-jieba --hmm -o news.seg
    """
    from wordmine.formats import read_vocabulary

    _check_output(output, [*inputs, dict_file])
    wordmine.segment_corpus(
        inputs, output, vocabulary=read_vocabulary(dict_file, top=top), mode="replace" if replace else "add",
        hmm=hmm, jobs=jobs, encoding=encoding, errors=errors, progress=not quiet,
    )


@cli.command()
@click.argument("pred", type=click.Path(allow_dash=True))
@click.option("--gold", required=True, type=click.Path(allow_dash=True), help="The gold segmentation of the same text.")
@click.option("--words", "training_words", type=click.Path(exists=True, dir_okay=False), help="Training words (one per line), for OOV and IV recall.")
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True), help="Report file (written atomically), or - for stdout.")
@click.option("--no-header", is_flag=True, help="Leave out the header row.")
@verbosity_options
def evaluate(pred, gold, training_words, output, no_header, quiet, verbose):
    """Score a segmentation against a gold one (SIGHAN bakeoff P, R, F1, OOV and IV recall).

    \b
    Example:
      wordmine evaluate --gold pku_test_gold.utf8 --words pku_training_words.utf8 pku.seg
    """
    from wordmine.files import atomic_write

    if gold == "-" and pred == "-":
        raise click.UsageError("--gold - and PRED - cannot both be stdin; give one of them as a file")
    _check_output(output, [p for p in (pred, gold, training_words) if p is not None])
    scores = wordmine.evaluate_segmentation(gold, pred, training_words)
    with atomic_write(output) as f:
        f.write(scores.to_tsv(header=not no_header))


@cli.command()
@click.argument("tables", nargs=-1, required=True, metavar="TABLES...")
@output_options
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.MIN_COUNT, show_default=True, help="Drop rarer entries.")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N most frequent words (word counts).")
@click.option("--format", "fmt", type=click.Choice(["auto", "npz", "tsv"]), default="auto", help="For n-gram tables: " + _FORMAT_HELP)
@click.option("--memory", default=defaults.MEMORY, show_default=True, callback=_memory, help="For n-gram tables: memory for merging their sorted runs.")
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), help="For n-gram tables: where the sorted runs go [default: $TMPDIR].")
@verbosity_options
def merge(tables, output, no_header, min_count, top, fmt, memory, tmp_dir, quiet, verbose):
    """Add count tables: word counts (TSV) or n-gram tables (npz or TSV) alike.

    \b
    Example:
      wordmine merge total.tsv today.tsv -o total.tsv
      wordmine merge grams_*.npz -o all_grams.npz
    """
    from wordmine.formats import table_kind_of_file

    _check_output(output)  # merge reads every table before it writes: the output may be one of them
    if table_kind_of_file(tables[0]) == "ngrams":
        table = wordmine.merge_ngrams(tables, min_count=min_count, memory=memory, tmp_dir=tmp_dir)
        table.save(output, format=_table_format(output, fmt), header=not no_header)
    else:
        counts = wordmine.prune_counts(wordmine.merge_counts(tables), min_count=min_count, top=top)
        wordmine.write_counts(counts, output, header=not no_header)


def _graph_inputs(inputs: tuple[str, ...], vectors: str | None, vocab: str | None, top: int | None) -> list[str] | None:
    """The segmented text to read (None with --vectors); UsageError for conflicting options."""
    if top is not None and vocab is None:
        raise click.UsageError("--top needs --vocab: it keeps the first N words of that file")
    if vectors is not None:
        if inputs:
            raise click.UsageError("give segmented text (INPUTS) or --vectors, not both")
        return None
    if vocab is None:
        raise click.UsageError("--vocab is required with segmented text: the words that are the graph's nodes")
    if not inputs:
        if sys.stdin.isatty():
            raise click.UsageError("no INPUTS given and stdin is a terminal; name segmented text files, pipe them in, or give --vectors")
        return ["-"]
    return list(inputs)


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUTS...]")
@output_options
@click.option("--vocab", type=click.Path(exists=True, dir_okay=False), help="The nodes: a wordmine word table or a jieba dictionary (required unless --vectors).")
@click.option("--top", type=click.IntRange(min=1), help="Use only the first N words of --vocab.")
@click.option("--vectors", type=click.Path(exists=True, dir_okay=False, allow_dash=True), help="Word vectors in word2vec text format, instead of segmented text.")
@click.option("-k", "k", type=click.IntRange(min=1), default=defaults.K, show_default=True, help="Most neighbours per word.")
@click.option("--min-cosine", type=click.FloatRange(0, 1), default=defaults.MIN_COSINE, show_default=True, callback=_finite, help="Least cosine of a link.")
@click.option("--window", type=click.IntRange(1, defaults.MAX_WINDOW), default=defaults.WINDOW, show_default=True, help="Context tokens on each side (segmented text only).")
@click.option("--dim", type=click.IntRange(min=1), default=defaults.DIM, show_default=True, help="Vector dimensions (segmented text only).")
@click.option("--seed", type=click.IntRange(min=0), default=defaults.GRAPH_SEED, show_default=True, help="Random seed of the SVD (segmented text only).")
@jobs_option
@click.option("--memory", default=defaults.MEMORY, show_default=True, callback=_memory, help="Memory for merging the co-occurrence runs, and most for the PPMI matrix (segmented text only).")
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), help="Where sorted runs go [default: $TMPDIR].")
@verbosity_options
def graph(inputs, output, no_header, vocab, top, vectors, k, min_cosine, window, dim, seed, jobs, memory, tmp_dir, quiet, verbose):
    """Link each word to its k most similar words (cosine of word vectors); write the word graph.

    Vectors come from segmented text (INPUTS: one sentence per line, tokens separated by spaces):
    co-occurrences, positive PMI, randomised SVD; or from a word2vec text file (--vectors).
    Output: `source<TAB>target<TAB>weight` lines (weight = cosine), what `wordmine cluster` reads.

    \b
    Example:
      wordmine segment news/ --dict words.tsv --top 50000 -o news.seg
      wordmine graph news.seg --vocab words.tsv --top 20000 -o graph.tsv
      wordmine graph --vectors vectors.txt --vocab words.tsv -k 20 -o graph.tsv
    """
    from wordmine.formats import read_vocabulary

    segmented = _graph_inputs(inputs, vectors, vocab, top)
    _check_output(output, [*(segmented or []), *(p for p in (vocab, vectors) if p is not None)])
    vocabulary = read_vocabulary(vocab, top=top) if vocab is not None else None
    word_graph = wordmine.build_graph(
        segmented, vocabulary, vectors_file=vectors, k=k, min_cosine=min_cosine, window=window, dim=dim,
        seed=seed, jobs=jobs, memory=memory, tmp_dir=tmp_dir, progress=not quiet,
    )
    if len(word_graph) == 0:
        _log.warning("the graph has no links: no two of its %d words have a cosine of %g or more; "
                     "lower --min-cosine (or give more text)", len(word_graph.words), min_cosine)
    wordmine.write_graph(word_graph, output, header=not no_header)


@cli.command()
@click.argument("graph_file", metavar="GRAPH", type=click.Path(dir_okay=False, allow_dash=True))
@output_options
@click.option("--directed/--undirected", default=defaults.DIRECTED, show_default=True, help="Links have a direction (flow: PageRank), or not (flow: weighted degree).")
@click.option("--trials", type=click.IntRange(min=1), default=defaults.TRIALS, show_default=True, help="Independent searches; the shortest codelength is kept.")
@click.option("--seed", type=click.IntRange(min=0), default=defaults.CLUSTER_SEED, show_default=True, help="Random seed; trial t uses seed + t.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "clu", "tree"]), default="tsv", show_default=True, help="tsv (node, module, flow), or Infomap's .clu or .tree.")
@click.option("--summary-json", type=click.Path(dir_okay=False, allow_dash=True), help="Also write codelengths and the largest modules as JSON here (atomically).")
@verbosity_options
def cluster(graph_file, output, no_header, directed, trials, seed, fmt, summary_json, quiet, verbose):
    """Find modules of a graph with InfoMap (two-level map equation); write one row per node.

    GRAPH holds `source<TAB>target[<TAB>weight]` lines (any labels; `#` comments), as
    `wordmine graph` writes, or Infomap's space-separated link list. Modules are numbered
    from 1 by decreasing flow. In clu and tree output the node label stands where Infomap
    writes its integer node id (and, in tree, the name). The codelength goes to stderr.

    \b
    Example:
      wordmine cluster graph.tsv --trials 10 -o modules.tsv --summary-json summary.json
      wordmine cluster links.txt --directed --format tree -o links.tree
    """
    from wordmine.formats import codelength_report, write_cluster_summary, write_modules

    if summary_json == "-" and output == "-":
        raise click.UsageError("--summary-json - and the modules cannot both go to stdout; give -o FILE")
    _check_output(output, [graph_file])
    if summary_json is not None:
        _check_output(summary_json, [graph_file])
    network = wordmine.read_graph(graph_file, directed=directed)
    result = wordmine.infomap(network, trials=trials, seed=seed)
    write_modules(result, output, format=fmt, header=not no_header, directed=directed, trials=trials, seed=seed)
    if summary_json is not None:
        write_cluster_summary(result, network, summary_json, trials=trials, seed=seed)
    if not quiet:
        click.echo(f"wordmine: {codelength_report(result)}, {network.n} nodes", err=True)


#: Exit status of a pipeline that found its output directory in use (sysexits' EX_TEMPFAIL:
#: "try again later"), so that cron wrappers can tell it from bad data (1) and bad usage (2).
EXIT_BUSY = 75


@cli.command()
@input_options
@click.option("-d", "--outdir", required=True, type=click.Path(file_okay=False), help="Directory of the outputs, the manifest and the summary.")
@jobs_option
@click.option("--force", is_flag=True, help="Run the steps even if they are up to date.")
@click.option("--from", "start", type=click.Choice(STEPS), help="First step to run (earlier ones are not run; their files must exist).")
@click.option("--until", type=click.Choice(STEPS), help="Last step to run.")
@click.option("-n", "--order", type=click.IntRange(2, 15), default=defaults.ORDER, show_default=True, help="discover: longest word (n-grams are counted to N+1).")
@click.option("--min-count", default=defaults.DISCOVER_MIN_COUNT, show_default=True, callback=_min_count_auto, help="discover: fewest occurrences, or auto.")
@click.option("--min-pmi", default=_MIN_PMI, show_default=True, callback=_floats, help="discover: cohesion threshold per order 1..n.")
@click.option("--graph-top", type=click.IntRange(min=1), default=defaults.GRAPH_TOP, show_default=True, help="graph: the nodes are the N most frequent discovered words.")
@click.option("-k", type=click.IntRange(min=1), default=defaults.K, show_default=True, help="graph: most neighbours per word.")
@click.option("--min-cosine", type=click.FloatRange(0, 1), default=defaults.MIN_COSINE, show_default=True, callback=_finite, help="graph: least cosine of a link.")
@click.option("--directed/--undirected", default=defaults.PIPELINE_DIRECTED, show_default=True, help="cluster: the word graph's links have a direction.")
@click.option("--trials", type=click.IntRange(min=1), default=defaults.TRIALS, show_default=True, help="cluster: InfoMap searches; the best is kept.")
@click.option("--graph-seed", type=click.IntRange(min=0), default=defaults.GRAPH_SEED, show_default=True, help="graph: seed of the random projection.")
@click.option("--seed", type=click.IntRange(min=0), default=defaults.CLUSTER_SEED, show_default=True, help="cluster: random seed; trial t uses seed + t.")
@verbosity_options
def pipeline(inputs, encoding, errors, outdir, jobs, force, start, until, order, min_count, min_pmi, graph_top, k,
             min_cosine, graph_seed, directed, trials, seed, quiet, verbose):
    """Run count, ngrams, discover, segment, graph and cluster into one directory.

    A step runs only if its inputs, parameters or wordmine's version changed since the run
    that wrote its files (see OUTDIR/manifest.json); a second run on the same OUTDIR at once
    is refused (exit status 75). The summary goes to OUTDIR/summary.md and stderr.

    \b
    Example:
      wordmine pipeline data/sample -d out -j 2
      wordmine pipeline news/ -d out --from graph --trials 5 -q
    """
    from wordmine.pipeline import PipelineBusy, PipelineOptions, check_request, run_pipeline


    def show(step):
        if not quiet:
            done = f"ran in {step.seconds:.1f} s" if step.ran else "up to date"
            click.echo(f"wordmine: {step.name}: {done} ({', '.join(os.path.basename(p) for p in step.outputs)})", err=True)

    _check_min_pmi(min_pmi, order)
    try:
        # Every step's parameters are checked before the first step runs.
        options = PipelineOptions(
            jobs=jobs, encoding=encoding, errors=errors, order=order, min_count=min_count, min_pmi=min_pmi,
            graph_top=graph_top, k=k, min_cosine=min_cosine, graph_seed=graph_seed, directed=directed, trials=trials,
            seed=seed, progress=not quiet,
        )
        check_request(inputs, start, until)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    try:
        result = run_pipeline(inputs, outdir, options=options, force=force, start=start, until=until, on_step=show)
    except PipelineBusy as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(EXIT_BUSY)
    if not quiet:
        click.echo("\n" + result.summary, err=True, nl=False)
