"""Tests for newsrank.ingest.feeds: Korean feeds' charsets, dates, markup and broken documents."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsrank.ingest.feeds import FeedError, decode_feed, parse_datetime, parse_feed

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


@pytest.mark.parametrize(("ttl", "expected"), [("30", 30), ("0", None), ("soon", None), ("", None)])
def test_ttl(ttl, expected):
    content = f"<rss version='2.0'><channel><title>T</title><ttl>{ttl}</ttl></channel></rss>"
    assert parse_feed(content.encode(), "https://a.example/rss").ttl_minutes == expected


def test_accepts_slightly_broken_feed_that_still_yields_entries():
    items = "<item><title>A & B</title><link>https://a.example/1</link></item>"
    items += "<item><title>b</title><link>https://a.example/2</foo></item>"
    feed = parse_feed(rss(items).encode(), "https://a.example/rss", now=NOW)
    assert feed.entries[0].title == "A & B"


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
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         b"<url><loc>https://a.example/1</loc></url></urlset>", None, "not an RSS or Atom feed"),
        (b'{"items": []}', "application/json", "malformed XML"),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>깨진 피드</title>'
         "<item><title>닫히지 않은 제목</ti".encode(), None, "malformed XML at line 2"),
    ],
)  # fmt: skip
def test_raises_feed_error_with_reason(content, content_type, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(content, "https://a.example/rss", content_type)
