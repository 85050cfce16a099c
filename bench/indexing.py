"""Indexing throughput through the crawler's path (`index_pending`) on real Korean articles.

Usage:
    .venv/bin/python bench/indexing.py                 # SQLite in a temp folder, 3 runs, best kept
    .venv/bin/python bench/indexing.py --runs 1 --profile 30   # and the 30 costliest functions
    .venv/bin/python bench/indexing.py --items FILE.jsonl       # other articles (title, text)

The 658 articles of ../shared/data/stories/items_dev.jsonl are read where they lie (never copied
into the project) and stored as new posts; each run clears the index and the analyzer's caches of
words and of long nouns' pieces (as in a freshly started crawler, so the first posts pay for the
vocabulary), marks every post pending and calls `index_pending(100)` until nothing is left. The figure is posts per
CPU-second of this process (Kiwi runs in this thread), so other jobs on the machine do not change
it; wall time is printed beside it. Kiwi's model is loaded before the clock starts.

Also printed: a digest of the terms indexed (every entry's fields), the same from run to run and
from commit to commit unless the analyzer's output changed (then ANALYZER_VERSION must change).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import hashlib
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_ITEMS = ROOT.parent / "shared" / "data" / "stories" / "items_dev.jsonl"


def setup_django() -> None:
    data_dir = tempfile.mkdtemp(prefix="newsrank-bench-indexing-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["NEWSRANK_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def store_items(path: Path) -> int:
    """The articles as posts of one outlet; returns their characters (title and text)."""
    from newsrank.board.models import Post
    from newsrank.sources.models import Outlet

    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    outlet = Outlet.objects.create(name="벤치신문", homepage="https://real.example/")
    Post.objects.bulk_create(
        Post(outlet=outlet, url=f"https://real.example/{i}", title=item["title"],
             body_text=item["text"], story_pending=False, search_pending=True)
        for i, item in enumerate(items)
    )  # fmt: skip
    return sum(len(item["title"]) + len(item["text"]) for item in items)


def one_run(profiler: cProfile.Profile | None) -> tuple[int, float, float]:
    """(posts, wall seconds, CPU seconds) of indexing every post from a cold word cache."""
    from django.db import connection

    from newsrank.board.models import Post
    from newsrank.search import analyzer
    from newsrank.search.backends import index_pending

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry")
    Post.objects.update(search_pending=True)
    analyzer._word_cache.clear()
    analyzer.noun_pieces.cache_clear()  # the long nouns' pieces, cached alike
    done = 0
    if profiler:
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    while indexed := index_pending(100):
        done += indexed
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        profiler.disable()
    return done, wall, cpu


def terms_digest() -> str:
    from django.db import connection

    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT post_id, title, title_extra, body, body_extra FROM search_entry ORDER BY post_id"
        )
        for row in cursor.fetchall():
            digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default=str(REAL_ITEMS), help="JSON lines (title, text)")
    parser.add_argument("--runs", type=int, default=3, help="runs; the best CPU figure is kept")
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="cProfile: print the N costliest"
    )
    args = parser.parse_args()

    setup_django()
    from newsrank.search import analyzer

    chars = store_items(Path(args.items))
    analyzer._get_kiwi().tokenize("워밍업")  # the model's load is no indexing
    profiler = cProfile.Profile() if args.profile else None
    best = None
    digests = set()
    for run in range(args.runs):
        done, wall, cpu = one_run(profiler)
        digests.add(terms_digest())
        print(
            f"run {run + 1}: {done} posts ({chars / done:,.0f} chars each), "
            f"{done / cpu:,.1f} posts per CPU-second, {done / wall:,.1f} posts/s wall "
            f"({cpu:.2f} s CPU, {wall:.2f} s wall, {len(analyzer._word_cache):,} words cached)"
        )
        if best is None or done / cpu > best:
            best = done / cpu
    print(
        f"indexing through index_pending, word cache cold, SQLite: {best:,.1f} posts per "
        f"CPU-second (best of {args.runs}); analyzer version {analyzer.ANALYZER_VERSION}, "
        f"terms digest {' '.join(sorted(digests))}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
