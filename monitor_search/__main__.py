"""``python -m monitor_search`` runs the ``msearch`` command."""

from .cli import run

run()
