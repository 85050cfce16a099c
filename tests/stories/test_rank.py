"""Story ranking: coverage by distinct outlets, exponential decay, readers as a nudge."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsrank.stories.rank import rank_key, story_score

NOW = datetime(2025, 10, 14, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def score(outlets, posts, hours_old, readers=0, **kwargs):
    return story_score(outlets, posts, NOW - hours_old * H, readers, NOW, **kwargs).total


@pytest.mark.parametrize(
    ("higher", "lower", "why"),
    [
        ((5, 5, 1), (3, 3, 1), "more outlets at equal age"),
        ((3, 3, 1), (1, 6, 1), "three outlets beat one outlet posting six times"),
        ((2, 2, 1), (1, 2, 1), "a second outlet beats a second post by the same outlet"),
        ((1, 3, 1), (1, 1, 1), "extra posts still count a little"),
        ((5, 5, 1), (30, 40, 24), "a fresh medium story beats a day-old big one"),
        (
            (5, 5, 1),
            (15, 20, 13),
            "an old big story falls below a fresh one after a few half-lives",
        ),
        ((20, 25, 2), (5, 5, 1), "a big story an hour older still leads"),
        ((3, 3, 2, 40), (3, 3, 2, 5), "readers break ties"),
        ((3, 3, 2, 0), (3, 3, 3, 0), "at equal coverage the newer story leads"),
        ((6, 6, 2, 0), (3, 3, 2, 10), "doubling the outlets outweighs ten readers"),
        ((3, 3, 2, 1000), (6, 6, 2, 0), "a thousand readers outweigh three more outlets"),
    ],
)
def test_orders(higher, lower, why):
    assert score(*higher) > score(*lower), why


def test_parts_are_visible_and_make_the_total():
    s = story_score(7, 9, NOW - 6 * H, 15, NOW)
    assert s.recency == pytest.approx(0.5)  # one half-life
    assert s.coverage == pytest.approx(math.log2(1 + 7 + 0.1 * 2))  # two posts beyond one each
    assert s.readers == pytest.approx(0.2 * 4)  # 0.2 · log2(16)
    assert s.total == pytest.approx((s.coverage + s.readers) * s.recency)


@pytest.mark.parametrize(
    ("hours", "recency"),
    [(0, 1.0), (6, 0.5), (12, 0.25), (18, 0.125), (-3, 1.0)],  # the future counts as now
)
def test_recency_halves_every_half_life(hours, recency):
    assert story_score(1, 1, NOW - hours * H, 0, NOW).recency == pytest.approx(recency)


def test_half_life_is_a_knob():
    slow = score(10, 10, 12, half_life=timedelta(hours=24))
    fast = score(10, 10, 12, half_life=timedelta(hours=3))
    assert slow > fast


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        story_score(-1, 0, NOW, 0, NOW)


def test_an_empty_story_scores_zero():
    assert story_score(0, 0, NOW, 0, NOW).total == 0
    assert rank_key(0, 0, NOW, 0) == float("-inf")


counts = st.integers(min_value=1, max_value=500)
readers = st.integers(min_value=0, max_value=10**6)
ages = st.floats(min_value=0, max_value=24 * 14)


@given(counts, counts, ages, readers)
def test_more_outlets_never_lowers_the_score(outlets, posts, age, n):
    assert score(outlets + 1, posts, age, n) > score(outlets, posts, age, n)


@given(counts, counts, ages, readers)
def test_more_posts_never_lowers_the_score(outlets, posts, age, n):
    assert score(outlets, posts + 1, age, n) >= score(outlets, posts, age, n)


@given(counts, counts, ages, readers)
def test_more_readers_never_lowers_the_score(outlets, posts, age, n):
    assert score(outlets, posts, age, n + 1) > score(outlets, posts, age, n)


@given(counts, counts, ages, readers, st.floats(min_value=0.01, max_value=48))
def test_age_never_raises_the_score(outlets, posts, age, n, later):
    assert score(outlets, posts, age + later, n) < score(outlets, posts, age, n)


story = st.tuples(counts, counts, ages, readers)


@given(story, story, st.floats(min_value=0, max_value=24 * 30))
def test_rank_key_sorts_as_the_score_does_at_any_time(a, b, wait):
    """The stored key gives the order `story_score` gives, whenever the page is asked for."""
    now = NOW + wait * H

    def both(outlets, posts, age, n):
        newest = NOW - age * H
        return story_score(outlets, posts, newest, n, now).total, rank_key(
            outlets, posts, newest, n
        )

    (total_a, key_a), (total_b, key_b) = both(*a), both(*b)
    if total_a > total_b * (1 + 1e-9):
        assert key_a > key_b
    elif total_b > total_a * (1 + 1e-9):
        assert key_b > key_a
