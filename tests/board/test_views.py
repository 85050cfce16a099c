import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.board.templatetags.board import board_date

pytestmark = pytest.mark.django_db


def rows(response) -> list[int]:
    """The 번호 column of the list in a response (the current row shows 현재글 instead); none
    without a list (a search without results shows its message alone)."""
    html = response.content.decode()
    if '<table class="list">' not in html:
        return []
    table = html[html.index('<table class="list">') :]
    return [int(n) for n in re.findall(r'<td class="no">(\d+)</td>', table)]


def test_list_shows_twenty_newest_posts_with_board_columns(client, make_posts):
    posts = make_posts(25)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    for column in ("번호", "제목", "글쓴이", "날짜"):
        assert f">{column}</th>" in html
    assert rows(response) == [p.number for p in reversed(posts)][:20]
    assert "가람일보" in html


def test_second_page_continues_the_list(client, make_posts):
    posts = make_posts(25)
    assert rows(client.get("/?page=2")) == [p.number for p in reversed(posts)][20:]


@pytest.mark.parametrize("page", ["999", "-3", "abc", "0"])
def test_page_out_of_range_or_malformed_still_answers(client, make_posts, page):
    make_posts(25)
    response = client.get(f"/?page={page}")
    assert response.status_code == 200
    assert len(rows(response)) in (5, 20)


def test_pager_links_first_previous_next_last(client, make_posts):
    make_posts(65)
    html = client.get("/?page=2").content.decode()
    assert 'href="/"' in html and ">처음<" in html
    assert 'href="/?page=3" class="next"' in html
    assert 'href="/?page=4" class="last"' in html


def test_numbers_only_grow_even_after_a_post_is_deleted(make_posts):
    first, second = make_posts(2)
    deleted = second.number
    second.delete()
    (third,) = make_posts(1)
    assert third.number > deleted > first.number


