"""The search backends, run alike on SQLite (FTS5) and PostgreSQL (tsvector): set DATABASE_URL.

The posts are fictional headlines written for these tests.
"""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from newsrank.board.models import Post
from newsrank.search.backends import (
    MAX_PAGES,
    MESSAGE_NO_OUTLET,
    MESSAGE_NO_RESULTS,
    MESSAGE_PAST_END,
    MESSAGE_TOO_DEEP,
    get_backend,
    index_pending,
    index_post,
    reindex,
    reindex_stale,
    remove_post,
    search,
)
from newsrank.search.models import SearchEntry
from newsrank.search.query import parse_query
from newsrank.sources.models import Outlet

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)

# key: (title, body, hours ago[, outlet name])
POSTS = {
    "chip_title": (
        "인텔, AI반도체 신제품 공개",
        "인텔이 차세대 AI 반도체를 공개했다. 업계는 HBM3E 수요가 늘 것으로 본다.",
        2,
    ),
    "chip_body": (
        "반도체 업계 3분기 동향",
        "여러 기업 가운데 인텔과의 협력을 발표한 곳도 있었다. 시장은 관망세다.",
        2,
    ),
    "chip_old": (
        "인텔 신제품 공개 한 달…판매 순조",
        "인텔의 AI 반도체가 출시 한 달을 맞았다.",
        24 * 30,
    ),
    "export_phrase": ("반도체 수출 지원에 32조원", "정부가 반도체 수출 지원 방안을 발표했다.", 5),
    "export_apart": ("수출 기업 지원 대책", "반도체 기업과 수출 물류 문제를 함께 논의했다.", 5),
    "tariff": (
        "美 반도체 관세 협상",
        "미국 정부가 반도체 관세를 예고했다. 정부는 협상 여지가 있다고 밝혔다.",
        6,
    ),
    "hynix": (
        "SK하이닉스, HBM3E 12단 양산",
        "SK하이닉스가 5세대 고대역폭메모리 HBM3E 양산에 들어갔다.",
        7,
    ),
    "hbm4": ("신형 HBM4E 공개…3분기 출시", "새 메모리는 HBM4E 규격의 6세대 제품이다.", 7),
    "medical": (
        "의대 증원 2천명 확정",
        "정부가 의대 정원 증원 규모를 확정했다. 의료계는 반발했다.",
        8,
    ),
    "blossom": ("여의도 벚꽃 축제 개막", "벚꽃이 활짝 핀 여의도에 상춘객이 몰렸다.", 9),
    "politics": (
        "與 野 원내대표 회동…예산안 합의 불발",
        "여당과 야당 원내대표가 만났지만 합의하지 못했다.",
        10,
    ),
    "japan": ("日 규슈 해역서 규모 5.1 지진", "일본 기상청은 쓰나미 우려가 없다고 밝혔다.", 11),
    "storm_old": ("태풍 '누리' 남해안 상륙", "태풍이 남해안에 상륙해 피해가 잇따랐다.", 30),
    "storm_new": ("태풍 '누리' 남해안 상륙", "태풍이 남해안에 상륙해 피해가 잇따랐다.", 3),
    "script": (
        "<script>alert(1)</script> 보안 패치",
        "브라우저 보안 패치가 나왔다 <b>굵게</b>.",
        12,
    ),
    "rival": ("인텔 실적 발표", "인텔의 분기 실적이 공개됐다.", 4, "누리경제"),
    "league": ("프로야구 개막전 매진", "올해 프로야구 개막전 전 경기가 매진됐다.", 13),
    "weather": ("내일 전국 흐리고 비", "기상청은 내일 전국에 비가 온다고 예보했다.", 14),
}


@pytest.fixture
def corpus(outlet):
    other = Outlet.objects.create(name="누리경제", homepage="https://nuri.example/")
    posts = {}
    for key, (title, body, hours, *outlet_name) in POSTS.items():
        posts[key] = Post.objects.create(
            outlet=other if outlet_name else outlet,
            url=f"https://example.com/{key}",
            title=title,
            body_text=body,
            published_at=NOW - timedelta(hours=hours),
        )
        index_post(posts[key])
    return posts


