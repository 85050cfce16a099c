"""Read an article page's metadata with lxml: title, subtitles, authors, date, outlet, language.

These are the parts trafilatura misses or gets wrong on Korean pages: site-name suffixes in titles
(" - 가람일보", "제목 < 사회 < 기사본문 - 가람일보" on ND Soft sites), subheadlines (부제) in
classed elements, bylines such as "김하늘 기자 sky@…" or "(서울=○○뉴스) 김하늘 기자 =", and dates
without a zone (they mean KST). Each reader tries its sources in order of reliability.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from newsrank.ingest.feeds import SEOUL, parse_datetime, search_datetime

HtmlElement = lxml_html.HtmlElement


def squash(text: str | None) -> str:
    """Collapse all whitespace (including NBSP and ideographic space) to single spaces."""
    return " ".join((text or "").split())


def tokens(el: HtmlElement) -> list[str]:
    """The element's class names and id, lower-cased."""
    return (el.get("class", "") + " " + el.get("id", "")).lower().split()


def absolute_url(link: str | None, base: str) -> str | None:
    """Resolve `link` against `base`; None unless the result is an http(s) URL."""
    link = (link or "").strip()
    if not link or link.startswith("data:"):
        return None
    absolute = urljoin(base, link)
    parts = urlsplit(absolute)
    return absolute if parts.scheme in {"http", "https"} and parts.netloc else None


# --- meta tags and JSON-LD --------------------------------------------------------------------


def meta_content(tree: HtmlElement, *names: str) -> str | None:
    """The first non-empty `<meta>` content whose property, name or itemprop is one of `names`."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for el in tree.xpath(f"//meta[@{attr}=$name]", name=name):
                content = squash(el.get("content"))
                if content:
                    return content
    return None


_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "OpinionNewsArticle", "BlogPosting", "WebPage", "ReviewNewsArticle"}  # fmt: skip


_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def json_ld_article(tree: HtmlElement) -> dict[str, Any]:
    """The page's JSON-LD article object (NewsArticle etc., also inside `@graph`), or {}."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        text = script.text or ""
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            # Outlets' templates leave trailing commas ("…},}"); try once without them.
            try:
                data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
            except ValueError:
                continue
        found.extend(_json_ld_objects(data))
    for wanted in (_ARTICLE_TYPES - {"WebPage"}, {"WebPage"}):
        for obj in found:
            types = obj.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & wanted:
                return obj
    return {}


def _json_ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_objects(data.get("@graph", []))


def _names(value: Any, *, persons_only: bool) -> list[str]:
    """Names from a JSON-LD author/publisher value (a string, an object or a list of them)."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item, persons_only=persons_only)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if persons_only and value.get("@type") not in (None, "Person"):
            return []
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    return []


# --- title ------------------------------------------------------------------------------------

# A trailing " - X" / " | X" / " :: X" segment is a site name when X is the outlet or looks like
# one.
_SUFFIX = re.compile(r"^(?P<head>.*\S)\s+(?:[-|–—:<>·]|::)\s+(?P<tail>[^-|–—<>]{1,30})$")
_SITE_WORDS = re.compile(
    r"(일보|신문|뉴스|경제|방송|타임스|저널|미디어|투데이|데일리|기사본문|뉴스1|TV|"
    r"news|times|daily|journal|herald|post|\.com|\.co\.kr|\.kr|\.net|\.example)$",
    re.I,
)


# Bar-like separators need no spaces around them: "제목-정치ㅣ한국일보".
_BAR_SUFFIX = re.compile(r"^(?P<head>.*\S)\s*[ㅣ｜|]\s*(?P<tail>[^ㅣ｜|]{1,20})$")
# A section name glued to the headline: "제목-정치", "제목 | 사회".
_SECTION_SUFFIX = re.compile(
    r"\s*[-|ㅣ]\s*(?:정치|경제|사회|국제|문화|스포츠|연예|오피니언|IT|전국|라이프|생활|산업|증권|"
    r"부동산|사설|칼럼)$"
)


def read_title(tree: HtmlElement, ld: dict[str, Any], outlet: str | None, fallback: str) -> str:
    """The headline: og:title, JSON-LD headline, the page's `<h1>`, `fallback`, then <title>."""
    headline = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    candidates = [
        meta_content(tree, "og:title", "twitter:title"),
        headline,
        _main_h1(tree),
        fallback,
        squash(tree.findtext(".//title")),
    ]
    for candidate in candidates:
        title = strip_site_suffix(squash(candidate), outlet)
        if title:
            return title
    return ""


