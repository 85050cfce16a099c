"""`newsrank feeds check`: what the crawler would see in a feed, and what is wrong with it.

`check_source` fetches a URL as the crawler polls it (through a crawl session: robots.txt, the
per-host throttle, `fetch_page` with the operator's address rules, the feed Accept header) or reads
a saved file, and parses it with the crawler's own `parse_feed`. parse_feed repairs
or drops what it cannot use (entries without a link, future dates, tags in titles), so the raw
document is also read, leniently, to name those repairs as problems an operator can act on.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree

from newsrank.ingest.charset import detect_charset
from newsrank.ingest.feeds import (
    FUTURE_TOLERANCE,
    KOREAN_LABELS,
    MIN_YEAR,
    FeedError,
    absolute_http_url,
    gunzip,
    parse_datetime,
    parse_feed,
)
from newsrank.ingest.fetcher import FetchError, HTTPStatus
from newsrank.ingest.pipeline import FEED_ACCEPT
from newsrank.ingest.session import BlockedByRobots, CrawlSession, open_session
from newsrank.ingest.urls import canonical_url

log = logging.getLogger(__name__)

_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.S | re.I)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_DATE_NAMES = ("pubdate", "published", "date", "issued", "created", "updated", "modified")
_DATE_NAMES += ("lastmod", "publication_date")  # sitemaps, news sitemaps


def check_source(
    source: str,
    *,
    verbose: bool = False,
    session: CrawlSession | None = None,
    now: datetime | None = None,
) -> dict:
    """One JSON-ready report on a feed URL or a saved feed file; never raises for bad input.

    Keys: source, status (the HTTP status, "file", or None when nothing was read), encoding,
    title, entries, entries_with_date, problems (readable reasons), and with `verbose` the items
    (url, title, published_at) as the crawler would take them. Pass one `session` to check
    several URLs (robots.txt is then read once per host, and the host's delay kept between them).
    """
    report: dict = {
        "source": source,
        "status": None,
        "encoding": None,
        "title": None,
        "entries": 0,
        "entries_with_date": 0,
        "problems": [],
    }
    if verbose:
        report["items"] = []
    if session is None and _is_url(source):
        with open_session() as session:
            return check_source(source, verbose=verbose, session=session, now=now)
    try:
        _check(source, report, verbose, session, now or datetime.now(UTC))
    except Exception as error:  # the command must go on to the next source; the trace is logged
        log.exception("checking %s failed unexpectedly", source)
        report["problems"].append(f"internal error while checking: {error!r}")
    return report


def _check(
    source: str, report: dict, verbose: bool, session: CrawlSession | None, now: datetime
) -> None:
    problems: list[str] = report["problems"]
    if _is_url(source):
        try:
            page = session.fetch(source, accept=FEED_ACCEPT)
        except HTTPStatus as error:
            report["status"] = error.status_code
            problems.append(f"HTTP error: {error.reason}")
            return
        except BlockedByRobots as error:
            problems.append(error.reason)
            return
        except FetchError as error:
            problems.append(f"unreachable: {error.reason}")
            return
        report["status"] = page.status_code
        content, content_type, base = page.content, page.headers.get("content-type"), page.url
    else:
        report["status"] = "file"
        try:
            content = Path(source).read_bytes()
        except OSError as error:
            problems.append(f"unreadable file: {error.strerror or error}")
            return
        content_type, base = None, None

    if content.startswith(b"\x1f\x8b"):  # a sitemap.xml.gz served as a file
        try:
            content = gunzip(content)
        except FeedError as error:
            problems.append(f"not a usable feed: {error}")
            return
    encoding = feed_encoding(content, content_type)
    report["encoding"] = encoding
    problems += _charset_problems(content, content_type, encoding)
    raw = read_raw(content.decode(encoding, errors="replace"))
    base = base or raw.self_url or Path(source).resolve().as_uri()
    try:
        parsed = parse_feed(content, base, content_type, now=now)
    except FeedError as error:
        problems.append(f"not a usable feed: {error}")
        problems += raw.problems
        return
    if raw.xml_error:
        problems.append(f"malformed XML, read anyway: {raw.xml_error}")
    problems += raw.problems

    entries = parsed.entries
    report["title"] = parsed.title
    report["entries"] = len(entries)
    report["entries_with_date"] = sum(entry.published_at is not None for entry in entries)
    if parsed.sitemaps:  # a sitemap index: it lists sitemaps, not articles
        report["sitemaps"] = parsed.sitemaps
    if verbose:
        report["items"] = [
            {
                "url": entry.url,
                "title": entry.title,
                "published_at": entry.published_at.isoformat() if entry.published_at else None,
            }
            for entry in entries
        ]
    problems += _entry_problems(parsed, raw, base, now)


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def feed_encoding(content: bytes, content_type: str | None = None) -> str:
    """The codec a feed is decoded with, in parse_feed's order: BOM, XML declaration, header.

    An XML declaration wins over the Content-Type header (보안뉴스 declares euc-kr only there and
    sends a bare `text/xml`); `detect_charset` then checks the bytes against the declaration.
    """
    if _XML_DECLARATION.match(content[:200]):
        return detect_charset(content)
    return detect_charset(content, content_type)


def _charset_problems(content: bytes, content_type: str | None, encoding: str) -> list[str]:
    problems = []
    declared = _XML_DECLARATION.match(content[:200])
    label = declared.group(1).decode("ascii") if declared else _header_charset(content_type)
    if label:
        expected = _codec_name(label)
        if expected is None:
            problems.append(f"declares an unknown charset {label!r}; read as {encoding}")
        elif expected != _codec_name(encoding) and not content.startswith(codecs.BOM_UTF8):
            problems.append(f"declares {label} but the bytes are {encoding}")
    bad = content.decode(encoding, errors="replace").count("\ufffd")
    if bad:
        problems.append(f"{bad} characters could not be decoded as {encoding}")
    return problems


def _header_charset(content_type: str | None) -> str | None:
    match = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", content_type or "", re.I)
    return match.group(1) if match else None


def _codec_name(label: str) -> str | None:
    if label.strip().lower() in KOREAN_LABELS:
        return "cp949"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# --- the raw document -------------------------------------------------------------------------


@dataclass
class RawItem:
    """An item, entry or sitemap <url> as written, before parse_feed repairs it."""

    link: str
    title: str
    date: str


@dataclass
class RawDocument:
    items: list[RawItem] = field(default_factory=list)
    self_url: str | None = None  # the feed's own or site address, a base for a saved file
    xml_error: str | None = None  # set when the document is not well-formed XML
    is_sitemap: bool = False
    problems: list[str] = field(default_factory=list)


def read_raw(text: str) -> RawDocument:
    """Read a feed's items leniently with lxml (no entities, DTD or network), noting XML errors."""
    raw = RawDocument()
    if "<!ENTITY" in text:
        raw.problems.append("declares XML entities (<!ENTITY>); they are not expanded")
    data = _DOCTYPE.sub("", _DECLARATION_TEXT.sub("", text.lstrip("\ufeff"), count=1)).encode()
    if not data.strip():
        return raw
    options = dict(resolve_entities=False, no_network=True, load_dtd=False, encoding="utf-8")
    try:
        root = lxml.etree.fromstring(data, lxml.etree.XMLParser(**options))
    except lxml.etree.XMLSyntaxError as error:
        raw.xml_error = str(error)
        root = lxml.etree.fromstring(data, lxml.etree.XMLParser(recover=True, **options))
    if root is None:
        return raw
    raw.is_sitemap = _name(root) in ("urlset", "sitemapindex")
    for element in root.iter():
        name = _name(element)
        if name in ("item", "entry") or (raw.is_sitemap and name == "url"):
            raw.items.append(_raw_item(element))
        elif name in ("channel", "feed") and raw.self_url is None:
            raw.self_url = _self_url(element)
    return raw


def _raw_item(element) -> RawItem:
    link = title = date = ""
    for child in element.iter():
        if child is element:
            continue
        name = _name(child)
        if name in ("link", "loc") and not link:
            rel = child.get("rel", "alternate")
            link = (child.get("href") if rel == "alternate" else None) or (child.text or "")
        elif name == "guid" and not link and child.get("isPermaLink", "true") != "false":
            link = child.text or ""
        elif name == "title" and not title:
            title = "".join(child.itertext())
        elif name in _DATE_NAMES and not date:
            date = child.text or ""
    return RawItem(link=link.strip(), title=title.strip(), date=date.strip())


def _self_url(element) -> str | None:
    for child in element:
        if _name(child) != "link":
            continue
        href = child.get("href") or (child.text or "").strip()
        if href.startswith(("http://", "https://")):
            return href
    return None


def _name(element) -> str:
    if not isinstance(element.tag, str):
        return ""
    return lxml.etree.QName(element).localname.lower()


# --- entries ---------------------------------------------------------------------------------


def _entry_problems(parsed, raw: RawDocument, base: str, now: datetime) -> list[str]:
    entries = parsed.entries
    problems = []
    if not parsed.title and not raw.is_sitemap:
        problems.append("the feed has no title")
    if not entries and not parsed.sitemaps:
        problems.append("no entries")
    unusable = sum(1 for item in raw.items if not absolute_http_url(item.link, base))
    if unusable:
        problems.append(f"{_count(unusable, 'entry', 'entries')} without a usable http(s) link")
    relative = sum(1 for item in raw.items if item.link and not urlsplit(item.link).scheme)
    if relative:
        problems.append(
            f"{_count(relative, 'entry', 'entries')} with a relative link (read against {base})"
        )
    repeated = _repeats(_canonical(absolute_http_url(item.link, base)) for item in raw.items)
    if repeated:
        problems.append(f"{_count(repeated, 'entry', 'entries')} repeating a link (kept once)")
    dates = [_raw_date(item.date) for item in raw.items if item.date]
    undated = sum(entry.published_at is None for entry in entries)
    if undated:
        problems.append(
            f"{undated} of {_count(len(entries), 'entry', 'entries')} without a usable date"
            " (the time of crawling is used)"
        )
    future = sum(1 for date in dates if date and date > now + FUTURE_TOLERANCE)
    if future:
        problems.append(f"{_count(future, 'entry', 'entries')} dated in the future")
    old = sum(1 for date in dates if date and date.year < MIN_YEAR)
    if old:
        problems.append(
            f"{_count(old, 'entry', 'entries')} dated before {MIN_YEAR} (a placeholder like 1970)"
        )
    unreadable = sum(1 for item in raw.items if item.date and _raw_date(item.date) is None)
    if unreadable:
        problems.append(f"{_count(unreadable, 'date')} in a format newsrank cannot read")
    untitled = sum(1 for entry in entries if not entry.title)
    if untitled:
        problems.append(
            f"{_count(untitled, 'entry', 'entries')} without a title"
            " (the article page's title is used)"
        )
    html = [item.title for item in raw.items if _TAG.search(item.title)]
    if html:
        script = " (<script> among them)" if any("<script" in t.lower() for t in html) else ""
        problems.append(f"{_count(len(html), 'title')} with HTML tags{script}; tags are removed")
    repeated = _repeats(entry.guid for entry in entries if entry.guid)
    if repeated:
        problems.append(f"{_count(repeated, 'entry', 'entries')} repeating a GUID")
    return problems


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _repeats(values) -> int:
    counts = Counter(value for value in values if value)
    return sum(count - 1 for count in counts.values())


def _raw_date(text: str) -> datetime | None:
    """A date as written, whatever its year (parse_datetime refuses placeholders such as 1970)."""
    moment = parse_datetime(text)
    if moment is None:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _canonical(url: str | None) -> str | None:
    if url is None:
        return None
    try:
        return canonical_url(url)
    except ValueError:
        return url
