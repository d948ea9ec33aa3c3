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


def _engine(ctx, param, value):
    if value == "dask":
        from wordmine.daskengine import available, missing_message

        if not available():
            raise click.BadParameter(missing_message())
    return value


def engine_options(f):
    """--engine, --scheduler, --scheduler-file: where the workers run; the command gets ``engine``,
    open for its run (None for the local engine)."""

    @click.option(
        "--engine", type=click.Choice(defaults.ENGINES), default=defaults.ENGINE, show_default=True, callback=_engine,
        help="Run the workers here (local) or on a Dask cluster (dask; pip install 'wordmine[dask]').",
    )
    @click.option(
        "--scheduler", metavar="ADDRESS", envvar=defaults.SCHEDULER_VARIABLE, show_envvar=True,
        help="dask: the scheduler (tcp://host:8786) [default: a local cluster of -j workers].",
    )
    @click.option(
        "--scheduler-file", type=click.Path(exists=True, dir_okay=False),
        help="dask: the file `dask scheduler --scheduler-file` wrote, instead of --scheduler.",
    )
    @functools.wraps(f)
    def wrapper(*args, engine, scheduler, scheduler_file, **kwargs):
        ctx = click.get_current_context()
        given = ctx.get_parameter_source("scheduler") not in (None, click.core.ParameterSource.DEFAULT, click.core.ParameterSource.ENVIRONMENT)
        if engine != "dask" and (given or scheduler_file is not None):
            raise click.UsageError("--scheduler and --scheduler-file are for --engine dask")
        if scheduler is not None and scheduler_file is not None:
            raise click.UsageError("give --scheduler or --scheduler-file, not both")
        if engine != "dask":
            return f(*args, engine=None, **kwargs)
        from wordmine.parallel import open_engine

        with open_engine(engine, jobs=kwargs.get("jobs"), scheduler=scheduler or None, scheduler_file=scheduler_file) as backend:
            return f(*args, engine=backend, **kwargs)

    return wrapper


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
@engine_options
@click.option("--hmm/--no-hmm", default=defaults.COUNT_HMM, show_default=True, help="Let jieba's HMM join unknown characters.")
@click.option("--userdict", type=click.Path(exists=True, dir_okay=False), help="A jieba user dictionary to add.")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.MIN_COUNT, show_default=True, help="Drop rarer words.")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N most frequent words.")
@click.option("--keep-punct", is_flag=True, help="Also count punctuation and symbol tokens.")
@verbosity_options
def count(inputs, encoding, errors, output, no_header, jobs, engine, hmm, userdict, min_count, top, keep_punct, quiet, verbose):
    """Count words (jieba tokens) in parallel; write `word<TAB>count` rows.

    \b
    Example:
      wordmine count data/sample -j 2 --min-count 2 -o words.tsv
      xzcat news.txt.xz | wordmine count - --top 20
    """
    _check_output(output, inputs)
    counts = wordmine.count_words(
        inputs, jobs=jobs, hmm=hmm, userdict=userdict, min_count=min_count, top=top,
        keep_punct=keep_punct, encoding=encoding, errors=errors, progress=not quiet, engine=engine,
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
@engine_options
@click.option("-n", "--order", "n", type=click.IntRange(1, 16), default=defaults.ORDER, show_default=True, help="Count orders 1..N.")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.MIN_COUNT, show_default=True, help="Drop rarer n-grams (after merging).")
@click.option("--memory", default=defaults.MEMORY, show_default=True, callback=_memory, help="Memory for merging the sorted runs (the workers' batches come on top).")
@click.option("--format", "fmt", type=click.Choice(["auto", "npz", "tsv"]), default="auto", help=_FORMAT_HELP)
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), help="Where sorted runs go [default: $TMPDIR].")
@verbosity_options
def ngrams(inputs, encoding, errors, output, no_header, jobs, engine, n, min_count, memory, fmt, tmp_dir, quiet, verbose):
    """Count n-grams of units (a character, a Latin word or a number) of orders 1..N exactly, within fragments.

    \b
    Example:
      wordmine ngrams data/sample -n 4 -j 2 -o grams.npz
      wordmine ngrams big/ -n 6 --memory 2G --min-count 2 -o grams.npz
      wordmine ngrams data/sample -n 2 --min-count 20 | head
    """
    _check_output(output, inputs)
    table = wordmine.count_ngrams(
        inputs, n, min_count=min_count, jobs=jobs, memory=memory, encoding=encoding, errors=errors,
        tmp_dir=tmp_dir, progress=not quiet, engine=engine,
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
@engine_options
@click.option("--ngrams", "ngrams_file", type=click.Path(exists=True, dir_okay=False), help="An n-gram table of this corpus (else counted here).")
@click.option("-n", "--order", "n", type=click.IntRange(2, 16), default=defaults.ORDER, show_default=True, help="Longest n-gram kept.")
@click.option("--min-count", default=defaults.DISCOVER_MIN_COUNT, show_default=True, callback=_min_count_auto, help="Fewest occurrences, or auto (grows with the corpus).")
@click.option("--min-pmi", default=_MIN_PMI, show_default=True, callback=_floats, help="Cohesion threshold per order 1..n (natural log; the last repeats for longer n-grams).")
@click.option("--new-only", is_flag=True, help="Only new words: neither in jieba's dictionary nor accounted for by it (kind new), by variety (count x the smaller boundary entropy), most first.")
@click.option("--known", "known_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Words you know (one per line, a word table or a jieba dictionary; repeatable): never new (kind known).")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N most frequent words.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "jieba"]), default="tsv", show_default=True, help="A table, or a jieba user dictionary.")
@verbosity_options
def discover(inputs, encoding, errors, output, no_header, jobs, engine, ngrams_file, n, min_count, min_pmi, new_only, known_files,
             top, fmt, quiet, verbose):
    """Discover words: cohesive n-grams joined into pieces, counted and back-filtered.

    \b
    Example:
      wordmine discover data/sample -j 2 -o words.tsv
      wordmine discover news/ --ngrams grams.npz --new-only --format jieba -o new.dict
      wordmine discover today/ --new-only --known my.dict --known rejected.txt -o new.tsv
    """
    _check_min_pmi(min_pmi, n)
    _check_output(output, [*inputs, *known_files])
    known = [w for path in known_files for w in _word_list(path)]
    words = wordmine.discover_words(
        inputs, ngrams=ngrams_file, n=n, min_count=min_count, min_pmi=min_pmi, jobs=jobs,
        encoding=encoding, errors=errors, progress=not quiet, engine=engine, known=known,
    )
    wordmine.write_words(words, output, format=fmt, new_only=new_only, top=top, header=not no_header)