def _main_h1(tree: HtmlElement) -> str | None:
    # Site logos are often an <h1> holding only an image or the outlet's short name.
    texts = [squash(h1.text_content()) for h1 in tree.iter("h1")]
    long_enough = [text for text in texts if len(text) >= 8]
    return max(long_enough, key=len) if long_enough else None


def strip_site_suffix(title: str, outlet: str | None) -> str:
    """Remove trailing site and section names ("제목 - 가람일보", "제목 < 사회 < 기사본문 - …")."""
    if " < " in title and re.search(r"<\s*기사본문", title):
        title = title.split(" < ")[0]  # ND Soft: "제목 < 섹션 < 기사본문 - 신문명"
    if (bar := _BAR_SUFFIX.match(title)) and _is_site_name(bar["tail"].strip(), outlet):
        title = bar["head"]
    title = _SECTION_SUFFIX.sub("", title)
    while match := _SUFFIX.match(title):
        if not _is_site_name(match["tail"].strip(), outlet):
            break
        title = match["head"]
    return title.strip()


def _is_site_name(text: str, outlet: str | None) -> bool:
    if outlet and (outlet in text or text in outlet):
        return True
    return bool(_SITE_WORDS.search(text))


# --- subtitles --------------------------------------------------------------------------------

# Class/id tokens outlets use for subheadlines: subtitle, sub_title, sub-tit, subtit,
# subhead(ing) (ND Soft h2.subheading), mid_title / midtitle_text (매일경제), tit-sub (연합뉴스),
# stit (서울신문); from ../shared/data/feeds/korean_feeds_notes.md section 6.
_SUBTITLE_TOKEN = re.compile(
    r"(?:^|[-_])(?:sub[-_]?tit(?:le)?s?|sub[-_]?head(?:ing|line)?s?|mid[-_]?title|tit[-_]sub)"
    r"(?:$|[-_])|^stit$"
)
# Weaker names that are a subtitle only inside the article header.
_LEDE_TOKEN = re.compile(r"(?:^|[-_])(?:lede|lead|summary|standfirst|deck)(?:$|[-_])")
_CHROME_TAGS = {"nav", "footer", "aside", "li", "a", "form", "button"}
_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "dd", "dt"}


def find_subtitles(tree: HtmlElement) -> tuple[list[str], list[HtmlElement]]:
    """Subheadline lines and the elements that hold them (to keep them out of the body)."""
    lines: list[str] = []
    elements: list[HtmlElement] = []
    for el in tree.iter():
        if not isinstance(el, HtmlElement) or any(e in el.iterancestors() for e in elements):
            continue  # inside a subtitle element already taken
        names = tokens(el)
        strong = any(_SUBTITLE_TOKEN.search(name) for name in names)
        weak = not strong and any(_LEDE_TOKEN.search(name) for name in names)
        if not (strong or (weak and _in_article_header(el))) or _in_chrome(el):
            continue
        found = text_lines(el)
        if (
            not found
            or len(found) > 6
            or sum(map(len, found)) > 500
            or el.find(".//h1") is not None
        ):
            continue
        elements.append(el)
        lines.extend(line for line in found if line not in lines)
    return lines, elements


# Pop-ups, modals and hidden layers carry their own "sub-tit" headings (한국일보's report form).
_HIDDEN_TOKEN = re.compile(r"popup|modal|layer|dialog|toast|hidden|blind|sr-only")


def _in_chrome(el: HtmlElement) -> bool:
    return any(_is_chrome(node) for node in (el, *el.iterancestors()))


def _is_chrome(node: HtmlElement) -> bool:
    style = node.get("style", "").replace(" ", "")
    return (
        node.tag in _CHROME_TAGS
        or node.get("hidden") is not None
        or node.get("aria-hidden") == "true"
        or "display:none" in style
        or any(_HIDDEN_TOKEN.search(name) for name in tokens(node))
    )


