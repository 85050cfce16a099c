"""`newsrank doctor`: a good setup passes; each broken part is named with what to do about it."""

import json
import os
import socket
import subprocess
import sys

import pytest

from newsrank import doctor
from newsrank.sources.services import add_feed


def newsrank(data_dir, *args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSRANK_", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS"))
    }
    environment |= {"NEWSRANK_DATA_DIR": str(data_dir), "DATABASE_URL": ""} | env
    return subprocess.run(
        [sys.executable, "-m", "newsrank", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def report(done) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(done.stdout)["checks"]}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_a_good_configuration_passes_every_check(tmp_path, sample_outlets):
    env = {
        "NEWSRANK_ALLOWED_HOSTS": "news.example.com",
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
    }
    feed = sample_outlets.feeds()[0]
    added = newsrank(tmp_path, "sources", "add", feed.url, "--outlet", feed.outlet, **env)
    assert added.returncode == 0, added.stderr

    done = newsrank(tmp_path, "doctor", "--json", **env)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = report(done)
    assert json.loads(done.stdout)["ok"] is True
    assert {
        name: check["status"] for name, check in checks.items() if check["status"] != "ok"
    } == {}
    assert checks["database mode"]["detail"] == "SQLite in WAL mode"
    assert checks["search analyzer"]["detail"].startswith("Kiwi loaded")
    assert f"outlet {sample_outlets.base_url}" in checks

    text = newsrank(tmp_path, "doctor", "--quick", **env)
    assert text.returncode == 0
    assert text.stdout.strip().endswith("newsrank doctor: no problems, 0 warning(s)")


def test_an_unsupported_database_url_is_named_with_the_forms_to_use(tmp_path):
    done = newsrank(tmp_path, "doctor", "--json", DATABASE_URL="mysql://db.example/news")
    assert done.returncode == 1
    settings = report(done)["settings"]
    assert settings["status"] == "error"
    assert "DATABASE_URL scheme 'mysql' is not supported" in settings["detail"]
    assert "postgres://user@host:5432/dbname" in settings["detail"]


def test_a_database_server_that_does_not_answer_is_an_error(tmp_path):
    url = f"postgres://postgres@127.0.0.1:{closed_port()}/newsrank"
    done = newsrank(tmp_path, "doctor", "--json", "--quick", DATABASE_URL=url)
    assert done.returncode == 1
    checks = report(done)
    assert checks["database"]["status"] == "error"
    assert "Connection refused" in checks["database"]["detail"]
    assert "check DATABASE_URL" in checks["database"]["fix"]
    assert checks["migrations"]["detail"] == "not checked: the database is not reachable"


def test_an_unmigrated_database_is_reported_with_the_command_that_fixes_it(tmp_path):
    done = newsrank(tmp_path, "doctor", "--quick")
    assert done.returncode == 1
    assert "error    migrations" in done.stdout
    assert "not applied: contenttypes.0001_initial" in done.stdout
    assert "run `newsrank manage migrate`" in done.stdout
    assert done.stdout.strip().endswith("1 problem(s) to fix, 2 warning(s)")


@pytest.mark.django_db
def test_an_unreachable_outlet_is_a_warning_and_a_reachable_one_is_ok(
    sample_outlets, allow_loopback
):
    feed = sample_outlets.feeds()[0]
    add_feed(feed.url, feed.outlet)
    add_feed(f"http://127.0.0.1:{closed_port()}/rss.xml", "닫힌일보")
    reachable, unreachable = doctor.check_outlets()
    assert reachable.status == "ok" and "robots.txt answered" in reachable.detail
    assert unreachable.status == "warning"
    assert unreachable.detail.startswith("unreachable: connection refused")
    assert "outgoing network" in unreachable.fix
    assert not doctor.failed([reachable, unreachable])


@pytest.mark.django_db
def test_an_outlet_on_a_private_address_says_how_to_allow_it(settings):
    settings.NEWSRANK_ALLOW_PRIVATE_HOSTS = []
    add_feed("http://127.0.0.1:9/rss.xml", "내부일보")
    (check,) = doctor.check_outlets()
    assert check.status == "warning" and "loopback" in check.detail
    assert "NEWSRANK_ALLOW_PRIVATE_HOSTS" in check.fix


@pytest.mark.django_db
def test_no_feeds_is_a_warning_that_says_how_to_add_some():
    (check,) = doctor.check_outlets()
    assert check.status == "warning" and "newsrank sources add" in check.fix


@pytest.mark.django_db
def test_the_database_checks_pass_on_the_test_database():
    database, migrations, mode = (
        doctor.check_database(),
        doctor.check_migrations(),
        doctor.check_database_mode(),
    )
    assert [database.status, migrations.status, mode.status] == ["ok", "ok", "ok"]
    assert mode.detail == "SQLite in WAL mode" or mode.detail.startswith("PostgreSQL 1")


def test_a_secret_key_file_others_can_read_is_an_error(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSRANK_SECRET_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    key = tmp_path / "secret_key"
    key.write_text("x" * 50)
    key.chmod(0o644)
    check = next(c for c in doctor.check_configuration() if c.name == "secret key")
    assert check.status == "error" and "readable by others (mode 644)" in check.detail
    assert check.fix == f"chmod 600 {key}"
    key.chmod(0o600)
    check = next(c for c in doctor.check_configuration() if c.name == "secret key")
    assert check.status == "ok"


def test_debug_on_and_any_host_are_warnings_with_what_to_set(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    checks = {check.name: check for check in doctor.check_configuration()}
    assert checks["debug"].status == "warning" and "NEWSRANK_DEBUG" in checks["debug"].fix
    assert checks["allowed hosts"].status == "warning"
    assert "NEWSRANK_ALLOWED_HOSTS" in checks["allowed hosts"].fix


def test_a_cache_that_does_not_answer_is_an_error(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsrank.cache.ResilientRedisCache",  # as settings.py has it
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    check = doctor.check_cache()
    assert check.status == "error" and "Connection refused" in check.detail
    assert "REDIS_URL" in check.fix


def test_a_full_disk_is_an_error(settings, monkeypatch, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(
        doctor.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 50 * 1024**2})
    )
    check = doctor.check_disk()
    assert check.status == "error" and "0.0 GB free" in check.detail
