"""A simulated world of Korean news outlets on loopback, for bench/freshness.py.

Fifty fictional outlets, each on its own loopback address (127.0.0.2, 127.0.0.3, …; Linux routes
all of 127/8 to lo), so a crawler's per-host politeness applies to each as it would to real sites.
Each outlet publishes at its own rate with Poisson arrivals (exponential gaps), from two days
before the world starts (longer for slow outlets, enough for 45 items), so its feed's newest 30
items look as they would at any moment:

    class        outlets  articles a day (spread log-uniformly)   article URL
    wire               3  1,000–1,500                              /news/{id}.html
    daily             20  50–300                                   /news/{id}.html
    specialist        20  5–30 (regional and trade papers)         /news/articleView.html?idxno={id}
    weekly             7  about 1                                  /news/articleView.html?idxno={id}

(The ND Soft `articleView.html?idxno=` URL is what most Korean regional and specialist papers run
on; its pages carry that CMS's markup, so newsrank's `~ndsoft` rule reads them, while the others go
through the generic extractor.) Rates are constant: a 10-minute run sees no day/night cycle.

Articles are made from the sample outlets' vocabulary (newsrank/demo/content/*.json): titles joined
from two sample titles' halves, bodies of sentences drawn from the sample bodies, with a byline and a
copyright line as Korean outlets print them. Each outlet serves:

- `/rss/all.xml`: RSS 2.0, its newest 30 published items, with an ETag (If-None-Match → 304) and
  Last-Modified (If-Modified-Since → 304), no Cache-Control;
- article pages (`<article>`, `<h1>`, `<p>`s, `article:published_time`), 404 before publication;
- `/robots.txt` allowing everything.

The world records every request (time, outlet, kind, status) and knows each article's publication
time (whole seconds, as feeds state them).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CONTENT_DIR = Path(__file__).resolve().parent.parent / "newsrank" / "demo" / "content"
KST = timezone(timedelta(hours=9), "KST")
FEED_LIMIT = 30
HISTORY = timedelta(days=2)
DAY = 86_400.0


@dataclass(frozen=True)
class OutletClass:
    name: str
    count: int
    low: float  # articles a day, least and most busy outlet of the class
    high: float
    paragraphs: tuple[int, int]
    ndsoft: bool


CLASSES = (
    OutletClass("wire", 3, 1000, 1500, (4, 8), False),
    OutletClass("daily", 20, 50, 300, (6, 14), False),
    OutletClass("specialist", 20, 5, 30, (5, 12), True),
    OutletClass("weekly", 7, 0.8, 1.2, (10, 20), True),
)

# fmt: off
_WIRES = ["한빛통신", "누리뉴스통신", "아람통신"]
_DAILY_STEMS = ["가온", "한결", "새누리", "다솜", "하람", "미르", "온누리", "보람", "단비", "한울",
                "솔빛", "나래", "해솔", "라온", "여울", "초롱", "마루", "늘봄", "든솔", "별빛"]
_DAILY_KINDS = ["일보", "신문", "경제", "일보", "타임스"]
_REGIONS = ["강원", "충청", "전북", "경남", "제주", "대구", "인천", "울산", "광주", "경북"]
_TRADES = ["의학", "건설", "농업", "교육", "환경", "전자", "금융", "해양", "에너지", "법률"]
_WEEKLIES = ["주간가람", "시사누리", "주간한밭", "위클리다온", "주간솔내", "시사마당", "주간들녘"]
_REGION_KINDS = ["일보", "매일", "신문"]
# fmt: on
_SECTIONS = {
    "politics": "정치",
    "economy": "경제",
    "society": "사회",
    "world": "국제",
    "culture": "문화",
    "it": "IT·과학",
    "sports": "스포츠",
    "entertainment": "연예",
}


# ---------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Titles, title halves, sentences and reporters taken from the sample outlets' articles."""

    heads: tuple[str, ...]
    tails: tuple[str, ...]
    subtitles: tuple[str, ...]
    sentences: tuple[str, ...]
    reporters: tuple[str, ...]
    captions: tuple[str, ...]

    @classmethod
    def load(cls, content_dir: Path = CONTENT_DIR) -> Vocabulary:
        articles = [
            article
            for path in sorted(content_dir.glob("*.json"))
            for article in json.loads(path.read_text(encoding="utf-8"))["articles"]
        ]
        if not articles:
            raise FileNotFoundError(f"no sample articles in {content_dir}")
        heads, tails = [], []
        for article in articles:
            head, sep, tail = article["title"].partition("…")
            heads.append(head.strip())
            if sep and tail.strip():
                tails.append(tail.strip())
        sentences = [
            sentence
            for article in articles
            for paragraph in article["body"]
            for sentence in re.split(r"(?<=[.?!])\s+", _strip_lead(paragraph))
            if len(sentence) >= 15
        ]
        return cls(
            heads=tuple(heads),
            tails=tuple(tails),
            subtitles=tuple(s for a in articles for s in a.get("subtitles", [])),
            sentences=tuple(sentences),
            reporters=tuple(sorted({a["reporter"] for a in articles if a.get("reporter")})),
            captions=tuple(i["caption"] for a in articles for i in a.get("images", [])),
        )


