"""Fetch pages politely and safely: public addresses only, checked redirects, size and time caps.

Every failure is a `FetchError` whose `reason` is a short English message stored on the feed:

    FetchError              (raised itself only for a URL httpx cannot parse)
    ├── RefusedAddress      not an http(s) URL, or the host resolves to a non-public address
    ├── HTTPStatus          an answer other than 2xx, 304 or a redirect (.status_code, .retry_after)
    ├── TooLarge            the body, as sent or decompressed, passed max_bytes
    ├── TooManyRedirects    a redirect loop, or more than max_redirects
    ├── Timeout             connect/read timeout, or the whole fetch passed max_seconds
    └── NetworkError        DNS failure, connection refused or reset, TLS error, malformed response
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib import metadata
from urllib.parse import quote

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_LANGUAGE = "ko-KR,ko;q=0.9,en;q=0.5"
# Only gzip and deflate, whose output is at most ~1,032 times their input (RFC 1951 §3.2.5
# lengths), so one 64 KiB network read cannot decompress past ~66 MB before max_bytes applies.
ACCEPT_ENCODING = "gzip, deflate"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
_KINDS = (  # checked in this order; the first that applies names the refusal
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_private", "a private"),
    ("is_reserved", "a reserved"),
)


class FetchError(Exception):
    """A fetch failed; `reason` says why in a short English sentence."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


class RefusedAddress(FetchError):
    """The URL is not http(s), or its host resolves to an address the fetcher may not reach."""


class HTTPStatus(FetchError):
    """The server answered with an error status (or a redirect without a Location)."""

    def __init__(
        self, status_code: int, *, retry_after: float | None = None, url: str | None = None
    ):
        phrase = httpx.codes.get_reason_phrase(status_code)
        super().__init__(f"HTTP {status_code} {phrase}".strip(), url=url)
        self.status_code = status_code
        self.retry_after = retry_after  # seconds, from Retry-After (RFC 9110 §10.2.3)


class TooLarge(FetchError):
    """The response body passed `max_bytes`."""


class TooManyRedirects(FetchError):
    """The redirects loop or pass `max_redirects`."""


class Timeout(FetchError):
    """A connect or read timed out, or the whole fetch passed `max_seconds`."""


class NetworkError(FetchError):
    """The host could not be resolved or reached, or its answer was not valid HTTP."""


@dataclass(frozen=True)
class Page:
    """A fetched page: the final URL after redirects, its status, headers and body."""

    url: str
    status_code: int  # 2xx, or 304 when a conditional GET matched (content is then empty)
    headers: httpx.Headers
    content: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lowercased ("text/html"), or ""."""
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of the Content-Type header, if any."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def user_agent(site_name: str, contact_url: str) -> str:
    """An honest User-Agent: product/version, then a contact URL and the site name.

    Header values must be ASCII, so other characters (a Hangul site name) are percent-encoded,
    as are parentheses, which would end the comment (RFC 9110 §5.6.5, §10.1.5).
    """
    try:
        version = metadata.version("newsrank")
    except metadata.PackageNotFoundError:
        version = "dev"
    details = [_ascii(f"+{contact_url.strip()}") if contact_url.strip() else "", _ascii(site_name)]
    comment = "; ".join(part for part in details if part)
    return f"newsrank/{version} ({comment})" if comment else f"newsrank/{version}"


def _ascii(text: str) -> str:
    return quote(" ".join(text.split()), safe=" !#$%&'*+,-./:;<=>?@[]^_`{|}~")


def make_client(
    *, user_agent: str, transport: httpx.BaseTransport | None = None, timeout: float = 20.0
) -> httpx.Client:
    """An httpx client for `fetch_page`: our headers, a per-operation timeout, no auto-redirects."""
    if not user_agent.isascii():
        raise ValueError(f"User-Agent must be ASCII (see user_agent()): {user_agent!r}")
    headers = {
        "User-Agent": user_agent,
        "Accept-Language": ACCEPT_LANGUAGE,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    return httpx.Client(
        headers=headers, timeout=timeout, transport=transport, follow_redirects=False
    )


def resolve_host(host: str, port: int) -> list[str]:
    """The IP addresses `host` resolves to, without duplicates (the default `resolve`)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_address(address: str | IPAddress, allow_networks: Sequence[Network | str] = ()) -> None:
    """Raise RefusedAddress unless `address` is public or inside one of `allow_networks`.

    An IPv6 address that embeds an IPv4 one is judged by where it leads: IPv4-mapped
    (::ffff:0:0/96) and NAT64 (64:ff9b::/96, RFC 6052) addresses by their IPv4 address alone,
    6to4 (2002::/16) addresses by both.
    """
    ip = ipaddress.ip_address(address)
    judged = _judged_addresses(ip)
    networks = [ipaddress.ip_network(network) for network in allow_networks]
    if any(candidate in network for network in networks for candidate in {ip, *judged}):
        return
    for candidate in judged:
        if kind := _non_public_kind(candidate):
            via = f" (IPv4 {candidate})" if candidate != ip else ""
            raise RefusedAddress(f"refused: {ip} is {kind} address{via}")


def _judged_addresses(ip: IPAddress) -> list[IPAddress]:
    if isinstance(ip, ipaddress.IPv4Address):
        return [ip]
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return [ip, ip.sixtofour] if ip.sixtofour else [ip]


def _non_public_kind(ip: IPAddress) -> str | None:
    for attribute, kind in _KINDS:
        if getattr(ip, attribute):
            return kind
    # e.g. 100.64.0.0/10, the carrier-grade NAT space, is neither private nor global.
    return None if ip.is_global else "a non-public"


def fetch_page(
    url: str,
    *,
    client: httpx.Client,
    allow_networks: Sequence[Network | str] = (),
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = DEFAULT_ACCEPT,
    max_bytes: int = 5_000_000,
    max_seconds: float = 30.0,
    max_redirects: int = 5,
    resolve: Resolver | None = None,
) -> Page:
    """GET `url` and return the final page, or raise a FetchError subclass.

    The host of the URL and of every redirect is resolved and each of its addresses checked
    with `check_address` before anything is sent. `max_seconds` bounds the whole fetch: a
    trickling body is cut as soon as it passes; a silent server is cut by the read timeout,
    itself never longer than the time left. DNS lookups are not bounded by it.
    """
    resolve = resolve or resolve_host
    deadline = time.monotonic() + max_seconds
    headers = {"Accept": accept}
    # Conditional GET, RFC 9110 §13.1.2 and §13.1.3; a matching server answers 304 (§15.4.5).
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    target = _parse_url(url)
    seen: set[httpx.URL] = set()
    for _ in range(max_redirects + 1):
        _check_host(target, allow_networks, resolve)
        seen.add(target)
        with (
            _mapped_errors(target),
            client.stream(
                "GET",
                target,
                headers=headers,
                timeout=_timeout(client, deadline, max_seconds, target),
                follow_redirects=False,
            ) as response,
        ):
            if not response.has_redirect_location:
                return _page(response, target, max_bytes, deadline, max_seconds)
            next_target = _parse_url(response.headers["location"], base=target)
            # A site may redirect back to the same URL after setting a cookie (a "cookie check");
            # only a revisit without a new cookie is a loop.
            if next_target in seen and "set-cookie" not in response.headers:
                raise TooManyRedirects(f"redirect loop at {next_target}", url=str(target))
            target = next_target
    raise TooManyRedirects(f"more than {max_redirects} redirects", url=url)


