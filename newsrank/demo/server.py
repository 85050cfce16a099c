"""Fictional Korean news outlets served on loopback: the only news source of the demo and the tests.

One HTTP server on one port; each outlet lives under its own prefix (`/garam/...`) with a homepage,
RSS or Atom feeds, article pages in its own layout (see `layouts`) and SVG photos (see `images`).
`/_trouble/...` serves the broken inputs the pipeline must survive (see `trouble`); it is not part
of `feeds()`. 가람일보 also publishes a Google News sitemap, listed by `sitemaps()` and in robots.txt.

Time is injectable. An article is published, i.e. listed in feeds and served, once
`start + offset_minutes <= clock()`, so a test can move a fake clock and watch it appear:

    with SampleOutlets(content_dir=path, clock=fake_clock) as outlets:
        feeds = outlets.feeds()

Run `python -m newsrank.demo.server --port 8765` to serve until Ctrl-C.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from newsrank.demo import hostile, images, layouts, trouble
from newsrank.demo.layouts import KST, Feed, FeedItem, Link, Page, Photo

CONTENT_DIR = Path(__file__).with_name("content")
FEED_LIMIT = 30
# Google News sitemaps list the articles of the last two days, at most 1,000 (Google's rules:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
NEWS_SITEMAP_DAYS = 2
NEWS_SITEMAP_LIMIT = 1000
NEWS_SITEMAP_LABEL = "뉴스 사이트맵"

# The board's section slugs (as in newsrank/sources/sections.py) and the label most outlets use.
SECTION_LABELS = {
    "politics": "정치",
    "economy": "경제",
    "society": "사회",
    "world": "국제",
    "culture": "문화",
    "it": "IT·과학",
    "sports": "스포츠",
    "entertainment": "연예",
}
_SECTION_ORDER = list(SECTION_LABELS)


@dataclass(frozen=True)
class SampleFeed:
    """A feed an operator would subscribe to."""

    outlet: str
    outlet_slug: str
    section: str
    url: str
    homepage: str


@dataclass(frozen=True)
class SampleArticle:
    """An article of a sample outlet. `section` is the board slug ("politics"), not the label."""

    outlet_slug: str
    outlet: str
    id: str
    url: str
    title: str
    section: str
    event: str | None
    published_at: datetime


# ---------------------------------------------------------------- outlets: URL schemes and content


@dataclass(frozen=True)
class _Scheme:
    """Where an outlet puts things (str.format patterns under /<slug>/) and how its feeds look.

    Pattern fields: id, section (board slug), code (section number), y, m, d (KST date), n (photo).
    """

    article: str
    image: str
    main_feed: str
    section_feed: str
    lead: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    atom: bool = False
    atom_tag: bool = False
    dc_creator: bool = False
    cdata: bool = False
    guid_is_link: bool = True
    news_sitemap: str = ""  # a Google News sitemap's path, if the outlet publishes one


# fmt: off
_SCHEMES = {
    # slug: _Scheme(article page, photo, main feed, section feed, feed and lead flavour)
    "baram": _Scheme("view/AKR{id}", "photo/AKR{id}_{n:02d}.svg", "rss/all.xml",
                     "rss/{section}.xml", lead="(서울=바람뉴스) {reporter} 기자 = ",
                     guid_is_link=False),
    "byeol": _Scheme("{section}/{id}", "img/{id}_{n}.svg", "atom.xml", "{section}/atom.xml",
                     atom=True),
    "dain": _Scheme("news/{id}", "media/{id}/{n}.svg", "feed", "feed/{section}",
                    labels={"it": "IT/과학"}, atom=True, atom_tag=True),
    "garam": _Scheme("article/{id}.html", "images/{id}-{n}.svg", "rss/allArticle.xml",
                     "rss/{section}.xml", labels={"world": "세계"}, dc_creator=True,
                     news_sitemap="sitemap-news.xml"),
    "nuri": _Scheme("news/{y}/{m}/{d}/{id}", "photo/{y}/{m}/{id}_{n}.svg", "rss/news.xml",
                    "rss/{section}.xml", lead="[누리경제] ", labels={"economy": "경제·금융"},
                    dc_creator=True, cdata=True),
    # ND Soft CMS sites number their sections (/rss/S1N1.xml) and key articles by ?idxno=.
    "saebyeok": _Scheme("news/articleView.html?idxno={id}", "news/photo/{y}{m}/{id}_{n}.svg",
                        "rss/allArticle.xml", "rss/S1N{code}.xml"),
}
# fmt: on
# An outlet added to content/ without a layout of its own looks like the national daily.
_DEFAULT_SCHEME = _Scheme(
    "article/{id}.html", "images/{id}-{n}.svg", "rss/all.xml", "rss/{section}.xml"
)


@dataclass(frozen=True)
class _Article:
    id: str
    section: str
    title: str
    subtitles: tuple[str, ...]
    reporter: str
    email: str
    body: tuple[str, ...]  # as shown: the outlet's lead tag is already on the first paragraph
    photos: tuple[tuple[str, str], ...]  # (caption, credit)
    event: str | None
    published_at: datetime
    path: str
    image_paths: tuple[str, ...]


@dataclass(frozen=True)
class _FeedSpec:
    section: str | None  # None for the outlet's main feed
    label: str
    path: str


@dataclass(frozen=True)
class _Outlet:
    slug: str
    name: str
    domain: str
    description: str
    encoding: str
    scheme: _Scheme
    articles: tuple[_Article, ...]  # newest first
    feeds: tuple[_FeedSpec, ...]

    @property
    def charset(self) -> str:
        # Korean sites label cp949 pages "euc-kr"; readers must decode with the superset (cp949).
        return "euc-kr" if self.encoding == "cp949" else self.encoding

    def label(self, section: str) -> str:
        return self.scheme.labels.get(section) or SECTION_LABELS.get(section, section)


def _load_outlets(content_dir: Path, start: datetime) -> list[_Outlet]:
    files = sorted(content_dir.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no sample outlets in {content_dir}: expected <slug>.json files")
    return [_load_outlet(path, start) for path in files]


def _load_outlet(path: Path, start: datetime) -> _Outlet:
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        slug = data["slug"]
        scheme = _SCHEMES.get(slug, _DEFAULT_SCHEME)
        articles = [_load_article(slug, scheme, raw, start) for raw in data["articles"]]
        name = data["name"]
    except KeyError as missing:
        raise ValueError(f"{path}: missing field {missing}") from None
    ids = Counter(a.id for a in articles)
    if repeated := [i for i, n in ids.items() if n > 1]:
        raise ValueError(f"{path}: article ids used more than once: {', '.join(repeated)}")
    articles.sort(key=lambda a: (a.published_at, a.id), reverse=True)
    outlet = _Outlet(
        slug=slug,
        name=name,
        domain=data.get("domain", f"{slug}.example"),
        description=data.get("description", name),
        encoding=data.get("encoding", "utf-8"),
        scheme=scheme,
        articles=tuple(articles),
        feeds=(),
    )
    return _with_feeds(outlet)


def _load_article(slug: str, scheme: _Scheme, raw: dict, start: datetime) -> _Article:
    published = start + timedelta(minutes=raw["offset_minutes"])
    local = published.astimezone(KST)
    fields = {
        "id": raw["id"],
        "section": raw["section"],
        "code": _SECTION_ORDER.index(raw["section"]) + 1 if raw["section"] in SECTION_LABELS else 9,
        "y": f"{local:%Y}",
        "m": f"{local:%m}",
        "d": f"{local:%d}",
    }
    photos = tuple((img.get("caption", ""), img.get("credit", "")) for img in raw.get("images", []))
    reporter = raw.get("reporter", "")
    body = list(raw["body"])
    lead = scheme.lead.format(reporter=reporter)
    # The content may or may not carry the lead tag already; add it only when it is absent.
    if lead and body and not body[0].startswith(lead[0]):
        body[0] = lead + body[0]
    return _Article(
        id=str(raw["id"]),
        section=raw["section"],
        title=raw["title"],
        subtitles=tuple(raw.get("subtitles", [])),
        reporter=reporter,
        email=raw.get("email", ""),
        body=tuple(body),
        photos=photos,
        event=raw.get("event"),
        published_at=published,
        path=f"/{slug}/" + scheme.article.format(**fields),
        image_paths=tuple(
            f"/{slug}/" + scheme.image.format(n=n, **fields) for n in range(1, len(photos) + 1)
        ),
    )


def _with_feeds(outlet: _Outlet) -> _Outlet:
    """The main feed, one for the outlet's busiest section and one for the next if it has 2+."""
    counts = Counter(a.section for a in outlet.articles)
    known = {s: i for i, s in enumerate(_SECTION_ORDER)}
    ranked = sorted(counts, key=lambda s: (-counts[s], known.get(s, len(known)), s))
    busiest = [s for rank, s in enumerate(ranked[:2]) if rank == 0 or counts[s] >= 2]
    scheme, prefix = outlet.scheme, f"/{outlet.slug}/"
    feeds = [_FeedSpec(None, "전체", prefix + scheme.main_feed)]
    for section in busiest:
        code = known.get(section, 8) + 1
        path = prefix + scheme.section_feed.format(section=section, code=code)
        feeds.append(_FeedSpec(section, outlet.label(section), path))
    return replace(outlet, feeds=tuple(feeds))


