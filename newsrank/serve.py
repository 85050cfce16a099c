"""Supervise the web server and the crawler as child processes; Ctrl-C stops them all."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

log = logging.getLogger("newsrank.serve")


def web_command(host: str, port: int, workers: int) -> list[str]:
    """gunicorn, the production server, with threads so a slow client does not block a worker."""
    from django.conf import settings

    from newsrank.ops.metrics import prepare_multiprocess_dir

    # The workers' request metrics meet in files of the data folder (newsrank/ops/metrics.py).
    prepare_multiprocess_dir(settings.DATA_DIR)
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "newsrank.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.NEWSRANK_WEB_THREADS),
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]


def crawler_command() -> list[str]:
    return [sys.executable, "-m", "newsrank", "crawl"]


def supervise(commands: dict[str, list[str]], ready_message: str, on_tick=None) -> int:
    """Start each command; stop all when one exits or on Ctrl-C/SIGTERM. Returns an exit status."""
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, env=os.environ.copy())
        print(ready_message, flush=True)
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(
                        f"newsrank: the {name} exited with status {child.returncode}; stopping",
                        file=sys.stderr,
                        flush=True,
                    )
                    stopping = True
                    break
            if on_tick:
                on_tick()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _terminate(children.values())
    failed = [c.returncode for c in children.values() if c.returncode not in (0, -2, -15, None)]
    print("newsrank: stopped", flush=True)
    return 1 if failed else 0


def _terminate(children, grace: float = 10.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
