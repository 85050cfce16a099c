from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsrank.ingest.schedule import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    Bounds,
    cache_lifetime,
    is_future,
    next_poll,
    poll_interval,
    publishing_rate,
    retry_after,
    should_pause,
)

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
KST = timezone(timedelta(hours=9))
BOUNDS = Bounds()


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def every(step: timedelta, count: int, *, start: datetime = NOW) -> list[datetime]:
    return [start - step * i for i in range(count)]


# --- is_future ---


def test_only_clearly_future_times_count_as_future():
    assert is_future(NOW + timedelta(hours=1), NOW)
    assert not is_future(NOW + timedelta(minutes=5), NOW)
    assert not is_future(None, NOW)


# --- Bounds ---


@pytest.mark.parametrize(("low", "high"), [(0, 60), (120, 60), (-1, 10)])
def test_bounds_refuse_an_empty_or_non_positive_range(low, high):
    with pytest.raises(ValueError, match="poll bounds"):
        Bounds(low, high)


# --- publishing_rate ---


@pytest.mark.parametrize(
    ("name", "times", "per_day"),
    [
        ("no entries", [], 0.0),
        ("one recent entry", [ago(hours=1)], 0.5),
        ("one old entry", [ago(days=10)], 0.0),
        # A wire service's feed shows its newest 50, covering 49 minutes: 49 per 49 minutes.
        ("truncated busy feed", every(timedelta(minutes=1), 50), 1440.0),
        (
            "busy feed, last item 10 min ago",
            every(timedelta(minutes=1), 11, start=ago(minutes=10)),
            10 / (20 / 1440),
        ),
        # A daily: every 48 min over 4 days; the window (2 days) is fully seen: 60 in 2 days.
        (
            "daily fully covering the window",
            every(timedelta(minutes=48), 120, start=ago(minutes=1)),
            30.0,
        ),
        # Too few inside the window: the newest five, 1 to 29 days old, 4 in 29 days.
        ("weekly", every(timedelta(days=7), 10, start=ago(days=1)), 4 / 29),
        ("silent for a week", every(timedelta(hours=1), 20, start=ago(days=7)), 4 / (7 + 4 / 24)),
        ("two old entries", [ago(days=10), ago(days=11)], 1 / 11),
        # The same time listed 30 times (a feed stamping every entry with the request time).
        ("all stamped alike", [ago(minutes=1)] * 30, 0.5),
        ("duplicates count once", [ago(hours=1), ago(hours=1), ago(hours=2), ago(hours=2)], 12.0),
        # KST written as UTC lands 9 h ahead: future dates count as now.
        ("future dates as now", [NOW + timedelta(hours=9), ago(hours=1), ago(hours=2)], 24.0),
        ("other time zones", [NOW.astimezone(KST), ago(hours=2)], 12.0),
    ],
)
def test_estimates_items_per_day_from_entry_dates(name, times, per_day):
    assert publishing_rate(times, NOW) == pytest.approx(per_day)


def test_rate_window_is_adjustable():
    times = every(timedelta(hours=1), 48, start=ago(minutes=30))
    assert publishing_rate(times, NOW, window=timedelta(hours=6)) == pytest.approx(24.0)


def test_rate_ignores_entry_order():
    times = every(timedelta(minutes=5), 20)
    assert publishing_rate(times[::-1], NOW) == publishing_rate(times, NOW)


# --- poll_interval ---


@pytest.mark.parametrize(
    ("per_day", "low", "high"),
    [
        (5000, 60, 60),  # clamped to the minimum bound
        (1000, 60, 120),  # a wire service: every 1-2 minutes
        (300, 120, 300),
        (30, 5 * 60, 10 * 60),  # a daily: every ~7 minutes
        (1 / 7, 3600, 3 * 3600),  # a weekly: every hour or two
        (0.01, 6 * 3600, 6 * 3600),  # clamped to the maximum bound
        (0, 6 * 3600, 6 * 3600),
        (-3, 6 * 3600, 6 * 3600),
        (float("nan"), 6 * 3600, 6 * 3600),
    ],
)
def test_polls_as_often_as_the_feed_publishes(per_day, low, high):
    assert low <= poll_interval(per_day, BOUNDS) <= high