# ---------------------------------------------------------------- responses


@dataclass
class Reply:
    """What the server answers to one request."""

    status: int
    body: bytes | Iterable[bytes] = b""  # an iterable is streamed and ends with the connection
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


Handler = Callable[[Mapping[str, str]], Reply]  # request headers -> reply


def _encode(text: str, encoding: str) -> bytes:
    # A character the legacy charset lacks becomes a numeric reference, as Korean CMSs emit it.
    return text.encode(encoding, "xmlcharrefreplace")


def _not_found(path: str) -> Reply:
    return Reply(404, layouts.not_found_page(path).encode("utf-8"))


def _etag(*parts: str) -> str:
    return '"' + hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:20] + '"'


def _not_modified(headers: Mapping[str, str], etag: str, updated: datetime) -> bool:
    """Whether a conditional GET may get 304; If-None-Match wins over If-Modified-Since.

    RFC 9110 §13.1.3: a server that evaluates If-None-Match ignores If-Modified-Since.
    """
    none_match = headers.get("If-None-Match")
    if none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in none_match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return updated <= moment


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _rank(text: str) -> bytes:
    # A stable pseudo-random order for the "많이 본 뉴스" lists.
    return hashlib.sha1(text.encode("utf-8")).digest()


# ---------------------------------------------------------------- the server


