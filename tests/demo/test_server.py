"""The sample outlets server, over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from newsrank.demo.server import CONTENT_DIR, SampleOutlets

START = datetime(2025, 3, 14, 0, 30, tzinfo=UTC)  # 09:30 in Seoul

# Each outlet: two published articles and one due an hour after the start.
# "똠" exists in cp949 but not in EUC-KR, so only a cp949 decoder reads saebyeok's pages right.
OUTLETS = {
    "baram": ("바람뉴스통신", "utf-8", ["politics", "politics", "economy"]),
    "garam": ("가람일보", "utf-8", ["society", "politics", "world"]),
    "nuri": ("누리경제", "utf-8", ["economy", "economy", "it"]),
    "saebyeok": ("새벽신문", "cp949", ["society", "society", "culture"]),
    "dain": ("다인IT", "utf-8", ["it", "it", "economy"]),
    "byeol": ("별빛스포츠", "utf-8", ["sports", "entertainment", "sports"]),
}
TITLES = {
    ("baram", "101"): "국회, 예산안 & 추경 <긴급> 처리 합의",
    ("saebyeok", "101"): "똠방각하 새벽시장 상인회, 설맞이 장터 연다",
}
OFFSETS = [-120, -30, 60]


def article(slug: str, number: int, section: str) -> dict:
    article_id = str(101 + number)
    title = TITLES.get((slug, article_id), f"{slug} 시험 기사 {article_id}호: 시민들 봄맞이 대청소")
    return {
        "id": article_id,
        "section": section,
        "title": title,
        "subtitles": ["첫째 부제목입니다", "둘째 부제목입니다"],
        "reporter": "김하늘",
        "email": f"sky@{slug}.example",
        "body": [
            f"{article_id}호 기사의 첫 문단이다. 시민 300여 명이 참여했다.",
            "둘째 문단에서는 자세한 내용을 전한다.",
            "셋째 문단은 관계자의 말로 끝난다.",
        ],
        "images": [{"caption": "행사 모습", "credit": f"사진={OUTLETS[slug][0]} 제공"}],
        "event": "spring-cleanup" if number == 0 else None,
        "offset_minutes": OFFSETS[number],
    }


def write_content(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug, (name, encoding, sections) in OUTLETS.items():
        data = {
            "slug": slug,
            "name": name,
            "domain": f"{slug}.example",
            "description": f"{name} 시험용 설명",
            "encoding": encoding,
            "articles": [article(slug, n, section) for n, section in enumerate(sections)],
        }
        (folder / f"{slug}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START + timedelta(minutes=1))


@pytest.fixture
def outlets(tmp_path, clock):
    with SampleOutlets(
        content_dir=write_content(tmp_path / "content"), clock=clock, start=START
    ) as server:
        yield server


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as http:
        yield http


def parse_feed(response: httpx.Response) -> feedparser.FeedParserDict:
    """Parse as the pipeline would: a feed labelled euc-kr is decoded as cp949 first."""
    body = response.content
    if "euc-kr" in response.headers["content-type"]:
        body = body.decode("cp949").replace('encoding="euc-kr"', 'encoding="utf-8"').encode()
    return feedparser.parse(body)


def page_text(response: httpx.Response) -> str:
    charset = response.headers["content-type"].split("charset=")[-1]
    return response.content.decode("cp949" if charset == "euc-kr" else charset)


def feed_of(outlets: SampleOutlets, slug: str, section: str = "전체") -> str:
    return next(f.url for f in outlets.feeds() if f.outlet_slug == slug and f.section == section)


# ---------------------------------------------------------------- feeds


def test_every_outlet_offers_a_main_feed_and_one_or_two_section_feeds(outlets):
    feeds = outlets.feeds()
    assert {f.outlet_slug for f in feeds} == set(OUTLETS)
    for slug, (name, _, _) in OUTLETS.items():
        own = [f for f in feeds if f.outlet_slug == slug]
        assert own[0].section == "전체"
        assert 2 <= len(own) <= 3
        assert all(f.outlet == name for f in own)
        assert all(f.url.startswith(f"{outlets.base_url}/{slug}/") for f in own)
        assert all(f.homepage == f"{outlets.base_url}/{slug}/" for f in own)


def test_feeds_parse_and_list_only_published_articles(outlets, client):
    published = {a.url for a in outlets.articles()}
    for feed in outlets.feeds():
        parsed = parse_feed(client.get(feed.url))
        assert not parsed.bozo, (feed.url, parsed.get("bozo_exception"))
        links = [entry.link for entry in parsed.entries]
        assert set(links) <= published
        if feed.section == "전체":
            assert set(links) == {
                a.url for a in outlets.articles() if a.outlet_slug == feed.outlet_slug
            }


def test_feed_lists_newest_first_with_korean_time_dates(outlets, client):
    response = client.get(feed_of(outlets, "garam"))
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert re.findall(r"<pubDate>[^<]+\+0900</pubDate>", response.text)
    entries = parse_feed(response).entries
    times = [entry.published_parsed for entry in entries]
    assert times == sorted(times, reverse=True)
    assert entries[0].author and entries[0].summary.startswith("102호 기사의 첫 문단")


def test_dain_and_byeol_publish_atom(outlets, client):
    for slug in ("dain", "byeol"):
        response = client.get(feed_of(outlets, slug))
        assert response.headers["content-type"].startswith("application/atom+xml")
        parsed = parse_feed(response)
        assert parsed.version == "atom10"
        entry = parsed.entries[0]
        assert (
            entry.id and entry.author_detail.name == "김하늘" and entry.published.endswith("+09:00")
        )


def test_feed_escapes_markup_in_titles(outlets, client):
    parsed = parse_feed(client.get(feed_of(outlets, "baram")))
    assert "국회, 예산안 & 추경 <긴급> 처리 합의" in [e.title for e in parsed.entries]


def test_future_article_appears_when_its_time_comes(outlets, client, clock):
    future = next(
        a
        for a in outlets.articles(published_only=False)
        if a.id == "103" and a.outlet_slug == "garam"
    )
    feed_url = feed_of(outlets, "garam")
    assert future.url not in [e.link for e in parse_feed(client.get(feed_url)).entries]
    assert client.get(future.url).status_code == 404
    assert future not in outlets.articles()

    clock.advance(minutes=60)

    assert future.url in [e.link for e in parse_feed(client.get(feed_url)).entries]
    assert client.get(future.url).status_code == 200
    assert future in outlets.articles()


def test_unpublished_article_and_its_photo_are_404(outlets, client):
    future = [a for a in outlets.articles(published_only=False) if a.published_at > START]
    assert len(future) == len(OUTLETS)
    for item in future:
        assert client.get(item.url).status_code == 404
    assert client.get(outlets.base_url + "/garam/images/103-1.svg").status_code == 404


def test_feed_answers_304_to_conditional_get_until_something_new_is_published(
    outlets, client, clock
):
    url = feed_of(outlets, "nuri")
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304

    clock.advance(hours=2)

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 200


# ---------------------------------------------------------------- pages


def test_saebyeok_serves_cp949_labelled_euc_kr(outlets, client):
    item = next(a for a in outlets.articles() if a.outlet_slug == "saebyeok" and a.id == "101")
    assert item.url.endswith("/saebyeok/news/articleView.html?idxno=101")
    response = client.get(item.url)
    assert response.headers["content-type"] == "text/html; charset=euc-kr"
    assert '<meta charset="euc-kr">' in response.content.decode("cp949")
    assert "똠방각하 새벽시장 상인회" in response.content.decode("cp949")
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")

    feed = client.get(feed_of(outlets, "saebyeok"))
    assert feed.headers["content-type"] == "application/rss+xml; charset=euc-kr"
    assert feed.content.startswith(b'<?xml version="1.0" encoding="euc-kr"?>')
    assert "똠방각하" in feed.content.decode("cp949")


def test_every_article_page_carries_metadata_and_byline(outlets, client):
    for item in outlets.articles():
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        text = page_text(response)
        tree = lxml_html.fromstring(text)
        assert tree.get("lang") == "ko"

        def meta(prop, tree=tree):
            return tree.xpath(f'string(//meta[@property="{prop}"]/@content)')

        assert meta("og:title") == item.title
        assert meta("og:url") == item.url
        assert tree.xpath("string(//link[@rel='canonical']/@href)") == item.url
        assert meta("article:published_time").endswith("+09:00")
        assert datetime.fromisoformat(meta("article:published_time")) == item.published_at
        assert meta("og:image").startswith(outlets.base_url)
        assert "김하늘" in text and f"sky@{item.outlet_slug}.example" in text
        assert "많이 본 뉴스" in text


@pytest.mark.parametrize(
    ("slug", "path", "markers"),
    [
        (
            "baram",
            "/baram/view/AKR101",
            [
                '<div class="story-news article">',
                "<p>(서울=바람뉴스) 김하늘 기자 = 101호",
                '<p class="txt-copyright">ⓒ 바람뉴스통신, 무단 전재-재배포, AI 학습 및 활용 금지',
            ],
        ),
        (
            "garam",
            "/garam/article/101.html",
            [
                '<h2 class="subtitle">첫째 부제목입니다</h2>',
                '<img src="/garam/images/101-1.svg"',
                "<figcaption>행사 모습 사진=가람일보 제공</figcaption>",
                '"@type": "NewsArticle"',
            ],
        ),
        (
            "nuri",
            "/nuri/news/2025/03/14/101",
            [
                '<div class="sub_title">첫째 부제목입니다<br>둘째 부제목입니다</div>',
                '<div id="article_body"',
                "[누리경제] 101호",
                "<br><br>둘째 문단",
                '<td class="caption">',
                "▶ 관련기사",
                "누리경제 구독하기",
            ],
        ),
        (
            "dain",
            "/dain/news/101",
            ["<main", '<article class="post">', '<p class="lede">', '<div class="post-content">'],
        ),
        (
            "byeol",
            "/byeol/sports/101",
            ['<div class="img_box"><img', '<p class="img_caption">행사 모습'],
        ),
        (
            "saebyeok",
            "/saebyeok/news/articleView.html?idxno=101",
            [
                '<article id="article-view-content-div"',
                '<figure class="photo-layout',
                '<li><i class="icon-user"></i>김하늘 기자</li>',
            ],
        ),
    ],
)
def test_each_outlet_has_its_own_layout(outlets, client, slug, path, markers):
    text = page_text(client.get(outlets.base_url + path))
    for marker in markers:
        assert marker in text, marker


def test_garam_json_ld_describes_the_article(outlets, client):
    text = client.get(outlets.base_url + "/garam/article/101.html").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["author"]["name"] == "김하늘"
    assert data["datePublished"] == "2025-03-14T07:30:00+09:00"


def test_homepage_lists_published_articles_and_feeds(outlets, client):
    response = client.get(outlets.base_url + "/saebyeok/")
    text = page_text(response)
    assert "새벽신문" in text and "똠방각하" in text
    assert 'type="application/rss+xml"' in text
    assert "saebyeok 시험 기사 103호" not in text
    assert client.get(outlets.base_url + "/saebyeok").headers["location"] == "/saebyeok/"


def test_photo_is_an_svg_image(outlets, client):
    response = client.get(outlets.base_url + "/garam/images/101-1.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("800", "450")
    assert client.get(outlets.base_url + "/garam/images/101-1.svg").content == response.content


def test_unknown_path_is_a_small_html_404(outlets, client):
    response = client.get(outlets.base_url + "/garam/article/999.html")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "페이지를 찾을 수 없습니다" in response.text


# ---------------------------------------------------------------- news sitemap

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def sitemap_urls(response: httpx.Response) -> list[dict[str, str]]:
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return [
        {
            "loc": url.findtext("s:loc", namespaces=SITEMAP_NS),
            "name": url.findtext("news:news/news:publication/news:name", namespaces=SITEMAP_NS),
            "language": url.findtext(
                "news:news/news:publication/news:language", namespaces=SITEMAP_NS
            ),
            "date": url.findtext("news:news/news:publication_date", namespaces=SITEMAP_NS),
            "title": url.findtext("news:news/news:title", namespaces=SITEMAP_NS),
        }
        for url in root.findall("s:url", SITEMAP_NS)
    ]


def test_garam_offers_a_news_sitemap_apart_from_its_feeds(outlets):
    (sitemap,) = outlets.sitemaps()
    assert (sitemap.outlet, sitemap.outlet_slug, sitemap.section) == (
        "가람일보",
        "garam",
        "뉴스 사이트맵",
    )
    assert sitemap.url == f"{outlets.base_url}/garam/sitemap-news.xml"
    assert sitemap.url not in {feed.url for feed in outlets.feeds()}


def test_news_sitemap_lists_published_articles_with_titles_and_kst_dates(outlets, client):
    response = client.get(outlets.sitemaps()[0].url)
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    urls = sitemap_urls(response)
    garam = [a for a in outlets.articles() if a.outlet_slug == "garam"]
    assert [u["loc"] for u in urls] == [a.url for a in garam]
    assert [u["title"] for u in urls] == [a.title for a in garam]
    for url, article in zip(urls, garam, strict=True):
        assert url["name"] == "가람일보" and url["language"] == "ko"
        assert url["date"].endswith("+09:00")
        assert datetime.fromisoformat(url["date"]) == article.published_at


def test_news_sitemap_keeps_only_the_last_two_days(outlets, client, clock):
    clock.advance(days=2, minutes=1)  # the articles of -120 and -30 minutes are now too old
    urls = sitemap_urls(client.get(outlets.sitemaps()[0].url))
    newest = [a for a in outlets.articles() if a.outlet_slug == "garam"][0]
    assert [u["loc"] for u in urls] == [newest.url]


def test_news_sitemap_answers_304_to_conditional_get(outlets, client, clock):
    url = outlets.sitemaps()[0].url
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    clock.advance(minutes=60)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_robots_txt_names_the_news_sitemap(outlets, client):
    lines = client.get(outlets.base_url + "/robots.txt").text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {outlets.base_url}/garam/sitemap-news.xml" in lines


# ---------------------------------------------------------------- /_trouble/


def test_malformed_trouble_feed_is_bozo(outlets, client):
    response = client.get(outlets.base_url + "/_trouble/malformed.xml")
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert feedparser.parse(response.content).bozo


def test_mixed_trouble_feed_links_to_each_kind_of_trouble(outlets, client):
    parsed = parse_feed(client.get(outlets.base_url + "/_trouble/mixed.xml"))
    assert not parsed.bozo
    by_kind = {}
    for entry in parsed.entries:
        by_kind[entry.link.split("/_trouble/")[1]] = (entry, client.get(entry.link))
    good = by_kind["good.html"][1]
    assert good.status_code == 200 and "열린 간담회" in good.text
    assert by_kind["deleted.html"][1].status_code == 404
    pdf = by_kind["report.pdf"][1]
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    entry, script = by_kind["script.html"]
    assert "<script>alert(1)</script>" in entry.title
    assert "<script>" in script.text and "onclick=" in script.text
    assert 'href="javascript:' in script.text
    tracked = by_kind["tracked.html?utm_source=rss&utm_medium=feed&fbclid=xyz"][1]
    assert tracked.status_code == 200
    assert f'<link rel="canonical" href="{outlets.base_url}/_trouble/tracked.html">' in tracked.text


def test_redirect_loop_redirects_to_itself(outlets, client):
    url = outlets.base_url + "/_trouble/redirect-loop"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["location"] == "/_trouble/redirect-loop"
    with pytest.raises(httpx.TooManyRedirects):
        client.get(url, follow_redirects=True)


def test_slow_feed_keeps_the_client_waiting(outlets):
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(outlets.base_url + "/_trouble/slow.xml", timeout=0.5)


def test_huge_feed_streams_until_the_client_hangs_up(outlets, client):
    received = 0
    with client.stream("GET", outlets.base_url + "/_trouble/huge.xml") as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 256 * 1024:
                break
    assert received > 256 * 1024
    assert client.get(outlets.base_url + "/_trouble/good.html").status_code == 200


def trouble_feed(outlets: SampleOutlets, client: httpx.Client, name: str):
    response = client.get(f"{outlets.base_url}/_trouble/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_trouble_index_lists_every_trouble_feed(outlets, client):
    text = client.get(outlets.base_url + "/_trouble/").text
    for name in ["guid-changes.xml", "moving-url.xml", "bad-dates.xml", "html-titles.xml",
                 "huge-entry.xml", "updated.xml", "malformed.xml"]:  # fmt: skip
        assert f'href="/_trouble/{name}"' in text


def test_guid_changes_feed_gives_new_guids_to_the_same_articles(outlets, client):
    first = trouble_feed(outlets, client, "guid-changes.xml")
    second = trouble_feed(outlets, client, "guid-changes.xml")
    links = [e.link for e in first.entries]
    assert links == [e.link for e in second.entries]
    assert {e.id for e in first.entries}.isdisjoint(e.id for e in second.entries)
    # One article is listed twice in each response, the second time with tracking parameters.
    assert links[2] == links[0] + "?utm_source=rss&utm_medium=feed"
    for link in links:
        assert client.get(link).status_code == 200
    assert "평일 밤 10시" in client.get(links[0]).text


def test_moving_url_feed_keeps_its_guid_while_the_link_changes(outlets, client):
    entries = [trouble_feed(outlets, client, "moving-url.xml").entries[0] for _ in range(4)]
    assert {e.id for e in entries} == {"trouble-moving-1"}
    base = outlets.base_url
    assert [e.link for e in entries] == [
        f"{base}/_trouble/moving.html",
        f"{base}/_trouble/moving.html?utm_source=rss&utm_medium=feed",
        f"{base}/_trouble/m/moving.html",
        f"{base}/_trouble/m/moving.html?utm_source=rss&utm_medium=feed",
    ]
    for entry in entries:
        page = client.get(entry.link)
        assert page.status_code == 200 and "노선 12개" in page.text
        assert f'<link rel="canonical" href="{base}/_trouble/moving.html">' in page.text


def test_bad_dates_feed_has_missing_future_epoch_and_garbled_dates(outlets, client):
    response = client.get(outlets.base_url + "/_trouble/bad-dates.xml")
    items = ET.fromstring(response.content).findall("channel/item")
    assert [item.findtext("pubDate") for item in items] == [
        None,
        "Thu, 31 Dec 2099 09:00:00 +0900",
        "Thu, 01 Jan 1970 09:00:00 +0900",
        "1900-01-01 00:00:00",
        "어제 오후 3시쯤",
    ]
    for item in items:
        assert client.get(item.findtext("link")).status_code == 200


def test_html_titles_feed_carries_markup_and_double_escaped_entities(outlets, client):
    titles = [e.title for e in trouble_feed(outlets, client, "html-titles.xml").entries]
    assert titles == [
        "<b>[단독]</b> 시험시 내년 예산 12% 삭감",
        "&quot;주민 뜻 따르겠다&quot;… 시험구청장, 재개발 계획 보류",
        '<script>alert("제목")</script>시험구 가을 축제 개막',
        '시험시 야시장 <img src=x onerror="alert(4)">다시 열린다',
    ]
    page = client.get(outlets.base_url + "/_trouble/titles-bold.html")
    assert "<h1>[단독] 시험시 내년 예산 12% 삭감</h1>" in page.text


def test_huge_entry_feed_has_one_entry_of_over_two_megabytes(outlets, client):
    response = client.get(outlets.base_url + "/_trouble/huge-entry.xml")
    assert int(response.headers["content-length"]) > 2 * 1024 * 1024
    (item,) = ET.fromstring(response.content).findall("channel/item")
    assert len(item.findtext("description").encode()) > 2 * 1024 * 1024


def test_updated_feed_and_page_change_once_the_clock_passes_the_edit(outlets, client, clock):
    url = outlets.base_url + "/_trouble/updated.xml"
    before = ET.fromstring(client.get(url).content).find("channel/item")
    page = client.get(outlets.base_url + "/_trouble/updated.html").text
    assert before.findtext("title") == "시험시, 폭설 대비 제설 장비 점검"
    assert before.find("{http://www.w3.org/2005/Atom}updated") is None
    assert "제설제 2천 톤" not in page and "article:modified_time" not in page

    clock.advance(minutes=30)
    after = ET.fromstring(client.get(url).content).find("channel/item")
    page = client.get(outlets.base_url + "/_trouble/updated.html").text
    assert after.findtext("link") == before.findtext("link")
    assert after.findtext("guid") == before.findtext("guid")
    assert after.findtext("title") == "시험시, 폭설 대비 제설 장비 점검… 제설제 2천 톤 추가 확보"
    assert after.findtext("pubDate") != before.findtext("pubDate")
    edited = START + timedelta(minutes=30)
    updated = after.findtext("{http://www.w3.org/2005/Atom}updated")
    assert datetime.fromisoformat(updated) == edited
    assert "<h1>시험시, 폭설 대비 제설 장비 점검… 제설제 2천 톤 추가 확보</h1>" in page
    assert "제설제 2천 톤을 추가로 확보해" in page
    modified = edited.astimezone(timezone(timedelta(hours=9))).isoformat()
    assert f'<meta property="article:modified_time" content="{modified}">' in page


def test_stop_frees_the_port(tmp_path):
    server = SampleOutlets(content_dir=write_content(tmp_path), start=START).start()
    url = server.base_url + "/robots.txt"
    assert httpx.get(url).status_code == 200
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


# ---------------------------------------------------------------- the real content


def test_every_page_of_the_real_content_answers_200(client):
    if not any(CONTENT_DIR.glob("*.json")):
        pytest.skip(f"no sample content in {CONTENT_DIR} yet")
    # Far enough ahead that every article, however late its offset, is published.
    later = START + timedelta(days=30)
    with SampleOutlets(clock=lambda: later, start=START) as outlets:
        for feed in outlets.feeds():
            response = client.get(feed.url)
            assert response.status_code == 200
            assert not parse_feed(response).bozo, feed.url
        for item in outlets.articles():
            response = client.get(item.url)
            assert response.status_code == 200, item.url
            tree = lxml_html.fromstring(page_text(response))
            assert tree.xpath('string(//meta[@property="og:title"]/@content)') == item.title
