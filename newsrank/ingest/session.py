"""A crawl session: the one place where the crawler's requests are made politely.

Every request of the crawler goes through `CrawlSession.fetch`: robots.txt is asked first, then the
host's throttle slot is taken (a concurrency limit and a minimum delay per host), then the page is
fetched with the address checks of `fetcher.fetch_page`. One session serves a crawler process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from newsrank.ingest.fetcher import (
    FetchError,
    HTTPStatus,
    Page,
    RefusedAddress,
    TooManyRedirects,
    fetch_page,
    make_client,
    user_agent,
)
from newsrank.ingest.hosts import HostThrottle
from newsrank.ingest.robots import RobotsCache


class BlockedByRobots(FetchError):
    """robots.txt disallows the URL for our user agent."""


@dataclass
class CrawlSession:
    client: httpx.Client
    throttle: HostThrottle
    robots: RobotsCache | None = None
    # Why each origin's robots.txt could not be read, to name the real cause (a dead host, say)
    # when RFC 9309 makes us treat the whole site as disallowed.
    _unreachable: dict[str, str] = field(default_factory=dict, repr=False)

    def fetch(self, url: str, **options) -> Page:
        """Fetch `url` if robots.txt allows it, within the host's throttle; raises FetchError."""
        if self.robots is not None and not self.robots.allowed(url):
            cause = self._unreachable.get(_origin(url))
            if cause:
                raise BlockedByRobots(f"robots.txt unreachable: {cause}", url=url)
            raise BlockedByRobots("blocked by robots.txt", url=url)
        delay = self.robots.crawl_delay(url) if self.robots is not None else None
        with self.throttle.slot(url, delay):
            return fetch_page(
                url,
                client=self.client,
                allow_networks=settings.NEWSRANK_ALLOW_PRIVATE_HOSTS,
                max_seconds=settings.NEWSRANK_FETCH_SECONDS,
                **options,
            )

    def _robots_txt(self, url: str) -> tuple[int, bytes] | None:
        """Fetch a robots.txt for the cache: (status, body), or None when unreachable."""
        try:
            with self.throttle.slot(url):
                page = fetch_page(
                    url,
                    client=self.client,
                    allow_networks=settings.NEWSRANK_ALLOW_PRIVATE_HOSTS,
                    accept="text/plain",
                    max_bytes=1_000_000,
                    max_seconds=settings.NEWSRANK_FETCH_SECONDS,
                )
        except HTTPStatus as error:
            if error.status_code == 429 or error.status_code >= 500:
                self._unreachable[_origin(url)] = error.reason
            return error.status_code, b""
        except TooManyRedirects:
            return 301, b""
        except RefusedAddress:
            # The page itself will be refused too, with that reason; robots.txt has no say.
            return 404, b""
        except FetchError as error:
            self._unreachable[_origin(url)] = error.reason
            return None
        self._unreachable.pop(_origin(url), None)
        return page.status_code, page.content

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> CrawlSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def crawler_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An HTTP client that names the site and its contact URL in its User-Agent."""
    agent = user_agent(settings.NEWSRANK_SITE_NAME, settings.NEWSRANK_CONTACT_URL)
    return make_client(
        user_agent=agent, transport=transport, timeout=settings.NEWSRANK_FETCH_TIMEOUT
    )


def open_session(transport: httpx.BaseTransport | None = None) -> CrawlSession:
    """A session with the site's User-Agent, robots.txt honoured and the configured throttle."""
    client = crawler_client(transport)
    session = CrawlSession(
        client=client,
        throttle=HostThrottle(
            per_host=settings.NEWSRANK_HOST_CONCURRENCY, min_delay=settings.NEWSRANK_HOST_DELAY
        ),
    )
    if settings.NEWSRANK_OBEY_ROBOTS:
        session.robots = RobotsCache(session._robots_txt, client.headers["User-Agent"])
    return session