@pytest.mark.parametrize(
    ("per_day", "bounds", "seconds"),
    [
        (1000, Bounds(300, 3600), 300),
        (0.1, Bounds(60, 1800), 1800),
        (30, Bounds(60, 300), 300),
    ],
)
def test_operator_bounds_win(per_day, bounds, seconds):
    assert poll_interval(per_day, bounds) == seconds


@given(st.floats(0.001, 1e6), st.floats(0.001, 1e6))
def test_busier_feeds_are_never_polled_less_often(rate, other):
    low, high = sorted((rate, other))
    assert poll_interval(high, BOUNDS) <= poll_interval(low, BOUNDS)


# --- cache_lifetime ---

DATE = "Sat, 28 Nov 2026 03:00:00 GMT"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"Cache-Control": "max-age=300"}, 300),
        ({"cache-control": "public, MAX-AGE=600"}, 600),
        ({"Cache-Control": 'max-age="120"'}, 120),
        ({"Cache-Control": "max-age=60, s-maxage=900"}, 900),
        ({"Cache-Control": "max-age=300, no-cache"}, None),
        ({"Cache-Control": "no-store"}, None),
        ({"Cache-Control": "max-age=300", "Age": "100"}, 200),
        ({"Cache-Control": "max-age=300", "Age": "1000"}, 0),
        ({"Cache-Control": "max-age=300, max-age=10"}, 300),  # the first occurrence (§4.2.1)
        ({"Cache-Control": "max-age=abc"}, 0),  # invalid: stale
        ({"Cache-Control": "max-age=99999999999"}, 2**31),
        ({"Cache-Control": "private"}, None),
        # max-age wins over Expires (RFC 9111 §5.3).
        ({"Cache-Control": "max-age=60", "Expires": "Sat, 28 Nov 2026 04:00:00 GMT"}, 60),
        ({"Expires": "Sat, 28 Nov 2026 03:10:00 GMT", "Date": DATE}, 600),
        ({"Expires": "Sat, 28 Nov 2026 03:10:00 GMT"}, 600),  # no Date: now
        # The server's clock is 5 minutes behind ours: Expires - Date is what counts.
        (
            {"Expires": "Sat, 28 Nov 2026 02:55:00 GMT", "Date": "Sat, 28 Nov 2026 02:50:00 GMT"},
            300,
        ),
        ({"Expires": "Sat, 28 Nov 2026 03:10:00 GMT", "Date": "garbage"}, 600),
        ({"Expires": "Sat, 28 Nov 2026 02:00:00 GMT", "Date": DATE}, 0),
        ({"Expires": "0"}, 0),  # RFC 9111 §5.3: already expired
        ({"Expires": "Saturday, 28-Nov-26 03:05:00 GMT"}, 300),  # RFC 850 date
        ({"Expires": "Sat Nov 28 03:05:00 2026"}, 300),  # asctime date
        ({"Cache-Control": "no-cache", "Expires": "Sat, 28 Nov 2026 04:00:00 GMT"}, None),
    ],
)
def test_cache_lifetime_follows_rfc_9111(headers, seconds):
    assert cache_lifetime(headers, NOW) == seconds


# --- retry_after ---


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("120", 120),
        (" 120 ", 120),
        ("0", 0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("Sat, 28 Nov 2026 03:30:00 GMT", 1800),
        ("Sat, 28 Nov 2026 02:30:00 GMT", 0),  # already past
        ("Saturday, 28-Nov-26 03:00:10 GMT", 10),
        ("Sat Nov 28 03:01:00 2026", 60),
        ("Sat, 28 Nov 2026 12:30:00 +0900", 1800),  # not GMT as RFC 9110 wants, but clear
    ],
)
def test_reads_retry_after_as_delay_or_http_date(value, seconds):
    assert retry_after(value, NOW) == seconds


# --- next_poll ---


def poll(jitter: float = 0.0, **kwargs) -> float:
    kwargs.setdefault("interval", 600)
    kwargs.setdefault("bounds", BOUNDS)
    return (next_poll(NOW, jitter=lambda: jitter, **kwargs) - NOW).total_seconds()


