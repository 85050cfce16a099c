"""Throughput under load: wrk against the production server, every page type mixed; a static file
as the ceiling; resident memory of the web and crawler processes at rest and under load.

    .venv/bin/python bench/load.py --data-dir DIR [--duration 60] [--clients 50,200]

DIR is a data folder holding a populated database (`newsrank bench populate --posts N`), or set
DATABASE_URL for PostgreSQL. The server is started as `newsrank web` starts it (gunicorn, 2
workers x NEWSRANK_WEB_THREADS threads), with a crawler (`newsrank crawl`) polling the sample
outlets beside it, so the crawler's memory and its writes are part of the picture. wrk (Debian's) runs as its own
process on loopback, with a Lua script that picks each request's page as readers do (REQUEST_MIX).

Goals (issue 6): at 200 clients zero errors, p99 <= 250 ms, cached pages >= 50 % of the static
file's requests per second, web process <= 700 MB resident.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STATIC = "/static/board/board.css"

# Share of requests per page type: readers mostly open the front page and recent articles.
REQUEST_MIX = [
    ("list page 1", 25, lambda s: ["/"]),
    ("list pages 2-20", 8, lambda s: [f"/?page={n}" for n in range(2, 21)]),
    ("section list", 5, lambda s: s["sections"] or ["/"]),
    ("article view", 30, lambda s: [f"/{n}" for n in s["posts"]]),
    ("story", 6, lambda s: [f"/story/{n}" for n in s["stories"]] or ["/issues"]),
    ("ranking", 5, lambda s: ["/ranking"]),
    ("popular", 3, lambda s: ["/popular"]),
    ("trending", 2, lambda s: ["/trending"]),
    ("search", 6, lambda s: [f"/search?q={q}" for q in s["queries"]]),
    ("feed", 5, lambda s: ["/feed/"]),
    ("api posts", 5, lambda s: ["/api/posts", "/api/posts?page=2"]),
]
QUERIES = [
    "%EC%A0%95%EB%B6%80",
    "%EA%B2%BD%EC%A0%9C",
    "%EC%84%9C%EC%9A%B8",
    "%EB%8C%80%ED%86%B5%EB%A0%B9",
]

# Besides picking the pages, the script counts answers by status and by X-Newsrank-Cache (hit,
# stale, miss) per thread; `done` prints the totals for parse_counts (wrk copies a thread's tables).
LUA = """
paths = {%s}
threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
init = function(args)
  counts = {}
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
response = function(status, headers, body)
  local key = status .. " " .. (headers["X-Newsrank-Cache"] or "-")
  counts[key] = (counts[key] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do
      total[key] = (total[key] or 0) + n
    end
  end
  for key, n in pairs(total) do
    io.write(string.format("answers %%s %%d\\n", key, n))
  end
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} after {timeout:.0f} s")


def sample_paths(base: str) -> dict:
    """Recent posts and live stories, as a reader's clicks would find them."""
    posts = [p["number"] for p in get_json(base + "/api/posts")["results"]]
    posts += [p["number"] for p in get_json(base + "/api/posts?page=2")["results"]]
    stories = [s["id"] for s in get_json(base + "/api/stories")["results"]][:20]
    html = urllib.request.urlopen(base + "/", timeout=30).read().decode()
    sections = sorted(set(re.findall(r'href="(/board/[-\w]+)"', html)))
    return {"posts": posts, "stories": stories, "sections": sections, "queries": QUERIES}


def mix_paths(samples: dict) -> list[str]:
    paths: list[str] = []
    for _name, weight, pick in REQUEST_MIX:
        choices = pick(samples)
        # Each type gets `weight` percent of the table, spread over its choices.
        per = max(1, round(weight * 10 / len(choices)))
        paths += [p for p in choices for _ in range(per)]
    return paths


def lua_script(samples: dict) -> str:
    return LUA % ", ".join(json.dumps(p) for p in mix_paths(samples))


def warm_up(base: str, paths: list[str], workers: int) -> None:
    """Ask for every page of the mix a few times per worker, a new connection each (so they
    spread over the workers), as a server that has been up for a while has them cached."""

    def get(path: str) -> None:
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                response.read()
        except OSError as error:
            print(f"warm-up: {path}: {error}", file=sys.stderr)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, [p for p in dict.fromkeys(paths) for _ in range(3 * workers)]))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    result = []
    for child in map(int, found):
        result += [child, *children(child)]
    return result


