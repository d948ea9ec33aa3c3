"""jieba tokenizers for worker processes: private, quiet, cached per user.

Each worker builds its own ``jieba.Tokenizer`` (never the global ``jieba.dt``, never
``jieba.enable_parallel``), with its dictionary cache in the per-user cache directory of
:func:`wordmine.files.cache_dir` instead of jieba's shared file in the system temp directory.

>>> tk = make_tokenizer([("新词挖掘", 10, None)])
>>> tk.lcut("新词挖掘工具", HMM=False)
['新词挖掘', '工具']
"""

from __future__ import annotations

import logging
from typing import Iterable

from .files import cache_dir

__all__ = ["jieba_log_level", "make_tokenizer"]

#: An entry of a user dictionary: (word, frequency or None, part-of-speech tag or None).
UserWord = tuple[str, "int | None", "str | None"]


def jieba_log_level() -> int:
    """The level of jieba's logger, to hand to workers that do not inherit it (spawn, forkserver).

    >>> isinstance(jieba_log_level(), int)
    True
    """
    return logging.getLogger("jieba").level


def make_tokenizer(userdict: Iterable[UserWord] = (), log_level: int | None = None):
    """A fresh, initialised ``jieba.Tokenizer`` with the words of ``userdict`` added.

    Args:
        userdict: entries as returned by :func:`wordmine.formats.read_userdict`.
        log_level: set jieba's logger to this level first (workers mirror the parent's level,
            so jieba's "Building prefix dict" chatter stays silenced where the caller silenced it).
    """
    import jieba

    if log_level is not None:
        jieba.setLogLevel(log_level)
    tk = jieba.Tokenizer()
    tk.tmp_dir = cache_dir()
    tk.initialize()
    for word, freq, tag in userdict:
        tk.add_word(word, freq, tag)
    return tk
