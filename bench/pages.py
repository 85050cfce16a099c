"""Server-side latency of the main pages (p50, p95, p99) on a populated database.

Usage:
    newsrank bench populate --posts 1000000                 # first, on the database to measure
    .venv/bin/python bench/pages.py                         # the configured database (DATABASE_URL,
                                                            # NEWSRANK_DATA_DIR), 200 requests a page
    .venv/bin/python bench/pages.py --requests 500 --baseline
    .venv/bin/python bench/pages.py --page "article view" --page /feed/ --profile 30
                                                            # only those pages; then cProfile's
                                                            # 30 costliest functions of each

How it measures: in-process, through Django's test Client, so the figure is the time from the
request entering Django's middleware to the response leaving it (URL routing, views, database,
templates), without an HTTP server or network. Warm: each page is requested 20 times first.
The machine is shared, so beside wall time the table gives this process's CPU time per request
(`time.process_time`: Django, templates and, on SQLite, the database; on PostgreSQL the server's
own CPU is not in it), which waiting for a busy CPU does not inflate. The page cache and the
rate limiter are taken out of the middleware, so every request does the full work (HTTP caching
is measured apart, by the throughput benchmark). The lists' anchors live in the cache, which
stays on (they are part of how a list page is found).

Pages: list page 1, list page 5,000 (the last page when there are fewer), an article view (a
random post of the whole board, with the page of the list that holds it), a story page (random
stories of several posts), the ranking page, a search (a common word of the sample titles),
/api/posts, /feed/. Targets are drawn with a fixed seed.

--baseline measures the lists as they were before anchors (count() and OFFSET per request, the
board/lists.py of commit f140ba6) for comparison.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEARCH_WORDS = ["반도체", "정부", "대통령", "경제", "서울", "수출", "선수", "국회", "기업", "태풍"]
SKIPPED_MIDDLEWARE = ("PageCacheMiddleware", "RateLimitMiddleware")


def setup(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith(SKIPPED_MIDDLEWARE)]
    settings.ALLOWED_HOSTS = ["*"]
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def use_baseline_lists() -> None:
    """The lists as before anchors: a count() and an OFFSET per page, a count() per article."""
    from django.conf import settings

    from newsrank.board import lists
    from newsrank.board.models import Post

    def visible(scope):
        posts = Post.objects.visible().filter(**_scope_filter(scope))
        return posts.select_related("outlet", "story").order_by("-number")

    def get_page(scope, number):
        size = settings.NEWSRANK_PAGE_SIZE
        posts = visible(scope)
        count = posts.count()
        last = max(1, math.ceil(count / size))
        number = min(number, last)
        rows = list(posts[(number - 1) * size : number * size])
        return lists.Page(scope, rows, number, count, last)

    def page_of(scope, post):
        newer = visible(scope).filter(number__gt=post.number).count()
        return newer // settings.NEWSRANK_PAGE_SIZE + 1

    def page_holding(scope, post):
        return get_page(scope, page_of(scope, post))

    lists.get_page, lists.page_of, lists.page_holding = get_page, page_of, page_holding


def _scope_filter(scope) -> dict:
    if scope.section:
        return {"section": scope.section}
    if scope.outlet is not None:
        return {"outlet": scope.outlet}
    return {}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def targets(rng: random.Random) -> dict:
    """Each page's URL maker."""
    from django.db import connection

    from newsrank.board.models import Post
    from newsrank.stories.models import Story

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(number), max(number) FROM board_post")
        low, high = cursor.fetchone()
    stories = list(
        Story.objects.live()
        .filter(posts_count__gt=1)
        .order_by("-rank_key")
        .values_list("pk", flat=True)[:2000]
    )
    numbers = []
    while len(numbers) < 500:
        picks = [rng.randint(low, high) for _ in range(200)]
        numbers += list(
            Post.objects.visible().filter(number__in=picks).values_list("number", flat=True)
        )
    return {
        "list page 1": lambda: "/",
        "list page 5,000": lambda: "/?page=5000",
        "article view": lambda: f"/{rng.choice(numbers)}",
        "story page": lambda: f"/story/{rng.choice(stories)}",
        "ranking": lambda: "/ranking",
        "search": lambda: f"/search?q={rng.choice(SEARCH_WORDS)}",
        "/api/posts": lambda: "/api/posts",
        "/feed/": lambda: "/feed/",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--baseline", action="store_true", help="count()/OFFSET lists (before)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--no-migrate", action="store_true", help="leave the database as it is (a shared one)"
    )
    parser.add_argument(
        "--page", action="append", help="the label of a page to measure (repeatable; all pages)"
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", help="then profile each page: N costliest functions"
    )
    args = parser.parse_args()

    setup(migrate=not args.no_migrate)
    if args.baseline:
        use_baseline_lists()
    from django.db import connection
    from django.test import Client

    from newsrank.board.models import Post

    rng = random.Random(args.seed)
    client = Client()
    pages = targets(rng)
    if args.page:
        wanted = args.page
        unknown = set(wanted) - set(pages)
        if unknown:
            sys.exit(f"unknown pages: {', '.join(sorted(unknown))} (known: {', '.join(pages)})")
        pages = {label: pages[label] for label in wanted}
    posts = Post.objects.order_by("-number").values_list("number", flat=True).first()
    print(
        f"{connection.vendor}, {posts:,} posts (highest number), "
        f"{'baseline lists (count + OFFSET)' if args.baseline else 'lists through anchors'}, "
        f"{args.requests} requests a page, in-process (Django test Client), page cache off"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")
    print()
    print("| page | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | CPU p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, url in pages.items():
        for _ in range(20):
            response = client.get(url())
            if response.status_code != 200:
                sys.exit(f"{label}: {response.status_code} for {url()}")
        timings, cpu = [], []
        for _ in range(args.requests):
            target = url()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(target)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (target, response.status_code)
        print(
            f"| {label} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} | "
            f"{percentile(timings, 0.99):.1f} | {max(timings):.1f} | "
            f"{statistics.median(cpu):.1f} | {percentile(cpu, 0.95):.1f} |",
            flush=True,
        )
    if args.profile:
        for label, url in pages.items():
            profile(label, client, [url() for _ in range(args.requests)], args.profile)


def profile(label: str, client, urls: list[str], lines: int) -> None:
    """cProfile over the requests of one page: the functions with the most cumulative time, and
    the queries of one request."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(urls[0])
    print(f"\n## {label}: {len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        print(f"  {query['time']} s  {query['sql'][:160]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for target in urls:
        client.get(target)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(lines)


if __name__ == "__main__":
    main()