def found(query, **params):
    result = search(parse_query(query, **params), now=NOW)
    return [post.number for post in result.posts]


def keys(corpus, query, **params):
    by_number = {post.number: key for key, post in corpus.items()}
    return [by_number[number] for number in found(query, **params)]


# --- Korean morphology through the index --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("인텔과", {"chip_title", "chip_body", "chip_old", "rival"}),
        ("인텔의", {"chip_title", "chip_body", "chip_old", "rival"}),
        ("증원", {"medical"}),
        ("의대", {"medical"}),
        ("벚꽃", {"blossom"}),
        ("AI반도체", {"chip_title", "chip_old"}),
        ("AI 반도체", {"chip_title", "chip_old"}),
        ("hbm3e", {"hynix", "chip_title"}),
        ("HBM3E", {"hynix", "chip_title"}),
        ("sk하이닉스", {"hynix"}),
        ("5세대", {"hynix"}),
        ("미국 관세", {"tariff"}),
        ("美", {"tariff"}),
        ("여당", {"politics"}),
        ("일본 지진", {"japan"}),
        ("반도체 수출", {"export_phrase", "export_apart"}),
        ('"반도체 수출"', {"export_phrase"}),
        ("반도체 -관세", {"chip_title", "chip_body", "chip_old", "export_phrase", "export_apart"}),
        (
            '반도체 -"반도체 수출"',
            {"chip_title", "chip_body", "chip_old", "export_apart", "tariff"},
        ),
    ],
)
def test_finds_what_the_reader_means(corpus, query, expected):
    assert set(keys(corpus, query)) == expected


def test_title_match_ranks_above_body_match(corpus):
    ranked = keys(corpus, "인텔")
    assert ranked.index("chip_title") < ranked.index("chip_body")
    assert ranked.index("rival") < ranked.index("chip_body")


def test_newer_post_ranks_first_when_text_is_the_same(corpus):
    assert keys(corpus, "태풍 상륙") == ["storm_new", "storm_old"]


def test_exact_words_rank_first(corpus):
    assert keys(corpus, "반도체 수출 지원")[0] == "export_phrase"


def test_sort_by_date_is_newest_post_first(corpus):
    numbers = found("인텔", sort="date")
    assert numbers == sorted(numbers, reverse=True) and len(numbers) == 4


def test_outlet_filter_keeps_the_relevance_order(corpus):
    ranked = keys(corpus, "인텔 outlet:가람일보")
    assert set(ranked) == {"chip_title", "chip_body", "chip_old"}
    assert ranked.index("chip_title") < ranked.index("chip_body")


