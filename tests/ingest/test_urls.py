import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsrank.ingest.urls import TRACKING_PARAMS, TRACKING_PREFIXES, canonical_url, is_http_url

CANONICAL = [
    # (input, base, expected)
    ("https://news.example/a", None, "https://news.example/a"),
    ("HTTPS://News.EXAMPLE/Article/1", None, "https://news.example/Article/1"),
    ("  https://news.example/a\n ", None, "https://news.example/a"),
    (
        "https://news.example/news/\r\n\tarticleView.html",
        None,
        "https://news.example/news/articleView.html",
    ),
    ("https://news.example/a b", None, "https://news.example/a%20b"),
    ("http://news.example:80/a", None, "http://news.example/a"),
    ("https://news.example:443/a", None, "https://news.example/a"),
    ("https://news.example:8443/a", None, "https://news.example:8443/a"),
    ("http://news.example:443/a", None, "http://news.example:443/a"),
    ("https://news.example", None, "https://news.example/"),
    ("https://news.example?page=2", None, "https://news.example/?page=2"),
    ("https://news.example/a#comments", None, "https://news.example/a"),
    ("https://news.example/a?", None, "https://news.example/a"),
    ("https://news.example/a/./b/../c", None, "https://news.example/a/c"),
    ("https://news.example/a/b/..", None, "https://news.example/a/"),
    ("https://[2001:DB8::1]:443/a", None, "https://[2001:db8::1]/a"),
    ("https://user@news.example/a", None, "https://user@news.example/a"),
    # Korean CMS parameters stay, in their order
    (
        "https://www.news.example/news/articleView.html?idxno=123",
        None,
        "https://www.news.example/news/articleView.html?idxno=123",
    ),
    (
        "https://news.example/read.php?sid=102&oid=001&aid=0014",
        None,
        "https://news.example/read.php?sid=102&oid=001&aid=0014",
    ),
    # tracking parameters go, wherever they stand
    (
        "https://news.example/view?utm_source=naver&idxno=7&utm_medium=rss",
        None,
        "https://news.example/view?idxno=7",
    ),
    (
        "https://news.example/a?fbclid=IwAR0x&gclid=abc&UTM_Campaign=x",
        None,
        "https://news.example/a",
    ),
    ("https://news.example/a?mtm_campaign=x&b=2&igshid=9", None, "https://news.example/a?b=2"),
    (
        "https://news.example/a?_ga=2.1&mc_cid=1&mc_eid=2&msclkid=3&yclid=4",
        None,
        "https://news.example/a",
    ),
    # generic names that Korean sites use for content are kept
    (
        "https://news.example/a?ref=main&from=rss&type=1",
        None,
        "https://news.example/a?ref=main&from=rss&type=1",
    ),
    ("https://news.example/a?x=1&&y=2", None, "https://news.example/a?x=1&y=2"),
    ("https://news.example/a?flag", None, "https://news.example/a?flag"),
    # Hangul and its percent-encoded form become one string
    (
        "https://news.example/뉴스/기사",
        None,
        "https://news.example/%EB%89%B4%EC%8A%A4/%EA%B8%B0%EC%82%AC",
    ),
    (
        "https://news.example/%eb%89%b4%ec%8a%a4/%EA%B8%B0%EC%82%AC",
        None,
        "https://news.example/%EB%89%B4%EC%8A%A4/%EA%B8%B0%EC%82%AC",
    ),
    (
        "https://news.example/search?q=한국 경제",
        None,
        "https://news.example/search?q=%ED%95%9C%EA%B5%AD%20%EA%B2%BD%EC%A0%9C",
    ),
    # an EUC-KR escape (한 = C7D1) is not UTF-8: kept byte for byte
    ("https://news.example/search?q=%c7%d1", None, "https://news.example/search?q=%C7%D1"),
    ("https://news.example/%7Euser/%41", None, "https://news.example/~user/A"),
    ("https://news.example/100%", None, "https://news.example/100%25"),
    ("https://news.example/a%2Fb", None, "https://news.example/a%2Fb"),
    ("https://한국.kr/뉴스", None, "https://xn--3e0b707e.kr/%EB%89%B4%EC%8A%A4"),
    ("https://xn--3e0b707e.kr/", None, "https://xn--3e0b707e.kr/"),
    # relative URLs against a base
    (
        "/news/articleView.html?idxno=5",
        "https://news.example/rss/all.xml",
        "https://news.example/news/articleView.html?idxno=5",
    ),
    (
        "articleView.html?idxno=5#top",
        "https://news.example/news/list.html",
        "https://news.example/news/articleView.html?idxno=5",
    ),
    ("../a", "https://news.example/x/y/z", "https://news.example/x/a"),
    ("//cdn.news.example/a", "https://news.example/", "https://cdn.news.example/a"),
    ("https://other.example/a", "https://news.example/", "https://other.example/a"),
]


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL)
def test_canonical_url(url, base, expected):
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL)
def test_canonical_url_is_idempotent(url, base, expected):
    assert canonical_url(expected) == expected


def test_nfd_hangul_url_equals_nfc_url():
    nfc = "https://news.example/기사?q=뉴스"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert canonical_url(nfd) == canonical_url(nfc)


REJECTED = [
    ("javascript:alert(1)", None, "only http and https"),
    ("mailto:desk@news.example", None, "only http and https"),
    ("ftp://news.example/a", None, "only http and https"),
    ("data:text/html,<b>x</b>", None, "only http and https"),
    ("javascript:alert(1)", "https://news.example/", "only http and https"),
    ("/news/1", None, "relative URL"),
    ("news.example/a", None, "relative URL"),
    ("", None, "empty URL"),
    ("   ", None, "empty URL"),
    ("http:///a", None, "no host"),
    ("https://news.example:99999/", None, "invalid port"),
    ("https://news.example:http/", None, "invalid port"),
    ("https://bad host.example/", None, "invalid host"),
]


@pytest.mark.parametrize(("url", "base", "message"), REJECTED)
def test_rejects_url_with_clear_message(url, base, message):
    with pytest.raises(ValueError, match=message):
        canonical_url(url, base)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a", True),
        ("HTTP://news.example", True),
        ("javascript:alert(1)", False),
        ("/relative", False),
        ("", False),
    ],
)
def test_is_http_url(url, expected):
    assert is_http_url(url) is expected


def test_tracking_params_table_is_sorted_lowercase_and_unique():
    assert list(TRACKING_PARAMS) == sorted(set(TRACKING_PARAMS))
    assert all(name == name.lower() for name in TRACKING_PARAMS)
    assert list(TRACKING_PREFIXES) == sorted(TRACKING_PREFIXES)


def test_keeps_parameter_order_and_duplicates():
    url = "https://news.example/list?z=1&a=2&z=3"
    assert canonical_url(url) == url


@given(
    path=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
    query=st.text(max_size=30),
)
def test_canonical_url_is_idempotent_for_any_path_and_query(path, query):
    try:
        once = canonical_url(f"https://news.example/{path}?{query}")
    except ValueError:
        return
    assert canonical_url(once) == once
