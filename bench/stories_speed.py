"""Story speed: replaying 10,000 items, and placing a post with 1,000,000 posts in the database.

Usage:
    .venv/bin/python bench/stories_speed.py replay [--items 10000] [--workers N]
    .venv/bin/python bench/stories_speed.py assign --db sqlite|postgres [--posts 300]

`replay` runs `newsrank.stories.replay.replay` (the crawler's StoryAssigner) in a throwaway SQLite
database over ../shared/data/stories/items_dev.jsonl repeated with shifted times and ids (read
there at run time, never copied; without it the sample outlets' articles in newsrank/demo/content
are used), and reports wall and CPU seconds (the worker processes' included).

`assign` works on the shared 1M-post benchmark databases that `newsrank bench populate` builds
(/work/benchdb/sqlite1m/ for SQLite, copied first; `newsrank_bench_1m` on PostgreSQL, inside a transaction
rolled back at the end): it adds `--posts` pending posts and times each one's placement
(features, grouping and writes) separately from the one-time warm-up.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import json
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "stories" / "items_dev.jsonl"
DEMO = ROOT / "newsrank" / "demo" / "content"
BENCHDB = Path("/work/benchdb")
SQLITE_1M = BENCHDB / "sqlite1m" / "newsrank.sqlite3"
PG_URL = "postgres://postgres@127.0.0.1:5432/newsrank_bench_1m"
SHIFT = timedelta(days=4)  # more than a story's span: each copy makes stories of its own


def setup_django(database_url: str = "", data_dir: str | None = None, migrate=True) -> None:
    os.environ["NEWSRANK_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="newsrank-bench-")
    os.environ["DATABASE_URL"] = database_url
    from newsrank.cli import setup_django as setup

    setup(migrate=migrate)


def base_items() -> tuple[list[dict], str]:
    if DEV.exists():
        rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
        return rows, f"{DEV.name} ({len(rows)} items)"
    rows = []
    start = datetime.fromisoformat("2026-03-02T06:00:00+09:00")
    for path in sorted(DEMO.glob("*.json")):
        outlet = json.loads(path.read_text(encoding="utf-8"))
        for n, article in enumerate(outlet["articles"]):
            rows.append({
                "id": f"{outlet['slug']}-{article['id']}",
                "title": article["title"],
                "text": "\n\n".join(article["body"]),
                "outlet": outlet["slug"],
                "outlet_name": outlet["name"],
                "published_at": (start + timedelta(minutes=article.get("offset_minutes", n))).isoformat(),
            })  # fmt: skip
    return rows, f"sample outlets' articles ({len(rows)} items)"


def repeated(rows: list[dict], count: int) -> list[dict]:
    """`count` items: copies of `rows`, each SHIFT later than the one before, with new ids."""
    items = []
    for copy in range(count // len(rows) + 1):
        for row in rows:
            if len(items) == count:
                return items
            when = datetime.fromisoformat(row["published_at"]) + copy * SHIFT
            items.append(
                row | {"id": f"{row['id']}~{copy}", "published_at": when.isoformat(), "url": None}
            )
    return items


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_replay(args) -> None:
    setup_django()
    from newsrank.search.analyzer import analyze
    from newsrank.stories.replay import Progress, replay

    rows, source = base_items()
    items = repeated(rows, args.items)
    analyze("준비")  # Kiwi's model load is not replay work
    started, cpu = time.perf_counter(), cpu_seconds()
    lines = list(replay(items, progress=Progress(sys.stderr, every=10), workers=args.workers))
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    stories = len({line["story"] for line in lines})
    print(f"replay: {len(lines)} items from {source} → {stories} stories")
    print(f"  wall {wall:.1f} s ({len(lines) / wall:.0f} items/s), CPU {cpu:.1f} s, "
          f"workers {args.workers if args.workers is not None else 'default'}, "
          f"load average {os.getloadavg()[0]:.1f} (goal: ≤ 60 s wall)")  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def open_1m(args) -> str:
    """Point Django at the 1M-post database (a private copy of the SQLite one); returns a label."""
    if args.db == "postgres":
        if args.pg_url == PG_URL and not (BENCHDB / "READY-postgres").exists():
            # A running populate hands out story ids itself; ours would meet them.
            sys.exit(f"no {BENCHDB / 'READY-postgres'}: the 1M PostgreSQL database is not ready")
        setup_django(args.pg_url, migrate=False)
        return f"PostgreSQL {args.pg_url.rsplit('/', 1)[-1]}"
    import sqlite3

    shared = Path(args.sqlite)
    if shared == SQLITE_1M and not (BENCHDB / "READY-sqlite").exists():
        sys.exit(f"no {BENCHDB / 'READY-sqlite'}: the 1M SQLite database is not ready")
    if args.private:  # a copy of our own already: used in place (assign rolls back its writes)
        if shared.resolve() == SQLITE_1M.resolve():
            sys.exit("--private is for a copy of your own, not the shared database")
        setup_django(f"sqlite:///{shared}", data_dir=str(shared.parent), migrate=True)
        return "SQLite (private copy)"
    folder = tempfile.mkdtemp(prefix="newsrank-bench-1m-", dir=args.copy_dir)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = Path(folder) / "newsrank.sqlite3"
    started = time.perf_counter()
    source = f"file:{shared}?mode=ro"
    with sqlite3.connect(source, uri=True) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # a consistent copy, WAL included; the shared file is only read
    print(f"copied the SQLite database in {time.perf_counter() - started:.0f} s to {copy}")
    setup_django(f"sqlite:///{copy}", data_dir=folder, migrate=True)  # migrates our copy only
    return "SQLite (copy)"


def unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def pending_posts(count: int) -> list:
    """`count` new pending posts made of the base items' texts, published in the last hour."""
    from django.utils import timezone

    from newsrank.board.models import Post
    from newsrank.sources.models import Outlet

    rows, _ = base_items()
    outlets = list(Outlet.objects.order_by("pk")[:40])
    now = timezone.now()
    # Numbers far above any populated post: a `bench populate` still running hands out the next
    # numbers itself, and must not meet ours (they are rolled back anyway).
    base = 10**12
    posts = [
        Post(
            number=base + i,
            outlet=outlets[i % len(outlets)],
            url=f"https://bench.invalid/stories-speed/{now.timestamp()}/{i}",
            title=rows[i % len(rows)]["title"],
            body_text=rows[i % len(rows)]["text"],
            published_at=now - timedelta(seconds=3600 * (count - i) / count),
        )
        for i in range(count)
    ]
    return Post.objects.bulk_create(posts)