def as_written_by(version, *lexemes, untag=False):
    """The entries as `version` of the analyzer wrote them: on PostgreSQL without the document's
    lexemes LIKE `lexemes`, and if `untag` without their outlets' tags on SQLite too."""
    from django.db import connection

    SearchEntry.objects.update(analyzer=version)
    if untag:
        for entry in SearchEntry.objects.all():
            body_extra = " ".join(t for t in entry.body_extra.split() if not t.startswith("-o"))
            SearchEntry.objects.filter(pk=entry.pk).update(body_extra=body_extra)
    if connection.vendor == "postgresql":
        like = " OR ".join(["lexeme LIKE %s"] * len(lexemes))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_entry SET document = ts_delete(document, ARRAY(SELECT lexeme"
                f" FROM unnest(document) WHERE {like}))",
                list(lexemes),
            )


def untag_entries(version):
    """The entries as `version` wrote them, without their outlets' tags (and wide blocks)."""
    as_written_by(version, "-o%", "~w%", untag=True)


def test_outlet_filter_works_before_and_after_the_entries_hold_outlet_tags(corpus):
    from newsrank.search.analyzer import ANALYZER_VERSION
    from newsrank.search.backends import TAGGED_SINCE

    untag_entries(TAGGED_SINCE - 1)  # written before the tags: the posts say the outlet
    assert keys(corpus, "인텔 outlet:누리경제") == ["rival"]
    assert reindex_stale() == len(corpus)
    assert keys(corpus, "인텔 outlet:누리경제") == ["rival"]
    # The index applies the filter, by the tags: an entry of this version without one is missed.
    untag_entries(ANALYZER_VERSION)
    assert keys(corpus, "인텔 outlet:누리경제") == []
    assert len(keys(corpus, "인텔")) == 4


def unpair_entries(version):
    """The entries as `version` wrote them, without their pairs of terms."""
    as_written_by(version, "% %")


def test_phrases_are_found_before_and_after_the_entries_hold_pairs_of_terms(corpus):
    from django.db import connection

    from newsrank.search.analyzer import ANALYZER_VERSION
    from newsrank.search.backends import PAIRED_SINCE

    phrases = {'"반도체 수출"': ["export_phrase"], '"반도체 수출 지원"': ["export_phrase"]}
    unpair_entries(PAIRED_SINCE - 1)  # written before the pairs: the positions say the order
    assert {phrase: keys(corpus, phrase) for phrase in phrases} == phrases
    assert reindex_stale() == len(corpus)
    assert {phrase: keys(corpus, phrase) for phrase in phrases} == phrases
    assert keys(corpus, '"수출 반도체"') == []
    # On PostgreSQL the index finds a phrase by its pairs: a current entry without them is missed.
    unpair_entries(ANALYZER_VERSION)
    if connection.vendor == "postgresql":
        assert keys(corpus, '"반도체 수출"') == []
        assert keys(corpus, '"반도체 수출"', title_only=True) == ["export_phrase"]  # by position
    assert set(keys(corpus, "반도체 수출")) == {"export_phrase", "export_apart"}


def test_title_only(corpus):
    assert set(keys(corpus, "인텔", title_only=True)) == {"chip_title", "chip_old", "rival"}
    assert keys(corpus, "협력", title_only=True) == []
    assert keys(corpus, '"반도체 수출"', title_only=True) == ["export_phrase"]


def test_outlet_filter(corpus):
    assert keys(corpus, "인텔 outlet:누리경제") == ["rival"]
    assert "rival" not in keys(corpus, "인텔 outlet:가람일보")
    result = search("인텔 outlet:없는신문")
    assert result.posts == [] and MESSAGE_NO_OUTLET.format(name="없는신문") in result.message


def test_date_filter(corpus):
    today = NOW.date()
    recent = keys(corpus, "인텔", date_from=(today - timedelta(days=3)).isoformat())
    assert "chip_old" not in recent and "chip_title" in recent
    old = keys(corpus, "인텔", date_to=(today - timedelta(days=20)).isoformat())
    assert old == ["chip_old"]


def test_highlights_are_escaped_with_marks(corpus):
    result = search("보안 패치", now=NOW)
    (post,) = result.posts
    marked = result.highlights[post.number]
    assert (
        marked.title == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>보안</mark> <mark>패치</mark>"
    )
    assert "&lt;b&gt;" in marked.snippet and "<b>" not in marked.snippet
    assert "<mark>패치</mark>" in marked.snippet


def test_highlights_mark_hanja_for_its_word(corpus):
    result = search("미국", now=NOW)
    assert result.highlights[result.posts[0].number].title.startswith("<mark>美</mark>")


def test_highlights_mark_a_quoted_phrase_and_not_its_lone_terms(corpus):
    result = search('"기업 지원" 수출', now=NOW)
    (post,) = result.posts
    marked = result.highlights[post.number]
    assert marked.title == "<mark>수출</mark> <mark>기업 지원</mark> 대책"
    assert marked.snippet == "반도체 기업과 <mark>수출</mark> 물류 문제를 함께 논의했다."


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "에서는", "은 는 이 가", "😀", "!!!", "~" * 1000, "-인텔", "ㅋㅋㅋ", "outlet:가람일보"],
)
def test_nothing_to_search_gives_an_empty_result_and_a_message(corpus, query):
    result = search(query)
    assert result.posts == [] and result.total == 0 and result.message


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(인텔 반도체)",
        "인텔 OR 반도체",
        "인텔 AND NOT",
        "인텔*",
        "^인텔",
        "title:인텔",
        "인텔')--",
        "인텔 & !반도체 | <->",
        "\\인텔\\",
        '"""인텔',
        "가" * 1000,
        "가나다라 " * 200,
        "\x00인텔\u200b",
    ],
)
def test_query_syntax_of_the_engines_is_just_text(corpus, query):
    result = search(query)  # never raises, whatever FTS5 or tsquery would make of it
    assert isinstance(result.posts, list)


