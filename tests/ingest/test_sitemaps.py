"""Tests for newsrank.ingest.sitemaps: sitemaps and Google News sitemaps read through parse_feed."""

import gzip
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from newsrank.demo.server import SampleOutlets
from newsrank.ingest import sitemaps
from newsrank.ingest.feeds import FeedError, parse_feed

FEEDS = Path(__file__).parent.parent / "fixtures" / "feeds"
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
KST = timezone(timedelta(hours=9))
GARAM = "https://www.garamilbo.example/news/articleView.html?idxno="
NURI = "https://www.nurieconomy.example/article/"
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def urlset(urls: str, *, namespaces: str = "") -> bytes:
    head = URLSET.replace(">", f" {namespaces}>") if namespaces else URLSET
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}{urls}</urlset>'.encode()


# --- Google News sitemaps ---------------------------------------------------------------------


def test_news_sitemap_gives_titles_dates_and_the_publication_name():
    feed = parse_feed(fixture("news_sitemap_garamilbo.xml"), GARAM + "sitemap", now=NOW)
    assert feed.title == "가람일보"
    assert feed.sitemaps == []
    first = feed.entries[1]
    assert first.url == GARAM + "20490"
    assert first.title == "가람시의회, 내년 예산안 심사 착수"  # markup in the title stripped
    assert first.published_at == datetime(2026, 11, 28, 10, 5, tzinfo=KST)
    assert first.published_at.tzinfo is UTC
    assert first.updated_at == datetime(2026, 11, 28, 11, 20, tzinfo=KST)
    assert first.categories == ["가람시의회", "예산안", "지방자치"]
    assert first.guid is None and first.summary == ""


def test_news_sitemap_entries_come_newest_first_and_zoneless_dates_are_kst():
    feed = parse_feed(fixture("news_sitemap_garamilbo.xml"), GARAM + "sitemap", now=NOW)
    assert [(e.url, e.published_at) for e in feed.entries] == [
        (GARAM + "20491", datetime(2026, 11, 28, 11, 30, tzinfo=KST)),  # 02:30Z
        (GARAM + "20490", datetime(2026, 11, 28, 10, 5, tzinfo=KST)),
        (GARAM + "20488", datetime(2026, 11, 28, 8, 40, tzinfo=KST)),  # zone-less
        (GARAM + "20400", None),  # 2099: an embargo placeholder, not a date
    ]
    assert feed.entries[2].title == '"새벽 버스 늘려 달라"… 가람역 첫차 시간 30분 앞당긴다'


def test_news_sitemap_drops_bad_links_and_the_same_article_listed_twice():
    feed = parse_feed(fixture("news_sitemap_garamilbo.xml"), GARAM + "sitemap", now=NOW)
    urls = [e.url for e in feed.entries]
    assert not any("javascript" in url or "utm_source" in url for url in urls)
    assert len(urls) == len(set(urls)) == 4


def test_unusable_locs_are_skipped():
    urls = "".join(
        f"<url><loc>{loc}</loc></url>"
        for loc in ["http://[::1", "https://a.example:99999/", "ftp://a.example/1", "", "/ok"]
    )
    feed = parse_feed(urlset(urls), "https://a.example/sitemap.xml", now=NOW)
    assert [e.url for e in feed.entries] == ["https://a.example/ok"]


def test_image_extension_titles_are_not_taken_for_the_article_title():
    urls = (
        "<url><loc>https://a.example/1</loc><image:image><image:loc>https://a.example/1.jpg"
        "</image:loc><image:title>사진 설명</image:title></image:image></url>"
    )
    namespaces = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
    (entry,) = parse_feed(
        urlset(urls, namespaces=namespaces), "https://a.example/s", now=NOW
    ).entries
    assert entry.title == ""


# --- plain sitemaps ---------------------------------------------------------------------------


def test_plain_sitemap_has_no_titles_and_is_dated_by_lastmod():
    url = "https://www.nurieconomy.example/sitemap/daily-articles/20261128"
    feed = parse_feed(fixture("sitemap_daily_articles.xml"), url, now=NOW)
    assert feed.title == ""
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        (NURI + "2026/11/28/0012", "", datetime(2026, 11, 28, 9, 15, tzinfo=KST)),
        (NURI + "2026/11/28/0010", "", datetime(2026, 11, 28, 0, 0, tzinfo=KST)),  # relative loc
        (NURI + "2026/11/27/0007", "", datetime(2026, 11, 27, 18, 30, tzinfo=KST)),
        (NURI + "2026/11/26/0001", "", None),
        (NURI + "1970/01/01/0000", "", None),  # the epoch is a placeholder, not a date
    ]
    assert feed.entries[0].updated_at == feed.entries[0].published_at


def test_sitemap_without_namespace_or_with_the_old_google_one_is_read():
    for head in ("<urlset>", '<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">'):
        content = f"{head}<url><loc>https://a.example/1</loc></url></urlset>".encode()
        assert [e.url for e in parse_feed(content, "https://a.example/s").entries] == [
            "https://a.example/1"
        ]


