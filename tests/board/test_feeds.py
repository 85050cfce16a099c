"""RSS and Atom feeds: every board, section, outlet, story and search, well-formed for feedparser."""

from __future__ import annotations

import feedparser
import pytest

from newsrank.board.feeds import xml_text

pytestmark = pytest.mark.django_db

TRICKY_TITLE = "삼성 & LG <반도체> \"협력\" 'AI' 발표"


@pytest.fixture
def story_posts(make_posts):
    from newsrank.stories.models import Story

    posts = make_posts(3, section="economy")
    first = posts[0]
    story = Story.objects.create(
        headline=TRICKY_TITLE,
        first_at=first.published_at,
        newest_at=posts[-1].published_at,
        posts_count=2,
        outlets_count=1,
    )
    for post in posts[:2]:
        post.story = story
        post.save()
    return story, posts


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return response, parsed


FEED_KINDS = [("", "application/rss+xml"), ("atom/", "application/atom+xml")]


@pytest.mark.parametrize(("suffix", "content_type"), FEED_KINDS)
def test_board_feed_keeps_tricky_korean_titles_intact(client, make_posts, suffix, content_type):
    (post,) = make_posts(1, title=TRICKY_TITLE, body_text="첫 문단 <b>굵게</b> & 끝.")
    response, parsed = parse(client, f"/feed/{suffix}")
    assert response["Content-Type"].startswith(content_type)
    (entry,) = parsed.entries
    assert entry.title == f"[가람일보] {TRICKY_TITLE}"
    assert entry.link.endswith(f"/{post.number}")
    assert entry.summary.startswith("첫 문단")
    assert entry.author == "가람일보"


@pytest.mark.parametrize(("suffix", "content_type"), FEED_KINDS)
def test_section_outlet_story_and_search_feeds_parse(client, story_posts, suffix, content_type):
    from newsrank.search.backends import index_pending

    story, posts = story_posts
    index_pending()
    outlet = posts[0].outlet
    expectations = {
        f"/feed/board/economy/{suffix}": 3,
        f"/feed/outlet/{outlet.pk}/{suffix}": 3,
        f"/feed/story/{story.pk}/{suffix}": 2,
        f"/feed/search/{suffix}?q=가상": 3,
    }
    for url, count in expectations.items():
        response, parsed = parse(client, url)
        assert response["Content-Type"].startswith(content_type), url
        assert len(parsed.entries) == count, url
        numbers = [int(e.link.rsplit("/", 1)[1]) for e in parsed.entries]
        assert numbers == sorted(numbers, reverse=True), url  # newest first
    _, parsed = parse(client, f"/feed/story/{story.pk}/{suffix}")
    assert TRICKY_TITLE in parsed.feed.title


def test_section_feed_holds_only_its_section(client, make_posts):
    make_posts(2, section="sports")
    make_posts(1, section="politics")
    _, parsed = parse(client, "/feed/board/politics/")
    assert len(parsed.entries) == 1


def test_hidden_posts_and_blocked_outlets_stay_out_of_feeds(client, make_posts):
    shown, hidden = make_posts(2)
    hidden.hidden = True
    hidden.save()
    _, parsed = parse(client, "/feed/")
    assert [e.link.rsplit("/", 1)[1] for e in parsed.entries] == [str(shown.number)]
    shown.outlet.blocked = True
    shown.outlet.save()
    assert client.get(f"/feed/outlet/{shown.outlet.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/feed/board/nothing/", "/feed/outlet/424242/", "/feed/story/424242/atom/"]
)
def test_unknown_boards_answer_404(client, db, url):
    assert client.get(url).status_code == 404


def test_search_feed_without_words_is_an_empty_valid_feed(client, make_posts):
    make_posts(1)
    _, parsed = parse(client, "/feed/search/")
    assert parsed.entries == []


def test_control_characters_in_a_title_do_not_break_the_feed(client, make_posts):
    make_posts(1, title="제목\x0b에 \x01제어 문자")
    _, parsed = parse(client, "/feed/")
    assert parsed.entries[0].title == "[가람일보] 제목에 제어 문자"


def test_xml_text_drops_only_what_xml_forbids():
    assert xml_text("탭\t줄\n끝\x00\x1f\ufffe") == "탭\t줄\n끝"


LONG = "가" * 700


@pytest.mark.parametrize(
    ("text", "lead_chars"),
    [
        ("첫 문단.\n\n둘째 문단.", 1000),
        ("\n\n  \n\n첫 문단은 빈 문단 뒤에.\n\n둘째.", 1000),
        ("짧은 첫 문단.\n\n" + LONG, 20),
        ("짧은 첫 문단이 잘린다" + "\n\n둘째.", 8),  # cut inside: the whole text decides
        (LONG + "\n\n둘째.", 600),  # cut after the 500 shown
        ("가" * 500 + "\n\n둘째.", 501),  # cut on the first "\n" of the paragraph's end
        ("가" * 499 + "\n\n둘째.", 500),
        ("   \n\n   ", 4),
        ("", 1000),
    ],
)
def test_feed_descriptions_from_the_text_lead_match_the_whole_text(
    client, make_posts, monkeypatch, text, lead_chars
):
    from newsrank.board import feeds

    monkeypatch.setattr(feeds, "LEAD_CHARS", lead_chars)
    (post,) = make_posts(1, body_text=text)
    paragraphs = post.paragraphs
    want = paragraphs[0][: feeds.DESCRIPTION_CHARS] if paragraphs else ""
    _, parsed = parse(client, "/feed/")
    assert parsed.entries[0].get("summary", "") == want.strip()
    item = feeds.PostsFeed().items(feeds.lists.scope_all())[0]
    assert feeds.PostsFeed().item_description(item) == want


def test_feed_reads_neither_html_nor_whole_texts(client, make_posts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_posts(55)
    with CaptureQueriesContext(connection) as queries:
        client.get("/feed/")
    posts = [q["sql"] for q in queries.captured_queries if '"board_post"' in q["sql"]]
    assert len(posts) == 1, posts
    assert '"body_html"' not in posts[0] and "SUBSTR" in posts[0].upper()