def _in_article_header(el: HtmlElement) -> bool:
    for ancestor in el.iterancestors():
        if ancestor.tag in {"header", "article"}:
            return True
        if any("head" in name for name in tokens(ancestor)):
            return True
    return False


def text_lines(el: HtmlElement) -> list[str]:
    """The element's text split at `<br>` and block boundaries, each line squashed."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in {"script", "style"}:
            return
        if node.tag == "br" or node.tag in _BLOCK_TAGS:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")

    walk(el)
    return [line for line in (squash(raw) for raw in "".join(parts).split("\n")) if line]


# --- authors ----------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ROLE = (
    r"(?:선임|수석|객원|인턴|전문|사진|영상|정치부|사회부|경제부)?\s*"
    r"(?:기자|특파원|논설위원|편집위원|PD|앵커)"
)
_NAME = r"[가-힣]{2,4}"
# "김하늘 기자", "김하늘·이바다 기자", "김하늘 선임기자"
_NAMES_BEFORE_ROLE = re.compile(rf"({_NAME}(?:\s*[·,/]\s*{_NAME})*)\s*{_ROLE}(?![가-힣])")
# Wire-service lead: "(서울=한빛뉴스) 김하늘 기자 =" or "(가람=연합뉴스) 김하늘 이바다 기자 ="
_WIRE_LEAD = re.compile(
    rf"^\s*[(\[][^()\[\]=]{{1,12}}=[^()\[\]]{{1,15}}[)\]]\s*((?:{_NAME}[\s·,]*)+?)\s*{_ROLE}\s*="
)
_BYLINE_TOKEN = re.compile(r"byline|reporter|repoter|writer|author|journalist|info-name|kija")


def clean_author_names(raw: str, outlet: str | None = None) -> list[str]:
    """Names from a byline string: roles ("기자"), e-mails and the outlet's name removed."""
    text = _EMAIL.sub(" ", raw)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[(\[][^)\]]*[)\]]", " ", text)  # "(가람일보)", "[사진]"
    if outlet:
        text = text.replace(outlet, " ")
    with_role = _NAMES_BEFORE_ROLE.findall(text)
    # Without a role word the whole string may be one Latin name, so split only on separators.
    chunks = with_role or re.split(r"\s*[·,/&]\s*|\s+(?:및|and)\s+", text)
    names: list[str] = []
    for chunk in chunks:
        for part in re.split(r"\s*[·,/]\s*", chunk) if with_role else [chunk]:
            part = squash(re.sub(rf"\s*{_ROLE}$", "", squash(part)))
            if _looks_like_name(part) and part not in (outlet, *names):
                names.append(part)
    return names


def _looks_like_name(text: str) -> bool:
    if re.fullmatch(r"[가-힣]{2,5}", text):
        return not _SITE_WORDS.search(text)  # "가람일보" in meta author is the outlet
    # Latin names: two to four capitalised words ("Jane Doe").
    return bool(re.fullmatch(r"[A-Z][a-zA-Z'.-]+(?: [A-Z][a-zA-Z'.-]+){1,3}", text))


def read_authors(
    tree: HtmlElement, ld: dict[str, Any], outlet: str | None, paragraphs: list[str], fallback: str
) -> list[str]:
    """Authors from JSON-LD, meta tags, byline elements, the body's first/last lines, `fallback`."""
    ld_authors = _names(ld.get("author"), persons_only=True)
    meta_author = meta_content(tree, "author", "article:author", "dable:author") or ""
    sources: Iterable[list[str]] = (
        [name for raw in ld_authors for name in clean_author_names(raw, outlet)],
        clean_author_names(meta_author, outlet),
        _byline_element_names(tree, outlet),
        _body_byline_names(paragraphs),
        clean_author_names(fallback or "", outlet),
    )  # fmt: skip
    for names in sources:
        if names:
            return names
    return []


