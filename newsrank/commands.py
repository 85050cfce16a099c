"""The `newsrank` subcommands: thin functions that validate, call one domain function, and print."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time

from django.conf import settings
from django.utils import timezone


def run(args) -> int:
    from newsrank.serve import crawler_command, supervise, web_command
    from newsrank.sources.services import default_feeds, load_feeds_if_empty

    added = load_feeds_if_empty(default_feeds())
    if added:
        print(f"newsrank: subscribed to {added} default feeds (see `newsrank sources list`)")
    return supervise(
        {
            "web server": web_command(args.host, args.port, args.workers),
            "crawler": crawler_command(),
        },
        _ready(args.host, args.port),
    )


def web(args) -> int:
    """The web server alone: for several machines, beside `newsrank crawl` elsewhere."""
    from newsrank.serve import supervise, web_command

    return supervise(
        {"web server": web_command(args.host, args.port, args.workers)},
        _ready(args.host, args.port),
    )


def demo(args) -> int:
    from newsrank.demo.server import SampleOutlets
    from newsrank.serve import crawler_command, supervise, web_command
    from newsrank.sources.services import add_feed

    outlets = SampleOutlets(port=args.outlets_port).start()
    for feed in outlets.feeds():
        add_feed(feed.url, feed.outlet, feed.section)
    print(f"newsrank: sample outlets at {outlets.base_url}/ (data in {settings.DATA_DIR})")
    try:
        return supervise(
            {
                "web server": web_command(args.host, args.port, args.workers),
                "crawler": crawler_command(),
            },
            _ready(args.host, args.port),
        )
    finally:
        outlets.stop()


def _ready(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"newsrank: serving at http://{shown}:{port}/  (admin: /admin/, Ctrl-C to stop)"


def crawl(args) -> int:
    from newsrank.ingest.crawler import (
        CrawlerBusy,
        StorageFailed,
        crawl_due,
        run_crawler,
        single_crawler_on_sqlite,
    )

    try:
        with single_crawler_on_sqlite():
            if args.once:
                print(f"newsrank: refreshed {crawl_due()} feeds")
                return 0
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            run_crawler(stop)
    except CrawlerBusy as error:
        print(f"newsrank: {error}", file=sys.stderr)
        return 1
    except StorageFailed as error:
        print(
            f"newsrank: the crawler stopped: the database refused a write ({error}); "
            "is the disk full? What is stored is intact; free space and start it again.",
            file=sys.stderr,
        )
        return 1
    return 0


def sources(args) -> int:
    from newsrank.sources.models import Feed
    from newsrank.sources.services import SourceError, add_feed, remove_feed

    if args.action in ("import", "export"):
        return _opml(args)
    try:
        if args.action == "add":
            feed = add_feed(args.url, args.outlet, args.section)
            print(f"{feed.pk}\t{feed.outlet.name}\t{feed.url}")
        elif args.action == "remove":
            feed = remove_feed(args.id)
            print(f"removed {args.id}\t{feed.outlet.name}\t{feed.url}")
        else:
            print("id\toutlet\tsection\tstatus\tlast success\turl\terror")
            for feed in Feed.objects.select_related("outlet").order_by("pk"):
                success = (
                    feed.last_success_at.isoformat(timespec="seconds")
                    if feed.last_success_at
                    else "-"
                )
                error = feed.error.splitlines()[0] if feed.error else ""
                print(
                    f"{feed.pk}\t{feed.outlet.name}\t{feed.section_label or '-'}\t{feed.status}"
                    f"\t{success}\t{feed.url}\t{error}"
                )
    except SourceError as error:
        print(f"newsrank: {error}", file=sys.stderr)
        return 1
    return 0


def _opml(args) -> int:
    from newsrank.sources.opml import OpmlError
    from newsrank.sources.services import export_opml, import_opml

    try:
        if args.action == "export":
            document = export_opml()
            if args.file:
                with open(args.file, "wb") as file:
                    file.write(document)
            else:
                sys.stdout.buffer.write(document)
            return 0
        with open(args.file, "rb") as file:
            result = import_opml(file.read())
    except OSError as error:
        print(f"newsrank: {args.file}: {error.strerror or error}", file=sys.stderr)
        return 1
    except OpmlError as error:
        print(f"newsrank: {args.file}: {error}", file=sys.stderr)
        return 1
    for url, reason in result.failed:
        print(f"newsrank: not added {url}: {reason}", file=sys.stderr)
    failed = f", {len(result.failed)} not added" if result.failed else ""
    print(
        f"newsrank: added {result.added} feeds, skipped {result.skipped} already subscribed{failed}"
    )
    return 0


def feeds(args) -> int:
    from newsrank.ingest.check import check_source
    from newsrank.ingest.session import open_session

    with open_session() as session:
        for source in args.sources:
            report = check_source(source, verbose=args.verbose, session=session)
            print(json.dumps(report, ensure_ascii=False), flush=True)
    return 0


def search(args) -> int:
    from newsrank.search import backends
    from newsrank.search.query import parse_query

    if args.query == ["reindex"]:
        return _reindex(backends)
    query = parse_query(
        " ".join(args.query),
        date_from=args.date_from,
        date_to=args.date_to,
        title_only=args.title,
        sort=args.sort,
    )
    result = backends.search(query, args.page)
    for post in result.posts:
        if args.json:
            row = {"number": post.number, "title": post.title, "outlet": post.outlet.name,
                   "published_at": post.when.isoformat(), "url": post.url}  # fmt: skip
            print(json.dumps(row, ensure_ascii=False))
        else:  # the time as the site shows it (Asia/Seoul)
            when = timezone.localtime(post.when)
            print(f"{post.number}\t{post.outlet.name}\t{when:%Y-%m-%d %H:%M}\t{post.title}")
    # The count and any message on stderr, with --json too: the rows alone go to stdout.
    more = "" if result.total_is_exact else "+"
    print(f"-- {result.total}{more} results, page {result.page} of {result.pages}"
          + (f"; {result.message}" if result.message else ""), file=sys.stderr)  # fmt: skip
    return 0


def _reindex(backends) -> int:
    """Rebuild the search index, drawing a progress bar on the terminal."""
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        rate = done / max(time.monotonic() - started, 1e-6)
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r[{bar}] {done}/{total} posts, {rate:.0f}/s", end="", file=sys.stderr, flush=True)

    indexed = backends.reindex(progress=progress)
    print(f"\nnewsrank: indexed {indexed} posts in {time.monotonic() - started:.1f} s",
          file=sys.stderr)  # fmt: skip
    return 0


def stories(args) -> int:
    from newsrank.stories.replay import Progress, ReplayError, read_items, replay

    try:
        if args.file == "-":
            rows = read_items(sys.stdin)
        else:
            with open(args.file, encoding="utf-8") as file:
                rows = read_items(file)
        for line in replay(rows, progress=Progress(sys.stderr) if len(rows) >= 1000 else None):
            print(json.dumps(line, ensure_ascii=False))
    except OSError as error:
        print(f"newsrank: {args.file}: {error.strerror or error}", file=sys.stderr)
        return 1
    except (ReplayError, UnicodeDecodeError) as error:
        print(f"newsrank: {args.file}: {error}", file=sys.stderr)
        return 1
    return 0


def extract(args) -> int:
    from newsrank.ingest.articles import extract_source

    status = 0
    for source in args.sources:
        record = extract_source(source, args.url)
        status = status or int("error" in record)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return status


def bench(args) -> int:
    from newsrank.benchdata.populate import PastNow, ProgressBar, populate

    if args.posts < 0:
        print("newsrank: --posts must be 0 or more", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        added = populate(args.posts, progress=ProgressBar())
    except PastNow as error:
        print(f"\nnewsrank: {error}", file=sys.stderr)
        return 1
    print(f"newsrank: added {added:,} benchmark posts in {time.monotonic() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    return 0


def doctor(args) -> int:
    from newsrank import doctor

    checks = doctor.run_checks(outlets=max(args.outlets, 0), analyzer=not args.quick)
    if args.json:
        print(json.dumps(doctor.as_json(checks), ensure_ascii=False, indent=2))
    else:
        print(doctor.render_text(checks))
    return 1 if doctor.failed(checks) else 0


def manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["newsrank manage", *args.args])
    return 0
