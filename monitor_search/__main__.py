"""``python -m monitor_search`` runs the ``msearch`` command."""

from monitor_search.cli import run

run()