@cli.command()
@input_options
@jobs_option
@engine_options
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True), help="Output file (written atomically), or - for stdout.")
@click.option("--dict", "dict_file", required=True, type=click.Path(exists=True, dir_okay=False), help="Words: a wordmine table (word, count, ...) or a jieba dictionary.")
@click.option("--top", type=click.IntRange(min=1), help="Use only the first N words of --dict.")
@click.option("--replace-dict/--add-to-jieba", "replace", default=defaults.SEGMENT_MODE == "replace", show_default=True, help="The words are jieba's whole dictionary, or are added to jieba's own.")
@click.option("--hmm/--no-hmm", default=defaults.SEGMENT_HMM, show_default=True, help="Let jieba's HMM join runs of single characters.")
@verbosity_options
def segment(inputs, encoding, errors, jobs, engine, output, dict_file, top, replace, hmm, quiet, verbose):
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
        hmm=hmm, jobs=jobs, encoding=encoding, errors=errors, progress=not quiet, engine=engine,
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
@engine_options
@click.option("--memory", default=defaults.MEMORY, show_default=True, callback=_memory, help="Memory for merging the co-occurrence runs, and most for the PPMI matrix (segmented text only).")
@click.option("--tmp-dir", type=click.Path(file_okay=False, exists=True), help="Where sorted runs go [default: $TMPDIR].")
@verbosity_options
def graph(inputs, output, no_header, vocab, top, vectors, k, min_cosine, window, dim, seed, jobs, engine, memory, tmp_dir, quiet, verbose):
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
        seed=seed, jobs=jobs, memory=memory, tmp_dir=tmp_dir, progress=not quiet, engine=engine,
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
@engine_options
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
@click.option("--known", "known_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="discover: words you know (one per line, a word table or a jieba dictionary; repeatable): never new.")
@click.option("--slices", is_flag=True, default=defaults.PIPELINE_SLICES, help="Each INPUT is a time slice, ordered by name as in `wordmine trend`: adds the trend step (bursts, counts per slice) and sparklines to the report.")
@verbosity_options
def pipeline(inputs, encoding, errors, outdir, jobs, engine, force, start, until, order, min_count, min_pmi, graph_top, k,
             min_cosine, graph_seed, directed, trials, seed, known_files, slices, quiet, verbose):
    """Run count, ngrams, discover, segment, graph and cluster into one directory, then write report.html.

    A step runs only if its inputs, parameters or wordmine's version changed since the run
    that wrote its files (see OUTDIR/manifest.json); a second run on the same OUTDIR at once
    is refused (exit status 75). The summary goes to OUTDIR/summary.md and stderr.

    \b
    Example:
      wordmine pipeline data/sample -d out -j 2
      wordmine pipeline news/ -d out --from graph --trials 5 -q
      wordmine pipeline news/2013 news/2014 news/2015 -d out --slices
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
            jobs=jobs, engine=engine, encoding=encoding, errors=errors, order=order, min_count=min_count, min_pmi=min_pmi,
            graph_top=graph_top, k=k, min_cosine=min_cosine, graph_seed=graph_seed, directed=directed, trials=trials,
            seed=seed, slices=slices, known=tuple(known_files), progress=not quiet,
        )
        check_request(inputs, start, until, slices=slices)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    try:
        result = run_pipeline(inputs, outdir, options=options, force=force, start=start, until=until, on_step=show)
    except PipelineBusy as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(EXIT_BUSY)
    if not quiet:
        click.echo("\n" + result.summary, err=True, nl=False)


# --- keyness and bursts ------------------------------------------------------------------------


def _given(name: str) -> bool:
    """The option was typed (not left at its default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (click.core.ParameterSource.DEFAULT, None)


def _word_list(path: str | None) -> list[str] | None:
    from wordmine.formats import read_word_list

    return None if path is None else read_word_list(path)


@cli.command()
@click.argument("focus", type=click.Path(allow_dash=True))
@click.argument("reference", type=click.Path(allow_dash=True))
@output_options
@click.option("--words", "words_file", type=click.Path(exists=True, dir_okay=False), help="Only these words (one per line, a word table or a jieba dictionary); added to jieba when a corpus is counted.")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.COMPARE_MIN_COUNT, show_default=True, help="Fewest occurrences in the corpus that over-uses the word.")
@click.option("--min-g2", type=click.FloatRange(min=0), default=defaults.MIN_G2, show_default=True, callback=_finite, help="Least G2 (15.13: p < 0.0001, 10.83: p < 0.001, 3.84: p < 0.05; 0: no test).")
@click.option("--smoothing", type=click.FloatRange(min=0, min_open=True), default=defaults.SMOOTHING, show_default=True, callback=_finite, help="Simple maths' N, added to both frequencies per million.")
@click.option("--negative", is_flag=True, help="Also list the words under-used in FOCUS (G2 <= -min-g2), after the others.")
@click.option("--emerging", is_flag=True, help="Only words absent from REFERENCE (or seen at most --max-reference times there).")
@click.option("--max-reference", type=click.IntRange(min=0), default=defaults.MAX_REFERENCE, show_default=True, help="With --emerging: most occurrences in REFERENCE.")
@click.option("--sort", type=click.Choice(defaults.KEYNESS_SORTS), default=defaults.COMPARE_SORT, show_default=True, help="The measure to sort by, descending (ties by word).")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the first N keywords.")
@jobs_option
@click.option("--hmm/--no-hmm", default=defaults.COUNT_HMM, show_default=True, help="Corpora: let jieba's HMM join unknown characters.")
@click.option("--userdict", type=click.Path(exists=True, dir_okay=False), help="Corpora: a jieba user dictionary to add.")
@click.option("--keep-punct", is_flag=True, help="Corpora: also count punctuation and symbol tokens.")
@click.option("--encoding", default=defaults.ENCODING, show_default=True, callback=_encoding, help="Corpora: input encoding (gb18030, big5, ...) or 'auto'.")
@click.option("--errors", type=click.Choice(_ERRORS), default=defaults.ERRORS, show_default=True, help="Corpora: what to do with undecodable bytes.")
@verbosity_options
def compare(focus, reference, output, no_header, words_file, min_count, min_g2, smoothing, negative, emerging, max_reference,
            sort, top, jobs, hmm, userdict, keep_punct, encoding, errors, quiet, verbose):
    """Keywords of FOCUS against REFERENCE: signed log-likelihood G2, Log Ratio, simple maths.

    FOCUS and REFERENCE are word-count tables (`wordmine count` or `merge` output, with
    their header row) or corpora, counted here with the same options. Default: the words
    over-used in FOCUS at p < 0.0001 (G2 >= 15.13) seen at least 5 times there, by G2.

    \b
    Example:
      wordmine compare 2024.tsv before_2024.tsv --top 50 -o keywords.tsv
      wordmine compare week/ year/ -j 2 --emerging --words new.dict
    """
    if focus == "-" and reference == "-":
        raise click.UsageError("FOCUS and REFERENCE cannot both be - (stdin); give one of them as a file")
    if _given("max_reference") and not emerging:
        raise click.UsageError("--max-reference goes with --emerging")
    _check_output(output, [focus, reference, *(p for p in (words_file, userdict) if p is not None)])
    words = _word_list(words_file)
    counting = dict(words=words, jobs=jobs, hmm=hmm, userdict=userdict, keep_punct=keep_punct, encoding=encoding,
                    errors=errors, progress=not quiet)
    rows = wordmine.compare_counts(
        wordmine.load_counts(focus, **counting), wordmine.load_counts(reference, **counting), words=words,
        min_count=min_count, min_g2=min_g2, smoothing=smoothing, negative=negative, emerging=emerging,
        max_reference=max_reference, sort=sort, top=top,
    )
    wordmine.write_keywords(rows, output, header=not no_header)


@cli.command()
@click.argument("slice_paths", nargs=-1, metavar="SLICE...", type=click.Path(dir_okay=False))
@click.option("--slices", "slice_list", type=click.Path(exists=True, dir_okay=False, allow_dash=True), help="A TSV of label<TAB>path lines in time order, instead of SLICE...")
@output_options
@click.option("-s", "--scale", "s", type=click.FloatRange(min=1, min_open=True), default=defaults.BURST_S, show_default=True, callback=_finite, help="The burst rate over the word's base rate.")
@click.option("--gamma", type=click.FloatRange(min=0), default=defaults.BURST_GAMMA, show_default=True, callback=_finite, help="Cost of entering a burst, times ln(number of slices).")
@click.option("--min-count", type=click.IntRange(min=1), default=defaults.TREND_MIN_COUNT, show_default=True, help="Look only at words seen this often over all slices.")
@click.option("--words", "words_file", type=click.Path(exists=True, dir_okay=False), help="Look only at these words (one per line, a word table or a jieba dictionary).")
@click.option("--top", type=click.IntRange(min=1), help="Keep only the N heaviest bursts.")
@verbosity_options
def trend(slice_paths, slice_list, output, no_header, s, gamma, min_count, words_file, top, quiet, verbose):
    """Bursts of words over time slices (Kleinberg 2002, two states, exact Viterbi).

    SLICE... are word-count tables, one per time slice, put in order by their names (without
    directory and extensions), which must sort as dates: 2013.tsv, 2013-07.tsv, ... Writes
    `word, first, last, weight, count` per burst, heaviest first.

    \b
    Example:
      wordmine trend counts/20??.tsv --top 50 -o bursts.tsv
      wordmine trend --slices months.tsv -s 3 --gamma 2
    """
    from wordmine.trend import read_slice_list, sort_slices

    if slice_paths and slice_list is not None:
        raise click.UsageError("give SLICE... or --slices, not both")
    if not slice_paths and slice_list is None:
        raise click.UsageError("no slices given; name one count table per time slice, or give --slices FILE")
    try:
        pairs = sort_slices(slice_paths) if slice_paths else read_slice_list(slice_list)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if len(pairs) < 2:
        raise click.UsageError(f"bursts need at least 2 time slices; {len(pairs)} given")
    labels, paths = [label for label, _ in pairs], [path for _, path in pairs]
    _check_output(output, [*paths, *(p for p in (slice_list, words_file) if p is not None)])
    bursts = wordmine.burst_words(paths, labels=labels, s=s, gamma=gamma, min_count=min_count, words=_word_list(words_file), top=top)
    wordmine.write_bursts(bursts, output, header=not no_header)


@cli.command()
@input_options
@output_options
@jobs_option
@engine_options
@click.option("--words", "words_file", type=click.Path(exists=True, dir_okay=False), help="The words: a wordmine table (word, count, ...), a jieba dictionary or one word per line.")
@click.option("--top", type=click.IntRange(min=1), help="Use only the first N words of --words.")
@click.option("-w", "--word", "word_list", multiple=True, help="A word to look for (repeat for more); instead of --words.")
@click.option("--width", type=click.IntRange(min=1), default=defaults.KWIC_WIDTH, show_default=True, help="Characters of context on each side (within the line).")
@click.option("--per-word", type=click.IntRange(min=1), default=defaults.KWIC_PER_WORD, show_default=True, help="Examples per word, at most.")
@click.option("--pick", type=click.Choice(["spread", "first"]), default=defaults.KWIC_PICK, show_default=True, help="Examples spread over the corpus (a fixed hash of their position), or the first ones.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "text"]), default="tsv", show_default=True, help="A table (word, left, match, right, file, line), or lines aligned for a terminal.")
@verbosity_options
def kwic(inputs, encoding, errors, output, no_header, jobs, engine, words_file, top, word_list, width, per_word, pick, fmt, quiet, verbose):
    """Keyword in context: where each word occurs, with the text around it.

    All words are found in one pass (an Aho-Corasick automaton), inside longer words too.
    Contexts show the text as the file has it; words and text are compared normalised.

    \b
    Example:
      wordmine kwic news/ --words discovered.tsv --top 1000 -o kwic.tsv
      wordmine kwic data/sample -w 星澜科技 -w 澜思 --format text
    """
    from wordmine.formats import read_word_list
    from wordmine.kwic import check_words

    if (words_file is None) == (not word_list):
        raise click.UsageError("give the words with --words FILE or with -w WORD (one or more), not both")
    if top is not None and words_file is None:
        raise click.UsageError("--top needs --words: it keeps the first N words of that file")
    try:
        words = check_words(word_list)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="-w/--word") from None
    _check_output(output, [*inputs, *([words_file] if words_file else [])])
    if words_file is not None:
        words = read_word_list(words_file, top=top)
    contexts = wordmine.keywords_in_context(
        inputs, words, width=width, per_word=per_word, pick=pick, jobs=jobs, encoding=encoding, errors=errors,
        progress=not quiet, engine=engine,
    )
    missing = sum(not found for found in contexts.values())
    if missing:
        _log.info("%d of the %d words do not occur in the corpus", missing, len(contexts))
    wordmine.write_kwic(contexts, output, format=fmt, header=not no_header)


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="The page (written atomically), or - for stdout [default: OUTDIR/report.html].")
@jobs_option
@engine_options
@verbosity_options
def report(outdir, output, jobs, engine, quiet, verbose):
    """Write one self-contained HTML page about a pipeline's output directory.

    The page shows the corpus, the new words (a table to sort and filter, with contexts),
    a rank-frequency plot, the clusters and any SIGHAN scores; it loads nothing from the
    network. `wordmine pipeline` writes it as its last step.

    \b
    Example:
      wordmine report out
      wordmine report out -o ~/public_html/news-words.html
    """
    from wordmine.report import REPORT

    output = os.path.join(outdir, REPORT) if output is None else output
    _check_output(output)
    wordmine.write_report(outdir, output, jobs=jobs, progress=not quiet, engine=engine)
