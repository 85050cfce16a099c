"""Search at the backend level: indexing throughput and query latency per query class.

Usage:
    .venv/bin/python bench/search.py                      # 10,000 posts on SQLite (a temp folder)
    .venv/bin/python bench/search.py --db postgres        # on PostgreSQL (database newsrank_bench_search,
                                                          # dropped and created; --pg-url to change)
    .venv/bin/python bench/search.py --posts 1000000

Posts are generated from the sample articles' vocabulary (newsrank/demo/content): a sample title
and 3–20 sample sentences (about 300–2,500 characters, as Korean news bodies run), plus three
made-up names drawn from a Zipf distribution over 100,000 of them, so that rare terms exist as in
real news. Kiwi analysis is measured on `--analyze` such posts; for the rest, each title and
sentence is analyzed once and the post's terms are put together from those, so that a million
posts can be written in minutes. Figures printed:

- analysis: posts/s through Kiwi (`entry_fields`), one core;
- index write: posts/s writing entries (FTS5 / tsvector) in transactions of 1,000;
- index size per post (the entry table and its full-text index);
- p50/p95 of `search()` (parse, Kiwi on the query, SQL, loading posts, highlighting) per class.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_ITEMS = ROOT.parent / "shared" / "data" / "stories" / "items_dev.jsonl"
PG_URL = "postgres://postgres@127.0.0.1:5432/newsrank_bench_search"


def setup_django(db: str, pg_url: str, keep: str | None = None) -> None:
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        if any(Path(keep).glob("*.sqlite3")):
            raise SystemExit(f"{keep} already holds a database")
    os.environ["NEWSRANK_DATA_DIR"] = keep or tempfile.mkdtemp(prefix="newsrank-bench-")
    if db == "postgres":
        from urllib.parse import urlsplit

        import psycopg

        url = urlsplit(pg_url)
        name = url.path.lstrip("/")
        with psycopg.connect(
            host=url.hostname,
            port=url.port or 5432,
            user=url.username,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generator_class():
    """bench's Generator: newsrank.benchdata's, plus whole posts of 3–20 random sentences.

    Imported late: the analyzer it loads needs the settings `setup_django` chose.
    """
    from newsrank.benchdata.text import Generator as Base

    class Generator(Base):
        def post_text(self) -> tuple[str, str, list[int], int]:
            title_index = self.rng.randrange(len(self.titles))
            picked = self.rng.sample(self.fillers, self.rng.randint(3, 20))
            names = [self.name() for _ in range(3)]
            title = f"{self.titles[title_index]} {names[0]}"
            body = " ".join(self.sentences[i] for i in picked) + " " + " ".join(names)
            return title, body, picked, title_index

        def fields(self, title_index, picked, title: str, body: str) -> dict[str, str]:
            names = title.rsplit(" ", 1)[1:] + body.rsplit(" ", 3)[1:]
            title_doc = self.title_docs[title_index]
            parts = [t for i in picked for t in self.sentence_docs[i].parts] + names[1:]
            extras = [t for i in picked for t in self.sentence_docs[i].extras]
            return {
                "title": " ".join(title_doc.parts + names[:1]),
                "title_extra": " ".join(title_doc.extras),
                "body": " ".join(parts),
                "body_extra": " ".join(extras),
            }

    return Generator


class QueryMaker:
    """Queries of each class, made from the sample titles' own terms (what readers search for)."""

    def __init__(self, generator, rng):
        self.generator = generator
        self.rng = rng

    def _title_doc(self):
        return self.generator.title_docs[self.rng.randrange(len(self.generator.title_docs))]

    def words(self, k: int) -> str:
        doc = self._title_doc()
        terms = [t for t in doc.parts if len(t) > 1 and not t.isdigit()] or ["태풍"]
        return " ".join(self.rng.sample(terms, min(k, len(terms))))

    def phrase(self) -> str:
        doc = self._title_doc()
        if len(doc.parts) < 2:
            return self.words(1)
        i = self.rng.randrange(len(doc.parts) - 1)
        return f'"{doc.parts[i]} {doc.parts[i + 1]}"'


