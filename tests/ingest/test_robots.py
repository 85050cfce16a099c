import threading
import time

import pytest

from newsrank.ingest.robots import MAX_BYTES, RobotsCache

UA = "newsrank/0.1.0 (+https://news.example.kr/about; 뉴스랭크)"

# The common Korean pattern: portal and search bots in, everyone else out.
PORTALS_ONLY = b"""\
User-agent: *
Disallow: /

User-agent: Yeti
Allow: /

User-agent: Daumoa
Allow: /

User-agent: Googlebot
Allow: /
"""

# A regional paper on the articleView.html?idxno= CMS family.
REGIONAL = b"""\
# robots.txt for www.example.co.kr
User-agent: *
Disallow: /admin/
Disallow: /member/
Disallow: /news/articleList.html?*sc_word=
Allow: /news/articleView.html
Crawl-delay: 2

Sitemap: https://www.example.co.kr/sitemap.xml
"""

# A group naming us, with rules of its own, beside a stricter group for everyone.
NAMES_US = b"""\
User-agent: *
Disallow: /

User-agent: NewsRank
Disallow: /news/print/
Allow: /news/
Disallow: /
Crawl-delay: 5
"""


class FakeFetch:
    """Answers robots.txt requests from a list, one answer per call, and records the URLs."""

    def __init__(self, *answers, pause: float = 0.0):
        self.answers = list(answers)
        self.urls: list[str] = []
        self.pause = pause

    def __call__(self, url):
        self.urls.append(url)
        time.sleep(self.pause)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def cache(*answers, clock=None, **kwargs):
    fetch = FakeFetch(*answers)
    return RobotsCache(fetch, UA, clock=clock or FakeClock(), **kwargs), fetch


