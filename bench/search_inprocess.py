"""Search in-process: `search()` per query class of bench/search_http.py, without HTTP.

Usage (against a populated database, as for bench/search_http.py):
    .venv/bin/python bench/search_inprocess.py --data-dir /work/benchdb/1m
    .venv/bin/python bench/search_inprocess.py --database-url postgres://postgres@127.0.0.1:5432/1m \\
        --margin 1.5 --classes "filter (outlet, 30 days)" "3 terms"

The same queries as bench/search_http.py (same seed, same classes), each class run twice and the
second run given: p50 / p95 ms of `search()` (parsing, Kiwi on the query, SQL, loading the posts,
highlighting), the ms of its SQL statements (their `execute`; SQLite steps its rows in `fetchall`,
so there the whole search is the figure), and the median `total` (how many candidates a search
ranked). `--margin` sets PostgreSQL's window MARGIN (`PostgresBackend.MARGIN`) for an A/B run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_http import database_facts, percentile, query_classes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="NEWSRANK_DATA_DIR of a SQLite database")
    parser.add_argument("--database-url", help="a PostgreSQL DATABASE_URL")
    parser.add_argument("--queries", type=int, default=60, help="searches per class")
    parser.add_argument("--classes", nargs="*", help="only these classes (their labels)")
    parser.add_argument("--margin", type=float, help="PostgreSQL's window MARGIN")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if bool(args.data_dir) == bool(args.database_url):
        parser.error("give --data-dir (SQLite) or --database-url (PostgreSQL)")
    if args.data_dir:
        os.environ["NEWSRANK_DATA_DIR"] = args.data_dir
    os.environ["DATABASE_URL"] = args.database_url or ""

    posts, outlets, newest = database_facts()
    from django.db import connection

    from newsrank.search import backends
    from newsrank.search.query import parse_query

    if args.margin is not None:
        backends.PostgresBackend.MARGIN = args.margin
    classes = query_classes(random.Random(args.seed), outlets, newest)
    print(f"database: {connection.vendor}, posts: {posts:,}, {args.queries} searches per class,"
          f" MARGIN {backends.PostgresBackend.MARGIN}")  # fmt: skip
    print("| class | search p50 / p95 ms | SQL p50 / p95 ms | candidates (median total) |")
    print("| --- | ---: | ---: | ---: |")
    sql_ms = 0.0

    def timed(execute, sql, params, many, context):
        nonlocal sql_ms
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms += (time.perf_counter() - started) * 1000

    for label, make in classes.items():
        if args.classes and label not in args.classes:
            continue
        requests = [make() for _ in range(args.queries)]
        for _ in range(2):  # the second run is given
            wall, sql, totals = [], [], []
            with connection.execute_wrapper(timed):
                for params in requests:
                    query = parse_query(
                        params["q"], date_from=params.get("from"), sort=params.get("sort", "")
                    )
                    sql_ms = 0.0
                    started = time.perf_counter()
                    result = backends.search(query)
                    wall.append((time.perf_counter() - started) * 1000)
                    sql.append(sql_ms)
                    totals.append(result.total)
        print(
            f"| {label} | {statistics.median(wall):.1f} / {percentile(wall, 0.95):.1f}"
            f" | {statistics.median(sql):.1f} / {percentile(sql, 0.95):.1f}"
            f" | {statistics.median(totals):g} |"
        )


if __name__ == "__main__":
    main()
