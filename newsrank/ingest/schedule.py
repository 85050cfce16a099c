"""When a feed is checked next: a pure function of its state (Miniflux's ScheduleNextCheck)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_BACKOFF = timedelta(hours=12)


def next_check(now: datetime, interval_seconds: int, error_count: int = 0, *, jitter=random.random):
    """The next check time: the regular interval, doubled for each consecutive error (capped).

    A little jitter (up to 10%) keeps many feeds added at once from being polled in lockstep.
    """
    delay = timedelta(seconds=interval_seconds) * (2 ** min(error_count, 10))
    delay = min(delay, max(MAX_BACKOFF, timedelta(seconds=interval_seconds)))
    return now + delay * (1 + 0.1 * jitter())


def is_future(moment: datetime | None, now: datetime, tolerance=timedelta(minutes=10)) -> bool:
    return moment is not None and moment > now + tolerance
