"""Extract a news article (text, HTML, photos with captions, metadata) from its page.

When a site rule matches the URL (`rules.rule_for`: an outlet's host, or a CMS family's URL
pattern), it reads the title, subtitles, byline, date, body and photos from where that outlet puts
them, or from the JSON a client-rendered page keeps them in (`extract_rule`). The generic path
fills every field the rule leaves empty, and takes over the body when the rule's comes out empty:

1. parse the page with lxml and read its metadata (`extract_meta`);
2. collect photos with their captions (`extract_media`), take subheadlines and captions out of the
   page so the body does not repeat them, and rewrite layout tables and `<br><br>` text as
   paragraphs (`extract_body.prepare_tree`);
3. let trafilatura find the body, and turn its XML into blocks (`extract_body`);
4. keep the photos inside the article (under the nearest common ancestor of the first and last
   paragraph, or placed by trafilatura), and put each in the body where it stood on the page.

Either way the body's paragraphs then lose their Korean boilerplate (`clean`): bylines, copyright
lines, promotions, and the lead tag, whose outlet becomes `credit`. `body_html` is not sanitized
here; the pipeline runs `sanitize.sanitize_html` on it.
"""

from __future__ import annotations

import bisect
import copy
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from newsrank.ingest import extract_meta as meta
from newsrank.ingest.clean import Cleaned, clean_korean_boilerplate
from newsrank.ingest.extract_body import (
    Block,
    blocks_from_xml,
    prepare_tree,
    render_blocks,
    text_block,
    trim_trailing_lists,
)
from newsrank.ingest.extract_media import Image, Photo, find_photos
from newsrank.ingest.extract_meta import HtmlElement
from newsrank.ingest.extract_rule import RuleResult, apply_rule
from newsrank.ingest.feeds import search_datetime
from newsrank.ingest.rules import Rule, rule_for

__all__ = ["Article", "ExtractError", "Image", "extract_article"]


@dataclass(frozen=True)
class Article:
    """What the board needs from an article page. Text is NFC; `body_html` is unsanitized.

    `credit` is the outlet a lead tag names ("연합뉴스" of "(서울=연합뉴스) … 기자 ="), which may
    differ from `outlet` when a paper runs a wire story.
    """

    title: str
    subtitles: list[str]
    authors: list[str]
    published_at: datetime | None
    outlet: str | None
    body_text: str
    body_html: str
    images: list[Image]
    lang: str | None
    canonical_url: str | None
    credit: str | None = None


class ExtractError(Exception):
    """The page holds no article (not HTML, no body, or too little text); the message says why."""


# Less than about one full Korean sentence is an error notice ("기사가 삭제되었습니다."), a list
# page or an empty shell; a one-sentence [속보] item is still an article. A page that says it is
# an article (og:type, article:published_time or a NewsArticle in JSON-LD) may be shorter: a flash
# is often one short line.
MIN_BODY_CHARS = 50
MIN_ARTICLE_BODY_CHARS = 20
MIN_SENTENCES = 1
_SENTENCE_END = re.compile(r"[.!?。…](?=[\s\"'”’)\]]|$)")


@dataclass
class _Body:
    """The body as one of the two paths found it, and what that path learned on the way."""

    blocks: list[Block]
    images: list[Image]
    subtitles: list[str]
    title: str = ""  # trafilatura's, a fallback
    date: str | None = None
    author: str = ""


def extract_article(html: str, url: str) -> Article:
    """Extract the article from the page `html` fetched from `url`; raise ExtractError if none."""
    tree, scripts = _parse(html)
    ld = meta.json_ld_article(tree)
    rule = rule_for(url)
    outlet = meta.read_outlet(tree, ld) or (rule.outlet if rule and rule.outlet else None)
    ruled = _apply(rule, tree, scripts, url, outlet) if rule else RuleResult()
    if _text_length(ruled.blocks) >= MIN_BODY_CHARS:
        body = _Body(ruled.blocks, ruled.images, ruled.subtitles or [])
    else:
        body = _generic_body(tree, url, ruled, ld, outlet)

    raw = [b.text for b in body.blocks if b.kind not in {"figure", "table"}]
    _check_is_article(raw, _declares_article(tree, ld))
    blocks, cleaned = _clean_blocks(body.blocks)
    paragraphs = [b.text for b in blocks if b.kind != "figure"]
    if not paragraphs:
        raise ExtractError("no article text left once bylines and notices are removed")

    title = ruled.title and meta.strip_site_suffix(ruled.title, outlet)
    authors = ruled.authors or meta.read_authors(tree, ld, outlet, raw, body.author)
    images = body.images
    if not images and (cover := meta.absolute_url(meta.meta_content(tree, "og:image"), url)):
        images = [Image(url=cover, caption="")]  # the cover stands in; it has no caption
    return Article(
        title=title or meta.read_title(tree, ld, outlet, body.title),
        subtitles=body.subtitles,
        authors=authors or cleaned.reporters,
        published_at=ruled.published_at or meta.read_published_at(tree, ld, body.date),
        outlet=outlet,
        body_text="\n\n".join(paragraphs),
        body_html=render_blocks(blocks, images),
        images=images,
        lang=meta.read_lang(tree),
        canonical_url=meta.read_canonical_url(tree, url),
        credit=cleaned.credit,
    )


