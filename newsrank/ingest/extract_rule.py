"""Apply a site rule (`rules.Rule`) to a parsed page: its fields, and its body as blocks.

Every field a rule leaves empty, or whose selector finds nothing on the page, comes back empty
(`""`, `[]`, `None`) so that `extract.py` fills it from the generic readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from html import unescape

from lxml import etree
from lxml import html as lxml_html

from newsrank.ingest.extract_body import Block, blocks_from_element, prepare_tree
from newsrank.ingest.extract_media import Image, find_photos, find_photos_in
from newsrank.ingest.extract_meta import (
    HtmlElement,
    clean_author_names,
    find_subtitles,
    squash,
    text_lines,
)
from newsrank.ingest.extract_script import content_elements_html, find_article, values_at
from newsrank.ingest.feeds import SEOUL, parse_datetime, search_datetime
from newsrank.ingest.rules import Rule

__all__ = ["RuleResult", "apply_rule", "select"]


@dataclass
class RuleResult:
    """What a rule read from a page. `blocks` are the body's, figures in place."""

    title: str = ""
    subtitles: list[str] | None = None  # None: the rule does not say (the generic reader decides)
    subtitle_elements: list[HtmlElement] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    blocks: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


def apply_rule(
    rule: Rule, tree: HtmlElement, scripts: list[str], url: str, outlet: str | None
) -> RuleResult:
    """Read the page with `rule`; drops the rule's noise from `tree` (the generic path gains too)."""
    found = RuleResult()
    data = find_article(scripts, rule.script.marker) if rule.script else None
    if rule.script and data is not None:
        _read_script(rule, data, found, outlet)
    found.title = found.title or _first_text(tree, rule.title)
    if found.subtitles is None and rule.subtitles:
        found.subtitle_elements = [el for el in select(tree, rule.subtitles) if _is_el(el)]
        found.subtitles = _subtitle_lines(found.subtitle_elements)
    elif found.subtitles is None:
        found.subtitles, found.subtitle_elements = find_subtitles(tree)
    if not found.authors and rule.byline:
        for value in select(tree, rule.byline):
            text = _text(value)
            found.authors += [n for n in clean_author_names(text, outlet) if n not in found.authors]
    found.published_at = found.published_at or _date(select(tree, rule.date) if rule.date else [])
    for el in select(tree, rule.drop) if rule.drop else []:
        if _is_el(el) and el.getparent() is not None:
            el.drop_tree()

    body = _script_body(rule, data, url) if data is not None else None
    if body is None and rule.body:
        body = next((el for el in select(tree, rule.body) if _is_el(el) and _has_text(el)), None)
    if body is not None:
        not_text = {*found.subtitle_elements, *_elements(tree, rule.title, rule.byline, rule.date)}
        found.blocks, found.images = _read_body(rule, body, url, not_text)
    return found


def _read_script(rule: Rule, data: dict, found: RuleResult, outlet: str | None) -> None:
    script = rule.script
    assert script is not None
    titles = (
        [v for v in values_at(data, script.title) if isinstance(v, str)] if script.title else []
    )
    found.title = squash(_strip_tags(titles[0])) if titles else ""
    if script.subtitles:
        lines = []
        for value in values_at(data, script.subtitles):
            if isinstance(value, str):
                lines += [squash(_strip_tags(p)) for p in re.split(r"<br\s*/?>|\n", value)]
        found.subtitles = [line for line in lines if line] or None
    if script.authors:
        for value in values_at(data, script.authors):
            if isinstance(value, str):
                found.authors += [
                    n for n in clean_author_names(value, outlet) if n not in found.authors
                ]
    if script.date:
        found.published_at = _date([v for v in values_at(data, script.date) if isinstance(v, str)])