def test_a_query_matching_nothing_says_so(corpus):
    result = search("존재하지않는낱말")
    assert result.posts == [] and MESSAGE_NO_RESULTS in result.message


# --- Pages ----------------------------------------------------------------------------------------


def test_pages_of_results(make_posts, monkeypatch):
    from newsrank.search import backends

    for post in make_posts(45):
        index_post(post)
    first, last = search("가상 기사", page=1), search("가상 기사", page=3)
    assert first.total == 45 and first.pages == 3 and first.has_next
    assert len(first.posts) == 20 and len(last.posts) == 5 and not last.has_next
    assert not {p.number for p in first.posts} & {p.number for p in last.posts}
    deep = search("가상 기사", page=MAX_PAGES + 1)  # the results end before page 50
    assert deep.posts == [] and deep.total == 45
    assert deep.message == MESSAGE_PAST_END.format(pages=3)
    past = search("가상 기사", page=4)  # within MAX_PAGES, past the last page
    assert past.posts == [] and past.total == 45
    assert past.message == MESSAGE_PAST_END.format(pages=3)
    assert last.message == ""
    monkeypatch.setattr(backends, "MAX_PAGES", 2)  # where the results go on past the last page
    deeper = search("가상 기사", page=3)
    assert deeper.posts == [] and deeper.total == 45 and deeper.message == MESSAGE_TOO_DEEP


# --- The index follows the posts ------------------------------------------------------------------


def test_a_new_post_is_searchable_once_indexed(make_posts):
    (post,) = make_posts(1, title="청년주거안정특별법 국회 통과")
    assert found("청년 주거") == []
    index_post(post)
    assert found("청년 주거") == [post.number]


def test_an_updated_post_is_found_by_its_new_words_only(make_posts):
    (post,) = make_posts(1, title="태풍 북상")
    index_post(post)
    post.title = "지진 발생"
    post.save()
    index_post(post)
    assert found("지진") == [post.number] and found("태풍") == []


def test_a_hidden_post_is_never_returned(make_posts):
    (post,) = make_posts(1, title="숨길 기사 제목")
    index_post(post)
    Post.objects.filter(pk=post.pk).update(hidden=True)  # hidden, index not yet told
    assert found("숨길 기사") == []
    post.hidden = True
    index_post(post)
    assert not SearchEntry.objects.filter(pk=post.pk).exists()
    post.hidden = False
    post.save()
    index_post(post)
    assert found("숨길 기사") == [post.number]


def test_posts_of_a_blocked_outlet_are_not_returned(make_posts, outlet):
    (post,) = make_posts(1, title="차단 언론사 기사")
    index_post(post)
    Outlet.objects.filter(pk=outlet.pk).update(blocked=True)
    assert found("차단 언론사") == []


def test_removed_and_deleted_posts_leave_the_index(make_posts):
    first, second = make_posts(2, title="지워질 기사")
    index_post(first)
    index_post(second)
    remove_post(first.number)
    remove_post(first.number)  # twice is fine
    assert found("지워질 기사") == [second.number]
    second.delete()
    assert found("지워질 기사") == [] and SearchEntry.objects.count() == 0


