"""Prepare a page's body for trafilatura, and turn trafilatura's XML body into our HTML.

Before: older Korean CMSs lay pages out with tables and separate paragraphs with `<br><br>` inside
one container (동아, 노컷, SBS, 서울신문 and most regional papers), which trafilatura would flatten
into one paragraph; `prepare_tree` rewrites both as `<div>`s and `<p>`s.

After: trafilatura's XML (`p`, `head`, `list/item`, `quote`, `table/row/cell`, `graphic`, `lb`)
becomes `Block`s, each with its plain text and HTML; `render_blocks` joins them, placing figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from lxml import etree
from lxml import html as lxml_html

from newsrank.ingest.extract_media import Image
from newsrank.ingest.extract_meta import HtmlElement, squash

_ENDS_AS_SENTENCE = re.compile(r"[.!?。][\"'”’)\]]*$")


def prepare_tree(tree: HtmlElement) -> None:
    """Rewrite layout tables as `<div>`s and `<br>`-separated text as `<p>`s, in place."""
    _unwrap_layout_tables(tree)
    _split_br_paragraphs(tree)


_BLOCK = {"p", "div", "table", "figure", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "section", "article", "aside", "header", "footer", "nav", "hr", "pre",
          "iframe", "form"}  # fmt: skip
_BR_CONTAINERS = ("div", "td", "section", "article", "p", "span", "font", "dd")


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout or to frame a photo into `<div>`s.

    Older Korean CMSs lay out the whole page, and frame photos, with tables; trafilatura would
    otherwise keep such a table as a data table and flatten the article inside one cell.
    """
    for table in reversed(list(tree.iter("table"))):  # innermost first
        cells = [c for c in table.iter("td", "th") if _owner_table(c) is table]
        texts = [squash(c.text_content()) for c in cells]
        has_blocks = any(c.find(f".//{tag}") is not None for c in cells for tag in _LAYOUT_BLOCKS)
        long_text = any(len(text) > 150 for text in texts)
        photo_frame = table.find(".//img") is not None and sum(map(bool, texts)) <= 2
        if has_blocks or long_text or photo_frame:
            for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th", "caption")]:
                if el is table or _owner_table(el) is table:
                    el.tag = "div"
                    el.attrib.pop("width", None)


_LAYOUT_BLOCKS = ("div", "p", "table", "ul", "ol", "h1", "h2", "h3", "form", "br")


def _owner_table(el: HtmlElement) -> HtmlElement | None:
    return next(el.iterancestors("table"), None)


def _split_br_paragraphs(tree: HtmlElement) -> None:
    """Rewrite text that is separated by `<br>` runs inside one container as `<p>` paragraphs.

    A run of two or more `<br>` ends a paragraph; when a container has no such run, one `<br>` does
    (서울신문, 노컷 separate paragraphs with a single one). Only containers with a good amount of
    their own text are touched, so layout `<br>`s between blocks stay as they are. The original
    child elements are moved, not copied, so references to them (photos) stay valid.
    """
    for el in list(tree.iter(*_BR_CONTAINERS)):
        own_text = (el.text or "") + "".join(child.tail or "" for child in el)
        if sum(child.tag == "br" for child in el) < 2 or len(own_text.strip()) < 80:
            continue
        plan = _paragraph_plan(el)
        if len(plan) < 2:
            continue
        for child in el:
            child.tail = None
        for child in list(el):
            el.remove(child)
        el.text = None
        target = el
        if el.tag in {"p", "span", "font"}:
            # A <p> cannot hold <p>s: the new paragraphs go in a <div> that takes its place.
            target = lxml_html.Element("div")
            target.tail, el.tail = el.tail, None
            el.addprevious(target)
            el.getparent().remove(el)
        for group in plan:
            target.append(group if isinstance(group, etree._Element) else _paragraph(group))


_LINE_BREAK = object()  # marks a kept single <br> inside a paragraph of the plan


def _paragraph_plan(el: HtmlElement) -> list[HtmlElement | list]:
    """The container's content as block children and paragraphs (lists of text and inlines)."""
    nodes: list[str | HtmlElement] = [el.text or ""]
    for child in el:
        nodes.extend([child, child.tail or ""])
    runs, run = [], 0
    for node in nodes:
        if isinstance(node, str) and not node.strip():
            continue
        if not isinstance(node, str) and node.tag == "br":
            run += 1
        else:
            runs.append(run)
            run = 0
    min_run = 2 if any(n >= 2 for n in runs) else 1

    plan: list[HtmlElement | list] = []
    current: list | None = None
    run = 0
    for node in nodes:
        if isinstance(node, str) and not node.strip():
            if current:
                current.append(node)
        elif not isinstance(node, str) and node.tag == "br":
            run += 1
        elif not isinstance(node, str) and node.tag in _BLOCK:
            plan.append(node)
            current, run = None, 0
        else:
            if current is None or run >= min_run:
                current = []
                plan.append(current)
            elif run:
                current.append(_LINE_BREAK)
            current.append(node)
            run = 0
    return plan


