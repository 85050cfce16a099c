"""Time from `newsrank demo` starting on an empty data folder to the first post on the board.

Usage: .venv/bin/python bench/demo_first_post.py [--runs 3]
Prints, per run, seconds until the web server answers and until /api/posts lists a post, then
how many posts the board holds 60 s after the start.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run(settle: float) -> tuple[float, float, int]:
    port, outlets = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {"NEWSRANK_DATA_DIR": data, "DATABASE_URL": ""}
        start = time.monotonic()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsrank",
                "demo",
                "--port",
                str(port),
                "--outlets-port",
                str(outlets),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        served = first = None
        count = 0
        try:
            while time.monotonic() - start < settle:
                try:
                    data_ = httpx.get(f"http://127.0.0.1:{port}/api/posts", timeout=2).json()
                    served = served or time.monotonic() - start
                    count = data_["count"]
                    if count and first is None:
                        first = time.monotonic() - start
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        return served, first, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=60.0)
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        served, first, count = one_run(args.settle)
        print(
            f"run {run}: web up {served:.2f} s, first post {first:.2f} s, "
            f"{count} posts after {args.settle:.0f} s"
        )


if __name__ == "__main__":
    main()
