"""Shorter start-up: modules Whoosh imports but msearch's queries never use load on demand.

``whoosh.compat`` imports ``urllib.request`` (and with it ``http.client``, ``ssl`` and
``email``) only to re-export ``urlretrieve``; ``whoosh.query``
imports the English morphology tables for its ``Variations`` query; ``whoosh.util.times``
imports ``calendar`` (and ``locale``) for date fields msearch does not have. Together they
are a large part of what ``import whoosh.query`` costs, paid on every run of ``msearch query``.

Until something uses them, each module is a stand-in in ``sys.modules``: a name Whoosh
imports from it is a function that loads the real module when called, and any other
attribute loads the real module at once (which then replaces the stand-in for good).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable

DEFERRED = {
    "urllib.request": ("urlretrieve",),
    "whoosh.lang.morph_en": ("variations",),
    "calendar": (),
}
"""Module -> the names imported from it at start-up (``from module import name``). Only
plain modules: a stand-in cannot be a package, whose submodules must stay importable."""


class _StandIn(types.ModuleType):
    def __init__(self, name: str, attributes: tuple[str, ...]):
        super().__init__(name)
        for attribute in attributes:
            setattr(self, attribute, _calling_real(name, attribute))

    def __getattr__(self, attribute: str):
        if attribute == "__path__":  # the import system asking whether this is a package
            raise AttributeError(attribute)
        return getattr(_real(self.__name__), attribute)


def _real(name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    if isinstance(module, _StandIn):
        del sys.modules[name]
        module = importlib.import_module(name)
    return module if module is not None else importlib.import_module(name)


def _calling_real(name: str, attribute: str) -> Callable:
    def call(*args, **kwargs):
        return getattr(_real(name), attribute)(*args, **kwargs)

    call.__name__ = attribute
    return call


def install() -> None:
    """Put the stand-ins in place (their packages are imported); modules already imported
    are left as they are. Only the ``msearch`` executable calls this (``cli.run``)."""
    for name, attributes in DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = _StandIn(name, attributes)
        parent, _, child = name.rpartition(".")
        if parent:
            # ``import urllib.request`` finds the stand-in in sys.modules and, since Python
            # 3.13, no longer binds it to its package: bind it here.
            setattr(importlib.import_module(parent), child, stand_in)
        sys.modules[name] = stand_in
