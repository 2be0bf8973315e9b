"""The index on disk: its schema, opening and locking it, and adding articles to it."""
