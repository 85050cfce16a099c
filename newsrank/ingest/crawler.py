"""The crawler loop: claim due feeds, refresh them, sleep until the next one is due.

Several crawler processes on PostgreSQL share the feeds through leases: a crawler claims due feeds
with `SELECT … FOR UPDATE SKIP LOCKED`, marks them leased until an expiry, and the lease ends when
the feed's outcome is recorded. A crawler killed mid-round leaves leases that expire, and another
crawler then takes those feeds over. SQLite has no row locks, so there one crawler runs at a time,
guarded by a lock file beside the database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from newsrank.httpcache import posts_changed
from newsrank.ingest.pipeline import refresh_feeds
from newsrank.ingest.session import CrawlSession, open_session
from newsrank.search.backends import index_pending, reindex_stale
from newsrank.sources.models import Feed
from newsrank.stories.assign import StoryAssigner
from newsrank.stories.trends import refresh_if_due as refresh_trends_if_due

log = logging.getLogger(__name__)

MAX_SLEEP = timedelta(seconds=30)
RETRY_AFTER_DATABASE_ERROR = timedelta(seconds=5)
ROUND_SIZE = 20  # feeds per round: their new posts are numbered together, oldest first


class CrawlerBusy(Exception):
    """Another crawler already runs on this SQLite database."""


class StorageFailed(Exception):
    """The database refused a write for want of disk: the crawler stops rather than retry forever."""


# How the databases word a write that failed for want of disk (SQLITE_FULL, SQLITE_IOERR,
# SQLITE_READONLY; PostgreSQL's disk_full 53100 and "could not extend file").
_STORAGE_ERRORS = (
    "database or disk is full",
    "disk i/o error",
    "readonly database",
    "no space left on device",
    "could not extend file",
)


def storage_failed(error: BaseException) -> bool:
    """Whether a database error means the disk, not the connection or a bug, is at fault."""
    return isinstance(error, DatabaseError) and any(
        words in str(error).lower() for words in _STORAGE_ERRORS
    )


def crawler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_due(owner: str, limit: int = ROUND_SIZE) -> list[Feed]:
    """Lease up to `limit` due feeds that no live crawler holds, and return them."""
    now = timezone.now()
    with transaction.atomic():
        free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
        ids = list(
            Feed.objects.due(now)
            .filter(free)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        lease = timedelta(seconds=settings.NEWSRANK_LEASE_SECONDS)
        Feed.objects.filter(pk__in=ids).update(lease_owner=owner, lease_expires_at=now + lease)
    return list(Feed.objects.filter(pk__in=ids).select_related("outlet").order_by("next_check_at"))


def crawl_due(
    stop: threading.Event | None = None,
    owner: str | None = None,
    session: CrawlSession | None = None,
) -> int:
    """Refresh every feed due now, once, in leased rounds; returns how many were refreshed."""
    owner = owner or crawler_id()
    count = 0
    with nullcontext(session) if session else open_session() as session:
        while not (stop is not None and stop.is_set()):
            batch = claim_due(owner)
            if not batch:
                break
            try:
                refresh_feeds(batch, session=session)
            # A bug must not stop the crawler (it is logged with its trace); a full disk must.
            except Exception as error:
                if storage_failed(error):
                    raise StorageFailed(str(error)) from error
                log.exception("refreshing %s failed unexpectedly", [f.url for f in batch])
                Feed.objects.filter(pk__in=[f.pk for f in batch]).update(
                    status=Feed.Status.ERROR,
                    error="internal error while refreshing; see the crawler log",
                    next_check_at=timezone.now() + timedelta(minutes=10),
                    lease_owner="",
                    lease_expires_at=None,
                )
            count += len(batch)
            follow_posts(stop)
    follow_posts(stop)  # also what the admin changed while no feed was due
    return count


def follow_posts(stop: threading.Event | None = None) -> None:
    """Bring the search index and the stories up to date with the posts."""
    changed = False
    for step in (index_pending, _assigner().assign_pending):
        while not (stop is not None and stop.is_set()) and step():
            changed = True
    if not (stop is not None and stop.is_set()):
        refresh_trends_if_due()  # here, so that no reader's request waits for the computation
        reindex_stale()  # one batch a round after an analyzer upgrade; none in between
    if changed:
        posts_changed()  # cached pages show the new posts within seconds (newsrank/httpcache.py)


_ASSIGNER: StoryAssigner | None = None


def _assigner() -> StoryAssigner:
    """This process's story assigner (its grouping state is kept between rounds)."""
    global _ASSIGNER
    if _ASSIGNER is None:
        _ASSIGNER = StoryAssigner()
    return _ASSIGNER


def run_crawler(stop: threading.Event) -> None:
    """Crawl until `stop` is set, sleeping between rounds until the next feed is due."""
    owner = crawler_id()
    log.info("crawler %s started", owner)
    # One session for the crawler's life: its robots.txt cache, per-host delays and kept-alive
    # connections then outlive a round (bench/freshness.py: robots.txt was fetched once a poll).
    with open_session() as session:
        while not stop.is_set():
            close_old_connections()
            try:
                crawl_due(stop, owner, session)
                upcoming = (
                    Feed.objects.active()
                    .order_by("next_check_at")
                    .values_list("next_check_at", flat=True)
                    .first()
                )
            except DatabaseError as error:
                if storage_failed(error):
                    raise StorageFailed(str(error)) from error
                # PostgreSQL restarting, a dropped connection: wait, reconnect, go on.
                log.warning("crawler %s: database unavailable (%s); retrying", owner, error)
                connection.close()
                stop.wait(RETRY_AFTER_DATABASE_ERROR.total_seconds())
                continue
            wait = MAX_SLEEP if upcoming is None else min(upcoming - timezone.now(), MAX_SLEEP)
            stop.wait(max(wait.total_seconds(), 0.5))
    log.info("crawler %s stopped", owner)


@contextmanager
def single_crawler_on_sqlite():
    """Hold the SQLite database's crawler lock, or raise CrawlerBusy; no-op on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    database = Path(settings.DATABASES["default"]["NAME"])
    path = database.with_name(database.name + ".crawler-lock")
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CrawlerBusy(
                f"another crawler ({holder}) is already running on {database}; "
                "on SQLite only one crawler may run (use PostgreSQL for several)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        # We hold the only crawler lock, so any lease left in the database is a dead crawler's.
        Feed.objects.exclude(lease_owner="").update(lease_owner="", lease_expires_at=None)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