def copy_entries(cursor, backend, posts, fields) -> None:
    """The rows `backend.write` would insert, by COPY (a bulk load of new entries)."""
    from newsrank.search.analyzer import ANALYZER_VERSION

    columns = "post_id, title, title_extra, body, body_extra, analyzer, document"
    with cursor.cursor.copy(f"COPY search_entry ({columns}) FROM STDIN") as copy:
        for post, entry in zip(posts, fields, strict=True):
            copy.write_row(
                (
                    post.number,
                    *entry.values(),
                    ANALYZER_VERSION,
                    backend.tsvector(entry, post.number, post.outlet_id),
                )
            )


def index_real_posts(path: Path, outlet) -> None:
    """Indexing through the crawler's path (`index_pending`) on real Korean articles, cold cache.

    The articles are read where they lie (never copied into the project) and stored as new posts;
    the word cache starts empty, as in a freshly started crawler, so the first posts pay for the
    vocabulary. Printed: posts/s by the wall clock and by this process's CPU time (one core).
    """
    from newsrank.board.models import Post
    from newsrank.search import analyzer
    from newsrank.search.backends import index_pending

    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    Post.objects.bulk_create(
        Post(outlet=outlet, url=f"https://real.example/{i}", title=item["title"],
             body_text=item["text"], story_pending=False)
        for i, item in enumerate(items)
    )  # fmt: skip
    analyzer._get_kiwi().tokenize("워밍업")  # the model's load is no indexing
    analyzer._word_cache.clear()
    chars = sum(len(item["title"]) + len(item["text"]) for item in items)
    wall, cpu = time.perf_counter(), time.process_time()
    done = 0
    while True:
        indexed = index_pending(100)
        if not indexed:
            break
        done += indexed
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"indexing real articles through index_pending ({done} posts, {chars / done:,.0f} chars "
        f"each, word cache cold): {done / wall:,.0f} posts/s wall, {done / cpu:,.0f} posts/s per "
        f"CPU-second of this process ({len(analyzer._word_cache):,} distinct words cached)"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--queries", type=int, default=200, help="queries per class")
    parser.add_argument("--analyze", type=int, default=300, help="posts run through Kiwi")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--copy",
        action="store_true",
        help="PostgreSQL: past 20,000 posts write the entries by COPY (same rows, faster)",
    )
    parser.add_argument(
        "--real-items",
        default=str(REAL_ITEMS),
        help="JSON lines of real articles (title, text) for indexing through index_pending",
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="SQLite: write the database into DIR and keep it"
    )
    args = parser.parse_args()

    setup_django(args.db, args.pg_url, args.keep)
    from django.db import connection, transaction

    from newsrank.board.models import Post
    from newsrank.search.backends import entry_fields, get_backend, search
    from newsrank.search.query import parse_query
    from newsrank.sources.models import Outlet

    rng = random.Random(args.seed)
    started = time.perf_counter()
    generator = generator_class()(rng)
    print(f"database: {connection.vendor}, posts: {args.posts:,}")
    print(
        f"vocabulary: {len(generator.titles)} titles, {len(generator.sentences)} sentences "
        f"(analyzed in {time.perf_counter() - started:.1f} s)"
    )

    # Kiwi throughput on whole generated posts.
    samples = [generator.post_text() for _ in range(args.analyze)]
    chars = sum(len(t) + len(b) for t, b, _, _ in samples)
    started = time.process_time()  # CPU time: the figure is per core, whatever else runs
    for title, body, _, _ in samples:
        entry_fields(Post(title=title, body_text=body))
    seconds = time.process_time() - started
    analysis_rate = args.analyze / seconds
    print(
        f"analysis (Kiwi, per CPU-second; these posts reuse the sample sentences, so the word "
        f"cache is warm): {analysis_rate:,.0f} posts/s, {chars / seconds:,.0f} chars/s, "
        f"{chars / args.analyze:,.0f} chars/post on average"
    )

    outlets = [
        Outlet.objects.create(name=f"벤치신문{i}", homepage=f"https://b{i}.example/")
        for i in range(20)
    ]
    now = datetime.now(UTC)
    backend = get_backend()
    write_seconds = 0.0
    store_seconds = 0.0
    written = 0
    batch = 1_000
    for start in range(0, args.posts, batch):
        count = min(batch, args.posts - start)
        texts = [generator.post_text() for _ in range(count)]
        t0 = time.perf_counter()
        posts = Post.objects.bulk_create(
            Post(
                outlet=outlets[(start + i) % len(outlets)],
                url=f"https://bench.example/{start + i}",
                title=title,
                body_text=body,
                published_at=now - timedelta(days=365 * (1 - (start + i) / args.posts)),
                search_pending=False,
                story_pending=False,
            )
            for i, (title, body, _, _) in enumerate(texts)
        )
        if posts[0].number is None:  # backends that do not return keys
            posts = list(Post.objects.order_by("-number")[:count])[::-1]
        t1 = time.perf_counter()
        fields = [generator.fields(ti, picked, title, body) for title, body, picked, ti in texts]
        t2 = time.perf_counter()
        bulk = args.copy and connection.vendor == "postgresql" and start >= 20 * batch
        with transaction.atomic(), connection.cursor() as cursor:
            if bulk:
                copy_entries(cursor, backend, posts, fields)
            else:
                for post, entry in zip(posts, fields, strict=True):
                    backend.write(cursor, post.number, post.outlet_id, entry)
        t3 = time.perf_counter()
        store_seconds += t1 - t0
        if not bulk:
            write_seconds += t3 - t2
            written += count
        if (start // batch) % 50 == 0 or start + count == args.posts:
            print(
                f"  {start + count:,} posts, index write {written / write_seconds:,.0f} posts/s",
                file=sys.stderr,
            )
    write_rate = written / write_seconds
    print(
        f"index write (Backend.write, {written:,} posts): {write_rate:,.0f} posts/s"
        f"{' (the rest by COPY)' if written < args.posts else ''} (storing the posts themselves: "
        f"{args.posts / store_seconds:,.0f} posts/s)"
    )
    print(f"indexing end to end, one core: {1 / (1 / analysis_rate + 1 / write_rate):,.0f} posts/s")

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_total_relation_size('search_entry')")
        else:
            cursor.execute("ANALYZE")
            try:
                cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'")
            except Exception:
                cursor.execute("SELECT NULL")
        size = cursor.fetchone()[0]
    if size:
        print(f"index size: {size / args.posts:,.0f} bytes/post ({size / 2**20:,.1f} MiB in all)")
    if args.real_items and Path(args.real_items).exists():
        index_real_posts(Path(args.real_items), outlets[0])
    if not args.queries:
        return

    queries = QueryMaker(generator, rng)  # query classes from the titles' own terms
    since = (now - timedelta(days=30)).date().isoformat()
    classes = {
        "1 term": lambda: parse_query(queries.words(1)),
        "2 terms": lambda: parse_query(queries.words(2)),
        "3 terms": lambda: parse_query(queries.words(3)),
        "phrase": lambda: parse_query(queries.phrase()),
        "rare name": lambda: parse_query(generator.name()),
        "filtered (outlet, 30 days)": lambda: parse_query(
            f"{queries.words(1)} outlet:벤치신문{rng.randrange(20)}", date_from=since
        ),
        "1 term, by date": lambda: parse_query(queries.words(1), sort="date"),
    }
    for _ in range(20):  # warm caches and the query analyzer
        search(classes["2 terms"]())
    print()
    print(
        f"| query class ({args.posts:,} posts, {connection.vendor}) | p50 ms | p95 ms | max ms | mean total |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, make in classes.items():
        timings, totals = [], []
        for _ in range(args.queries):
            query = make()
            t0 = time.perf_counter()
            result = search(query)
            timings.append((time.perf_counter() - t0) * 1000)
            totals.append(result.total)
        print(
            f"| {label} | {statistics.median(timings):.1f} | {percentile(timings, 0.95):.1f} | "
            f"{max(timings):.1f} | {statistics.mean(totals):,.0f} |"
        )


if __name__ == "__main__":
    main()
