"""When a feed is checked next: pure functions of its state (Miniflux's ScheduleNextCheck).

The crawler feeds these the facts of one poll and stores what they return on the feed:

    entry dates ──publishing_rate──► items/day ──poll_interval──► seconds (within Bounds)
    response headers ──cache_lifetime / retry_after──► seconds ─┐
    interval, error count, RSS <ttl> ───────────────────────────┴─next_poll──► datetime
    error count, first error time ──should_pause──► bool

All datetimes must be timezone-aware.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DAY = 86_400
MAX_BACKOFF = timedelta(hours=12)
# Retry-After is honoured up to a week: a bogus far-future date must not silence a feed forever.
MAX_RETRY_AFTER = 7 * DAY
# Fewer dated entries than this make too noisy a publishing rate.
MIN_SAMPLE = 5
# One request is worth this much reader lag; see poll_interval. 30 s, not 60 s: measured with
# bench/freshness.py (50 simulated outlets), 60 s gave a median lag of 73 s and 30 s 34 s (p95 283 s
# → 123 s), at 3.0 requests per new article against 10.6 for fixed 1-minute polling.
LAG_PER_REQUEST = 30.0
PAUSE_AFTER_ERRORS = 10
PAUSE_AFTER = timedelta(days=3)
# RFC 9111 §1.2.2: delta-seconds too large to represent are taken as 2**31.
_MAX_DELTA = 2**31


@dataclass(frozen=True)
class Bounds:
    """The operator's limits on a feed's poll interval, in seconds."""

    min_seconds: int = 60
    max_seconds: int = 6 * 3600

    def __post_init__(self) -> None:
        if not 0 < self.min_seconds <= self.max_seconds:
            raise ValueError(
                f"poll bounds need 0 < min <= max, got {self.min_seconds}..{self.max_seconds} s"
            )

    def clamp(self, seconds: float) -> float:
        return min(max(seconds, self.min_seconds), self.max_seconds)


def publishing_rate(
    entry_times: Sequence[datetime], now: datetime, *, window: timedelta = timedelta(days=2)
) -> float:
    """Items per day the feed published recently, estimated from its entries' dates.

    The entries inside `window` are the sample. A feed lists only its newest N, so a busy
    feed's entries may cover an hour, not the window; and a slow feed has too few inside it
    for a steady figure, so its newest MIN_SAMPLE are taken however old. The rate is then:

    - when older entries exist beyond a full sample, the window was fully seen: the sample's
      count divided by the window;
    - otherwise the entries cover only the span from the sample's oldest to now: the count
      after the oldest (which marks where observation starts) divided by that span.

    Counting up to now, not to the newest entry, lets a feed that fell silent slow down.
    Dates are made distinct first, since feeds that stamp every entry with the time of the
    request would otherwise look endlessly busy; future dates (a wrong time zone) count as now.
    A lone entry counts as one in the window.
    """
    times = sorted({min(moment, now) for moment in entry_times}, reverse=True)
    recent = [moment for moment in times if moment > now - window]
    days = window / timedelta(days=1)
    if len(times) < 2 or len(times) > len(recent) >= MIN_SAMPLE:
        return len(recent) / days
    sample = times[: max(len(recent), MIN_SAMPLE)]
    return (len(sample) - 1) / ((now - sample[-1]) / timedelta(days=1))


def poll_interval(
    items_per_day: float, bounds: Bounds, *, lag_per_request: float = LAG_PER_REQUEST
) -> int:
    """Seconds between polls for a feed publishing `items_per_day`, clamped to `bounds`.

    Polling every T seconds costs 86400/T requests a day and makes each of the r items a day
    wait T/2 on average. Weighing a request as `lag_per_request` (c) seconds of lag, the daily
    cost c·86400/T + r·T/2 is least at T = √(2c·86400/r), the square-root rule. With c = 60 s:
    a wire service (1,000/day) every ~100 s, a daily (30/day) every ~10 min, a weekly (1/7 a
    day) every ~2.4 h. Polling for one new item per poll (86400/r) would leave the daily's
    readers 24 minutes behind on average.
    """
    if not items_per_day > 0:  # also catches NaN
        return bounds.max_seconds
    return round(bounds.clamp(math.sqrt(2 * lag_per_request * DAY / items_per_day)))


def cache_lifetime(headers: Mapping[str, str], now: datetime) -> int | None:
    """Seconds the response stays fresh from now, per RFC 9111 §4.2; None when it says nothing.

    `no-store` and `no-cache` (the most restrictive directives win, §4.2.1) give None. A shared
    cache's `s-maxage` comes before `max-age`: feeds are often served through a CDN that keeps
    a copy that long, so polling sooner only fetches the same copy. Then `Expires` minus `Date`
    (or now). `Age` (§5.1) is subtracted, since a CDN copy has already aged that much. Invalid
    values mean stale (§4.2.1, §5.3: `Expires: 0` is in the past), so 0.
    """
    fields = {name.lower(): value for name, value in headers.items()}
    directives = _cache_directives(fields.get("cache-control", ""))
    if "no-store" in directives or "no-cache" in directives:
        return None
    for name in ("s-maxage", "max-age"):
        if name in directives:
            lifetime = _delta_seconds(directives[name])
            break
    else:
        if "expires" not in fields:
            return None
        expires = _http_date(fields["expires"])
        if expires is None:
            return 0
        date = _http_date(fields.get("date", "")) or now
        lifetime = math.floor((expires - date).total_seconds())
    if lifetime is None:
        return 0
    age = _delta_seconds(fields.get("age", "")) or 0
    return max(lifetime - age, 0)


def retry_after(value: str | None, now: datetime) -> int | None:
    """Seconds to wait from a Retry-After value, delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value or not value.strip():
        return None
    seconds = _delta_seconds(value)
    if seconds is not None:
        return seconds
    when = _http_date(value)
    return None if when is None else max(math.ceil((when - now).total_seconds()), 0)


