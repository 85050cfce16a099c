"""Adding, listing and removing sources: one function per use, shared by the CLI and the admin."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed, Outlet
from newsrank.sources.opml import OpmlFeed, parse_opml, write_opml
from newsrank.sources.sections import section_for

# The rows of default_feeds.tsv that `newsrank run` loads (see the file's header for what they mean).
DEFAULT_CONFIDENCE = ("high", "medium")


class SourceError(Exception):
    """A source could not be added or removed; the message says why."""


def add_feed(
    url: str, outlet_name: str | None = None, section_label: str = "", *, homepage: str = ""
) -> Feed:
    """Subscribe to a feed URL for an outlet (created when new); an existing feed is returned as is."""
    return get_or_add_feed(url, outlet_name, section_label, homepage=homepage)[0]


@transaction.atomic
def get_or_add_feed(
    url: str, outlet_name: str | None = None, section_label: str = "", *, homepage: str = ""
) -> tuple[Feed, bool]:
    """Like `add_feed`, and whether the feed is new (False: it was subscribed already)."""
    try:
        url = canonical_url(url)
    except ValueError as error:
        raise SourceError(str(error)) from None
    existing = Feed.objects.filter(url=url).select_related("outlet").first()
    if existing:
        return existing, False
    parts = urlsplit(url)
    if not homepage.startswith(("http://", "https://")):
        homepage = f"{parts.scheme}://{parts.netloc}/"
    outlet, _ = Outlet.objects.get_or_create(
        name=(outlet_name or "").strip() or parts.hostname or url, defaults={"homepage": homepage}
    )
    feed = Feed.objects.create(
        outlet=outlet, url=url, section_label=section_label, section=section_for(section_label)
    )
    return feed, True


def remove_feed(feed_id: int) -> Feed:
    """Unsubscribe a feed; its posts stay on the board."""
    feed = Feed.objects.filter(pk=feed_id).select_related("outlet").first()
    if feed is None:
        raise SourceError(f"no feed with id {feed_id}; `newsrank sources list` shows the ids")
    feed.delete()
    return feed


def resume_feeds(feeds: Iterable[Feed]) -> int:
    """Un-pause paused feeds: checked again now, with the error backoff started over; how many."""
    ids = [feed.pk for feed in feeds if feed.status == Feed.Status.PAUSED]
    return Feed.objects.filter(pk__in=ids, status=Feed.Status.PAUSED).update(
        status=Feed.Status.NEW, error_count=0, first_error_at=None, next_check_at=timezone.now()
    )


# --- the default outlet list ------------------------------------------------------------------


def default_feeds(confidence: Collection[str] = DEFAULT_CONFIDENCE) -> list[tuple[str, str, str]]:
    """The (outlet, section label, url) rows of the default outlet list with that confidence."""
    text = resources.files("newsrank.sources").joinpath("default_feeds.tsv").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            outlet, section, url, level = line.split("\t")
            if level in confidence:
                rows.append((outlet, section, url))
    return rows


@transaction.atomic
def load_feeds_if_empty(rows: Iterable[tuple[str, str, str]]) -> int:
    """Subscribe to rows of (outlet, section label, url) when no feed exists yet; returns how many."""
    if Feed.objects.exists():
        return 0
    return sum(get_or_add_feed(url, outlet, section)[1] for outlet, section, url in rows)


# --- OPML -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0  # subscribed already (or twice in the file)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def import_opml(content: bytes) -> ImportResult:
    """Subscribe to the feeds of an OPML document; re-importing it adds nothing.

    Raises OpmlError when the document is not OPML; a feed that cannot be added is listed in
    `failed` with its reason, and the others are still added.
    """
    result = ImportResult()
    for item in parse_opml(content):
        try:
            _, created = get_or_add_feed(
                item.url, item.outlet, item.section, homepage=item.html_url
            )
        except SourceError as error:
            result.failed.append((item.url, str(error)))
            continue
        if created:
            result.added += 1
        else:
            result.skipped += 1
    return result


def export_opml() -> bytes:
    """Every subscribed feed as an OPML 2.0 document, one folder per outlet."""
    feeds = Feed.objects.select_related("outlet").order_by("outlet__name", "pk")
    return write_opml(
        OpmlFeed(
            url=feed.url,
            outlet=feed.outlet.name,
            section=feed.section_label,
            html_url=feed.outlet.homepage,
        )
        for feed in feeds
    )


# --- crawl health -----------------------------------------------------------------------------


def crawl_health(now: datetime | None = None) -> dict:
    """Each feed's crawl state and totals (feeds by status, posts collected lately), for /api/health."""
    now = now or timezone.now()
    feeds = list(Feed.objects.select_related("outlet").order_by("pk"))
    counts = {status: 0 for status in Feed.Status.values}
    for feed in feeds:
        counts[feed.status] += 1
    newest = Post.objects.order_by("-number").values_list("created_at", flat=True).first()
    return {
        "checked_at": now,
        "feeds": {"total": len(feeds), **counts},
        "posts": {
            "last_hour": posts_collected_since(now - timedelta(hours=1)),
            "last_day": posts_collected_since(now - timedelta(days=1)),
            "newest_at": newest,
        },
        "results": [_feed_health(feed) for feed in feeds],
    }


def _feed_health(feed: Feed) -> dict:
    return {
        "id": feed.pk,
        "outlet": feed.outlet.name,
        "section": feed.section_label,
        "url": feed.url,
        "enabled": feed.enabled,
        "status": feed.status,
        "last_success_at": feed.last_success_at,
        "last_checked_at": feed.last_checked_at,
        "error": feed.error,
        "error_count": feed.error_count,
        "first_error_at": feed.first_error_at,
        "poll_seconds": feed.poll_seconds,
        "items_per_day": feed.items_per_day,
        "last_entry_at": feed.last_entry_at,
        "lag_seconds": feed.lag_seconds,
        "next_check_at": feed.next_check_at,
    }


def posts_collected_since(moment: datetime) -> int:
    """How many posts were stored after `moment`, hidden ones included: a range of the key."""
    first = Post.objects.first_stored_since(moment)
    return 0 if first is None else Post.objects.filter(number__gte=first).count()
