"""Read sitemaps and Google News sitemaps as feeds, for outlets that publish those better than RSS.

`parse_feed` hands a document here when its root element is `<urlset>` or `<sitemapindex>`:

- `<urlset>` (https://www.sitemaps.org/protocol.html): one entry per `<url><loc>`. A Google News
  sitemap (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)
  adds `<news:news>` with the title, the W3C publication date and the publication's name, which
  becomes the feed title. A plain sitemap gives no title (the page's title is used then) and only
  `<lastmod>` as the date. Zone-less dates are Asia/Seoul, as everywhere in `feeds`.
- `<sitemapindex>`: no entries; `ParsedFeed.sitemaps` lists the child sitemaps, newest `<lastmod>`
  first, so the caller can follow the newest one or two (한국경제's `daily-article.xml`).

The protocol caps a sitemap at 50,000 URLs and 50 MB uncompressed; anything larger is refused. Of
what is left only the newest `KEEP_NEWEST` are kept: an outlet's sitemap of the last month should not
make the crawler fetch thousands of old pages in one round.

Parsing is lxml's iterparse, with what it offers against hostile XML: no entity substitution
(billion laughs, XXE), no network, no DTD, huge_tree off (libxml2's depth and text-size limits).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TypeVar

import lxml.etree

from newsrank.ingest.feeds import (
    Entry,
    FeedError,
    ParsedFeed,
    absolute_http_url,
    parse_datetime,
    plain_text,
    reasonable_date,
    unique_by_link,
)
from newsrank.ingest.sanitize import strip_tags

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_URLS = 50_000  # sitemaps.org: "no more than 50,000 URLs"
MAX_BYTES = 52_428_800  # sitemaps.org: "no larger than 50MB (52,428,800 bytes)" uncompressed
KEEP_NEWEST = 200

_T = TypeVar("_T")


def parse_sitemap(
    content: bytes, url: str, *, now: datetime, keep: int = KEEP_NEWEST
) -> ParsedFeed:
    """Parse a `<urlset>` or `<sitemapindex>` (UTF-8 bytes) fetched from `url`; FeedError if unusable.

    Entries and child sitemaps come newest first; undated ones follow in document order.
    """
    if len(content) > MAX_BYTES:
        raise FeedError(f"sitemap larger than {MAX_BYTES:,} bytes")
    reader = _Reader(url, now)
    try:
        reader.read(content)
    except lxml.etree.XMLSyntaxError as error:
        # A sitemap cut short still lists usable URLs before the break, as broken feeds do.
        if not reader.entries and not reader.children:
            line = error.position[0] if error.position else "?"
            raise FeedError(f"malformed XML at line {line}: {error.msg}") from None
    if reader.root == "sitemapindex":
        children = _newest_first(reader.children)
        return ParsedFeed("", None, [], None, sitemaps=_unique(children)[:keep])
    entries = unique_by_link(_newest_first(reader.entries))
    return ParsedFeed(reader.publication, None, entries[:keep], None)


class _Reader:
    """Collects a sitemap's URLs (or child sitemaps) element by element, freeing each when read."""

    def __init__(self, url: str, now: datetime) -> None:
        self.url = url
        self.now = now
        self.root = ""
        self.publication = ""
        self.entries: list[tuple[datetime | None, Entry]] = []
        self.children: list[tuple[datetime | None, str]] = []
        self.count = 0

    def read(self, content: bytes) -> None:
        events = lxml.etree.iterparse(
            io.BytesIO(content),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        depth = 0
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    self.root = _local(element)
                    if self.root not in {"urlset", "sitemapindex"}:
                        raise FeedError(f"not a sitemap: the root element is <{self.root}>")
                continue
            depth -= 1
            if depth != 1:
                continue
            name = _local(element)
            if name in {"url", "sitemap"}:
                self.count += 1
                if self.count > MAX_URLS:
                    raise FeedError(f"sitemap lists more than {MAX_URLS:,} URLs")
                if name == "url" and self.root == "urlset":
                    self._url(element)
                elif name == "sitemap" and self.root == "sitemapindex":
                    self._sitemap(element)
            # Read: free it and what came before, so 50,000 <url>s never sit in memory at once.
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]

    def _url(self, element: lxml.etree._Element) -> None:
        fields = _children(element)
        link = absolute_http_url(_text(fields.get("loc")), self.url)
        if link is None:
            return
        lastmod = self._date(fields.get("lastmod"))
        news = _children(fields["news"]) if "news" in fields else {}
        publication = _children(news["publication"]) if "publication" in news else {}
        if not self.publication:
            self.publication = strip_tags(_text(publication.get("name")))
        published = self._date(news.get("publication_date")) or lastmod
        keywords = _text(news.get("keywords")).split(",")
        entry = Entry(
            url=link,
            guid=None,
            title=plain_text(_text(news.get("title"))),
            published_at=published,
            updated_at=lastmod,
            summary="",
            authors=[],
            categories=list(dict.fromkeys(k for k in map(strip_tags, keywords) if k)),
        )
        self.entries.append((published, entry))

    def _sitemap(self, element: lxml.etree._Element) -> None:
        fields = _children(element)
        link = absolute_http_url(_text(fields.get("loc")), self.url)
        if link is not None:
            self.children.append((self._date(fields.get("lastmod")), link))

    def _date(self, element: lxml.etree._Element | None) -> datetime | None:
        return reasonable_date(parse_datetime(_text(element)), self.now)


def _local(element: lxml.etree._Element) -> str:
    # Sitemaps in the wild use the 0.9 namespace, the old Google 0.84 one, or none: go by local name.
    # A prefix whose namespace was never declared stays in the name ("news:news"); drop it too.
    tag = element.tag
    return tag.rpartition("}")[2].rpartition(":")[2] if isinstance(tag, str) else ""


def _children(element: lxml.etree._Element) -> dict[str, lxml.etree._Element]:
    """Direct children by local name, first one wins; `<image:title>` stays inside `<image:image>`."""
    found: dict[str, lxml.etree._Element] = {}
    for child in element:
        name = _local(child)
        if name == "news" and child.tag != f"{{{NEWS_NS}}}news" and "}" in child.tag:
            continue  # a `news` element of some other extension
        if name:
            found.setdefault(name, child)
    return found


def _text(element: lxml.etree._Element | None) -> str:
    if element is None:
        return ""
    return "".join(_texts(element)).strip()


def _texts(element: lxml.etree._Element) -> list[str]:
    # Entity references left unresolved on purpose are nodes of their own: their "&name;" is
    # dropped, the text after them (their tail) kept.
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts += _texts(child)
        parts.append(child.tail or "")
    return parts


def _newest_first(dated: list[tuple[datetime | None, _T]]) -> list[_T]:
    with_date = [(date, value) for date, value in dated if date is not None]
    with_date.sort(key=lambda pair: pair[0], reverse=True)  # stable: ties keep document order
    return [value for _, value in with_date] + [value for date, value in dated if date is None]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
