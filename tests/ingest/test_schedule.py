from datetime import UTC, datetime, timedelta

import pytest

from newsrank.ingest.schedule import MAX_BACKOFF, is_future, next_check

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("errors", "minutes"),
    [(0, 10), (1, 20), (2, 40), (3, 80), (20, MAX_BACKOFF.total_seconds() / 60)],
)
def test_backs_off_exponentially_on_errors_up_to_a_cap(errors, minutes):
    assert next_check(NOW, 600, errors, jitter=lambda: 0) == NOW + timedelta(minutes=minutes)


def test_jitter_adds_at_most_a_tenth():
    assert next_check(NOW, 600, 0, jitter=lambda: 1) == NOW + timedelta(minutes=11)


def test_only_clearly_future_times_count_as_future():
    assert is_future(NOW + timedelta(hours=1), NOW)
    assert not is_future(NOW + timedelta(minutes=5), NOW)
    assert not is_future(None, NOW)
