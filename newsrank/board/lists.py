"""Board lists: which posts a list shows (its scope), and pages of 20 of them.

A page is found without OFFSET over the list and without counting the whole list per request
(DESIGN.md: a year is over ten million posts). A post's *rank* in its list counts from the oldest
post, so it never changes when new posts arrive. Each list keeps, in the cache, the number of
every ANCHOR_EVERY-th post by rank (its anchors); a request counts only the posts after the last
anchor (fewer than 2 × ANCHOR_EVERY, found through the list's index) to know the list's length,
and reads a page as at most ANCHOR_EVERY + 20 index entries after the anchor below it. Page 5,000
costs what page 1 costs.

Anchors are extended as posts arrive. Hiding or unhiding posts and blocking outlets change which
posts a list shows: the anchors carry a fingerprint of the hidden posts and the blocked outlets
(read through small indexes each request, in the same query as the count after the last anchor),
so such a change starts new anchors. A deleted post bumps a generation in the cache
(`forget_anchors`, connected to post_delete); anchors are also rebuilt after ANCHOR_TTL, which
bounds how stale a process-local cache can be.

A list page costs two queries and the 20 rows; an article's list one more (the post itself).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from newsrank.board.links import number_link
from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.sources.sections import SECTION_LABELS


@dataclass(frozen=True)
class Scope:
    """One board: 전체, a section or an outlet; rows link back into it."""

    title: str
    url: str
    params: dict  # query parameters that keep a reader in this board when following a row
    section: str = ""
    outlet: Outlet | None = None
    key: str = "all"  # names the list's anchors in the cache

    @property
    def posts(self) -> QuerySet:
        """The list as a queryset, newest first (the feeds; the pages read it through SQL below)."""
        posts = Post.objects.listed().select_related("outlet", "story").newest_first()
        if self.section:
            posts = posts.filter(section=self.section)
        if self.outlet is not None:
            posts = posts.filter(outlet=self.outlet)
        return posts

    def where(self) -> tuple[str, list]:
        """The list as a condition on board_post, written as its partial index is defined."""
        if self.section:
            return f'{_LISTED} AND "section" = %s', [self.section]
        if self.outlet is not None:
            return f'{_LISTED} AND "outlet_id" = %s', [self.outlet.pk]
        return _LISTED, []

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
    return Scope("전체", reverse("board:list"), {})


def scope_section(slug: str) -> Scope:
    if slug not in SECTION_LABELS:
        raise Http404("no such board")
    return Scope(
        SECTION_LABELS[slug],
        reverse("board:section", args=[slug]),
        {"b": slug},
        section=slug,
        key=f"section:{slug}",
    )


def scope_outlet(outlet_id: int) -> Scope:
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        raise Http404("no such outlet")
    return Scope(
        outlet.name,
        reverse("board:outlet", args=[outlet.pk]),
        {"o": outlet.pk},
        outlet=outlet,
        key=f"outlet:{outlet.pk}",
    )


def scope_from_params(params) -> Scope:
    """The board a reader came from, as carried in a post link's query (?b=…, ?o=…)."""
    if params.get("b") in SECTION_LABELS:
        return scope_section(params["b"])
    outlet = params.get("o", "")
    # Decimal digits that fit the key ('²'.isdigit() too, and int() refuses it).
    if outlet.isdecimal() and len(outlet) <= 18:
        try:
            return scope_outlet(int(outlet))
        except Http404:
            pass
    return scope_all()


# --- Pages through anchors ------------------------------------------------------------------------

ANCHOR_EVERY = 1_000
ANCHOR_TTL = 3_600  # seconds; see the module docstring