def next_poll(
    now: datetime,
    *,
    interval: int,
    bounds: Bounds,
    error_count: int = 0,
    retry_after: int | None = None,
    cache_seconds: int | None = None,
    ttl_minutes: int | None = None,
    jitter: Callable[[], float] = random.random,
) -> datetime:
    """When to poll the feed next, given its interval and what the last poll taught.

    - Regular: the interval within `bounds`, lengthened to the response's cache lifetime and the
      RSS `<ttl>` (RSS 2.0: minutes a channel may be cached), but never beyond
      `bounds.max_seconds`: the operator's bound wins. Up to 10% earlier at random, never below
      those limits, so feeds added together drift apart.
    - After errors: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
      Backoff And Jitter", 2015): uniform in [0, min(cap, regular·2^errors)], but never less
      than the regular delay; cap = max(MAX_BACKOFF, bounds.max_seconds). Full jitter spreads
      the retries of the many feeds of one host that failed together. With `jitter` fixed the
      delay never shrinks as errors grow.
    - Never before `retry_after` seconds (RFC 9110 §10.2.3), honoured up to MAX_RETRY_AFTER.
    """
    floor = bounds.clamp(interval)
    limits = [seconds for seconds in (cache_seconds, (ttl_minutes or 0) * 60) if seconds]
    regular = min(max([floor, *limits]), bounds.max_seconds)
    if error_count <= 0:
        lower = min(max([bounds.min_seconds, *limits]), bounds.max_seconds)
        delay = max(regular * (1 - 0.1 * jitter()), lower)
    else:
        cap = max(MAX_BACKOFF.total_seconds(), bounds.max_seconds)
        ceiling = min(cap, regular * 2 ** min(error_count, 32))
        delay = max(regular, ceiling * jitter())
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + timedelta(seconds=delay)


def should_pause(error_count: int, first_error_at: datetime | None, now: datetime) -> bool:
    """Whether a failing feed should stop being polled until an operator resumes it.

    Both conditions must hold: at least PAUSE_AFTER_ERRORS consecutive errors, and the first of
    them at least PAUSE_AFTER ago. A count alone would pause a wire service after a few minutes
    of outage; a time alone would pause a slow feed after one or two failed polls.
    """
    return (
        error_count >= PAUSE_AFTER_ERRORS
        and first_error_at is not None
        and now - first_error_at >= PAUSE_AFTER
    )


def is_future(moment: datetime | None, now: datetime, tolerance=timedelta(minutes=10)) -> bool:
    """Whether `moment` is clearly in the future (beyond clock skew)."""
    return moment is not None and moment > now + tolerance


def _cache_directives(value: str) -> dict[str, str]:
    """Cache-Control directives by lowercased name; the first of repeated ones (RFC 9111 §4.2.1)."""
    directives: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.partition("=")
        name = name.strip().lower()
        if name:
            directives.setdefault(name, argument.strip().strip('"'))
    return directives


def _delta_seconds(value: str) -> int | None:
    """A non-negative integer of seconds (RFC 9111 §1.2.2), or None when it is not one."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return min(int(value), _MAX_DELTA)


def _http_date(value: str) -> datetime | None:
    """An HTTP-date in any of its three formats (RFC 9110 §5.6.7), or None."""
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    # asctime dates carry no zone and "-0000" parses as naive: HTTP-dates are all in GMT.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
