"""Tests for newsrank.ingest.extract: fixture pages with their expected output, and non-articles.

Each `tests/fixtures/pages/<name>.html` (written for this project, fictional outlets) has a
`<name>.expected.json` beside it; `not_article_*.html` pages have none and must be refused.
"""

import json
import re
import unicodedata
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import pytest

from newsrank.ingest.extract import ExtractError, extract_article
from newsrank.ingest.extract_meta import clean_author_names, strip_site_suffix
from newsrank.ingest.sanitize import strip_tags

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
ARTICLE_PAGES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


def load(name: str) -> tuple[str, dict]:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return html, expected


@pytest.fixture(scope="module", params=ARTICLE_PAGES)
def case(request):
    html, expected = load(request.param)
    return extract_article(html, expected["url"]), expected


def test_fixture_pages_are_present():
    assert len(ARTICLE_PAGES) >= 5


def test_title(case):
    article, expected = case
    assert article.title == expected["title"]


def test_subtitles(case):
    article, expected = case
    assert article.subtitles == expected["subtitles"]


def test_authors(case):
    article, expected = case
    assert article.authors == expected["authors"]


def test_published_at_is_aware_and_correct(case):
    article, expected = case
    assert article.published_at is not None
    assert article.published_at.utcoffset() == timedelta(hours=9)  # shown as the page shows it
    assert article.published_at == datetime.fromisoformat(expected["published_at"])


def test_outlet_lang_and_canonical_url(case):
    article, expected = case
    assert (article.outlet, article.lang, article.canonical_url) == (
        expected["outlet"],
        expected["lang"],
        expected["canonical_url"],
    )


def test_body_paragraphs(case):
    article, expected = case
    paragraphs = article.body_text.split("\n\n")
    assert paragraphs[0] == expected["first_paragraph"]
    assert paragraphs[-1] == expected["last_paragraph"]
    assert len(paragraphs) == expected["paragraph_count"]


def test_lead_tag_outlet_is_the_credit(case):
    article, expected = case
    assert article.credit == expected["credit"]


def test_body_html_has_one_block_per_paragraph(case):
    article, expected = case
    blocks = re.findall(r"<(?:p|h[2-4]|blockquote|ul|ol|table)>", article.body_html)
    assert len(blocks) == expected["paragraph_count"]
    for fragment in expected.get("body_html_contains", []):
        assert fragment in article.body_html


def test_images_with_captions(case):
    article, expected = case
    assert [{"url": i.url, "caption": i.caption} for i in article.images] == expected["images"]


def test_body_figures_match_images(case):
    article, expected = case
    for image in article.images:
        if image.caption:  # a captioned photo sits in the body where the page had it
            assert f'<img src="{image.url}"' in article.body_html
            assert f"<figcaption>{escape(image.caption, quote=False)}" in article.body_html


def test_noise_and_repeated_text_stay_out_of_the_body(case):
    # Captions belong in the body's <figure>s only; subtitles, navigation, related articles,
    # comments and tracking pixels nowhere.
    article, expected = case
    html_outside_figures = re.sub(r"<figure>.*?</figure>", "", article.body_html, flags=re.S)
    for noise in expected["body_excludes"]:
        assert noise not in article.body_text, noise
        assert noise not in html_outside_figures, noise


def test_all_text_is_nfc(case):
    article, _ = case
    for text in [article.title, article.body_text, *article.subtitles, *article.authors]:
        assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ((PAGES / "not_article_list.html").read_text(encoding="utf-8"), "list page"),
        ((PAGES / "not_article_empty.html").read_text(encoding="utf-8"), "client-rendered shell"),
        ("", "empty string"),
        ('{"title": "가람시 도서관", "body": "JSON, not a page"}', "JSON"),
        ("가람시가 폐교를 도서관으로 바꾼다. 내년 3월에 문을 연다.", "plain text"),
        ("<html><body><p>기사가 삭제되었습니다.</p></body></html>", "one-line notice"),
        (
            "<html><body><div><p>요청하신 페이지를 찾을 수 없습니다. 주소를 확인해 주세요.</p></div></body></html>",
            "not-found page",
        ),
    ],
    ids=lambda value: value if len(value) < 40 else None,
)
def test_non_articles_raise_extract_error(html, reason):
    with pytest.raises(ExtractError):
        extract_article(html, "https://www.garamilbo.example/news/articleList.html")


