"""Django settings, all read from the environment (see README, "Configuration")."""

import os
from pathlib import Path

from newsrank import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("NEWSRANK_DEBUG", False)
ALLOWED_HOSTS = config.env_list("NEWSRANK_ALLOWED_HOSTS", ["*"])
CSRF_TRUSTED_ORIGINS = config.env_list("NEWSRANK_CSRF_TRUSTED_ORIGINS", [])

# Served over HTTPS (directly or behind a TLS proxy): secure cookies, HSTS, redirect from http.
# `newsrank manage check --deploy` is clean with NEWSRANK_HTTPS=1 (tests/test_security.py).
NEWSRANK_HTTPS = config.env_bool("NEWSRANK_HTTPS", False)
if NEWSRANK_HTTPS and "NEWSRANK_ALLOWED_HOSTS" not in os.environ:
    raise config.ConfigError(
        "NEWSRANK_HTTPS=1 needs NEWSRANK_ALLOWED_HOSTS, the site's host names (news.example.com)"
    )
SECURE_PROXY_SSL_HEADER = config.proxy_ssl_header()
SECURE_SSL_REDIRECT = NEWSRANK_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = config.env_int("NEWSRANK_HSTS_SECONDS", 31536000) if NEWSRANK_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("NEWSRANK_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = config.env_bool("NEWSRANK_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading asks browser makers to hard-code HTTPS for the domain: the operator's decision.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = NEWSRANK_HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # no script of ours reads them
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"  # outlets see the visit came from us
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # and frame-ancestors 'none' in the CSP (newsrank/security.py)
# Abuse limits (newsrank/security.py), counted in the cache: requests per client address to the
# API and search, and failed admin logins per address and per account. "off" turns one off.
NEWSRANK_API_RATE_LIMIT = config.env_rate("NEWSRANK_API_RATE_LIMIT", "120/min")
NEWSRANK_LOGIN_RATE_LIMIT = config.env_rate("NEWSRANK_LOGIN_RATE_LIMIT", "5/15min")
# How many reverse proxies append to X-Forwarded-For in front of newsrank (0: none, trust none).
NEWSRANK_TRUSTED_PROXIES = config.env_int("NEWSRANK_TRUSTED_PROXIES", 0)
NEWSRANK_ADMIN_PATH = config.admin_path()

NEWSRANK_SITE_NAME = os.environ.get("NEWSRANK_SITE_NAME") or "뉴스랭크"
NEWSRANK_ALLOW_PRIVATE_HOSTS = config.allowed_networks()
NEWSRANK_CONTACT_URL = os.environ.get(
    "NEWSRANK_CONTACT_URL", "https://github.com/newsrank/newsrank"
)
# Each feed is polled as often as it publishes, within these bounds (a feed may set its own).
NEWSRANK_MIN_POLL_SECONDS = config.env_int("NEWSRANK_MIN_POLL_SECONDS", 60)
NEWSRANK_MAX_POLL_SECONDS = config.env_int("NEWSRANK_MAX_POLL_SECONDS", 6 * 3600)
# Politeness towards each outlet's host, and how many articles a crawler fetches at once.
NEWSRANK_HOST_CONCURRENCY = config.env_int("NEWSRANK_HOST_CONCURRENCY", 2)
NEWSRANK_HOST_DELAY = config.env_float("NEWSRANK_HOST_DELAY", 1.0)
NEWSRANK_OBEY_ROBOTS = config.env_bool("NEWSRANK_OBEY_ROBOTS", True)
NEWSRANK_CRAWL_THREADS = config.env_int("NEWSRANK_CRAWL_THREADS", 4)
# A request to an outlet: seconds to connect or between two reads, and for the whole fetch (a
# server that trickles bytes is cut by the second; neither holds a host's slot longer).
NEWSRANK_FETCH_TIMEOUT = config.env_float("NEWSRANK_FETCH_TIMEOUT", 20.0)
NEWSRANK_FETCH_SECONDS = config.env_float("NEWSRANK_FETCH_SECONDS", 30.0)
# How long a crawler holds a claimed feed; a crashed crawler's feeds are taken over after it.
NEWSRANK_LEASE_SECONDS = config.env_int("NEWSRANK_LEASE_SECONDS", 600)
NEWSRANK_PAGE_SIZE = 20
# The web server (newsrank/serve.py): threads per gunicorn worker process. 16 rather than 4: at
# 200 clients on 2 cores, 2.4x the requests per second at a third of the median latency
# (bench/RESULTS.md, "Throughput under load"). A thread keeps a database connection while it
# renders pages (PostgreSQL: CONN_MAX_AGE), so workers x threads x machines counts against
# max_connections; cached pages use none.
NEWSRANK_WEB_THREADS = config.env_int("NEWSRANK_WEB_THREADS", 16)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its sitemap templates (newsrank/sitemaps.py)
    "newsrank.api",  # its templates: the API's documentation page
    "newsrank.sources",
    "newsrank.board",
    "newsrank.search",
    "newsrank.stories",
]

MIDDLEWARE = [
    "newsrank.ops.metrics.RequestMetricsMiddleware",  # first: times every answer, cached or 429
    "django.middleware.security.SecurityMiddleware",
    "newsrank.security.SecurityHeadersMiddleware",
    "newsrank.security.RateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsrank.errors.DatabaseUnavailableMiddleware",  # 503 while the database is down
    # Before sessions and auth, so a cached page costs none of their work (newsrank/httpcache.py).
    "newsrank.httpcache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "newsrank.security.LoginThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "newsrank.urls"
WSGI_APPLICATION = "newsrank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsrank.board.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": config.database_from_url(
        os.environ.get("DATABASE_URL", ""), DATA_DIR / "newsrank.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ko"
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Serve app static files straight from the packages, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Local memory (one cache per process) by default; Redis, shared by every web process and crawler,
# when REDIS_URL is set, e.g. redis://127.0.0.1:6379/0 (docs/deploy.md).
CACHES = {
    "default": {
        # Fails soft (newsrank/cache.py): with Redis down or hanging, pages are served uncached;
        # a Redis that stops answering costs one request a second, then is left alone 5 s.
        "BACKEND": "newsrank.cache.ResilientRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ.get("NEWSRANK_CACHE_PREFIX", "newsrank"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1000},  # pages are ~20-60 kB: at most ~50 MB a process
    }
}

# NEWSRANK_LOG_FORMAT=json writes one JSON object per line, for log shippers (newsrank/ops/logs.py).
NEWSRANK_LOG_FORMAT = os.environ.get("NEWSRANK_LOG_FORMAT", "").strip().lower() or "plain"
if NEWSRANK_LOG_FORMAT not in ("plain", "json"):
    raise config.ConfigError(f"NEWSRANK_LOG_FORMAT={NEWSRANK_LOG_FORMAT!r}: use plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "newsrank.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": NEWSRANK_LOG_FORMAT},
    },
    "loggers": {
        "newsrank": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
