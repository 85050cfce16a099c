"""Tests for newsrank.ingest.feeds: Korean feeds' charsets, dates, markup and broken documents."""

import gzip
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsrank.demo.server import SampleOutlets
from newsrank.ingest.feeds import (
    SUMMARY_CHARS,
    FeedError,
    ParsedFeed,
    decode_feed,
    parse_datetime,
    parse_feed,
)

FEEDS = Path(__file__).parent.parent / "fixtures" / "feeds"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
KST = timezone(timedelta(hours=9))


def parse_fixture(name: str, url: str, content_type: str | None = None):
    return parse_feed((FEEDS / name).read_bytes(), url, content_type, now=NOW)


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{declaration}\n<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


# --- whole fixture feeds ----------------------------------------------------------------------


def test_parses_nd_soft_feed_with_zoneless_dates_as_kst():
    feed = parse_fixture(
        "ndsoft_allArticle.xml", "https://www.garamilbo.example/rss/allArticle.xml"
    )
    assert feed.title == "가람일보 - 전체기사"
    assert feed.link == "https://www.garamilbo.example"
    assert feed.ttl_minutes == 20
    first = feed.entries[0]
    assert first.url == "https://www.garamilbo.example/news/articleView.html?idxno=20481"
    assert first.title == "가람시, 문 닫은 솔내초를 마을 도서관으로… 내년 3월 개관"
    assert first.published_at == datetime(2026, 11, 27, 9, 12, tzinfo=KST)
    assert first.published_at.tzinfo is UTC
    assert first.summary.startswith("가람시가 학생 수 감소로 문을 닫은 옛 솔내초등학교를")
    assert first.authors == ["김하늘"]
    assert first.categories == ["사회"]


def test_nd_soft_feed_cleans_titles_links_and_summaries():
    feed = parse_fixture(
        "ndsoft_allArticle.xml", "https://www.garamilbo.example/rss/allArticle.xml"
    )
    second = feed.entries[1]
    assert second.title == '[단독] 가람천 둔치 "산책로" 새 단장'
    assert second.url == "https://www.garamilbo.example/news/articleView.html?idxno=20477"
    assert second.summary == "가람천 둔치 산책로 정비 공사가 다섯 달 만에 끝났다."
    assert second.categories == ["사회", "환경"]


def test_skips_entries_without_link_and_drops_far_future_dates():
    feed = parse_fixture(
        "ndsoft_allArticle.xml", "https://www.garamilbo.example/rss/allArticle.xml"
    )
    assert [e.title for e in feed.entries] == [
        "가람시, 문 닫은 솔내초를 마을 도서관으로… 내년 3월 개관",
        '[단독] 가람천 둔치 "산책로" 새 단장',
        "엠바고 자리표시 기사",
    ]
    assert feed.entries[2].published_at is None


def test_parses_atom_with_relative_links_and_xhtml_titles():
    feed = parse_fixture("atom_daontimes.xml", "https://www.daontimes.example/feed/tech.atom")
    assert feed.title == "다온타임스 과학·기술"
    first, second = feed.entries
    assert first.url == "https://www.daontimes.example/article/2026/11/28/0042"
    assert first.guid == "tag:daontimes.example,2026:article-0042"
    assert first.published_at == datetime(2026, 11, 28, 8, 30, tzinfo=KST)
    assert first.updated_at == datetime(2026, 11, 28, 10, 5, tzinfo=KST)
    assert first.authors == ["박새봄", "최이슬"]
    assert first.categories == ["해운", "자율운항"]
    assert (
        first.summary == "다온항만공사가 사람이 타지 않은 자율운항 예인선의 첫 시험 운항을 마쳤다."
    )
    assert second.title == "다온항 스마트 항만 1단계 공사 마무리"
    # Atom entries with only <updated> are dated by it.
    assert second.published_at == second.updated_at == datetime(2026, 10, 2, 11, 0, tzinfo=UTC)
    assert second.summary == "스마트 항만 1단계 공사가 끝났다."


