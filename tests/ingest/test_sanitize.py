"""Tests for newsrank.ingest.sanitize: hostile HTML in, safe article HTML out; titles to text."""

import re

import pytest

from newsrank.ingest.sanitize import sanitize_html, strip_tags

BASE = "https://www.garamilbo.example/news/articleView.html?idxno=20481"
REL = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize(
    ("hostile", "safe"),
    [
        ("<p>본문<script>alert(1)</script></p>", "<p>본문</p>"),
        ("<p>본문</p><SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<p>본문</p>"),
        ('<img src="/p.jpg" onerror="alert(1)">', '<img src="https://www.garamilbo.example/p.jpg">'),
        ('<p onclick="steal()" onmouseover="x()">본문</p>', "<p>본문</p>"),
        ('<a href="javascript:alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="JaVaScRiPt:alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href=" javascript:alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="&#106;avascript:alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="&#x6A;&#x61;vascript&#58;alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="java&#x09;script:alert(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="vbscript:msgbox(1)">링크</a>', f"<a {REL}>링크</a>"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">링크</a>', f"<a {REL}>링크</a>"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
        ('<p style="background:url(javascript:alert(1))">본문</p>', "<p>본문</p>"),
        ("<style>body{display:none}</style><p>본문</p>", "<p>본문</p>"),
        ('<iframe src="https://evil.example/"></iframe><p>본문</p>', "<p>본문</p>"),
        ('<svg onload="alert(1)"><circle r="1"/></svg><p>본문</p>', "<p>본문</p>"),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>본문', "본문"),
        ('<object data="evil.swf"></object><embed src="evil.swf">본문', "본문"),
        ('<form action="https://evil.example/"><input name="pw"></form>본문', "본문"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">본문', "본문"),
        ('<base href="https://evil.example/">본문', "본문"),
        ("<!-- <script>alert(1)</script> -->본문", "본문"),
        ("<noscript><p>자바스크립트를 켜세요</p></noscript>본문", "본문"),
        ('<div class="x" id="y"><span style="color:red">본문</span></div>', "본문"),
        ("<p><img src=x onerror=alert(1)//", "<p></p>"),  # unfinished tag at the end: dropped
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
    ],
)  # fmt: skip
def test_hostile_input_becomes_safe(hostile, safe):
    assert sanitize_html(hostile, BASE) == safe


@pytest.mark.parametrize(
    "hostile",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        "<svg/onload=alert(1)>",
        '<body onload="alert(1)">',
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
        '&#0000112&#0000116&#0000058alert(1)">x</a>',
        '<IMG SRC="jav&#x0A;ascript:alert(1);">',
        '<details open ontoggle="alert(1)">',
        '<video><source onerror="alert(1)"></video>',
    ],
)
def test_no_script_handler_or_script_url_survives(hostile):
    cleaned = sanitize_html(hostile, BASE).lower()
    assert "script" not in cleaned.replace("</p>", "")
    assert not re.search(r"\son\w+=", cleaned)


def test_keeps_article_markup():
    html = (
        "<h2>소제목</h2><p>첫 문단 <strong>강조</strong> <em>기울임</em><br>둘째 줄</p>"
        "<blockquote>인용</blockquote><ul><li>하나</li></ul><ol><li>둘</li></ol>"
        '<figure><img src="https://cdn.garamilbo.example/a.jpg" alt="사진" width="640" '
        'height="427"><figcaption>설명. 사진=가람일보</figcaption></figure>'
        '<table><caption>표</caption><thead><tr><th colspan="2">구분</th></tr></thead>'
        '<tbody><tr><td rowspan="1">1</td><td>2</td></tr></tbody></table><hr>'
    )
    assert sanitize_html(html, BASE) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/news/1">기사</a>', f'<a href="https://www.garamilbo.example/news/1" {REL}>기사</a>'),
        ('<a href="2">기사</a>', f'<a href="https://www.garamilbo.example/news/2" {REL}>기사</a>'),
        ('<img src="//cdn.garamilbo.example/a.jpg">', '<img src="https://cdn.garamilbo.example/a.jpg">'),
        ('<img src="../photo/a.jpg">', '<img src="https://www.garamilbo.example/photo/a.jpg">'),
        ('<a href="  https://a.example/x  ">x</a>', f'<a href="https://a.example/x" {REL}>x</a>'),
        ('<a href="http://a.example/" title="원문">x</a>', f'<a href="http://a.example/" title="원문" {REL}>x</a>'),
        ('<a href="https://a.example/" rel="opener" target="_blank">x</a>', f'<a href="https://a.example/" {REL}>x</a>'),
        ('<a href="ftp://a.example/f">x</a>', f"<a {REL}>x</a>"),
        ('<img src="a.jpg" width="100%" height="auto">', '<img src="https://www.garamilbo.example/news/a.jpg">'),
    ],
)  # fmt: skip
def test_urls_are_absolute_http_and_links_get_rel(html, expected):
    assert sanitize_html(html, BASE) == expected


def test_without_base_url_relative_urls_pass_through():
    assert sanitize_html('<a href="/n/1">x</a>') == f'<a href="/n/1" {REL}>x</a>'


def test_empty_input():
    assert sanitize_html("") == ""
    assert sanitize_html("   ") == ""


def test_output_is_nfc():
    assert sanitize_html("<p>\u1100\u1161\u11ab</p>") == "<p>간</p>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>속보</b> 가람시장 선출", "속보 가람시장 선출"),
        ("<script>alert(1)</script>가람시 예산", "가람시 예산"),
        ("<style>p{}</style>제목", "제목"),
        ("가람 &amp; 누리 &quot;협약&quot;", '가람 & 누리 "협약"'),
        ("A < B 논란", "A < B 논란"),
        ("&lt;script&gt;는 글자일 뿐", "<script>는 글자일 뿐"),
        ("  가람\n\t일보\u00a0\u3000속보 ", "가람 일보 속보"),
        ("줄<br>바꿈", "줄 바꿈"),
        ("제로\u200b폭", "제로폭"),
        ("계정 확인\u202e 사기 주의", "계정 확인 사기 주의"),  # a right-to-left override
        ("제목\u2066\u2067\u2068\u2069\u200f", "제목"),  # isolates and marks
        ("\u1100\u1161\u11ab", "간"),
        ("", ""),
        (None, ""),
    ],
)
def test_strip_tags(text, expected):
    assert strip_tags(text) == expected


def test_bidi_overrides_are_removed_from_bodies():
    # "\u202egnp.exe" displays as "exe.png": a file name or link text that lies about itself.
    assert (
        sanitize_html("<p>\u202egnp.exe 파일</p><p>\u2067x\u2069</p>")
        == "<p>gnp.exe 파일</p><p>x</p>"
    )
