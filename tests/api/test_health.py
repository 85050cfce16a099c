"""Crawl health: /api/health (JSON), /healthz (load balancers), and the admin's feed list."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from newsrank.api import views
from newsrank.sources.admin import readable_seconds
from newsrank.sources.models import Feed
from newsrank.sources.services import add_feed

pytestmark = pytest.mark.django_db

FEED_KEYS = {
    "id",
    "outlet",
    "url",
    "status",
    "last_success_at",
    "last_checked_at",
    "error",
    "error_count",
    "poll_seconds",
    "items_per_day",
    "lag_seconds",
    "next_check_at",
}


@pytest.fixture
def feeds(outlet):
    now = timezone.now()
    ok = add_feed("https://garam.example/rss/politics", "가람일보", "정치")
    Feed.objects.filter(pk=ok.pk).update(
        status=Feed.Status.OK, last_success_at=now, last_checked_at=now, poll_seconds=120,
        items_per_day=96.5, lag_seconds=45.0,
    )  # fmt: skip
    failing = add_feed("https://nuri.example/rss", "누리신문")
    Feed.objects.filter(pk=failing.pk).update(
        status=Feed.Status.ERROR, error="HTTP 503 Service Unavailable", error_count=3,
        last_checked_at=now, poll_seconds=5400,
    )  # fmt: skip
    paused = add_feed("https://dead.example/rss", "사라진일보")
    Feed.objects.filter(pk=paused.pk).update(
        status=Feed.Status.PAUSED, error="HTTP 404 Not Found", error_count=20,
        next_check_at=now + timedelta(days=1),
    )  # fmt: skip
    return ok, failing, paused


def test_health_lists_each_feeds_crawl_state(client, feeds, make_posts):
    make_posts(2)
    response = client.get("/api/health")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["feeds"] == {"total": 3, "new": 0, "ok": 1, "error": 1, "paused": 1}
    assert data["posts"]["last_hour"] == 2 and data["posts"]["last_day"] == 2
    assert data["posts"]["newest_at"]
    ok, failing, paused = data["results"]
    assert set(ok) >= FEED_KEYS
    assert ok["outlet"] == "가람일보" and ok["status"] == "ok"
    assert (ok["poll_seconds"], ok["items_per_day"], ok["lag_seconds"]) == (120, 96.5, 45.0)
    assert ok["last_success_at"].endswith(("Z", "+00:00")) or "+" in ok["last_success_at"]
    assert failing["error"] == "HTTP 503 Service Unavailable" and failing["error_count"] == 3
    assert failing["last_success_at"] is None
    assert paused["status"] == "paused"


def test_health_of_an_empty_site(client, db):
    data = client.get("/api/health").json()
    assert data["feeds"]["total"] == 0 and data["results"] == []
    assert data["posts"] == {"last_hour": 0, "last_day": 0, "newest_at": None}


def test_health_refuses_writes_as_json(client, db):
    response = client.post("/api/health")
    assert response.status_code == 405 and response.json()["error"]["status"] == 405


def test_healthz_says_ok_when_the_database_answers(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n" and response["Content-Type"].startswith("text/plain")


def test_healthz_answers_503_with_the_reason_when_the_database_does_not(client, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError('connection to server at "10.0.0.5" failed')

    monkeypatch.setattr(views, "connection", Down())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable (OperationalError)\n"


# --- the admin's feed list --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0, "0초"),
        (45, "45초"),
        (59.97, "1분"),
        (120, "2분"),
        (90, "1.5분"),
        (3599, "1시간"),
        (5400, "1.5시간"),
        (86400, "1일"),
        (3 * 86400, "3일"),
    ],
)
def test_readable_seconds(seconds, shown):
    assert readable_seconds(seconds) == shown


def test_admin_feed_list_shows_interval_rate_and_lag(admin_client, feeds):
    page = admin_client.get("/admin/sources/feed/").content.decode()
    for text in ("확인 간격", "하루 기사", "지연", "2분", "96.5", "45초", "1.5시간"):
        assert text in page
    assert "중지 해제" in page


def test_admin_resume_action_un_pauses_selected_paused_feeds(admin_client, feeds):
    ok, failing, paused = feeds
    response = admin_client.post(
        "/admin/sources/feed/",
        {"action": "resume", "_selected_action": [ok.pk, failing.pk, paused.pk]},
        follow=True,
    )
    assert response.status_code == 200
    message = response.content.decode()
    assert "피드 1개의 중지를 풀었습니다" in message and "2개는 그대로" in message
    paused.refresh_from_db()
    assert paused.status == Feed.Status.NEW and paused.error_count == 0
    assert paused.next_check_at <= timezone.now()
    failing.refresh_from_db()
    assert failing.status == Feed.Status.ERROR
