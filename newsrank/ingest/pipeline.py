"""refresh_feeds: the one orchestrator of polling, called by the crawler, admin, CLI and tests.

feeds → fetch each (conditional GET) → parse entries → canonical URL → known? skip
      → new entries of all the feeds, oldest first → fetch article → decode → extract → sanitize
      → store Post → each feed's state forward
Taking a round's new entries oldest first across feeds makes the site-wide numbers follow
publication time, not the order feeds happened to be polled in. Slow network work happens
outside any transaction; each post is committed on its own, and a feed's ETag/Last-Modified move
forward only after its posts are stored (DESIGN: nothing lost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from django.conf import settings
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest import schedule
from newsrank.ingest.articles import ArticleError, find_post, store_article
from newsrank.ingest.feeds import Entry, FeedError, parse_feed
from newsrank.ingest.fetcher import FetchError, Page, fetch_page, make_client, user_agent
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
UNDATED = datetime.max.replace(tzinfo=UTC)  # entries without a date go last: they are probably new


@dataclass
class RefreshResult:
    new_posts: int = 0
    updated: int = 0
    known: int = 0
    not_modified: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""

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


def crawler_client() -> httpx.Client:
    return make_client(
        user_agent=user_agent(settings.NEWSRANK_SITE_NAME, settings.NEWSRANK_CONTACT_URL)
    )


def refresh_feed(feed: Feed, *, client: httpx.Client | None = None) -> RefreshResult:
    """Poll one feed and store its new articles as posts; never raises for bad input."""
    return refresh_feeds([feed], client=client)[0]


def refresh_feeds(feeds: list[Feed], *, client: httpx.Client | None = None) -> list[RefreshResult]:
    """Poll the feeds, store their new articles oldest first, and record each feed's outcome."""
    own_client = client is None
    client = client or crawler_client()
    results = [RefreshResult() for _ in feeds]
    by_feed = {feed.pk: result for feed, result in zip(feeds, results, strict=True)}
    pages: list[Page | None] = []
    new: dict[str, _New] = {}
    try:
        for feed, result in zip(feeds, results, strict=True):
            pages.append(_poll(feed, result, new, client))
        for item in sorted(new.values(), key=lambda n: n.entry.published_at or UNDATED):
            result = by_feed[item.feed.pk]
            try:
                _, created = store_article(
                    item.feed, item.entry, item.url, client, update=item.update
                )
            except ArticleError as error:
                result.failures.append((item.url, str(error)))
                continue
            if item.update is not None:
                result.updated += 1
            elif created:
                result.new_posts += 1
            else:
                result.known += 1
    finally:
        if own_client:
            client.close()
    for feed, result, page in zip(feeds, results, pages, strict=True):
        if page is not None and not result.failures:
            # With failures the validators stay behind, so the next poll gets the whole feed
            # and retries the failed articles instead of hearing "304 Not Modified".
            feed.etag = page.etag or ""
            feed.last_modified = page.last_modified or ""
        _record(feed, result)
        log.info("%s (%s): %s", feed, feed.url, result)
    return results


def _poll(
    feed: Feed, result: RefreshResult, new: dict[str, _New], client: httpx.Client
) -> Page | None:
    """Fetch and parse one feed, adding its unknown entries to `new`; the page when it changed."""
    try:
        page = fetch_page(
            feed.url,
            client=client,
            allow_networks=settings.NEWSRANK_ALLOW_PRIVATE_HOSTS,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            accept=FEED_ACCEPT,
        )
    except FetchError as error:
        result.error = error.reason
        return None
    if page.status_code == 304:
        result.not_modified = True
        return None
    try:
        parsed = parse_feed(page.content, page.url, page.headers.get("content-type"))
    except FeedError as error:
        result.error = f"feed not readable: {error}"
        return None
    for entry in parsed.entries:
        try:
            url = canonical_url(entry.url)
        except ValueError as error:
            result.failures.append((entry.url, str(error)))
            continue
        if url in new:
            result.known += 1
            if feed.section and not new[url].feed.section:
                new[url].feed = feed  # the section feed's board is the better home
            continue
        post = find_post(url, entry.guid, feed)
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


def _record(feed: Feed, result: RefreshResult) -> None:
    """Write the outcome on the feed, after the posts are committed."""
    now = timezone.now()
    feed.last_checked_at = now
    feed.lease_owner, feed.lease_expires_at = "", None
    if result.error:
        feed.status = Feed.Status.ERROR
        feed.error = result.error
        feed.error_count += 1
    else:
        feed.status = Feed.Status.OK
        feed.error_count = 0
        feed.last_success_at = now
        feed.error = _failures_text(result.failures)
    feed.next_check_at = schedule.next_check(now, settings.NEWSRANK_POLL_SECONDS, feed.error_count)
    feed.save(
        update_fields=[
            "last_checked_at",
            "status",
            "error",
            "error_count",
            "last_success_at",
            "next_check_at",
            "etag",
            "last_modified",
            "lease_owner",
            "lease_expires_at",
        ]
    )


def _failures_text(failures: list[tuple[str, str]]) -> str:
    if not failures:
        return ""
    lines = [f"기사 {len(failures)}건을 가져오지 못했습니다:"]
    lines += [f"{url} — {reason}" for url, reason in failures[:20]]
    return "\n".join(lines)
