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
# How long a crawler holds a claimed feed; a crashed crawler's feeds are taken over after it.
NEWSRANK_LEASE_SECONDS = config.env_int("NEWSRANK_LEASE_SECONDS", 600)
NEWSRANK_PAGE_SIZE = 20

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "newsrank.sources",
    "newsrank.board",
    "newsrank.search",
    "newsrank.stories",
]

MIDDLEWARE = [
    "newsrank.ops.metrics.RequestMetricsMiddleware",  # first: times every answer, cached or 429
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
