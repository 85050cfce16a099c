"""많이 본 뉴스: counting a view in post_detail, flushing to PostView, the popular page and API."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from newsrank.stories import readers
from newsrank.stories.models import PostView, Story
from newsrank.stories.readers import ViewCounter, popular_posts, store_views

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def fresh_counter(monkeypatch):
    """A process-wide counter of this test's own, that flushes only when told (or the clock says)."""
    ticks = Ticks()
    counter = ViewCounter(monotonic=ticks)
    counter.ticks = ticks
    monkeypatch.setattr(readers, "COUNTER", counter)
    cache.clear()
    yield counter
    cache.clear()


def read(client, post, ip="203.0.113.7", agent=CHROME):
    response = client.get(post.get_absolute_url(), REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    assert response.status_code == 200


def test_a_reload_counts_once(client, make_posts, fresh_counter):
    post, other = make_posts(2)
    read(client, post)
    read(client, post)
    read(client, other)
    fresh_counter.flush()
    assert PostView.objects.filter(post=post).count() == 1
    assert PostView.objects.filter(post=other).count() == 1


def test_a_second_process_or_a_repeated_flush_does_not_count_again(client, make_posts):
    (post,) = make_posts(1)
    for _ in range(2):  # two processes, each with its own buffer, both see the same reader
        readers.COUNTER = ViewCounter()
        read(client, post)
        readers.COUNTER.flush()
    assert PostView.objects.filter(post=post).count() == 1


def test_distinct_readers_are_counted_apart(client, make_posts, fresh_counter):
    (post,) = make_posts(1)
    read(client, post, ip="203.0.113.7")
    read(client, post, ip="203.0.113.8")
    read(client, post, ip="203.0.113.7", agent=SAFARI)  # another device behind the same address
    fresh_counter.flush()
    assert PostView.objects.filter(post=post).count() == 3
    # the address is stored only as a 32-digit hex digest ("203" may well occur in a digest by chance)
    assert all(re.fullmatch(r"[0-9a-f]{32}", v.reader) for v in PostView.objects.all())


@pytest.mark.parametrize(
    "agent", ["", "Mozilla/5.0 (compatible; Googlebot/2.1)", "Yeti/1.1", "curl/8.5.0"]
)
def test_bots_and_scripts_are_not_readers(client, make_posts, fresh_counter, agent):
    (post,) = make_posts(1)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=agent)
    fresh_counter.flush()
    assert not PostView.objects.exists()


def test_the_request_path_flushes_at_most_every_interval(client, make_posts, fresh_counter):
    post, other, third = make_posts(3)
    read(client, post)
    assert not PostView.objects.exists()  # buffered: the interval is not over
    fresh_counter.ticks.now += readers.FLUSH_INTERVAL
    read(client, other)  # this request finds the interval over and flushes both views
    assert PostView.objects.count() == 2
    fresh_counter.ticks.now += 1
    read(client, third)
    assert PostView.objects.count() == 2 and len(fresh_counter.buffer) == 1


def test_a_failed_flush_never_breaks_the_page(client, make_posts, fresh_counter, monkeypatch):
    (post,) = make_posts(1)

    def broken(pairs, now=None):
        raise RuntimeError("database gone")

    monkeypatch.setattr(readers, "store_views", broken)
    fresh_counter.ticks.now += readers.FLUSH_INTERVAL
    read(client, post)  # asserts a 200


def test_story_readers_are_recounted_with_its_rank_key(make_posts):
    now = timezone.now()
    story = Story.objects.create(
        headline="h", first_at=now, newest_at=now, posts_count=2, outlets_count=1
    )
    first, second = make_posts(2, story=story)
    pairs = [(first.number, "a" * 32), (second.number, "a" * 32), (first.number, "b" * 32)]
    store_views(pairs)
    store_views(pairs)  # the same pairs again, as a second process would store them
    story.refresh_from_db()
    assert story.readers == 2  # distinct readers over the story's posts
    before = story.rank_key
    store_views([(second.number, "c" * 32)])
    story.refresh_from_db()
    assert story.readers == 3 and story.rank_key > before


def test_views_of_a_deleted_post_are_dropped(make_posts):
    (post,) = make_posts(1)
    number = post.number
    post.delete()
    assert store_views([(number, "a" * 32)]) == 0


def test_popular_ranks_the_last_24_hours_by_distinct_readers(client, make_posts):
    a, b, c, hidden = make_posts(4)
    now = timezone.now()
    store_views([(a.number, f"{i:032x}") for i in range(2)], now)
    store_views([(b.number, f"{i:032x}") for i in range(3)], now)
    store_views([(c.number, f"{i:032x}") for i in range(9)], now - timedelta(hours=25))
    store_views([(hidden.number, f"{i:032x}") for i in range(5)], now)
    hidden.hidden = True
    hidden.save()
    assert [(p.number, n) for p, n in popular_posts(now=now)] == [(b.number, 3), (a.number, 2)]

    html = client.get("/popular").content.decode()
    assert "많이 본 뉴스" in html and 'aria-current="page">많이 본 뉴스' in html
    assert html.index(b.get_absolute_url()) < html.index(a.get_absolute_url())
    assert c.get_absolute_url() not in html and hidden.get_absolute_url() not in html
    assert "3명" in html

    data = client.get("/api/popular").json()
    assert [(r["number"], r["readers"]) for r in data["results"]] == [(b.number, 3), (a.number, 2)]


def test_popular_shows_the_views_counted_in_this_process(client, make_posts, fresh_counter):
    (post,) = make_posts(1)
    read(client, post)
    fresh_counter.ticks.now += readers.FLUSH_INTERVAL
    html = client.get("/popular").content.decode()  # flushes the buffer, as the interval is over
    assert post.get_absolute_url() in html


def test_menu_links_popular_and_trending(client, db):
    html = client.get("/ranking").content.decode()
    assert 'href="/popular"' in html and 'href="/trending"' in html


def test_counting_a_view_only_buffers_it(db, django_assert_num_queries):
    counter = ViewCounter(interval=1e9)  # no flush inside the loop
    factory = RequestFactory()
    requests = [
        factory.get("/1", REMOTE_ADDR=f"198.51.{i // 250}.{i % 250}", HTTP_USER_AGENT=CHROME)
        for i in range(5000)
    ]
    with django_assert_num_queries(0):  # the request pays no database write for its view
        for i, request in enumerate(requests):
            counter.count(request, i % 50)
    assert len(counter.buffer) == 5000


def test_one_address_rotating_user_agents_counts_as_a_few_readers_only(
    client, make_posts, fresh_counter
):
    (post,) = make_posts(1)
    for n in range(readers.READERS_PER_ADDRESS + 5):
        read(client, post, ip="203.0.113.9", agent=f"{CHROME} Rotating/{n}")
    read(client, post, ip="203.0.113.9", agent=f"{CHROME} Rotating/0")  # a reader already admitted
    read(client, post, ip="198.51.100.1")  # another address is not affected
    fresh_counter.flush()
    assert PostView.objects.filter(post=post).count() == readers.READERS_PER_ADDRESS + 1
