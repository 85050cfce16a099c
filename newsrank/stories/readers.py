"""Unique readers in the database: count a view, flush the buffer, the most-read posts (많이 본 뉴스).

A view costs the request one cached bot test, one HMAC and one set lookup (`visitors`). The new
(post, reader) pairs wait in a process-wide `ViewBuffer`; at most every FLUSH_INTERVAL seconds the
request that finds the interval over inserts them into `PostView` in one batch with
ignore-conflicts. The unique constraint on (post, reader, day) is what makes a view count once
across reloads, processes and repeated flushes; `Story.readers` is then recounted from those rows
(not incremented), so it cannot drift upwards either.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.security import client_address
from newsrank.stories import rank
from newsrank.stories.models import PostView, Story
from newsrank.stories.visitors import ViewBuffer, is_bot, reader_day, reader_key

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 10.0  # seconds: how stale 많이 본 뉴스 may be; one write batch per interval
POPULAR_WINDOW = timedelta(hours=24)
POPULAR_CACHE = "stories:popular"
POPULAR_CACHE_SECONDS = 30
# Distinct readers one address may be a day: a household or an office shares an address, but one
# client rotating its User-Agent is not thousands of readers (it would game 많이 본 뉴스 and fill
# the flush). Counted per process; the day's addresses are forgotten past MAX_ADDRESSES.
READERS_PER_ADDRESS = 8
MAX_ADDRESSES = 100_000


class ViewCounter:
    """A process's buffer of new views and the clock of its last flush."""

    def __init__(self, *, interval: float = FLUSH_INTERVAL, monotonic=time.monotonic):
        self.buffer = ViewBuffer()
        self.interval = interval
        self._monotonic = monotonic
        self._last_flush = monotonic()
        self._flushing = threading.Lock()
        self._addresses_lock = threading.Lock()
        self._addresses_day = None
        self._readers_by_address: dict[str, set[str]] = {}

    def count(self, request, post_number: int) -> None:
        """Count a reader's view of a post; flush the buffer if the interval is over."""
        agent = request.META.get("HTTP_USER_AGENT", "")
        if request.method != "GET" or is_bot(agent):
            return
        ip = client_address(request)  # behind a proxy, the reader's, not the proxy's
        day = reader_day()
        key = reader_key(ip, agent, day, settings.SECRET_KEY)
        if not self._admit(ip, key, day):
            return
        self.buffer.add(post_number, key)
        if self._monotonic() - self._last_flush >= self.interval:
            self.flush_if_due()

    def _admit(self, ip: str, key: str, day) -> bool:
        """Whether `key` is one of the first READERS_PER_ADDRESS readers seen at `ip` today."""
        with self._addresses_lock:
            if day != self._addresses_day or len(self._readers_by_address) >= MAX_ADDRESSES:
                self._addresses_day = day
                self._readers_by_address.clear()
            readers = self._readers_by_address.setdefault(ip, set())
            if key in readers:
                return True
            if len(readers) >= READERS_PER_ADDRESS:
                return False
            readers.add(key)
            return True

    def flush_if_due(self) -> int:
        """Flush unless another thread is flushing or the interval is not over; never raises."""
        if not self._flushing.acquire(blocking=False):
            return 0
        try:
            if self._monotonic() - self._last_flush < self.interval:
                return 0
            self._last_flush = self._monotonic()
            return self.flush()
        except Exception:  # a failed write loses a few seconds of views, never the page
            log.exception("could not store the buffered views")
            return 0
        finally:
            self._flushing.release()

    def flush(self, now: datetime | None = None) -> int:
        """Store the buffered views now; returns how many pairs were handed to the database."""
        pairs = self.buffer.drain_pairs()
        return store_views(pairs, now) if pairs else 0


def store_views(pairs: list[tuple[int, str]], now: datetime | None = None) -> int:
    """Insert (post number, reader key) pairs seen today; recount the readers of their stories."""
    now = now or timezone.now()
    day = reader_day(now)
    stories = dict(
        Post.objects.filter(number__in={post for post, _ in pairs}).values_list("number", "story")
    )
    rows = [
        PostView(post_id=post, reader=key, day=day, viewed_at=now)
        for post, key in pairs
        if post in stories  # a post deleted since its view: nothing to count
    ]
    with transaction.atomic():
        PostView.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        recount_readers({story for story in stories.values() if story is not None})
    return len(rows)


def recount_readers(story_ids: set[int]) -> None:
    """Set each story's readers (distinct reader keys over its posts) and its rank key."""
    if not story_ids:
        return
    counts = dict(
        PostView.objects.filter(post__story__in=story_ids)
        .values("post__story")
        .annotate(n=Count("reader", distinct=True))
        .values_list("post__story", "n")
    )
    stories = list(Story.objects.filter(pk__in=story_ids))
    for story in stories:
        story.readers = counts.get(story.pk, 0)
        story.rank_key = rank.rank_key(
            story.outlets_count, story.posts_count, story.newest_at, story.readers
        )
    Story.objects.bulk_update(stories, ["readers", "rank_key"])


def popular_posts(limit: int = 20, now: datetime | None = None) -> list[tuple[Post, int]]:
    """The visible posts with the most distinct readers in the last 24 hours, with their counts."""
    now = now or timezone.now()
    ranked = list(
        PostView.objects.since(now - POPULAR_WINDOW)
        .values("post")
        .annotate(n=Count("reader", distinct=True))
        .order_by("-n", "-post")
        .values_list("post", "n")[: limit * 2]  # room for hidden posts left out below
    )
    posts = Post.objects.visible().select_related("outlet", "story").in_bulk([p for p, _ in ranked])
    return [(posts[number], n) for number, n in ranked if number in posts][:limit]


def cached_popular_posts(limit: int = 20) -> list[tuple[Post, int]]:
    """`popular_posts`, computed at most every POPULAR_CACHE_SECONDS."""
    return cache.get_or_set(
        f"{POPULAR_CACHE}:{limit}", lambda: popular_posts(limit), POPULAR_CACHE_SECONDS
    )


COUNTER = ViewCounter()  # one per process; every request thread shares it


def count_view(request, post: Post) -> None:
    """Count a view of `post` (the article page calls this)."""
    COUNTER.count(request, post.number)
