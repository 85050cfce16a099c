"""Polite fetching through a crawl session, and the adaptive schedule it feeds, over loopback."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest.pipeline import refresh_feed
from newsrank.sources.models import Feed
from newsrank.sources.services import add_feed

pytestmark = pytest.mark.django_db

PAGE = """<html lang="ko"><head><meta charset="utf-8"><title>{title}</title></head><body><article>
<h1>{title}</h1><p>가상의 한별시에서 {title} 소식이 전해졌다. 시는 이번 주 안에 세부 계획을 내놓겠다고 밝혔다.</p>
<p>주민들은 대체로 환영하는 분위기라고 시 관계자는 설명했다.</p></article></body></html>"""


def rss(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>기사 {i}</title><link>{base}{path}</link>"
        f"<pubDate>Sat, 28 Nov 2026 0{i}:00:00 +0900</pubDate></item>"
        for i, path in enumerate(paths)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


class Outlet(BaseHTTPRequestHandler):
    """A tiny outlet: robots.txt, a feed, pages; `routes` maps a path to (status, headers, body)."""

    routes: dict = {}
    seen: list = []

    def do_GET(self):
        self.seen.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {}, "없음"))
        data = body.encode()
        self.send_response(status)
        for name, value in ({"Content-Type": "text/html; charset=utf-8"} | headers).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def outlet(allow_loopback):
    handler = type("Handler", (Outlet,), {"routes": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.base = f"http://127.0.0.1:{server.server_port}"
    yield handler
    server.shutdown()
    server.server_close()


def test_articles_disallowed_by_robots_txt_are_not_fetched(outlet):
    outlet.routes.update({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /private/\n"),
        "/rss": (200, {"Content-Type": "application/rss+xml"}, rss(outlet.base, ["/private/a", "/news/b"])),
        "/private/a": (200, {}, PAGE.format(title="비공개 기사")),
        "/news/b": (200, {}, PAGE.format(title="공개 기사")),
    })  # fmt: skip
    result = refresh_feed(add_feed(f"{outlet.base}/rss", "한별일보"))
    assert "/private/a" not in outlet.seen
    assert [p.title for p in Post.objects.all()] == ["기사 1"]
    assert result.failures == [(f"{outlet.base}/private/a", "blocked by robots.txt")]


def test_feed_disallowed_by_robots_txt_is_an_error(outlet):
    outlet.routes["/robots.txt"] = (200, {}, "User-agent: newsrank\nDisallow: /\n")
    feed = add_feed(f"{outlet.base}/rss", "한별일보")
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.ERROR and feed.error == "blocked by robots.txt"
    assert "/rss" not in outlet.seen


def test_poll_interval_follows_the_publishing_rate(outlet):
    now = timezone.now()
    busy = "".join(
        f"<item><title>속보 {i}</title><link>{outlet.base}/n/{i}</link>"
        f"<pubDate>{(now - timedelta(minutes=2 * i)):%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>"
        for i in range(30)
    )
    outlet.routes["/wire"] = (
        200,
        {},
        f'<rss version="2.0"><channel><title>w</title>{busy}</channel></rss>',
    )
    for i in range(30):
        outlet.routes[f"/n/{i}"] = (200, {}, PAGE.format(title=f"속보 {i}"))
    feed = add_feed(f"{outlet.base}/wire", "바람뉴스통신")
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.items_per_day > 500  # 30 items in an hour
    assert 60 <= feed.poll_seconds <= 180
    assert feed.next_check_at - feed.last_checked_at <= timedelta(seconds=feed.poll_seconds)


def test_retry_after_is_honoured_and_errors_back_off(outlet):
    outlet.routes["/rss"] = (503, {"Retry-After": "3600"}, "잠시 후 다시")
    feed = add_feed(f"{outlet.base}/rss", "한별일보")
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.ERROR and "503" in feed.error
    assert feed.next_check_at - feed.last_checked_at >= timedelta(seconds=3600)
    assert feed.error_count == 1 and feed.first_error_at is not None


def test_a_feed_failing_for_days_is_paused_and_no_longer_due(outlet):
    feed = add_feed(f"{outlet.base}/gone", "한별일보")
    Feed.objects.filter(pk=feed.pk).update(
        error_count=12, first_error_at=timezone.now() - timedelta(days=4)
    )
    feed.refresh_from_db()
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.PAUSED and "paused after 13 errors" in feed.error
    Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
    assert not Feed.objects.due().filter(pk=feed.pk).exists()


def test_an_unchanged_body_counts_as_not_modified_without_validators(outlet):
    outlet.routes["/rss"] = (200, {}, rss(outlet.base, ["/news/b"]))
    outlet.routes["/news/b"] = (200, {}, PAGE.format(title="공개 기사"))
    feed = add_feed(f"{outlet.base}/rss", "한별일보")
    refresh_feed(feed)
    assert refresh_feed(feed).not_modified


def test_a_dead_host_is_reported_as_such_not_as_blocked(allow_loopback):
    feed = add_feed("http://127.0.0.1:9/rss", "없는일보")  # port 9 (discard): nothing listens
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.ERROR
    assert feed.error.startswith("robots.txt unreachable:") and "connect" in feed.error.lower()


def test_a_sitemap_index_is_followed_to_its_newest_sitemap(outlet):
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{outlet.base}/sitemap-old.xml</loc><lastmod>2026-11-01</lastmod></sitemap>
<sitemap><loc>{outlet.base}/sitemap-new.xml</loc><lastmod>2026-11-28</lastmod></sitemap>
</sitemapindex>"""
    urlset = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{outlet.base}/news/b</loc><news:news><news:publication><news:name>한별일보</news:name>
<news:language>ko</news:language></news:publication>
<news:publication_date>2026-11-28T09:00:00+09:00</news:publication_date>
<news:title>공개 기사</news:title></news:news></url></urlset>"""
    outlet.routes.update({
        "/sitemap.xml": (200, {"Content-Type": "application/xml"}, index),
        "/sitemap-new.xml": (200, {"Content-Type": "application/xml"}, urlset),
        "/sitemap-old.xml": (200, {"Content-Type": "application/xml"}, urlset.replace("/news/b", "/news/old")),
        "/news/b": (200, {}, PAGE.format(title="공개 기사")),
        "/news/old": (200, {}, PAGE.format(title="지난 기사")),
    })  # fmt: skip
    result = refresh_feed(add_feed(f"{outlet.base}/sitemap.xml", "한별일보"))
    assert not result.error
    titles = set(Post.objects.values_list("title", flat=True))
    assert "공개 기사" in titles
    assert "/sitemap-new.xml" in outlet.seen
