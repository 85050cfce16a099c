"""Parse RSS 0.9x/1.0/2.0 and Atom feeds of Korean outlets into plain entries.

feedparser does the parsing; this module deals with what Korean feeds get wrong before and after it
(see ../shared/data/feeds/korean_feeds_notes.md, section 4):

- charset: "euc-kr" must be decoded as cp949, its superset, because Python's euc_kr codec fails on
  syllables such as "똠"; some feeds labelled euc-kr are really UTF-8; some start with a BOM. The
  bytes are decoded here and handed to feedparser as UTF-8 with the declaration rewritten.
- dates: many give no time zone (they mean KST), or `2026-11-28 14:03:00`, `2026.11.28 14:03`,
  numeric months in RFC 822 dates, double spaces. `parse_datetime` reads the raw string first.
- control characters that make the XML parser stop (한국경제).
- sitemaps and Google News sitemaps (`<urlset>`, `<sitemapindex>`) are read by `sitemaps`, so a
  sitemap can be subscribed to like a feed; gzip'd bytes (`sitemap.xml.gz`) are decompressed first.

Entries come out clean whatever the feed did: plain-text titles, summaries cut to
`SUMMARY_CHARS`, dates before `MIN_YEAR` or more than `FUTURE_TOLERANCE` ahead dropped, and one
entry per canonical link.

    FeedError            the document is not a usable feed; the message says why
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException
from zoneinfo import ZoneInfo

import feedparser

from newsrank.ingest.sanitize import strip_tags
from newsrank.ingest.urls import canonical_url

SEOUL = ZoneInfo("Asia/Seoul")

# A date more than this far ahead is a CMS error (embargo placeholders, wrong zone arithmetic).
FUTURE_TOLERANCE = timedelta(days=1)
# Earlier dates are CMS placeholders (the Unix epoch, 1900-01-01), not publication times; no Korean
# outlet published online before the 1990s.
MIN_YEAR = 1990
# A summary is a teaser on the board and in the search index; one 2 MB description (a whole
# article pasted with its markup) must not become one.
SUMMARY_CHARS = 2000
# Decompressed, a feed or sitemap may be this large: the sitemap protocol's own limit (50 MB).
MAX_DOCUMENT_BYTES = 52_428_800
_GZIP_MAGIC = b"\x1f\x8b"


class FeedError(Exception):
    """The document is not a feed that can be used; the message gives the reason."""


@dataclass(frozen=True)
class Entry:
    """One feed item, reduced to plain text and absolute URLs."""

    url: str
    guid: str | None
    title: str
    published_at: datetime | None
    updated_at: datetime | None
    summary: str
    authors: list[str]
    categories: list[str]


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, site link, entries and the publisher's `<ttl>` hint.

    For a sitemap index, `entries` is empty and `sitemaps` lists the child sitemaps' URLs, newest
    first: fetch and parse one or two of those to get entries.
    """

    title: str
    link: str | None
    entries: list[Entry]
    ttl_minutes: int | None
    sitemaps: list[str] = field(default_factory=list)


def parse_feed(
    content: bytes, url: str, content_type: str | None = None, *, now: datetime | None = None
) -> ParsedFeed:
    """Parse feed bytes fetched from `url`; raise FeedError when they are not a feed.

    `now` (aware) is the reference for rejecting future dates; it defaults to the current time.
    A sitemap or a sitemap index is accepted too (see `sitemaps.parse_sitemap`).
    """
    if content.startswith(_GZIP_MAGIC):
        content = gunzip(content)
    if not content or not content.strip():
        raise FeedError("empty body")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise FeedError(f"document larger than {MAX_DOCUMENT_BYTES:,} bytes")
    text = decode_feed(content, content_type)
    _reject_non_feed(text)
    now = now or datetime.now(UTC)
    xml = _as_utf8_xml(text)
    if _SITEMAP_ROOT.match(text[:65536]):
        # Imported here: sitemaps builds on this module's Entry, ParsedFeed and date parsing.
        from newsrank.ingest.sitemaps import parse_sitemap

        return parse_sitemap(xml, url, now=now)
    if not xml.strip():
        raise FeedError("empty body")
    parsed = feedparser.parse(
        xml,
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
    )
    entries = unique_by_link(
        [e for e in (_entry(raw, url, now) for raw in parsed.entries) if e is not None]
    )
    # A broken document is still accepted when it yields usable entries (many Korean feeds are
    # slightly malformed); a truncated one whose only "entry" has no link is not.
    if not entries and (parsed.bozo or not parsed.get("version")):
        raise FeedError(_bozo_reason(parsed))
    feed = parsed.feed
    return ParsedFeed(
        title=strip_tags(feed.get("title")),
        link=absolute_http_url(feed.get("link"), url),
        entries=entries,
        ttl_minutes=_positive_int(feed.get("ttl")),
    )


