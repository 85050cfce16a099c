"""Trending keywords of now, from the terms stored per post (`PostFeatures.trend_terms`).

The recent window is the last RECENT; the baseline the BASELINE just before it (disjoint, as
`trending.trending_terms` wants). Both reads are bounded: the newest rows of each window up to a
cap, through the index on `PostFeatures.at`; when the cap cuts a window, its length is the span the
rows cover, so rates stay rates. Hidden posts and blocked outlets' posts do not count.

Computing costs up to a few seconds at a million posts (the baseline reads up to 100,000 rows), so
no reader waits for it: the crawler calls `refresh_if_due` after placing posts, which recomputes at
most every REFRESH_SECONDS (keeping its baseline counts for BASELINE_KEEP) and stores the result
in `TrendSnapshot`. Requests read that row through the cache (RESULT_SECONDS), so the board's strip
costs a cache read.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from newsrank.stories.models import PostFeatures, TrendSnapshot
from newsrank.stories.trending import Trend, trending_terms

RECENT = timedelta(hours=6)
BASELINE = timedelta(days=7)
RECENT_ROWS = 30_000  # ~a day of posts at 25,000 a day: more than 6 hours ever holds
BASELINE_ROWS = 100_000  # ~4 days at 25,000 a day; the rows cover the span they reach
BASELINE_KEEP = 600.0  # seconds a process reuses its baseline counts
RESULT_CACHE = "stories:trending"
RESULT_SECONDS = 30  # how stale a process's copy of the stored trends may be
REFRESH_SECONDS = 60.0  # how often the crawler recomputes them
LIMIT = 20


def window_counts(
    start: datetime, end: datetime, cap: int, *, from_oldest: bool = False
) -> tuple[Counter, float]:
    """Posts per term among the newest `cap` posts dated in [start, end), and the hours covered.

    `from_oldest`: the window covers from its oldest row, as for a baseline on a site younger
    than the baseline (two days of posts are not a week's).
    """
    rows = list(
        PostFeatures.objects.filter(at__gte=start, at__lt=end)
        .filter(post__hidden=False, post__outlet__blocked=False)
        .order_by("-at")
        .values_list("trend_terms", "at")[:cap]
    )
    counts = Counter(term for terms, _ in rows for term in terms)
    if rows and (len(rows) == cap or from_oldest):
        start = rows[-1][1]  # the cap cut the window: it covers from its oldest row
    return counts, max((end - start).total_seconds() / 3600, 1 / 60)


def rising_terms(now: datetime | None = None, limit: int = LIMIT) -> list[Trend]:
    """The terms of the last RECENT that rise most against the BASELINE before it."""
    now = now or timezone.now()
    split = now - RECENT
    recent, recent_hours = window_counts(split, now, RECENT_ROWS)
    baseline, baseline_hours = _baseline(split)
    return trending_terms(recent, baseline, recent_hours, baseline_hours, limit=limit)


_kept: dict = {}  # the process's baseline: {"at": monotonic time, "value": (Counter, hours)}
_kept_lock = threading.Lock()


def _baseline(end: datetime) -> tuple[Counter, float]:
    with _kept_lock:
        kept = _kept.get("value")
        if kept is not None and time.monotonic() - _kept["at"] < BASELINE_KEEP:
            return kept
    counts, hours = window_counts(end - BASELINE, end, BASELINE_ROWS, from_oldest=True)
    value = counts, max(hours, RECENT.total_seconds() / 3600)  # minutes of history are no rate
    with _kept_lock:
        _kept.update(at=time.monotonic(), value=value)
    return value


def forget_baseline() -> None:
    """Drop the process's baseline counts and refresh time (tests, or after loading old posts)."""
    with _kept_lock:
        _kept.clear()
    _refreshed.clear()


def refresh_trends(now: datetime | None = None) -> list[Trend]:
    """Compute the trends of now and store them for every process to read."""
    now = now or timezone.now()
    result = rising_terms(now)
    TrendSnapshot.objects.update_or_create(
        pk=1, defaults={"computed_at": now, "trends": [asdict(t) for t in result]}
    )
    cache.set(RESULT_CACHE, result, RESULT_SECONDS)
    _refreshed["at"] = time.monotonic()
    return result


_refreshed: dict = {}  # {"at": monotonic time of this process's last refresh_trends}


def refresh_if_due() -> bool:
    """`refresh_trends` if this process has not in the last REFRESH_SECONDS; the crawler's step."""
    last = _refreshed.get("at")
    if last is not None and time.monotonic() - last < REFRESH_SECONDS:
        return False
    refresh_trends()
    return True


def current_trends() -> list[Trend]:
    """The trends the crawler stored last, through the cache: a request never computes them
    (none until the crawler's first round)."""
    result = cache.get(RESULT_CACHE)
    if result is not None:
        return result
    row = TrendSnapshot.objects.filter(pk=1).first()
    result = [Trend(**trend) for trend in row.trends] if row else []
    cache.set(RESULT_CACHE, result, RESULT_SECONDS)
    return result