def test_pending_posts_are_indexed_and_one_changed_while_analyzed_stays_pending(
    make_posts, monkeypatch
):
    from newsrank.search import backends

    kept, hidden, changed = make_posts(3, title="대기 중인 기사")
    index_post(hidden)
    Post.objects.filter(pk=hidden.pk).update(hidden=True)
    analyze = backends.entry_fields

    def edit_while_analyzing(post):
        if post.pk == changed.pk:
            Post.objects.filter(pk=post.pk).update(title="태풍 북상 소식")
        return analyze(post)

    monkeypatch.setattr(backends, "entry_fields", edit_while_analyzing)
    assert index_pending() == 3
    assert list(Post.objects.filter(search_pending=True)) == [changed]
    assert sorted(found("대기 중인 기사")) == [kept.number, changed.number]
    assert not SearchEntry.objects.filter(pk=hidden.pk).exists()
    monkeypatch.undo()
    assert index_pending() == 1 and index_pending() == 0
    assert found("태풍 북상") == [changed.number] and found("대기 중인 기사") == [kept.number]


def test_reindex_rebuilds_everything_with_progress(make_posts):
    posts = make_posts(7, title="다시 색인할 기사")
    Post.objects.filter(pk=posts[0].pk).update(hidden=True)
    index_post(posts[0])  # stale: indexed while visible
    seen = []
    assert reindex(progress=lambda done, total: seen.append((done, total)), batch_size=3) == 6
    assert seen == [(3, 7), (6, 7), (7, 7)]
    assert sorted(found("다시 색인")) == sorted(p.number for p in posts[1:])
    assert SearchEntry.objects.count() == 6


def test_entries_of_an_older_analyzer_are_reindexed_newest_first_a_batch_at_a_time(make_posts):
    from django.db import connection

    from newsrank.ingest.crawler import follow_posts
    from newsrank.search.analyzer import ANALYZER_VERSION

    posts = make_posts(5, title="국민 3명中 1명 찬성")
    # As an analyzer before version 3 wrote them: 中 after a counter read as the country.
    old_terms = {"title": "국민 3 명 중국 1 명 찬성", "title_extra": "3명중국 1명"}
    with connection.cursor() as cursor:
        for post in posts:
            get_backend().write(
                cursor, post.number, post.outlet_id, old_terms | {"body": "", "body_extra": ""}
            )
    SearchEntry.objects.update(analyzer=2)
    assert set(found("중국")) == {p.number for p in posts}

    assert reindex_stale(limit=2) == 2
    current = SearchEntry.objects.filter(analyzer=ANALYZER_VERSION)
    assert set(current.values_list("post_id", flat=True)) == {p.number for p in posts[-2:]}
    assert set(found("중국")) == {p.number for p in posts[:3]}

    follow_posts()  # the crawler's round takes the rest
    assert not SearchEntry.objects.filter(analyzer__lt=ANALYZER_VERSION).exists()
    assert found("중국") == [] and len(found("3명중")) == 5
    assert reindex_stale() == 0


def test_backend_matches_the_database():
    from django.db import connection

    assert get_backend().vendor == connection.vendor


