"""The page cache, validators and Cache-Control (newsrank/httpcache.py).

Transactional tests: inside a test's open transaction the cache stands aside by design (a page
showing rows that roll back must not be kept), so these commit for real.
"""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from django.core.cache import cache
from django.http import HttpResponse

from newsrank import httpcache
from newsrank.stories import readers

pytestmark = pytest.mark.django_db(transaction=True)

STATE = httpcache.CACHE_HEADER
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    httpcache.posts_changed()
    yield
    cache.clear()


@pytest.mark.parametrize(
    "path",
    ["/", "/board/politics", "/issues", "/ranking", "/popular", "/trending", "/search?q=제목",
     "/feed/", "/api/posts", "/api/stories", "/api/search?q=제목"],
)  # fmt: skip
def test_anonymous_pages_are_cached_with_validators_and_cdn_headers(client, make_posts, path):
    make_posts(3)
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert (first[STATE], second[STATE]) == ("miss", "hit")
    assert second.content == first.content
    assert first["ETag"] == second["ETag"] and first["ETag"].startswith('"')
    assert first["Last-Modified"].endswith(" GMT")
    control = second["Cache-Control"]
    assert control.startswith("public,") and "s-maxage=" in control
    assert "stale-while-revalidate=" in control


def test_if_none_match_answers_304_without_a_body(client, make_posts):
    make_posts(2)
    etag = client.get("/").headers["ETag"]
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_answers_304_until_the_page_changes(client, make_posts):
    make_posts(2)
    modified = client.get("/feed/").headers["Last-Modified"]
    assert client.get("/feed/", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = formatdate(time.time() - 3600, usegmt=True)
    assert client.get("/feed/", headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_new_post_shows_at_once_after_the_generation_moves(client, make_posts, outlet):
    make_posts(2)
    assert client.get("/")[STATE] == "miss"
    assert client.get("/")[STATE] == "hit"
    (new,) = make_posts(1, title="방금 들어온 새 기사")
    response = client.get("/")
    assert response[STATE] == "miss"
    assert "방금 들어온 새 기사" in response.content.decode()


def test_an_update_that_fires_no_signal_shows_after_posts_changed(client, make_posts):
    from newsrank.board.models import Post

    (post,) = make_posts(1, title="처음 제목")
    client.get("/")
    Post.objects.filter(pk=post.pk).update(title="고친 제목")  # as the crawler's pipeline may
    assert "처음 제목" in client.get("/").content.decode()  # cached: no one said it changed
    httpcache.posts_changed()
    assert "고친 제목" in client.get("/").content.decode()


def test_the_generation_is_shared_through_the_data_folder_by_default():
    before = httpcache.read_generation()
    httpcache.posts_changed()
    after = httpcache.read_generation()
    assert after != before
    assert int(after) > int(before)


def test_a_signed_in_request_is_neither_cached_nor_served_from_cache(client, make_posts):
    make_posts(2)
    client.get("/")
    response = client.get("/", headers={"Cookie": "sessionid=abc"})
    assert STATE not in response
    assert response["Cache-Control"] == "private, no-store"


def test_admin_pages_are_private(admin_client):
    response = admin_client.get("/admin/")
    assert response["Cache-Control"] == "private, no-store"


def test_hiding_a_post_in_the_admin_drops_it_from_cached_pages(admin_client, client, make_posts):
    (post,) = make_posts(1, title="숨길 기사")
    assert "숨길 기사" in client.get("/").content.decode()
    response = admin_client.post(
        "/admin/board/post/", {"action": "hide", "_selected_action": [post.pk]}
    )
    assert response.status_code == 302
    assert "숨길 기사" not in client.get("/").content.decode()


def test_a_cached_article_view_still_counts_the_reader(client, make_posts, monkeypatch):
    (post,) = make_posts(1)
    counter = readers.ViewCounter(interval=3600)  # flushes only when told
    monkeypatch.setattr(readers, "COUNTER", counter)
    client.get(f"/{post.number}", headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.1")
    hit = client.get(f"/{post.number}", headers={"User-Agent": BROWSER}, REMOTE_ADDR="10.0.0.2")
    assert hit[STATE] == "hit"
    assert hit["Cache-Control"] == "public, no-cache"  # a CDN revalidates, so views reach us
    assert sorted(post_ for post_, _ in counter.buffer.drain_pairs()) == [post.number] * 2


def test_errors_and_missing_pages_are_not_cached(client, make_posts):
    make_posts(1)
    assert client.get("/999999").status_code == 404
    assert STATE not in client.get("/999999")
    assert STATE not in client.get("/api/posts?page=x")


def test_a_response_that_sets_a_cookie_or_is_private_is_not_kept():
    plain = HttpResponse("본문")
    assert httpcache._entry(plain) is not None
    with_cookie = HttpResponse("본문")
    with_cookie.set_cookie("csrftoken", "x")
    assert httpcache._entry(with_cookie) is None
    private = HttpResponse("본문", headers={"Cache-Control": "private"})
    assert httpcache._entry(private) is None


def test_a_failing_cache_serves_the_page_uncached(client, make_posts, monkeypatch):
    make_posts(1)

    class Broken:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        set = get

    monkeypatch.setattr(httpcache, "cache", Broken())
    response = client.get("/")
    assert response.status_code == 200
    assert response[STATE] == "miss"


@pytest.mark.parametrize(
    "path,cached",
    [("/", True), ("/123", True), ("/story/4", True), ("/api/posts/7", True),
     ("/api/health", False), ("/healthz", False), ("/admin/", False), ("/static/x.css", False)],
)  # fmt: skip
def test_which_paths_are_cached(path, cached):
    assert (httpcache.rule_for(path) is not None) is cached
