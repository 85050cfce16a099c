"""The many-machine shape of docs/deploy.md, run for real on this machine.

PostgreSQL (a fresh database of this test's own), Redis (a database number and key prefix of its
own), two `newsrank web` and two `newsrank crawl` processes, each with a data folder of its own as
if on separate machines, over the sample outlets. Both web processes must serve the same new posts
within seconds of the crawlers storing them, pages they had cached included, and no post may be
stored twice.

Skipped, saying why, when PostgreSQL or Redis cannot be reached, except with CI=true.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

PG_URL = os.environ.get("NEWSRANK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/newsrank")
REDIS_URL = os.environ.get("NEWSRANK_TEST_REDIS", "redis://127.0.0.1:6379/13")
pytestmark = pytest.mark.own_database

NEW_POSTS_WITHIN = 20.0  # seconds from stored to served by both web processes


def _unreachable() -> str | None:
    import psycopg
    import redis

    url = urlsplit(PG_URL)
    try:
        psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username,
                        dbname="postgres", connect_timeout=3).close()  # fmt: skip
    except Exception as error:
        return f"PostgreSQL unreachable at {PG_URL}: {error}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"Redis unreachable at {REDIS_URL}: {error}"
    return None


def _require_services():
    reason = _unreachable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database():
    """A fresh PostgreSQL database, dropped afterwards; yields its URL."""
    _require_services()
    import psycopg

    url = urlsplit(PG_URL)
    name = f"newsrank_deploy_{uuid.uuid4().hex[:8]}"
    admin = dict(host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres",
                 autocommit=True)  # fmt: skip
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{url.username}@{url.hostname}:{url.port or 5432}/{name}"
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in Redis; its keys are deleted afterwards."""
    import redis

    prefix = f"newsrank-deploy-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def newsrank(env, *args, timeout=120) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "newsrank", *args], env=env,
                            capture_output=True, text=True, timeout=timeout)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def served_numbers(base: str) -> set[int]:
    """The post numbers on the front page and the first API page of one web process."""
    page = httpx.get(base + "/", timeout=10).text
    api = httpx.get(base + "/api/posts", timeout=10).json()["results"]
    numbers = {int(n) for n in re.findall(r'<td class="no">(\d+)</td>', page)}
    return numbers | {post["number"] for post in api}


def test_two_web_and_two_crawler_processes_serve_the_same_new_posts_without_doubles(
    database, redis_prefix, sample_outlets, clock, tmp_path, wait_until
):
    import psycopg

    base_env = os.environ | {
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "NEWSRANK_CACHE_PREFIX": redis_prefix,
        "NEWSRANK_SECRET_KEY": "deploy-test-" + redis_prefix,
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        "NEWSRANK_HOST_DELAY": "0",
        "NEWSRANK_HOST_CONCURRENCY": "8",
        "NEWSRANK_MIN_POLL_SECONDS": "1",
        "NEWSRANK_MAX_POLL_SECONDS": "2",
        "NEWSRANK_API_RATE_LIMIT": "off",
    }

    def env_for(name: str) -> dict:  # a data folder per process, as on separate machines
        return base_env | {"NEWSRANK_DATA_DIR": str(tmp_path / name)}

    newsrank(env_for("setup"), "manage", "migrate", "--verbosity", "0")
    for feed in sample_outlets.feeds():
        newsrank(env_for("setup"), "sources", "add", feed.url, "--outlet", feed.outlet,
                 "--section", feed.section)  # fmt: skip

    processes: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *args: str) -> None:
        log = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 (closed below)
        logs.append(log)
        processes.append(subprocess.Popen([sys.executable, "-m", "newsrank", *args],
                                          env=env_for(name), stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))  # fmt: skip

    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for index, port in enumerate(ports):
            start(f"web{index}", "web", "--port", str(port), "--workers", "1")
        start("crawl0", "crawl")
        start("crawl1", "crawl")

        def stored() -> set[int]:
            with psycopg.connect(database) as conn:
                return {n for (n,) in conn.execute("SELECT number FROM board_post")}

        first = len(sample_outlets.articles())
        wait_until(lambda: len(stored()) >= first, 120, "the crawlers store the sample articles")
        newest = max(stored())
        for base in bases:
            wait_until(lambda base=base: newest in served_numbers(base), NEW_POSTS_WITHIN,
                       f"{base} serves the first posts")  # fmt: skip
            # The front page is now cached by each web process.
            assert httpx.get(base + "/", timeout=10).headers["X-Newsrank-Cache"] == "hit"

        # The outlets publish more; the crawlers store them; both web processes show them.
        clock.advance(hours=6)
        later = len(sample_outlets.articles())
        assert later > first, "the sample outlets have articles to publish later"
        wait_until(lambda: len(stored()) >= later, 120, "the crawlers store the new articles")
        stored_at = time.monotonic()
        newest = max(stored())
        for base in bases:
            wait_until(lambda base=base: newest in served_numbers(base), NEW_POSTS_WITHIN,
                       f"{base} serves the new post {newest}")  # fmt: skip
        elapsed = time.monotonic() - stored_at
        assert elapsed < NEW_POSTS_WITHIN
        assert served_numbers(bases[0]) == served_numbers(bases[1])

        with psycopg.connect(database) as conn:
            (doubles,) = conn.execute(
                "SELECT count(*) FROM (SELECT url FROM board_post GROUP BY url HAVING count(*) > 1)"
                " AS d"
            ).fetchone()
            (posts,) = conn.execute("SELECT count(*) FROM board_post").fetchone()
        assert doubles == 0
        assert posts == later
        assert all(p.poll() is None for p in processes), "no process died"
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        output = ""
        for log in logs:
            log.seek(0)
            output += f"--- {log.name}\n{log.read()[-3000:]}"
            log.close()
        print(output)
