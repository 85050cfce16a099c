"""The `newsrank` command as an operator runs it: a fresh data folder, real processes."""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8">
<title>가상 도시에 첫 눈 - 가람일보</title>
<link rel="canonical" href="https://garam.example/article/77.html">
<meta property="og:title" content="가상 도시에 첫 눈">
<meta property="article:published_time" content="2026-11-28T09:30:00+09:00">
</head><body><header><nav><a href="/">홈</a> <a href="/politics">정치</a></nav></header>
<article><h1>가상 도시에 첫 눈</h1>
<p>가상의 도시 한별시에 올겨울 첫 눈이 내렸다. 기상청은 오전 9시 기준 적설량이 2㎝라고 밝혔다.</p>
<p>시민들은 출근길에 우산을 펼쳐 들었고, 시청은 제설 차량 30대를 주요 도로에 배치했다고 전했다.</p>
<p>기상청은 주말까지 눈이 이어질 것으로 내다보고 빙판길 교통안전에 유의해 달라고 당부했다.</p>
<figure><img src="/images/snow.jpg" alt=""><figcaption>첫 눈이 내린 한별시청 앞. 사진=가람일보 DB</figcaption></figure>
</article><footer>ⓒ 가람일보 무단전재 및 재배포 금지</footer></body></html>"""


@pytest.fixture
def env(tmp_path):
    """A fresh data folder on SQLite, whatever database the suite itself runs on."""
    return os.environ | {
        "NEWSRANK_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": "",
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "",
        # All sample outlets share 127.0.0.1; lift the per-host delay as the demo does.
        "NEWSRANK_HOST_DELAY": "0",
        "NEWSRANK_HOST_CONCURRENCY": "8",
    }


def newsrank(env, *args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsrank", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sources_add_list_remove_on_a_fresh_data_folder(env):
    added = newsrank(
        env,
        "sources",
        "add",
        "https://news.example/rss.xml?utm_source=x",
        "--outlet",
        "가람일보",
        "--section",
        "정치",
    )
    assert added.returncode == 0, added.stderr
    feed_id = added.stdout.split("\t")[0]
    listed = newsrank(env, "sources", "list")
    assert "가람일보\t정치\tnew" in listed.stdout
    assert "https://news.example/rss.xml" in listed.stdout and "utm_source" not in listed.stdout
    assert newsrank(env, "sources", "remove", feed_id).returncode == 0
    assert "가람일보" not in newsrank(env, "sources", "list").stdout


def test_sources_remove_unknown_id_says_so(env):
    result = newsrank(env, "sources", "remove", "999")
    assert result.returncode == 1 and "no feed with id 999" in result.stderr


def test_bench_populate_refuses_to_grow_past_now_and_adds_nothing(env):
    assert newsrank(env, "bench", "populate", "--posts", "50").returncode == 0
    result = newsrank(env, "bench", "populate", "--posts", "10000000")
    assert result.returncode == 1
    assert "fit between then and now, not 10,000,000" in result.stderr
    assert "Traceback" not in result.stderr
    database = sqlite3.connect(f"{env['NEWSRANK_DATA_DIR']}/newsrank.sqlite3")
    assert database.execute("SELECT count(*) FROM board_post").fetchone()[0] == 50


def test_sources_add_rejects_a_non_http_url(env):
    result = newsrank(env, "sources", "add", "ftp://news.example/rss")
    assert result.returncode == 1 and "newsrank:" in result.stderr


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>내 구독</title></head><body>
  <outline text="가람일보" title="가람일보">
    <outline type="rss" text="가람일보 정치" title="가람일보 정치" category="정치"
             xmlUrl="https://garam.example/rss/politics.xml" htmlUrl="https://garam.example/"/>
    <outline type="rss" text="가람일보 경제" xmlUrl="https://garam.example/rss/economy.xml"/>
  </outline>
  <outline type="rss" text="누리신문" xmlUrl="https://nuri.example/feed"/>
</body></opml>"""