@pytest.mark.parametrize(
    ("answer", "url", "allowed"),
    [
        ((200, PORTALS_ONLY), "https://www.example.co.kr/news/1", False),
        ((200, REGIONAL), "https://www.example.co.kr/news/articleView.html?idxno=123", True),
        ((200, REGIONAL), "https://www.example.co.kr/admin/login", False),
        ((200, REGIONAL), "https://www.example.co.kr/news/articleList.html?sc_word=x", False),
        (
            (200, REGIONAL),
            "https://www.example.co.kr/news/articleList.html?sc_section_code=S1N1",
            True,
        ),
        ((200, NAMES_US), "https://www.example.co.kr/news/articleView.html?idxno=1", True),
        ((200, NAMES_US), "https://www.example.co.kr/news/print/1", False),
        ((200, NAMES_US), "https://www.example.co.kr/opinion/1", False),
        ((200, b""), "https://www.example.co.kr/anything", True),
        (
            (200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /x\n"),
            "https://www.example.co.kr/x/1",
            False,
        ),
        # Korean paths, written raw in the file, matched against percent-encoded URLs.
        (
            (200, "User-agent: *\nDisallow: /뉴스/\n".encode()),
            "https://a.kr/%EB%89%B4%EC%8A%A4/1",
            False,
        ),
        ((200, "User-agent: *\nDisallow: /뉴스/\n".encode()), "https://a.kr/뉴스/1", False),
        # A cp949 comment is not UTF-8; the rules around it still apply.
        (
            (200, "# 관리자 전용\nUser-agent: *\nDisallow: /adm/\n".encode("cp949")),
            "https://a.kr/adm/",
            False,
        ),
        ((200, PORTALS_ONLY), "https://www.example.co.kr/robots.txt", True),
        # RFC 9309 §2.3.1.3: 4xx means there are no rules.
        ((404, b"<html>Not Found</html>"), "https://a.kr/news/1", True),
        ((403, b""), "https://a.kr/news/1", True),
        ((410, b""), "https://a.kr/news/1", True),
        ((301, b""), "https://a.kr/news/1", True),  # redirects the fetch could not resolve
        # RFC 9309 §2.3.1.4: unreachable means complete disallow.
        ((500, b""), "https://a.kr/news/1", False),
        ((503, b"User-agent: *\nAllow: /\n"), "https://a.kr/news/1", False),
        ((429, b""), "https://a.kr/news/1", False),
        (None, "https://a.kr/news/1", False),
        (OSError("boom"), "https://a.kr/news/1", False),
    ],
)
def test_follows_robots_txt_per_rfc_9309(answer, url, allowed):
    robots, _ = cache(answer)
    assert robots.allowed(url) is allowed


@pytest.mark.parametrize(
    "url", ["ftp://a.kr/x", "mailto:desk@a.kr", "/relative/path", "https://", "http://a.kr:99999/"]
)
def test_refuses_urls_it_cannot_place(url):
    robots, fetch = cache((200, b""))
    assert not robots.allowed(url)
    assert fetch.urls == []


def test_matches_our_product_token_not_words_in_our_contact_details():
    # Our User-Agent mentions Daumoa and Yeti; only "newsrank" may select a group.
    fetch = FakeFetch((200, PORTALS_ONLY))
    robots = RobotsCache(fetch, "newsrank/1.0 (+https://yeti.example.kr; Daumoa fan site)")
    assert robots.product_token == "newsrank"
    assert not robots.allowed("https://www.example.co.kr/news/1")


@pytest.mark.parametrize("user_agent", ["", "  ", "/1.0", "(compatible)"])
def test_user_agent_needs_a_product_token(user_agent):
    with pytest.raises(ValueError, match="product token"):
        RobotsCache(FakeFetch(None), user_agent)


@pytest.mark.parametrize(
    ("urls", "fetched"),
    [
        (["https://a.kr/1", "https://a.kr/2?x=1", "https://A.KR/3"], ["https://a.kr/robots.txt"]),
        (["https://a.kr/1", "https://a.kr:443/2"], ["https://a.kr/robots.txt"]),
        (
            ["https://a.kr/1", "http://a.kr/1", "https://www.a.kr/1", "http://a.kr:8080/1"],
            [
                "https://a.kr/robots.txt",
                "http://a.kr/robots.txt",
                "https://www.a.kr/robots.txt",
                "http://a.kr:8080/robots.txt",
            ],
        ),
        (["http://[::1]:8000/x"], ["http://[::1]:8000/robots.txt"]),
    ],
)
def test_fetches_robots_txt_once_per_origin(urls, fetched):
    robots, fetch = cache((200, REGIONAL))
    for url in urls:
        robots.allowed(url)
        robots.crawl_delay(url)
    assert fetch.urls == fetched


def test_refetches_after_the_ttl():
    clock = FakeClock()
    robots, fetch = cache((200, REGIONAL), (200, PORTALS_ONLY), clock=clock)
    assert robots.allowed("https://a.kr/news/1")
    clock.now += 23 * 3600
    assert robots.allowed("https://a.kr/news/1")
    clock.now += 3600
    assert not robots.allowed("https://a.kr/news/1")
    assert len(fetch.urls) == 2


def test_retries_an_unreachable_robots_txt_after_minutes_not_a_day():
    clock = FakeClock()
    robots, fetch = cache((503, b""), (200, REGIONAL), clock=clock)
    assert not robots.allowed("https://a.kr/news/1")
    clock.now += 9 * 60
    assert not robots.allowed("https://a.kr/news/1")
    clock.now += 2 * 60
    assert robots.allowed("https://a.kr/news/1")
    assert len(fetch.urls) == 2


def test_keeps_the_last_rules_while_the_server_is_failing():
    clock = FakeClock()
    robots, fetch = cache((200, REGIONAL), None, (500, b""), (200, b""), clock=clock)
    assert not robots.allowed("https://a.kr/admin/")
    for _ in range(2):  # the refresh fails twice; the old rules stand, retried every 10 min
        clock.now += 24 * 3600 + 1
        assert robots.allowed("https://a.kr/news/1")
        assert not robots.allowed("https://a.kr/admin/")
    clock.now += 11 * 60
    assert robots.allowed("https://a.kr/admin/")
    assert len(fetch.urls) == 4


def test_a_404_is_not_kept_through_a_later_outage():
    clock = FakeClock()
    robots, _ = cache((404, b""), (500, b""), clock=clock)
    assert robots.allowed("https://a.kr/news/1")
    clock.now += 24 * 3600 + 1
    assert not robots.allowed("https://a.kr/news/1")


def test_reads_only_the_first_500_kib_cut_at_a_line_end():
    head = b"User-agent: *\nDisallow: /news/\n"
    tail = b"Allow: /news/sports\nDisallow: /late/\n"
    # The cap falls inside the Allow line, just after "Allow: /news/".
    padding = b"#" * (MAX_BYTES - len(head) - len(b"Allow: /news/") - 1) + b"\n"
    robots, _ = cache((200, head + padding + tail))
    assert not robots.allowed("https://a.kr/news/economy/1")
    assert robots.allowed("https://a.kr/late/1")  # past the cap: never read


@pytest.mark.parametrize(
    ("body", "delay"),
    [
        (REGIONAL, 2.0),
        (NAMES_US, 5.0),
        (PORTALS_ONLY, None),
        (b"User-agent: *\nCrawl-delay: 0.5\n", 0.5),
        (b"User-agent: *\nCrawl-delay: 86400\n", 60.0),  # capped
        (b"User-agent: *\nCrawl-delay: soon\n", None),
        (b"User-agent: *\nCrawl-delay: -3\n", None),
        (b"User-agent: *\nCrawl-delay: nan\n", None),
        (b"User-agent: *\nCrawl-delay: inf\n", None),
    ],
)
def test_reads_crawl_delay_for_our_group(body, delay):
    robots, _ = cache((200, body))
    assert robots.crawl_delay("https://a.kr/news/1") == delay


@pytest.mark.parametrize("answer", [(404, b""), (500, b""), None])
def test_no_crawl_delay_without_rules(answer):
    robots, _ = cache(answer)
    assert robots.crawl_delay("https://a.kr/news/1") is None


def test_threads_asking_about_one_origin_share_one_fetch():
    fetch = FakeFetch((200, REGIONAL), pause=0.05)
    robots = RobotsCache(fetch, UA)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(robots.allowed("https://a.kr/admin/")))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [False] * 10
    assert fetch.urls == ["https://a.kr/robots.txt"]


def test_a_slow_origin_does_not_hold_up_another():
    slow_started, release = threading.Event(), threading.Event()

    def fetch(url):
        if "slow" in url:
            slow_started.set()
            release.wait(5)
        return 200, b""

    robots = RobotsCache(fetch, UA)
    slow = threading.Thread(target=robots.allowed, args=("https://slow.kr/1",))
    slow.start()
    assert slow_started.wait(5)
    try:
        assert robots.allowed("https://fast.kr/1")  # answered while slow.kr is still loading
    finally:
        release.set()
        slow.join()