def _parse_url(url: str, *, base: httpx.URL | None = None) -> httpx.URL:
    """Parse `url` (a redirect's Location when `base` is given) and refuse non-http(s) ones."""
    shown = url[:200]
    try:
        parsed = (base.join(url) if base else httpx.URL(url)).copy_with(fragment=None)
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL {shown!r}: {error}", url=url) from None
    if parsed.scheme not in ("http", "https"):
        what = "a redirect to a" if base else "a"
        raise RefusedAddress(f"refused: {what} non-http(s) URL ({shown})", url=url)
    if not parsed.host:
        raise FetchError(f"invalid URL {shown!r}: no host", url=url)
    return parsed


def _check_host(url: httpx.URL, allow_networks: Sequence[Network | str], resolve: Resolver) -> None:
    # Known gap: httpx resolves the name again to connect, so a DNS server that answers
    # differently the second time (DNS rebinding) is not caught; pinning the checked address
    # needs a custom httpcore network backend.
    try:
        addresses = [ipaddress.ip_address(url.host)]  # a literal IP needs no lookup
    except ValueError:
        try:
            found = resolve(url.raw_host.decode("ascii"), url.port or _default_port(url))
            addresses = [ipaddress.ip_address(address) for address in found]
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if not addresses:
            raise NetworkError(f"could not resolve host {url.host}", url=str(url)) from None
    for address in addresses:
        try:
            check_address(address, allow_networks)
        except RefusedAddress as error:
            error.url = str(url)
            raise


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _timeout(
    client: httpx.Client, deadline: float, max_seconds: float, url: httpx.URL
) -> httpx.Timeout:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Timeout(f"took longer than {max_seconds:g} s", url=str(url))
    limits = client.timeout
    return httpx.Timeout(
        connect=min(limits.connect or left, left),
        read=min(limits.read or left, left),
        write=min(limits.write or left, left),
        pool=min(limits.pool or left, left),
    )


def _page(
    response: httpx.Response, url: httpx.URL, max_bytes: int, deadline: float, max_seconds: float
) -> Page:
    status = response.status_code
    if status == 304:
        return Page(str(url), status, response.headers, b"")
    if not 200 <= status < 300:
        retry_after = _retry_after(response.headers.get("retry-after"))
        raise HTTPStatus(status, retry_after=retry_after, url=str(url))
    too_large = TooLarge(f"response larger than {_megabytes(max_bytes)}", url=str(url))
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > max_bytes:
        raise too_large
    chunks, size = [], 0
    for chunk in response.iter_bytes():  # decompressed, so a gzip bomb is counted as it expands
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise Timeout(f"took longer than {max_seconds:g} s", url=str(url))
        chunks.append(chunk)
    return Page(str(url), status, response.headers, b"".join(chunks))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB" if size >= 1_000_000 else f"{size:,} bytes"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After value, a delay or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 §5.6.7: HTTP-dates are GMT
        return None
    return max(when.timestamp() - time.time(), 0.0)


@contextlib.contextmanager
def _mapped_errors(url: httpx.URL) -> Iterator[None]:
    """Turn httpx's exceptions into FetchErrors with readable reasons."""
    host, where = url.host, str(url)
    try:
        yield
    except httpx.ConnectTimeout:
        raise Timeout(f"timed out connecting to {host}", url=where) from None
    except httpx.TimeoutException:
        raise Timeout(f"timed out waiting for {host}", url=where) from None
    except httpx.ConnectError as error:
        raise NetworkError(_connect_reason(error, host), url=where) from error
    except httpx.DecodingError:
        raise NetworkError(f"could not decompress the response from {host}", url=where) from None
    except httpx.TransportError as error:
        detail = str(error) or type(error).__name__
        raise NetworkError(f"network error with {host}: {detail}", url=where) from error


def _connect_reason(error: BaseException, host: str) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate of {host} not valid: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error with {host}: {cause.reason or cause}"
        if isinstance(cause, socket.gaierror):
            return f"could not resolve host {host}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host}"
        cause = cause.__cause__ or cause.__context__
    return f"could not connect to {host}: {error}"
