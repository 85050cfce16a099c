"""Faults the service must live through (issue 6): a database restarting under load, outlets
that hang or trickle, a disk that fills up under SQLite.

The PostgreSQL test starts a throwaway cluster of its own (Debian's binaries, a free port, a temp
folder) and restarts that one, never the machine's shared server.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

PG_BIN = Path(os.environ.get("NEWSRANK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
UNAVAILABLE = "잠시 후 다시 시도해 주세요"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newsrank(env, *args, timeout=180) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "newsrank", *args], env=env,
                            capture_output=True, text=True, timeout=timeout)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def stop_group(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output or ""


# ------------------------------------------------------------------ PostgreSQL restarting


class Cluster:
    """A PostgreSQL cluster of the test's own, run as the postgres user when we are root."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/newsrank"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise subprocess.CalledProcessError(
                result.returncode,
                command,
                result.stdout,
                result.stderr + (self.folder / "log").read_text()
                if (self.folder / "log").exists()
                else "",
            )

    def init(self) -> Cluster:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync")  # fmt: skip
        self.start()
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:  # fmt: skip
            conn.execute("CREATE DATABASE newsrank")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.folder / "log"), "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def cluster():
    if not (PG_BIN / "initdb").exists():
        reason = f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (required when CI=true)")
        pytest.skip(reason)
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="newsrank-pg-"))
    folder.chmod(0o755)
    try:
        cluster = Cluster(folder).init()
        yield cluster
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.own_database
def test_postgresql_restarting_under_load_answers_503_then_recovers(cluster, tmp_path, wait_until):
    env = os.environ | {
        "DATABASE_URL": cluster.url,
        "NEWSRANK_DATA_DIR": str(tmp_path / "data"),
        "NEWSRANK_API_RATE_LIMIT": "off",
    }
    newsrank(env, "manage", "migrate", "--verbosity", "0")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Output to a file, not a pipe: a pipe nobody reads fills with the outage's log lines and
    # then blocks the server.
    log = open(tmp_path / "web.log", "w+")  # noqa: SIM115 (closed below)
    web = subprocess.Popen([sys.executable, "-m", "newsrank", "web", "--port", str(port),
                            "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)  # fmt: skip
    statuses: list[tuple[float, int, str]] = []
    stopping = threading.Event()

    def load() -> None:
        """Uncached pages (a new query each time), so every request needs the database."""
        n = 0
        with httpx.Client(timeout=10) as client:
            while not stopping.is_set():
                n += 1
                sent = time.monotonic()  # when the request left: a slow answer may land later
                try:
                    response = client.get(f"{base}/?page={n % 50 + 1}&n={n}")
                    statuses.append((sent, response.status_code, response.text))
                except httpx.TransportError as error:
                    statuses.append((sent, 0, repr(error)))

    try:
        wait_until(lambda: _ok(base + "/"), 60, "the web server answers")
        threads = [threading.Thread(target=load) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        cluster.stop()
        down_at = time.monotonic()
        time.sleep(2)
        starting_at = time.monotonic()  # the server may answer before pg_ctl returns
        cluster.start()
        up_at = time.monotonic()
        wait_until(lambda: any(t > up_at and s == 200 for t, s, _ in statuses), 30,
                   "pages come back after the restart")  # fmt: skip
        time.sleep(3)  # and stay back
        stopping.set()
        for thread in threads:
            thread.join()
    finally:
        stopping.set()
        stop_group(web)
        log.seek(0)
        output = log.read()
        log.close()

    codes = {status for _, status, _ in statuses}
    assert codes <= {200, 503}, f"only pages or 503s, never a 500 or a dropped connection: {codes}"
    during = [(s, text) for t, s, text in statuses if down_at + 0.5 < t < starting_at - 0.5]
    assert during and all(s == 503 for s, _ in during)
    assert all(UNAVAILABLE in text for _, text in during)
    recovered_at = min(t for t, s, _ in statuses if t > up_at and s == 200)
    after = [s for t, s, _ in statuses if t > recovered_at]
    assert len(after) > 10 and set(after) == {200}, "recovered without restarting newsrank"
    assert "Traceback" not in output
    assert "database unavailable on /" in output  # logged, with the driver's reason


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_the_503_answer_says_retry_and_is_not_cached(rf):
    from newsrank.errors import unavailable

    page = unavailable(rf.get("/"))
    assert page.status_code == 503
    assert page["Retry-After"] == "5" and page["Cache-Control"] == "no-store"
    assert UNAVAILABLE in page.content.decode()
    api = unavailable(rf.get("/api/posts"))
    assert api["Content-Type"].startswith("application/json") and b'"status": 503' in api.content


# ------------------------------------------------------------------ outlets that hang or trickle


@pytest.mark.django_db
def test_hanging_and_trickling_outlets_hold_a_slot_no_longer_than_the_timeout(
    sample_outlets, allow_loopback, settings
):
    from newsrank.ingest.pipeline import refresh_feeds
    from newsrank.sources.models import Feed
    from newsrank.sources.services import add_feed

    base = sample_outlets.base_url
    feeds = [
        add_feed(f"{base}/_trouble/{name}", "시험일보") for name in ("hang.xml", "trickle.xml")
    ]
    good = add_feed(sample_outlets.feeds()[0].url, sample_outlets.feeds()[0].outlet)
    # The fetcher's bounds (20 s and 30 s by default), shortened so the test takes seconds: a read
    # timeout for the silent one, a bound on the whole fetch for the one that trickles.
    settings.NEWSRANK_FETCH_TIMEOUT = 3
    settings.NEWSRANK_FETCH_SECONDS = 5
    started = time.monotonic()
    refresh_feeds(feeds)
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 5 + 5
    for feed in feeds:
        feed = Feed.objects.get(pk=feed.pk)
        assert feed.status == Feed.Status.ERROR
        assert "timed out" in feed.error or "took longer" in feed.error, feed.error
    # The host's slots are free again: a good feed on the same host is fetched at once.
    started = time.monotonic()
    (result,) = refresh_feeds([good])
    assert time.monotonic() - started < 15
    assert result.new_posts > 0


# ------------------------------------------------------------------ disk full on SQLite


def test_a_full_disk_stops_the_crawler_with_a_clear_error_and_keeps_what_is_stored(
    sample_outlets, clock, tmp_path
):
    data = tmp_path / "data"
    env = os.environ | {
        "NEWSRANK_DATA_DIR": str(data),
        "DATABASE_URL": "",
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        "NEWSRANK_HOST_DELAY": "0",
        "NEWSRANK_HOST_CONCURRENCY": "8",
        "NEWSRANK_MIN_POLL_SECONDS": "1",
        "NEWSRANK_MAX_POLL_SECONDS": "2",
    }
    for feed in sample_outlets.feeds():
        newsrank(env, "sources", "add", feed.url, "--outlet", feed.outlet)
    newsrank(env, "crawl", "--once")
    database = data / "newsrank.sqlite3"
    before = _posts(database)
    assert before

    clock.advance(hours=6)  # the outlets publish more: the crawler has posts to write
    assert len(sample_outlets.articles()) > len(before)

    def disk_full():
        # A file-size limit is a full disk to SQLite ("database or disk is full", SQLITE_FULL):
        # any write past 64 KiB into the database or its WAL fails; reads go on.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, don't kill the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    crawler = subprocess.Popen([sys.executable, "-m", "newsrank", "crawl"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=disk_full, start_new_session=True)  # fmt: skip
    try:
        crawler.wait(timeout=45)
        stopped = True
    except subprocess.TimeoutExpired:
        stopped = False
    output = stop_group(crawler)
    # SQLite names a failed write "disk I/O error" (EFBIG here) or "database or disk is full".
    assert "disk I/O error" in output or "database or disk is full" in output, output[-3000:]

    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = _posts(database)
    assert {k: v for k, v in after.items() if k in before} == before, "stored posts unchanged"

    assert stopped, "the crawler stops on a full disk rather than retry forever"
    assert crawler.returncode != 0, output
    assert "is the disk full?" in output, output[-3000:]


def _posts(database: Path) -> dict[int, tuple]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT number, url, title, body_text FROM board_post").fetchall()
    return {row[0]: row[1:] for row in rows}