def test_parses_rss_1_0_with_dc_date_only():
    feed = parse_fixture("rss1_hanbit.rdf", "https://www.hanbitnews.example/rss/society.rdf")
    (entry,) = feed.entries
    assert entry.url == "https://www.hanbitnews.example/view/HBN20261128004100004"
    assert entry.published_at == datetime(2026, 11, 28, 6, 41, tzinfo=KST)
    assert entry.authors == ["이바다"]


def test_decodes_feed_declared_euc_kr_as_cp949():
    # "똠" exists only in cp949; Python's euc_kr codec cannot decode its bytes.
    with pytest.raises(UnicodeDecodeError):
        (FEEDS / "cp949_single_quote_decl.xml").read_bytes().decode("euc_kr")
    feed = parse_fixture("cp949_single_quote_decl.xml", "https://www.solbitsecu.example/rss/")
    assert feed.title == "솔빛보안뉴스"
    assert feed.entries[0].title == "똠방각하 랜섬웨어, 중소 쇼핑몰 노려"
    assert feed.entries[0].authors == ["한여울"]


def test_reads_utf8_bom_and_odd_rfc822_dates():
    feed = parse_fixture(
        "utf8_bom_cdata_dates.xml", "http://www.nurieconomy.example/rss/economy.xml"
    )
    assert feed.title == "누리경제 경제"
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 11, 26, 8, 40, tzinfo=UTC),  # "26 Nov  2026 08:40:00 GMT" in CDATA
        datetime(2026, 11, 25, 7, 0, tzinfo=KST),  # "Wed, 25 11 2026 07:00:00 +0900"
    ]


# --- charsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(
            rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                declaration='<?xml version="1.0" encoding="EUC-KR"?>').encode("cp949"),
            None,
            id="declaration-euc-kr",
        ),
        pytest.param(
            rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                declaration='<?xml version="1.0" encoding="ks_c_5601-1987"?>').encode("cp949"),
            None,
            id="declaration-ks_c_5601-1987",
        ),
        pytest.param(
            rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                declaration='<?xml version="1.0"?>').encode("cp949"),
            "text/xml; charset=euc-kr",
            id="content-type-euc-kr",
        ),
        pytest.param(
            rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                declaration="<?xml version='1.0' encoding='euc-kr'?>").encode("utf-8"),
            "text/xml; charset=euc-kr",
            id="labelled-euc-kr-but-utf8",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                                  declaration="<?xml version='1.0' encoding='euc-kr'?>").encode(),
            None,
            id="utf8-bom-wins-over-declaration",
        ),
        pytest.param(
            rss("<item><title>똠</title><link>https://a.example/1</link></item>",
                declaration="").encode("cp949"),
            None,
            id="no-label-cp949-sniffed",
        ),
    ],
)  # fmt: skip
def test_decodes_korean_charsets(content, content_type):
    feed = parse_feed(content, "https://a.example/rss", content_type, now=NOW)
    assert feed.entries[0].title == "똠"


def test_declaration_wins_over_content_type():
    content = rss("<item><title>가람</title><link>https://a.example/1</link></item>",
                  declaration="<?xml version='1.0' encoding='euc-kr'?>").encode("cp949")  # fmt: skip
    assert "가람" in decode_feed(content, "text/xml; charset=utf-8")


