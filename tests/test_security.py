"""Production defaults, response headers, API rate limits and the admin login throttle."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from newsrank import security

PROJECT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "NEWSRANK_HTTPS": "1",
    "NEWSRANK_ALLOWED_HOSTS": "news.example.com",
    "NEWSRANK_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "NEWSRANK_DEBUG": "",
}


def run(args, tmp_path, **env):
    # Not DJANGO_ALLOW_ASYNC_UNSAFE either: the browser tests set it in this process (async.E001).
    unset = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ |= {"NEWSRANK_DATA_DIR": str(tmp_path), "DATABASE_URL": ""} | env
    return subprocess.run(
        args, env=environ, capture_output=True, text=True, timeout=120, cwd=PROJECT
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    newsrank = [sys.executable, "-m", "newsrank"]
    done = run(
        [*newsrank, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **PRODUCTION,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_deploy_check_warns_when_not_served_over_https(tmp_path):
    newsrank = [sys.executable, "-m", "newsrank"]
    done = run([*newsrank, "manage", "check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert done.returncode != 0
    assert "security.W012" in done.stderr  # insecure session cookie over plain HTTP


def test_https_without_allowed_hosts_fails_with_advice(tmp_path):
    code = "import newsrank.settings"
    done = run([sys.executable, "-c", code], tmp_path, NEWSRANK_HTTPS="1")
    assert done.returncode != 0
    assert "NEWSRANK_ALLOWED_HOSTS" in done.stderr


def test_admin_lives_at_the_configured_path(tmp_path):
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:login'))"
    )
    done = run(
        [sys.executable, "-c", code],
        tmp_path,
        DJANGO_SETTINGS_MODULE="newsrank.settings",
        NEWSRANK_ADMIN_PATH="/manage-8f3k/",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "/manage-8f3k/login/"


# ---------------------------------------------------------------- headers


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script_and_the_other_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_upgrade_images(client, settings):
    settings.NEWSRANK_HTTPS = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = response["Content-Security-Policy"]
    assert "img-src 'self' https:;" in csp and "upgrade-insecure-requests" in csp


def test_plain_http_allows_http_images_for_local_installs():
    assert "img-src 'self' https: http:" in security.content_security_policy(https=False)
    assert " http:" not in security.content_security_policy(https=True)


TEMPLATES = sorted(PROJECT.glob("newsrank/*/templates/**/*.html"))
INLINE = re.compile(
    # JSON-LD is a data block, never run, so the CSP does not cover it (its values use escapejs).
    r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>|<style\b|\sstyle="
    r"|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_templates_have_no_inline_script_style_or_handler(template):
    # The CSP refuses them, so any would silently break in the browser.
    assert INLINE.findall(template.read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- client address


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy: the header is the client's
        (1, "10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # one proxy appended the last
        (2, "10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (3, "10.0.0.2", "198.51.100.1", "198.51.100.1"),  # fewer entries than proxies: the first
        (1, "10.0.0.2", "", "10.0.0.2"),
        (0, "2001:db8:1:2:aaaa::1", "", "2001:db8:1:2::/64"),  # IPv6 counts by its /64
        (0, "::ffff:203.0.113.7", "", "203.0.113.7"),
    ],
)
def test_client_address(settings, hops, remote, forwarded, expected):
    settings.NEWSRANK_TRUSTED_PROXIES = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert security.client_address(request) == expected


# ---------------------------------------------------------------- API rate limit


@pytest.fixture
def frozen(monkeypatch):
    """A clock at the start of a minute (so a window does not end mid-test) the test can move."""
    now = [1_800_000_000.0]  # a multiple of 60 and of 900
    monkeypatch.setattr(security, "clock", lambda: now[0])
    cache.clear()
    yield now
    cache.clear()


@pytest.mark.django_db
def test_api_answers_429_with_retry_after_past_the_limit(client, settings, frozen):
    settings.NEWSRANK_API_RATE_LIMIT = (3, 60)
    frozen[0] += 15
    assert [client.get("/api/posts").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/posts")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.json()["error"]["retry_after"] == 45
    assert client.get("/api/stories").status_code == 429  # the whole API shares the allowance
    assert client.get("/search", {"q": "가람"}).status_code == 429
    assert client.get("/").status_code == 200  # the board itself is not limited
    assert client.get("/api/posts", REMOTE_ADDR="198.51.100.9").status_code == 200
    frozen[0] += 45  # the next window
    assert client.get("/api/posts").status_code == 200


@pytest.mark.django_db
def test_api_limit_can_be_turned_off(client, settings, frozen):
    settings.NEWSRANK_API_RATE_LIMIT = None
    assert {client.get("/api/posts").status_code for _ in range(10)} == {200}


def test_a_failing_cache_lets_requests_through(monkeypatch, settings):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "incr", broken)
    monkeypatch.setattr(cache, "add", broken)
    assert security.count_hit("api", "198.51.100.1", 60) == 0


# ---------------------------------------------------------------- admin login throttle


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("editor", "editor@example.com", "correct horse 42")


def login(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_login_is_refused_with_429_after_five_failures_from_an_address(
    client, admin_user, settings, frozen
):
    settings.NEWSRANK_LOGIN_RATE_LIMIT = (5, 900)
    assert [login(client, "editor", "wrong").status_code for _ in range(5)] == [200] * 5
    refused = login(client, "editor", "correct horse 42")  # even the right password must wait
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "15분" in refused.content.decode()
    assert login(client, "someone-else", "x").status_code == 429  # per address
    frozen[0] += 900
    assert login(client, "editor", "correct horse 42").status_code == 302


@pytest.mark.django_db
def test_login_is_refused_for_an_account_guessed_from_many_addresses(
    client, admin_user, settings, frozen
):
    settings.NEWSRANK_LOGIN_RATE_LIMIT = (5, 900)
    for n in range(5):
        assert login(client, "Editor", "wrong", address=f"198.51.100.{n}").status_code == 200
    assert login(client, "editor", "correct horse 42", "192.0.2.1").status_code == 429
    assert login(client, "other", "wrong", "192.0.2.1").status_code == 200  # per account


@pytest.mark.django_db
def test_a_successful_login_clears_the_account_count(client, admin_user, settings, frozen):
    settings.NEWSRANK_LOGIN_RATE_LIMIT = (5, 900)
    for n in range(4):
        login(client, "editor", "wrong", address=f"198.51.100.{n}")
    assert login(client, "editor", "correct horse 42", "192.0.2.1").status_code == 302
    client.logout()
    for n in range(4):
        assert login(client, "editor", "wrong", address=f"198.51.101.{n}").status_code == 200


@pytest.mark.django_db
def test_admin_pages_other_than_login_are_not_throttled(client, admin_user, settings, frozen):
    settings.NEWSRANK_LOGIN_RATE_LIMIT = (1, 900)
    login(client, "editor", "wrong")
    assert client.get(reverse("admin:login")).status_code == 200
