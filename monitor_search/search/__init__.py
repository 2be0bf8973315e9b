"""Queries over the index: parsing, matching, scoring, passages, facets and lookups."""