def test_nfd_input_comes_out_nfc():
    html, expected = load("modern_jsonld")
    article = extract_article(unicodedata.normalize("NFD", html), expected["url"])
    assert article.title == expected["title"]
    assert unicodedata.is_normalized("NFC", article.body_text)


def test_single_br_separated_paragraphs_are_split():
    # 서울신문- and 노컷-style bodies: one <br> between paragraphs and no <br><br> at all.
    lines = [
        "가람시는 내년부터 시내버스 첫차 시간을 30분 앞당긴다고 밝혔다.",
        "새벽 일터로 나가는 시민들의 요구가 꾸준히 이어졌기 때문이다.",
        "시는 이를 위해 운전기사 24명을 새로 뽑기로 했으며, 예산은 시의회 심사를 거쳐 확정된다.",
    ]
    html = f"<html><body><div class='viewContent'>{'<br>'.join(lines)}</div></body></html>"
    article = extract_article(html, "https://www.garamilbo.example/news/1")
    assert article.body_text.split("\n\n") == lines


def test_relative_image_urls_become_absolute_and_pixels_are_skipped():
    body = "".join(
        f"<p>가람시가 새 청사 설계 공모 결과를 발표했다. 당선작은 {n}번째 안이다.</p>"
        for n in range(4)
    )
    html = f"""<html><body><article>
        <figure><img src="../photo/hall.jpg" width="800"><figcaption>당선작 조감도. 사진=가람시</figcaption></figure>
        {body}<img src="/log/pixel.gif" width="1" height="1"><img src="/img/icon_mail.png">
        <img src="/img/icon_odd.gif" width="²">
        </article></body></html>"""
    article = extract_article(html, "https://www.garamilbo.example/news/view/20001")
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://www.garamilbo.example/news/photo/hall.jpg", "당선작 조감도. 사진=가람시")
    ]


def test_subtitle_lookalikes_in_popups_and_related_lists_are_ignored():
    body = "".join(
        f"<p>가람시 의회가 내년 예산안을 {n}차 심사했다. 위원들은 복지 예산을 따졌다.</p>"
        for n in range(4)
    )
    html = f"""<html><body>
        <h1>가람시의회 예산 심사</h1><h2 class="sub-title">복지 예산 두고 공방</h2>
        <div class="article_body">{body}</div>
        <ul class="related"><li><p class="summary">다른 기사의 요약문이다.</p></li></ul>
        <div class="popup-alert"><strong class="sub-tit">업로드 가능 파일 형식</strong></div>
        </body></html>"""
    article = extract_article(html, "https://www.garamilbo.example/news/3")
    assert article.subtitles == ["복지 예산 두고 공방"]
    assert "복지 예산 두고 공방" not in article.body_text


def test_br_br_inside_one_p_becomes_paragraphs():
    paragraphs = [
        "누리시는 올겨울 제설 장비 40대를 새로 배치한다고 밝혔다.",
        "시는 지난해 폭설 때 제설이 늦었다는 지적을 받았다.",
        "새 장비는 다음 달 중순부터 주요 간선도로에 먼저 투입된다.",
    ]
    html = f"<html><body><div><p>{'<br><br>'.join(paragraphs)}</p></div></body></html>"
    article = extract_article(html, "https://www.nurieconomy.example/news/4")
    assert article.body_text.split("\n\n") == paragraphs
    assert article.body_html == "\n".join(f"<p>{p}</p>" for p in paragraphs)