def _byline_element_names(tree: HtmlElement, outlet: str | None) -> list[str]:
    body = tree.find("body")
    for el in body.iter() if body is not None else ():
        if not isinstance(el, HtmlElement) or not any(_BYLINE_TOKEN.search(t) for t in tokens(el)):
            continue
        text = squash(el.text_content())
        if 2 <= len(text) <= 80 and (names := clean_author_names(text, outlet)):
            return names
    return []


def _body_byline_names(paragraphs: list[str]) -> list[str]:
    for paragraph in paragraphs[:3]:
        if lead := _WIRE_LEAD.match(paragraph):
            return [name for name in re.split(r"[\s·,]+", lead.group(1)) if name]
    for paragraph in reversed(paragraphs[-2:]):
        # A closing byline line: "김하늘 기자 sky@garam.example" (short, mostly the byline).
        if len(paragraph) <= 60 and _NAMES_BEFORE_ROLE.search(paragraph):
            return clean_author_names(paragraph)
    return []


# --- date, outlet, language, canonical --------------------------------------------------------

_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datePublished",
                   "pubdate", "publishdate", "publish-date", "article:published", "date",
                   "dc.date.issued", "DC.date.issued", "sailthru.date")  # fmt: skip
# "입력 2026.11.28 14:03", "기사입력 : 2026-11-28 14:03", "등록 2026.11.28 14:03"
_DATE_LABEL = re.compile(
    r"(?:기사\s*입력|입력|등록|발행|게재|승인)\s*(?:일시?)?\s*[:：]?\s*(?=\d{4})"
)


_DATE_WITH_TIME = re.compile(r"\d{4}\D{1,3}\d{1,2}\D{1,3}\d{1,2}\D{1,8}\d{1,2}\s*[:시]")


def read_published_at(
    tree: HtmlElement, ld: dict[str, Any], fallback: str | None
) -> datetime | None:
    """Publication time in Asia/Seoul, as the page shows it (the instant is what matters).

    Sources: meta tags, JSON-LD, `<time datetime>`, "입력 …" text, then `fallback`.
    """
    value = _published_at(tree, ld, fallback)
    return value.astimezone(SEOUL) if value else None


def _published_at(tree: HtmlElement, ld: dict[str, Any], fallback: str | None) -> datetime | None:
    candidates: list[str | None] = [meta_content(tree, *_PUBLISHED_META)]
    if isinstance(ld.get("datePublished"), str):
        candidates.append(ld["datePublished"])
    candidates.extend(el.get("datetime") for el in tree.xpath("//time[@datetime]"))
    for candidate in candidates:
        if candidate and (value := parse_datetime(candidate)):
            return value
    body = tree.find("body")
    text = squash(body.text_content()) if body is not None else ""
    for label in _DATE_LABEL.finditer(text):
        # Only a date with a time: "등록일 2015년 3월 2일" in a footer is the paper's registration.
        snippet = text[label.end() : label.end() + 40]
        if _DATE_WITH_TIME.match(snippet) and (value := search_datetime(snippet)):
            return value
    return parse_datetime(fallback) if fallback else None


def read_outlet(tree: HtmlElement, ld: dict[str, Any]) -> str | None:
    """The outlet's name: og:site_name, then the JSON-LD publisher."""
    names = _names(ld.get("publisher"), persons_only=False)
    return meta_content(tree, "og:site_name") or (squash(names[0]) if names else None) or None


def read_lang(tree: HtmlElement) -> str | None:
    """The primary language subtag ("ko" for "ko-KR") from `<html lang>`, meta tags or og:locale."""
    raw = tree.get("lang") or tree.get("xml:lang") or meta_content(tree, "og:locale")
    if not raw:
        for el in tree.xpath("//meta[@http-equiv]"):
            if el.get("http-equiv", "").lower() == "content-language":
                raw = el.get("content")
    primary = re.split(r"[-_,\s]", (raw or "").strip().lower())[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def read_canonical_url(tree: HtmlElement, url: str) -> str | None:
    """`<link rel=canonical>`, else og:url, made absolute."""
    for el in tree.xpath("//link[@href]"):
        if "canonical" in (el.get("rel") or "").lower().split():
            return absolute_url(el.get("href"), url)
    return absolute_url(meta_content(tree, "og:url"), url)
