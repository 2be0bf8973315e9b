"""msearch: full-text search for archives of Jamestown Foundation articles."""

from . import deferred

__version__ = "0.1.0"

deferred.install()