def _apply(
    rule: Rule, tree: HtmlElement, scripts: list[str], url: str, outlet: str | None
) -> RuleResult:
    """The rule's reading of the page; on a page it cannot read, nothing (the generic path runs)."""
    try:
        return apply_rule(rule, tree, scripts, url, outlet)
    except (RecursionError, ValueError, etree.LxmlError):
        return RuleResult()


def _generic_body(
    tree: HtmlElement, url: str, ruled: RuleResult, ld: dict, outlet: str | None
) -> _Body:
    """The body as trafilatura finds it, with photos placed and subtitles and captions left out."""
    if ruled.subtitles is None:
        subtitles, subtitle_elements = meta.find_subtitles(tree)
    else:
        subtitles, subtitle_elements = ruled.subtitles, ruled.subtitle_elements
    photos = find_photos(tree, url)
    captions = [photo.caption_element for photo in photos if photo.caption_element is not None]
    for el in subtitle_elements + captions:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the element's tail text, which belongs to its parent
    prepare_tree(tree)

    doc = trafilatura.bare_extraction(
        copy.deepcopy(tree),  # trafilatura prunes the tree it is given
        url=url,
        include_images=True,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        # Without it the teasers of a section list page (tests/fixtures/pages/not_article_list.html)
        # pass for an article; on the fixtures and the real pages it costs no body text.
        favor_precision=True,
    )
    if doc is None or doc.body is None:
        raise ExtractError("no article text found")
    title = ruled.title or meta.read_title(tree, ld, outlet, doc.title or "")
    shown_elsewhere = {*subtitles, " ".join(subtitles), title, *(p.image.caption for p in photos)}
    blocks = trim_trailing_lists(
        [b for b in blocks_from_xml(doc.body) if _is_body(b, shown_elsewhere)]
    )
    paragraphs = [b.text for b in blocks if b.kind != "figure"]
    _check_is_article(paragraphs, _declares_article(tree, ld))

    index = _TextIndex(tree)
    images = _article_images(index, photos, paragraphs, blocks)
    blocks = _place_missing_figures(index, blocks, photos, images)
    placed = {image.url: image for image in images}
    blocks = [b for b in blocks if b.kind != "figure" or b.html in placed]
    return _Body(blocks, images, subtitles, doc.title or "", doc.date, doc.author or "")


def _parse(html: str) -> tuple[HtmlElement, list[str]]:
    """The page's tree without scripts and styles, and the text of its scripts (JSON articles)."""
    if not html or not re.search(
        r"<\s*(?:html|head|body|div|p|article|main|section)\b", html, re.I
    ):
        raise ExtractError("not an HTML document")
    text = unicodedata.normalize("NFC", html)
    try:
        # lxml refuses str input that still carries an XML encoding declaration.
        tree = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not an HTML document: {exc}") from exc
    scripts = []
    for el in tree.xpath("//script[not(@type='application/ld+json')]|//style|//noscript"):
        if el.tag == "script" and el.text:
            scripts.append(el.text)
        el.drop_tree()
    return tree, scripts


def _text_length(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks if b.kind != "figure")


def _clean_blocks(blocks: list[Block]) -> tuple[list[Block], Cleaned]:
    """Blocks without Korean boilerplate; a changed block's HTML is rebuilt from its text."""
    texts = [(i, b) for i, b in enumerate(blocks) if b.kind not in {"figure", "table"}]
    cleaned = clean_korean_boilerplate([b.text for _, b in texts])
    kept = {
        texts[source][0]: text
        for source, text in zip(cleaned.sources, cleaned.paragraphs, strict=True)
    }
    result = []
    for i, block in enumerate(blocks):
        if block.kind in {"figure", "table"}:
            result.append(block)
        elif i in kept:
            text = kept[i]
            result.append(block if text == block.text else text_block(block.kind, text))
    return result, cleaned


# What is left of a dateline once its date is removed: "송고시간", "입력", "기사입력 :", "송고".
_DATELINE_REST = re.compile(r"[\d\s.:/\-()]+|오전|오후|입력|수정|등록|송고|시간|기사|승인|업데이트")


