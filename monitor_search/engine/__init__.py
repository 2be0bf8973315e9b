"""Everything that reaches into Whoosh 2.7.4's internals, and nothing else does.

Whoosh is unmaintained upstream; msearch's fixes and speed-ups to it live here: mends of
Whoosh's own classes (``patches``), a posting pool and writer (``pool``, ``parallel``,
``blocks``), a
posting and position format of msearch's own inside Whoosh's files (``plainpostings``,
``plainpositions``), field types that index in one pass (``fields``), postings read
straight from Whoosh's files (``postings``) and the BM25F scores of single terms computed
from them (``bm25``).
They are written for one release of Whoosh and take effect only through ``install``, which
the index's entry points (``index.store``) call; importing this package loads no Whoosh.
"""

from __future__ import annotations

from monitor_search.errors import MsearchError

WHOOSH_VERSION = (2, 7, 4)
"""The Whoosh release this package was written for and checked against."""

_installed = False


class WrongWhoosh(MsearchError):
    """The installed Whoosh is not the release the engine's mends were written for."""


def install() -> None:
    """Check the Whoosh release, then put msearch's mends and speed-ups in place (once per
    process; later calls do nothing). Raises ``WrongWhoosh`` on another release."""
    global _installed
    if _installed:
        return
    import whoosh

    check_version(tuple(whoosh.__version__))
    from monitor_search.engine import blocks, patches, pool

    patches.install()
    pool.install()
    blocks.install()
    _installed = True


def check_version(found: tuple) -> None:
    """Raise ``WrongWhoosh`` unless ``found`` is ``WHOOSH_VERSION``."""
    if found[:3] != WHOOSH_VERSION:
        wanted = ".".join(map(str, WHOOSH_VERSION))
        raise WrongWhoosh(
            f"msearch needs Whoosh {wanted}, found {'.'.join(map(str, found))}: "
            f"run 'pip install whoosh=={wanted}' in msearch's environment"
        )
