"""Freshness: lag from publication to post, and requests per new article, on a simulated world.

Usage: .venv/bin/python bench/freshness.py [--minutes 10] [--drain 5] [--env NAME=VALUE ...]
       .venv/bin/python bench/freshness.py --model 24 [--lag-per-request C] [--env ...]

1. bench/world.py serves 50 fictional outlets, each on its own loopback address, publishing with
   Poisson arrivals at uneven rates (wire ~1,000–1,500 a day … weeklies ~1), with two days of
   history so every feed's newest 30 items are realistic.
2. A fresh data folder (SQLite); each feed is subscribed with `newsrank sources add`.
3. Warm-up: `newsrank crawl --once` takes in the backlog (30 items a feed) so the measured crawler
   starts from a steady state: feeds known, ETags stored, publishing rates estimated, each next
   poll one interval (less up to 10% jitter) after the warm-up's. The warm-up alone runs with politeness off (no host delay, 8
   at a time), to reach that state quickly; its requests are not counted. `--cold` skips it: the
   measured crawler then starts on an empty board and the whole backlog.
4. The measured run: `newsrank crawl` with the given settings (default: settings.py's), for
   `--minutes` of publishing, then `--drain` more minutes so the window's last articles can arrive.
5. Every article the world published in the window is looked up in `board_post`: lag is
   `created_at` − the world's publication time; an article not stored by the end counts as an
   infinite lag (so it counts against the median and p95, never for them). Percentiles are
   nearest-rank. Requests are those the world saw during the window.

Fixed 1-minute polling over the same window would make feeds × minutes feed requests plus one per
new article. `--lag-per-request C` runs both crawls with `schedule.poll_interval`'s weight set to C
seconds (patched in the crawler process, newsrank's files untouched): an experiment for a proposed
product change, not a setting.

A 10-minute run sees about 50 new articles, so its p95 is nearly its third-largest lag. `--model
HOURS` adds a steadier estimate without a crawler: it replays newsrank's own schedule functions
(`publishing_rate` on each poll's newest 30 entries, `poll_interval`, `next_poll` with its jitter)
on the same world for HOURS, each article stored PROCESSING seconds after the poll that sees it.
It leaves out what only the live run shows: rounds, throttling, and the crawler's own delays.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from world import CLASSES, World  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WARMUP_ENV = {
    "NEWSRANK_HOST_DELAY": "0",
    "NEWSRANK_HOST_CONCURRENCY": "8",
    "NEWSRANK_CRAWL_THREADS": "8",
}
SETTINGS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from newsrank.ingest import crawler, schedule
names = ["NEWSRANK_MIN_POLL_SECONDS", "NEWSRANK_MAX_POLL_SECONDS", "NEWSRANK_HOST_DELAY",
         "NEWSRANK_HOST_CONCURRENCY", "NEWSRANK_CRAWL_THREADS", "NEWSRANK_OBEY_ROBOTS"]
found = {name: getattr(settings, name) for name in names}
found |= {"crawler.MAX_SLEEP": crawler.MAX_SLEEP.total_seconds(),
          "crawler.ROUND_SIZE": crawler.ROUND_SIZE,
          "schedule.LAG_PER_REQUEST": schedule.LAG_PER_REQUEST}
print(json.dumps(found))
"""
# Runs the crawler with poll_interval's lag_per_request replaced (see --lag-per-request).
PATCHED_CRAWLER = """
import sys
from newsrank.ingest import schedule
original = schedule.poll_interval
def poll_interval(items_per_day, bounds, *, lag_per_request={c}):
    return original(items_per_day, bounds, lag_per_request=lag_per_request)
schedule.poll_interval = poll_interval
from newsrank.cli import main
main(sys.argv[1:])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="publishing window (default 10)")
    parser.add_argument(
        "--drain", type=float, default=5, help="minutes of crawling after the window (default 5)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--first-address", default="127.0.0.2", help="the first outlet's address")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="crawler setting"
    )
    parser.add_argument("--lag-per-request", type=float, help="experiment: poll_interval's c")
    parser.add_argument(
        "--cold", action="store_true", help="no warm-up: the measured crawler starts on the backlog"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument(
        "--model",
        type=float,
        metavar="HOURS",
        help="no crawler: replay newsrank's schedule functions on the world for HOURS",
    )
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.env)
    if args.model:
        return model(args.model, args.seed, overrides, args.lag_per_request)

    window, drain = args.minutes * 60, args.drain * 60
    data = Path(tempfile.mkdtemp(prefix="freshness-"))
    env = os.environ | {
        "NEWSRANK_DATA_DIR": str(data),
        "DATABASE_URL": "",
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        "DJANGO_SETTINGS_MODULE": "newsrank.settings",
    }
    env |= overrides
    # Generous horizon: the warm-up's length is not known in advance.
    world = World(horizon=window + drain + 3600, seed=args.seed, first_address=args.first_address)
    with world:
        log(f"world: {len(world.outlets)} outlets from {world.outlets[0].address}; data in {data}")
        subscribe(world, env)
        settings = json.loads(
            subprocess.run(
                [sys.executable, "-c", SETTINGS_SCRIPT],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        if args.lag_per_request is not None:
            settings["schedule.LAG_PER_REQUEST"] = f"{args.lag_per_request} (patched)"
        command = crawler_command(args.lag_per_request)
        started = time.time()
        if not args.cold:
            subprocess.run(
                [*command, "crawl", "--once"],
                env=env | WARMUP_ENV,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(data / "warmup.log").open("w"),
                check=True,
            )
        warmup = time.time() - started
        if not args.cold:
            log(f"warm-up: backlog taken in {warmup:.0f} s, {count_posts(data)} posts")
        with (data / "crawler.log").open("w") as crawler_log:
            crawler = subprocess.Popen(
                [*command, "crawl"], env=env, cwd=ROOT, stdout=crawler_log, stderr=crawler_log
            )
            t0 = time.time()
            try:
                while (elapsed := time.time() - t0) < window + drain:
                    time.sleep(min(60, window + drain - elapsed))
                    log(f"{(time.time() - t0) / 60:5.1f} min: {count_posts(data)} posts")
            finally:
                crawler.send_signal(signal.SIGINT)
                try:
                    crawler.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    crawler.kill()
                    crawler.wait()
        end = time.time()
        report = measure(world, data, t0, t0 + window, end)
    report |= {
        "minutes": args.minutes,
        "drain_minutes": args.drain,
        "warmup_seconds": round(warmup),
        "settings": settings,
        "overrides": overrides,
        "seed": args.seed,
        "cold": args.cold,
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    if not args.keep:
        for path in sorted(data.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        data.rmdir()
    return 0


PROCESSING = 2.0  # seconds from a poll to the post: feed, 1 s host delay, article, extraction


def model(hours: float, seed: int, overrides: dict[str, str], c: float | None) -> int:
    """Replay newsrank's schedule on the world's arrivals; print lag and requests per article."""
    sys.path.insert(0, str(ROOT))
    from newsrank.ingest import schedule

    low = int(overrides.get("NEWSRANK_MIN_POLL_SECONDS", 60))
    high = int(overrides.get("NEWSRANK_MAX_POLL_SECONDS", 6 * 3600))
    bounds = schedule.Bounds(min(low, high), high)
    weight = schedule.LAG_PER_REQUEST if c is None else c
    world = World(horizon=hours * 3600 + 3600, seed=seed)
    rng = random.Random(seed)
    start, end = world.start, world.start + hours * 3600
    lags: dict[str, list[float]] = defaultdict(list)
    polls = 0
    for outlet in world.outlets:
        moment = start + rng.random() * 600  # feeds out of phase, as in a long-running crawl
        seen = bisect.bisect_right(outlet.times, start)
        while moment < end:
            now = datetime.fromtimestamp(moment, UTC)
            count = bisect.bisect_right(outlet.times, moment)
            entries = [
                datetime.fromtimestamp(t, UTC) for t in outlet.times[max(count - 30, 0) : count]
            ]
            interval = schedule.poll_interval(
                schedule.publishing_rate(entries, now), bounds, lag_per_request=weight
            )
            for published in outlet.times[seen:count]:
                lag = moment + PROCESSING - published
                lags[outlet.klass.name].append(lag)
                lags["all"].append(lag)
            seen, polls = count, polls + 1
            moment = schedule.next_poll(
                now, interval=interval, bounds=bounds, jitter=rng.random
            ).timestamp()
    new = len(lags["all"])
    print(
        f"Model: {hours:g} h of the world, lag_per_request={weight:g} s, poll bounds "
        f"{bounds.min_seconds}..{bounds.max_seconds} s, +{PROCESSING:g} s processing (seed {seed})"
    )
    rows = [
        [
            name,
            str(len(values)),
            _seconds(percentile(values, 0.5)),
            _seconds(percentile(values, 0.95)),
        ]
        for name, values in [(k.name, lags[k.name]) for k in CLASSES] + [("all", lags["all"])]
    ]
    print_table(["class", "published", "median lag", "p95 lag"], rows)
    fixed = (len(world.outlets) * hours * 60 + new) / new
    print(
        f"feed polls {polls}; requests / new article: newsrank {(polls + new) / new:.2f}, ", end=""
    )
    print(f"fixed 1-min polling {fixed:.2f} (robots.txt not counted)")
    return 0


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def crawler_command(lag_per_request: float | None) -> list[str]:
    if lag_per_request is None:
        return [sys.executable, "-m", "newsrank"]
    return [sys.executable, "-c", PATCHED_CRAWLER.format(c=lag_per_request)]


def subscribe(world: World, env: dict[str, str]) -> None:
    """`newsrank sources add` for every outlet's feed; the first one migrates the database."""

    def add(outlet) -> None:
        command = [sys.executable, "-m", "newsrank", "sources", "add", outlet.feed_url]
        command += ["--outlet", outlet.name]
        for _ in range(5):  # two at once may meet SQLite's write lock
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
            if done.returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"sources add {outlet.feed_url} failed: {done.stderr}")

    add(world.outlets[0])
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(add, world.outlets[1:]))
    log(f"subscribed {len(world.outlets)} feeds")