def test_a_search_reads_its_candidates_from_an_index_not_from_the_posts_rows():
    """SQLite: post_search serves the candidates (board migration 0006); PostgreSQL: it serves a
    window's check of each match against its post (board migration 0007), and a document is kept
    in its row (search migration 0006), where a recheck or a rank reads it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(  # INDEXED BY fails if the index cannot serve the join
                "EXPLAIN QUERY PLAN SELECT f.rowid, p.published_at FROM search_fts f"
                " JOIN board_post p INDEXED BY post_search ON p.number = f.rowid"
                " WHERE search_fts MATCH 'x' AND NOT p.hidden"
            )
            assert "USING INDEX post_search" in " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute(
                "SELECT attstorage FROM pg_attribute"
                " WHERE attrelid = 'search_entry'::regclass AND attname = 'document'"
            )
            assert cursor.fetchone()[0] == "m"
            cursor.execute("SET LOCAL enable_seqscan = off")  # as search_window does
            cursor.execute(  # search_window's check of a match against its post (0009's LATERAL)
                "EXPLAIN SELECT extract(epoch FROM coalesce(p.published_at, p.created_at))"
                " FROM board_post p WHERE p.number = 7 AND NOT p.hidden"
                " AND p.outlet_id <> ALL (ARRAY[3]) AND p.published_at >= now()"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using post_search" in plan


def test_a_window_asks_for_the_pages_of_its_matches_ahead():
    """PostgreSQL (search migration 0010), where the platform can (posix_fadvise)."""
    from django.db import DataError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads its own pages")
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL effective_io_concurrency = 2")
        except DataError:
            pytest.skip("this PostgreSQL cannot ask for pages ahead")
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'search_window'")
        assert "effective_io_concurrency=64" in cursor.fetchone()[0]


def test_a_document_that_fits_in_its_row_is_kept_there_uncompressed(outlet):
    """PostgreSQL (search migration 0011): ranking reads it without decompressing it; a row too
    big for a page sends its text columns away first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no document")
    words = [
        "가람시",
        "나래교",
        "다솜역",
        "미리내",
        "별무리",
        "새벽길",
        "여울목",
        "온누리",
        "으뜸상",
        "하늬바람",
    ]
    sentence = " ".join(f"{word}에서 {place}까지" for word, place in itertools.pairwise(words))
    numbers = []
    for repeats in (10, 60):  # a row that fits in a page; one that does not
        post = Post.objects.create(
            outlet=outlet, url=f"https://example.com/long{repeats}", title="가람시 새 다리",
            body_text=" ".join([sentence] * repeats), published_at=NOW,
        )  # fmt: skip
        index_post(post)
        numbers.append(post.number)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(document), pg_column_compression(document),"
            " pg_column_compression(body) FROM search_entry WHERE post_id = ANY(%s)"
            " ORDER BY post_id",
            [numbers],
        )
        (fits, document, _), (big, big_document, body) = cursor.fetchall()
    assert fits > 1_000 and big > 1_000  # 128 bytes or more was compressed before
    assert document is None and big_document is None
    assert body is not None  # compressed, to make room for the document


# --- Bounded work on a big index ------------------------------------------------------------------


@pytest.fixture
def small_bounds(monkeypatch):
    """Bounds as on a million posts, scaled down: 5 candidates, blocks of 3 posts and wide
    blocks of 2 on PostgreSQL."""
    from newsrank.search import backends

    monkeypatch.setattr(backends, "CANDIDATES", 5)
    monkeypatch.setattr(backends.PostgresBackend, "BLOCK", 3)
    monkeypatch.setattr(backends.PostgresBackend, "WIDE", 2)
    monkeypatch.setattr(backends.PostgresBackend, "FIRST_WINDOW", 1)


def test_a_window_asks_for_whole_wide_blocks_as_one_lexeme():
    from newsrank.search.backends import PostgresBackend

    newest = 31 * PostgresBackend.BLOCK + 5  # in block 31: wide block 3 holds nothing newer
    assert PostgresBackend._window_lexemes(7, 31, newest, wide=True) == [
        "'~b7'", "'~b8'", "'~b9'", "'~w1'", "'~w2'", "'~w3'",
    ]  # fmt: skip
    assert PostgresBackend._window_lexemes(9, 11, newest, wide=False) == [
        "'~b9'", "'~b10'", "'~b11'",
    ]  # fmt: skip
    # Below a window of the newest blocks: a wide block may reach into it by FIRST_WINDOW blocks
    newest = 99 * PostgresBackend.BLOCK
    assert PostgresBackend._window_lexemes(20, 37, newest, wide=True) == ["'~w2'", "'~w3'"]
    assert PostgresBackend._window_lexemes(20, 35, newest, wide=True) == [
        "'~w2'", "'~b30'", "'~b31'", "'~b32'", "'~b33'", "'~b34'", "'~b35'",
    ]  # fmt: skip
    # An outlet filter's window: the same blocks, as the outlet's
    assert PostgresBackend._window_lexemes(20, 35, newest, wide=True, outlet_id=12) == [
        "'-o12~w2'", "'-o12~b30'", "'-o12~b31'", "'-o12~b32'", "'-o12~b33'", "'-o12~b34'",
        "'-o12~b35'",
    ]  # fmt: skip


