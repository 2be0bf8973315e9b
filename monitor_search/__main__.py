"""``python -m monitor_search`` runs the ``msearch`` command."""

from .cli import main

raise SystemExit(main())
