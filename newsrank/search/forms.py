"""The search request's parameters, read alike by the board's /search page and /api/search."""

from __future__ import annotations

from newsrank.search.query import Query, parse_query


def query_from(params) -> Query:
    """A Query from `q`, `from`, `to`, `title` (title only) and `sort` (relevance or date)."""
    return parse_query(
        params.get("q", ""),
        date_from=params.get("from") or None,
        date_to=params.get("to") or None,
        title_only=params.get("title") in ("1", "on", "true"),
        sort="date" if params.get("sort") == "date" else "relevance",
    )