def test_strips_control_characters_that_break_xml():
    content = rss("<item><title>가람\x0b일보\x1f</title><link>https://a.example/1</link></item>")
    feed = parse_feed(content.encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].title == "가람일보"


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-28 14:03:00", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026-11-28 14:03", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026.11.28 14:03", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026/11/28(토) 14:03", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026. 11. 28. 오후 2:03", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026년 11월 28일 14시 03분", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026-11-28", datetime(2026, 11, 28, 0, 0, tzinfo=KST)),
        ("2026-11-28T14:03:00", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026-11-28T14:03:00+09:00", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("2026-11-28T05:03:00Z", datetime(2026, 11, 28, 5, 3, tzinfo=UTC)),
        ("2026-11-28T14:03:00.250+0900", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Sat, 28 Nov 2026 14:03:00 +0900", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Sat, 28 Nov 2026 14:03:00 +09:00", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Sat, 28 Nov 2026 05:03:00 GMT", datetime(2026, 11, 28, 5, 3, tzinfo=UTC)),
        ("Sat,28 Nov 2026 14:03:00 +0900", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("28 Nov  2026 05:03:00 GMT", datetime(2026, 11, 28, 5, 3, tzinfo=UTC)),
        ("Sat, 28 11 2026 14:03:00 +0900", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Saturday, 28 November 2026 14:03:00 +0900", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Sat, 28 Nov 2026 14:03:00", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("Sat, 28 Nov 2026 14:03:00 KST", datetime(2026, 11, 28, 14, 3, tzinfo=KST)),
        ("", None),
        ("어제", None),
        ("2026-13-01 00:00:00", None),
        ("Sat, 28 Nov 2026 14:03:00 EST", None),  # unknown zone name: left to feedparser
    ],
)
def test_parse_datetime(raw, expected):
    value = parse_datetime(raw)
    assert value == expected
    if value is not None:
        assert value.tzinfo is UTC


def test_long_runs_of_spaces_in_a_date_are_quick_to_reject():
    started = time.perf_counter()
    assert parse_datetime("2026-11-28 14:03" + " " * 30_000 + "x") is None
    assert parse_datetime("2026-11-28" + " " * 30_000 + "14:03") == datetime(
        2026, 11, 28, 14, 3, tzinfo=KST
    )
    assert parse_datetime("2026-11-28 14:03 " + "1" * 30_000) is None  # too long to be a date
    assert time.perf_counter() - started < 0.5


def test_falls_back_to_feedparser_for_formats_it_knows():
    items = "<item><title>a</title><link>https://a.example/1</link>"
    items += "<pubDate>Sat, 28 Nov 2026 00:03:00 EST</pubDate></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].published_at == datetime(2026, 11, 28, 5, 3, tzinfo=UTC)


def test_dates_up_to_a_day_ahead_are_kept():
    items = "<item><title>a</title><link>https://a.example/1</link>"
    items += "<pubDate>2026-11-29 08:00:00</pubDate></item>"  # 23 hours after NOW
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].published_at == datetime(2026, 11, 29, 8, 0, tzinfo=KST)


@pytest.mark.parametrize(
    "raw",
    [
        "Thu, 01 Jan 1970 00:00:00 GMT",  # the Unix epoch: a CMS's empty date
        "1970-01-01 09:00:00",
        "1900-01-01 00:00:00",
        "Mon, 01 Jan 1900 00:00:00 +0000",
        "0000-00-00 00:00:00",
        "2099-12-31 23:59:59",
        "Thu, 31 Dec 2099 23:59:59 +0900",
        "어제 오후",
        "2026-13-45 25:61:00",
    ],
)
def test_placeholder_future_and_garbled_dates_are_none(raw):
    items = f"<item><title>a</title><link>https://a.example/1</link><pubDate>{raw}</pubDate>"
    items += f"<dc:date>{raw}</dc:date></item>"
    content = rss(items).replace("<rss ", '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" ')
    (entry,) = parse_feed(content.encode(), "https://a.example/rss", now=NOW).entries
    assert (entry.published_at, entry.updated_at) == (None, None)


def test_missing_dates_are_none():
    items = "<item><title>a</title><link>https://a.example/1</link></item>"
    (entry,) = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW).entries
    assert (entry.published_at, entry.updated_at) == (None, None)