def test_article_shows_the_list_page_that_holds_it_with_its_row_marked(client, make_posts):
    posts = make_posts(45)
    target = posts[3]  # 41 newer posts: the third page of the list
    response = client.get(f"/{target.number}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="post-title">{target.title}</h1>' in html
    assert 'class="current"' in html and "현재글" in html
    listed = rows(response)
    page_three = [p.number for p in reversed(posts)][40:]
    assert target.number in page_three
    assert listed == [n for n in page_three if n != target.number]
    assert '<strong aria-current="page">3</strong>' in html


def test_article_shows_outlet_link_to_original_subtitles_and_photos(client, make_posts):
    (post,) = make_posts(
        1,
        subtitles=["부제 첫 줄", "부제 둘째 줄"],
        images=[{"url": "https://garam.example/p.jpg", "caption": "현장 모습. 사진=가람일보 DB"}],
        body_html="<p>본문 문단.</p>",
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert "부제 첫 줄" in html and "부제 둘째 줄" in html
    assert 'src="https://garam.example/p.jpg"' in html and "사진=가람일보 DB" in html
    assert f'href="{post.url}"' in html and "원문 보기" in html


def test_outlet_without_full_text_shows_an_excerpt(client, make_posts, outlet):
    outlet.full_text = False
    outlet.save()
    (post,) = make_posts(1, body_text="첫 문단.\n\n둘째 문단.\n\n셋째 문단은 원문에서.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "첫 문단." in html and "셋째 문단은 원문에서." not in html
    assert "원문에서 읽어 주세요" in html


def test_hidden_post_is_gone_from_list_and_view(client, make_posts):
    shown, hidden = make_posts(2)
    Post.objects.filter(pk=hidden.pk).update(hidden=True)
    assert rows(client.get("/")) == [shown.number]
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_blocked_outlet_disappears(client, make_posts, outlet):
    make_posts(3)
    outlet.blocked = True
    outlet.save()
    assert rows(client.get("/")) == []


def test_section_board_lists_only_its_section_and_keeps_readers_in_it(client, make_posts):
    politics = make_posts(2, section="politics")
    make_posts(2, section="economy")
    response = client.get("/board/politics")
    assert rows(response) == [p.number for p in reversed(politics)]
    assert f'href="/{politics[0].number}?b=politics"' in response.content.decode()
    view = client.get(f"/{politics[0].number}?b=politics")
    assert rows(view) == [politics[1].number]


@pytest.mark.parametrize("value", ["²", "٣", "9" * 40])  # int() refuses one, SQLite the last
def test_an_odd_outlet_in_a_post_link_gives_the_whole_board(client, make_posts, value):
    first, second = make_posts(2)
    response = client.get(f"/{second.number}", {"o": value})
    assert response.status_code == 200 and rows(response) == [first.number]


def test_unknown_section_is_404(client, db):
    assert client.get("/board/nonsense").status_code == 404


def test_outlet_list(client, make_posts, outlet):
    posts = make_posts(3)
    response = client.get(f"/outlet/{outlet.pk}")
    assert rows(response) == [p.number for p in reversed(posts)]
    assert client.get("/outlet/999999").status_code == 404


def test_search_finds_korean_words_whatever_their_particles(client, make_posts):
    from newsrank.search.backends import index_pending

    make_posts(1, title="태풍 하늘, 남해안에 상륙", body_text="태풍이 남해안을 지나갔다.")
    make_posts(1, title="태풍 소식 없음", body_text="조용한 하루였다.")
    index_pending()
    response = client.get("/search", {"q": "남해안의 태풍은"})
    html = response.content.decode()
    assert len(rows(response)) == 1
    assert "<mark>남해안</mark>" in html and "<mark>태풍</mark>" in html


@pytest.mark.parametrize("q", ["", "은는이가", "🙂", "x" * 5000, '"', "-", "outlet:", "<script>"])
def test_search_with_nothing_to_search_answers_with_a_message(client, make_posts, q):
    make_posts(2)
    response = client.get("/search", {"q": q, "page": "abc", "from": "nonsense"})
    assert response.status_code == 200
    assert rows(response) == []
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_a_search_without_results_says_so_once(client, make_posts):
    """In the status line above the table (its rows were saying it again)."""
    make_posts(2)
    html = client.get("/search", {"q": "꽃샘추위"}).content.decode()
    assert html.count("검색 결과가 없습니다.") == 1 and 'role="status"' in html
    html = client.get("/search", {"q": "꽃샘추위 outlet:없는신문"}).content.decode()
    assert html.count("‘없는신문’ 언론사를 찾을 수 없습니다.") == 1
    assert client.get("/search").content.decode().count("검색어를 입력하세요.") == 1


def test_skip_link_is_the_first_focusable_element(client, db):
    html = client.get("/").content.decode()
    body = html[html.index("<body>") :]
    first = re.search(r"<(a|input|button|select|textarea)\b[^>]*>", body).group(0)
    assert 'href="#content"' in first
    assert 'id="content"' in body


def test_empty_board_explains_itself(client, db):
    assert "아직 게시글이 없습니다" in client.get("/").content.decode()


def test_board_date_shows_time_today_and_date_before(settings):
    now = timezone.now()
    assert re.fullmatch(r"\d\d:\d\d", board_date(now))
    assert board_date(datetime(2024, 3, 1, 1, 0, tzinfo=UTC)) == "2024.03.01"
    # 2024-03-01 16:00 UTC is already March 2nd in Seoul.
    assert board_date(datetime(2024, 3, 1, 16, 0, tzinfo=UTC)) == "2024.03.02"
    assert board_date(None) == ""
    assert re.fullmatch(r"\d{4}\.\d\d\.\d\d", board_date(now - timedelta(days=3)))


def test_rss_feed_has_newest_fifty(client, make_posts):
    import feedparser

    make_posts(55)
    parsed = feedparser.parse(client.get("/feed/").content)
    assert len(parsed.entries) == 50
    assert parsed.entries[0].title.startswith("[가람일보]")


def test_list_rows_escape_titles_and_outlet_names_as_the_template_did(client, make_posts, outlet):
    outlet.name = '가람 <b>"일보"</b>'
    outlet.save()
    (post,) = make_posts(1, title="<script>alert('x')</script> & 기사")
    html = client.get("/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 기사</a>" in html
    assert "가람 &lt;b&gt;&quot;일보&quot;&lt;/b&gt;</a></td>" in html
    assert "<script>alert" not in html
    view = client.get(f"/{post.number}").content.decode()
    assert '<tr class="current" aria-current="true">' in view
