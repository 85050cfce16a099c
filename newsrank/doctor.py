"""`newsrank doctor`: check the configuration, database, cache, analyzer, disk and a few outlets.

Each check returns a Check with a status (ok, warning, error), what it found and, when not ok,
what to do about it. Errors are what stops newsrank from working (the command then exits 1);
warnings are what an operator should look at (an outlet unreachable from here, DEBUG on, a small
disk). The checks run in order and a check that needs an earlier one (the database needs the
settings) is skipped with a note when that one failed, so one cause gives one message.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

OK, WARNING, ERROR = "ok", "warning", "error"
OUTLETS_CHECKED = 3
OUTLET_TIMEOUT = 5.0  # seconds; a doctor run should not hang on one dead host
DISK_WARNING = 2 * 1024**3  # bytes free in the data folder: a few days of posts and the WAL
DISK_ERROR = 200 * 1024**2
POSTGRES_OLDEST = 140000  # Django 5.2 supports PostgreSQL 14 and later (server_version_num)


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def run_checks(*, outlets: int = OUTLETS_CHECKED, analyzer: bool = True) -> list[Check]:
    """Every check, in order; the settings are loaded here, so a broken one is reported too."""
    checks = [check_settings()]
    if checks[0].status == ERROR:
        return checks
    checks += check_configuration()
    database = check_database()
    checks.append(database)
    if database.status == ERROR:
        checks.append(Check("migrations", WARNING, "not checked: the database is not reachable"))
        schema = checks[-1]
    else:
        schema = check_migrations()
        checks += [schema, check_database_mode()]
    checks.append(check_cache())
    if analyzer:
        checks.append(check_analyzer())
    checks.append(check_disk())
    if outlets and schema.status == OK:
        checks += check_outlets(outlets)
    elif outlets:
        checks.append(Check("outlets", WARNING, "not checked: the feeds table cannot be read"))
    return checks


def failed(checks: list[Check]) -> bool:
    return any(check.status == ERROR for check in checks)


def _guard(name: str, fix: str, run: Callable[[], Check]) -> Check:
    """Run a check; an unexpected exception becomes its error, never a crash of the doctor."""
    try:
        return run()
    except Exception as error:  # the point of a doctor is to report whatever went wrong
        return Check(name, ERROR, f"{type(error).__name__}: {error}", fix)


def check_settings() -> Check:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsrank.settings")

    def load() -> Check:
        import django
        from django.conf import settings

        django.setup()
        return Check("settings", OK, f"loaded; data folder {settings.DATA_DIR}")

    return _guard(
        "settings",
        "correct the environment variable named above (README, Configuration)",
        load,
    )


def check_configuration() -> list[Check]:
    from django.conf import settings

    checks = []
    if os.environ.get("NEWSRANK_SECRET_KEY"):
        key = Check("secret key", OK, "from NEWSRANK_SECRET_KEY")
        if len(set(settings.SECRET_KEY)) < 5 or len(settings.SECRET_KEY) < 50:
            key = Check(
                "secret key",
                ERROR,
                "NEWSRANK_SECRET_KEY is short or repetitive (Django wants 50+ varied characters)",
                "unset it to have a key generated in the data folder, or set a long random one",
            )
        checks.append(key)
    else:
        path = settings.DATA_DIR / "secret_key"
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        if mode is None:
            checks.append(Check("secret key", ERROR, f"{path} is missing", "run newsrank once"))
        elif mode & 0o077:
            checks.append(
                Check(
                    "secret key",
                    ERROR,
                    f"{path} is readable by others (mode {mode:o})",
                    f"chmod 600 {path}",
                )
            )
        else:
            checks.append(Check("secret key", OK, f"{path}, mode {mode:o}"))
    if settings.DEBUG:
        checks.append(
            Check(
                "debug",
                WARNING,
                "DEBUG is on: error pages show settings and code to any visitor",
                "unset NEWSRANK_DEBUG on a public server",
            )
        )
    else:
        checks.append(Check("debug", OK, "DEBUG is off"))
    hosts = settings.ALLOWED_HOSTS
    if not hosts:
        checks.append(
            Check(
                "allowed hosts",
                ERROR,
                "no host allowed: every request will get 400",
                "set NEWSRANK_ALLOWED_HOSTS to the site's host names, e.g. news.example.com",
            )
        )
    elif "*" in hosts:
        checks.append(
            Check(
                "allowed hosts",
                WARNING,
                "any Host header is accepted",
                "set NEWSRANK_ALLOWED_HOSTS to the site's host names, e.g. news.example.com",
            )
        )
    else:
        checks.append(Check("allowed hosts", OK, ", ".join(hosts)))
    return checks


def check_database() -> Check:
    from django.db import connection

    def connect() -> Check:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Check("database", OK, f"{connection.vendor} {_where(connection.settings_dict)}")

    return _guard(
        "database",
        "check DATABASE_URL (postgres://user@host:5432/dbname) and that the server is running",
        connect,
    )


def _where(database: dict) -> str:
    if database.get("HOST"):
        return f"{database['NAME']} at {database['HOST']}:{database.get('PORT') or 5432}"
    return str(database["NAME"])


def check_migrations() -> Check:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def plan() -> Check:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not pending:
            return Check("migrations", OK, "all applied")
        names = [f"{migration.app_label}.{migration.name}" for migration, _ in pending]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return Check(
            "migrations",
            ERROR,
            f"{len(names)} not applied: {shown}",
            "run `newsrank manage migrate` (newsrank run also migrates when it starts)",
        )

    return _guard("migrations", "run `newsrank manage migrate`", plan)


def check_database_mode() -> Check:
    from django.db import connection

    def mode() -> Check:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode")
                journal = cursor.fetchone()[0]
                if journal.lower() != "wal":
                    return Check(
                        "database mode",
                        WARNING,
                        f"SQLite journal mode is {journal}, not WAL: readers wait for the crawler",
                        "put the data folder on a local disk (WAL needs shared memory)",
                    )
                return Check("database mode", OK, "SQLite in WAL mode")
            cursor.execute("SHOW server_version_num")
            number = int(cursor.fetchone()[0])
        version = f"{number // 10000}.{number % 10000}"
        if number < POSTGRES_OLDEST:
            return Check(
                "database mode",
                ERROR,
                f"PostgreSQL {version} is older than Django 5.2 supports",
                "upgrade to PostgreSQL 14 or later",
            )
        return Check("database mode", OK, f"PostgreSQL {version}")

    return _guard("database mode", "", mode)


def check_cache() -> Check:
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    redis = "Redis" in backend
    fix = (
        "check REDIS_URL and that Redis is running (redis-cli ping)"
        if redis
        else "check CACHES in the settings"
    )

    def round_trip() -> Check:
        if hasattr(cache, "ping"):  # the soft Redis cache would read a refusal as a miss
            cache.ping()
        key, value = f"newsrank:doctor:{uuid.uuid4().hex}", uuid.uuid4().hex
        cache.set(key, value, 30)
        back = cache.get(key)
        cache.delete(key)
        if back != value:
            return Check("cache", ERROR, f"{backend}: a value set was not read back", fix)
        if redis:
            return Check("cache", OK, f"Redis at {_redis_where(settings.CACHES['default'])}")
        return Check(
            "cache",
            OK,
            f"{backend}, one per process (set REDIS_URL to share one between processes)",
        )

    return _guard("cache", fix, round_trip)


def _redis_where(cache: dict) -> str:
    parts = urlsplit(str(cache.get("LOCATION", "")))
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"  # never the password


def check_analyzer() -> Check:
    def analyze() -> Check:
        from newsrank.search.analyzer import index_terms

        started = time.monotonic()
        terms = index_terms("인텔과 삼성전자가 손을 잡았다")
        if "인텔" not in terms:
            return Check(
                "search analyzer",
                ERROR,
                f"Kiwi loaded but analyzed a test sentence wrongly: {terms}",
                "reinstall kiwipiepy and kiwipiepy_model of the same version",
            )
        return Check("search analyzer", OK, f"Kiwi loaded in {time.monotonic() - started:.1f} s")

    return _guard(
        "search analyzer",
        "install kiwipiepy and kiwipiepy_model (pip install -e .); the model needs ~440 MB RAM",
        analyze,
    )


def check_disk() -> Check:
    from django.conf import settings

    folder = settings.DATA_DIR

    def usage() -> Check:
        free = shutil.disk_usage(folder).free
        detail = f"{free / 1024**3:.1f} GB free in {folder}"
        if not os.access(folder, os.W_OK):
            return Check("disk", ERROR, f"{folder} is not writable", f"chown/chmod {folder}")
        if free < DISK_ERROR:
            return Check("disk", ERROR, detail, "free some space: SQLite stops writing when full")
        if free < DISK_WARNING:
            return Check("disk", WARNING, detail, "free some space or move NEWSRANK_DATA_DIR")
        return Check("disk", OK, detail)

    return _guard("disk", "", usage)


def check_outlets(count: int = OUTLETS_CHECKED) -> list[Check]:
    """robots.txt of the first few enabled feeds' hosts, fetched as the crawler fetches."""
    try:
        return _reach_outlets(count)
    except Exception as error:  # a bug here must not hide the other checks' report
        return [Check("outlets", ERROR, f"{type(error).__name__}: {error}")]


