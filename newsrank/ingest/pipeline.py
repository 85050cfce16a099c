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
from pathlib import Path

import httpx
import lxml.etree
import lxml.html
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest import schedule
from newsrank.ingest.charset import decode_html
from newsrank.ingest.extract import Article, ExtractError, extract_article
from newsrank.ingest.feeds import Entry, FeedError, parse_feed
from newsrank.ingest.fetcher import FetchError, Page, fetch_page, make_client, user_agent
from newsrank.ingest.sanitize import sanitize_html, strip_tags
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}
UNDATED = datetime.max.replace(tzinfo=UTC)  # entries without a date go last: they are probably new


class ArticleError(Exception):
    """An article page could not become a post; the message is the reason."""


@dataclass
class RefreshResult:
    new_posts: int = 0
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
        return text + (f", 실패 {len(self.failures)}건" if self.failures else "")


@dataclass
class _New:
    """An entry no post has yet, and the feed it is stored under."""

    entry: Entry
    url: str
    feed: Feed


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
                _, created = store_article(item.feed, item.entry, item.url, client)
            except ArticleError as error:
                result.failures.append((item.url, str(error)))
                continue
            if created:
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
        elif _known(url, feed):
            result.known += 1
        else:
            new[url] = _New(entry, url, feed)
    return page


def _known(url: str, feed: Feed) -> bool:
    """Whether the URL is a post already; a general feed's post gains the section feed's board."""
    if feed.section:
        Post.objects.filter(url=url, section="").update(section=feed.section)
    return Post.objects.filter(url=url).exists()


def read_article(url: str, client: httpx.Client) -> tuple[Article, str]:
    """Fetch an article page and extract it; returns the article and the page's final URL."""
    try:
        page = fetch_page(url, client=client, allow_networks=settings.NEWSRANK_ALLOW_PRIVATE_HOSTS)
    except FetchError as error:
        raise ArticleError(error.reason) from None
    if page.content_type not in HTML_TYPES:
        raise ArticleError(f"not an HTML page: {page.content_type}")
    return parse_article(page.content, page.url, page.headers.get("content-type")), page.url


def parse_article(content: bytes, url: str, content_type: str | None = None) -> Article:
    """Decode and extract an article page's bytes."""
    html = decode_html(content, content_type)
    try:
        return extract_article(html, url)
    except ExtractError as error:
        raise ArticleError(f"no article extracted: {error}") from None


def extract_source(source: str, url: str | None = None) -> dict:
    """`newsrank extract`: one JSON-ready record for a URL or a saved page, or its error."""
    try:
        if source.startswith(("http://", "https://")):
            with crawler_client() as client:
                article, final_url = read_article(source, client)
        else:
            try:
                content = Path(source).read_bytes()
            except OSError as error:
                raise ArticleError(f"cannot read {source}: {error.strerror}") from None
            final_url = url or page_address(decode_html(content)) or Path(source).resolve().as_uri()
            article = parse_article(content, final_url)
    except ArticleError as error:
        return {"source": source, "error": str(error)}
    return {
        "source": source,
        "title": strip_tags(article.title),
        "subtitles": article.subtitles,
        "authors": article.authors,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "outlet": article.outlet,
        "body_text": article.body_text,
        "body_html": sanitize_html(article.body_html, final_url),
        "images": [{"url": image.url, "caption": image.caption} for image in article.images],
        "lang": article.lang,
    }


def page_address(html: str) -> str | None:
    """A saved page's own address, from `<link rel=canonical>` or `og:url`."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for value in tree.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content'):
        if value.strip().startswith(("http://", "https://")):
            return value.strip()
    return None


def store_article(feed: Feed, entry: Entry, url: str, client: httpx.Client) -> tuple[Post, bool]:
    """Fetch, extract and store one article; returns the post and whether it is new."""
    article, page_url = read_article(url, client)

    now = timezone.now()
    published = entry.published_at or article.published_at
    if schedule.is_future(published, now):
        published = now
    title = strip_tags(entry.title) or strip_tags(article.title)
    if not title:
        raise ArticleError("article has no title")
    fields = {
        "outlet": feed.outlet,
        "feed": feed,
        "section": feed.section,
        "title": title[:500],
        "subtitles": article.subtitles,
        "authors": article.authors or entry.authors,
        "body_html": sanitize_html(article.body_html, page_url),
        "body_text": article.body_text,
        "images": [{"url": image.url, "caption": image.caption} for image in article.images],
        "lang": (article.lang or "")[:10],
        "published_at": published,
    }
    with transaction.atomic():
        return Post.objects.get_or_create(url=url, defaults=fields)


def _record(feed: Feed, result: RefreshResult) -> None:
    """Write the outcome on the feed, after the posts are committed."""
    now = timezone.now()
    feed.last_checked_at = now
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
        ]
    )


def _failures_text(failures: list[tuple[str, str]]) -> str:
    if not failures:
        return ""
    lines = [f"기사 {len(failures)}건을 가져오지 못했습니다:"]
    lines += [f"{url} — {reason}" for url, reason in failures[:20]]
    return "\n".join(lines)
