"""The sample outlets server, over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
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
