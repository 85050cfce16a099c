"""check_source: what the crawler would see in a feed, and each problem named, never a crash."""

import gzip
import http.server
import threading
from datetime import UTC, datetime

import pytest

from newsrank.ingest import check
from newsrank.ingest.check import check_source

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
KEYS = {"source", "status", "encoding", "title", "entries", "entries_with_date", "problems"}

CLEAN = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>가람일보 정치</title><link>https://garam.example/</link>
<item><title>가상 도시에 첫 눈</title><link>https://garam.example/article/1.html</link>
<guid>garam-1</guid><pubDate>Sat, 28 Nov 2026 09:30:00 +0900</pubDate></item>
<item><title>시의회 예산 심사</title><link>https://garam.example/article/2.html</link>
<guid>garam-2</guid><pubDate>Sat, 28 Nov 2026 08:00:00 +0900</pubDate></item>
</channel></rss>"""

TROUBLED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>가람일보 전체</title><link>https://garam.example/</link>
<item><title>&lt;b&gt;속보&lt;/b&gt; 첫 눈</title><link>https://garam.example/a/1.html</link>
<guid>g1</guid><pubDate>Sat, 28 Nov 2026 09:30:00 +0900</pubDate></item>
<item><title><![CDATA[<script>alert(1)</script>제목]]></title><link>/a/2.html</link><guid>g1</guid></item>
<item><title>같은 기사</title><link>https://garam.example/a/1.html?utm_source=rss</link>
<pubDate>Sat, 28 Nov 2026 09:31:00 +0900</pubDate></item>
<item><title>미래 기사</title><link>https://garam.example/a/3.html</link>
<pubDate>Fri, 01 Jan 2099 00:00:00 +0900</pubDate></item>
<item><title>옛날 기사</title><link>https://garam.example/a/4.html</link>
<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>
<item><title>링크 없음</title><pubDate>Sat, 28 Nov 2026 09:00:00 +0900</pubDate></item>
<item><title>자바스크립트</title><link>javascript:alert(1)</link></item>
<item><title></title><link>https://garam.example/a/5.html</link><pubDate>어제 오후</pubDate></item>
</channel></rss>"""


@pytest.fixture
def saved(tmp_path):
    def save(content: str | bytes, name: str = "feed.xml") -> str:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)

    return save


def test_a_clean_feed_has_no_problems(saved):
    source = saved(CLEAN)
    report = check_source(source, now=NOW)
    assert report == {
        "source": source,
        "status": "file",
        "encoding": "utf-8",
        "title": "가람일보 정치",
        "entries": 2,
        "entries_with_date": 2,
        "problems": [],
    }


def test_verbose_adds_the_entries_as_the_crawler_takes_them(saved):
    report = check_source(saved(CLEAN), verbose=True, now=NOW)
    assert report["items"] == [
        {
            "url": "https://garam.example/article/1.html",
            "title": "가상 도시에 첫 눈",
            "published_at": "2026-11-28T00:30:00+00:00",
        },
        {
            "url": "https://garam.example/article/2.html",
            "title": "시의회 예산 심사",
            "published_at": "2026-11-27T23:00:00+00:00",
        },
    ]


def test_names_each_problem_of_a_troubled_feed(saved):
    report = check_source(saved(TROUBLED), now=NOW)
    assert report["entries"] == 5  # of 8 items: one without a link, one javascript:, one repeated
    assert report["entries_with_date"] == 1
    assert report["problems"] == [
        "2 entries without a usable http(s) link",
        "1 entry with a relative link (read against https://garam.example/)",
        "1 entry repeating a link (kept once)",
        "4 of 5 entries without a usable date (the time of crawling is used)",
        "1 entry dated in the future",
        "1 entry dated before 1990 (a placeholder like 1970)",
        "1 date in a format newsrank cannot read",
        "1 entry without a title (the article page's title is used)",
        "2 titles with HTML tags (<script> among them); tags are removed",
        "1 entry repeating a GUID",
    ]


def test_decodes_a_feed_labelled_euc_kr_as_cp949(saved):
    content = (
        "<?xml version='1.0' encoding='euc-kr' ?><rss version=\"2.0\"><channel>"
        "<title>똠방보안뉴스</title><item><title>햏 보안 업데이트</title>"
        "<link>https://ttom.example/1</link><pubDate>Sat, 28 Nov 2026 09:00:00 +0900</pubDate>"
        "</item></channel></rss>"
    ).encode("cp949")
    report = check_source(saved(content), now=NOW)
    assert report["encoding"] == "cp949"
    assert report["title"] == "똠방보안뉴스" and report["problems"] == []


def test_reports_a_utf8_feed_labelled_euc_kr(saved):
    report = check_source(saved(CLEAN.replace("UTF-8", "euc-kr")), now=NOW)
    assert report["encoding"] == "utf-8" and report["title"] == "가람일보 정치"
    assert report["problems"] == ["declares euc-kr but the bytes are utf-8"]


def test_reports_undecodable_bytes(saved):
    content = CLEAN.encode().replace("첫 눈".encode(), b"\xff\xfe\xfa")
    report = check_source(saved(content), now=NOW)
    assert any("could not be decoded as" in problem for problem in report["problems"])