# --- decoding ---------------------------------------------------------------------------------


def gunzip(content: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """Decompress gzip bytes (a `sitemap.xml.gz` served as a file, not as Content-Encoding).

    Stops as soon as the output passes `max_bytes`: a few kilobytes of gzip can expand to
    gigabytes (RFC 1951 allows ~1,032:1 per layer).
    """
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, max_bytes + 1)
    except zlib.error as error:
        raise FeedError(f"broken gzip data: {error}") from None
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise FeedError(f"decompressed document larger than {max_bytes:,} bytes")
    if not inflater.eof:
        raise FeedError("truncated gzip data")
    return data


# The WHATWG Encoding Standard's labels for EUC-KR (which browsers decode as windows-949), plus
# the Python and Microsoft names of cp949.
KOREAN_LABELS = frozenset(
    {"euc-kr", "euc_kr", "euckr", "cseuckr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601",
     "ksc_5601", "ks_c_5601", "csksc56011987", "iso-ir-149", "korean", "windows-949", "cp949",
     "x-windows-949", "ms949", "uhc"}
)  # fmt: skip

# The declaration may use either quote style (보안뉴스 uses single quotes).
_XML_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])([^"']*)\2""", re.I)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
# XML 1.0 forbids these; one bad byte makes the strict parser give up on the whole feed.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_feed(content: bytes, content_type: str | None = None) -> str:
    """Decode feed bytes: BOM first, then the XML declaration, then the Content-Type charset."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    head = content[:200].decode("ascii", errors="replace")
    declared = _XML_DECL_ENCODING.match(head)
    label = declared.group(3) if declared else None
    if not label and content_type:
        charset = _CHARSET_PARAM.search(content_type)
        label = charset.group(1) if charset else None
    label = (label or "").strip().lower()
    if label in KOREAN_LABELS:
        # Valid UTF-8 with Hangul is never valid cp949 text by accident, so a feed that decodes as
        # UTF-8 is a mislabelled UTF-8 feed.
        return _try_decode(content, "utf-8") or content.decode("cp949", errors="replace")
    if label and label not in {"utf-8", "utf8"}:
        try:
            codecs.lookup(label)
        except (LookupError, ValueError):  # ValueError: a NUL in the label
            pass
        else:
            decoded = _try_decode(content, label)
            if decoded is not None:
                return decoded
    return (
        _try_decode(content, "utf-8")
        or _try_decode(content, "cp949")
        or content.decode("utf-8", errors="replace")
    )


def _try_decode(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeError, LookupError):  # LookupError: a bytes codec such as "hex"
        return None


def _as_utf8_xml(text: str) -> bytes:
    """Re-encode decoded text as UTF-8, telling feedparser so in the declaration too."""
    text = _CONTROL_CHARS.sub("", text.lstrip("\ufeff"))
    text = _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")


# The leading comments are matched possessively (`*+`): with a plain `*` a lazy `.*?` may swallow
# the next comments too, and a document of 30 comments took minutes to reject.
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*+(?:<!doctype\s+html|<html|<head|<body)", re.I | re.S
)
# Cloudflare's JavaScript challenge (한국경제, 매일경제 serve it to scripts).
_BOT_CHALLENGE = re.compile(r"_cf_chl_opt|<title>\s*Just a moment", re.I)


# The root element of a sitemap (sitemaps.org 0.9), after the declaration, comments and a doctype.
_SITEMAP_ROOT = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*+"
    r"<(?:[\w.-]+:)?(?:urlset|sitemapindex)[\s>/]",
    re.S | re.I,
)


def _reject_non_feed(text: str) -> None:
    if _BOT_CHALLENGE.search(text[:20000]):
        raise FeedError("bot challenge page instead of a feed")
    if _HTML_START.match(text[:5000]):
        raise FeedError("HTML page instead of a feed")


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if isinstance(exc, SAXParseException):
        return f"malformed XML at line {exc.getLineNumber()}: {exc.getMessage()}"
    if exc is not None:
        return f"not a feed: {exc}"
    return "not an RSS or Atom feed (no channel or entries found)"


# --- entries ----------------------------------------------------------------------------------


def _entry(raw: Any, feed_url: str, now: datetime) -> Entry | None:
    url = absolute_http_url(raw.get("link"), feed_url)
    if url is None:
        return None
    published = _entry_date(raw, "published", now)
    updated = _entry_date(raw, "updated", now)
    guid = (raw.get("id") or "").strip() or None
    return Entry(
        url=url,
        guid=guid,
        title=plain_text(raw.get("title")),
        # feedparser files RSS dc:date and Atom <updated> under "updated"; for feeds that have no
        # other date (경향, 보안뉴스) that is the publication date.
        published_at=published or updated,
        updated_at=updated,
        summary=_summary(raw),
        authors=_unique(_author_name(a.get("name")) for a in raw.get("authors", []) if a),
        categories=_unique(strip_tags(t.get("term")) for t in raw.get("tags", []) if t),
    )


# "김하늘 기자", "김하늘 기자 sky@garam.example": the board shows names, as for extracted bylines.
_AUTHOR_NOISE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\s*(?:기자|특파원)$")


def _author_name(raw: str | None) -> str:
    name = strip_tags(raw)
    return _AUTHOR_NOISE.sub("", _AUTHOR_NOISE.sub("", name).strip()).strip()


# An entity left after one round of decoding: the feed escaped its text twice (아주경제 writes
# `&amp;quot;`), and no headline means the characters "&quot;" literally.
_LEFT_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8}\d{0,2});", re.I)
# Likewise HTML tags in the decoded text; only common tag names, so a headline such as
# "영화 <기생충> 재개봉" keeps its angle brackets.
_LEFT_MARKUP = re.compile(
    r"</?(?:a|b|br|div|em|font|i|iframe|img|p|script|span|strong|style|u)\b[^>]*>", re.I
)


def plain_text(html: str | None) -> str:
    """Markup as one line of plain text; text escaped twice is decoded twice, then stripped."""
    text = strip_tags(html)
    if _LEFT_ENTITY.search(text) or _LEFT_MARKUP.search(text):
        text = strip_tags(unescape(text) if _LEFT_ENTITY.search(text) else text)
    return text


def _summary(raw: Any) -> str:
    html = raw.get("summary") or next(
        (content["value"] for content in raw.get("content", []) if content.get("value")), ""
    )
    # Markup is cut before stripping, so a 2 MB description costs little; what survives the cut
    # is still far more text than is kept.
    text = plain_text(html[: SUMMARY_CHARS * 20])
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[: SUMMARY_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[-50:] else cut) + "…"


def _entry_date(raw: Any, key: str, now: datetime) -> datetime | None:
    # dict.get, not raw.get: FeedParserDict answers "updated" with "published" when it is missing.
    value = parse_datetime(dict.get(raw, key) or "")
    parsed = dict.get(raw, f"{key}_parsed")
    if value is None and parsed:
        # feedparser read a format we do not; its struct_time is UTC.
        try:
            value = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            value = None
    return reasonable_date(value, now)


def reasonable_date(value: datetime | None, now: datetime) -> datetime | None:
    """`value`, or None when it is a placeholder (before MIN_YEAR) or more than a day ahead."""
    if value is None or value.year < MIN_YEAR or value > now + FUTURE_TOLERANCE:
        return None
    return value


def unique_by_link(entries: list[Entry]) -> list[Entry]:
    """The entries minus later ones whose link is the same article (tracking parameters, case)."""
    seen: set[str] = set()
    kept = []
    for entry in entries:
        try:
            key = canonical_url(entry.url)
        except ValueError:
            key = entry.url
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def absolute_http_url(link: str | None, base: str) -> str | None:
    """`link` resolved against `base`, or None unless it is an http(s) URL with a host and port."""
    link = (link or "").strip()
    if not link:
        return None
    try:
        absolute = urljoin(base, link)
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 (raises ValueError for "a.example:99999" or "a.example:port")
    except ValueError:  # also "http://[::1": an unclosed or invalid IPv6 literal
        return None
    return absolute if parts.scheme in {"http", "https"} and parts.hostname else None


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _unique(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip

_TIME = (
    r"(?:(?P<ampm>오전|오후|am|pm)\s*)?(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{2})"
    r"(?:\s*분)?(?:\s*:?\s*(?P<S>\d{2})(?:[.,]\d+)?(?:\s*초)?)?(?:\s*(?P<ampm2>am|pm))?"
)
_ZONE = r"(?P<tz>z|utc|ut|gmt|kst|[+-]\d{2}:?\d{2}|[+-]\d{2})"
# 2026-11-28T14:03:00+09:00, 2026-11-28 14:03:00, 2026.11.28 14:03, 2026. 11. 28. 오후 2:03,
# 2026년 11월 28일 14시 3분, 2026/11/28(토) 14:03
_YMD_RE = re.compile(
    r"(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})(?:\s*[.일])?"
    r"(?:\s*\([^)]{1,3}\))?"
    rf"(?:(?:\s*t\s*|\s+){_TIME})?\s*{_ZONE}?",
    re.I,
)
# RFC 822 and its Korean variants: "Tue, 11 Aug 2026 07:00:00 +0900", "Sun,27 Sep 2026 …",
# "9 Aug  2026 16:07:00 GMT", "Tue, 11 08 2026 07:00:00 +0900" (노컷, numeric month), full names.
_RFC_RE = re.compile(
    r"(?:[a-z]{3,9}\s*,?\s*)?(?P<d>\d{1,2})\s+(?P<mon>[a-z]{3,9}|\d{1,2})\s+(?P<y>\d{4})"
    rf"(?:\s+{_TIME})?\s*{_ZONE}?",
    re.I,
)


# "Saturday, 28 November 2026 14:03:00.250 +09:00" is 48 characters; nothing longer is a date.
_LONGEST_DATE = 80


def parse_datetime(raw: str) -> datetime | None:
    """Parse a date as Korean feeds and pages write it; zone-less times are Asia/Seoul. Aware UTC.

    Returns None when the whole string is not a recognised date (so a caller can fall back).
    """
    # Runs of spaces become one: the patterns' neighbouring `\s*` would otherwise try every way
    # to split a long run between them (seconds for a few thousand spaces).
    text = " ".join(unicodedata.normalize("NFKC", raw or "").split()).rstrip(".")
    if not text or len(text) > _LONGEST_DATE:
        return None
    for pattern in (_YMD_RE, _RFC_RE):
        match = pattern.fullmatch(text)
        if match:
            return _build_datetime(match)
    return None


def search_datetime(text: str) -> datetime | None:
    """The first year-month-day date (and time, if any) inside `text`, read as parse_datetime."""
    match = _YMD_RE.search(" ".join(unicodedata.normalize("NFKC", text or "").split()))
    return _build_datetime(match) if match else None


def _build_datetime(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    month_text = groups.get("mon") or groups["m"]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    hour, minute, second = (int(groups[k] or 0) for k in ("H", "M", "S"))
    ampm = (groups["ampm"] or groups["ampm2"] or "").lower()
    if ampm in {"오후", "pm"} and hour < 12:
        hour += 12
    elif ampm in {"오전", "am"} and hour == 12:
        hour = 0
    try:
        local = datetime(int(groups["y"]), month or 0, int(groups["d"]), hour, minute, second)
    except ValueError:
        return None
    if not 1990 <= local.year <= 2100:
        return None
    return local.replace(tzinfo=_zone(groups["tz"])).astimezone(UTC)


def _zone(name: str | None) -> timezone | ZoneInfo:
    if not name or name.lower() == "kst":
        return SEOUL
    if name.lower() in {"z", "utc", "ut", "gmt"}:
        return UTC
    digits = name[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(-offset if name[0] == "-" else offset)
