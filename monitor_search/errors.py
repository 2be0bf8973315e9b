"""Errors a user can act on. The CLI prints their message as one line and exits with the code."""

from __future__ import annotations


class MsearchError(Exception):
    """A failure with a message that tells the user what to do (exit code 2, like grep)."""

    exit_code = 2


class IndexMissing(MsearchError):
    """No index where one was expected."""


class IndexDamaged(MsearchError):
    """The index files cannot be read: truncated, corrupted, or from another version."""


class IndexBusy(MsearchError):
    """Another process holds the index's write lock."""


class NotAnIndex(MsearchError):
    """The folder holds something other than an msearch index; we must not write there."""


class BadQuery(MsearchError):
    """The query or one of its options cannot be understood."""


class ArticleNotFound(MsearchError):
    """No article with the requested id (exit code 1: a lookup that found nothing)."""

    exit_code = 1


class UnknownPublication(MsearchError):
    """A ``--publication`` that no article of the index has (exit code 1: nothing found)."""

    exit_code = 1
