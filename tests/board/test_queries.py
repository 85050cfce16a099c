"""List pages through anchors: the same rows as counting and OFFSET would give, read by index."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsrank.board import lists
from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.stories.models import Story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_anchors(monkeypatch, settings):
    """Anchors every 7 posts, so a few dozen posts cross several of them; a fresh cache."""
    from django.core.cache import cache

    monkeypatch.setattr(lists, "ANCHOR_EVERY", 7)
    settings.NEWSRANK_PAGE_SIZE = 5
    cache.clear()


@pytest.fixture
def board(make_posts):
    """53 posts over two outlets and two sections."""
    other = Outlet.objects.create(name="누리일보", homepage="https://nuri.example/")
    posts = make_posts(53)
    for post in posts[::3]:
        post.outlet, post.section = other, "economy"
        post.save()
    return posts


def expected(scope: lists.Scope) -> list[list[int]]:
    """The pages as count() and OFFSET made them."""
    numbers = list(scope.posts.values_list("number", flat=True))
    size = 5
    return [numbers[i : i + size] for i in range(0, len(numbers), size)] or [[]]


def pages(scope: lists.Scope) -> list[list[int]]:
    first = lists.get_page(scope, 1)
    return [[p.number for p in lists.get_page(scope, n).rows] for n in range(1, first.last + 1)]


def scopes() -> list[lists.Scope]:
    return [scope_named(name) for name in ("all", "section", "outlet")]


def scope_named(name: str) -> lists.Scope:
    if name == "outlet":
        return lists.scope_outlet(Outlet.objects.get(name="누리일보").pk)
    return lists.scope_section("economy") if name == "section" else lists.scope_all()


def check_every_page_and_post(scope: lists.Scope) -> None:
    want = expected(scope)
    assert pages(scope) == want
    page = lists.get_page(scope, 1)
    assert page.count == sum(len(rows) for rows in want)
    assert page.last == len(want)
    for n, rows in enumerate(want, start=1):
        for number in rows:
            assert lists.page_of(scope, Post.objects.get(number=number)) == n


def test_every_page_and_page_of_match_counting(board):
    for scope in scopes():
        check_every_page_and_post(scope)


def test_new_posts_extend_the_lists(board, make_posts):
    for scope in scopes():
        pages(scope)  # anchors made
    make_posts(23)
    for scope in scopes():
        check_every_page_and_post(scope)


def test_hiding_and_blocking_rebuild_the_lists(board):
    for scope in scopes():
        pages(scope)
    Post.objects.filter(number__in=[p.number for p in board[5:20:2]]).update(hidden=True)
    for scope in scopes():
        check_every_page_and_post(scope)
    Outlet.objects.filter(name="누리일보").update(blocked=True)
    check_every_page_and_post(lists.scope_all())
    assert lists.get_page(lists.scope_section("economy"), 1).rows == []
    Post.objects.update(hidden=False)
    Outlet.objects.update(blocked=False)
    for scope in scopes():
        check_every_page_and_post(scope)


def test_deleting_a_post_rebuilds_the_lists(board):
    scope = lists.scope_all()
    pages(scope)
    board[10].delete()
    board[30].delete()
    check_every_page_and_post(scope)


def test_a_page_neither_counts_the_list_nor_offsets_past_an_anchor(board, make_posts):
    make_posts(100)
    scope = lists.scope_all()
    lists.get_page(scope, 1)
    with CaptureQueriesContext(connection) as queries:
        page = lists.get_page(scope, 25)
    assert [p.number for p in page.rows] == expected(scope)[24]
    for query in queries.captured_queries:
        sql = query["sql"]
        if "COUNT(" in sql and "board_post" in sql and "SUM(" not in sql:  # SUM: fingerprint
            assert '"number" >' in sql, sql  # the tail after the last anchor, not the list
        for offset in re.findall(r"OFFSET (\d+)", sql):
            assert int(offset) < lists.ANCHOR_EVERY, sql


# --- Indexes: each list query is served by its index, in order, with no sort ---------------------


def plan(query, index: str) -> str:
    """The plan of a queryset or (sql, params) when it must use `index`: whether the index alone
    filters and orders it.

    Test-sized tables make a scan of the table cheapest, so the planner is told to use the index
    (SQLite: INDEXED BY on the list's table, an error if the index cannot serve the query;
    PostgreSQL: no sequential or bitmap scans); the test then checks that no sort is needed.
    """
    raw = isinstance(query, tuple)
    sql, params = query if raw else query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            if raw:  # every read of the list (not the fingerprint's read of the hidden posts)
                listed = 'FROM "board_post" WHERE NOT "hidden"'
                assert listed in sql, sql
                sql = sql.replace(listed, listed.replace("WHERE", f"INDEXED BY {index} WHERE"))
            else:
                sql = sql.replace('FROM "board_post"', f'FROM "board_post" INDEXED BY {index}', 1)
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("scope_name", "index"),
    [("all", "post_listed"), ("section", "post_section_listed"), ("outlet", "post_outlet_listed")],
)
def test_list_queries_read_their_index_in_order(board, scope_name, index):
    scope = scope_named(scope_name)
    ascending = lists._ascending(scope).filter(number__gt=board[10].number)
    for queryset in (ascending.values("number")[3:8], ascending.values("number")):
        shown = plan(queryset, index)
        assert index in shown, shown
        assert "Sort" not in shown and "TEMP B-TREE" not in shown, shown
    # The newest-first read of feeds and page 1 uses the same index backwards.
    shown = plan(scope.posts[:20], index)
    assert index in shown and "Sort" not in shown and "TEMP B-TREE" not in shown, shown


@pytest.mark.parametrize(
    ("scope_name", "index"),
    [("all", "post_listed"), ("section", "post_section_listed"), ("outlet", "post_outlet_listed")],
)
def test_page_and_state_sql_read_their_index(board, scope_name, index):
    """The SQL a page runs (lists.state_sql, lists.numbers_sql) reads the list's index."""
    scope = scope_named(scope_name)
    low, high = board[10].number, board[40].number
    for query in (
        lists.numbers_sql(scope, 5, 3, after=low),
        lists.numbers_sql(scope, 5, 3, upto=high),
        lists.state_sql(scope, low, None),
        lists.state_sql(scope, low, (low, high)),
    ):
        shown = plan(query, index)
        assert index in shown, shown
        assert "Sort" not in shown and "TEMP B-TREE" not in shown, shown