def test_a_document_holds_its_blocks_also_as_its_outlets():
    from newsrank.search.backends import PostgresBackend

    number = 123 * PostgresBackend.BLOCK + 7  # block 123, wide block 12
    assert PostgresBackend.filter_lexemes(number, 5) == [
        "'~b123'", "'~w12'", "'-o5'", "'-o5~b123'", "'-o5~w12'",
    ]  # fmt: skip
    assert PostgresBackend.filter_lexemes(number, None) == ["'~b123'", "'~w12'"]


@pytest.mark.parametrize("params", [{}, {"title_only": True}, {"sort": "date"}])
def test_an_outlet_filter_asks_for_the_outlets_blocks_once_every_entry_holds_them(
    small_bounds, make_posts, params
):
    """Posts of two outlets over several blocks: the filter finds the outlet's newest matches
    by its tag before the entries hold the outlet's blocks, and by those blocks after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsrank.search.backends import OUTLET_BLOCKS_SINCE

    other = Outlet.objects.create(name="누리경제", homepage="https://nuri.example/")
    posts = [make_posts(1, **({"outlet": other} if i % 3 else {}))[0] for i in range(14)]
    for post in posts:
        index_post(post)
    theirs = sorted(post.number for post in posts if post.outlet_id == other.pk)
    # By date every match in its order (MAX_COUNT is not scaled down), else the 5 newest ranked
    expected = theirs[::-1] if params.get("sort") == "date" else set(theirs[-5:])

    def search_theirs():
        with CaptureQueriesContext(connection) as queries:
            numbers = found("가상 기사 outlet:누리경제", **params)
        scoped = any(f"-o{other.pk}~" in query["sql"] for query in queries.captured_queries)
        return (numbers if isinstance(expected, list) else set(numbers)), scoped

    as_written_by(OUTLET_BLOCKS_SINCE - 1, "-o%~%")  # written before the outlet's blocks
    assert search_theirs() == (expected, False)
    assert reindex_stale() == len(posts)
    assert search_theirs() == (expected, connection.vendor == "postgresql")


def test_each_window_lies_below_the_last_and_is_as_wide_as_the_rate_of_matches_says():
    from newsrank.search.backends import PostgresBackend

    backend, block = PostgresBackend(), PostgresBackend.BLOCK
    newest = 99 * block + 4_999

    def window(high, found, floor=0):
        return backend._next_window(high, newest, floor, found, 1_000, lambda: True)

    assert window(newest + 1, 0) == (98 * block, ["'~b98'", "'~b99'"])  # the first
    # 250 of 1,000 in the newest 15,000 posts: the other 750 in 45,000 more, and half again
    low, lexemes = window(98 * block, 250)
    assert low == 90 * block and lexemes == ["'~w9'"]  # 7 blocks, from a wide one's first
    assert window(90 * block, 0) == (50 * block, ["'~w5'", "'~w6'", "'~w7'", "'~w8'"])
    assert window(90 * block, 999) == (89 * block, ["'~b89'"])
    # Down to the first post the filters allow; from the first post, no blocks at all
    assert window(90 * block, 1, floor=45 * block + 7) == (
        45 * block + 7, ["'~b45'", "'~b46'", "'~b47'", "'~b48'", "'~b49'", "'~w5'", "'~w6'",
                         "'~w7'", "'~w8'"],
    )  # fmt: skip
    assert window(90 * block, 1) == (0, [])


def test_an_old_post_is_found_beyond_the_newest_blocks_before_entries_hold_wide_blocks(
    small_bounds, make_posts
):
    from newsrank.search.backends import TAGGED_SINCE

    (old,) = make_posts(1, title="가상 기사 유일한 단어 꽃샘추위")
    posts = make_posts(12)
    for post in [old, *posts]:
        index_post(post)
    untag_entries(TAGGED_SINCE - 1)
    assert found("꽃샘추위") == [old.number]
    assert set(found("가상 기사")) == {post.number for post in posts[-5:]}


def test_relevance_ranks_the_newest_matches_and_says_the_count_is_a_bound(small_bounds, make_posts):
    posts = make_posts(14)
    for post in posts:
        index_post(post)
    result = search("가상 기사")
    newest = {post.number for post in posts[-5:]}
    assert {post.number for post in result.posts} == newest
    assert result.total == 5 and not result.total_is_exact


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_of_a_search_over_several_windows_are_its_order_cut_in_pieces(
    small_bounds, make_posts, sort
):
    """Each window returns only its best down to the page asked for (PostgreSQL, migration
    0012): the pages must still be one order, without gaps or repeats."""
    better = {"title": "가상 기사 가상 기사 제목"}  # ranked above the others
    posts = make_posts(9) + make_posts(1, **better) + make_posts(1)
    posts += make_posts(1, **better) + make_posts(2)
    for post in posts:
        index_post(post)
    query = parse_query("가상 기사", sort=sort)
    whole = [post.number for post in search(query, page_size=6, now=NOW).posts]
    pieces = [post.number for page in (1, 2, 3) for post in search(query, page, 2, now=NOW).posts]
    assert whole == pieces
    if sort == "date":
        assert whole == [post.number for post in reversed(posts[-6:])]
    else:  # the candidates are the newest five: the two better ones first, then the newest
        assert set(whole[:2]) == {posts[9].number, posts[11].number}
        assert whole[2:] == [posts[13].number, posts[12].number, posts[10].number]


def test_an_old_post_is_found_beyond_the_newest_blocks(small_bounds, make_posts):
    (old,) = make_posts(1, title="가상 기사 유일한 단어 꽃샘추위")
    for post in [old, *make_posts(12)]:
        index_post(post)
    result = search("꽃샘추위")
    assert [post.number for post in result.posts] == [old.number]
    assert result.total == 1 and result.total_is_exact
    by_date = search("가상 기사", page=1)
    assert old.number not in {post.number for post in by_date.posts}


def test_hidden_posts_among_the_newest_do_not_shorten_the_candidates(small_bounds, make_posts):
    posts = make_posts(14)
    for post in posts:
        index_post(post)
    # Hidden after indexing (the crawler has not re-indexed them yet): the query must skip them.
    Post.objects.filter(number__in=[post.number for post in posts[-2:]]).update(hidden=True)
    result = search("가상 기사")
    assert {post.number for post in result.posts} == {post.number for post in posts[-7:-2]}
    assert result.total == 5


def test_an_outlets_old_post_is_found_beyond_the_newest_blocks(small_bounds, make_posts):
    other = Outlet.objects.create(name="누리경제", homepage="https://nuri.example/")
    (old,) = make_posts(1, outlet=other)
    for post in [old, *make_posts(12)]:
        index_post(post)
    result = search("가상 기사 outlet:누리경제")
    assert [post.number for post in result.posts] == [old.number]
    assert result.total == 1 and result.total_is_exact


def test_a_date_range_searches_the_posts_stored_since_its_first_day(small_bounds, make_posts):
    posts = make_posts(12)
    for post in posts:
        index_post(post)
    long_ago = NOW - timedelta(days=40)
    Post.objects.filter(number__in=[post.number for post in posts[:6]]).update(
        created_at=long_ago, published_at=long_ago
    )
    since = (NOW - timedelta(days=10)).date().isoformat()
    recent = {post.number for post in posts[6:]}
    assert set(found("가상 기사", date_from=since)) <= recent
    assert len(found("가상 기사", date_from=since)) == 5  # the newest candidates, all recent
    assert set(found("가상 기사", date_from=since, sort="date")) == recent
    before = (NOW - timedelta(days=30)).date().isoformat()
    assert set(found("가상 기사", date_to=before, sort="date")) == {p.number for p in posts[:6]}


def test_first_stored_since_in_one_query_agrees_with_the_binary_search_in_python(make_posts):
    from newsrank.search.backends import _first_stored_since

    posts = make_posts(9)
    for days, post in zip(range(9, 0, -1), posts, strict=True):
        Post.objects.filter(pk=post.pk).update(created_at=NOW - timedelta(days=days))
    for days in (20, 9, 5, 4.5, 1):
        moment = NOW - timedelta(days=days)
        assert _first_stored_since(moment) == Post.objects.first_stored_since(moment)
    assert _first_stored_since(NOW - timedelta(days=0.5)) > posts[-1].number  # none since
