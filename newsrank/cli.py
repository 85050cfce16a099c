"""The `newsrank` command: run the site and its crawler, manage and check feeds, extract pages.

These command names and options are a contract operators and scripts rely on (see README).
Every command works on a fresh data folder: it creates and migrates the database itself.
"""

from __future__ import annotations

import argparse
import os
import sys

DEMO_DATA_DIR = "./data-demo"
DEMO_OUTLETS_PORT = 8765


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command == "search" and not any(u.startswith("--") for u in unknown):
        args.query += unknown  # -word excludes a word, as in the search box: not an option
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.print_help()
        sys.exit(2)
    if args.command == "demo":
        # Before Django reads its settings: the demo has its own data and reaches loopback outlets.
        os.environ.setdefault("NEWSRANK_DATA_DIR", DEMO_DATA_DIR)
        allowed = os.environ.get("NEWSRANK_ALLOW_PRIVATE_HOSTS", "")
        os.environ["NEWSRANK_ALLOW_PRIVATE_HOSTS"] = ",".join(
            filter(None, [allowed, "127.0.0.0/8"])
        )
        # Every sample outlet is on 127.0.0.1, so one host's politeness limits would throttle all;
        # and a demo should show new articles within seconds, not at a real outlet's pace.
        os.environ.setdefault("NEWSRANK_MAX_POLL_SECONDS", "15")
        os.environ.setdefault("NEWSRANK_MIN_POLL_SECONDS", "5")
        os.environ.setdefault("NEWSRANK_HOST_DELAY", "0")
        os.environ.setdefault("NEWSRANK_HOST_CONCURRENCY", "8")
    if args.command == "stories":
        # A replay writes rows: it gets a throwaway SQLite data folder, removed on exit.
        import atexit
        import shutil
        import tempfile

        throwaway = tempfile.mkdtemp(prefix="newsrank-replay-")
        atexit.register(shutil.rmtree, throwaway, ignore_errors=True)
        os.environ["NEWSRANK_DATA_DIR"], os.environ["DATABASE_URL"] = throwaway, ""
    if args.command == "doctor":
        # Not setup_django(): the doctor loads the settings and checks the migrations itself.
        from newsrank import commands

        sys.exit(commands.doctor(args))
    setup_django()
    from newsrank import commands

    sys.exit(getattr(commands, args.command)(args) or 0)


def setup_django(migrate: bool = True) -> None:
    """Configure Django and bring the database schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")
    import django
    from django.core.management import call_command

    from newsrank.config import ConfigError

    try:
        django.setup()
    except ConfigError as error:
        sys.exit(f"newsrank: configuration error: {error}")
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The web server's options, alike for run, web and demo."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=2, help="web worker processes (default 2)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsrank", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _serve_arguments(
        sub.add_parser("run", help="serve the site and run the crawler (Ctrl-C stops both)")
    )
    _serve_arguments(
        sub.add_parser("web", help="serve the site alone, without the crawler (see docs/deploy.md)")
    )
    demo = sub.add_parser(
        "demo", help="like run, but crawls the sample outlets served on 127.0.0.1"
    )
    _serve_arguments(demo)
    demo.add_argument(
        "--outlets-port",
        type=int,
        default=DEMO_OUTLETS_PORT,
        help=f"port of the sample outlets (default {DEMO_OUTLETS_PORT})",
    )

    crawl = sub.add_parser("crawl", help="run the crawler alone")
    crawl.add_argument("--once", action="store_true", help="poll every due feed once, then exit")

    sources = sub.add_parser("sources", help="add, list or remove the feeds newsrank polls")
    actions = sources.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="subscribe to a feed URL")
    add.add_argument("url")
    add.add_argument("--outlet", help="the outlet's name (default: the feed's host)")
    add.add_argument("--section", default="", help="the outlet's section label, e.g. 정치")
    actions.add_parser("list", help="list feeds with their status")
    remove = actions.add_parser("remove", help="unsubscribe a feed by id (its posts stay)")
    remove.add_argument("id", type=int)
    opml_in = actions.add_parser(
        "import", help="subscribe to the feeds of an OPML file (feeds already there are skipped)"
    )
    opml_in.add_argument("file", metavar="FILE.opml")
    opml_out = actions.add_parser("export", help="write every feed as OPML 2.0")
    opml_out.add_argument(
        "file", nargs="?", metavar="FILE", help="where to write (default: standard output)"
    )

    feeds = sub.add_parser("feeds", help="check feeds as the crawler would see them")
    feed_actions = feeds.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = feed_actions.add_parser(
        "check", help="report on feed URLs or saved feed files, one JSON object per line"
    )
    check.add_argument("sources", nargs="+", metavar="SOURCE", help="a feed URL or a saved file")
    check.add_argument(
        "--verbose", action="store_true", help="add the entries (url, title, published_at)"
    )

    search = sub.add_parser(  # no -h: "-hbm" excludes hbm (`main`)
        "search",
        help='search the posts ("newsrank search reindex" rebuilds the index)',
        add_help=False,
    )
    search.add_argument("--help", action="help", help="show this help message and exit")
    search.add_argument("query", nargs="*", help='the query, as in the search box, or "reindex"')
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    search.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    search.add_argument("--title", action="store_true", help="search titles only")
    search.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    search.add_argument("--json", action="store_true", help="one JSON object per result")

    extract = sub.add_parser(
        "extract", help="extract articles from URLs or saved pages as JSON lines"
    )
    extract.add_argument("--url", help="the original address of a saved page")
    extract.add_argument(
        "sources", nargs="+", metavar="SOURCE", help="a URL or a saved page's path"
    )

    stories = sub.add_parser("stories", help="replay feed items through story assignment")
    story_actions = stories.add_subparsers(dest="action", metavar="ACTION", required=True)
    replay = story_actions.add_parser(
        "replay",
        help="group the items of a JSON Lines file (id, title, text, outlet, published_at, url) "
        'in a throwaway database; prints {"id": …, "story": …} per item',
    )
    replay.add_argument("file", metavar="FILE.jsonl", help='a JSON Lines file, or "-" for stdin')

    bench = sub.add_parser("bench", help="benchmark data: populate the database with N posts")
    bench_actions = bench.add_subparsers(dest="action", metavar="ACTION", required=True)
    populate = bench_actions.add_parser(
        "populate", help="add generated posts until there are N (resumable; never doubles)"
    )
    populate.add_argument("--posts", type=int, required=True, metavar="N")

    doctor = sub.add_parser(
        "doctor", help="check the settings, database, cache, analyzer, disk and a few outlets"
    )
    doctor.add_argument("--json", action="store_true", help="one JSON object with every check")
    doctor.add_argument(
        "--outlets", type=int, default=3, metavar="N", help="outlet hosts to reach (default 3)"
    )
    doctor.add_argument(
        "--quick", action="store_true", help="skip loading the Korean analyzer (~7 s, 440 MB)"
    )

    manage = sub.add_parser("manage", help="run a Django management command, e.g. createsuperuser")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser
