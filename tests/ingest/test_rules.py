"""Tests for newsrank.ingest.rules and extract_rule: the table, matching, and one page per rule.

Each `tests/fixtures/pages/rules/<name>.html` is a page written for this project in the markup of
one outlet family (fictional text); `<name>.expected.json` holds the article it carries and the
key of the rule that must read it.
"""

import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import pytest
from lxml import html as lxml_html

from newsrank.demo import layouts
from newsrank.demo.server import _SCHEMES
from newsrank.ingest.extract import extract_article
from newsrank.ingest.extract_rule import select
from newsrank.ingest.extract_script import content_elements_html, find_article, values_at
from newsrank.ingest.rules import RULES, rule_for

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "rules"
CASES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
DEMO = Path(__file__).parent.parent.parent / "newsrank" / "demo" / "content"


def load(name: str) -> tuple[str, dict]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return (PAGES / f"{name}.html").read_text(encoding="utf-8"), expected


# --- the table --------------------------------------------------------------------------------


def test_table_is_sorted_by_key_and_keys_are_unique():
    keys = [rule.key for rule in RULES]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_every_rule_says_where_its_knowledge_comes_from_and_how_it_matches():
    for rule in RULES:
        assert rule.source, rule.key
        assert rule.hosts or rule.path, rule.key
        assert rule.body or rule.script, rule.key


def test_every_rule_has_a_fixture_page():
    covered = {json.loads((PAGES / f"{c}.expected.json").read_text())["rule"] for c in CASES}
    assert {rule.key for rule in RULES} <= covered


def test_every_selector_compiles():
    page = lxml_html.fromstring("<html><body><p class='a'>x</p></body></html>")
    for rule in RULES:
        for name in ("title", "subtitles", "byline", "date", "body", "paragraphs", "headings",
                     "photos", "captions", "drop"):  # fmt: skip
            select(page, getattr(rule, name))  # raises on a malformed expression


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.yna.co.kr/view/AKR20261126041200002", "yna.co.kr"),
        ("https://m.yna.co.kr/view/AKR20261126041200002", "yna.co.kr"),
        ("https://www.chosun.com/national/2026/11/23/ABC/", "chosun.com"),
        ("https://biz.chosun.com/it-science/2026/11/23/ABC/", "chosun.com"),
        # IT조선 runs the ND Soft CMS, not Arc XP: the family rule reads it.
        ("https://it.chosun.com/news/articleView.html?idxno=123", "~ndsoft"),
        ("https://www.bloter.example/news/articleView.html?idxno=20481", "~ndsoft"),
        ("http://www.mediatoday.example/news/articleView.html?mod=news&idxno=7", "~ndsoft"),
        ("http://127.0.0.1:8765/saebyeok/news/articleView.html?idxno=7700", "~ndsoft"),
        ("http://127.0.0.1:8765/baram/view/AKR30100", "baram.example"),
        ("http://127.0.0.1:8765/nuri/news/2026/11/28/5408", "nuri.example"),
        ("https://news.sbs.co.kr/news/endPage.do?news_id=N1007654321", "sbs.co.kr"),
        ("https://www.hankookilbo.com/news/article/A2026012914320005196", "hankookilbo.com"),
    ],
)
def test_rule_for_matches_hosts_subdomains_and_cms_paths(url, key):
    assert rule_for(url).key == key


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/news/1",
        "https://notyna.co.kr/view/1",  # a host that merely ends with the same letters
        "https://www.bloter.example/news/articleList.html?sc_section_code=S1N1",
        "http://127.0.0.1:8765/baram/rss/all.xml",
        "not a url",
    ],
)
def test_rule_for_is_none_for_other_pages(url):
    assert rule_for(url) is None


def test_has_class_matches_whole_class_names_only():
    page = lxml_html.fromstring(
        "<div><p class='heading big'>a</p><p class='subheading'>b</p><p class='heading'>c</p></div>"
    )
    assert [p.text for p in select(page, "//p[has-class('heading')]")] == ["a", "c"]


# --- articles kept as JSON in scripts -----------------------------------------------------------


def test_finds_the_article_in_a_react_query_push():
    script = (
        'window["__RQ_R_1_"] = window["__RQ_R_1_"] || [];window["__RQ_R_1_"].push('
        '{"queries":[{"state":{"data":{"data":{"detail":{"title":"제목","contentHtml":"<p>본문</p>"}}}}}]});'
    )
    assert find_article(["var a = 1;", script], "contentHtml")["title"] == "제목"


def test_finds_the_article_in_next_data_and_in_flight_chunks():
    next_data = json.dumps({"props": {"pageProps": {"article": {"contentHtml": "<p>가</p>"}}}})
    assert find_article([next_data], "contentHtml") == {"contentHtml": "<p>가</p>"}
    row = '5:{"detail":{"contentHtml":"<p>나</p>"}}\n'
    flight = [f"self.__next_f.push([1,{json.dumps(part)}])" for part in (row[:9], row[9:])]
    assert find_article(flight, "contentHtml") == {"contentHtml": "<p>나</p>"}


def test_finds_nothing_without_the_marker_or_in_broken_json():
    assert find_article(["Fusion.globalContent={broken"], "content_elements") is None
    assert find_article(['{"title": "x"}'], "contentHtml") is None


def test_values_at_walks_lists():
    data = {"credits": {"by": [{"name": "김하늘"}, {"name": "이바다"}, {"org": "x"}]}}
    assert values_at(data, "credits.by.name") == ["김하늘", "이바다"]
    assert values_at(data, "credits.missing") == []


def test_arc_content_elements_become_html_without_embeds():
    html = content_elements_html(
        [
            {"type": "text", "content": "첫 문단"},
            {"type": "raw_html", "content": "<script>ad()</script>"},
            {
                "type": "image",
                "url": "https://x.example/a.jpg",
                "caption": "사진 설명",
                "credits": {"by": [{"name": "가람일보"}]},
            },  # fmt: skip
            {"type": "header", "content": "소제목"},
            {"type": "list", "items": [{"type": "text", "content": "하나"}]},
        ]
    )
    assert html == (
        '<p>첫 문단</p><figure><img src="https://x.example/a.jpg"><figcaption>사진 설명 가람일보'
        "</figcaption></figure><h3>소제목</h3><ul><li>하나</li></ul>"
    )


# --- one page per rule ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=CASES)
def case(request):
    html, expected = load(request.param)
    return extract_article(html, expected["url"]), expected


def test_fixture_pages_cover_many_outlets():
    assert len(CASES) >= 30


def test_page_is_read_by_its_rule(case):
    _, expected = case
    assert rule_for(expected["url"]).key == expected["rule"]


def test_title_subtitles_authors_and_outlet(case):
    article, expected = case
    assert article.title == expected["title"]
    assert article.subtitles == expected["subtitles"]
    assert article.authors == expected["authors"]
    assert article.outlet == expected["outlet"]


def test_published_at_is_aware_kst(case):
    article, expected = case
    assert article.published_at == datetime.fromisoformat(expected["published_at"])
    assert article.published_at.utcoffset() == timedelta(hours=9)


def test_body_paragraphs_are_exactly_the_article(case):
    article, expected = case
    assert article.body_text.split("\n\n") == expected["paragraphs"]


def test_lead_tag_becomes_the_credit(case):
    article, expected = case
    assert article.credit == expected["credit"]


def test_photos_keep_their_captions_and_credits(case):
    article, expected = case
    assert [{"url": i.url, "caption": i.caption} for i in article.images] == expected["images"]
    for image in article.images:
        assert f'<img src="{escape(image.url)}"' in article.body_html


def test_body_html_has_one_block_per_paragraph_and_no_noise(case):
    article, expected = case
    blocks = re.findall(r"<(?:p|h[2-4]|blockquote|ul|ol|table)>", article.body_html)
    assert len(blocks) == len(expected["paragraphs"])
    outside_figures = re.sub(r"<figure>.*?</figure>", "", article.body_html, flags=re.S)
    for noise in expected["body_excludes"]:
        assert noise not in article.body_text, noise
        assert noise not in outside_figures, noise