def test_empty_urlset_is_an_empty_feed():
    assert parse_feed(urlset(""), "https://a.example/s").entries == []


def test_keeps_only_the_newest_entries_of_a_long_sitemap():
    start = datetime(2026, 11, 1, tzinfo=UTC)
    urls = "".join(
        f"<url><loc>https://a.example/{n}</loc>"
        f"<lastmod>{(start + timedelta(minutes=n)).isoformat()}</lastmod></url>"
        for n in range(1000)
    )
    feed = parse_feed(urlset(urls), "https://a.example/s", now=NOW)
    assert len(feed.entries) == sitemaps.KEEP_NEWEST
    assert feed.entries[0].url == "https://a.example/999"
    assert feed.entries[-1].url == f"https://a.example/{1000 - sitemaps.KEEP_NEWEST}"


def test_refuses_a_sitemap_with_more_urls_than_the_protocol_allows(monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_URLS", 10)
    urls = "".join(f"<url><loc>https://a.example/{n}</loc></url>" for n in range(11))
    with pytest.raises(FeedError, match="more than 10 URLs"):
        parse_feed(urlset(urls), "https://a.example/s")


# --- sitemap indexes --------------------------------------------------------------------------


def test_sitemap_index_lists_child_sitemaps_newest_first():
    url = "https://www.hanbitnews.example/sitemap/daily-article.xml"
    feed = parse_feed(fixture("sitemap_index.xml"), url, now=NOW)
    assert feed.entries == []
    daily = "https://www.hanbitnews.example/sitemap/daily-article/"
    assert feed.sitemaps == [
        daily + "20261128.xml",
        daily + "20261127.xml",  # zone-less lastmod
        daily + "20261126.xml",
        daily + "archive.xml",  # undated, last; relative loc made absolute
    ]


# --- compressed, broken and hostile sitemaps --------------------------------------------------


def test_reads_gzipped_sitemap_bytes():
    content = gzip.compress(fixture("news_sitemap_garamilbo.xml"))
    feed = parse_feed(content, "https://www.garamilbo.example/sitemap.xml.gz", now=NOW)
    assert feed.title == "가람일보" and len(feed.entries) == 4


def test_refuses_a_gzip_bomb(monkeypatch):
    from newsrank.ingest import feeds

    monkeypatch.setattr(feeds, "MAX_DOCUMENT_BYTES", 1_000_000)
    bomb = gzip.compress(urlset("<url><loc>https://a.example/1</loc></url>" + " " * 5_000_000))
    assert len(bomb) < 10_000
    with pytest.raises(FeedError, match="larger than"):
        parse_feed(bomb, "https://a.example/s.xml.gz")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (gzip.compress(b"<urlset></urlset>")[:-12], "truncated gzip data"),
        (b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff\xff garbage", "broken gzip data"),
        (b"<urlset><url><loc>https://a.example/1</lo", "malformed XML at line 1"),
        (b"<sitemapindex><sitemap><loc>x</sitemap>", "malformed XML"),
    ],
)
def test_broken_sitemaps_raise_feed_error_with_reason(content, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(content, "https://a.example/s.xml")


def test_sitemap_cut_short_keeps_the_urls_before_the_break():
    content = urlset("<url><loc>https://a.example/1</loc></url><url><loc>https://a.ex")[:-10]
    assert [e.url for e in parse_feed(content, "https://a.example/s").entries] == [
        "https://a.example/1"
    ]


def test_entities_are_never_expanded_or_loaded():
    content = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        b'<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<urlset><url><loc>https://a.example/&xxe;&lol2;x</loc></url></urlset>"
    )
    (entry,) = parse_feed(content, "https://a.example/s").entries
    assert entry.url == "https://a.example/x"


def test_rss_with_sitemap_words_inside_is_still_a_feed():
    content = (
        "<!-- <urlset> --><rss version='2.0'><channel><title>urlset 소식</title><item><title>urlset 속보</title>"
        "<link>https://a.example/1</link></item></channel></rss>"
    ).encode()
    feed = parse_feed(content, "https://a.example/rss")
    assert feed.title == "urlset 소식" and feed.entries[0].title == "urlset 속보"


# --- the demo's news sitemap ------------------------------------------------------------------


def test_reads_the_demo_outlets_news_sitemap():
    start = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    with SampleOutlets(start=start, clock=lambda: start) as outlets:
        (sitemap,) = outlets.sitemaps()
        response = httpx.get(sitemap.url)
        feed = parse_feed(
            response.content, sitemap.url, response.headers["content-type"], now=start
        )
        garam = [a for a in outlets.articles() if a.outlet_slug == "garam"]
    assert feed.title == "가람일보"
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        (a.url, a.title, a.published_at) for a in garam
    ]
