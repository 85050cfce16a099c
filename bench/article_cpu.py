"""CPU per article, end to end without the network: decode, extract, clean, sanitize, store.

Usage: .venv/bin/python bench/article_cpu.py [--runs 5]

Input: every article page of the sample outlets (newsrank.demo.server, its clock set far ahead so
all are published; each page's bytes fetched once from loopback before anything is timed); pages
of bench/world.py (daily papers' match no site rule, so they take the generic extractor and
trafilatura; regional papers' take the ND Soft rule); and the real pages in ../shared/data/pages
when that folder is there. Each article is timed `--runs` times (after one untimed pass that warms
imports and caches) with `time.process_time`, from its bytes to a committed post in a throwaway
SQLite database:

    decode_html → extract_article (site rules, trafilatura fallback, Korean cleanup)
    → save_article (post fields, sanitize_html, INSERT in a transaction)

The post is deleted between runs (untimed), so every run inserts. The article's figure is the
median of its runs; the table gives the median and p95 over articles. Beside it, trafilatura
alone (`trafilatura.extract(html, output_format="xml")`) on the same decoded text. The process
pins itself to CPU 0 (sched_setaffinity, as `taskset -c 0` would) so it runs on one core.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_PAGES = ROOT.parent / "shared" / "data" / "pages"


@dataclass
class Case:
    group: str
    url: str
    content: bytes
    content_type: str | None
    ours: list[float] = field(default_factory=list)  # seconds of CPU, one per run
    alone: list[float] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per article (default 5)")
    parser.add_argument("--pages", type=Path, default=REAL_PAGES, help="real pages folder")
    parser.add_argument(
        "--world", type=int, default=20, help="bench/world.py pages per kind (default 20)"
    )
    args = parser.parse_args()

    pinned = pin_to_one_core()
    data = tempfile.TemporaryDirectory(prefix="article-cpu-")
    os.environ["NEWSRANK_DATA_DIR"] = data.name
    os.environ["DATABASE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsrank.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)

    cases = sample_cases() + world_cases(args.world) + real_cases(args.pages)
    measure(cases, args.runs)
    report(cases, args.runs, pinned)
    data.cleanup()
    return 0


def pin_to_one_core() -> str:
    try:
        os.sched_setaffinity(0, {0})
    except (AttributeError, OSError) as error:
        return f"not pinned ({error}); figures are per-process CPU time all the same"
    return "pinned to CPU 0"


def sample_cases() -> list[Case]:
    """Each sample outlet article's bytes, fetched once from the demo server."""
    import httpx

    from newsrank.demo.server import SampleOutlets

    far = datetime.now(UTC) + timedelta(days=3650)
    with SampleOutlets(clock=lambda: far, start=datetime.now(UTC)) as outlets:
        articles = outlets.articles()
        with httpx.Client(timeout=10) as client:
            cases = []
            for article in articles:
                response = client.get(article.url)
                response.raise_for_status()
                cases.append(
                    Case(
                        f"sample: {article.outlet}",
                        article.url,
                        response.content,
                        response.headers.get("content-type"),
                    )
                )
    return cases


def world_cases(count: int) -> list[Case]:
    """Generated pages of bench/world.py: daily papers' and regional papers', `count` of each.

    Daily papers' URLs match no site rule (the generic extractor and trafilatura); regional
    papers' match the ND Soft `articleView.html?idxno=` rule.
    """
    sys.path.insert(0, str(ROOT / "bench"))
    from world import World

    world = World(horizon=0)
    cases = []
    for kind, label in (("daily", "generic path"), ("specialist", "ND Soft rule")):
        outlets = [o for o in world.outlets if o.klass.name == kind]
        for n in range(count):
            outlet = outlets[n % len(outlets)]
            article = outlet.article(len(outlet.times) - 1 - n // len(outlets))
            page = world.page(article)
            cases.append(
                Case(f"world: {kind} ({label})", article.url, page, "text/html; charset=utf-8")
            )
    return cases


def real_cases(pages: Path) -> list[Case]:
    """The real pages named in `expected.json`, or none (with a message) when absent."""
    import json

    listing = pages / "expected.json"
    if not listing.is_file():
        print(f"No real pages at {pages} (expected.json missing): sample outlets only.")
        return []
    return [
        Case(
            f"real: {item['url'].split('/')[2]}",
            item["url"],
            (pages / item["file"]).read_bytes(),
            None,
        )
        for item in json.loads(listing.read_text(encoding="utf-8"))
    ]


def measure(cases: list[Case], runs: int) -> None:
    import trafilatura

    from newsrank.board.models import Post
    from newsrank.ingest.articles import save_article
    from newsrank.ingest.charset import decode_html
    from newsrank.ingest.extract import extract_article
    from newsrank.ingest.feeds import Entry
    from newsrank.sources.services import add_feed

    feed = add_feed("http://bench.example/rss.xml", "벤치마크")

    def end_to_end(case: Case) -> None:
        html = decode_html(case.content, case.content_type)
        article = extract_article(html, case.url)
        entry = Entry(case.url, case.url, "", None, None, "", [], [])
        save_article(feed, entry, case.url, article, case.url)

    for run in range(runs + 1):  # run 0 warms imports, regexes and caches; not kept
        for case in cases:
            started = time.process_time()
            end_to_end(case)
            spent = time.process_time() - started
            Post.objects.all().delete()
            html = decode_html(case.content, case.content_type)
            started = time.process_time()
            trafilatura.extract(html, url=case.url, output_format="xml")
            alone = time.process_time() - started
            if run:
                case.ours.append(spent)
                case.alone.append(alone)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def report(cases: list[Case], runs: int, pinned: str) -> None:
    print(
        f"CPU per article, {len(cases)} pages × {runs} runs, {pinned}; "
        "per article the median of its runs; p95 nearest-rank"
    )
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.group, []).append(case)
    groups["all sample outlets"] = [c for c in cases if c.group.startswith("sample")]
    groups["all real pages"] = [c for c in cases if c.group.startswith("real")]
    groups["all world pages"] = [c for c in cases if c.group.startswith("world")]
    groups["all"] = cases
    rows = []
    for name, members in groups.items():
        if not members:
            continue
        ours = [statistics.median(c.ours) * 1000 for c in members]
        alone = [statistics.median(c.alone) * 1000 for c in members]
        size = statistics.median(len(c.content) for c in members) / 1000
        rows.append(
            [
                name,
                str(len(members)),
                f"{size:.0f} kB",
                f"{statistics.median(ours):.1f}",
                f"{percentile(ours, 0.95):.1f}",
                f"{statistics.median(alone):.1f}",
                f"{percentile(alone, 0.95):.1f}",
            ]
        )
    header = ["pages", "n", "median size", "newsrank median ms", "p95 ms"]
    header += ["trafilatura median ms", "p95 ms"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    overall = statistics.median(statistics.median(c.ours) * 1000 for c in cases)
    print(f"\ngoal ≤ 40 ms median end to end: {'met' if overall <= 40 else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
