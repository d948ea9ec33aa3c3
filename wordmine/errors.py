"""Exceptions for bad data: the CLI turns every :class:`WordmineError` into exit status 1.

Anything else that escapes the library is a bug and should show its traceback.

>>> raise InputError("corpus.txt:3: not valid UTF-8")
Traceback (most recent call last):
...
wordmine.errors.InputError: corpus.txt:3: not valid UTF-8
"""

__all__ = ["WordmineError", "InputError", "OutputError", "FormatError", "WorkerError", "EngineError"]


class WordmineError(Exception):
    """Bad data or a failed run that the user can fix; the message says what to do."""


class InputError(WordmineError):
    """An input cannot be read: missing, undecodable or binary.

    An empty input is not an error: it adds nothing, and the reader logs a warning naming it (a
    cron job on a day without new text should not fail).
    """


class OutputError(WordmineError):
    """An output cannot be written: its directory is missing or read-only, it names a directory,
    or the disk is full."""


class FormatError(WordmineError):
    """A table file is malformed, or of another kind than the command expects."""


class WorkerError(WordmineError):
    """A worker process died (killed, out of memory) so the run cannot finish."""


class EngineError(WordmineError):
    """The distributed engine cannot be used: its scheduler cannot be reached (naming it)."""
