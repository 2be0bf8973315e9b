"""Printers: the terminal renderer, the JSON writer, inert text and the progress bar.

They read plain result objects (``monitor_search.model``) and never the index."""
