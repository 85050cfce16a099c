"""`newsrank bench populate`: counts, resuming, search and stories of the generated posts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Max, Min

from newsrank.benchdata import plan
from newsrank.benchdata.populate import PastNow, populate
from newsrank.board.models import Post
from newsrank.search.backends import search
from newsrank.search.models import SearchEntry
from newsrank.stories import rank
from newsrank.stories.models import PostFeatures, Story

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def populated(db):
    populate(150, now=NOW)


def test_each_post_has_a_story_features_and_a_search_entry(populated):
    assert Post.objects.count() == 150
    assert PostFeatures.objects.count() == 150
    assert SearchEntry.objects.count() == 150
    assert not Post.objects.filter(story__isnull=True).exists()
    assert not Post.objects.filter(story_pending=True).exists()
    assert not Post.objects.filter(search_pending=True).exists()
    # Bodies come from the sample vocabulary, at news lengths.
    lengths = [len(text) for text in Post.objects.values_list("body_text", flat=True)]
    assert min(lengths) >= 250 and max(lengths) <= 3_000


def test_story_counts_times_and_rank_key_match_their_posts(populated):
    stories = Story.objects.annotate(
        n=Count("posts"),
        outlets=Count("posts__outlet", distinct=True),
        first=Min("posts__published_at"),
        newest=Max("posts__published_at"),
    )
    sizes = Counter()
    for story in stories:
        assert (story.posts_count, story.outlets_count) == (story.n, story.outlets)
        assert (story.first_at, story.newest_at) == (story.first, story.newest)
        assert story.headline
        assert story.rank_key == pytest.approx(
            rank.rank_key(story.outlets_count, story.posts_count, story.newest_at, 0)
        )
        sizes[story.n > 1] += 1
    assert sizes[True] and sizes[False]  # stories of one post and stories of several


def test_numbers_grow_with_time_and_the_newest_post_is_near_now(populated):
    times = list(Post.objects.order_by("number").values_list("published_at", flat=True))
    assert times == sorted(times)
    assert NOW - timedelta(minutes=5) <= times[-1] <= NOW


def test_rerun_continues_to_n_and_never_doubles(db):
    assert populate(60, now=NOW) == 60
    later = NOW + timedelta(hours=1)  # an hour of news at 25,000–60,000 a day: room for 70
    assert populate(130, now=later) == 70
    assert populate(130, now=later) == 0
    assert populate(100, now=later) == 0  # fewer than there are: nothing removed either
    assert Post.objects.count() == 130
    assert Post.objects.values("url").distinct().count() == 130
    times = list(Post.objects.order_by("number").values_list("published_at", flat=True))
    # The second run continued the first run's timeline, at its pace: no two posts at once.
    assert times == sorted(times) and len(set(times)) == 130
    assert times[60] > NOW and times[-1] < NOW + timedelta(minutes=10)
    assert (
        Story.objects.aggregate(n=Count("pk"))["n"]
        == Post.objects.values("story").distinct().count()
    )


def test_an_interrupted_run_continues_its_own_plan(db, monkeypatch):
    from newsrank.benchdata import populate as module

    write, calls = module._write, []

    def failing_write(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        write(*args)

    monkeypatch.setattr(module, "BATCH", 40)
    monkeypatch.setattr(module, "_write", failing_write)
    with pytest.raises(KeyboardInterrupt):
        populate(100, now=NOW)
    assert Post.objects.count() == 40  # the first batch, whole; nothing of the second
    assert populate(100, now=NOW + timedelta(days=2)) == 60
    times = list(Post.objects.order_by("number").values_list("published_at", flat=True))
    assert len(set(times)) == 100
    assert NOW - timedelta(minutes=5) <= times[-1] <= NOW  # where the first run's plan ends


def test_growing_past_now_is_refused_with_how_many_fit(db):
    populate(60, now=NOW)
    later = NOW + timedelta(minutes=1)  # a minute of news: 17 to 42 posts more
    with pytest.raises(PastNow, match=r"fit between then and now, not 100,000\.") as refused:
        populate(100_000, now=later)
    assert Post.objects.count() == 60  # nothing written
    fit = int(re.search(r"([\d,]+) of them fit", str(refused.value))[1].replace(",", ""))
    assert 60 + 25_000 // 1440 <= fit <= 60 + 60_000 // 1440 + 1
    with pytest.raises(PastNow):
        populate(fit + 1, now=later)
    assert populate(fit, now=later) == fit - 60


def test_search_finds_a_populated_post(populated):
    post = Post.objects.order_by("number")[75]
    words = post.title.removeprefix("[속보] ").rsplit(" ", 1)[0]  # the sample title, no name
    assert post.number in {p.number for p in search(words, page_size=100).posts}


def test_a_populated_entry_holds_what_the_crawler_would_index(populated):
    """The bulk load writes its own literal (`populate.tsvector`): the same lexemes, pairs of
    adjacent terms included, so the same phrases match."""
    from django.db import connection

    from newsrank.search.backends import PostgresBackend

    entry = SearchEntry.objects.order_by("post_id")[75]
    post = Post.objects.get(number=entry.post_id)
    body = entry.body.split()
    phrase = f'"{body[10]} {body[11]}"'
    assert post.number in {p.number for p in search(phrase, page_size=100).posts}
    if connection.vendor != "postgresql":
        return
    fields = {name: getattr(entry, name) for name in ("title", "title_extra", "body", "body_extra")}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY(SELECT lexeme FROM unnest(document) ORDER BY 1),"
            " ARRAY(SELECT lexeme FROM unnest(%s::tsvector) ORDER BY 1)"
            " FROM search_entry WHERE post_id = %s",
            [PostgresBackend.tsvector(fields, post.number, post.outlet_id), post.number],
        )
        stored, expected = cursor.fetchone()
    assert stored == expected
    assert f"{body[10]} {body[11]}" in stored


def test_a_day_has_25_to_60_thousand_posts():
    timeline = plan.Timeline.ending_at(NOW, 200_000, seed=1)
    assert timeline.at(199_999) == NOW
    days = Counter(int(timeline.offset(i) // plan.DAY) for i in range(0, 200_000, 7))
    full_days = sorted(days.items())[:-1]  # the last day is cut short
    for _, sampled in full_days:
        assert 25_000 <= sampled * 7 <= 60_000 + 7
