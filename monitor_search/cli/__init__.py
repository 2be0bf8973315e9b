"""The ``msearch`` command: ``app`` (its commands), ``main`` (run it, get an exit code) and
``run`` (the console script)."""

from monitor_search.cli.app import app, main, run

__all__ = ["app", "main", "run"]
