"""A database that is down or restarting answers 503 with a short page, not a 500 and a trace.

When PostgreSQL restarts (or a SQLite file is locked past its timeout), Django raises
OperationalError or InterfaceError from the view. That is the service being unavailable for a
moment, not a bug: RFC 9110 §15.6.4 says 503 with Retry-After, which load balancers and CDNs
understand (a CDN may then serve its stale copy, see `httpcache`). The connection is dropped, so
the next request opens a fresh one (Django's CONN_HEALTH_CHECKS does the same for idle ones) and
newsrank recovers without a restart.

The page is plain HTML built here, not a template: the board's context processors read the
database, which is what just failed.
"""

from __future__ import annotations

import contextlib
import json
import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

PAGE = """<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>잠시 후 다시 시도해 주세요</title></head>
<body>
<main>
<h1>잠시 후 다시 시도해 주세요</h1>
<p>데이터베이스에 연결할 수 없어 지금은 페이지를 보여 드릴 수 없습니다.
몇 초 뒤에 새로 고침해 주세요.</p>
<p><a href="/">첫 화면으로</a></p>
</main>
</body>
</html>
"""


def unavailable(request) -> HttpResponse:
    """The 503 answer: JSON under /api/, else the page; never cached."""
    if request.path_info.startswith("/api/"):
        body = {"error": {"status": 503, "message": "database unavailable; retry shortly"}}
        response = HttpResponse(
            json.dumps(body), status=503, content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a view's database connection failure into `unavailable`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable on %s: %s", request.path, exception)
        for connection in connections.all(initialized_only=True):
            with contextlib.suppress(Exception):
                connection.close()  # the next request connects afresh
        return unavailable(request)
