"""Story speed: replaying 10,000 items, and placing a post with 1,000,000 posts in the database.

Usage:
    .venv/bin/python bench/stories_speed.py replay [--items 10000] [--workers N]
    .venv/bin/python bench/stories_speed.py assign --db sqlite|postgres [--posts 300]

`replay` runs `newsrank.stories.replay.replay` (the crawler's StoryAssigner) in a throwaway SQLite
database over ../shared/data/stories/items_dev.jsonl repeated with shifted times and ids (read
there at run time, never copied; without it the sample outlets' articles in newsrank/demo/content
are used), and reports wall and CPU seconds (the worker processes' included).

`assign` works on the shared 1M-post benchmark databases that `newsrank bench populate` builds
(/work/benchdb/1m/ for SQLite, copied first; `newsrank_1m` on PostgreSQL, inside a transaction
rolled back at the end): it adds `--posts` pending posts and times each one's placement
(features, grouping and writes) separately from the one-time warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "stories" / "items_dev.jsonl"
DEMO = ROOT / "newsrank" / "demo" / "content"
SHIFT = timedelta(days=4)  # more than a story's span: each copy makes stories of its own


def setup_django(database_url: str = "", data_dir: str | None = None) -> None:
    os.environ["NEWSRANK_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="newsrank-bench-")
    os.environ["DATABASE_URL"] = database_url
    from newsrank.cli import setup_django as setup

    setup()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    replay = sub.add_parser("replay")
    replay.add_argument("--items", type=int, default=10_000)
    replay.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    {"replay": bench_replay}[args.mode](args)


if __name__ == "__main__":
    main()
