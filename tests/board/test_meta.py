"""What a page tells crawlers and share previews: canonical URL, Open Graph, Twitter card, JSON-LD,
and the feeds a reader can subscribe to."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page's <head>."""

    def __init__(self):
        super().__init__()
        self.links, self.meta, self.json_ld = [], {}, []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in_ld = self._in_ld and tag != "script"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def head_of(client, url) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    head = Head()
    head.feed(html[: html.index("</head>")])
    head.raw = html[: html.index("</head>")]
    return head


def canonical(head):
    return [link["href"] for link in head.links if link.get("rel") == "canonical"]


def alternates(head):
    return {link["href"] for link in head.links if link.get("rel") == "alternate"}


HOSTILE = "Lee & Kim <script>alert(1)</script> \"인용\" '따옴표' </script><!--"


@pytest.fixture
def article(make_posts, outlet):
    from newsrank.stories.models import Story

    (post,) = make_posts(
        1,
        title=HOSTILE,
        section="economy",
        authors=["홍길동 기자"],
        images=[{"url": "https://garam.example/photo.jpg?a=1&b=2", "caption": "사진"}],
        body_text="첫 문단 </script> 입니다.\n\n둘째 문단.",
    )
    post.story = Story.objects.create(
        headline="이슈", first_at=post.published_at, newest_at=post.published_at, posts_count=1
    )
    post.save()
    return post


def test_article_has_canonical_og_and_twitter_tags(client, article):
    head = head_of(client, f"/{article.number}?b=economy")
    url = f"http://testserver/{article.number}"
    assert canonical(head) == [url]  # the list below varies with ?b=, the article does not
    assert head.meta["og:type"] == "article"
    assert head.meta["og:url"] == url
    assert head.meta["og:title"] == HOSTILE
    assert head.meta["og:image"] == "https://garam.example/photo.jpg?a=1&b=2"
    assert head.meta["og:description"].startswith("첫 문단")
    assert head.meta["article:section"] == "경제"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:title"] == HOSTILE


def test_article_json_ld_credits_the_outlet_and_links_the_original(client, article):
    head = head_of(client, f"/{article.number}")
    (raw,) = head.json_ld
    assert "<" not in raw and ">" not in raw  # nothing in it can end the script element
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == HOSTILE
    assert data["isBasedOn"] == data["url"] == article.url
    assert data["mainEntityOfPage"] == f"http://testserver/{article.number}"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "가람일보",
        "url": "https://garam.example/",
    }
    assert {"@type": "Person", "name": "홍길동 기자"} in data["author"]
    assert data["image"] == ["https://garam.example/photo.jpg?a=1&b=2"]
    published = datetime.fromisoformat(data["datePublished"])
    assert published == article.published_at
    assert data["dateModified"]


def test_hostile_title_never_opens_markup_in_the_head(client, article):
    head = head_of(client, f"/{article.number}")
    assert "<script>alert" not in head.raw
    assert len(re.findall(r"<script", head.raw)) == 1  # the JSON-LD block only


def test_article_without_images_gets_a_summary_card(client, make_posts):
    (post,) = make_posts(1)
    head = head_of(client, f"/{post.number}")
    assert head.meta["twitter:card"] == "summary"
    assert "og:image" not in head.meta
    data = json.loads(head.json_ld[0])
    assert data["image"] == [] and data["author"][-1]["name"] == "가람일보"


def test_article_advertises_board_outlet_and_story_feeds(client, article):
    feeds = alternates(head_of(client, f"/{article.number}"))
    assert {"/feed/", "/feed/atom/"} <= feeds
    assert {
        f"/feed/outlet/{article.outlet.pk}/",
        f"/feed/outlet/{article.outlet.pk}/atom/",
    } <= feeds
    assert {f"/feed/story/{article.story.pk}/", f"/feed/story/{article.story.pk}/atom/"} <= feeds


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        ("/", "/feed/atom/"),
        ("/board/politics", "/feed/board/politics/atom/"),
        ("/outlet/{outlet}", "/feed/outlet/{outlet}/atom/"),
        ("/search?q=%EA%B0%80%EC%83%81", "/feed/search/atom/?q=%EA%B0%80%EC%83%81"),
    ],
)
def test_lists_advertise_their_own_feeds(client, make_posts, outlet, url, feed):
    make_posts(1, section="politics")
    head = head_of(client, url.format(outlet=outlet.pk))
    assert feed.format(outlet=outlet.pk) in alternates(head)
    assert head.meta["og:site_name"] and head.meta["og:title"]


def test_story_page_advertises_its_feed_and_canonical(client, article):
    head = head_of(client, f"/story/{article.story.pk}")
    assert f"/feed/story/{article.story.pk}/" in alternates(head)
    assert canonical(head) == [f"http://testserver/story/{article.story.pk}"]


def test_list_canonical_keeps_the_page_and_drops_other_parameters(client, make_posts):
    make_posts(25)
    head = head_of(client, "/?page=2&utm_source=x")
    assert canonical(head) == ["http://testserver/?page=2"]
    assert head.meta["og:url"] == "http://testserver/?page=2"
    assert canonical(head_of(client, "/?page=1")) == ["http://testserver/"]


def test_search_results_are_not_indexed(client, db):
    head = head_of(client, "/search?q=x")
    assert head.meta["robots"] == "noindex, follow"
    assert canonical(head) == []
