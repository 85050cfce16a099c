"""sitemap.xml: an index of number-range pages, and the Google News sitemap of the last 48 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsrank.board.models import Post
from newsrank.sitemaps import PostSitemap, RangePaginator

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def locations(root):
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


def test_index_lists_every_section_and_post_range_pages(client, make_posts, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    posts = make_posts(5)
    index = locations(xml(client, "/sitemap.xml"))
    post_pages = [url for url in index if "/sitemap-posts.xml" in url]
    assert len(post_pages) == 3  # numbers n..n+4 in ranges of 2
    for section in ("pages", "stories", "news"):
        assert any(f"/sitemap-{section}.xml" in url for url in index)
    listed = []
    for url in post_pages:
        listed += locations(xml(client, url.removeprefix("http://testserver")))
    assert listed == [f"http://testserver/{p.number}" for p in posts]


def test_post_sitemap_leaves_out_hidden_posts(client, make_posts):
    shown, hidden = make_posts(2)
    hidden.hidden = True
    hidden.save()
    assert locations(xml(client, "/sitemap-posts.xml")) == [f"http://testserver/{shown.number}"]


def test_pages_sitemap_lists_boards_sections_and_outlets(client, outlet):
    urls = locations(xml(client, "/sitemap-pages.xml"))
    assert "http://testserver/" in urls
    assert "http://testserver/board/politics" in urls
    assert f"http://testserver/outlet/{outlet.pk}" in urls


@pytest.mark.parametrize("page", ["9", "x", "0"])
def test_missing_pages_answer_404(client, make_posts, page):
    make_posts(1)
    assert client.get(f"/sitemap-posts.xml?p={page}").status_code == 404
    assert client.get(f"/sitemap-news.xml?p={page}").status_code == 404


def test_news_sitemap_holds_the_last_48_hours_with_titles(client, make_posts):
    now = datetime.now(UTC)
    (old,) = make_posts(1, published_at=now - timedelta(hours=49))
    (fresh,) = make_posts(1, title='한성 & 가람 <합의> "타결"', published_at=now)
    root = xml(client, "/sitemap-news.xml")
    assert locations(root) == [f"http://testserver/{fresh.number}"]
    assert root.find(".//news:title", NS).text == '[가람일보] 한성 & 가람 <합의> "타결"'
    assert root.find(".//news:language", NS).text == "ko"
    assert root.find(".//news:name", NS).text
    published = datetime.fromisoformat(root.find(".//news:publication_date", NS).text)
    assert abs(published - now) < timedelta(seconds=1)


def test_news_sitemap_skips_posts_stored_before_the_window(client, make_posts):

    (post,) = make_posts(1)
    Post.objects.filter(pk=post.pk).update(created_at=datetime.now(UTC) - timedelta(days=3))
    assert locations(xml(client, "/sitemap-news.xml")) == []


def test_first_stored_since_finds_the_boundary(make_posts):

    posts = make_posts(6)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for hour, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(created_at=start + timedelta(hours=hour))
    assert (
        Post.objects.first_stored_since(start + timedelta(hours=3, minutes=30)) == posts[4].number
    )
    assert Post.objects.first_stored_since(start) == posts[0].number
    assert Post.objects.first_stored_since(start + timedelta(days=1)) is None


def test_a_sitemap_page_reads_a_range_without_counting_the_table(client, make_posts):
    make_posts(3)
    with CaptureQueriesContext(connection) as queries:
        xml(client, "/sitemap-posts.xml")
        xml(client, "/sitemap.xml")
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql


def test_range_paginator_pages_by_key_not_by_rows(make_posts):

    posts = make_posts(5)
    low = posts[0].number
    pages = RangePaginator(Post.objects.all(), "number", 2, low, low + 4)
    assert pages.num_pages == 3
    assert [p.number for p in pages.page(3).object_list] == [low + 4]
    assert RangePaginator(Post.objects.all(), "number", 2, None, None).num_pages == 1


def test_robots_txt_points_to_the_sitemap_and_keeps_search_out(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /search" in lines
    assert not any("admin" in line for line in lines)


def test_story_sitemap_lists_live_stories_at_their_pages(client, make_posts):
    from newsrank.stories.models import Story

    (post,) = make_posts(1)
    at = post.published_at
    live = Story.objects.create(headline="a", first_at=at, newest_at=at, posts_count=1)
    Story.objects.create(headline="empty", first_at=at, newest_at=at, posts_count=0)
    root = xml(client, "/sitemap-stories.xml")
    assert locations(root) == [f"http://testserver{live.get_absolute_url()}"]
    lastmod = datetime.fromisoformat(root.find(".//sm:lastmod", NS).text)
    assert abs(lastmod - at) < timedelta(seconds=1)
