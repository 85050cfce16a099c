import threading
import time
from itertools import pairwise

import pytest

from newsrank.ingest.hosts import HostThrottle, host_key

WAIT = 5  # seconds a test waits for a thread before calling it stuck


class FakeTime:
    """A clock that moves only when `sleep` is called; records each sleep."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_throttle(**kwargs) -> tuple[HostThrottle, FakeTime]:
    fake = FakeTime()
    return HostThrottle(clock=fake.clock, sleep=fake.sleep, **kwargs), fake


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.yna.co.kr/view/AKR1", "www.yna.co.kr"),
        ("http://WWW.YNA.CO.KR/rss", "www.yna.co.kr"),  # http and https: one server
        ("https://www.yna.co.kr:443/x", "www.yna.co.kr:443"),
        ("http://127.0.0.1:8765/garam/rss.xml", "127.0.0.1:8765"),
        ("http://127.0.0.1:8766/", "127.0.0.1:8766"),
        ("http://[::1]:8000/x", "::1:8000"),
        ("http://a.kr:99999/", "a.kr"),
    ],
)
def test_counts_requests_per_host_name_and_explicit_port(url, key):
    assert host_key(url) == key


@pytest.mark.parametrize(
    ("min_delay", "delay", "gap"),
    [
        (1.0, None, 1.0),
        (1.0, 3.0, 3.0),  # robots.txt asks for more: the larger wins
        (2.0, 0.5, 2.0),
        (0.0, None, 0.0),
    ],
)
def test_spaces_request_starts_to_one_host(min_delay, delay, gap):
    throttle, fake = fake_throttle(min_delay=min_delay)
    starts = []
    for _ in range(3):
        with throttle.slot("https://a.kr/news/1", delay):
            starts.append(fake.now)
    assert [later - earlier for earlier, later in pairwise(starts)] == [gap, gap]
    assert fake.sleeps == ([gap, gap] if gap else [])


def test_time_spent_in_the_request_counts_toward_the_delay():
    throttle, fake = fake_throttle(min_delay=1.0)
    with throttle.slot("https://a.kr/1"):
        fake.now += 0.75  # the request itself took 0.75 s
    with throttle.slot("https://a.kr/2"):
        pass
    assert fake.sleeps == [pytest.approx(0.25)]


def test_other_hosts_do_not_wait_for_the_delay():
    throttle, fake = fake_throttle(min_delay=10.0)
    for url in ["https://a.kr/1", "https://b.kr/1", "https://c.kr/1", "http://127.0.0.1:9/x"]:
        with throttle.slot(url):
            pass
    assert fake.sleeps == []


def test_releases_the_slot_when_the_request_fails():
    throttle, _ = fake_throttle(per_host=1, min_delay=0.0)
    with pytest.raises(RuntimeError), throttle.slot("https://a.kr/1"):
        raise RuntimeError("network down")
    with throttle.slot("https://a.kr/2"):  # would block forever if the slot leaked
        pass


def test_refuses_less_than_one_slot():
    with pytest.raises(ValueError, match="per_host"):
        HostThrottle(per_host=0)


def hold(throttle, url, inside: threading.Event, leave: threading.Event) -> threading.Thread:
    """A thread that takes a slot for `url`, signals `inside`, and keeps it until `leave`."""

    def run():
        with throttle.slot(url):
            inside.set()
            leave.wait(WAIT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("per_host", [1, 2, 3])
def test_never_more_than_per_host_requests_at_once(per_host):
    throttle = HostThrottle(per_host=per_host, min_delay=0.0)
    leave = threading.Event()
    insides = [threading.Event() for _ in range(per_host + 1)]
    threads = [hold(throttle, "https://a.kr/x", inside, leave) for inside in insides[:per_host]]
    for inside in insides[:per_host]:
        assert inside.wait(WAIT)  # the first per_host get in together
    threads.append(hold(throttle, "https://a.kr/y", insides[-1], leave))
    assert not insides[-1].wait(0.05)  # one more must wait
    leave.set()
    assert insides[-1].wait(WAIT)  # and gets in once a slot is free
    for thread in threads:
        thread.join(WAIT)


def test_a_busy_host_does_not_block_another():
    throttle = HostThrottle(per_host=1, min_delay=0.0)
    leave, inside_a, inside_b = threading.Event(), threading.Event(), threading.Event()
    a = hold(throttle, "https://a.kr/1", inside_a, leave)
    assert inside_a.wait(WAIT)
    b = hold(throttle, "https://b.kr/1", inside_b, leave)
    assert inside_b.wait(WAIT)  # while a.kr's only slot is still held
    leave.set()
    a.join(WAIT)
    b.join(WAIT)


def test_many_threads_on_shared_hosts_respect_the_limit():
    throttle = HostThrottle(per_host=2, min_delay=0.0)
    lock = threading.Lock()
    running: dict[str, int] = {"a.kr": 0, "b.kr": 0}
    peak: dict[str, int] = {"a.kr": 0, "b.kr": 0}

    def request(host):
        with throttle.slot(f"https://{host}/x"):
            with lock:
                running[host] += 1
                peak[host] = max(peak[host], running[host])
            time.sleep(0.005)
            with lock:
                running[host] -= 1

    threads = [threading.Thread(target=request, args=(host,)) for host in ["a.kr", "b.kr"] * 12]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert 1 <= peak["a.kr"] <= 2
    assert 1 <= peak["b.kr"] <= 2


def test_real_clock_delay_between_starts():
    throttle = HostThrottle(per_host=4, min_delay=0.03)
    starts: list[float] = []
    lock = threading.Lock()

    def request():
        with throttle.slot("https://a.kr/x"), lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=request) for _ in range(4)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    starts.sort()
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert all(gap >= 0.03 - 0.002 for gap in gaps), gaps  # a little slack for clock reads
    assert time.monotonic() - began < 1.0
