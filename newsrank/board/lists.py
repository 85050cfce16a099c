"""Board lists: which posts a list shows (its scope), and pages of 20 of them.

A page is found without OFFSET over the list and without counting the whole list per request
(DESIGN.md: a year is over ten million posts). A post's *rank* in its list counts from the oldest
post, so it never changes when new posts arrive. Each list keeps, in the cache, the number of
every ANCHOR_EVERY-th post by rank (its anchors); a request counts only the posts after the last
anchor (fewer than 2 × ANCHOR_EVERY, found through the list's index) to know the list's length,
and reads a page as at most ANCHOR_EVERY + 20 index entries after the anchor below it. Page 5,000
costs what page 1 costs.

Anchors are extended as posts arrive. Hiding or unhiding posts and blocking outlets change which
posts a list shows: the anchors are keyed by a fingerprint of the hidden posts and the blocked
outlets (read through small indexes each request), so such a change starts new anchors. A deleted
post bumps a generation in the cache (`forget_anchors`, connected to post_delete); anchors are
also rebuilt after ANCHOR_TTL, which bounds how stale a process-local cache can be.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
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
    key: str = "all"  # names the list's anchors in the cache

    @property
    def link_query(self) -> str:
        """The query that post links carry, so that the post's page lists this board below it."""
        return f"?{urlencode(self.params)}" if self.params else ""

    def holds(self, post: Post) -> bool:
        """Whether a visible post is in this board (no query: its section and outlet say)."""
        return (not self.section or post.section == self.section) and (
            self.outlet is None or post.outlet_id == self.outlet.pk
        )

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
        key=f"section:{slug}",
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
        key=f"outlet:{outlet.pk}",
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
    return Post.objects.listed().select_related("outlet", "story").newest_first()


# --- Pages through anchors ------------------------------------------------------------------------

ANCHOR_EVERY = 1_000
ANCHOR_TTL = 3_600  # seconds; see the module docstring


@dataclass
class Anchors:
    """Post numbers at ranks ANCHOR_EVERY, 2 × ANCHOR_EVERY, … of a list (rank 1 is the oldest)."""

    every: int
    numbers: list[int]

    @property
    def last(self) -> int:
        """The number of the last anchor (0 before the first)."""
        return self.numbers[-1] if self.numbers else 0

    def below(self, rank: int) -> tuple[int, int]:
        """(rank, number) of the anchor at or below `rank` (0, 0 when there is none)."""
        k = min(rank // self.every, len(self.numbers))
        return k * self.every, (self.numbers[k - 1] if k else 0)

    def rank_of(self, number: int) -> tuple[int, int]:
        """(rank, number) of the last anchor before post `number`."""
        k = bisect.bisect_left(self.numbers, number)
        return k * self.every, (self.numbers[k - 1] if k else 0)


def _ascending(scope: Scope) -> QuerySet:
    return scope.posts.order_by("number")


def _fingerprint() -> str:
    """What, besides new posts, changes the visible lists: hidden posts and blocked outlets."""
    hidden = Post.objects.filter(hidden=True).aggregate(n=Count("number"), s=Sum("number"))
    blocked = Outlet.objects.filter(blocked=True).aggregate(n=Count("pk"), s=Sum("pk"))
    generation = cache.get("lists:generation", 0)
    return f"{hidden['n']}.{hidden['s']}.{blocked['n']}.{blocked['s']}.{generation}"


def anchors(scope: Scope) -> tuple[Anchors, int]:
    """The scope's anchors, brought up to date, and how many posts follow the last one."""
    every = ANCHOR_EVERY
    key = f"lists:anchors:{scope.key}:{every}:{_fingerprint()}"
    state = cache.get(key) or Anchors(every, [])
    tail = _ascending(scope).filter(number__gt=state.last)
    after = tail.count()  # below ANCHOR_EVERY once the anchors are extended
    if after >= every:
        after = 0
        numbers = tail.values_list("number", flat=True)
        for number in numbers.iterator(chunk_size=10_000):
            after += 1
            if after == every:
                state.numbers.append(number)
                after = 0
        cache.set(key, state, ANCHOR_TTL)
    return state, after


def forget_anchors(**_) -> None:
    """Start every list's anchors afresh (a post was deleted)."""
    try:
        cache.incr("lists:generation")
    except ValueError:
        cache.set("lists:generation", 1, None)


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


MAX_PAGE = 10**9  # past any list; keeps a 40-digit ?page= from reaching the database


def page_number(raw: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(raw or 1)))
    except ValueError:
        return 1


def get_page(scope: Scope, number: int, state: tuple[Anchors, int] | None = None) -> Page:
    """Page `number` of the scope's list (clamped to the last page), 20 rows newest first."""
    size = settings.NEWSRANK_PAGE_SIZE
    marks, after = state or anchors(scope)
    count = len(marks.numbers) * marks.every + after
    last = max(1, math.ceil(count / size))
    number = min(number, last)
    top = count - (number - 1) * size  # the rank of the page's first (newest) row
    low = max(0, top - size)
    anchor_rank, anchor_number = marks.below(low)
    start = low - anchor_rank  # below ANCHOR_EVERY: a bounded walk along the index
    # The numbers first, from the list's index alone; then the 20 rows by their keys.
    numbers = list(
        _ascending(scope)
        .filter(number__gt=anchor_number)
        .values_list("number", flat=True)[start : start + top - low]
    )
    rows = list(scope.posts.filter(number__in=numbers)) if numbers else []
    return Page(scope, rows, number, count, last)


def page_holding(scope: Scope, post: Post) -> Page:
    """The page of the scope's list that holds the post (the list under an article)."""
    state = anchors(scope)
    return get_page(scope, page_of(scope, post, state), state)


def page_of(scope: Scope, post: Post, state: tuple[Anchors, int] | None = None) -> int:
    """The number of the page of the scope's list that holds the post."""
    marks, after = state or anchors(scope)
    count = len(marks.numbers) * marks.every + after
    anchor_rank, anchor_number = marks.rank_of(post.number)
    rank = anchor_rank + (
        _ascending(scope).filter(number__gt=anchor_number, number__lte=post.number).count()
    )
    return (count - rank) // settings.NEWSRANK_PAGE_SIZE + 1