def _is_body(block: Block, shown_elsewhere: set[str]) -> bool:
    """False for text shown elsewhere (subtitles, captions, title) and for bare datelines."""
    text = block.text
    if block.kind == "figure":
        return True
    if text in shown_elsewhere:
        return False
    return not (len(text) <= 40 and search_datetime(text) and not _DATELINE_REST.sub("", text))


def _declares_article(tree: HtmlElement, ld) -> bool:
    """Whether the page's metadata says it is an article."""
    return bool(
        ld
        or meta.meta_content(tree, "og:type") == "article"
        or meta.meta_content(tree, "article:published_time")
    )


def _check_is_article(paragraphs: list[str], declared: bool) -> None:
    text = " ".join(paragraphs)
    if not text:
        raise ExtractError("no article text found")
    sentences = len(_SENTENCE_END.findall(text))
    minimum = MIN_ARTICLE_BODY_CHARS if declared else MIN_BODY_CHARS
    if len(text) < minimum or sentences < MIN_SENTENCES:
        raise ExtractError(
            f"too little article text ({len(text)} characters, {sentences} sentences)"
        )


# --- where the paragraphs and photos are on the page ------------------------------------------


class _TextIndex:
    """The page's body text without whitespace, to find the element where a paragraph starts.

    Whitespace is dropped on both sides because inline tags split text nodes at arbitrary places
    ("<b>[가람일보]</b> 본문", "<b>가</b>나").
    """

    def __init__(self, tree: HtmlElement) -> None:
        self.order = {el: position for position, el in enumerate(tree.iter())}
        parts, self.starts, self.owners = [], [], []
        offset = 0
        for node in tree.xpath("//body//text()"):
            text = "".join(node.split())
            parent = node.getparent()
            owner = parent.getparent() if node.is_tail else parent
            if text and owner is not None and owner.tag != "script":
                parts.append(text)
                self.starts.append(offset)
                self.owners.append(owner)
                offset += len(text)
        self.text = "".join(parts)

    def locate(self, paragraph: str, *, last: bool = False) -> HtmlElement | None:
        """The element holding the start of `paragraph` (its last occurrence if `last`)."""
        probe = "".join(paragraph.split())[:15]
        at = self.text.rfind(probe) if last else self.text.find(probe)
        if not probe or at < 0:
            return None
        return self.owners[bisect.bisect_right(self.starts, at) - 1]


def _article_root(index: _TextIndex, paragraphs: list[str]) -> HtmlElement | None:
    """The nearest common ancestor of the first and last paragraph, unless that is the page."""
    long_ones = [p for p in paragraphs if len(p) >= 20] or paragraphs
    first = index.locate(long_ones[0])
    last = index.locate(long_ones[-1], last=True)
    if first is None or last is None:
        return None
    first_chain = [first, *first.iterancestors()]
    for ancestor in [last, *last.iterancestors()]:
        if ancestor in first_chain:
            if ancestor is first and len(long_ones) == 1:
                ancestor = ancestor.getparent()  # one paragraph: its container is the article
            return None if ancestor is None or ancestor.tag in {"body", "html"} else ancestor
    return None


def _article_images(
    index: _TextIndex, photos: list[Photo], paragraphs: list[str], blocks: list[Block]
) -> list[Image]:
    """Photos under the article root or its enclosing `<article>`, or placed by trafilatura."""
    placed = {block.html for block in blocks if block.kind == "figure"}
    root = _article_root(index, paragraphs)
    scope = []
    if root is not None:
        scope = [root, *(a for a in root.iterancestors() if a.tag == "article")]
    return [
        photo.image
        for photo in photos
        if photo.image.url in placed
        or any(s is photo.element or s in photo.element.iterancestors() for s in scope)
    ]


def _place_missing_figures(
    index: _TextIndex, blocks: list[Block], photos: list[Photo], images: list[Image]
) -> list[Block]:
    """Add the article photos trafilatura left out, before the first block that follows them."""
    placed = {block.html for block in blocks if block.kind == "figure"}
    missing = [p for p in photos if p.image in images and p.image.url not in placed]
    if not missing:
        return blocks
    positions = [index.order.get(index.locate(b.text)) if b.text else None for b in blocks]
    before: dict[int, list[Block]] = {}
    for photo in missing:
        at = index.order.get(photo.element, -1)
        target = next((i for i, pos in enumerate(positions) if pos is not None and pos > at), None)
        figure = Block("figure", "", photo.image.url)
        before.setdefault(len(blocks) if target is None else target, []).append(figure)
    result: list[Block] = []
    for position, block in enumerate([*blocks, None]):
        result.extend(before.get(position, []))
        if block is not None:
            result.append(block)
    return result