class Watcher:
    """A thread that calls `_run` (which loops until `_stop` is set) while the `with` block runs."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class FreshnessProbe(Watcher):
    """How far the front page lags the news: twice a second, the age of the newest news the
    crawler announced (the data folder's cache-news file, newsrank/httpcache.py) that the front
    page, by its Last-Modified, was rendered before. 0 when it shows all announced news."""

    def __init__(self, base: str, data_dir: Path):
        self.url = base + "/"
        self.stamp = data_dir / "cache-news"
        self.lags: list[float] = []
        super().__init__()

    def _run(self):
        while not self._stop.wait(0.5):
            try:
                announced = self.stamp.stat().st_mtime
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    rendered = parsedate_to_datetime(response.headers["Last-Modified"]).timestamp()
            except (OSError, TypeError, ValueError):
                continue
            # Last-Modified has whole seconds: a page rendered in the second of the news counts.
            self.lags.append(0.0 if rendered >= int(announced) else time.time() - announced)


class MemoryWatch(Watcher):
    """The largest resident size seen of each watched process while it runs."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups
        self.peak = {name: 0.0 for name in groups}
        super().__init__()

    def now(self) -> dict[str, float]:
        return {
            name: max((rss_mb(p) for p in pids), default=0.0) for name, pids in self.groups.items()
        }

    def _run(self):
        while not self._stop.wait(0.5):
            for name, value in self.now().items():
                self.peak[name] = max(self.peak[name], value)


def run_wrk(url: str, clients: int, duration: int, script: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{clients}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    print(f"$ {' '.join(command)} {url}\n{output}", file=sys.stderr, flush=True)
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return float("nan")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output)[1])
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    answers = {
        f"{status} {state}": int(n)
        for status, state, n in re.findall(r"^answers (\d+) (\S+) (\d+)$", output, re.M)
    }
    # Errors: sockets and 5xx. A 404 is not the server failing: a story the crawler merges away
    # during the run is gone (the mix picks stories at the start); counted apart, by status.
    errors = sum(map(int, sockets.groups())) if sockets else 0
    if answers:
        errors += sum(n for key, n in answers.items() if key.startswith("5"))
    elif non_2xx:
        errors += int(non_2xx[1])
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "requests": requests,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors,
        "sockets": dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
        "answers": answers,
    }


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far (/proc/PID/stat, clock ticks)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def drain(url: str, timeout: float = 60) -> None:
    """Wait until the server answers at once again: after wrk stops, the requests it left queued
    are still served, and would be charged to the next run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=10):
                pass
        except OSError:
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="a data folder with a populated database")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (default 60)")
    parser.add_argument("--clients", default="50,200", help="concurrent clients, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="threads per worker (NEWSRANK_WEB_THREADS)")
    parser.add_argument("--no-crawler", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from newsrank.demo.server import SampleOutlets

    env = os.environ.copy() | {
        "NEWSRANK_DATA_DIR": str(Path(args.data_dir).resolve()),
        "NEWSRANK_API_RATE_LIMIT": "off",  # one loopback address is 200 clients here
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        "NEWSRANK_HOST_DELAY": "0",
        "NEWSRANK_HOST_CONCURRENCY": "8",
        "NEWSRANK_MIN_POLL_SECONDS": "5",
        "NEWSRANK_MAX_POLL_SECONDS": "15",
    }
    if args.threads:
        env["NEWSRANK_WEB_THREADS"] = str(args.threads)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes: dict[str, subprocess.Popen] = {}
    outlets = SampleOutlets(port=0).start()
    work = Path(tempfile.mkdtemp(prefix="newsrank-load-"))
    try:
        newsrank = [PYTHON, "-m", "newsrank"]
        if not args.no_crawler:
            for feed in outlets.feeds():
                subprocess.run([*newsrank, "sources", "add", feed.url, "--outlet", feed.outlet,
                                "--section", feed.section], env=env, check=True,
                               capture_output=True)  # fmt: skip
        web_command = [*newsrank, "web", "--port", str(port), "--workers", str(args.workers)]
        processes["web"] = subprocess.Popen(web_command, env=env, start_new_session=True)
        wait_http(base + "/healthz")
        if not args.no_crawler:
            processes["crawler"] = subprocess.Popen(
                [*newsrank, "crawl"], env=env, start_new_session=True
            )
        samples = sample_paths(base)
        script = work / "mix.lua"
        script.write_text(lua_script(samples))
        # Warm up, unmeasured: every worker loads the Korean analyzer on its first search, and
        # the cache fills, as on a server that has been up for a while.
        warm_up(base, mix_paths(samples), args.workers)
        run_wrk(base + "/", 8, 10, str(script))
        web_pids = children(processes["web"].pid)
        groups = {"web worker": [p for p in web_pids if p != processes["web"].pid]}
        if "crawler" in processes:
            groups["crawler"] = [processes["crawler"].pid]
        watch = MemoryWatch(groups)
        rest = watch.now()
        rows = []
        with watch:
            for clients in [int(c) for c in args.clients.split(",")]:
                runs = []
                for url, lua in ((base + "/", str(script)), (base + STATIC, None)):
                    drain(base + STATIC)
                    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
                    with FreshnessProbe(base, Path(env["NEWSRANK_DATA_DIR"])) as probe:
                        result = run_wrk(url, clients, args.duration, lua)
                    result["lags"] = sorted(probe.lags)
                    result["cpu"] = {
                        name: cpu_seconds(pids) - before[name] for name, pids in groups.items()
                    }
                    result["load"] = os.getloadavg()[0]
                    runs.append(result)
                rows.append((clients, *runs))
        report(rows, rest, watch.peak, samples, args)
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        outlets.stop()
        shutil.rmtree(work, ignore_errors=True)


def lag_summary(lags: list[float]) -> str:
    if not lags:
        return "no news"
    behind = sum(1 for lag in lags if lag > 0)
    return (
        f"{behind} of {len(lags)} probes behind; median {lags[len(lags) // 2]:.1f}, "
        f"p95 {lags[int(len(lags) * 0.95)]:.1f}, max {lags[-1]:.1f}"
    )


def report(rows, rest, peak, samples, args) -> None:
    threads = args.threads or os.environ.get("NEWSRANK_WEB_THREADS") or "default"
    print(f"\nwrk -t2, {args.duration} s per run, {args.workers} gunicorn workers x "
          f"{threads} threads; mix over {len(samples['posts'])} recent posts, "
          f"{len(samples['stories'])} stories")  # fmt: skip
    print(
        "| clients | page mix rps | p50 ms | p99 ms | errors (socket, 5xx) | static rps | static p99 ms "
        "| mix / static |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for clients, mixed, static in rows:
        print(
            f"| {clients} | {mixed['rps']:.0f} | {mixed['p50']:.1f} | {mixed['p99']:.1f} "
            f"| {mixed['errors']} of {mixed['requests']} | {static['rps']:.0f} "
            f"| {static['p99']:.1f} | {mixed['rps'] / static['rps']:.0%} |"
        )
    print("\n| clients | run | answers (status cache-state: count) | socket errors | CPU s "
          "| load avg | front page behind the news, s |")  # fmt: skip
    print("|---:|---|---|---|---|---:|---|")
    for clients, *runs in rows:
        for name, run in zip(("mix", "static"), runs, strict=True):
            answers = ", ".join(f"{k}: {v}" for k, v in sorted(run["answers"].items())) or "-"
            sockets = ", ".join(f"{k} {v}" for k, v in run["sockets"].items() if v) or "none"
            cpu = ", ".join(f"{k} {v:.0f}" for k, v in run["cpu"].items())
            print(f"| {clients} | {name} | {answers} | {sockets} | {cpu} | {run['load']:.1f} "
                  f"| {lag_summary(run['lags'])} |")  # fmt: skip
    print("\n| process | RSS at rest MB | peak RSS under load MB |")
    print("|---|---:|---:|")
    for name in rest:
        print(f"| {name} (largest) | {rest[name]:.0f} | {peak[name]:.0f} |")


if __name__ == "__main__":
    main()