def _strip_lead(paragraph: str) -> str:
    # "(서울=바람뉴스) 홍길동 기자 = …" and "[누리경제] …": each outlet adds its own.
    paragraph = re.sub(r"^\([^)]*=[^)]*\)\s*\S+\s*기자\s*=\s*", "", paragraph)
    return re.sub(r"^\[[^\]]+\]\s*", "", paragraph)


# ---------------------------------------------------------------- outlets and articles


@dataclass(frozen=True)
class Article:
    outlet: Outlet
    number: int  # its index among the outlet's articles, oldest first
    id: int
    published: float  # epoch seconds, whole

    @property
    def path(self) -> str:
        if self.outlet.klass.ndsoft:
            return f"/news/articleView.html?idxno={self.id}"
        return f"/news/{self.id}.html"

    @property
    def url(self) -> str:
        return self.outlet.base_url + self.path

    @property
    def content(self) -> dict:
        return self.outlet.world.content(self)


@dataclass(eq=False)
class Outlet:
    world: World
    index: int
    name: str
    slug: str
    klass: OutletClass
    rate: float  # articles a day
    address: str
    port: int = 0
    times: list[float] = field(default_factory=list)  # publication times, ascending
    first_id: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.address}:{self.port}"

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/rss/all.xml"

    def article(self, number: int) -> Article:
        return Article(self, number, self.first_id + number, self.times[number])

    def published(self, now: float) -> int:
        """How many articles are published at `now`."""
        return bisect.bisect_right(self.times, now)

    def by_id(self, article_id: int) -> Article | None:
        number = article_id - self.first_id
        return self.article(number) if 0 <= number < len(self.times) else None


def _outlet_names() -> dict[str, list[str]]:
    dailies = [stem + _DAILY_KINDS[i % len(_DAILY_KINDS)] for i, stem in enumerate(_DAILY_STEMS)]
    specialists = []
    for i in range(10):
        specialists.append(_REGIONS[i] + _REGION_KINDS[i % len(_REGION_KINDS)])
        specialists.append(_TRADES[i] + "신문")
    return {"wire": _WIRES, "daily": dailies, "specialist": specialists, "weekly": _WEEKLIES}


# ---------------------------------------------------------------- the world


