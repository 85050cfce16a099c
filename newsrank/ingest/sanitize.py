"""Make untrusted article HTML safe to store and show, and reduce titles to plain text.

`sanitize_html` keeps a small allow-list of tags and attributes for article bodies (nh3, a binding
of the Rust `ammonia` sanitizer, which parses like a browser, so tricks such as `JaVaScRiPt:` or
entity-encoded schemes are seen as the browser would see them). Only http/https URLs survive, links
get `rel="nofollow noopener noreferrer"`, and relative `href`/`src` are resolved against the page.

`strip_tags` turns a title or summary that may carry markup into one line of NFC plain text.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

# Tags an article body needs. `span` and `div` are left out on purpose: outlets use them only for
# styling and layout, and dropping them keeps their text. Headings start at h2 because the board's
# page already has the article title as h1.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "figure", "figcaption", "img", "a",
        "table", "thead", "tbody", "tr", "th", "td", "caption", "hr",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}

# Removed with their content (not just unwrapped): their text is code or chrome, never prose.
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
     "form", "button", "select", "textarea", "frame", "frameset", "applet"}
)  # fmt: skip

_URL_SCHEMES = frozenset({"http", "https"})
_LINK_REL = "nofollow noopener noreferrer"


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Return `html` reduced to the article allow-list, with absolute http(s) URLs only."""
    if not html or not html.strip():
        return ""
    url_relative: object = "pass_through"
    if base_url and urlsplit(base_url).scheme in _URL_SCHEMES and urlsplit(base_url).netloc:
        url_relative = ("rewrite_with_base", base_url)
    cleaned = nh3.clean(
        _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", html)),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(_URL_SCHEMES),
        link_rel=_LINK_REL,
        strip_comments=True,
        url_relative=url_relative,
    )
    return cleaned.strip()


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """Trim URLs and drop size attributes that are not plain numbers (CSS lengths, percentages)."""
    if attr in {"href", "src"}:
        return value.strip() or None
    if attr in {"width", "height", "colspan", "rowspan"}:
        value = value.strip()
        return value if value.isdigit() and len(value) <= 5 else None
    return value


# Bidi embeddings, overrides and isolates (Unicode UAX #9): "\u202egnp.exe" shows as "exe.png",
# and an unclosed override flips the text after it. Korean copy never needs them; Trojan Source
# (CVE-2021-42574) is the same trick in code.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_BIDI_CONTROLS = re.compile(f"[{_BIDI}]")
# Invisible characters that survive whitespace collapsing but break matching and display; in a
# title the bidi controls and marks too.
_INVISIBLE = re.compile(f"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f{_BIDI}]")


class _TextCollector(HTMLParser):
    """Collect character data outside script/style, with entities already decoded."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def strip_tags(text: str | None) -> str:
    """Return `text` as one line of plain text: tags and scripts removed, entities decoded, NFC."""
    if not text:
        return ""
    if "<" in text or "&" in text:
        collector = _TextCollector()
        collector.feed(text)
        collector.close()
        text = "".join(collector.parts)
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", " ".join(text.split()))