@pytest.mark.parametrize(
    ("raw", "outlet", "expected"),
    [
        ("가람시 도서관 개관 - 가람일보", "가람일보", "가람시 도서관 개관"),
        ("가람시 도서관 개관 | 누리경제", None, "가람시 도서관 개관"),
        ("가람시 도서관 개관 :: 솔빛신문", None, "가람시 도서관 개관"),
        ("가람시 도서관 개관 < 사회 < 기사본문 - 가람일보", None, "가람시 도서관 개관"),
        ("가람시 도서관 개관-사회ㅣ다온타임스", "다온타임스", "가람시 도서관 개관"),
        ("가람-누리 고속도로 개통 - Daon Times", None, "가람-누리 고속도로 개통"),
        ("A - B 대결, 결승서 만난다", None, "A - B 대결, 결승서 만난다"),
        ('가람시장 "예산 - 복지 우선"', None, '가람시장 "예산 - 복지 우선"'),
    ],
)
def test_strip_site_suffix(raw, outlet, expected):
    assert strip_site_suffix(raw, outlet) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("김하늘 기자", ["김하늘"]),
        ("김하늘·이바다 기자", ["김하늘", "이바다"]),
        ("김하늘 기자, 이바다 기자", ["김하늘", "이바다"]),
        ("가람일보 김하늘 선임기자 sky@garamilbo.example", ["김하늘"]),
        ("김하늘 특파원 (가람일보)", ["김하늘"]),
        ("김하늘, 이바다", ["김하늘", "이바다"]),
        ("Jane Doe", ["Jane Doe"]),
        ("가람일보", []),
        ("누리경제", []),
        ("sky@garamilbo.example", []),
        ("입력 2026.11.28 14:03", []),
    ],
)
def test_clean_author_names(raw, expected):
    assert clean_author_names(raw, "가람일보") == expected


def test_one_sentence_breaking_news_is_an_article():
    html = """<html><head><meta property="og:title" content="[속보] 가람시장, 내년 예산안 재의 요구"></head>
        <body><h1>[속보] 가람시장, 내년 예산안 재의 요구</h1><div class="article_body">
        <p>(가람=한빛뉴스) 한여울 기자 = 가람시장이 28일 시의회가 의결한 내년도 예산안에 대해 재의를 요구했다.</p>
        </div></body></html>"""
    article = extract_article(html, "https://www.hanbitnews.example/view/HBN20261128009900001")
    assert article.title == "[속보] 가람시장, 내년 예산안 재의 요구"
    assert article.authors == ["한여울"]
    assert article.body_text.endswith("재의를 요구했다.")


def test_container_with_trailing_brs_keeps_all_its_text():
    # Only one paragraph: the container is left as it is, inline tails included.
    text = (
        "가람시는 <b>올해 처음</b> 시민 정원사 120명을 뽑았다고 밝혔다. "
        "정원사들은 내년 봄부터 동네 화단 40곳을 가꾼다. 교육은 다음 달 시작한다."
    )
    html = f"<html><body><div class='article_txt'>{text}<br><br><br></div></body></html>"
    article = extract_article(html, "https://www.garamilbo.example/news/5")
    assert article.body_text == strip_tags(text)


FLASH = """<html lang="ko"><head><meta charset="utf-8">{meta}<title>[속보] 가상시 첫 눈</title></head>
<body><article><h1>[속보] 가상시 첫 눈</h1><p>가상시 기상대는 오늘 아침 올겨울 첫 눈이 내렸다고 밝혔다.</p></article></body></html>"""


def test_a_one_line_flash_is_an_article_when_the_page_says_it_is_one():
    page = FLASH.format(meta='<meta property="og:type" content="article">')
    article = extract_article(page, "https://flash.example/1")
    assert article.body_text == "가상시 기상대는 오늘 아침 올겨울 첫 눈이 내렸다고 밝혔다."


def test_a_one_line_page_without_article_metadata_is_not_an_article():
    with pytest.raises(ExtractError, match="too little article text"):
        extract_article(FLASH.format(meta=""), "https://flash.example/1")