@pytest.mark.parametrize(
    ("kwargs", "seconds"),
    [
        ({}, 600),
        ({"interval": 10}, 60),  # the minimum bound
        ({"interval": 10**6}, 6 * 3600),  # the maximum bound
        ({"cache_seconds": 1800}, 1800),
        ({"cache_seconds": 60}, 600),  # a shorter lifetime does not speed polling up
        ({"ttl_minutes": 60}, 3600),
        ({"ttl_minutes": 60, "cache_seconds": 7200}, 7200),
        ({"ttl_minutes": 24 * 60}, 6 * 3600),  # the operator's maximum wins over <ttl>
        ({"cache_seconds": 10**6, "bounds": Bounds(60, 3600)}, 3600),
        ({"retry_after": 3600}, 3600),
        ({"retry_after": 30}, 600),
        ({"retry_after": 10**9}, MAX_RETRY_AFTER),
    ],
)
def test_next_poll_without_errors(kwargs, seconds):
    assert poll(**kwargs) == seconds


@pytest.mark.parametrize(
    ("kwargs", "jitter", "seconds"),
    [
        ({}, 1.0, 540),  # up to 10% earlier
        ({"interval": 60}, 1.0, 60),  # but never below the minimum bound
        ({"cache_seconds": 600}, 1.0, 600),  # nor before the response goes stale
        ({"retry_after": 600}, 1.0, 600),
    ],
)
def test_jitter_moves_regular_polls_earlier_only_within_limits(kwargs, jitter, seconds):
    assert poll(jitter, **kwargs) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("errors", "jitter", "seconds"),
    [
        (1, 0.0, 600),  # full jitter can draw 0: never sooner than the regular interval
        (1, 0.99, 0.99 * 1200),
        (3, 0.5, 0.5 * 4800),
        (10, 1.0, MAX_BACKOFF.total_seconds()),
        (1000, 1.0, MAX_BACKOFF.total_seconds()),
    ],
)
def test_backs_off_with_full_jitter_on_errors(errors, jitter, seconds):
    assert poll(jitter, error_count=errors) == pytest.approx(seconds)


def test_backoff_cap_grows_with_a_larger_operator_maximum():
    bounds = Bounds(60, 24 * 3600)
    assert poll(1.0, interval=24 * 3600, bounds=bounds, error_count=3) == 24 * 3600


def test_retry_after_beats_the_backoff_cap():
    assert poll(0.0, error_count=5, retry_after=86_400) == 86_400


jitters = st.floats(0, 1, exclude_max=True)
optional_seconds = st.none() | st.integers(0, 10 * 86_400)


@st.composite
def bounds(draw):
    low = draw(st.integers(1, 3600))
    return Bounds(low, draw(st.integers(low, 2 * 86_400)))


@given(
    bounds(),
    st.integers(-10, 10 * 86_400),
    st.integers(0, 100),
    optional_seconds,
    optional_seconds,
    st.none() | st.integers(0, 100_000),
    jitters,
)
def test_next_poll_stays_within_the_bounds_and_the_cap(
    bounds, interval, errors, retry, cache, ttl, jitter
):
    delay = poll(
        jitter,
        interval=interval,
        bounds=bounds,
        error_count=errors,
        retry_after=retry,
        cache_seconds=cache,
        ttl_minutes=ttl,
    )
    cap = max(MAX_BACKOFF.total_seconds(), bounds.max_seconds)
    assert bounds.min_seconds <= delay <= max(cap, min(retry or 0, MAX_RETRY_AFTER))
    assert delay >= min(retry or 0, MAX_RETRY_AFTER)
    if not errors and not retry:
        assert delay <= bounds.max_seconds


@given(bounds(), st.integers(1, 10 * 86_400), st.integers(0, 60), optional_seconds, jitters)
def test_more_errors_never_mean_an_earlier_poll(bounds, interval, errors, cache, jitter):
    fewer = poll(jitter, interval=interval, bounds=bounds, error_count=errors, cache_seconds=cache)
    more = poll(
        jitter, interval=interval, bounds=bounds, error_count=errors + 1, cache_seconds=cache
    )
    assert more >= fewer


# --- should_pause ---


@pytest.mark.parametrize(
    ("errors", "since", "paused"),
    [
        (0, None, False),
        (9, ago(days=30), False),
        (10, ago(days=2, hours=23), False),  # a wire service down for an afternoon
        (500, ago(hours=6), False),
        (2, ago(days=10), False),  # a slow feed that failed twice
        (10, ago(days=3), True),
        (40, ago(days=8), True),
        (10, None, False),  # no start time recorded: not enough to pause on
    ],
)
def test_pauses_only_after_many_errors_over_days(errors, since, paused):
    assert should_pause(errors, since, NOW) is paused
