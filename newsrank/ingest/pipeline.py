"""refresh_feeds: the one orchestrator of polling, called by the crawler, admin, CLI and tests.

feeds → fetch each (conditional GET) → parse entries → canonical URL → known and unchanged? skip
      → new or changed entries of all the feeds, oldest first → fetch articles (a few at a time)
      → decode → extract → sanitize → store or update the Post → each feed's state forward
Taking a round's new entries oldest first across feeds makes the site-wide numbers follow
publication time, not the order feeds happened to be polled in. Network work happens outside any
transaction; each post is committed on its own, and a feed's ETag/Last-Modified move forward only
after its posts are stored (DESIGN: nothing lost).
"""

from __future__ import annotations

import hashlib
import logging
import math
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest import schedule
from newsrank.ingest.articles import ArticleError, fetch_article, find_posts, save_article
from newsrank.ingest.feeds import Entry, FeedError, parse_feed
from newsrank.ingest.fetcher import FetchError, HTTPStatus, Page
from newsrank.ingest.session import CrawlSession, open_session
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
SITEMAPS_FOLLOWED = 2  # of a sitemap index: the newest ones hold the new articles
SITEMAP_BYTES = 20_000_000  # a full sitemap of 50,000 URLs is about 10 MB
UNDATED = datetime.max.replace(tzinfo=UTC)  # entries without a date go last: they are probably new


@dataclass
class RefreshResult:
    new_posts: int = 0
    updated: int = 0
    known: int = 0
    not_modified: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    retry_after: int | None = None  # seconds the server asked us to wait
    cache_seconds: int | None = None  # how long the server says the feed stays fresh
    ttl_minutes: int | None = None  # RSS <ttl>
    lags: list[float] = field(default_factory=list)  # publication → stored, of new posts

    def __str__(self) -> str:
        if self.error:
            return f"오류: {self.error}"
        if self.not_modified:
            return "변경 없음"
        text = f"새 글 {self.new_posts}건, 이미 있음 {self.known}건"
        text += f", 수정 {self.updated}건" if self.updated else ""
        return text + (f", 실패 {len(self.failures)}건" if self.failures else "")


@dataclass
class _New:
    """An entry to fetch: no post has it yet, or its post is `update` and the entry changed."""

    entry: Entry
    url: str
    feed: Feed
    update: int | None = None


def refresh_feed(feed: Feed, *, session: CrawlSession | None = None) -> RefreshResult:
    """Poll one feed and store its new articles as posts; never raises for bad input."""
    return refresh_feeds([feed], session=session)[0]


def refresh_feeds(feeds: list[Feed], *, session: CrawlSession | None = None) -> list[RefreshResult]:
    """Poll the feeds, store their new articles oldest first, and record each feed's outcome."""
    own_session = session is None
    session = session or open_session()
    results = [RefreshResult() for _ in feeds]
    by_feed = {feed.pk: result for feed, result in zip(feeds, results, strict=True)}
    pages: list[Page | None] = []
    new: dict[str, _New] = {}
    try:
        for feed, result in zip(feeds, results, strict=True):
            pages.append(_poll(feed, result, new, session))
        _store(
            sorted(new.values(), key=lambda n: n.entry.published_at or UNDATED), by_feed, session
        )
    finally:
        if own_session:
            session.close()
    for feed, result, page in zip(feeds, results, pages, strict=True):
        if page is not None and not result.failures:
            # With failures the validators stay behind, so the next poll gets the whole feed
            # and retries the failed articles instead of hearing "304 Not Modified".
            feed.etag = page.etag or ""
            feed.last_modified = page.last_modified or ""
            feed.body_hash = _body_hash(page)
        _record(feed, result)
        log.info("%s (%s): %s", feed, feed.url, result)
    return results


def _store(items: list[_New], by_feed: dict[int, RefreshResult], session: CrawlSession) -> None:
    """Fetch the articles a few at a time, and store them one by one in the given order."""
    with ThreadPoolExecutor(max_workers=settings.NEWSRANK_CRAWL_THREADS) as pool:
        # map() yields in submission order, so posts are numbered oldest first even though the
        # pages arrive in any order.
        fetched = pool.map(lambda item: _fetch(item.url, session), items)
        for item, outcome in zip(items, fetched, strict=True):
            result = by_feed[item.feed.pk]
            try:
                if isinstance(outcome, ArticleError):
                    raise outcome
                article, page_url = outcome
                post, created = save_article(
                    item.feed, item.entry, item.url, article, page_url, update=item.update
                )
            except ArticleError as error:
                result.failures.append((item.url, str(error)))
                continue
            if item.update is not None:
                result.updated += 1
            elif created:
                result.new_posts += 1
                if post.published_at:
                    result.lags.append((post.created_at - post.published_at).total_seconds())
            else:
                result.known += 1


def _fetch(url: str, session: CrawlSession):
    """fetch_article for a worker thread: the article, or the ArticleError it raised."""
    try:
        return fetch_article(url, session)
    except ArticleError as error:
        return error