def test_sources_import_is_idempotent_and_export_round_trips(env, tmp_path):
    source = tmp_path / "subscriptions.opml"
    source.write_text(OPML, encoding="utf-8")
    first = newsrank(env, "sources", "import", str(source))
    assert first.returncode == 0, first.stderr
    assert "added 3 feeds, skipped 0" in first.stdout
    again = newsrank(env, "sources", "import", str(source))
    assert "added 0 feeds, skipped 3" in again.stdout
    listed = newsrank(env, "sources", "list").stdout
    assert "가람일보\t정치\tnew" in listed and "가람일보\t경제\tnew" in listed
    assert "누리신문\t-\tnew" in listed

    exported = newsrank(env, "sources", "export")
    assert exported.returncode == 0 and exported.stdout.startswith("<?xml")
    assert 'xmlUrl="https://garam.example/rss/politics.xml"' in exported.stdout
    target = tmp_path / "out.opml"
    assert newsrank(env, "sources", "export", str(target)).returncode == 0
    undated = re.compile("<dateCreated>.*</dateCreated>")
    assert undated.sub("", target.read_text(encoding="utf-8")) == undated.sub("", exported.stdout)
    fresh = env | {"NEWSRANK_DATA_DIR": str(tmp_path / "other")}
    assert "added 3 feeds" in newsrank(fresh, "sources", "import", str(target)).stdout
    assert newsrank(fresh, "sources", "list").stdout == listed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<rss version='2.0'><channel/></rss>", "not an OPML file"),
        (b"<opml><body><outline", "not valid XML"),
    ],
)
def test_sources_import_of_a_bad_file_says_why(env, tmp_path, content, message):
    path = tmp_path / "bad.opml"
    path.write_bytes(content)
    result = newsrank(env, "sources", "import", str(path))
    assert result.returncode == 1 and message in result.stderr and not result.stdout


