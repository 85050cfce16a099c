"""Find an article that a page keeps as JSON in its scripts, and read fields out of it.

Client-rendered Korean pages ship the article as data rather than markup: 한국일보's Next.js pages
put it in a React Query cache (`window["__RQ_…"].push({…"contentHtml":…})`), Next.js pages router
sites in `<script id="__NEXT_DATA__">`, App Router sites in `self.__next_f.push([1, "…"])` flight
chunks, and Arc XP sites (조선일보) in `Fusion.globalContent = {…}` with the body as
`content_elements`. `find_article` finds the object holding a rule's marker key in any of these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import escape
from typing import Any

__all__ = ["content_elements_html", "find_article", "values_at"]

# Where a JSON value can start in a script: the whole text, after `=`, `(` or `,`, or a flight row
# ("5:{…}"). raw_decode is tried at each, skipping what an earlier value already covered.
_STARTS = re.compile(r"(?:^|\n)(?:[0-9a-f]{1,4}:)?\s*(?=[\[{])|[=(,]\s*(?=[\[{])")
_FLIGHT_CHUNK = re.compile(r"self\.__next_f\.push\((\[.*\])\)\s*;?\s*$", re.S)
_DECODER = json.JSONDecoder(strict=False)


def find_article(scripts: list[str], marker: str) -> dict[str, Any] | None:
    """The first JSON object in `scripts` that has a non-empty `marker` key, or None."""
    needle = f'"{marker}"'
    for text in scripts:
        if needle in text and (found := _search_text(text, marker)) is not None:
            return found
    flight = "".join(_flight_text(text) for text in scripts if "__next_f" in text)
    if needle in flight:
        return _search_text(flight, marker)
    return None


def _search_text(text: str, marker: str) -> dict[str, Any] | None:
    for value in _json_values(text):
        if (found := _find_object(value, marker)) is not None:
            return found
    return None


def _json_values(text: str) -> Iterator[Any]:
    covered = 0
    for match in _STARTS.finditer(text):
        start = match.end()
        if start < covered:
            continue
        try:
            value, covered = _DECODER.raw_decode(text, start)
        except ValueError:
            continue
        yield value


def _flight_text(script: str) -> str:
    match = _FLIGHT_CHUNK.search(script.strip())
    if not match:
        return ""
    try:
        chunk = json.loads(match.group(1))
    except ValueError:
        return ""
    return chunk[1] if len(chunk) > 1 and isinstance(chunk[1], str) else ""


def _find_object(value: Any, marker: str) -> dict[str, Any] | None:
    """Depth-first, parents before children: the outermost object holding the marker."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get(marker):
                return item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


def values_at(obj: Any, path: str) -> list[Any]:
    """The values at a dotted `path` ("credits.by.name"); lists on the way are walked."""
    current = [obj]
    for key in path.split(".") if path else []:
        found = []
        for item in current:
            for each in item if isinstance(item, list) else [item]:
                if isinstance(each, dict) and key in each:
                    found.append(each[key])
        current = found
    flat: list[Any] = []
    for item in current:
        flat.extend(item if isinstance(item, list) else [item])
    return [item for item in flat if item not in (None, "")]


def content_elements_html(elements: list[Any]) -> str:
    """Arc XP `content_elements` as HTML: text, headers, images with captions, lists, quotes.

    Embeds, raw HTML blocks, interstitial links and ads are left out.
    """
    parts = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind, content = element.get("type"), element.get("content") or ""
        if kind == "text" and content:
            parts.append(f"<p>{content}</p>")
        elif kind == "header" and content:
            parts.append(f"<h3>{content}</h3>")
        elif kind == "image" and element.get("url"):
            caption = element.get("caption") or ""
            credits = [c for c in values_at(element, "credits.by.name") if isinstance(c, str)]
            if credits and not any(credit in caption for credit in credits):
                caption = f"{caption} {'·'.join(credits)}".strip()
            parts.append(
                f'<figure><img src="{escape(element["url"])}">'
                f"<figcaption>{escape(caption, quote=False)}</figcaption></figure>"
            )
        elif kind == "list":
            items = "".join(f"<li>{item.get('content', '')}</li>" for item in _dicts(element))
            parts.append(f"<ul>{items}</ul>")
        elif kind == "quote":
            inner = " ".join(
                item.get("content", "") for item in _dicts(element, "content_elements")
            )
            parts.append(f"<blockquote>{inner}</blockquote>")
    return "".join(parts)


def _dicts(element: dict[str, Any], key: str = "items") -> list[dict[str, Any]]:
    return [item for item in element.get(key) or [] if isinstance(item, dict)]