def count_posts(data: Path) -> int:
    with sqlite3.connect(data / "newsrank.sqlite3", timeout=30) as db:
        return db.execute("select count(*) from board_post").fetchone()[0]


def read_posts(data: Path) -> dict[str, datetime]:
    """Each post's URL and when it was stored (UTC)."""
    with sqlite3.connect(data / "newsrank.sqlite3", timeout=30) as db:
        rows = db.execute("select url, created_at, published_at from board_post").fetchall()
    return {url: _utc(created) for url, created, _published in rows}


def read_feeds(data: Path) -> dict[str, tuple[int, float]]:
    """Each feed's poll interval and estimated articles a day, as the crawler left them."""
    with sqlite3.connect(data / "newsrank.sqlite3", timeout=30) as db:
        rows = db.execute("select url, poll_seconds, items_per_day from sources_feed").fetchall()
    return {url: (seconds, per_day) for url, seconds, per_day in rows}


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; math.inf stands for an article never stored."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def measure(world: World, data: Path, t0: float, t1: float, end: float) -> dict:
    posts = read_posts(data)
    stored_at = {}
    for url, created in posts.items():
        article = world.find(url)
        if article is not None:
            stored_at[(article.outlet.index, article.id)] = created.timestamp()
    published = world.articles_between(t0, t1)
    lags: dict[str, list[float]] = defaultdict(list)
    for article in published:
        created = stored_at.get((article.outlet.index, article.id))
        lag = math.inf if created is None else created - article.published
        lags[article.outlet.klass.name].append(lag)
        lags["all"].append(lag)

    window_requests = [r for r in world.requests if t0 < r[0] <= t1]
    kinds = Counter(kind for _, _, kind, _ in window_requests)
    by_outlet: dict[str, Counter] = defaultdict(Counter)
    for _, outlet, kind, _ in window_requests:
        by_outlet[world.outlets[outlet].address][kind] += 1
    not_modified = sum(
        1 for _, _, kind, status in window_requests if kind == "feed" and status == 304
    )
    intervals: dict[str, list[float]] = defaultdict(list)
    estimates: dict[str, list[float]] = defaultdict(list)
    feeds = read_feeds(data)
    for outlet in world.outlets:
        poll_seconds, per_day = feeds.get(outlet.feed_url, (None, None))
        if poll_seconds is not None:
            intervals[outlet.klass.name].append(poll_seconds)
            estimates[outlet.klass.name].append(per_day / outlet.rate)

    new = len(published)
    minutes = (t1 - t0) / 60
    fixed_requests = len(world.outlets) * minutes + new
    ours = kinds["feed"] + kinds["article"]
    classes = {}
    for name in [k.name for k in CLASSES] + ["all"]:
        values = lags.get(name, [])
        outlets = [o for o in world.outlets if name in (o.klass.name, "all")]
        classes[name] = {
            "outlets": len(outlets),
            "per_day": round(sum(o.rate for o in outlets)),
            "published": len(values),
            "stored": sum(1 for v in values if v != math.inf),
            "median": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "max": max(values, default=math.nan),
            "poll_interval": _median(intervals.get(name)),
            "rate_estimate": _median(estimates.get(name)),
        }
    return {
        "classes": classes,
        "requests": {
            "feed": kinds["feed"],
            "feed_304": not_modified,
            "article": kinds["article"],
            "robots": kinds["robots"],
            "other": kinds["other"],
        },
        "new_articles": new,
        "newsrank_per_article": ours / new if new else math.nan,
        "fixed_per_article": fixed_requests / new if new else math.nan,
        "fixed_requests": fixed_requests,
        "share_304": not_modified / kinds["feed"] if kinds["feed"] else math.nan,
        "posts_total": len(posts),
        "requests_by_outlet": by_outlet,
    }


