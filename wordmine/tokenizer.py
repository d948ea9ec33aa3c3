"""jieba tokenizers for worker processes: private, quiet, cached per user.

Each worker builds its own ``jieba.Tokenizer`` (never the global ``jieba.dt``, never
``jieba.enable_parallel``), with its dictionary cache in the per-user cache directory of
:func:`wordmine.files.cache_dir` instead of jieba's shared file in the system temp directory.
jieba's loading messages ("Building prefix dict ...") are shown only when wordmine's own debug
logging is on (``-vv``).

>>> tk = make_tokenizer([("新词挖掘", 10, None)])
>>> tk.lcut("新词挖掘工具", HMM=False)
['新词挖掘', '工具']
"""

from __future__ import annotations

import functools
import logging
from typing import Iterable

from .files import cache_dir

__all__ = ["make_tokenizer"]

log = logging.getLogger(__name__)

#: An entry of a user dictionary: (word, frequency or None, part-of-speech tag or None).
UserWord = tuple[str, "int | None", "str | None"]


def make_tokenizer(userdict: Iterable[UserWord] = ()):
    """An initialised ``jieba.Tokenizer`` with the words of ``userdict`` added.

    The last tokenizer built is reused by the next call with the same words: treat it as
    read-only.

    Args:
        userdict: entries as returned by :func:`wordmine.formats.read_userdict`.
    """
    return _cached_tokenizer(tuple(userdict))


# Building a tokenizer costs about a second (loading jieba's 350k-word dictionary): keep the last
# one, so repeated library calls with jobs=1, and workers forked after one, do not pay again.
@functools.lru_cache(maxsize=1)
def _cached_tokenizer(userdict: tuple):
    import jieba

    tk = jieba.Tokenizer()
    tk.tmp_dir = cache_dir()
    jieba_log = logging.getLogger("jieba")
    level = jieba_log.level
    if not log.isEnabledFor(logging.DEBUG):
        jieba_log.setLevel(logging.WARNING)
    try:
        tk.initialize()
    finally:
        jieba_log.setLevel(level)
    for word, freq, tag in userdict:
        tk.add_word(word, freq, tag)
    return tk
