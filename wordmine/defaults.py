"""Every default of the library and of the command line, in one place that imports nothing.

The command line must not import numpy or jieba (``wordmine --help`` stays fast), so its option
defaults cannot come from the modules that compute; both read them here, and so does the
pipeline. Each module re-exports the defaults of its own functions under its usual names
(``wordmine.discover.DEFAULT_MIN_PMI``); the reasons for each value are given where the value
is used. A test checks that every option of the command line has its library default.

>>> MIN_PMI
(0.0, 0.0, 4.0, 6.0)
"""

__all__ = [
    "CLUSTER_SEED",
    "DIM",
    "DIRECTED",
    "DISCOVER_MIN_COUNT",
    "ENCODING",
    "ERRORS",
    "ERROR_HANDLERS",
    "ENGINE",
    "ENGINES",
    "SCHEDULER_VARIABLE",
    "GRAPH_SEED",
    "GRAPH_TOP",
    "K",
    "KWIC_PER_WORD",
    "KWIC_PICK",
    "KWIC_WIDTH",
    "MEMORY",
    "MIN_COSINE",
    "MIN_COUNT",
    "MIN_PMI",
    "MAX_WINDOW",
    "ORDER",
    "PIPELINE_DIRECTED",
    "PIPELINE_SLICES",
    "SEGMENT_HMM",
    "SEGMENT_MODE",
    "COUNT_HMM",
    "TRIALS",
    "WINDOW",
    # compare and trend
    "BURST_GAMMA",
    "BURST_S",
    "COMPARE_MIN_COUNT",
    "COMPARE_SORT",
    "KEYNESS_SORTS",
    "MAX_REFERENCE",
    "MIN_G2",
    "SMOOTHING",
    "TREND_MIN_COUNT",
]

#: Where the workers run (``--engine``): this machine's processes, or a Dask cluster
#: (wordmine.parallel.ENGINES); the name of the variable that gives the Dask scheduler.
ENGINES = ("local", "dask")
ENGINE = "local"
SCHEDULER_VARIABLE = "WORDMINE_SCHEDULER"
#: How inputs are decoded: UTF-8, a byte-order mark accepted (``--encoding utf-8``).
ENCODING = "utf-8-sig"
#: What undecodable bytes do: stop the run, naming file and line.
ERRORS = "strict"
#: What they may do: stop the run, become U+FFFD, or be dropped.
ERROR_HANDLERS = ("strict", "replace", "ignore")
#: count: jieba's HMM joins unknown characters, as jieba does by default.
COUNT_HMM = True
#: count, ngrams, merge: keep everything seen at least once (cron jobs merge raw counts).
MIN_COUNT = 1
#: ngrams and discover: orders 1..4 (discover counts its n-grams to order + 1).
ORDER = 4
#: ngrams: memory for merging sorted runs.
MEMORY = "512M"
#: discover: fewest occurrences, growing with the corpus.
DISCOVER_MIN_COUNT = "auto"
#: discover: cohesion thresholds for orders 1..4 (natural log).
MIN_PMI = (0.0, 0.0, 4.0, 6.0)
#: segment: the vocabulary is jieba's whole dictionary, without the HMM.
SEGMENT_MODE = "replace"
SEGMENT_HMM = False
#: graph: neighbours per word, their least cosine, context window, vector size, SVD seed.
K = 50
MIN_COSINE = 0.6
WINDOW = 5
#: graph: the widest window (ten times the widest in the literature: Levy et al. 2015 compare 2,
#: 5 and 10; GloVe's largest is 10): a bound known before reading the corpus.
MAX_WINDOW = 100
DIM = 100
GRAPH_SEED = 0
#: pipeline: the graph's nodes are the first 20,000 discovered words.
GRAPH_TOP = 20000
#: cluster: undirected links, one trial, the reference implementation's seed.
DIRECTED = False
TRIALS = 1
CLUSTER_SEED = 123
#: pipeline: the word graph is clustered as directed (each word links to its own nearest words).
PIPELINE_DIRECTED = True
#: pipeline: the inputs are one corpus, not time slices (--slices adds the trend step).
PIPELINE_SLICES = False
#: compare: a keyword's least signed G2: 15.13 is chi-square's critical value for 1 degree of
#: freedom at p < 0.0001, the strictest level of the Lancaster log-likelihood calculator, the one
#: Rayson, Berridge & Francis (2004) advise for keyword lists (it holds at low expected counts).
MIN_G2 = 15.13
#: compare: a keyword occurs at least 5 times in the corpus that over-uses it (Cochran's rule of
#: thumb of 5 for chi-square-type tests, taken as a floor on the observed count).
COMPARE_MIN_COUNT = 5
#: compare: Kilgarriff's (2009) simple maths adds N = 1 to both frequencies per million (his default).
SMOOTHING = 1.0
#: compare --emerging: a word absent from REFERENCE (at most 0 occurrences there).
MAX_REFERENCE = 0
#: compare: keywords sorted by signed G2, as AntConc and WordSmith sort them by default; the
#: measures they may be sorted by (descending).
COMPARE_SORT = "g2"
KEYNESS_SORTS = ("g2", "log_ratio", "simple_maths", "focus_count")
#: trend: Kleinberg's (2002) burst model: the burst state's rate is s = 2 times the base rate,
#: entering it costs gamma = 1 times ln(number of slices) (his defaults, as issue 14 asks).
BURST_S = 2.0
BURST_GAMMA = 1.0
#: trend: every word is looked at (a burst must pay its entry cost, so rare words rarely burst).
TREND_MIN_COUNT = MIN_COUNT
#: kwic: characters of context on each side (about a clause of Chinese news: 20 characters, as the
#: issue asked and AntConc's default of 10 words shows), examples per word, and how they are chosen.
KWIC_WIDTH = 20
KWIC_PER_WORD = 5
KWIC_PICK = "spread"