def bench_assign(args) -> None:
    label = open_1m(args)
    from django.db import connection, transaction

    from newsrank.board.models import Post
    from newsrank.search.analyzer import analyze
    from newsrank.stories.assign import StoryAssigner, features_of

    missing = unapplied_migrations()
    if missing:
        sys.exit(
            f"{label} lacks migrations {missing}; it is shared, so this bench does not migrate"
        )
    analyze("준비")
    total = Post.objects.count()
    with transaction.atomic():  # rolled back: the shared database is left as it was
        posts = pending_posts(args.posts)
        assigner = StoryAssigner()
        started = time.perf_counter()
        assigner._warm()
        warm = time.perf_counter() - started
        restored = len(assigner.grouper.posts)
        feature_ms, place_ms = {}, []
        for post in Post.objects.filter(number__in=[p.number for p in posts]).select_related(
            "outlet"
        ):
            started = time.perf_counter()
            feature_ms[post.number] = features_of([post])[0], (time.perf_counter() - started) * 1000
        assigner.features = lambda batch: [feature_ms[p.number][0] for p in batch]
        place_ms = {True: [], False: []}  # with and without the summary and trending terms
        place_cpu = []
        profile = cProfile.Profile() if args.profile else None
        for index, _ in enumerate(posts):
            assigner.details = index % 2 == 0
            if profile and not assigner.details:
                profile.enable()
            started, cpu = time.perf_counter(), time.process_time()
            assert assigner.assign_pending(limit=1) == 1
            place_ms[assigner.details].append((time.perf_counter() - started) * 1000)
            if not assigner.details:
                place_cpu.append((time.process_time() - cpu) * 1000)
                if profile:
                    profile.disable()
        features = [ms for _, ms in feature_ms.values()]
        whole = [f + p for f, p in zip(features[::2], place_ms[True], strict=False)]
        explain = explain_plans(connection) if args.explain else ""
        transaction.set_rollback(True)
    print(f"assign: {label}, {total:,} posts; {args.posts} new posts placed one by one")
    print(f"  warm-up (once per process): {warm:.1f} s for {restored:,} posts of the last 72 h")
    for name, values in (
        ("grouping + writes", place_ms[False]),
        ("grouping + writes, CPU time of this process", place_cpu),
        ("grouping + writes + summary + trend terms", place_ms[True]),
        ("features (Kiwi, title and lead)", features),
        ("whole (all of the above)", whole),
    ):
        print(f"  {name}: median {statistics.median(values):.2f} ms, "
              f"p95 {percentile(values, 0.95):.2f} ms, max {max(values):.1f} ms")  # fmt: skip
    print(f"  load average {os.getloadavg()[0]:.1f} (goal: median ≤ 5 ms)")
    if explain:
        print(explain)
    if profile:  # where the CPU of grouping + writes goes
        pstats.Stats(profile).sort_stats(args.profile).print_stats(40)