# --- entries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("&lt;b&gt;속보&lt;/b&gt; 가람시장  선출", "속보 가람시장 선출"),
        ("<![CDATA[<script>alert(1)</script>가람시 예산]]>", "가람시 예산"),
        ("&amp;quot;인용&amp;quot; 기사", '"인용" 기사'),  # double-encoded (아주경제)
        ("가람\n\t일보\u00a0속보", "가람 일보 속보"),
        ("A &lt; B 논란", "A < B 논란"),
        ("<b>단독</b> 가람시 예산 삭감", "단독 가람시 예산 삭감"),  # raw markup inside <title>
        ("<![CDATA[&amp;quot;인용&amp;quot; <b>굵게</b>]]>", '"인용" 굵게'),  # escaped in CDATA
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;시험구 축제", "시험구 축제"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;시험구 축제", "시험구 축제"),
        ("R&amp;D 예산 &amp; 세제", "R&D 예산 & 세제"),
        ("영화 &lt;기생충&gt; 재개봉", "영화 <기생충> 재개봉"),
    ],
)
def test_titles_are_plain_text(title, expected):
    items = f"<item><title>{title}</title><link>https://a.example/1</link></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].title == expected


def test_titles_are_nfc():
    items = "<item><title>\u1100\u1161\u11ab</title><link>https://a.example/1</link></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].title == "간"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://a.example/news/1", "https://a.example/news/1"),
        ("  /news/2  ", "https://a.example/news/2"),
        ("news/3", "https://a.example/rss/news/3"),
        ("javascript:alert(1)", None),
        ("", None),
        ("http://[::1", None),
        ("http://[zz]/news/1", None),
        ("https://a.example:99999/news/1", None),
        ("https://a.example:port/news/1", None),
    ],
)
def test_links_are_absolute_http_urls(link, expected):
    items = f"<item><title>a</title><link>{link}</link></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss/all.xml", now=NOW)
    assert [e.url for e in feed.entries] == ([expected] if expected else [])


def test_guid_is_kept_and_permalink_guid_serves_as_link():
    items = '<item><title>a</title><guid isPermaLink="true">https://a.example/n/9</guid></item>'
    items += '<item><title>b</title><link>https://a.example/n/10</link><guid isPermaLink="false">'
    items += "gr-10</guid></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert [(e.url, e.guid) for e in feed.entries] == [
        ("https://a.example/n/9", "https://a.example/n/9"),
        ("https://a.example/n/10", "gr-10"),
    ]


def test_huge_summary_is_cut_to_a_teaser():
    paragraph = "<p>시험구 주민 " + "아주 긴 설명이 이어진다. " * 150_000 + "</p>"
    assert len(paragraph.encode()) > 2_000_000
    items = "<item><title>a</title><link>https://a.example/1</link><description><![CDATA["
    items += f"{paragraph}]]></description></item>"
    (entry,) = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW).entries
    assert entry.summary.startswith("시험구 주민 아주 긴 설명이 이어진다.")
    assert len(entry.summary) <= SUMMARY_CHARS and entry.summary.endswith("…")
    assert "<p>" not in entry.summary


def test_same_article_twice_in_one_feed_is_one_entry():
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{guid}</guid></item>'
        for title, link, guid in [
            ("가람시 예산", "https://a.example/news?idxno=1&amp;utm_source=rss", "g-1"),
            ("다른 기사", "https://a.example/news?idxno=2", "g-2"),
            ("가람시 예산(수정)", "HTTPS://A.example/news?idxno=1#top", "g-1b"),
            ("가람시 예산", "https://a.example/news?idxno=1", "g-1"),
        ]
    )
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert [(e.title, e.guid) for e in feed.entries] == [
        ("가람시 예산", "g-1"),
        ("다른 기사", "g-2"),
    ]


def test_reads_gzipped_feed_bytes():
    items = "<item><title>압축된 피드</title><link>https://a.example/1</link></item>"
    feed = parse_feed(gzip.compress(rss(items).encode()), "https://a.example/rss.xml.gz")
    assert feed.entries[0].title == "압축된 피드"


@pytest.mark.parametrize(("ttl", "expected"), [("30", 30), ("0", None), ("soon", None), ("", None)])
def test_ttl(ttl, expected):
    content = f"<rss version='2.0'><channel><title>T</title><ttl>{ttl}</ttl></channel></rss>"
    assert parse_feed(content.encode(), "https://a.example/rss").ttl_minutes == expected