def _seconds(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "not stored" if value == math.inf else f"{value:.0f} s"


def print_report(report: dict) -> None:
    classes, requests = report["classes"], report["requests"]
    everything = classes["all"]
    print()
    print(
        f"Freshness: {everything['outlets']} outlets, {report['minutes']:g} min publishing window "
        f"+ {report['drain_minutes']:g} min drain; "
        + ("cold start, no warm-up" if report["cold"] else f"warm-up {report['warmup_seconds']} s")
        + f" (seed {report['seed']})"
    )
    print("settings: " + ", ".join(f"{k}={v}" for k, v in report["settings"].items()))
    print()
    header = ["class", "outlets", "art./day", "published", "stored", "median lag", "p95 lag"]
    header += ["max lag", "poll every", "rate est."]
    rows = [
        [
            name,
            str(c["outlets"]),
            str(c["per_day"]),
            str(c["published"]),
            str(c["stored"]),
            _seconds(c["median"]),
            _seconds(c["p95"]),
            _seconds(c["max"]),
            _seconds(c["poll_interval"]),
            "–" if c["rate_estimate"] is None else f"{c['rate_estimate']:.2f}×",
        ]
        for name, c in classes.items()
    ]
    print_table(header, rows)
    print()
    new = report["new_articles"]
    print_table(
        ["", "feed requests", "304", "article requests", "requests / new article"],
        [
            [
                "newsrank",
                str(requests["feed"]),
                f"{requests['feed_304']} ({report['share_304']:.0%})",
                str(requests["article"]),
                f"{report['newsrank_per_article']:.2f}",
            ],
            [
                "fixed 1-min polling",
                f"{report['fixed_requests'] - new:.0f}",
                "–",
                str(new),
                f"{report['fixed_per_article']:.2f}",
            ],
        ],
    )
    print(f"(newsrank also fetched robots.txt {requests['robots']} times in the window)")
    goals = [
        ("median lag ≤ 60 s", everything["median"] <= 60),
        ("p95 lag ≤ 300 s", everything["p95"] <= 300),
        (
            "fewer requests / new article than 1-min polling",
            report["newsrank_per_article"] < report["fixed_per_article"],
        ),
    ]
    print()
    for text, met in goals:
        print(f"goal {text}: {'met' if met else 'MISSED'}")


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    sys.exit(main())
