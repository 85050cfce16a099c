"""Matching words marked in a title and a body snippet: HTML-escaped text with `<mark>` tags.

Marking works on the text as written, by finding the query's terms (and the hanja abbreviations that
stand for them) as substrings, so no morphological analysis runs per result. A one-character term
is marked only where a word starts with it, so that 문 does not light up inside 문제. Pure: no Django.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from newsrank.search.analyzer import normalize
from newsrank.search.hanja import hanja_table

SNIPPET_CHARS = 160
_SPACE = re.compile(r"\s+")


def needles(terms: Iterable[str]) -> list[str]:
    """The strings to look for: the terms, and each hanja abbreviation whose word is one of them."""
    terms = {term for term in terms if term}
    found = set(terms)
    found.update(key for key, word in hanja_table().items() if word in terms)
    return sorted(found, key=len, reverse=True)


def highlight(text: str, terms: Iterable[str]) -> str:
    """`text` escaped for HTML, with each occurrence of a term in `<mark>`."""
    text = normalize(text)
    return _render(text, _spans(text, needles(terms)))


def snippet(text: str, terms: Iterable[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` around its densest matches, escaped and marked."""
    text = _SPACE.sub(" ", normalize(text)).strip()
    found = needles(terms)
    spans = _spans(text, found)
    start = 0
    if spans and len(text) > width:
        best = max(
            spans,
            key=lambda span: (
                len({text[s:e].lower() for s, e in spans if span[0] <= s and e <= span[0] + width}),
                -span[0],
            ),
        )
        start = max(0, best[0] - width // 4)
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space > 0 and start - space < 15 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 < space - end < 15 else end
    piece = text[start:end]
    rendered = _render(piece, _spans(piece, found))
    return ("…" if start > 0 else "") + rendered + ("…" if end < len(text) else "")


def _spans(text: str, found: list[str]) -> list[tuple[int, int]]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters change length when lowered; keep offsets
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    spans = []
    for needle in found:
        for match in re.finditer(re.escape(needle), lowered):
            start = match.start()
            if len(needle) == 1 and start > 0 and lowered[start - 1].isalnum():
                continue
            spans.append((start, match.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)