class World:
    """The outlets, their articles over [start − 2 days, start + horizon], and their servers."""

    def __init__(
        self,
        *,
        start: float | None = None,
        horizon: float = 3600.0,
        seed: int = 2026,
        first_address: str = "127.0.0.2",
        vocabulary: Vocabulary | None = None,
        clock=time.time,
    ) -> None:
        self.start = math.floor(start if start is not None else clock())
        self.seed = seed
        self.clock = clock
        self.vocabulary = vocabulary or Vocabulary.load()
        self.outlets: list[Outlet] = []
        self._lock = threading.Lock()
        self.requests: list[tuple[float, int, str, int]] = []  # time, outlet, kind, status
        self._servers: list[_Server] = []
        self._contents: dict[tuple[int, int], dict] = {}
        rng = random.Random(seed)
        names = _outlet_names()
        base = [int(part) for part in first_address.split(".")]
        for klass in CLASSES:
            for i in range(klass.count):
                # Log-uniform spacing over the class's range: many modest outlets, a few busy ones.
                share = i / (klass.count - 1) if klass.count > 1 else 0.5
                rate = klass.low * (klass.high / klass.low) ** share
                index = len(self.outlets)
                number = base[3] + index
                address = ".".join(map(str, [*base[:2], base[2] + number // 256, number % 256]))
                outlet = Outlet(
                    self,
                    index,
                    names[klass.name][i],
                    f"{klass.name}{i + 1:02d}",
                    klass,
                    rate,
                    address,
                )
                # Two days, or long enough for a full feed of a slow outlet.
                history = max(HISTORY.total_seconds(), 1.5 * FEED_LIMIT / rate * DAY)
                outlet.times = _poisson(rng, rate / DAY, self.start - history, self.start + horizon)
                outlet.first_id = rng.randrange(10_000, 900_000)
                self.outlets.append(outlet)

    # -- what happened

    def articles_between(self, since: float, until: float) -> list[Article]:
        """Articles published in (since, until]."""
        found = []
        for outlet in self.outlets:
            low = bisect.bisect_right(outlet.times, since)
            high = bisect.bisect_right(outlet.times, until)
            found += [outlet.article(n) for n in range(low, high)]
        return found

    def find(self, url: str) -> Article | None:
        """The article at a URL (as stored by a crawler), or None."""
        parts = urlsplit(url)
        outlet = self._by_host.get(parts.netloc)
        if outlet is None:
            return None
        match = re.fullmatch(r"/news/(\d+)\.html", parts.path)
        idxno = parse_qs(parts.query).get("idxno", [None])[0]
        article_id = match.group(1) if match else idxno
        return outlet.by_id(int(article_id)) if article_id and article_id.isdigit() else None

    def record(self, outlet: Outlet, kind: str, status: int) -> None:
        with self._lock:
            self.requests.append((self.clock(), outlet.index, kind, status))

    # -- serving

    def serve(self) -> World:
        """Start one HTTP server per outlet on its own address; returns self."""
        for outlet in self.outlets:
            server = _Server((outlet.address, 0), outlet)
            outlet.port = server.server_address[1]
            thread = threading.Thread(
                target=server.serve_forever, name=f"world:{outlet.address}", daemon=True
            )
            thread.start()
            self._servers.append(server)
        self._by_host = {f"{o.address}:{o.port}": o for o in self.outlets}
        return self

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> World:
        return self.serve()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- content

    def content(self, article: Article) -> dict:
        key = (article.outlet.index, article.number)
        found = self._contents.get(key)
        if found is None:
            found = self._contents[key] = self.compose(article)
        return found

    def compose(self, article: Article) -> dict:
        """An article's words, made the same way every time from the seed."""
        outlet, words = article.outlet, self.vocabulary
        rng = random.Random(f"{self.seed}:{outlet.slug}:{article.number}")
        title = rng.choice(words.heads)
        if words.tails and rng.random() < 0.7:
            title += "…" + rng.choice(words.tails)
        if outlet.klass.name == "wire" and rng.random() < 0.1:
            title = "[속보] " + title
        reporter = rng.choice(words.reporters)
        low, high = outlet.klass.paragraphs
        paragraphs = [
            " ".join(rng.sample(words.sentences, rng.randint(2, 4)))
            for _ in range(rng.randint(low, high))
        ]
        if outlet.klass.name == "wire":
            paragraphs[0] = f"(서울={outlet.name}) {reporter} 기자 = " + paragraphs[0]
        return {
            "title": title,
            "subtitles": rng.sample(words.subtitles, rng.randint(0, 2)),
            "section": rng.choice(list(_SECTIONS)),
            "reporter": reporter,
            "email": f"reporter{rng.randrange(1000)}@{outlet.slug}.example",
            "paragraphs": paragraphs,
            "caption": rng.choice(words.captions) if rng.random() < 0.5 else "",
        }

    def feed(self, outlet: Outlet, headers) -> tuple[int, bytes, dict[str, str]]:
        now = self.clock()
        count = outlet.published(now)
        items = [outlet.article(n) for n in range(count - 1, max(count - FEED_LIMIT, 0) - 1, -1)]
        newest = items[0].published if items else self.start - HISTORY.total_seconds()
        tag = f"{outlet.slug}:{items[0].id if items else 0}:{len(items)}"
        etag = '"' + hashlib.sha1(tag.encode()).hexdigest()[:16] + '"'
        modified = format_datetime(datetime.fromtimestamp(newest, UTC), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        if _not_modified(headers, etag, newest):
            return 304, b"", validators
        entries = "".join(_rss_item(article) for article in items)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{escape(outlet.name)} 전체기사</title><link>{outlet.base_url}/</link>"
            f"<description>{escape(outlet.name)}의 최신 기사</description><language>ko</language>"
            f"<lastBuildDate>{_rfc822(now)}</lastBuildDate>{entries}</channel></rss>\n"
        )
        headers_out = validators | {"Content-Type": "application/rss+xml; charset=UTF-8"}
        return 200, body.encode("utf-8"), headers_out

    def page(self, article: Article) -> bytes:
        outlet, c = article.outlet, article.content
        published = datetime.fromtimestamp(article.published, KST)
        iso = published.isoformat(timespec="seconds")
        shown = f"{published:%Y.%m.%d %H:%M}"
        section = _SECTIONS[c["section"]]
        subtitles = "".join(f'<h2 class="subheading">{escape(s)}</h2>' for s in c["subtitles"])
        paragraphs = [f"<p>{escape(text)}</p>" for text in c["paragraphs"]]
        if c["caption"]:
            photo = (
                f'<figure class="photo-layout"><img src="/photo/{article.id}.jpg" '
                f'alt="{escape(c["caption"])}"><figcaption>{escape(c["caption"])} '
                f"/ 사진={escape(outlet.name)}</figcaption></figure>"
            )
            paragraphs.insert(1, photo)
        paragraphs.append(f"<p>{escape(c['reporter'])} 기자 {escape(c['email'])}</p>")
        body = "\n".join(paragraphs)
        others = [
            outlet.article(n)
            for n in range(max(article.number - 5, 0), article.number)
            if n != article.number
        ]
        related = "".join(
            f'<li><a href="{o.path}">{escape(o.content["title"])}</a></li>' for o in others
        )
        if outlet.klass.ndsoft:
            main = (
                f'<article id="article-view"><header class="article-view-header">'
                f'<h1 class="heading">{escape(c["title"])}</h1>{subtitles}'
                f'<ul class="infomation"><li>{escape(c["reporter"])} 기자</li>'
                f"<li>입력 {shown}</li></ul></header>"
                f'<div id="article-view-content-div" itemprop="articleBody">\n{body}\n</div>'
                f'<p class="article-copyright">저작권자 © {escape(outlet.name)} '
                "무단전재 및 재배포 금지</p></article>"
            )
        else:
            main = (
                f'<article class="news-article"><header><p class="section">{section}</p>'
                f"<h1>{escape(c['title'])}</h1>{subtitles}"
                f'<p class="byline">{escape(c["reporter"])} 기자 · <time datetime="{iso}">'
                f"입력 {shown}</time></p></header>\n{body}\n"
                f"<p>ⓒ {escape(outlet.name)}, 무단전재 및 재배포 금지</p></article>"
            )
        html = (
            '<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8">'
            f"<title>{escape(c['title'])} - {escape(outlet.name)}</title>"
            f'<link rel="canonical" href="{article.url}">'
            f'<meta property="og:title" content="{escape(c["title"])}">'
            f'<meta property="og:url" content="{article.url}">'
            f'<meta property="og:site_name" content="{escape(outlet.name)}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'<meta property="article:section" content="{section}">'
            f'<meta name="description" content="{escape(c["paragraphs"][0][:150])}">'
            "</head><body>"
            f'<header class="site"><a href="/">{escape(outlet.name)}</a><nav>'
            + "".join(f'<a href="/section/{k}">{v}</a>' for k, v in _SECTIONS.items())
            + f"</nav></header><main>{main}"
            f'<aside><h3>관련기사</h3><ul class="related">{related}</ul></aside></main>'
            f"<footer><p>{escape(outlet.name)} · 등록번호 서울 아00000 · "
            "청소년보호책임자 홍길동</p></footer></body></html>\n"
        )
        return html.encode("utf-8")


def _poisson(rng: random.Random, per_second: float, since: float, until: float) -> list[float]:
    """Arrival times of a Poisson process, floored to whole seconds, in (since, until]."""
    times, moment = [], since
    while True:
        moment += rng.expovariate(per_second)
        if moment > until:
            return times
        times.append(float(math.floor(moment)))


def _rfc822(moment: float) -> str:
    return format_datetime(datetime.fromtimestamp(moment, KST))


def _rss_item(article: Article) -> str:
    c = article.content
    return (
        f"<item><title>{escape(c['title'])}</title><link>{article.url}</link>"
        f'<guid isPermaLink="true">{article.url}</guid>'
        f"<pubDate>{_rfc822(article.published)}</pubDate>"
        f"<dc:creator>{escape(c['reporter'])} 기자</dc:creator>"
        f"<category>{_SECTIONS[c['section']]}</category>"
        f"<description>{escape(_strip_lead(c['paragraphs'][0])[:200])}</description></item>"
    )


def _not_modified(headers, etag: str, newest: float) -> bool:
    """RFC 9110 §13.1.3: If-None-Match wins; If-Modified-Since only without it."""
    none_match = headers.get("If-None-Match")
    if none_match is not None:
        return etag in {tag.strip().removeprefix("W/") for tag in none_match.split(",")}
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return newest <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers
    server_version = "world/1.0"
    timeout = 30
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        outlet = self.server.outlet
        world = outlet.world
        parts = urlsplit(self.path)
        kind, status, body, headers = "other", 404, b"not found", {"Content-Type": "text/plain"}
        if parts.path == "/robots.txt":
            kind, status = "robots", 200
            body = b"User-agent: *\nAllow: /\n"
        elif parts.path == "/rss/all.xml":
            kind = "feed"
            status, body, headers = world.feed(outlet, self.headers)
        else:
            article_id = None
            if outlet.klass.ndsoft and parts.path == "/news/articleView.html":
                article_id = parse_qs(parts.query).get("idxno", [""])[0]
            elif not outlet.klass.ndsoft and (m := re.fullmatch(r"/news/(\d+)\.html", parts.path)):
                article_id = m.group(1)
            if article_id is not None:
                kind = "article"
                article = outlet.by_id(int(article_id)) if article_id.isdigit() else None
                if article is not None and article.published <= world.clock():
                    status, body = 200, world.page(article)
                    headers = {"Content-Type": "text/html; charset=utf-8"}
        world.record(outlet, kind, status)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the world records requests itself."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], outlet: Outlet) -> None:
        self.outlet = outlet
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a crawler hanging up is routine here


if __name__ == "__main__":
    with World() as world:
        for outlet in world.outlets:
            print(f"{outlet.klass.name}\t{outlet.rate:7.1f}/day\t{outlet.name}\t{outlet.feed_url}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
