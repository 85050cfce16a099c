"""Links to numbered pages (a post, an outlet, a story) without a reverse() per link.

A list page links 60 of them and a feed 50; `reverse()` costs tens of microseconds each, so a
route is reversed once per process (per URL prefix and URL conf) with a stand-in number, and its
links are that URL with the number put in (bench/pages.py).
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 987_654_321


@lru_cache(maxsize=64)
def _around(name: str, prefix: str, urlconf) -> tuple[str, str]:
    head, tail = reverse(name, urlconf, args=[_STAND_IN]).split(str(_STAND_IN))
    return head, tail


def number_link(name: str):
    """A function from a number to the URL of route `name` with that number, as reverse() gives."""
    head, tail = _around(name, get_script_prefix(), get_urlconf())
    return lambda number: f"{head}{number}{tail}"