def post_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"board_post"' in q["sql"]]


def test_a_list_page_reads_the_list_twice_and_its_rows_once(client, board, make_posts):
    """The state (with the fingerprint), the page's numbers, the rows: no query per row."""
    for post in board[40:]:  # rows of a story of two outlets show 외 N건
        post.story = Story.objects.create(
            headline="이슈",
            first_at=post.created_at,
            newest_at=post.created_at,
            posts_count=13,
            outlets_count=2,
        )
        post.save()
    for url in ("/", "/?page=3", "/board/economy", f"/{board[20].number}"):
        client.get(url)  # anchors made
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        expected = 4 if url[1:2].isdigit() else 3  # the article itself
        assert len(post_queries(queries)) == expected, post_queries(queries)
    assert "외 12건" in client.get("/").content.decode()


def test_hiding_a_post_is_seen_by_the_next_request(client, board):
    client.get("/")
    Post.objects.filter(number=board[-1].number).update(hidden=True)
    html = client.get("/").content.decode()
    assert f'href="/{board[-1].number}"' not in html
    assert f'href="/{board[-2].number}"' in html


def test_rows_read_by_sql_are_the_posts_as_the_orm_reads_them(board):
    story = Story.objects.create(
        headline="이슈",
        first_at=board[0].created_at,
        newest_at=board[0].created_at,
        posts_count=3,
        outlets_count=2,
    )
    Post.objects.filter(number__in=[p.number for p in board[:3]]).update(story=story)
    Post.objects.filter(number=board[4].number).update(published_at=None)
    Post.objects.filter(number=board[5].number).update(hidden=True)
    numbers = [p.number for p in board[:8]]
    rows = lists.rows(numbers)
    posts = list(Post.objects.visible().filter(number__in=numbers).order_by("-number"))
    assert len(rows) == len(posts) == 7
    for row, post in zip(rows, posts, strict=True):
        for name in ("number", "title", "section", "url", "outlet_id", "story_id"):
            assert getattr(row, name) == getattr(post, name), name
        assert row.when == post.when and row.when.utcoffset() is not None
        assert row.created_at == post.created_at and row.published_at == post.published_at
        assert row.outlet.name == post.outlet.name
        assert row.get_absolute_url() == post.get_absolute_url()
        if post.story_id:
            assert (row.story.pk, row.story.posts_count, row.story.outlets_count) == (
                story.pk,
                3,
                2,
            )


def test_page_one_reads_the_newest_posts_without_a_walk(board):
    scope = lists.scope_all()
    lists.get_page(scope, 1)
    with CaptureQueriesContext(connection) as queries:
        page = lists.get_page(scope, 1)
    assert [p.number for p in page.rows] == expected(scope)[0]
    (numbers,) = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "number"')
    ]
    assert "DESC" in numbers and numbers.endswith("OFFSET 0"), numbers
