"""Text analysis: the words, terms and name keys that indexing and queries both use."""
