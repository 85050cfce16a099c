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
