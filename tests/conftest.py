"""Fixtures shared by the suite: sample outlets on loopback, a movable clock, post factories."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest


class Clock:
    """A clock the tests move by hand, so sample outlets publish when a test says so."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def _wait_until(check, seconds: float, what: str):
    """Poll `check` until it returns something true (returned), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)


@pytest.fixture
def wait_until():
    """`wait_until(check, seconds, what)` for tests that watch other processes."""
    return _wait_until


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sample_outlets(clock):
    """The project's fictional outlets, served on 127.0.0.1 at a free port."""
    from newsrank.demo.server import SampleOutlets

    with SampleOutlets(port=0, clock=clock) as outlets:
        yield outlets


@pytest.fixture
def allow_loopback(settings):
    """Let the fetcher reach 127.0.0.0/8, as the demo and the tests do explicitly.

    All sample outlets share 127.0.0.1, so the per-host delay is lifted as the demo lifts it.
    """
    settings.NEWSRANK_ALLOW_PRIVATE_HOSTS = [ip_network("127.0.0.0/8")]
    settings.NEWSRANK_HOST_DELAY = 0
    settings.NEWSRANK_HOST_CONCURRENCY = 8


@pytest.fixture
def outlet(db):
    from newsrank.sources.models import Outlet

    return Outlet.objects.create(name="가람일보", homepage="https://garam.example/")


@pytest.fixture
def make_posts(db, outlet):
    """Create `count` posts (numbers grow with the index), optionally with field overrides."""
    from newsrank.board.models import Post

    def make(count: int, **fields) -> list:
        now = datetime.now(UTC)
        start = Post.objects.count()
        posts = []
        for index in range(start, start + count):
            values = {
                "outlet": outlet,
                "url": f"https://garam.example/article/{index}.html",
                "title": f"가상 기사 제목 {index}번",
                "body_text": f"첫 문단입니다 {index}.\n\n둘째 문단입니다.",
                "body_html": f"<p>첫 문단입니다 {index}.</p><p>둘째 문단입니다.</p>",
                "published_at": now - timedelta(minutes=count - index),
            } | fields
            posts.append(Post.objects.create(**values))
        return posts

    return make
