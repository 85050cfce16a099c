"""One article: fetch its page, extract it, and store it as a post, or update the post it is.

Used by the feed pipeline and by `newsrank extract`; the network work happens before the short
transaction that writes the post.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
from django.db import transaction
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest import schedule
from newsrank.ingest.charset import decode_html
from newsrank.ingest.extract import Article, ExtractError, extract_article
from newsrank.ingest.feeds import Entry
from newsrank.ingest.fetcher import FetchError
from newsrank.ingest.sanitize import sanitize_html, strip_tags
from newsrank.ingest.session import CrawlSession, open_session
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed

HTML_TYPES = {"text/html", "application/xhtml+xml", ""}


class ArticleError(Exception):
    """An article page could not become a post; the message is the reason."""


@dataclass(frozen=True)
class Known:
    """What the pipeline needs to know of an existing post to decide whether it changed."""

    number: int
    title: str
    section: str
    modified_at: datetime | None

    def changed_by(self, entry: Entry) -> bool:
        """Whether a feed entry says the article was edited since we stored it."""
        if entry.updated_at and self.modified_at and entry.updated_at > self.modified_at:
            return True
        title = strip_tags(entry.title)
        return bool(title) and title != self.title


_KNOWN = ("number", "title", "section", "modified_at")


def find_posts(entries: list[tuple[str, str | None]], feed: Feed) -> dict[str, Known]:
    """The posts a feed's (canonical URL, GUID) entries already are, in two queries a feed.

    By canonical URL, else by the outlet's GUID for it.
    """
    rows = Post.objects.filter(url__in=[url for url, _ in entries]).values("url", *_KNOWN)
    found = {row.pop("url"): Known(**row) for row in rows}
    guids = {guid[:500]: url for url, guid in entries if guid and url not in found}
    if guids:
        rows = Post.objects.filter(guid__in=list(guids), outlet_id=feed.outlet_id)
        for row in rows.order_by("number").values("guid", *_KNOWN):
            found.setdefault(guids[row.pop("guid")], Known(**row))
    return found


def fetch_article(url: str, session: CrawlSession) -> tuple[Article, str]:
    """Fetch an article page and extract it; returns the article and the page's final URL."""
    try:
        page = session.fetch(url)
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


def save_article(
    feed: Feed,
    entry: Entry,
    url: str,
    article: Article,
    page_url: str,
    *,
    update: int | None = None,
) -> tuple[Post, bool]:
    """Store an extracted article as a post, or refresh post number `update` in place.

    Returns the post and whether it is new. The page's `<link rel=canonical>` is honoured when
    it names the same site, so a mobile or tracking variant of a known article is no new post.
    """
    url = _page_canonical(article, url)
    fields = post_fields(feed, entry, article, page_url)
    with transaction.atomic():
        if update is not None:
            post = Post.objects.select_for_update().get(number=update)
            for name in ("title", "subtitles", "authors", "body_html", "body_text", "images"):
                setattr(post, name, fields[name])
            post.modified_at = fields["modified_at"]
            post.content_hash = fields["content_hash"]
            post.search_pending = True
            post.save()
            return post, False
        return Post.objects.get_or_create(url=url, defaults=fields)


def post_fields(feed: Feed, entry: Entry, article: Article, page_url: str) -> dict:
    """The post's fields from the feed entry and the extracted page."""
    now = timezone.now()
    published = entry.published_at or article.published_at
    if schedule.is_future(published, now):
        published = now
    title = strip_tags(entry.title) or strip_tags(article.title)
    if not title:
        raise ArticleError("article has no title")
    return {
        "outlet": feed.outlet,
        "feed": feed,
        "guid": (entry.guid or "")[:500],
        "section": feed.section,
        "title": title[:500],
        "subtitles": article.subtitles,
        "authors": article.authors or entry.authors,
        "body_html": sanitize_html(article.body_html, page_url),
        "body_text": article.body_text,
        "images": [{"url": image.url, "caption": image.caption} for image in article.images],
        "lang": (article.lang or "")[:10],
        "credit": (article.credit or "")[:100],
        "content_hash": hashlib.sha256(article.body_text.encode()).hexdigest(),
        "published_at": published,
        "modified_at": entry.updated_at or published,
    }


def _page_canonical(article: Article, url: str) -> str:
    """The page's canonical URL when it is on the same site as `url`, else `url`."""
    if not article.canonical_url:
        return url
    try:
        canonical = canonical_url(article.canonical_url, url)
    except ValueError:
        return url
    return canonical if _site(canonical) == _site(url) else url


def _site(url: str) -> str:
    """The host without `www.`/`m.`/`mobile.` prefixes: mobile and desktop pages are one site."""
    host = urlsplit(url).hostname or ""
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def extract_source(source: str, url: str | None = None) -> dict:
    """`newsrank extract`: one JSON-ready record for a URL or a saved page, or its error."""
    try:
        if source.startswith(("http://", "https://")):
            with open_session() as session:
                article, final_url = fetch_article(source, session)
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
        "credit": article.credit,
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
