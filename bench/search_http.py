"""Search through the HTTP endpoints: /search and /api/search served by gunicorn as `newsrank web`
serves them, timed from a client on loopback, and server-side from gunicorn's access log, with
the CPU time of the serving thread and (PostgreSQL) of the database's backends.

Usage (against a database that holds posts and their search entries, e.g. one that
`bench/search.py --keep DIR` or `newsrank bench populate` wrote):
    .venv/bin/python bench/search_http.py --data-dir /work/benchdb/1m             # SQLite
    .venv/bin/python bench/search_http.py --database-url postgres://postgres@127.0.0.1:5432/newsrank_1m

The server is `newsrank.serve.web_command` (gunicorn, gthread, 2 workers × 4 threads) with an
access log whose %(D)s gives the server-side time of each request. No crawler runs. The API rate
limit is turned off for the run (NEWSRANK_API_RATE_LIMIT=off), and every URL carries a unique
`_b` parameter, so that the page cache (keyed by URL) never answers: each request runs the search;
the script checks the `X-Newsrank-Cache: miss` header. Requests go one at a time on a kept-alive
connection, so the figures are latency, not throughput.

Query classes, from the sample titles' terms (what readers search for): 1, 2 and 3 terms, a
two-term phrase, a term with a filter (an outlet and the last 30 days), and a term sorted by date.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_facts() -> tuple[int, list[str], object]:
    """(posts, outlet names, the newest post's date) of the database the server will use."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")
    import django

    django.setup()
    from django.db.models import Max

    from newsrank.board.models import Post
    from newsrank.sources.models import Outlet

    newest = Post.objects.aggregate(Max("published_at"))["published_at__max"]
    names = list(Outlet.objects.order_by("pk").values_list("name", flat=True)[:50])
    return Post.objects.count(), names, newest


def query_classes(rng: random.Random, outlets: list[str], newest) -> dict:
    """Each query class (its label) with a function giving one request's parameters, drawn from
    the sample titles' terms (bench/search.py's `QueryMaker`); `outlets` and `newest` as
    `database_facts` gives them. bench/search_inprocess.py times the same classes in-process."""
    from search import QueryMaker, generator_class  # bench/search.py

    generator = generator_class()(random.Random(5))  # seed 5: the names bench/search.py wrote
    queries = QueryMaker(generator, rng)
    since = ((newest - timedelta(days=30)).date().isoformat()) if newest else ""
    return {
        "1 term": lambda: {"q": queries.words(1)},
        "2 terms": lambda: {"q": queries.words(2)},
        "3 terms": lambda: {"q": queries.words(3)},
        "phrase": lambda: {"q": queries.phrase()},
        "filter (outlet, 30 days)": lambda: {
            "q": f"{queries.words(1)} outlet:{rng.choice(outlets)}",
            "from": since,
        },
        "1 term, by date": lambda: {"q": queries.words(1), "sort": "date"},
        # 1,000 characters that fit gunicorn's 4,094-byte request line once percent-encoded
        # (a longer line is refused with 414 before Django sees it).
        "1,000 characters of noise": lambda: {
            "q": "".join(rng.choice("가나ㅋ" if i % 4 == 0 else "ab1 -.") for i in range(1000))
        },
    }


# gunicorn hooks: the CPU time of the thread that served each request (Django, Kiwi, SQLite; not
# PostgreSQL's own processes), which a busy machine does not inflate as it does the wall clock.
HOOKS = """
import time, urllib.parse

def pre_request(worker, req):
    req.bench_cpu = time.thread_time()

def post_request(worker, req, environ, resp):
    tag = urllib.parse.parse_qs(req.query or "").get("_b")
    if tag:
        with open({path!r}, "a") as log:
            log.write(f"{{tag[0]}} {{(time.thread_time() - req.bench_cpu) * 1000:.3f}}\\n")
"""


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    from newsrank.serve import web_command

    hooks = log.with_name("hooks.py")
    hooks.write_text(HOOKS.format(path=str(log.with_name("cpu.log"))), encoding="utf-8")
    command = web_command("127.0.0.1", port, workers) + [
        "--config",
        str(hooks),
        "--access-logfile",
        str(log),
        "--access-logformat",
        "%(U)s?%(q)s %(s)s %(D)s",
    ]
    server = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/search?q=")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def server_times(log: Path) -> dict[str, float]:
    """Milliseconds gunicorn spent on each request, by its unique `_b` value."""
    times = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            url, _status, micros = line.rsplit(" ", 2)
        except ValueError:
            continue
        tag = urllib.parse.parse_qs(url.partition("?")[2]).get("_b")
        if tag:
            times[tag[0]] = int(micros) / 1000
    return times


def cpu_times(log: Path) -> dict[str, float]:
    path = log.with_name("cpu.log")
    if not path.exists():
        return {}
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return {tag: float(ms) for tag, ms in lines}


def postgres_cpu() -> dict[int, float] | None:
    """CPU seconds used so far by each PostgreSQL backend serving this database, but ours.

    Read from /proc (the server runs on this machine), so that the figures can say how much of
    a request's time PostgreSQL spent working, which a busy machine's wall clock does not.
    """
    import django.db

    if django.db.connection.vendor != "postgresql":
        return None
    with django.db.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone, or not on this machine
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two `postgres_cpu` readings (a backend that ended between is lost)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="NEWSRANK_DATA_DIR of a SQLite database")
    parser.add_argument("--database-url", help="a PostgreSQL DATABASE_URL")
    parser.add_argument("--queries", type=int, default=100, help="requests per class and endpoint")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if bool(args.data_dir) == bool(args.database_url):
        parser.error("give --data-dir (SQLite) or --database-url (PostgreSQL)")
    os.environ["NEWSRANK_DATA_DIR"] = args.data_dir or tempfile.mkdtemp(prefix="newsrank-http-")
    os.environ["DATABASE_URL"] = args.database_url or ""
    os.environ["NEWSRANK_API_RATE_LIMIT"] = "off"

    posts, outlets, newest = database_facts()
    classes = query_classes(random.Random(args.seed), outlets, newest)

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="newsrank-http-log-")) / "access.log"
    server = start_server(port, args.workers, log)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    counter = 0

    def get(path: str, params: dict) -> tuple[str, float, str]:
        nonlocal counter
        counter += 1
        tag = f"{counter}"
        url = path + "?" + urllib.parse.urlencode({**params, "_b": tag})
        started = time.perf_counter()
        connection.request("GET", url)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
        return tag, elapsed, response.getheader("X-Newsrank-Cache", "")

    try:
        for _ in range(20):  # warm both workers: Kiwi loads on the first query of each
            for path in ("/search", "/api/search"):
                get(path, classes["2 terms"]())
        measured: dict[tuple[str, str], list[tuple[str, float]]] = {}
        postgres_ms: dict[tuple[str, str], float] = {}
        hits = 0
        for label, make in classes.items():
            for path in ("/search", "/api/search"):
                rows = measured.setdefault((label, path), [])
                cpu_before = postgres_cpu()
                for _ in range(args.queries):
                    tag, elapsed, cache = get(path, make())
                    hits += cache == "hit"
                    rows.append((tag, elapsed))
                if cpu_before is not None:
                    spent = cpu_spent(cpu_before, postgres_cpu())
                    postgres_ms[(label, path)] = spent * 1000 / args.queries
        time.sleep(1.0)  # let gunicorn flush its log
        on_server = server_times(log)
        on_cpu = cpu_times(log)
    finally:
        connection.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    import django.db

    vendor = django.db.connection.vendor
    print(
        f"database: {vendor}, posts: {posts:,}, {args.queries} requests per row, cache hits {hits}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print()
    print(
        f"| query class ({posts:,} posts, {vendor}) | endpoint | client p50 / p95 ms "
        "| server p50 / p95 ms | server thread CPU p50 / p95 ms | PostgreSQL CPU mean ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: |")

    def figures(values: list[float]) -> str:
        if not values:
            return "–"
        return f"{statistics.median(values):.1f} / {percentile(values, 0.95):.1f}"

    for (label, path), rows in measured.items():
        client = [elapsed for _, elapsed in rows]
        server_side = [on_server[tag] for tag, _ in rows if tag in on_server]
        cpu = [on_cpu[tag] for tag, _ in rows if tag in on_cpu]
        database = postgres_ms.get((label, path))
        print(
            f"| {label} | {path} | {figures(client)} | {figures(server_side)} | {figures(cpu)} "
            f"| {'–' if database is None else f'{database:.1f}'} |"
        )


if __name__ == "__main__":
    main()