def _script_body(rule: Rule, data: dict, url: str) -> HtmlElement | None:
    script = rule.script
    assert script is not None
    values = values_at(data, script.body) if script.body else []
    if not values:
        return None
    if all(isinstance(v, dict) for v in values):
        markup = content_elements_html(values)
    elif isinstance(values[0], str):
        markup = values[0]
    else:
        return None
    if script.noise:
        markup = re.sub(script.noise, "", markup)
    try:
        return lxml_html.fragment_fromstring(markup, create_parent="div", base_url=url)
    except (etree.ParserError, ValueError):
        return None


def _read_body(
    rule: Rule, body: HtmlElement, url: str, not_text: set[HtmlElement]
) -> tuple[list[Block], list[Image]]:
    if rule.photos:
        containers = [el for el in select(body, rule.photos) if _is_el(el)]
        captions = (lambda el: select(el, rule.captions)) if rule.captions else (lambda el: [])
        photos = find_photos_in(containers, url, captions)
    else:
        photos = find_photos(body, url)
    skip = not_text | {p.caption_element for p in photos if p.caption_element is not None}
    prepare_tree(body)
    chosen = [el for el in select(body, rule.paragraphs) if _is_el(el)] if rule.paragraphs else []
    headings = {el for el in select(body, rule.headings) if _is_el(el)} if rule.headings else set()
    blocks = blocks_from_element(
        body,
        {photo.element: photo.image.url for photo in photos},
        skip=skip,
        select=chosen or None,
        headings=headings,
    )
    # Photos a rule names outside the body (a lead photo above it) go first.
    placed = {block.html for block in blocks if block.kind == "figure"}
    outside = [Block("figure", "", p.image.url) for p in photos if p.image.url not in placed]
    blocks = outside + blocks
    by_url = {photo.image.url: photo.image for photo in photos}
    return blocks, [by_url[b.html] for b in blocks if b.kind == "figure"]


# --- selectors --------------------------------------------------------------------------------

_HAS_CLASS = re.compile(r"""has-class\(\s*(['"])([^'"]+)\1\s*\)""")


@lru_cache(maxsize=512)
def _compiled(expression: str) -> etree.XPath:
    # `has-class('x')` is shorthand for the XPath 1.0 idiom that matches one class name.
    return etree.XPath(
        _HAS_CLASS.sub(
            lambda m: f"contains(concat(' ', normalize-space(@class), ' '), ' {m.group(2)} ')",
            expression,
        )
    )


def select(context: HtmlElement, expression: str) -> list:
    """Evaluate a rule's XPath on `context`: elements or strings (attribute values), in order."""
    if not expression:
        return []
    result = _compiled(expression)(context)
    return result if isinstance(result, list) else [result]


def _is_el(value: object) -> bool:
    return isinstance(value, HtmlElement)


def _elements(tree: HtmlElement, *expressions: str) -> set[HtmlElement]:
    return {el for e in expressions if e for el in select(tree, e) if _is_el(el)}


def _text(value: object) -> str:
    return squash(value.text_content() if _is_el(value) else str(value))


def _has_text(el: HtmlElement) -> bool:
    return bool(squash(el.text_content()))


def _first_text(tree: HtmlElement, expression: str) -> str:
    for value in select(tree, expression) if expression else []:
        if text := _text(value):
            return text
    return ""


def _subtitle_lines(elements: list[HtmlElement]) -> list[str]:
    lines: list[str] = []
    for el in elements:
        for line in text_lines(el):
            line = re.sub(r"^[-–—·•▶▷■]\s*", "", line)  # "- 부제" bullets of mobile layouts
            if line and line not in lines:
                lines.append(line)
    return lines


# "입력 2026.12.02 (05:30)": a time in parentheses (KBS) reads as a plain one.
_TIME_IN_PARENS = re.compile(r"\((\d{1,2}:\d{2}(?::\d{2})?)\)")


def _date(values: list) -> datetime | None:
    for value in values:
        text = _TIME_IN_PARENS.sub(r" \1", _text(value))
        if moment := parse_datetime(text) or search_datetime(text):
            return moment.astimezone(SEOUL)
    return None


def _strip_tags(text: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", text))