def test_accepts_slightly_broken_feed_that_still_yields_entries():
    items = "<item><title>A & B</title><link>https://a.example/1</link></item>"
    items += "<item><title>b</title><link>https://a.example/2</foo></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].title == "A & B"


def test_many_leading_comments_are_quick_to_read():
    # The HTML and sitemap sniffing regexes once backtracked exponentially over comments.
    content = (
        "<!-- 캐시됨 -->" * 40 + "<rss version='2.0'><channel><title>T</title></channel></rss>"
    )
    started = time.perf_counter()
    assert parse_feed(content.encode(), "https://a.example/rss").entries == []
    assert time.perf_counter() - started < 0.5


def test_valid_feed_without_items_is_empty_not_an_error():
    content = b"<rss version='2.0'><channel><title>T</title></channel></rss>"
    assert parse_feed(content, "https://a.example/rss").entries == []


# --- not a feed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b"", None, "empty body"),
        (b"  \n ", None, "empty body"),
        (b"<!DOCTYPE html><html><head><title>Garam</title></head><body>hi</body></html>",
         "text/html", "HTML page instead of a feed"),
        (b"<!-- cached --><html lang='ko'><body><p>page</p></body></html>", None,
         "HTML page instead of a feed"),
        (b"<html><head><title>Just a moment...</title></head><body></body></html>",
         "text/html", "bot challenge page"),
        (b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>T</foo>\n</rss>', None,
         "malformed XML at line 3: mismatched tag"),
        (b'<?xml version="1.0"?><opml version="2.0"><head><title>subscriptions</title></head>'
         b"<body/></opml>", None, "not an RSS or Atom feed"),
        (b'{"items": []}', "application/json", "malformed XML"),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>깨진 피드</title>'
         "<item><title>닫히지 않은 제목</ti".encode(), None, "malformed XML at line 2"),
    ],
)  # fmt: skip
def test_raises_feed_error_with_reason(content, content_type, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(content, "https://a.example/rss", content_type)


# --- properties: nothing but FeedError, whatever the bytes ------------------------------------

FIXTURES = sorted(p for p in FEEDS.iterdir() if p.suffix in {".xml", ".rdf"})
XML_PIECES = [b"<", b">", b"</", b"/>", b"&", b"&amp;", b"&#", b";", b"<![CDATA[", b"]]>", b"<!--",
              b"<!DOCTYPE x [<!ENTITY e 'x'>]>", b"&e;", b"\x00", b"\xff", b"\xed\x9f", b"\x1f\x8b",
              b"<item>", b"<url>", b"<urlset>", b"<sitemapindex>", b"<loc>", b"<entry>",
              b"<pubDate>1970-01-01</pubDate>", b"<lastmod>9999-99-99</lastmod>", b"http://[::1",
              b"<link>http://[zz]/</link>", b"<loc>https://a.example:99999/</loc>", b"<loc>//x</loc>",
              b"encoding='euc-kr'", b"\xef\xbb\xbf", "가람".encode(), "가람".encode("cp949")]  # fmt: skip


def _parses_or_feed_error(content: bytes, content_type: str | None = None) -> None:
    try:
        feed = parse_feed(content, "https://a.example/rss/all.xml", content_type, now=NOW)
    except FeedError as error:
        assert str(error)
        return
    assert isinstance(feed, ParsedFeed)
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert len(entry.summary) <= SUMMARY_CHARS
        assert "<script" not in entry.title.lower()


@st.composite
def mutated_fixture(draw: st.DrawFn) -> bytes:
    content = bytearray(draw(st.sampled_from(FIXTURES)).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(content)))
        action = draw(st.sampled_from(["cut", "delete", "insert", "replace"]))
        if action == "cut":
            del content[at:]
        elif action == "delete":
            del content[at : at + draw(st.integers(1, 200))]
        else:
            piece = draw(st.sampled_from(XML_PIECES) | st.binary(min_size=1, max_size=8))
            end = at + (len(piece) if action == "replace" else 0)
            content[at:end] = piece
    if draw(st.booleans()):
        content = bytearray(gzip.compress(bytes(content)))
        if draw(st.booleans()):
            del content[draw(st.integers(0, len(content))) :]
    return bytes(content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([None, "text/xml; charset=euc-kr", "text/html"]))
