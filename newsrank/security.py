"""Response headers and abuse limits: the Content-Security-Policy, API rate limits, admin login throttle.

Three middlewares, each cheap enough to sit in front of every request:

    SecurityHeadersMiddleware  a Content-Security-Policy with no inline script or style, and a
                               Permissions-Policy; Django's SecurityMiddleware sets the others
                               (HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy).
    RateLimitMiddleware        at most NEWSRANK_API_RATE_LIMIT requests per client address and
                               window to /api/ and /search; beyond it a 429 with Retry-After.
    LoginThrottleMiddleware    at most NEWSRANK_LOGIN_RATE_LIMIT failed admin logins per address
                               and per account name and window; beyond it a 429 with the wait.

Counters live in Django's default cache, one integer per client and window (fixed windows), so
they are shared by every process when the cache is Redis and cost one increment a request. With
the default per-process memory cache each process counts alone: the limit is then per process.
If the cache fails, requests are let through: a limiter must never take the site down with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import reverse

log = logging.getLogger(__name__)

clock = time.time  # the tests move it


def content_security_policy(*, https: bool) -> str:
    """The site's CSP: our own scripts, styles and fonts only; outlet photos from any https host.

    Post bodies show the outlets' photos from the outlets' own servers (newsrank keeps no copy),
    so images may come from any https: origin. Over plain HTTP (a local install, the demo on
    loopback) http: images are allowed too; over HTTPS they would be mixed content, so instead
    `upgrade-insecure-requests` asks for them over https. data: images are not needed: the
    sanitizer drops data: URLs from article HTML. An <img> never runs script, SVG or not.
    """
    images = "'self' https:" if https else "'self' https: http:"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


# No page of ours uses these; an injected script that slipped through still cannot.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Add the CSP and Permissions-Policy to every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy(https=settings.NEWSRANK_HTTPS)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# ---------------------------------------------------------------- who is asking


def client_address(request) -> str:
    """The client's address; behind NEWSRANK_TRUSTED_PROXIES proxies, the one the outermost saw.

    Each proxy appends the address it received from to X-Forwarded-For, so with N trusted proxies
    the N-th entry from the right is the client; anything further left the client wrote itself.
    An IPv6 client counts by its /64, which one device or household can fill with addresses.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.NEWSRANK_TRUSTED_PROXIES
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            address = forwarded[-min(hops, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# ---------------------------------------------------------------- counting in windows


def _key(kind: str, who: str, window: int, now: float) -> str:
    # Hashed: account names and addresses may hold characters memcached-style keys refuse.
    digest = hashlib.sha256(who.encode()).hexdigest()[:24]
    return f"limit:{kind}:{digest}:{int(now // window)}"


def _retry_after(window: int, now: float) -> int:
    """Seconds until the current window ends (at least 1)."""
    return max(1, math.ceil((now // window + 1) * window - now))


def count_hit(kind: str, who: str, window: int) -> int:
    """Add one to `who`'s count in the current window and return the count (0 if the cache fails)."""
    now = clock()
    key = _key(kind, who, window, now)
    try:
        try:
            return cache.incr(key)
        except ValueError:  # the window's first hit; add() loses a race to another process
            if cache.add(key, 1, timeout=window + 1):
                return 1
            return cache.incr(key)
    except Exception:
        log.warning("rate limit: cache unavailable, letting the request through", exc_info=True)
        return 0


def current_count(kind: str, who: str, window: int) -> int:
    try:
        return cache.get(_key(kind, who, window, clock()), 0)
    except Exception:
        log.warning("rate limit: cache unavailable, letting the request through", exc_info=True)
        return 0


def forget(kind: str, who: str, window: int) -> None:
    try:
        cache.delete(_key(kind, who, window, clock()))
    except Exception:
        log.warning("rate limit: cache unavailable", exc_info=True)


# ---------------------------------------------------------------- the API and search


LIMITED_PREFIXES = ("/api/", "/search")


class RateLimitMiddleware:
    """429 with Retry-After once an address has made its allowance of API and search requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = settings.NEWSRANK_API_RATE_LIMIT
        if rate and request.path.startswith(LIMITED_PREFIXES):
            limit, window = rate
            if count_hit("api", client_address(request), window) > limit:
                return _too_many(request, window)
        return self.get_response(request)


def _too_many(request, window: int) -> HttpResponse:
    wait = _retry_after(window, clock())
    message = f"요청이 너무 많습니다. {wait}초 뒤에 다시 시도하세요."
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"status": 429, "message": message, "retry_after": wait}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response


# ---------------------------------------------------------------- admin login


class LoginThrottleMiddleware:
    """Refuse admin login attempts from an address or for an account with too many failures.

    A failure is a POST to the login page that leaves the user anonymous and re-shows the form
    (200); a success (a redirect) clears the account's count. Both the address and the account
    are counted, so neither one address guessing many accounts nor many addresses guessing one
    account gets more than the allowance per window. The price: a stranger can lock an account
    out for one window; the admin waits it out (or logs in from where the attack is not).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = settings.NEWSRANK_LOGIN_RATE_LIMIT
        if not rate or request.method != "POST" or request.path != reverse("admin:login"):
            return self.get_response(request)
        limit, window = rate
        address = client_address(request)
        account = request.POST.get("username", "").strip().lower()[:150]
        counted = [("login-address", address), ("login-account", account)]
        if any(current_count(kind, who, window) >= limit for kind, who in counted):
            return _login_refused(window)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            forget("login-account", account, window)
        elif response.status_code == 200:
            for kind, who in counted:
                count_hit(kind, who, window)
        return response


def _login_refused(window: int) -> HttpResponse:
    wait = _retry_after(window, clock())
    minutes = math.ceil(wait / 60)
    response = HttpResponse(
        f"로그인 시도가 너무 많습니다. {minutes}분 뒤에 다시 시도하세요.\n"
        f"Too many login attempts; try again in {wait} seconds.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    return response
