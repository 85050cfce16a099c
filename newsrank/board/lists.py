"""Board lists: which posts a list shows (its scope), and pages of 20 of them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.sources.sections import SECTION_LABELS


@dataclass(frozen=True)
class Scope:
    """One board: 전체, a section or an outlet; rows link back into it."""

    title: str
    url: str
    posts: QuerySet
    params: dict  # query parameters that keep a reader in this board when following a row
    section: str = ""
    outlet: Outlet | None = None

    @property
    def link_query(self) -> str:
        """The query that post links carry, so that the post's page lists this board below it."""
        return f"?{urlencode(self.params)}" if self.params else ""

    def page_url(self, page: int) -> str:
        params = dict(self.params)
        if page > 1:
            params["page"] = page
        return self.url + (f"?{urlencode(params)}" if params else "")


def scope_all() -> Scope:
    return Scope("전체", reverse("board:list"), _base(), {})


def scope_section(slug: str) -> Scope:
    if slug not in SECTION_LABELS:
        raise Http404("no such board")
    posts = _base().filter(section=slug)
    return Scope(
        SECTION_LABELS[slug],
        reverse("board:section", args=[slug]),
        posts,
        {"b": slug},
        section=slug,
    )


def scope_outlet(outlet_id: int) -> Scope:
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        raise Http404("no such outlet")
    posts = _base().filter(outlet=outlet)
    return Scope(
        outlet.name,
        reverse("board:outlet", args=[outlet.pk]),
        posts,
        {"o": outlet.pk},
        outlet=outlet,
    )


def scope_from_params(params) -> Scope:
    """The board a reader came from, as carried in a post link's query (?b=…, ?o=…)."""
    if params.get("b") in SECTION_LABELS:
        return scope_section(params["b"])
    if params.get("o", "").isdigit():
        try:
            return scope_outlet(int(params["o"]))
        except Http404:
            pass
    return scope_all()


def _base() -> QuerySet:
    return Post.objects.visible().select_related("outlet", "story").newest_first()


@dataclass(frozen=True)
class Page:
    scope: Scope
    rows: list[Post]
    number: int
    count: int  # posts in the scope
    last: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last

    def nearby(self, width: int = 5) -> list[tuple[int, str]]:
        """(number, url) of the pages around this one for the pager, up to 2*width+1 of them."""
        first = max(1, min(self.number - width, self.last - 2 * width))
        return [
            (n, self.scope.page_url(n)) for n in range(first, min(self.last, first + 2 * width) + 1)
        ]

    @property
    def links(self) -> dict[str, str]:
        return {
            "first": self.scope.page_url(1),
            "prev": self.scope.page_url(self.number - 1),
            "next": self.scope.page_url(self.number + 1),
            "last": self.scope.page_url(self.last),
        }


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def get_page(scope: Scope, number: int) -> Page:
    """Page `number` of the scope's list (clamped to the last page), 20 rows newest first."""
    size = settings.NEWSRANK_PAGE_SIZE
    count = scope.posts.count()
    last = max(1, math.ceil(count / size))
    number = min(number, last)
    rows = list(scope.posts[(number - 1) * size : number * size])
    return Page(scope, rows, number, count, last)


def page_of(scope: Scope, post: Post) -> int:
    """The page of the scope's list that holds the post."""
    newer = scope.posts.filter(number__gt=post.number).count()
    return newer // settings.NEWSRANK_PAGE_SIZE + 1