def explain_plans(connection) -> str:
    """The query plans of the assigner's per-batch and per-post queries."""
    from datetime import UTC

    from newsrank.board.models import Post
    from newsrank.stories.models import PostFeatures

    story = Post.objects.exclude(story=None).values_list("story_id", flat=True).last()
    since = datetime.now(UTC) - timedelta(hours=72)
    queries = {
        "newest placed": Post.objects.filter(story_pending=False)
        .order_by("-number")
        .values_list("number", "story_id", "title")[:1],
        "pending": Post.objects.filter(story_pending=True).order_by("number")[:200],
        "story's posts": Post.objects.filter(story_id=story).values(
            "number", "outlet_id", "story__readers"
        ),
        "warm-up": PostFeatures.objects.filter(at__gte=since, post__story__isnull=False)
        .select_related("post", "post__outlet")
        .order_by("post_id"),
    }
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    lines = []
    for name, query in queries.items():
        if isinstance(query, tuple):
            with connection.cursor() as cursor:
                cursor.execute(prefix + query[0], query[1])
                plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        else:
            plan = query.explain()
        lines.append(f"  -- {name}:\n    " + plan.replace("\n", "\n    "))
    return "\n".join(lines)


def bench_pages(args) -> None:
    label = open_1m(args)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import transaction
    from django.test import Client

    from newsrank.board.models import Post
    from newsrank.stories import trends

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    total = Post.objects.count()
    with transaction.atomic():
        started = time.perf_counter()
        trends.refresh_trends()
        cold = time.perf_counter() - started
        started = time.perf_counter()
        trends.refresh_trends()  # baseline kept: what the crawler pays each minute
        warm = time.perf_counter() - started
        print(f"pages: {label}, {total:,} posts")
        print(f"  crawler's trend refresh: {cold * 1000:.0f} ms cold, {warm * 1000:.0f} ms "
              f"with its baseline kept (not on any request)")  # fmt: skip
        for path in ("/ranking", "/issues", "/trending", "/api/stories", "/api/trending"):
            times, cpu = [], []
            for _ in range(args.requests):
                cache.clear()  # no page cache, no cached trends: each request does its work
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(f"  {path}: median {statistics.median(times):.1f} ms, "
                  f"p95 {percentile(times, 0.95):.1f} ms, CPU median {statistics.median(cpu):.1f} ms "
                  "(uncached; goal ≤ 20 ms)")  # fmt: skip
        transaction.set_rollback(True)
    print(f"  load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    replay = sub.add_parser("replay")
    replay.add_argument("--items", type=int, default=10_000)
    replay.add_argument("--workers", type=int, default=None)
    for name in ("assign", "pages"):
        mode = sub.add_parser(name)
        mode.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
        mode.add_argument("--pg-url", default=PG_URL)
        mode.add_argument("--sqlite", default=str(SQLITE_1M), help="the SQLite database to copy")
        mode.add_argument("--copy-dir", default=None, help="where to copy the SQLite database")
        mode.add_argument(
            "--private",
            action="store_true",
            help="--sqlite is a copy of your own: use it without copying it again",
        )
    sub.choices["assign"].add_argument("--posts", type=int, default=300)
    sub.choices["assign"].add_argument("--explain", action="store_true")
    sub.choices["assign"].add_argument(
        "--profile",
        choices=("tottime", "cumulative"),
        help="profile the placing (grouping + writes), sorted so",
    )
    sub.choices["pages"].add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    {"replay": bench_replay, "assign": bench_assign, "pages": bench_pages}[args.mode](args)


if __name__ == "__main__":
    main()