def _poll(
    feed: Feed, result: RefreshResult, new: dict[str, _New], session: CrawlSession
) -> Page | None:
    """Fetch and parse one feed, adding its new or changed entries to `new`."""
    now = timezone.now()
    try:
        page = session.fetch(
            feed.url,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            accept=FEED_ACCEPT,
        )
    except FetchError as error:
        result.error = error.reason
        if isinstance(error, HTTPStatus) and error.retry_after is not None:
            result.retry_after = math.ceil(error.retry_after)
        return None
    result.cache_seconds = schedule.cache_lifetime(page.headers, now)
    if page.status_code == 304 or (feed.body_hash and _body_hash(page) == feed.body_hash):
        result.not_modified = True  # the body hash catches servers that ignore validators
        return None
    try:
        parsed = parse_feed(page.content, page.url, page.headers.get("content-type"))
        entries = parsed.entries + _child_sitemaps(parsed.sitemaps, session)
    except FeedError as error:
        result.error = f"feed not readable: {error}"
        return None
    except FetchError as error:
        result.error = f"sitemap: {error.reason}"
        return None
    result.ttl_minutes = parsed.ttl_minutes
    dates = [entry.published_at for entry in entries if entry.published_at]
    feed.items_per_day = schedule.publishing_rate(dates, now)
    feed.last_entry_at = max(dates, default=feed.last_entry_at)
    canonical: list[tuple[Entry, str]] = []
    for entry in entries:
        try:
            canonical.append((entry, canonical_url(entry.url)))
        except ValueError as error:
            result.failures.append((entry.url, str(error)))
    known = find_posts([(url, entry.guid) for entry, url in canonical], feed)
    for entry, url in canonical:
        if url in new:
            result.known += 1
            if feed.section and not new[url].feed.section:
                new[url].feed = feed  # the section feed's board is the better home
            continue
        post = known.get(url)
        if post is None:
            new[url] = _New(entry, url, feed)
            continue
        if feed.section and not post.section:  # a general feed's post gains this feed's board
            Post.objects.filter(number=post.number, section="").update(section=feed.section)
        if post.changed_by(entry):
            new[url] = _New(entry, url, feed, update=post.number)
        else:
            result.known += 1
    return page


def _child_sitemaps(urls: list[str], session: CrawlSession) -> list[Entry]:
    """The entries of a sitemap index's newest sitemaps (the index lists them newest first)."""
    entries: list[Entry] = []
    for url in urls[:SITEMAPS_FOLLOWED]:
        page = session.fetch(url, accept=FEED_ACCEPT, max_bytes=SITEMAP_BYTES)
        entries += parse_feed(page.content, page.url, page.headers.get("content-type")).entries
    return entries


def _body_hash(page: Page) -> str:
    return hashlib.sha256(page.content).hexdigest()


def bounds(feed: Feed) -> schedule.Bounds:
    """The poll interval bounds of a feed: its own, else the site's."""
    low = feed.min_poll_seconds or settings.NEWSRANK_MIN_POLL_SECONDS
    high = feed.max_poll_seconds or settings.NEWSRANK_MAX_POLL_SECONDS
    return schedule.Bounds(min(low, high), high)


def _record(feed: Feed, result: RefreshResult) -> None:
    """Write the outcome on the feed (after its posts are committed) and schedule its next poll."""
    now = timezone.now()
    feed.last_checked_at = now
    feed.lease_owner, feed.lease_expires_at = "", None
    limits = bounds(feed)
    if result.error:
        feed.first_error_at = feed.first_error_at if feed.error_count else now
        feed.error_count += 1
        feed.status = Feed.Status.ERROR
        feed.error = result.error
        if schedule.should_pause(feed.error_count, feed.first_error_at, now):
            feed.status = Feed.Status.PAUSED
            feed.error = (
                f"paused after {feed.error_count} errors in a row since "
                f"{timezone.localtime(feed.first_error_at):%Y-%m-%d %H:%M}: {result.error}"
            )
    else:
        feed.status = Feed.Status.OK
        feed.error_count, feed.first_error_at = 0, None
        feed.last_success_at = now
        feed.error = _failures_text(result.failures)
        if not result.not_modified:
            feed.poll_seconds = schedule.poll_interval(feed.items_per_day, limits)
        if result.lags:
            feed.lag_seconds = statistics.median(result.lags)
    feed.next_check_at = schedule.next_poll(
        now,
        interval=limits.clamp(feed.poll_seconds),
        bounds=limits,
        error_count=feed.error_count,
        retry_after=result.retry_after,
        cache_seconds=result.cache_seconds,
        ttl_minutes=result.ttl_minutes,
    )
    feed.save(
        update_fields=[
            "last_checked_at", "status", "error", "error_count", "first_error_at",
            "last_success_at", "next_check_at", "etag", "last_modified", "body_hash",
            "poll_seconds", "items_per_day", "last_entry_at", "lag_seconds",
            "lease_owner", "lease_expires_at",
        ]
    )  # fmt: skip


def _failures_text(failures: list[tuple[str, str]]) -> str:
    if not failures:
        return ""
    lines = [f"기사 {len(failures)}건을 가져오지 못했습니다:"]
    lines += [f"{url} — {reason}" for url, reason in failures[:20]]
    return "\n".join(lines)
