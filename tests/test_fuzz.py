"""Fuzzing what readers type and send: no input gives a 5xx, and none is echoed unescaped.

Hypothesis draws search words, dates, page and post numbers (huge, negative, other scripts'
digits such as '١' and '²'), API parameters and story ids; a fixed tail of markup that must never
come back as markup is appended to every text it sends.
"""

import json
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsrank.search.backends import index_pending

MARK = '<b id="fuzz-mark">'  # must come back escaped, never as this markup
ESCAPED = "&lt;b id=&quot;fuzz-mark&quot;&gt;"

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a URL can carry (no lone surrogates: they cannot be encoded as UTF-8), long or short.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    [
        "",
        " ",
        "-",
        '"',
        "outlet:",
        '언론사:"',
        "-관세",
        '"반도체 수출',
        "NOT",
        "*",
        "%",
        "\\",
        "\x00",
    ]
)
noise = st.text(st.characters(blacklist_categories=("Cs",)), min_size=900, max_size=1200)
numbers = (
    st.integers(min_value=-(2**70), max_value=2**70).map(str)
    | st.sampled_from(
        ["١", "٢٣", "²", "①", "一", "1e9", "0x10", "+1", " 1", "1.5", "", "NaN", "-0"]
    )
    | st.text(string.digits, min_size=19, max_size=40)
)
dates = (
    st.sampled_from(["2026-11-28", "2026-02-30", "0001-01-01", "9999-12-31", "", "어제"]) | texts
)


@pytest.fixture
def site(db, settings, make_posts):
    settings.NEWSRANK_API_RATE_LIMIT = None  # the fuzzer is a client hammering the site
    make_posts(25, title="가람시 반도체 수출 지원 기사")
    index_pending()


def check(response, sent: list[str]):
    assert response.status_code < 500, (response.status_code, sent)
    body = response.content.decode("utf-8", "replace")
    assert MARK not in body, sent
    if response["Content-Type"].startswith("application/json"):
        json.loads(body)


@FUZZ
@given(q=texts | noise, start=dates, end=dates, title=texts, sort=texts, page=numbers)
@example(q="반도체" * 400, start="", end="", title="1", sort="date", page="١")
def test_search_page(client, site, q, start, end, title, sort, page):
    params = {"q": q + MARK, "from": start, "to": end, "title": title, "sort": sort, "page": page}
    check(client.get("/search", params), list(params.values()))


@FUZZ
@given(q=texts | noise, start=dates, end=dates, sort=texts, page=numbers)
def test_api_search(client, site, q, start, end, sort, page):
    params = {"q": q + MARK, "from": start, "to": end, "sort": sort, "page": page}
    check(client.get("/api/search", params), list(params.values()))


@FUZZ
@given(page=numbers, board=st.sampled_from(["b", "o", "page"]), value=texts | numbers)
def test_board_lists(client, site, page, board, value):
    for path in ("/", "/board/society", "/popular", "/ranking", "/issues", "/trending"):
        check(client.get(path, {"page": page, board: value + MARK}), [path, page, value])


@FUZZ
@given(number=numbers, board=texts | numbers)
def test_post_and_story_numbers(client, site, number, board):
    for path in ("/{}", "/story/{}", "/outlet/{}", "/api/posts/{}", "/api/stories/{}"):
        url = path.format(number.strip() or "0")
        check(client.get(url, {"b": board, "o": board}), [url, board])


@FUZZ
@given(page=numbers, extra=texts)
def test_api_lists(client, site, page, extra):
    for path in ("/api/posts", "/api/stories", "/api/popular", "/api/trending", "/api/health"):
        check(client.get(path, {"page": page, "q": extra + MARK}), [path, page, extra])


@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_search_echoes_the_query_escaped(client, site, path):
    response = client.get(path, {"q": "반도체 " + MARK})
    assert response.status_code == 200
    body = response.content.decode()
    assert MARK not in body
    if path == "/search":
        assert ESCAPED in body  # shown back to the reader, as text


@pytest.mark.parametrize("path", ["/api/posts", "/api/search"])
def test_api_page_in_superscript_digits_is_a_400(client, site, path):
    assert client.get(path, {"q": "반도체", "page": "²"}).status_code == 400


def test_search_from_the_year_one_is_not_a_5xx(client, site):
    assert client.get("/search", {"q": "반도체", "from": "0001-01-01"}).status_code == 200


def test_issues_page_past_64_bits_is_not_a_5xx(client, site):
    assert client.get("/issues", {"page": "9" * 19}).status_code == 200