def test_sources_import_of_a_missing_file_says_so(env, tmp_path):
    result = newsrank(env, "sources", "import", str(tmp_path / "none.opml"))
    assert result.returncode == 1 and "No such file" in result.stderr


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>가람일보 정치</title><link>https://garam.example/</link>
<item><title>가상 도시에 첫 눈</title><link>https://garam.example/article/1.html</link>
<pubDate>Sat, 28 Nov 2026 09:30:00 +0900</pubDate></item>
<item><title>날짜 없는 기사</title><link>/article/2.html</link></item>
</channel></rss>"""


def test_feeds_check_prints_one_report_per_source_and_goes_on(env, tmp_path):
    saved = tmp_path / "feed.xml"
    saved.write_text(FEED, encoding="utf-8")
    missing = tmp_path / "missing.xml"
    result = newsrank(env, "feeds", "check", str(saved), str(missing), "--verbose")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"] == str(saved) and first["status"] == "file"
    assert first["encoding"] == "utf-8" and first["title"] == "가람일보 정치"
    assert (first["entries"], first["entries_with_date"]) == (2, 1)
    assert any("relative link" in problem for problem in first["problems"])
    assert first["items"][1]["url"] == "https://garam.example/article/2.html"
    assert second["source"] == str(missing) and second["problems"][0].startswith("unreadable")


def test_feeds_check_refuses_a_wrong_invocation(env):
    result = newsrank(env, "feeds", "check")
    assert result.returncode == 2 and "SOURCE" in result.stderr


def test_extract_prints_one_json_object_per_source_in_order(env, tmp_path):
    saved = tmp_path / "page.html"
    saved.write_text(PAGE, encoding="utf-8")
    result = newsrank(env, "extract", str(saved), str(tmp_path / "missing.html"))
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"] == str(saved)
    assert first["title"] == "가상 도시에 첫 눈"
    assert first["published_at"].startswith("2026-11-28T09:30:00")
    assert "첫 눈이 내렸다" in first["body_text"]
    assert set(first) == {
        "source",
        "title",
        "subtitles",
        "authors",
        "published_at",
        "outlet",
        "body_text",
        "body_html",
        "images",
        "lang",
        "credit",
    }
    # Relative links resolve against the page's canonical address.
    assert first["images"][0]["url"] == "https://garam.example/images/snow.jpg"
    assert second["source"].endswith("missing.html") and "error" in second
    assert result.returncode == 1


def test_extract_url_option_gives_a_saved_page_its_address(env, tmp_path):
    saved = tmp_path / "page.html"
    saved.write_text(PAGE, encoding="utf-8")
    result = newsrank(env, "extract", "--url", "https://other.example/a/b.html", str(saved))
    assert json.loads(result.stdout)["images"][0]["url"] == "https://other.example/images/snow.jpg"


def test_crawl_once_fills_the_database_from_the_sample_outlets(env, sample_outlets, tmp_path):
    env = env | {"NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8"}
    for feed in sample_outlets.feeds():
        assert newsrank(env, "sources", "add", feed.url, "--outlet", feed.outlet).returncode == 0
    result = newsrank(env, "crawl", "--once", timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"refreshed {len(sample_outlets.feeds())} feeds" in result.stdout
    with sqlite3.connect(tmp_path / "data" / "newsrank.sqlite3") as db:
        (count,) = db.execute("select count(*) from board_post").fetchone()
    assert count == len(sample_outlets.articles())

    # The crawl indexed what it stored: the command line searches it, and can rebuild the index.
    found = newsrank(env, "search", "루미나", "--json")
    titles = [json.loads(line)["title"] for line in found.stdout.splitlines()]
    assert titles and all("루미나" in t or "Lumina" in t for t in titles[:3])
    rebuilt = newsrank(env, "search", "reindex", timeout=300)
    assert rebuilt.returncode == 0 and f"indexed {count} posts" in rebuilt.stderr
    assert "]" in rebuilt.stderr  # the progress bar
    empty = newsrank(env, "search", "은는이가")
    assert empty.returncode == 0 and empty.stdout == "" and "0 results" in empty.stderr
    # -word excludes it, as in the search box: not taken for an option of the command.
    excluded = newsrank(env, "search", "루미나", "-루미나", "--json")
    assert excluded.returncode == 0 and excluded.stdout == "" and "0 results" in excluded.stderr
    assert newsrank(env, "search", "루미나", "--jsno").returncode == 2  # a mistyped option
    assert newsrank(env, "search", "루미나", "-hbm").returncode == 0  # not -h with "bm"
    # --json too says on stderr what it found and why (stdout holds the rows alone).
    none = newsrank(env, "search", "은는이가", "--json")
    assert none.stdout == "" and "0 results" in none.stderr and "검색할 수 있는" in none.stderr
    # A row's time is the site's (Asia/Seoul), as on the board.
    number, _, shown, _ = newsrank(env, "search", "루미나").stdout.splitlines()[0].split("\t")
    with sqlite3.connect(tmp_path / "data" / "newsrank.sqlite3") as db:
        (stored,) = db.execute(
            "select coalesce(published_at, created_at) from board_post where number = ?",
            [int(number)],
        ).fetchone()
    seoul = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Seoul"))
    assert shown == f"{seoul:%Y-%m-%d %H:%M}"


def wait_for(url: str, seconds: float, check=lambda r: r.status_code == 200) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(url, timeout=5)
            if check(response):
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} not ready in {seconds} s")
        time.sleep(0.3)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    return output


def test_demo_fills_the_board_and_ctrl_c_stops_everything(env):
    port, outlets_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsrank",
            "demo",
            "--port",
            str(port),
            "--outlets-port",
            str(outlets_port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(
            f"http://127.0.0.1:{port}/",
            60,
            lambda r: "현재글" not in r.text and '<td class="no">' in r.text,
        )
        assert "번호" in page.text
        api = httpx.get(f"http://127.0.0.1:{port}/api/posts").json()
        assert api["count"] > 0
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    assert f"serving at http://127.0.0.1:{port}/" in output
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{outlets_port}/", timeout=2)


def test_run_without_internet_serves_the_empty_board_and_records_feed_errors(env, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsrank", "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/", 60)
        assert "아직 게시글이 없습니다" in page.text
        database = tmp_path / "data" / "newsrank.sqlite3"
        deadline = time.monotonic() + 60
        errors = 0
        while time.monotonic() < deadline and not errors:
            with sqlite3.connect(database) as db:
                (errors,) = db.execute(
                    "select count(*) from sources_feed where status = 'error' and error != ''"
                ).fetchone()
            time.sleep(0.5)
        assert errors > 0
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    # The high- and medium-confidence rows of newsrank/sources/default_feeds.tsv.
    assert "subscribed to 157 default feeds" in output