@dataclass
class Anchors:
    """Post numbers at ranks ANCHOR_EVERY, 2 × ANCHOR_EVERY, … of a list (rank 1 is the oldest)."""

    every: int
    numbers: list[int]
    fingerprint: str = ""  # of the hidden posts and blocked outlets they were counted with

    @property
    def last(self) -> int:
        """The number of the last anchor (0 before the first)."""
        return self.numbers[-1] if self.numbers else 0

    def below(self, rank: int) -> tuple[int, int]:
        """(rank, number) of the anchor at or below `rank` (0, 0 when there is none)."""
        k = min(rank // self.every, len(self.numbers))
        return k * self.every, (self.numbers[k - 1] if k else 0)

    def above(self, rank: int, count: int, newest: int) -> tuple[int, int]:
        """(rank, number) of the anchor at or above `rank`, else of the newest of `count` posts."""
        k = -(-rank // self.every)
        if 0 < k <= len(self.numbers):
            return k * self.every, self.numbers[k - 1]
        return count, newest

    def rank_of(self, number: int) -> tuple[int, int]:
        """(rank, number) of the last anchor before post `number`."""
        k = bisect.bisect_left(self.numbers, number)
        return k * self.every, (self.numbers[k - 1] if k else 0)


@dataclass(frozen=True)
class ListState:
    """A list as one request sees it: its anchors, the posts after the last one, and the rank of
    the post the request is about (an article's), if any."""

    marks: Anchors
    after: int
    newest: int  # the newest post's number (0 for an empty list)
    rank: int | None = None

    @property
    def count(self) -> int:
        return len(self.marks.numbers) * self.marks.every + self.after

    def page_of_rank(self) -> int:
        """The number of the page that holds the post of `rank` (newest first)."""
        return (self.count - self.rank) // settings.NEWSRANK_PAGE_SIZE + 1


# --- The list queries as SQL ----------------------------------------------------------------------
# Written out rather than built with the ORM: a page runs two or three of them, and building and
# compiling a queryset cost about 1 ms of CPU each, many times the query itself on its index
# (bench/pages.py). The condition is the one `PostQuerySet.listed()` builds, `NOT "hidden"` as the
# partial indexes are defined, so SQLite and PostgreSQL read the list's index (the plans are
# checked in tests/board/test_queries.py).

_LISTED = (
    'NOT "hidden" AND NOT ("outlet_id" IN (SELECT "id" FROM "sources_outlet" WHERE "blocked"))'
)
_FINGERPRINT = (
    '(SELECT COUNT(*) FROM "board_post" WHERE "hidden"), '
    '(SELECT SUM("number") FROM "board_post" WHERE "hidden"), '
    '(SELECT COUNT(*) FROM "sources_outlet" WHERE "blocked"), '
    '(SELECT SUM("id") FROM "sources_outlet" WHERE "blocked")'
)


def state_sql(scope: Scope, last: int, between: tuple[int, int] | None) -> tuple[str, list]:
    """One query for a list's state: what changes the visible lists besides new posts (hidden
    posts, blocked outlets), the posts after the last anchor, the newest post and, given
    (low, high], the posts in that range (an article's rank from the anchor below it)."""
    where, params = scope.where()
    after = f'(SELECT COUNT(*) FROM "board_post" WHERE {where} AND "number" > %s'
    newest = f'(SELECT MAX("number") FROM "board_post" WHERE {where})'
    sql, args = f"SELECT {_FINGERPRINT}, {after}), {newest}", [*params, last, *params]
    if between is not None:
        sql += f', {after} AND "number" <= %s)'
        args += [*params, *between]
    return sql, args


def numbers_sql(
    scope: Scope, size: int, skip: int, *, after: int | None = None, upto: int | None = None
) -> tuple[str, list]:
    """The numbers of `size` posts of the list past the first `skip`: oldest first from after
    post `after`, or newest first from post `upto` down. A walk along the list's index."""
    where, params = scope.where()
    if after is not None:
        where, params, order = f'{where} AND "number" > %s', [*params, after], '"number"'
    else:
        where, params, order = f'{where} AND "number" <= %s', [*params, upto], '"number" DESC'
    return (
        f'SELECT "number" FROM "board_post" WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s',
        [*params, size, skip],
    )


def _ascending(scope: Scope) -> QuerySet:
    return scope.posts.order_by("number")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def list_state(scope: Scope, number: int | None = None) -> ListState:
    """The scope's anchors brought up to date, the posts after them and, given a post's number,
    its rank in the list: one query, and a cache read, unless the anchors must be extended."""
    every = ANCHOR_EVERY
    key = f"lists:anchors:{scope.key}:{every}:{cache.get(GENERATION_KEY, 0)}"
    cached = marks = cache.get(key) or Anchors(every, [])
    for _ in range(3):  # a second pass only when hiding or blocking changed the lists
        anchor_rank, anchor_number = (0, 0) if number is None else marks.rank_of(number)
        between = None if number is None else (anchor_number, number)
        (row,) = _fetch(*state_sql(scope, marks.last, between))
        fingerprint = ".".join(str(value) for value in row[:4])
        if fingerprint == marks.fingerprint:
            break
        marks = Anchors(every, [], fingerprint)  # no anchors: the counts are then right anyway
    after, newest = row[4], row[5]  # after: below ANCHOR_EVERY once the anchors are extended
    rank = None if number is None else anchor_rank + row[6]
    changed = marks is not cached
    if after >= every:
        after, changed = 0, True
        tail = _ascending(scope).filter(number__gt=marks.last).values_list("number", flat=True)
        for newest in tail.iterator(chunk_size=10_000):
            after += 1
            if after == every:
                marks.numbers.append(newest)
                after = 0
    if changed:
        cache.set(key, marks, ANCHOR_TTL)
    return ListState(marks, after, newest or 0, rank)


def forget_anchors(**_) -> None:
    """Start every list's anchors afresh (a post was deleted)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


GENERATION_KEY = "lists:generation"


@dataclass(frozen=True)
class Page:
    scope: Scope
    rows: list[Row]
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

    @cached_property
    def links(self) -> dict[str, str]:
        return {
            "first": self.scope.page_url(1),
            "prev": self.scope.page_url(self.number - 1),
            "next": self.scope.page_url(self.number + 1),
            "last": self.scope.page_url(self.last),
        }


@dataclass(frozen=True, slots=True)
class RowOutlet:
    pk: int
    name: str


@dataclass(frozen=True, slots=True)
class RowStory:
    pk: int
    posts_count: int
    outlets_count: int


@dataclass(frozen=True, slots=True)
class Row:
    """A post as a list row shows it, and the API's post summaries: the few columns they read,
    as the Post attributes of the same names.

    Read with one SQL query rather than the ORM, which cost ten times the query for 20 rows
    (building, compiling, 60 model instances; bench/pages.py). Reading any other attribute of a
    post here is an AttributeError, not a query per row.
    """

    number: int
    title: str
    section: str
    url: str
    published_at: datetime | None
    created_at: datetime
    outlet: RowOutlet
    story: RowStory | None

    @property
    def outlet_id(self) -> int:
        return self.outlet.pk

    @property
    def story_id(self) -> int | None:
        return self.story.pk if self.story else None

    @property
    def when(self) -> datetime:
        """As Post.when: the outlet's publication time, else when we collected it."""
        return self.published_at or self.created_at

    def get_absolute_url(self) -> str:
        return number_link("board:post")(self.number)


_ROWS = (
    'SELECT p."number", p."title", p."section", p."url", p."published_at", p."created_at", '
    'o."id", o."name", s."id", s."posts_count", s."outlets_count" '
    'FROM "board_post" p INNER JOIN "sources_outlet" o ON o."id" = p."outlet_id" '
    'LEFT OUTER JOIN "stories_story" s ON s."id" = p."story_id" '
    'WHERE p."number" IN ({}) AND NOT p."hidden" AND NOT o."blocked" '
    'ORDER BY p."number" DESC'
)


def _aware(moment: datetime | None) -> datetime | None:
    """A datetime column as the ORM gives it: SQLite's are naive, in the connection's time zone
    (django/db/backends/sqlite3/operations.py, convert_datetimefield_value)."""
    if moment is not None and settings.USE_TZ and timezone.is_naive(moment):
        return timezone.make_aware(moment, connection.timezone)
    return moment


def rows(numbers: list[int]) -> list[Row]:
    """The visible posts of these numbers as list rows, newest first."""
    if not numbers:
        return []
    found = _fetch(_ROWS.format(", ".join(["%s"] * len(numbers))), numbers)
    return [
        Row(
            number,
            title,
            section,
            url,
            _aware(published_at),
            _aware(created_at),
            RowOutlet(outlet_id, outlet_name),
            None if story_id is None else RowStory(story_id, posts_count, outlets_count),
        )
        for (
            number,
            title,
            section,
            url,
            published_at,
            created_at,
            outlet_id,
            outlet_name,
            story_id,
            posts_count,
            outlets_count,
        ) in found
    ]


MAX_PAGE = 10**9  # past any list; keeps a 40-digit ?page= from reaching the database


def page_number(raw: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(raw or 1)))
    except ValueError:
        return 1


def get_page(scope: Scope, number: int, state: ListState | None = None) -> Page:
    """Page `number` of the scope's list (clamped to the last page), 20 rows newest first."""
    size = settings.NEWSRANK_PAGE_SIZE
    state = state or list_state(scope)
    count = state.count
    last = max(1, math.ceil(count / size))
    number = min(number, last)
    top = count - (number - 1) * size  # the rank of the page's first (newest) row
    low = max(0, top - size)
    # The numbers first, from the list's index alone, from the nearer of the anchors (or the
    # newest post) below and above the page: a walk of fewer than ANCHOR_EVERY entries, half as
    # many on average, none for page 1. Then the 20 rows by their keys.
    below_rank, below_number = state.marks.below(low)
    above_rank, above_number = state.marks.above(top, count, state.newest)
    if above_rank - top < low - below_rank:
        query = numbers_sql(scope, top - low, above_rank - top, upto=above_number)
    else:
        query = numbers_sql(scope, top - low, low - below_rank, after=below_number)
    numbers = [n for (n,) in _fetch(*query)]
    return Page(scope, rows(numbers), number, count, last)


def page_holding(scope: Scope, post: Post) -> Page:
    """The page of the scope's list that holds the post (the list under an article)."""
    state = list_state(scope, post.number)
    return get_page(scope, state.page_of_rank(), state)


def page_of(scope: Scope, post: Post) -> int:
    """The number of the page of the scope's list that holds the post."""
    return list_state(scope, post.number).page_of_rank()
