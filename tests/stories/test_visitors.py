"""Unique readers: salted day keys, bot User-Agents, and the in-memory view buffer."""

import threading
from datetime import UTC, date, datetime

import pytest

from newsrank.stories.visitors import ViewBuffer, is_bot, reader_day, reader_key

DAY = date(2025, 10, 14)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36"
)


def key(ip="203.0.113.7", ua=CHROME, day=DAY, secret="s3cret"):
    return reader_key(ip, ua, day, secret)


def test_reader_key_is_a_stable_opaque_hash():
    k = key()
    assert k == key()
    assert len(k) == 32 and set(k) <= set("0123456789abcdef")  # 128 bits of hex, no address


@pytest.mark.parametrize(
    ("other", "why"),
    [
        ({"ip": "203.0.113.8"}, "another address"),
        ({"ua": CHROME.replace("129", "128")}, "another browser behind the same address"),
        ({"day": date(2025, 10, 15)}, "the next day: keys cannot be joined across days"),
        ({"secret": "other"}, "another site's secret"),
        ({"ip": "2001:db8:1:2::1"}, "an IPv6 address"),
    ],
)
def test_reader_key_differs(other, why):
    assert key(**other) != key(), why


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"),  # one /64: privacy addresses
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4-mapped
        (" 203.0.113.7 ", "203.0.113.7"),
    ],
)
def test_reader_key_same_reader(a, b):
    assert key(ip=a) == key(ip=b)


def test_reader_key_other_ipv6_network():
    assert key(ip="2001:db8:1:2::1") != key(ip="2001:db8:1:3::1")


def test_reader_key_accepts_a_malformed_address():
    assert key(ip="unknown") != key(ip="other")


def test_reader_day_is_the_korean_calendar_day():
    assert reader_day(datetime(2025, 10, 14, 15, 30, tzinfo=UTC)) == date(2025, 10, 15)  # 00:30 KST
    assert reader_day(datetime(2025, 10, 14, 14, 59, tzinfo=UTC)) == date(2025, 10, 14)


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1) Chrome/129 Safari/537.36",
        "Mozilla/5.0 (compatible; Yeti/1.1; +http://naver.me/spd)",
        "Mozilla/5.0 (compatible; Daumoa/4.0; +http://cs.daum.net/faq/15/4118.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "AdsBot-Google (+http://www.google.com/adsbot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; kakaotalk-scrap/1.0; +https://devtalk.kakao.com)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/129.0 Safari/537.36",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "python-httpx/0.27.0",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "newsrank/0.1 (+https://example.org/about)",
        "",
        "   ",
    ],
)
def test_bots(ua):
    assert is_bot(ua)


@pytest.mark.parametrize(
    "ua",
    [
        CHROME,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S928N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S928N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Mobile Safari/537.36 NAVER(inapp; search; 2000; 12.8.2)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 DaumApps/8.5.0 DaumDevice/mobile",
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Mobile Safari/537.36 KAKAOTALK 10.9.0",
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5; rv:131.0) Gecko/20100101 Firefox/131.0",
    ],
)
def test_readers(ua):
    assert not is_bot(ua)


class Today:
    def __init__(self, day=DAY):
        self.day = day

    def __call__(self):
        return self.day


def test_buffer_counts_unique_readers_per_post():
    buffer = ViewBuffer(today=Today())
    for post, reader in [(1, "a"), (1, "a"), (1, "b"), (2, "a"), (1, "a"), (3, "c")]:
        buffer.add(post, reader)
    assert len(buffer) == 4
    assert buffer.drain() == {1: 2, 2: 1, 3: 1}
    assert buffer.drain() == {}


def test_a_reload_after_a_drain_is_not_a_new_reader():
    buffer = ViewBuffer(today=Today())
    buffer.add(1, "a")
    assert buffer.drain() == {1: 1}
    buffer.add(1, "a")
    buffer.add(1, "b")
    assert buffer.drain() == {1: 1}


def test_a_new_day_forgets_the_readers_seen():
    today = Today()
    buffer = ViewBuffer(today=today)
    buffer.add(1, "a")
    today.day = date(2025, 10, 15)
    buffer.add(1, "a")  # in practice the key changes with the day too
    assert buffer.drain() == {1: 2}


def test_memory_is_bounded():
    buffer = ViewBuffer(today=Today(), max_seen=3)
    for reader in "abc":
        buffer.add(1, reader)
    buffer.add(1, "a")  # full: forgets, and counts "a" again rather than grow
    assert buffer.drain() == {1: 4}
    assert len(buffer._seen) == 1


def test_drain_pairs_for_a_deduplicating_store():
    buffer = ViewBuffer(today=Today())
    buffer.add(7, "a")
    buffer.add(7, "a")
    buffer.add(8, "b")
    assert sorted(buffer.drain_pairs()) == [(7, "a"), (8, "b")]
    assert buffer.drain_pairs() == []


def test_buffer_is_thread_safe():
    """Eight threads add the same views at once while a ninth drains: each reader counts once."""
    buffer = ViewBuffer(today=Today())
    posts, readers = 50, 40
    totals: dict[int, int] = {}
    done = threading.Event()

    def view():
        for reader in range(readers):
            for post in range(posts):
                buffer.add(post, f"r{reader}")

    def drain():
        while not done.is_set():
            for post, count in buffer.drain().items():
                totals[post] = totals.get(post, 0) + count

    drainer = threading.Thread(target=drain)
    drainer.start()
    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    drainer.join()
    for post, count in buffer.drain().items():
        totals[post] = totals.get(post, 0) + count
    assert totals == {post: readers for post in range(posts)}
