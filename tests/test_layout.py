"""The architecture's rules: layers import one way, Whoosh's internals stay in ``engine``,
and importing msearch loads no Whoosh and changes nothing in it until ``engine.install``."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

from monitor_search import engine
from monitor_search.engine import WrongWhoosh, check_version

PACKAGE = Path(engine.__file__).resolve().parent.parent

ALLOWED = {
    "model": set(),
    "errors": set(),
    "ingest": {"model", "errors"},
    "analysis": {"errors"},
    "engine": {"analysis", "errors"},
    "index": {"ingest", "analysis", "engine", "model", "errors"},
    "search": {"index", "analysis", "engine", "model", "errors"},
    "output": {"model"},
    "browse": {"search", "index", "output", "model", "errors"},
}
"""Layer -> the other layers it may import (``cli`` and ``__main__`` may import any)."""

PUBLIC_WHOOSH = {
    "whoosh",
    "whoosh.analysis",
    "whoosh.columns",
    "whoosh.fields",
    "whoosh.index",
    "whoosh.lang",
    "whoosh.lang.porter",
    "whoosh.lang.snowball.russian",
    "whoosh.qparser",
    "whoosh.query",
    "whoosh.reading",
    "whoosh.scoring",
    "whoosh.searching",
    "whoosh.support.charset",
    "whoosh.writing",
}
"""Whoosh modules of its documented interface: the only ones code outside ``engine`` uses."""


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (".".join(path.relative_to(PACKAGE).with_suffix("").parts), ast.parse(path.read_text()))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _imported(tree: ast.Module) -> set[str]:
    """Every module ``tree`` imports; ``from a import b`` counts as ``a.b`` too."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_layers_import_one_way():
    crossings = set()
    for module, tree in _modules():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for name in _imported(tree):
            parts = name.split(".")
            if parts[0] != "monitor_search" or len(parts) < 2:
                continue
            other = parts[1]
            if (other in ALLOWED or other == "cli") and other not in ALLOWED[layer] | {layer}:
                crossings.add(f"{module} imports {name}")
    assert not crossings


def test_printers_read_only_the_model():
    for module, tree in _modules():
        if _layer(module) == "output":
            ours = {name for name in _imported(tree) if name.startswith("monitor_search.")}
            assert all(name.split(".")[1] in {"model", "output"} for name in ours), module


def test_whoosh_internals_only_in_the_engine():
    outside = set()
    for module, tree in _modules():
        if _layer(module) == "engine":
            continue
        for name in _imported(tree):
            if name.split(".")[0] == "whoosh" and name not in PUBLIC_WHOOSH:
                parent = name.rpartition(".")[0]
                if parent not in PUBLIC_WHOOSH or name in _module_names():
                    outside.add(f"{module} imports {name}")
        for node in ast.walk(tree):
            private = isinstance(node, ast.Attribute) and node.attr.startswith("_")
            if private and not node.attr.startswith("__") and not _own(node):
                outside.add(f"{module} reads {ast.unparse(node)}")
    assert not outside


def _own(node: ast.Attribute) -> bool:
    """``self._x``, ``cls._x`` and ``os._exit``: not somebody else's internals."""
    return isinstance(node.value, ast.Name) and (
        node.value.id in {"self", "cls"} or ast.unparse(node) == "os._exit"
    )


@functools.cache
def _module_names() -> set[str]:
    """Every module and package of the installed Whoosh, by dotted name."""
    import whoosh

    root = Path(whoosh.__file__).parent
    return {
        ".".join(("whoosh", *path.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in root.rglob("*.py")
    }


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_package_and_its_printers_load_no_whoosh():
    code = """
import sys
import monitor_search, monitor_search.model, monitor_search.errors, monitor_search.engine
import monitor_search.output.terminal, monitor_search.output.json, monitor_search.output.progress
import monitor_search.ingest.article, monitor_search.cli
print(sorted(name for name in sys.modules if name.split(".")[0] == "whoosh"))
"""
    assert _run(code) == "[]"


SNAPSHOT = """
import importlib, pkgutil, sys, types
import whoosh.codec.whoosh3, whoosh.columns, whoosh.filedb.filetables, whoosh.matching.binary
import whoosh.reading, whoosh.writing

def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "whoosh" or not isinstance(module, types.ModuleType):
            continue
        for attribute, value in vars(module).items():
            seen[(name, attribute)] = id(value)
            if isinstance(value, type):
                for key, member in list(vars(value).items()):
                    seen[(name, attribute, key)] = id(member)
                    if isinstance(member, type):
                        for inner, item in vars(member).items():
                            seen[(name, attribute, key, inner)] = id(item)
    return seen

before = snapshot()
import monitor_search
for found in pkgutil.walk_packages(monitor_search.__path__, "monitor_search."):
    if found.name != "monitor_search.__main__":
        importlib.import_module(found.name)
after = snapshot()
changed = sorted(str(key) for key in before if after.get(key) != before[key])
stand_ins = [name for name, module in sys.modules.items() if type(module).__name__ == "_StandIn"]
from monitor_search import engine
engine.install()
installed = snapshot()
mended = [key for key in before if installed.get(key) != before[key]]
print(changed, stand_ins, len(mended) >= 12)
"""


def test_importing_every_module_changes_nothing_in_whoosh_until_install():
    assert _run(SNAPSHOT) == "[] [] True"


def test_another_whoosh_release_is_refused_in_one_line(tmp_path):
    code = f"""
import sys, whoosh
whoosh.__version__ = (2, 7, 5)
sys.argv = ["msearch", "query", "pipeline", "--index", {str(tmp_path)!r}]
from monitor_search.cli import run
run()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "msearch: msearch needs Whoosh 2.7.4, found 2.7.5: run 'pip install whoosh==2.7.4' "
        "in msearch's environment"
    ]
    assert not list(tmp_path.iterdir())


def test_the_version_check():
    check_version((2, 7, 4))
    with pytest.raises(WrongWhoosh, match=r"needs Whoosh 2\.7\.4, found 2\.8\.0"):
        check_version((2, 8, 0))
