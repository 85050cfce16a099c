"""The crawler loop: refresh every due feed, then sleep until the next one is due."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from newsrank.ingest.pipeline import crawler_client, refresh_feeds
from newsrank.sources.models import Feed

log = logging.getLogger(__name__)

MAX_SLEEP = timedelta(seconds=30)


ROUND_SIZE = 50  # feeds per round: their new posts are numbered together, oldest first


def crawl_due(stop: threading.Event | None = None) -> int:
    """Refresh each feed that is due now, once, in rounds; returns how many were refreshed."""
    count = 0
    due = list(Feed.objects.due().select_related("outlet"))
    with crawler_client() as client:
        for start in range(0, len(due), ROUND_SIZE):
            if stop is not None and stop.is_set():
                break
            batch = due[start : start + ROUND_SIZE]
            try:
                refresh_feeds(batch, client=client)
            except Exception:  # a bug must not stop the crawler; it is logged with its trace
                log.exception("refreshing %s failed unexpectedly", [f.url for f in batch])
                Feed.objects.filter(pk__in=[f.pk for f in batch]).update(
                    status=Feed.Status.ERROR,
                    error="internal error while refreshing; see the crawler log",
                    next_check_at=timezone.now() + timedelta(minutes=10),
                )
            count += len(batch)
    return count


def run_crawler(stop: threading.Event) -> None:
    """Crawl until `stop` is set, sleeping between rounds until the next feed is due."""
    log.info("crawler started")
    while not stop.is_set():
        close_old_connections()
        crawl_due(stop)
        upcoming = (
            Feed.objects.active()
            .order_by("next_check_at")
            .values_list("next_check_at", flat=True)
            .first()
        )
        wait = MAX_SLEEP if upcoming is None else min(upcoming - timezone.now(), MAX_SLEEP)
        stop.wait(max(wait.total_seconds(), 0.5))
    log.info("crawler stopped")