def test_a_slightly_broken_feed_is_read_and_reported(saved):
    broken = CLEAN.replace("<guid>garam-2</guid>", "<guid>garam-2</guid><b>unclosed")
    report = check_source(saved(broken), now=NOW)
    assert report["entries"] >= 1
    assert report["problems"][0].startswith("malformed XML, read anyway:")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "not a usable feed: empty body"),
        ("<!doctype html><html><body>로그인</body></html>", "HTML page instead of a feed"),
        ('<?xml version="1.0"?><rss><channel><title>깨진', "not a usable feed"),
    ],
)
def test_a_document_that_is_no_feed_says_why(saved, content, reason):
    report = check_source(saved(content), now=NOW)
    assert report["entries"] == 0 and report["title"] is None
    assert any(reason in problem for problem in report["problems"]), report["problems"]


def test_entity_declarations_are_reported_not_expanded(saved):
    content = CLEAN.replace(
        '<rss version="2.0">',
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><rss version="2.0">',
    )
    report = check_source(saved(content), now=NOW)
    assert any("entities" in problem for problem in report["problems"])


def test_reads_sitemaps_and_gzip_files(saved):
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://garam.example/a/1.html</loc><lastmod>2026-11-28T09:00:00+09:00</lastmod>"
        "</url><url><loc>https://garam.example/a/2.html</loc></url></urlset>"
    )
    report = check_source(saved(gzip.compress(sitemap.encode()), "sitemap.xml.gz"), now=NOW)
    assert (report["entries"], report["entries_with_date"]) == (2, 1)
    assert "the feed has no title" not in report["problems"]


def test_a_sitemap_index_lists_its_sitemaps(saved):
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://garam.example/sitemap/1.xml</loc></sitemap></sitemapindex>"
    )
    report = check_source(saved(index), now=NOW)
    assert report["sitemaps"] == ["https://garam.example/sitemap/1.xml"]
    assert report["entries"] == 0 and "no entries" not in report["problems"]


def test_a_missing_file_is_reported(tmp_path):
    report = check_source(str(tmp_path / "nothing.xml"))
    assert report["status"] == "file"
    assert report["problems"] == ["unreadable file: No such file or directory"]
    assert set(report) == KEYS


def test_never_raises_on_an_unexpected_failure(saved, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(check, "parse_feed", broken)
    report = check_source(saved(CLEAN), verbose=True)
    assert report["problems"] == ["internal error while checking: RuntimeError('a bug')"]
    assert report["items"] == []


# --- over HTTP, against the sample outlets on loopback ---------------------------------------


def test_fetches_a_url_as_the_crawler_does(sample_outlets, allow_loopback):
    feed = sample_outlets.feeds()[0]
    report = check_source(feed.url, verbose=True)
    assert report["status"] == 200 and report["encoding"] == "utf-8"
    assert report["title"] and report["entries"] == len(report["items"]) > 0
    assert report["entries_with_date"] == report["entries"]
    assert report["problems"] == []


@pytest.mark.parametrize(
    ("path", "status", "problem"),
    [
        ("/nowhere.xml", 404, "HTTP error: HTTP 404 Not Found"),
        ("/_trouble/redirect-loop", None, "unreachable: redirect loop"),
        ("/_trouble/malformed.xml", 200, "malformed XML"),
    ],
)
def test_reports_http_trouble(sample_outlets, allow_loopback, path, status, problem):
    report = check_source(sample_outlets.base_url + path)
    assert report["status"] == status
    assert any(p.startswith(problem) or problem in p for p in report["problems"]), report


def test_refuses_loopback_unless_allowed(sample_outlets, settings):
    settings.NEWSRANK_ALLOW_PRIVATE_HOSTS = []
    report = check_source(sample_outlets.feeds()[0].url)
    assert report["status"] is None
    assert report["problems"][0].startswith("unreachable: refused: 127.0.0.1 is a loopback")


def test_an_unresolvable_host_is_unreachable():
    report = check_source("http://no-such-host.invalid/rss.xml")
    assert report["status"] is None
    assert report["problems"][0].startswith("robots.txt unreachable: could not resolve host")


@pytest.fixture
def site(allow_loopback):
    """A loopback site whose robots.txt a test sets (None: it answers 503)."""
    state = {"robots": None, "requests": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["requests"].append(self.path)
            if self.path == "/robots.txt" and state["robots"] is None:
                self.send_response(503)
                self.end_headers()
                return
            body = state["robots"] if self.path == "/robots.txt" else CLEAN
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


def test_a_url_robots_txt_disallows_is_not_fetched(site):
    site["robots"] = "User-agent: *\nDisallow: /private/\n"
    report = check_source(site["url"] + "/private/rss.xml")
    assert report["problems"] == ["blocked by robots.txt"]
    assert "/private/rss.xml" not in site["requests"]
    assert check_source(site["url"] + "/rss.xml")["entries"] == 2


def test_an_unreadable_robots_txt_is_named_as_the_cause(site):
    report = check_source(site["url"] + "/rss.xml")
    assert report["problems"] == ["robots.txt unreachable: HTTP 503 Service Unavailable"]
    assert site["requests"].count("/rss.xml") == 0
