"""The page cache, validators and Cache-Control (newsrank/httpcache.py).

Transactional tests: inside a test's open transaction the cache stands aside by design (a page
showing rows that roll back must not be kept), so these commit for real.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.utils import formatdate

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from newsrank import httpcache
from newsrank.stories import readers

pytestmark = pytest.mark.django_db(transaction=True)

STATE = httpcache.CACHE_HEADER
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"


@pytest.fixture(autouse=True)
def empty_cache(settings, tmp_path):
    # The generations' files in a folder of this test's own: test runs beside this one (./data)
    # move theirs.
    settings.DATA_DIR = tmp_path
    cache.clear()
    httpcache.invalidate_pages()  # also out of this process's unpickled copies
    yield
    assert httpcache.REVALIDATOR.wait(10), "a re-render outlived its test"
    cache.clear()


def store_as_the_crawler_does(outlet, **fields):
    """A post stored in bulk (no post_save signal) and then announced, as the crawler does."""
    from newsrank.board.models import Post

    index = Post.objects.count()
    values = {
        "outlet": outlet,
        "url": f"https://garam.example/article/new-{index}.html",
        "title": f"크롤러가 방금 저장한 기사 {index}",
        "body_text": "본문.",
        "body_html": "<p>본문.</p>",
        "published_at": datetime.now(UTC),
    } | fields
    (post,) = Post.objects.bulk_create([Post(**values)])
    httpcache.posts_changed()
    return Post.objects.get(url=values["url"])


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


def test_a_post_saved_one_by_one_shows_at_once(client, make_posts):
    make_posts(2)
    assert client.get("/")[STATE] == "miss"
    assert client.get("/")[STATE] == "hit"
    make_posts(1, title="방금 들어온 새 기사")  # post_save: an admin's edit, every page drops
    response = client.get("/")
    assert response[STATE] == "miss"
    assert "방금 들어온 새 기사" in response.content.decode()


def test_a_new_post_shows_within_seconds_on_the_lists_it_belongs_to(client, make_posts, outlet):
    old, _ = make_posts(2, section="politics")
    lists = ["/", "/board/politics", f"/outlet/{outlet.pk}", "/feed/", "/api/posts"]
    for path in [*lists, "/board/economy", f"/{old.number}"]:
        assert client.get(path)[STATE] == "miss"
    stored_at = time.monotonic()
    new = store_as_the_crawler_does(outlet, section="politics", title="정치면에 새로 온 기사")
    for path in lists:
        stale = client.get(path)  # at once, without waiting for a render: the page as it was
        assert stale[STATE] == "stale", path
        assert "정치면에 새로 온 기사" not in stale.content.decode()
    assert httpcache.REVALIDATOR.wait(5)
    for path in lists:
        fresh = client.get(path)
        assert fresh[STATE] == "hit", path
        assert "정치면에 새로 온 기사" in fresh.content.decode() or str(new.number) in (
            fresh.content.decode()
        ), path
    assert time.monotonic() - stored_at < 5
    # Pages that show the post only in a side list wait their `refresh`; other posts' articles
    # are not re-rendered for it.
    assert client.get(f"/{old.number}")[STATE] == "hit"


def test_an_article_view_takes_news_after_its_refresh(client, make_posts, outlet, monkeypatch):
    (post,) = make_posts(1)
    assert client.get(f"/{post.number}")[STATE] == "miss"
    store_as_the_crawler_does(outlet)
    assert client.get(f"/{post.number}")[STATE] == "hit"
    later = time.time() + httpcache.rule_for(f"/{post.number}").refresh
    monkeypatch.setattr(httpcache.time, "time", lambda: later)
    assert client.get(f"/{post.number}")[STATE] == "stale"


def test_a_page_past_its_ttl_is_served_stale_while_it_is_rendered_again(
    client, make_posts, monkeypatch
):
    make_posts(1, title="처음 제목")
    client.get("/")
    from newsrank.board.models import Post

    Post.objects.update(title="고친 제목")  # no signal, no news: the TTL brings it
    later = time.time() + httpcache.rule_for("/").ttl
    monkeypatch.setattr(httpcache.time, "time", lambda: later)
    response = client.get("/")
    assert response[STATE] == "stale" and "처음 제목" in response.content.decode()
    assert httpcache.REVALIDATOR.wait(5)
    assert "고친 제목" in client.get("/").content.decode()


def test_a_stale_page_is_re_rendered_once_however_many_readers_ask():
    release = threading.Event()
    lock = threading.Lock()
    renders, running, most = [], [0], [0]

    def view(request):
        with lock:
            renders.append(request.headers.get("User-Agent"))
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1
        return HttpResponse(f"render {len(renders)}")

    middleware = httpcache.PageCacheMiddleware(view)
    factory = RequestFactory()
    release.set()
    assert middleware(factory.get("/"))[STATE] == "miss"
    release.clear()
    httpcache.posts_changed()

    answers = []

    def reader():
        answers.append(middleware(factory.get("/", HTTP_USER_AGENT="Mozilla/5.0")))

    readers_ = [threading.Thread(target=reader) for _ in range(20)]
    for thread in readers_:
        thread.start()
    for thread in readers_:
        thread.join(5)
    # Every reader got the stale page at once, while one re-render waits on `release`.
    assert len(answers) == 20
    assert {(a[STATE], a.content) for a in answers} == {("stale", b"render 1")}
    assert len(renders) == 2 and most[0] == 1
    assert renders[1] == httpcache.REVALIDATION_AGENT  # a bot: counts no reader's view
    release.set()
    assert httpcache.REVALIDATOR.wait(5)
    fresh = middleware(factory.get("/"))
    assert (fresh[STATE], fresh.content) == ("hit", b"render 2")
    assert len(renders) == 2


def test_validators_follow_the_page_served_stale_then_fresh(client, make_posts, outlet):
    make_posts(1)
    first = client.get("/")["ETag"]
    store_as_the_crawler_does(outlet, title="새 기사")
    stale = client.get("/", headers={"If-None-Match": first})
    assert (stale.status_code, stale[STATE], stale["ETag"]) == (304, "stale", first)
    assert httpcache.REVALIDATOR.wait(5)
    fresh = client.get("/", headers={"If-None-Match": first})
    assert (fresh.status_code, fresh[STATE]) == (200, "hit")
    assert fresh["ETag"] != first
    again = client.get("/", headers={"If-None-Match": fresh["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_generations_are_shared_through_the_data_folder_by_default():
    before = httpcache.read_generations()
    httpcache.posts_changed()
    after = httpcache.read_generations()
    assert int(after.news) > int(before.news) and after.pages == before.pages
    httpcache.invalidate_pages()
    assert int(httpcache.read_generations().pages) > int(after.pages)


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


def test_a_hit_names_its_view_for_the_request_metrics():
    from newsrank.ops.metrics import view_name

    middleware = httpcache.PageCacheMiddleware(lambda request: HttpResponse("목록"))
    middleware(RequestFactory().get("/board/politics"))
    hit = RequestFactory().get("/board/politics")
    assert middleware(hit)[STATE] == "hit"
    assert hit.resolver_match.view_name == view_name(hit) == "board:section"


def test_re_renders_take_the_lists_first_and_rest_between_renders():
    revalidator = httpcache.Revalidator(share=0.5)
    gate, done = threading.Event(), []

    def render(name, spin=0.0):
        def run():
            gate.wait(5)
            until = time.thread_time() + spin
            while time.thread_time() < until:  # CPU time, which the rest is measured against
                pass
            done.append((name, time.monotonic()))

        return run

    revalidator.submit("first", render("first", spin=0.05), priority=0)  # holds the thread
    revalidator.submit("article", render("article"), priority=30)
    revalidator.submit("story", render("story"), priority=10)
    revalidator.submit("front page", render("front page"), priority=0)
    assert not revalidator.submit("story", render("story again"), priority=10)  # pending
    gate.set()
    assert revalidator.wait(5)
    assert [name for name, _ in done] == ["first", "front page", "story", "article"]
    # At half a core, the 50 ms render is followed by at least 50 ms of rest.
    assert done[1][1] - done[0][1] >= 0.045


def test_readers_of_a_page_nobody_has_cached_wait_for_one_render():
    release, renders = threading.Event(), []

    def view(request):
        renders.append(1)
        release.wait(5)
        return HttpResponse("첫 화면")

    middleware = httpcache.PageCacheMiddleware(view)
    answers = []
    readers_ = [
        threading.Thread(target=lambda: answers.append(middleware(RequestFactory().get("/"))))
        for _ in range(10)
    ]
    for thread in readers_:
        thread.start()
    time.sleep(0.2)  # all of them asked before the render ends
    release.set()
    for thread in readers_:
        thread.join(5)
    assert len(renders) == 1
    assert sorted(a[STATE] for a in answers) == ["miss"] + ["wait"] * 9
    assert {a.content for a in answers} == {"첫 화면".encode()}


def test_a_page_gone_since_it_was_cached_answers_404_after_its_re_render(client, make_posts):
    from newsrank.board.models import Post

    (post,) = make_posts(1)
    assert client.get(f"/{post.number}")[STATE] == "miss"
    Post.objects.filter(pk=post.pk).update(hidden=True)  # no signal, as the pipeline may
    later = time.time() + httpcache.rule_for(f"/{post.number}").ttl
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpcache.time, "time", lambda: later)
        assert client.get(f"/{post.number}")[STATE] == "stale"
        assert httpcache.REVALIDATOR.wait(5)
        assert client.get(f"/{post.number}").status_code == 404