def test_arbitrary_bytes_give_a_feed_or_feed_error(content, content_type):
    _parses_or_feed_error(content, content_type)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixture())
def test_mutated_real_feeds_give_a_feed_or_feed_error(content):
    _parses_or_feed_error(content)


# --- the demo's /_trouble/ feeds come out clean -----------------------------------------------

TROUBLE_START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class _Clock:
    def __init__(self) -> None:
        self.now = TROUBLE_START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def trouble():
    """The demo server with its real content; tests read `/_trouble/` feeds through parse_feed."""
    clock = _Clock()
    with SampleOutlets(start=TROUBLE_START, clock=clock) as server, httpx.Client() as client:

        def parse(name: str) -> ParsedFeed:
            response = client.get(f"{server.base_url}/_trouble/{name}")
            content_type = response.headers["content-type"]
            return parse_feed(response.content, str(response.url), content_type, now=clock.now)

        yield server, parse, clock


def test_trouble_guid_changes_feed_lists_each_article_once(trouble):
    server, parse, _ = trouble
    first, second = parse("guid-changes.xml"), parse("guid-changes.xml")
    assert [e.url for e in first.entries] == [e.url for e in second.entries]
    assert [e.url.rsplit("/", 1)[1] for e in first.entries] == ["guid-1.html", "guid-2.html"]
    assert {e.guid for e in first.entries}.isdisjoint(e.guid for e in second.entries)


def test_trouble_moving_url_feed_keeps_one_guid(trouble):
    _, parse, _ = trouble
    entries = [parse("moving-url.xml").entries[0] for _ in range(4)]
    assert {e.guid for e in entries} == {"trouble-moving-1"}
    assert len({e.url for e in entries}) == 4  # telling the variants apart is the pipeline's job


def test_trouble_bad_dates_are_all_missing(trouble):
    _, parse, _ = trouble
    entries = parse("bad-dates.xml").entries
    assert len(entries) == 5
    assert [(e.published_at, e.updated_at) for e in entries] == [(None, None)] * 5


def test_trouble_html_titles_are_plain_text(trouble):
    _, parse, _ = trouble
    assert [e.title for e in parse("html-titles.xml").entries] == [
        "[단독] 시험시 내년 예산 12% 삭감",
        '"주민 뜻 따르겠다"… 시험구청장, 재개발 계획 보류',
        "시험구 가을 축제 개막",
        "시험시 야시장 다시 열린다",
    ]


def test_trouble_huge_entry_is_cut_to_a_teaser(trouble):
    _, parse, _ = trouble
    (entry,) = parse("huge-entry.xml").entries
    assert len(entry.summary) <= SUMMARY_CHARS
    assert entry.summary.startswith("○ 의원 질의: 시험시 예산 집행 현황")


def test_trouble_updated_article_shows_its_edit(trouble):
    _, parse, clock = trouble
    (before,) = parse("updated.xml").entries
    assert before.updated_at is None
    clock.now = TROUBLE_START + timedelta(minutes=45)
    try:
        (after,) = parse("updated.xml").entries
    finally:
        clock.now = TROUBLE_START
    assert (after.url, after.guid) == (before.url, before.guid)
    assert after.title == "시험시, 폭설 대비 제설 장비 점검… 제설제 2천 톤 추가 확보"
    assert after.updated_at == TROUBLE_START + timedelta(minutes=30)
    assert after.published_at > before.published_at


def test_trouble_malformed_feed_is_a_feed_error(trouble):
    _, parse, _ = trouble
    with pytest.raises(FeedError, match="malformed XML"):
        parse("malformed.xml")
