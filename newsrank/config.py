"""Typed reading of newsrank's environment variables, failing fast with a message.

Pure: no Django import, so settings.py and the command line can both use it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class ConfigError(Exception):
    """A setting in the environment is malformed; the message says what to set."""


def data_dir(environ=os.environ) -> Path:
    """The folder that holds the SQLite database, the secret key and other state."""
    return Path(environ.get("NEWSRANK_DATA_DIR") or "./data").expanduser().resolve()


def env_bool(name: str, default: bool, environ=os.environ) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; set it to 1 or 0")


def env_int(name: str, default: int, environ=os.environ) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def env_float(name: str, default: float, environ=os.environ) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def allowed_networks(environ=os.environ) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """NEWSRANK_ALLOW_PRIVATE_HOSTS: comma-separated networks the fetcher may reach although private."""
    networks = []
    for item in env_list("NEWSRANK_ALLOW_PRIVATE_HOSTS", [], environ):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(
                f"NEWSRANK_ALLOW_PRIVATE_HOSTS: {item!r} is not a network; "
                "use CIDR notation such as 127.0.0.0/8"
            ) from None
    return networks


def database_from_url(url: str, default_sqlite: Path) -> dict:
    """A Django DATABASES entry from a DATABASE_URL (sqlite:///path or postgres://user@host/db)."""
    if not url:
        return _sqlite(default_sqlite)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:////abs/path.db is absolute, sqlite:///rel/path.db relative (dj-database-url's form).
        path = unquote(parts.path)[1:]
        return _sqlite(Path(path) if path else default_sqlite)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "newsrank",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": options.pop("test_name", None)},
        }
    raise ConfigError(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; "
        "use sqlite:///path/to/db.sqlite3 or postgres://user@host:5432/dbname"
    )


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # WAL lets readers go on while the crawler writes; IMMEDIATE avoids the
        # deadlock-prone upgrade from a read to a write lock (Django 5.1 release notes).
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
        # A file, not memory, so crawler subprocesses in the tests share the test database; one
        # per test run, so that two runs at once do not overwrite each other's.
        "TEST": {"NAME": str(path.with_name(f"test_{os.getpid()}_{path.name}"))},
    }


def secret_key(folder: Path, environ=os.environ) -> str:
    """NEWSRANK_SECRET_KEY, else a key generated once and kept in the data folder."""
    if environ.get("NEWSRANK_SECRET_KEY"):
        return environ["NEWSRANK_SECRET_KEY"]
    path = folder / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of ours wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# A rate such as "120/min" or "5/15min": that many events per window. "0" or "off" turns it off.
_RATE_UNITS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def env_rate(name: str, default: str, environ=os.environ) -> tuple[int, int] | None:
    """A rate limit as (events, window seconds), or None when it is turned off."""
    raw = (environ.get(name) or default).strip().lower()
    if raw in {"0", "off", "none"}:
        return None
    match = _RATE.match(raw)
    if not match or match.group(3) not in _RATE_UNITS or int(match.group(1)) < 1:
        raise ConfigError(f"{name}={raw!r} is not a rate; write it like 120/min, 5/15min or off")
    window = int(match.group(2) or 1) * _RATE_UNITS[match.group(3)]
    if window < 1:
        raise ConfigError(f"{name}={raw!r} has an empty window; write it like 120/min")
    return int(match.group(1)), window


def admin_path(environ=os.environ) -> str:
    """NEWSRANK_ADMIN_PATH: where the admin lives, as a URL prefix such as "admin/" (the default)."""
    raw = (environ.get("NEWSRANK_ADMIN_PATH") or "admin/").strip().strip("/")
    plain = re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", raw)
    if not plain or any(part in {".", ".."} for part in raw.split("/")):
        raise ConfigError(
            f"NEWSRANK_ADMIN_PATH={environ.get('NEWSRANK_ADMIN_PATH')!r} is not a URL path; "
            "use letters, digits, '-', '_', '.' and '/', e.g. manage-8f3k/"
        )
    return raw + "/"


def proxy_ssl_header(environ=os.environ) -> tuple[str, str] | None:
    """NEWSRANK_PROXY_SSL_HEADER, e.g. "X-Forwarded-Proto": the header a TLS proxy sets to https.

    Only for a proxy that always sets (or strips) that header; otherwise a client could claim HTTPS.
    """
    raw = environ.get("NEWSRANK_PROXY_SSL_HEADER", "").strip()
    if not raw:
        return None
    name, _, value = raw.partition("=")
    if not re.fullmatch(r"[A-Za-z0-9-]+", name.strip()):
        raise ConfigError(
            f"NEWSRANK_PROXY_SSL_HEADER={raw!r} is not a header name; use e.g. X-Forwarded-Proto"
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), (value.strip() or "https")
