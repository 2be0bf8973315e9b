"""Shorter start-up: two modules Whoosh imports but msearch never uses are loaded on demand.

``whoosh.compat`` imports ``urllib.request`` (and with it ``http.client``, ``ssl`` and
``email``) only to re-export ``urlretrieve``, and ``whoosh.query`` imports the English
morphology tables for its ``Variations`` query. Together they were a third of the time
``import whoosh.query`` takes, on every run of ``msearch query``.

Until something uses them, each module is a stand-in in ``sys.modules``: the one name Whoosh
imports from it is a function that loads the real module when called, and any other
attribute loads the real module at once (which then replaces the stand-in for good).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable

DEFERRED = {"urllib.request": "urlretrieve", "whoosh.lang.morph_en": "variations"}
"""Module -> the one name imported from it at start-up."""


class _StandIn(types.ModuleType):
    def __init__(self, name: str, attribute: str):
        super().__init__(name)
        setattr(self, attribute, _calling_real(name, attribute))

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):  # the import system probing (``__path__``...)
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
    """Put the stand-ins in place; modules already imported are left as they are."""
    for name, attribute in DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = _StandIn(name, attribute)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, stand_in)
