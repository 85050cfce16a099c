"""Trending keywords of now, from the terms stored per post (`PostFeatures.trend_terms`).

The recent window is the last RECENT; the baseline the BASELINE just before it (disjoint, as
`trending.trending_terms` wants). Both reads are bounded: the newest rows of each window up to a
cap, through the index on `PostFeatures.at`; when the cap cuts a window, its length is the span the
rows cover, so rates stay rates. The baseline moves slowly, so each process keeps it for
BASELINE_KEEP; the result is cached for RESULT_SECONDS, so the board's strip costs a cache read.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from newsrank.stories.models import PostFeatures
from newsrank.stories.trending import Trend, trending_terms

RECENT = timedelta(hours=6)
BASELINE = timedelta(days=7)
RECENT_ROWS = 30_000  # ~a day of posts at 25,000 a day: more than 6 hours ever holds
BASELINE_ROWS = 100_000  # ~4 days at 25,000 a day; the rows cover the span they reach
BASELINE_KEEP = 600.0  # seconds a process reuses its baseline counts
RESULT_CACHE = "stories:trending"
RESULT_SECONDS = 60
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
    """Drop the process's baseline counts (tests, or after loading old posts)."""
    with _kept_lock:
        _kept.clear()


def current_trends() -> list[Trend]:
    """`rising_terms` of now, computed at most every RESULT_SECONDS."""
    return cache.get_or_set(RESULT_CACHE, rising_terms, RESULT_SECONDS)
