from ipaddress import ip_network
from pathlib import Path

import pytest

from newsrank import config


@pytest.mark.parametrize(
    ("url", "engine", "name", "host", "user"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/newsrank",
            "postgresql",
            "newsrank",
            "127.0.0.1",
            "postgres",
        ),
        ("postgresql://u:p%40ss@db.internal/news", "postgresql", "news", "db.internal", "u"),
        (
            "sqlite:////var/lib/newsrank/db.sqlite3",
            "sqlite3",
            "/var/lib/newsrank/db.sqlite3",
            None,
            None,
        ),
        ("sqlite:///relative.sqlite3", "sqlite3", "relative.sqlite3", None, None),
        ("", "sqlite3", "/data/default.sqlite3", None, None),
    ],
)
def test_reads_database_url(url, engine, name, host, user):
    db = config.database_from_url(url, Path("/data/default.sqlite3"))
    assert db["ENGINE"].endswith(engine)
    assert db["NAME"] == name
    if host:
        assert db["HOST"] == host and db["USER"] == user


def test_decodes_percent_encoded_password():
    assert config.database_from_url("postgres://u:p%40ss@h/db", Path("x"))["PASSWORD"] == "p@ss"


def test_sqlite_uses_wal_and_immediate_transactions():
    db = config.database_from_url("", Path("/tmp/x.sqlite3"))
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_rejects_unknown_database_scheme_with_advice():
    with pytest.raises(config.ConfigError, match="postgres://"):
        config.database_from_url("mysql://root@localhost/db", Path("x"))


def test_reads_allowed_private_networks():
    env = {"NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8, ::1"}
    assert config.allowed_networks(env) == [ip_network("127.0.0.0/8"), ip_network("::1/128")]


def test_no_private_network_is_allowed_by_default():
    assert config.allowed_networks({}) == []


def test_rejects_malformed_network():
    with pytest.raises(config.ConfigError, match="CIDR"):
        config.allowed_networks({"NEWSRANK_ALLOW_PRIVATE_HOSTS": "localhost"})


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("0", False), ("", None)])
def test_reads_booleans(raw, value):
    expected = value if value is not None else True
    assert config.env_bool("X", True, {"X": raw}) is expected


def test_rejects_malformed_boolean():
    with pytest.raises(config.ConfigError, match="X="):
        config.env_bool("X", False, {"X": "maybe"})


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = config.secret_key(tmp_path, {})
    assert len(first) > 40
    assert config.secret_key(tmp_path, {}) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("120/min", (120, 60)),
        ("5/15min", (5, 900)),
        (" 10 / 2s ", (10, 2)),
        ("1000/hour", (1000, 3600)),
        ("off", None),
        ("0", None),
        ("", (120, 60)),  # the default
    ],
)
def test_reads_rates(raw, rate):
    assert config.env_rate("R", "120/min", {"R": raw}) == rate


@pytest.mark.parametrize("raw", ["120", "120/fortnight", "0/min", "x/min", "5/0min"])
def test_rejects_malformed_rate_with_an_example(raw):
    with pytest.raises(config.ConfigError, match="120/min"):
        config.env_rate("R", "120/min", {"R": raw})


@pytest.mark.parametrize(
    ("raw", "path"),
    [(None, "admin/"), ("manage-8f3k", "manage-8f3k/"), ("/ops/admin/", "ops/admin/")],
)
def test_reads_admin_path(raw, path):
    env = {} if raw is None else {"NEWSRANK_ADMIN_PATH": raw}
    assert config.admin_path(env) == path


@pytest.mark.parametrize("raw", ["/", "a b", "../x", "x?y", "관리자"])
def test_rejects_admin_path_that_is_not_a_plain_path(raw):
    with pytest.raises(config.ConfigError, match="NEWSRANK_ADMIN_PATH"):
        config.admin_path({"NEWSRANK_ADMIN_PATH": raw})


def test_reads_proxy_ssl_header():
    env = {"NEWSRANK_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    assert config.proxy_ssl_header(env) == ("HTTP_X_FORWARDED_PROTO", "https")
    env = {"NEWSRANK_PROXY_SSL_HEADER": "X-Forwarded-Ssl=on"}
    assert config.proxy_ssl_header(env) == ("HTTP_X_FORWARDED_SSL", "on")
    assert config.proxy_ssl_header({}) is None