def _reach_outlets(count: int) -> list[Check]:
    from django.conf import settings

    from newsrank.ingest.fetcher import FetchError, HTTPStatus, fetch_page, make_client, user_agent
    from newsrank.sources.models import Feed

    origins: list[str] = []
    for url in Feed.objects.filter(enabled=True).order_by("pk").values_list("url", flat=True):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
        if len(origins) == count:
            break
    if not origins:
        return [
            Check(
                "outlets",
                WARNING,
                "no feeds to crawl",
                "add some: `newsrank sources add URL` or `newsrank sources import FILE.opml`",
            )
        ]
    agent = user_agent(settings.NEWSRANK_SITE_NAME, settings.NEWSRANK_CONTACT_URL)
    checks = []
    with make_client(user_agent=agent, timeout=OUTLET_TIMEOUT) as client:
        for origin in origins:
            started = time.monotonic()
            try:
                page = fetch_page(
                    f"{origin}/robots.txt",
                    client=client,
                    allow_networks=settings.NEWSRANK_ALLOW_PRIVATE_HOSTS,
                    accept="text/plain",
                    max_bytes=1_000_000,
                    max_seconds=OUTLET_TIMEOUT,
                )
                status = page.status_code
            except HTTPStatus as error:
                status = error.status_code  # an answer all the same: the host is reachable
            except FetchError as error:
                checks.append(
                    Check(
                        f"outlet {origin}",
                        WARNING,
                        f"unreachable: {error.reason}",
                        _outlet_fix(error.reason),
                    )
                )
                continue
            elapsed = (time.monotonic() - started) * 1000
            checks.append(
                Check(f"outlet {origin}", OK, f"robots.txt answered {status} in {elapsed:.0f} ms")
            )
    return checks


def _outlet_fix(reason: str) -> str:
    if reason.startswith("refused:"):
        return "a private address: list its network in NEWSRANK_ALLOW_PRIVATE_HOSTS if intended"
    if "resolve" in reason:
        return "check this machine's DNS (and the feed's host name)"
    return "check this machine's outgoing network, firewall or proxy; the outlet may be down"


def render_text(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        detail = " ".join(check.detail.split())  # a driver's message may span lines
        lines.append(f"{check.status:<8} {check.name:<{width}}  {detail}")
        if check.fix and check.status != OK:
            lines.append(f"{'':<8} {'':<{width}}  → {check.fix}")
    errors = sum(check.status == ERROR for check in checks)
    warnings = sum(check.status == WARNING for check in checks)
    if errors:
        lines.append(f"newsrank doctor: {errors} problem(s) to fix, {warnings} warning(s)")
    else:
        lines.append(f"newsrank doctor: no problems, {warnings} warning(s)")
    return "\n".join(lines)


def as_json(checks: list[Check]) -> dict:
    return {"ok": not failed(checks), "checks": [asdict(check) for check in checks]}
