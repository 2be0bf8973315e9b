"""msearch: full-text search for archives of Jamestown Foundation articles."""

__version__ = "0.1.0"
