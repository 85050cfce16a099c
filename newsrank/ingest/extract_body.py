"""Prepare a page's body for trafilatura, and turn trafilatura's XML body into our HTML.

Before: older Korean CMSs lay pages out with tables and separate paragraphs with `<br><br>` inside
one container (동아, 노컷, SBS, 서울신문 and most regional papers), which trafilatura would flatten
into one paragraph; `prepare_tree` rewrites both as `<div>`s and `<p>`s.

After: trafilatura's XML (`p`, `head`, `list/item`, `quote`, `table/row/cell`, `graphic`, `lb`)
becomes `Block`s, each with its plain text and HTML; `render_blocks` joins them, placing figures.

When a site rule names the body element, `blocks_from_element` reads it directly into the same
`Block`s, without trafilatura: paragraphs, subheadings, quotes, lists, tables and photos in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from lxml import etree
from lxml import html as lxml_html

from newsrank.ingest.extract_media import Image
from newsrank.ingest.extract_meta import HtmlElement, squash, tokens

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


def text_block(kind: str, text: str) -> Block:
    """A block of plain text: lines become `<br>`s, or `<li>`s in a list."""
    if kind in {"ul", "ol"}:
        inner = "".join(f"<li>{escape(item, quote=False)}</li>" for item in text.split("\n"))
    else:
        inner = "<br>".join(escape(line, quote=False) for line in text.split("\n"))
    return Block(kind, text, f"<{kind}>{inner}</{kind}>")


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


# --- reading a body element directly (site rules) ---------------------------------------------

# Never text of the article: widgets, embeds and forms inside a body element.
_SKIP_TAGS = {"script", "style", "noscript", "button", "form", "input", "select", "textarea",
              "iframe", "nav", "aside", "svg", "template", "object", "embed", "video", "audio",
              "canvas", "map", "img", "head", "title", "meta", "link"}  # fmt: skip
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_INLINE_TAGS = {"a", "b", "strong", "em", "i", "u", "span", "font", "small", "big", "sub", "sup",
                "mark", "s", "strike", "del", "ins", "abbr", "cite", "q", "code", "time", "label",
                "bdi", "bdo", "wbr"}  # fmt: skip
_BR = object()  # a <br> in the inline text being gathered
# Ad slots that sit inside article bodies: class="ad", "ad_box1", "view_ad06", "adsbygoogle"…
_AD_TOKEN = re.compile(r"(?:^|[-_])ads?(?:$|[-_\d])|^adsbygoogle$|^advert|^banner")


def blocks_from_element(
    root: HtmlElement,
    photos: dict[HtmlElement, str],
    *,
    skip: frozenset[HtmlElement] | set[HtmlElement] = frozenset(),
    select: list[HtmlElement] | None = None,
    headings: frozenset[HtmlElement] | set[HtmlElement] = frozenset(),
) -> list[Block]:
    """The blocks of a body element as a site rule names it, photos in place.

    `photos` maps each photo's element to its URL; the element becomes a figure block and nothing
    inside it is read. `skip` holds elements that are not body text (captions, subtitles). With
    `select`, only those elements (and the photos) are read, in document order; `headings` are
    shown as `<h3>`. Text with `<br><br>` between paragraphs becomes one block per paragraph.
    """
    walker = _Walker(photos, set(skip), set(headings), select)
    walker.children(root)
    walker.flush()
    return walker.blocks


class _Walker:
    def __init__(
        self,
        photos: dict[HtmlElement, str],
        skip: set[HtmlElement],
        headings: set[HtmlElement],
        select: list[HtmlElement] | None,
    ) -> None:
        self.photos, self.skip, self.headings = photos, skip, headings
        self.blocks: list[Block] = []
        self.inline: list[object] = []
        self.allowed: set[HtmlElement] | None = None
        self.on_the_way: set[HtmlElement] = set()
        if select is not None:
            self.allowed = set(select) | set(photos)
            for el in self.allowed:
                self.on_the_way.update(el.iterancestors())

    def children(self, el: HtmlElement) -> None:
        """Read an element's own text and children as a mix of inline text and blocks."""
        if self.allowed is None or el in self.allowed:
            self.text(el.text)
        for child in el:
            self.node(child)
            if self.allowed is None or el in self.allowed:
                self.text(child.tail)

    def node(self, el: HtmlElement) -> None:
        if not isinstance(el.tag, str) or el in self.skip:
            return
        if el in self.photos:
            self.flush()
            self.blocks.append(Block("figure", "", self.photos[el]))
            return
        if self.allowed is not None:
            if el in self.allowed:  # a selected element is read whole
                self.allowed, allowed = None, self.allowed
                self.node(el)
                self.allowed = allowed
            elif el in self.on_the_way:  # only its selected descendants are read
                self.children(el)
            return
        if el.tag in _SKIP_TAGS or any(_AD_TOKEN.search(t) for t in tokens(el)):
            return
        if el.tag == "br":
            self.inline.append(_BR)
        elif el in self.headings or el.tag in _HEADINGS:
            self.flush()
            self.add(_HEADINGS.get(el.tag, "h3"), " ".join(self.lines(el)))
        elif el.tag == "blockquote":
            self.flush()
            self.add("blockquote", "\n".join(self.lines(el)))
        elif el.tag in {"ul", "ol"}:
            self.flush()
            items = [squash(self.plain(li)) for li in el.iter("li") if li not in self.skip]
            self.add(el.tag, "\n".join(item for item in items if item))
        elif el.tag == "table":
            self.flush()
            self.table(el)
        elif el.tag in _INLINE_TAGS and not self.holds_blocks(el):
            self.children(el)  # its text joins the paragraph being gathered
        else:
            self.flush()
            self.children(el)
            self.flush()

    def text(self, value: str | None) -> None:
        if value:
            self.inline.append(value)

    def flush(self) -> None:
        """Turn the gathered inline text into paragraphs: `<br><br>` ends one, `<br>` a line."""
        items, self.inline = self.inline, []
        paragraphs: list[list[str]] = []
        lines: list[str] = []
        line, run = "", 0
        for item in items:
            if item is _BR:
                run += 1
                continue
            text = str(item)
            if run and squash(text):
                lines.append(line)
                line = ""
                if run >= 2:
                    paragraphs.append(lines)
                    lines = []
                run = 0
            line += text
        paragraphs.append([*lines, line])
        for group in paragraphs:
            kept = [squash(each) for each in group if squash(each)]
            if kept:
                self.add("p", "\n".join(kept))

    def add(self, kind: str, text: str) -> None:
        if text:
            self.blocks.append(text_block(kind, text))

    def lines(self, el: HtmlElement) -> list[str]:
        parts: list[str] = []

        def walk(node: HtmlElement) -> None:
            if node.tag == "br":
                parts.append("\n")
            elif isinstance(node.tag, str) and node.tag not in _SKIP_TAGS and node not in self.skip:
                parts.append(node.text or "")
                for child in node:
                    walk(child)
                    parts.append(child.tail or "")

        walk(el)
        return [line for line in (squash(raw) for raw in "".join(parts).split("\n")) if line]

    def plain(self, el: HtmlElement) -> str:
        return " ".join(self.lines(el))

    def holds_blocks(self, el: HtmlElement) -> bool:
        return any(
            isinstance(d.tag, str) and (d.tag in _BLOCK or d in self.photos)
            for d in el.iterdescendants()
        )

    def table(self, el: HtmlElement) -> None:
        rows_html, rows_text = [], []
        for row in el.iter("tr"):
            cells = [c for c in row if c.tag in {"td", "th"}]
            texts = [self.plain(c) for c in cells]
            rows_html.append(
                "".join(
                    f"<{c.tag}>{escape(t, quote=False)}</{c.tag}>"
                    for c, t in zip(cells, texts, strict=True)
                )
            )
            rows_text.append(" | ".join(t for t in texts if t))
        text = "\n".join(t for t in rows_text if t)
        if text:
            body = "".join(f"<tr>{row}</tr>" for row in rows_html)
            self.blocks.append(Block("table", text, f"<table><tbody>{body}</tbody></table>"))
