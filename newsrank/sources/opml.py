"""Read and write OPML 2.0 subscription lists, as feed readers exchange them (pure: no Django).

The format is http://opml.org/spec2.opml: a feed is an `<outline type="rss">` with an `xmlUrl`
(and optionally `htmlUrl`, `text`, `title`, `category`); outlines without `xmlUrl` are folders.
newsrank writes one folder per outlet, holding that outlet's feeds:

    <outline text="연합뉴스" title="연합뉴스">
      <outline type="rss" text="연합뉴스 경제" title="연합뉴스 경제" category="경제"
               xmlUrl="https://www.yna.co.kr/rss/economy.xml" htmlUrl="https://www.yna.co.kr/"/>
    </outline>

Other readers' files nest feeds in topic folders (Miniflux, FreshRSS, Feedly: "뉴스", "IT", "All")
or list them flat, and they drop `category`. So a feed's outlet and section are read as:

- outlet: the enclosing folder's name when the folder is one outlet's (all its feeds are on one
  site, or all their titles begin with the folder's name); otherwise the feed's own title;
- section label: `category` (first category, slashes trimmed: "/경제" → "경제"), else the title
  with the outlet's name removed ("연합뉴스 경제" → "경제"), else a topic folder's name, else "".

Parsing is safe for untrusted files: entity declarations are refused before parsing (they
would be expanded even in attributes), no DTD or network access, no huge-tree mode.

    OpmlError   the file is not readable OPML; the message says why
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

import lxml.etree

from newsrank.ingest.charset import detect_charset

MAX_LABEL = 50  # Feed.section_label's length

# Second-level labels under a country code that are not a site's own name (yna.co.kr, bbc.co.uk).
_GENERIC_SLDS = frozenset({"ac", "co", "com", "go", "ne", "net", "or", "org", "pe", "re"})
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class OpmlError(Exception):
    """The file is not an OPML document newsrank can read; the message says why."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed of a subscription list."""

    url: str
    outlet: str = ""
    section: str = ""
    title: str = ""
    html_url: str = ""


def parse_opml(content: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, in document order; raise OpmlError when it is not OPML."""
    # Decoded here (BOM, declaration, UTF-8, else cp949), since libxml2 reads an "euc-kr" label as
    # EUC-KR proper and fails on cp949-only syllables.
    text = content.decode(detect_charset(content), errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise OpmlError("the file is empty")
    if _ENTITY_DECLARATION.search(text):
        raise OpmlError("the file declares XML entities (<!ENTITY>), which newsrank does not read")
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, encoding="utf-8"
    )
    try:
        root = lxml.etree.fromstring(_XML_DECLARATION.sub("", text).encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError as error:
        raise OpmlError(f"not valid XML: {error}") from None
    if not isinstance(root.tag, str) or lxml.etree.QName(root).localname.lower() != "opml":
        raise OpmlError(f"not an OPML file: the document is <{_name(root)}>, not <opml>")
    body = next((child for child in root if _name(child) == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file: <opml> has no <body>")
    return _read(body)


def write_opml(
    feeds: Iterable[OpmlFeed], *, title: str = "newsrank", now: datetime | None = None
) -> bytes:
    """An OPML 2.0 document (UTF-8 bytes) with one folder per outlet, in the order given."""
    root = lxml.etree.Element("opml", version="2.0")
    head = lxml.etree.SubElement(root, "head")
    lxml.etree.SubElement(head, "title").text = title
    lxml.etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = lxml.etree.SubElement(root, "body")
    folders: dict[str, lxml.etree._Element] = {}
    for feed in feeds:
        parent = body
        if feed.outlet:
            parent = folders.get(feed.outlet)
            if parent is None:
                attrs = {"text": feed.outlet, "title": feed.outlet}
                parent = folders[feed.outlet] = lxml.etree.SubElement(body, "outline", attrs)
        name = feed.title or f"{feed.outlet} {feed.section}".strip() or feed.url
        attrs = {"type": "rss", "text": name, "title": name}
        if feed.section:
            attrs["category"] = feed.section
        attrs["xmlUrl"] = feed.url
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        lxml.etree.SubElement(parent, "outline", attrs)
    return lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- reading ----------------------------------------------------------------------------------


def _read(body) -> list[OpmlFeed]:
    # Feed outlines in document order, each with its nearest enclosing folder (None at the top).
    found: list[tuple[object, object]] = []
    for outline in body.iter("{*}outline"):
        if _attr(outline, "xmlurl"):
            folder = next((a for a in outline.iterancestors("{*}outline")), None)
            found.append((outline, folder))
    members: dict[object, list] = {}
    for outline, folder in found:
        members.setdefault(folder, []).append(outline)
    is_outlet = {folder: _is_outlet(folder, outlines) for folder, outlines in members.items()}
    return [_feed(outline, folder, is_outlet[folder]) for outline, folder in found]


def _is_outlet(folder, outlines: list) -> bool:
    """Whether a folder is one outlet's (its feeds are on one site, or titled after it)."""
    if folder is None or not _label(folder):
        return False
    sites = {_site(_attr(o, "htmlurl") or _attr(o, "xmlurl")) for o in outlines}
    return len(sites) == 1 or all(_label(o).startswith(_label(folder)) for o in outlines)


def _feed(outline, folder, is_outlet: bool) -> OpmlFeed:
    title = _label(outline)
    folder_name = _label(folder) if folder is not None else ""
    outlet = folder_name if is_outlet else title
    section = _category(_attr(outline, "category"))
    if not section and outlet and title.startswith(outlet):
        section = title[len(outlet) :].strip(" -:|·")
    if not section and not is_outlet:
        section = folder_name  # a reader's topic folder ("경제", "IT") is a section
    return OpmlFeed(
        url=_attr(outline, "xmlurl"),
        outlet=outlet[:100],
        section=section[:MAX_LABEL],
        title=title,
        html_url=_attr(outline, "htmlurl"),
    )


def _name(element) -> str:
    return lxml.etree.QName(element).localname.lower() if isinstance(element.tag, str) else "?"


def _attr(element, name: str) -> str:
    """An attribute by case-insensitive name (some exporters write `xmlurl`), whitespace folded."""
    for key, value in element.attrib.items():
        if lxml.etree.QName(key).localname.lower() == name:
            return " ".join(value.split())
    return ""


def _label(outline) -> str:
    return _attr(outline, "title") or _attr(outline, "text")


def _category(value: str) -> str:
    # OPML 2.0: comma-separated, slash-delimited category strings ("/Boston/Weather").
    return value.split(",")[0].strip().strip("/").strip()


def _site(url: str) -> str:
    """The registrable domain, roughly: www.yna.co.kr and rss.yna.co.kr are one site."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SLDS else 2
    return ".".join(labels[-keep:])