def test_text_is_nfc(case):
    article, _ = case
    for text in [article.title, article.body_text, *article.subtitles, *article.authors]:
        assert unicodedata.is_normalized("NFC", text)


def test_page_a_rule_cannot_read_falls_back_to_the_generic_extractor():
    # An ND Soft URL whose page has another layout: the family rule finds no body.
    html = (PAGES.parent / "noisy_portal.html").read_text(encoding="utf-8")
    url = "https://news.solbit.example/news/articleView.html?idxno=551203"
    article = extract_article(html, url)
    assert rule_for(url).key == "~ndsoft"
    assert article.title == "솔빛시 공공자전거 '솔바퀴' 1년… 하루 평균 4천 명 탄다"
    assert len(article.body_text.split("\n\n")) == 6


def test_deeply_nested_body_is_read():
    nested = (
        "<div>" * 200
        + "<p>가람시가 시내버스 첫차를 30분 앞당긴다. 새벽 일터로 가는 시민을 위해서다. 운전기사 24명도 새로 뽑는다.</p>"
    )
    html = f"<html><body><div id='article-view-content-div'>{nested}{'</div>' * 200}</div></body></html>"
    article = extract_article(html, "https://www.garam.example/news/articleView.html?idxno=1")
    assert article.body_text.startswith("가람시가 시내버스 첫차를")


# --- the sample outlets of `newsrank demo` extract perfectly -----------------------------------


def demo_articles():
    start = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    for path in sorted(DEMO.glob("*.json")):
        outlet = json.loads(path.read_text(encoding="utf-8"))
        scheme = _SCHEMES[outlet["slug"]]  # the article paths and lead tags the demo serves
        outlet_in_lead = re.search(r"=\s*([^)]+)\)|^\[([^\]]+)\]", scheme.lead)
        credit = next((g for g in outlet_in_lead.groups() if g), None) if outlet_in_lead else None
        for raw in outlet["articles"]:
            published = start + timedelta(minutes=raw["offset_minutes"])
            yield outlet, raw, published, scheme.article, scheme.lead, credit


@pytest.mark.parametrize(
    ("outlet", "raw", "published", "pattern", "lead", "credit"),
    list(demo_articles()),
    ids=lambda value: value["id"] if isinstance(value, dict) and "id" in value else None,
)
def test_demo_article_extracts_perfectly(outlet, raw, published, pattern, lead, credit):
    slug, base = outlet["slug"], "http://127.0.0.1:8765"
    local = published.astimezone(layouts.KST)
    path = f"/{slug}/" + pattern.format(
        id=raw["id"], section=raw["section"], y=f"{local:%Y}", m=f"{local:%m}", d=f"{local:%d}"
    )
    lead = lead.format(reporter=raw["reporter"])
    photos = tuple(
        layouts.Photo(f"/{slug}/p{n}.svg", f"{base}/{slug}/p{n}.svg", i["caption"], i["credit"])
        for n, i in enumerate(raw.get("images", []), 1)
    )
    page = layouts.Page(
        outlet=outlet["name"], outlet_slug=slug, home=f"/{slug}/", url=base + path, id=raw["id"],
        section=raw["section"], title=raw["title"], subtitles=tuple(raw.get("subtitles", [])),
        reporter=raw["reporter"], email=raw["email"], body=(lead + raw["body"][0], *raw["body"][1:]),
        photos=photos, published=published,
        related=(layouts.Link("다른 기사 제목", f"/{slug}/"),),
        popular=(layouts.Link("많이 읽은 기사", f"/{slug}/"),),
    )  # fmt: skip
    article = extract_article(layouts.ARTICLE_LAYOUTS[slug](page), base + path)
    assert rule_for(base + path) is not None
    assert (article.title, article.subtitles, article.authors, article.outlet) == (
        raw["title"], raw.get("subtitles", []), [raw["reporter"]], outlet["name"]
    )  # fmt: skip
    assert article.body_text.split("\n\n") == raw["body"]
    assert article.published_at == published
    assert article.credit == credit
    assert [(i.url, i.caption) for i in article.images] == [
        (p.url, f"{p.caption} {p.credit}") for p in photos
    ]