class SampleOutlets:
    """The sample outlets on one loopback port; `start()` serves them in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        content_dir: str | Path | None = None,
        clock: Callable[[], datetime] | None = None,
        start: datetime | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._clock = clock or _utcnow
        moment = start if start is not None else self._clock()
        if moment.tzinfo is None:
            raise ValueError("start must be a timezone-aware datetime")
        # Whole seconds, so feed times compare exactly with HTTP dates (which have no fractions).
        self._start = moment.astimezone(UTC).replace(microsecond=0)
        self._outlets = _load_outlets(Path(content_dir or CONTENT_DIR), self._start)
        self._stopping = threading.Event()
        self._routes = self._build_routes()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> SampleOutlets:
        """Bind the port and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("SampleOutlets is already started")
        self._stopping.clear()
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            # A short poll interval makes stop() quick; the test suite starts and stops it often.
            target=partial(self._httpd.serve_forever, poll_interval=0.05),
            name=f"sample-outlets:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port; slow and streaming answers end early."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> SampleOutlets:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what is served

    @property
    def base_url(self) -> str:
        """The server's root, e.g. "http://127.0.0.1:43121" (known once a port is chosen)."""
        if not self.port:
            raise RuntimeError("SampleOutlets has no port yet: call start() first")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def feeds(self) -> list[SampleFeed]:
        """Per outlet, its main feed ("전체") and one or two section feeds."""
        base = self.base_url
        return [
            SampleFeed(
                outlet=outlet.name,
                outlet_slug=outlet.slug,
                section=spec.label,
                url=base + spec.path,
                homepage=f"{base}/{outlet.slug}/",
            )
            for outlet in self._outlets
            for spec in outlet.feeds
        ]

    def sitemaps(self) -> list[SampleFeed]:
        """The Google News sitemaps (가람일보's), kept apart from `feeds()`."""
        base = self.base_url
        return [
            SampleFeed(
                outlet=outlet.name,
                outlet_slug=outlet.slug,
                section=NEWS_SITEMAP_LABEL,
                url=f"{base}/{outlet.slug}/{outlet.scheme.news_sitemap}",
                homepage=f"{base}/{outlet.slug}/",
            )
            for outlet in self._outlets
            if outlet.scheme.news_sitemap
        ]

    def articles(self, *, published_only: bool = True) -> list[SampleArticle]:
        """The articles of every outlet, newest first; by default only those published by now."""
        base, now = self.base_url, self._now()
        found = [
            SampleArticle(
                outlet_slug=outlet.slug,
                outlet=outlet.name,
                id=article.id,
                url=base + article.path,
                title=article.title,
                section=article.section,
                event=article.event,
                published_at=article.published_at,
            )
            for outlet in self._outlets
            for article in outlet.articles
            if not published_only or article.published_at <= now
        ]
        return sorted(found, key=lambda a: a.published_at, reverse=True)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("clock() must return a timezone-aware datetime")
        return now

    # -- routing

    def _build_routes(self) -> dict[str, Handler]:
        """Every path the server answers, mapped to the function that answers it."""
        routes: dict[str, Handler] = {"/": self._index, "/robots.txt": self._robots}
        for outlet in self._outlets:
            routes[f"/{outlet.slug}/"] = partial(self._home, outlet)
            for spec in outlet.feeds:
                routes[spec.path] = partial(self._feed, outlet, spec)
            if outlet.scheme.news_sitemap:
                path = f"/{outlet.slug}/{outlet.scheme.news_sitemap}"
                routes[path] = partial(self._news_sitemap, outlet)
            for article in outlet.articles:
                routes[article.path] = partial(self._article, outlet, article)
                for number, path in enumerate(article.image_paths, 1):
                    routes[path] = partial(self._image, outlet, article, number)
        routes.update(
            trouble.routes(
                base_url=lambda: self.base_url,
                start=self._start,
                clock=self._now,
                stopping=self._stopping,
            )
        )
        # Hostile content for the security tests (newsrank/demo/hostile.py), never in feeds().
        routes.update(hostile.routes(base_url=lambda: self.base_url, start=self._start))
        return routes

    def _respond(self, target: str, headers: Mapping[str, str]) -> Reply:
        """The reply to a GET of `target` (path and query)."""
        parts = urlsplit(target)
        path = parts.path
        route = self._routes.get(path)
        if route is None and parts.query:
            # ND Soft article URLs differ only in their query: articleView.html?idxno=123.
            idxno = parse_qs(parts.query).get("idxno")
            if idxno:
                route = self._routes.get(f"{path}?idxno={idxno[0]}")
        if route is None and f"{path}/" in self._routes:
            return Reply(301, b"", None, {"Location": f"{path}/"})
        return route(headers) if route else _not_found(path)

    def _visible(self, outlet: _Outlet) -> list[_Article]:
        now = self._now()
        return [article for article in outlet.articles if article.published_at <= now]

    def _html(self, outlet: _Outlet, text: str) -> Reply:
        return Reply(200, _encode(text, outlet.encoding), f"text/html; charset={outlet.charset}")

    def _index(self, headers: Mapping[str, str]) -> Reply:
        feeds = [
            (
                Link(f"{outlet.name} {spec.label}", spec.path),
                "application/atom+xml" if outlet.scheme.atom else "application/rss+xml",
            )
            for outlet in self._outlets
            for spec in outlet.feeds
        ]
        homes = [Link(outlet.name, f"/{outlet.slug}/") for outlet in self._outlets]
        text = layouts.home_page("newsrank 샘플 언론사", "데모와 시험용 가상 언론사", feeds, homes)
        return Reply(200, text.encode("utf-8"))

    def _robots(self, headers: Mapping[str, str]) -> Reply:
        # Sitemap lines take absolute URLs (RFC 9309 §2.2.4; sitemaps.org "Informing search
        # engine crawlers"), and the port is only known once serving: built per request.
        lines = ["User-agent: *", "Allow: /"]
        lines += [f"Sitemap: {sitemap.url}" for sitemap in self.sitemaps()]
        return Reply(200, ("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")

    def _home(self, outlet: _Outlet, headers: Mapping[str, str]) -> Reply:
        mime = "application/atom+xml" if outlet.scheme.atom else "application/rss+xml"
        feeds = [(Link(f"{outlet.name} {spec.label}", spec.path), mime) for spec in outlet.feeds]
        links = [Link(article.title, article.path) for article in self._visible(outlet)[:50]]
        text = layouts.home_page(
            outlet.name, outlet.description, feeds, links, charset=outlet.charset
        )
        return self._html(outlet, text)

    def _feed(self, outlet: _Outlet, spec: _FeedSpec, headers: Mapping[str, str]) -> Reply:
        items = [a for a in self._visible(outlet) if spec.section in (None, a.section)]
        items = items[:FEED_LIMIT]
        updated = items[0].published_at if items else self._start
        etag = _etag(self._start.isoformat(), spec.path, *(a.id for a in items))
        validators = {"ETag": etag, "Last-Modified": format_datetime(updated, usegmt=True)}
        if _not_modified(headers, etag, updated):
            return Reply(304, b"", None, validators)
        base, scheme = self.base_url, outlet.scheme
        feed = Feed(
            title=f"{outlet.name} - {spec.label}",
            home=f"{base}/{outlet.slug}/",
            url=base + spec.path,
            description=outlet.description,
            updated=updated,
            items=tuple(
                FeedItem(
                    title=a.title,
                    url=base + a.path,
                    guid=a.path.rsplit("/", 1)[-1],
                    published=a.published_at,
                    category=outlet.label(a.section),
                    summary=a.body[0] if a.body else a.title,
                    author=a.reporter,
                    email=a.email,
                )
                for a in items
            ),
        )
        if scheme.atom:
            text = layouts.atom_feed(feed, tag_domain=outlet.domain if scheme.atom_tag else None)
            mime = "application/atom+xml"
        else:
            text = layouts.rss_feed(
                feed,
                encoding=outlet.charset,
                dc_creator=scheme.dc_creator,
                cdata=scheme.cdata,
                guid_is_link=scheme.guid_is_link,
            )
            mime = "application/rss+xml"
        body = _encode(text, outlet.encoding)
        return Reply(200, body, f"{mime}; charset={outlet.charset}", validators)

    def _news_sitemap(self, outlet: _Outlet, headers: Mapping[str, str]) -> Reply:
        since = self._now() - timedelta(days=NEWS_SITEMAP_DAYS)
        items = [a for a in self._visible(outlet) if a.published_at > since]
        items = items[:NEWS_SITEMAP_LIMIT]
        updated = items[0].published_at if items else self._start
        path = f"/{outlet.slug}/{outlet.scheme.news_sitemap}"
        etag = _etag(self._start.isoformat(), path, *(a.id for a in items))
        validators = {"ETag": etag, "Last-Modified": format_datetime(updated, usegmt=True)}
        if _not_modified(headers, etag, updated):
            return Reply(304, b"", None, validators)
        base = self.base_url
        text = layouts.news_sitemap(
            outlet.name,
            [FeedItem(a.title, base + a.path, a.id, a.published_at, "", "", "", "") for a in items],
        )
        return Reply(200, text.encode("utf-8"), "application/xml; charset=utf-8", validators)

    def _article(self, outlet: _Outlet, article: _Article, headers: Mapping[str, str]) -> Reply:
        if article.published_at > self._now():
            return _not_found(article.path)
        others = [a for a in self._visible(outlet) if a is not article]
        related = [a for a in others if a.section == article.section][:4] or others[:4]
        popular = sorted(others, key=lambda a: _rank(a.id))[:5]
        base = self.base_url
        page = Page(
            outlet=outlet.name,
            outlet_slug=outlet.slug,
            home=f"/{outlet.slug}/",
            url=base + article.path,
            id=article.id,
            section=outlet.label(article.section),
            title=article.title,
            subtitles=article.subtitles,
            reporter=article.reporter,
            email=article.email,
            body=article.body,
            photos=tuple(
                Photo(path, base + path, caption, credit)
                for path, (caption, credit) in zip(article.image_paths, article.photos, strict=True)
            ),
            published=article.published_at,
            related=tuple(Link(a.title, a.path) for a in related),
            popular=tuple(Link(a.title, a.path) for a in popular),
            charset=outlet.charset,
        )
        render = layouts.ARTICLE_LAYOUTS.get(outlet.slug, layouts.garam_article)
        return self._html(outlet, render(page))

    def _image(
        self, outlet: _Outlet, article: _Article, number: int, headers: Mapping[str, str]
    ) -> Reply:
        if article.published_at > self._now():
            return _not_found(article.image_paths[number - 1])
        svg = images.render_svg(f"{outlet.slug}/{article.id}/{number}", outlet.name)
        return Reply(200, svg, "image/svg+xml")


# ---------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    """Answers one connection, keep-alive, so crawls and benchmarks reuse their connections."""

    protocol_version = "HTTP/1.1"
    server_version = "newsrank-demo/0.1"
    # An idle keep-alive connection is dropped after this long instead of holding its thread.
    timeout = 15
    # Headers and body go out in two writes; with Nagle on, the second waits for the client's
    # delayed ACK, about 40 ms per response on Linux.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        app = self.server.app
        try:
            if app._stopping.is_set():
                reply = Reply(503, b"", None, {"Connection": "close"})
                self.close_connection = True
            else:
                reply = app._respond(self.path, self.headers)
            if reply.delay and app._stopping.wait(reply.delay):
                self.close_connection = True
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            if isinstance(reply.body, bytes):
                if reply.status != 304:
                    self.send_header("Content-Length", str(len(reply.body)))
            else:
                # No length known: the body ends when the connection does (RFC 9112 §6.3).
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if send_body and reply.status != 304:
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                for chunk in chunks:
                    self.wfile.write(chunk)
        except (ConnectionError, TimeoutError):
            # The client hung up (a size cap, a timeout, a test ending): routine, not an error.
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: tests and the demo print what matters themselves."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: SampleOutlets) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> int:
    """Serve the sample outlets until Ctrl-C, printing the feed URLs."""
    parser = argparse.ArgumentParser(
        prog="python -m newsrank.demo.server", description="Serve fictional Korean news outlets."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--content-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    outlets = SampleOutlets(args.host, args.port, content_dir=args.content_dir).start()
    print(f"Sample outlets on {outlets.base_url}/ (Ctrl-C to stop)")
    for feed in outlets.feeds() + outlets.sitemaps():
        print(f"{feed.outlet}\t{feed.section}\t{feed.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        outlets.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