def _paragraph(items: list) -> HtmlElement:
    p = lxml_html.Element("p")
    for item in items:
        if item is _LINE_BREAK:
            item = lxml_html.Element("br")
        if isinstance(item, str):
            if len(p):
                p[-1].tail = (p[-1].tail or "") + item
            else:
                p.text = (p.text or "") + item
        else:
            p.append(item)
    return p


@dataclass(frozen=True)
class Block:
    """One block of the body: its kind, plain text (lines joined by newlines) and HTML."""

    kind: str  # "p", "h2".."h4", "ul", "ol", "blockquote", "table", "figure"
    text: str
    html: str


def blocks_from_xml(body: etree._Element) -> list[Block]:
    """The blocks of trafilatura's XML `<body>`, empty ones left out."""
    blocks = []
    for el in body:
        block = _block(el)
        if block is not None and (block.text or block.kind == "figure"):
            blocks.append(block)
    return blocks


def _block(el: etree._Element) -> Block | None:
    tag = el.tag
    if tag == "graphic":
        return Block("figure", "", el.get("src") or "")
    if tag == "head":
        level = {"h1": "h2", "h2": "h2", "h3": "h3"}.get(el.get("rend", ""), "h4")
        text, inner = _inline(el)
        return Block(level, text, f"<{level}>{inner}</{level}>")
    if tag == "list":
        kind = "ol" if el.get("rend") == "ol" else "ul"
        items = [_inline(item) for item in el.iter("item")]
        items = [(text, inner) for text, inner in items if text]
        html = "".join(f"<li>{inner}</li>" for _, inner in items)
        return Block(kind, "\n".join(text for text, _ in items), f"<{kind}>{html}</{kind}>")
    if tag == "table":
        return _table_block(el)
    if tag == "quote":
        text, inner = _inline(el)
        return Block("blockquote", text, f"<blockquote>{inner}</blockquote>")
    text, inner = _inline(el)
    return Block("p", text, f"<p>{inner}</p>")


def trim_trailing_lists(blocks: list[Block]) -> list[Block]:
    """Drop lists after the last paragraph whose items are headlines (related-article boxes)."""
    while blocks and blocks[-1].kind in {"ul", "ol"}:
        items = blocks[-1].text.split("\n")
        sentences = sum(bool(_ENDS_AS_SENTENCE.search(item)) for item in items)
        if sentences * 2 > len(items):
            break
        blocks = blocks[:-1]
    return blocks


def _inline(el: etree._Element) -> tuple[str, str]:
    """Plain text and inline HTML of an element; `<lb/>` becomes a line break."""
    text_parts: list[str] = []
    html_parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.tag == "lb":
            text_parts.append("\n")
            html_parts.append("<br>")
        elif node.tag == "graphic":
            return
        add(node.text)
        for child in node:
            walk(child)
            add(child.tail)

    def add(value: str | None) -> None:
        if value:
            text_parts.append(value)
            html_parts.append(escape(value, quote=False))

    add(el.text)
    for child in el:
        walk(child)
        add(child.tail)
    lines = [squash(line) for line in "".join(text_parts).split("\n")]
    html = re.sub(r"^(?:\s|<br>)+|(?:\s|<br>)+$", "", " ".join("".join(html_parts).split()))
    return "\n".join(line for line in lines if line), html


def _table_block(el: etree._Element) -> Block:
    rows_html, rows_text = [], []
    for row in el.iter("row"):
        cells = [(cell, *_inline(cell)) for cell in row.iter("cell")]
        tags = ["th" if cell.get("role") == "head" else "td" for cell, _, _ in cells]
        rows_html.append(
            "".join(f"<{t}>{inner}</{t}>" for t, (_, _, inner) in zip(tags, cells, strict=True))
        )
        rows_text.append(" | ".join(text for _, text, _ in cells if text))
    body = "".join(f"<tr>{row}</tr>" for row in rows_html)
    return Block(
        "table", "\n".join(t for t in rows_text if t), f"<table><tbody>{body}</tbody></table>"
    )


def render_blocks(blocks: list[Block], images: list[Image]) -> str:
    """Body HTML with figures where trafilatura found them (and known to be article photos)."""
    by_url = {image.url: image for image in images}
    parts = []
    for block in blocks:
        if block.kind != "figure":
            parts.append(block.html)
        elif image := by_url.get(block.html):
            caption = (
                f"<figcaption>{escape(image.caption, quote=False)}</figcaption>"
                if image.caption
                else ""
            )
            parts.append(f'<figure><img src="{escape(image.url)}" alt="">{caption}</figure>')
    return "\n".join(parts)
