"""Trending keywords from the stored terms: windows, the /trending page, the board strip, the API."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.stories import trends
from newsrank.stories.models import PostFeatures, TrendSnapshot
from newsrank.stories.trends import current_trends, rising_terms, window_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():
    cache.clear()
    trends.forget_baseline()
    yield
    cache.clear()
    trends.forget_baseline()


@pytest.fixture
def store(make_posts):
    """Posts with the given trend terms, dated `ago` before now."""

    def make(terms: list[str], ago: timedelta, count: int = 1) -> None:
        at = timezone.now() - ago
        for post in make_posts(count, published_at=at):
            PostFeatures.objects.create(post=post, trend_terms=terms, at=at)

    return make


@pytest.fixture
def typhoon(store):
    """A week in which 정부 is always news and 하늘 (a typhoon) arrives in the last hours."""
    for day in range(1, 7):
        store(["정부", "대통령"], timedelta(days=day, hours=3), count=8)
    store(["정부", "대통령"], timedelta(hours=2), count=2)
    store(["태풍", "하늘", "정부"], timedelta(hours=1), count=5)
    store(["태풍"], timedelta(days=3), count=1)
    trends.refresh_trends()  # as the crawler does after placing posts


def test_a_new_name_rises_above_a_perpetual_word(typhoon):
    ranked = [t.term for t in rising_terms()]
    assert ranked[:2] == ["하늘", "태풍"] or ranked[:2] == ["태풍", "하늘"]
    assert "대통령" not in ranked  # as frequent as always


def test_posts_older_than_the_baseline_are_left_out(store):
    store(["옛일"], timedelta(days=9), count=20)
    store(["옛일"], timedelta(hours=1), count=3)
    (trend,) = rising_terms()
    assert trend.term == "옛일" and trend.expected == 0


def test_a_capped_window_covers_the_span_of_its_rows(store):
    store(["가"], timedelta(hours=1), count=3)
    store(["가"], timedelta(hours=5), count=3)
    now = timezone.now()
    counts, hours = window_counts(now - timedelta(hours=6), now, cap=3)
    assert counts["가"] == 3 and 0.9 < hours < 1.1
    counts, hours = window_counts(now - timedelta(hours=6), now, cap=100)
    assert counts["가"] == 6 and hours == pytest.approx(6)


def test_requests_read_the_stored_trends_until_the_crawler_refreshes_them(store):
    store(["하늘"], timedelta(hours=1), count=4)
    assert current_trends() == []  # a request never computes them; the crawler has not yet
    cache.clear()
    trends.refresh_trends()
    assert [t.term for t in current_trends()] == ["하늘"]
    store(["바다"], timedelta(hours=1), count=4)
    assert [t.term for t in current_trends()] == ["하늘"]  # from the cache
    cache.clear()
    assert [t.term for t in current_trends()] == ["하늘"]  # from the stored snapshot
    trends.refresh_trends()
    assert {t.term for t in current_trends()} == {"하늘", "바다"}


def test_a_request_with_trends_stored_computes_nothing(store, django_assert_num_queries):
    store(["하늘"], timedelta(hours=1), count=4)
    stored = trends.refresh_trends()
    cache.clear()
    with django_assert_num_queries(1):  # the snapshot row, not the posts
        assert current_trends() == stored


def test_the_crawler_refreshes_at_most_every_refresh_interval(store, monkeypatch):
    store(["하늘"], timedelta(hours=1), count=4)
    assert trends.refresh_if_due() is True
    assert trends.refresh_if_due() is False
    monkeypatch.setattr(trends, "REFRESH_SECONDS", 0.0)
    assert trends.refresh_if_due() is True


def test_hidden_posts_and_blocked_outlets_do_not_trend(store, outlet):
    store(["하늘"], timedelta(hours=1), count=4)
    store(["바다"], timedelta(hours=1), count=4)
    newest = list(Post.objects.order_by("-number").values_list("number", flat=True)[:4])
    Post.objects.filter(number__in=newest).update(hidden=True)  # the 바다 posts
    assert [t.term for t in rising_terms()] == ["하늘"]
    outlet.blocked = True
    outlet.save()
    assert rising_terms() == []


def test_trending_page_links_each_term_to_a_search(client, typhoon):
    html = client.get("/trending").content.decode()
    assert 'aria-current="page">트렌드' in html
    assert f'href="/search?q={quote("하늘")}"' in html


def test_the_board_shows_a_strip_of_the_top_terms(client, typhoon):
    html = client.get("/").content.decode()
    start = html.index('class="trending-strip"')
    strip = html[start : html.index("</nav>", start)]
    assert f'href="/search?q={quote("태풍")}"' in strip
    assert strip.count("<li>") <= 8


def test_the_board_has_no_strip_without_trends(client, make_posts):
    make_posts(3)
    assert "trending-strip" not in client.get("/").content.decode()


def test_api_trending_returns_terms_with_counts_and_search_links(client, typhoon):
    data = client.get("/api/trending").json()
    assert data["recent_hours"] == 6 and data["baseline_hours"] == 168
    first = data["results"][0]
    assert {"term", "posts", "expected", "score", "search"} <= set(first)
    assert first["search"].startswith("http://testserver/search?q=")
    assert first["posts"] == 5


def test_the_crawler_stores_each_posts_trend_terms(sample_outlets, allow_loopback):
    from newsrank.ingest.crawler import crawl_due
    from newsrank.sources.services import add_feed

    for feed in sample_outlets.feeds():
        add_feed(feed.url, feed.outlet, feed.section)
    crawl_due()
    rows = list(PostFeatures.objects.select_related("post", "post__outlet"))
    assert rows and len(rows) == Post.objects.count()
    outlets = {row.post.outlet.name for row in rows}
    for row in rows:
        assert row.at == row.post.when
        assert row.trend_terms == sorted(row.trend_terms)
        assert not outlets & set(row.trend_terms)
        assert "기자" not in row.trend_terms
    assert sum(bool(row.trend_terms) for row in rows) >= 0.9 * len(rows)
    rising = rising_terms()
    print("trending after a crawl:", " ".join(t.term for t in rising))
    assert rising, "a fresh crawl has terms in several posts"
    stored = TrendSnapshot.objects.get()  # the crawler computed them, so no reader has to
    assert [t["term"] for t in stored.trends] == [t.term for t in rising]


def test_the_strip_costs_the_board_a_cache_read(typhoon, django_assert_num_queries):
    from newsrank.stories.templatetags.trends import trending_strip

    context = {"links": {"search": "/search", "trending": "/trending"}}
    trending_strip(context)  # the first list page of the minute reads the stored trends
    with django_assert_num_queries(0):
        strip = trending_strip(context)
    assert "태풍" in [t.term for t in strip["trends"]]
