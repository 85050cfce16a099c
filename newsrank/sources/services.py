"""Adding, listing and removing sources: one function per use, shared by the CLI and the admin."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from urllib.parse import urlsplit

from django.db import transaction

from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed, Outlet
from newsrank.sources.sections import section_for


class SourceError(Exception):
    """A source could not be added or removed; the message says why."""


@transaction.atomic
def add_feed(url: str, outlet_name: str | None = None, section_label: str = "") -> Feed:
    """Subscribe to a feed URL for an outlet (created when new); an existing feed is returned as is."""
    try:
        url = canonical_url(url)
    except ValueError as error:
        raise SourceError(str(error)) from None
    existing = Feed.objects.filter(url=url).select_related("outlet").first()
    if existing:
        return existing
    parts = urlsplit(url)
    outlet, _ = Outlet.objects.get_or_create(
        name=(outlet_name or parts.hostname or url).strip(),
        defaults={"homepage": f"{parts.scheme}://{parts.netloc}/"},
    )
    return Feed.objects.create(
        outlet=outlet, url=url, section_label=section_label, section=section_for(section_label)
    )


def remove_feed(feed_id: int) -> Feed:
    """Unsubscribe a feed; its posts stay on the board."""
    feed = Feed.objects.filter(pk=feed_id).select_related("outlet").first()
    if feed is None:
        raise SourceError(f"no feed with id {feed_id}; `newsrank sources list` shows the ids")
    feed.delete()
    return feed


def default_feeds() -> list[tuple[str, str, str]]:
    """The (outlet, section label, url) rows of the default outlet list shipped with newsrank."""
    text = resources.files("newsrank.sources").joinpath("default_feeds.tsv").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            outlet, section, url = line.split("\t")
            rows.append((outlet, section, url))
    return rows


def load_feeds_if_empty(rows: Iterable[tuple[str, str, str]]) -> int:
    """Subscribe to rows of (outlet, section label, url) when no feed exists yet; returns how many."""
    if Feed.objects.exists():
        return 0
    count = 0
    for outlet, section, url in rows:
        add_feed(url, outlet, section)
        count += 1
    return count
