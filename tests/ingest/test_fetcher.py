import gzip
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network

import httpx
import pytest

from newsrank.ingest.fetcher import (
    FetchError,
    HTTPStatus,
    NetworkError,
    Page,
    RefusedAddress,
    Timeout,
    TooLarge,
    TooManyRedirects,
    check_address,
    fetch_page,
    make_client,
    resolve_host,
    user_agent,
)

PUBLIC = "93.184.216.34"  # a global unicast address; TEST-NET (203.0.113.0/24) is not global
UA = "newsrank/test (+https://newsrank.example/about)"
LOOPBACK = [ip_network("127.0.0.0/8")]
HTML = "<html><body><p>한국어 뉴스</p></body></html>".encode()


def resolver(table=None, default=PUBLIC):
    """A `resolve` for tests: host → addresses from `table`, else the public default."""
    table = table or {}
    calls = []

    def resolve(host, port):
        calls.append((host, port))
        return list(table.get(host, [default]))

    resolve.calls = calls
    return resolve


def mock_client(handler):
    """A client whose transport answers with `handler`; `client.requests` records what was sent."""
    requests = []

    def record(request):
        requests.append(request)
        return handler(request)

    client = make_client(user_agent=UA, transport=httpx.MockTransport(record))
    client.requests = requests
    return client


def html(request):
    return httpx.Response(200, headers={"Content-Type": "text/html; charset=utf-8"}, content=HTML)


def redirect(location, status=302, **headers):
    return httpx.Response(status, headers={"Location": location, **headers})


# --- the address check ---------------------------------------------------------------------

REFUSED_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "non-public"),  # carrier-grade NAT
    ("224.0.0.251", "multicast"),
    ("255.255.255.255", "private"),
    ("240.0.0.1", "private"),
    ("203.0.113.5", "private"),  # TEST-NET-3
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "private"),  # documentation
    ("::ffff:127.0.0.1", "loopback address (IPv4 127.0.0.1)"),
    ("::ffff:10.0.0.5", "private address (IPv4 10.0.0.5)"),
    ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::7f00:1", "loopback address (IPv4 127.0.0.1)"),  # NAT64
    ("2002:7f00:1::", "loopback address (IPv4 127.0.0.1)"),  # 6to4
    ("::127.0.0.1", "reserved"),  # IPv4-compatible (deprecated)
]


@pytest.mark.parametrize(("address", "kind"), REFUSED_ADDRESSES)
def test_refuses_non_public_address(address, kind):
    with pytest.raises(RefusedAddress, match="refused: .* is an? ") as caught:
        check_address(address)
    assert kind in caught.value.reason


@pytest.mark.parametrize(
    "address",
    [
        PUBLIC,
        "8.8.8.8",
        "211.234.10.1",
        "2606:4700:4700::1111",
        "::ffff:93.184.216.34",
        "64:ff9b::5db8:d822",  # NAT64 of a public IPv4 address (DNS64 networks)
        "2002:5db8:d822::",
    ],
)
def test_accepts_public_address(address):
    check_address(address)


@pytest.mark.parametrize(
    ("address", "networks"),
    [
        ("127.0.0.1", LOOPBACK),
        ("::ffff:127.0.0.1", LOOPBACK),
        ("10.1.2.3", ["10.0.0.0/8"]),
        ("fd00::5", [ip_network("fd00::/8")]),
        ("::1", [ip_network("::1/128"), ip_network("10.0.0.0/8")]),
    ],
)
def test_accepts_non_public_address_inside_allowed_network(address, networks):
    check_address(address, networks)


def test_allowed_network_does_not_open_other_private_addresses():
    with pytest.raises(RefusedAddress, match="10.0.0.5 is a private address"):
        check_address("10.0.0.5", LOOPBACK)


# --- fetching through a mock transport -----------------------------------------------------


def test_fetches_page_with_polite_headers():
    client = mock_client(html)
    page = fetch_page("https://news.example/a#top", client=client, resolve=resolver())
    (request,) = client.requests
    assert request.headers["User-Agent"] == UA
    assert request.headers["Accept-Language"] == "ko-KR,ko;q=0.9,en;q=0.5"
    assert request.headers["Accept"].startswith("text/html")
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers
    assert page == Page("https://news.example/a", 200, page.headers, HTML)
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"


def test_checks_every_address_the_host_resolves_to():
    client = mock_client(html)
    resolve = resolver({"news.example": [PUBLIC, "10.0.0.5"]})
    with pytest.raises(RefusedAddress, match="refused: 10.0.0.5 is a private address"):
        fetch_page("https://news.example/", client=client, resolve=resolve)
    assert client.requests == []
    assert resolve.calls == [("news.example", 443)]


def test_literal_ip_host_needs_no_lookup():
    def fail(host, port):
        raise AssertionError("looked up a literal address")

    client = mock_client(html)
    with pytest.raises(RefusedAddress, match="169.254.169.254 is a link-local"):
        fetch_page("http://169.254.169.254/latest/meta-data/", client=client, resolve=fail)
    page = fetch_page(f"http://{PUBLIC}/", client=client, resolve=fail)
    assert page.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["http://[::1]/", "http://[::ffff:127.0.0.1]:8080/", "http://[fe80::1]/", "http://0.0.0.0/"],
)
def test_refuses_literal_non_public_ip_url(url):
    client = mock_client(html)
    with pytest.raises(RefusedAddress):
        fetch_page(url, client=client, resolve=resolver())
    assert client.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.example/a", "gopher://x/"])
def test_refuses_non_http_url(url):
    with pytest.raises(RefusedAddress, match="non-http"):
        fetch_page(url, client=mock_client(html), resolve=resolver())


def test_refuses_redirect_to_private_address():
    def handler(request):
        if request.url.host == "news.example":
            return redirect("http://intranet.example/admin")
        return html(request)

    client = mock_client(handler)
    resolve = resolver({"intranet.example": ["10.0.0.5"]})
    with pytest.raises(RefusedAddress, match="10.0.0.5 is a private address") as caught:
        fetch_page("https://news.example/a", client=client, resolve=resolve)
    assert [str(request.url) for request in client.requests] == ["https://news.example/a"]
    assert caught.value.url == "http://intranet.example/admin"


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:8000/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/"],
)
def test_refuses_redirect_to_literal_private_address(location):
    client = mock_client(lambda request: redirect(location, 301))
    with pytest.raises(RefusedAddress):
        fetch_page("https://news.example/", client=client, resolve=resolver())
    assert len(client.requests) == 1


def test_refuses_redirect_to_non_http_url():
    client = mock_client(lambda request: redirect("ftp://news.example/file"))
    with pytest.raises(RefusedAddress, match="redirect to a non-http"):
        fetch_page("https://news.example/", client=client, resolve=resolver())


def test_follows_relative_redirect_and_reports_final_url():
    def handler(request):
        if request.url.path == "/news/old":
            return redirect("new?idxno=5", 301)
        return html(request)

    client = mock_client(handler)
    page = fetch_page("https://news.example/news/old", client=client, resolve=resolver())
    assert page.url == "https://news.example/news/new?idxno=5"
    assert page.content == HTML


def test_redirect_loop_is_too_many_redirects():
    paths = {"/a": "/b", "/b": "/a"}
    client = mock_client(lambda request: redirect(paths[request.url.path]))
    with pytest.raises(TooManyRedirects, match="redirect loop at https://news.example/a"):
        fetch_page("https://news.example/a", client=client, resolve=resolver())
    assert len(client.requests) == 2


def test_stops_after_max_redirects():
    client = mock_client(lambda request: redirect(f"/{int(request.url.path[1:]) + 1}"))
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        fetch_page("https://news.example/0", client=client, resolve=resolver(), max_redirects=3)
    assert len(client.requests) == 4


def test_redirect_back_after_setting_cookie_is_not_a_loop():
    def handler(request):
        if "visited=1" in request.headers.get("cookie", ""):
            return html(request)
        return redirect("/a", **{"Set-Cookie": "visited=1; Path=/"})

    client = mock_client(handler)
    page = fetch_page("https://news.example/a", client=client, resolve=resolver())
    assert page.status_code == 200
    assert len(client.requests) == 2


def test_sends_conditional_headers_and_returns_304_page():
    def handler(request):
        assert request.headers["If-None-Match"] == '"v1"'
        assert request.headers["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT"
        return httpx.Response(304, headers={"ETag": '"v1"'})

    page = fetch_page(
        "https://news.example/rss",
        client=mock_client(handler),
        resolve=resolver(),
        etag='"v1"',
        last_modified="Wed, 21 Oct 2015 07:28:00 GMT",
        accept="application/rss+xml",
    )
    assert (page.status_code, page.content, page.etag) == (304, b"", '"v1"')


def test_returns_validators_of_a_full_response():
    def handler(request):
        headers = {"ETag": 'W/"abc"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"}
        return httpx.Response(200, headers=headers, content=b"<rss/>")

    page = fetch_page("https://news.example/rss", client=mock_client(handler), resolve=resolver())
    assert page.etag == 'W/"abc"'
    assert page.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (403, "HTTP 403 Forbidden"),
        (500, "HTTP 500 Internal Server Error"),
        (300, "HTTP 300 Multiple Choices"),
        (302, "HTTP 302 Found"),  # a redirect without a Location
        (599, "HTTP 599"),
    ],
)
def test_error_status_has_readable_reason(status, reason):
    client = mock_client(lambda request: httpx.Response(status, text="<h1>error</h1>"))
    with pytest.raises(HTTPStatus) as caught:
        fetch_page("https://news.example/gone", client=client, resolve=resolver())
    assert caught.value.reason == reason
    assert caught.value.status_code == status
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("-5", None),
    ],
)
def test_keeps_retry_after_seconds(retry_after, expected):
    headers = {"Retry-After": retry_after}
    client = mock_client(lambda request: httpx.Response(503, headers=headers))
    with pytest.raises(HTTPStatus, match="HTTP 503 Service Unavailable") as caught:
        fetch_page("https://news.example/", client=client, resolve=resolver())
    assert caught.value.retry_after == expected


def test_retry_after_http_date_becomes_seconds_from_now():
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    client = mock_client(lambda request: httpx.Response(429, headers={"Retry-After": when}))
    with pytest.raises(HTTPStatus) as caught:
        fetch_page("https://news.example/", client=client, resolve=resolver())
    assert 80 <= caught.value.retry_after <= 90


def test_refuses_body_larger_than_max_bytes():
    chunks = (b"x" * 1000 for _ in range(10))
    client = mock_client(lambda request: httpx.Response(200, content=chunks))
    with pytest.raises(TooLarge, match="response larger than 5,000 bytes"):
        fetch_page("https://news.example/", client=client, resolve=resolver(), max_bytes=5000)


def test_refuses_declared_content_length_without_reading():
    def handler(request):
        return httpx.Response(
            200, headers={"Content-Length": "6000000"}, stream=httpx.ByteStream(b"")
        )

    with pytest.raises(TooLarge, match="response larger than 5 MB"):
        fetch_page("https://news.example/", client=mock_client(handler), resolve=resolver())


def test_counts_decompressed_bytes_of_a_gzip_bomb():
    bomb = gzip.compress(b"\0" * 3_000_000)
    assert len(bomb) < 10_000

    def handler(request):
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    with pytest.raises(TooLarge, match="larger than 1 MB"):
        fetch_page(
            "https://news.example/",
            client=mock_client(handler),
            resolve=resolver(),
            max_bytes=1_000_000,
        )


def test_decompresses_gzip_body():
    def handler(request):
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(HTML)
        )

    page = fetch_page("https://news.example/", client=mock_client(handler), resolve=resolver())
    assert page.content == HTML


def test_trickling_body_hits_the_time_cap():
    def trickle():
        for _ in range(100):
            yield b"x"
            time.sleep(0.05)

    client = mock_client(lambda request: httpx.Response(200, content=trickle()))
    started = time.monotonic()
    with pytest.raises(Timeout, match="took longer than 0.3 s"):
        fetch_page("https://news.example/", client=client, resolve=resolver(), max_seconds=0.3)
    assert time.monotonic() - started < 1.0


def test_dns_failure_has_readable_reason():
    def resolve(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(NetworkError, match="^could not resolve host news.example$"):
        fetch_page("https://news.example/", client=mock_client(html), resolve=resolve)


def test_empty_dns_answer_is_a_resolution_failure():
    with pytest.raises(NetworkError, match="could not resolve host"):
        fetch_page("https://news.example/", client=mock_client(html), resolve=lambda h, p: [])


@pytest.mark.parametrize(
    ("error", "expected", "reason"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            NetworkError,
            "could not connect to news.example",
        ),
        (httpx.ConnectTimeout("timed out"), Timeout, "timed out connecting to news.example"),
        (httpx.ReadTimeout("timed out"), Timeout, "timed out waiting for news.example"),
        (
            httpx.RemoteProtocolError("illegal header"),
            NetworkError,
            "network error with news.example",
        ),
        (httpx.ReadError("connection reset"), NetworkError, "network error with news.example"),
    ],
)
def test_maps_httpx_errors_to_fetch_errors(error, expected, reason):
    def handler(request):
        raise error

    with pytest.raises(expected, match=reason) as caught:
        fetch_page("https://news.example/", client=mock_client(handler), resolve=resolver())
    assert isinstance(caught.value, FetchError)
    assert caught.value.url == "https://news.example/"


def test_corrupt_gzip_is_a_network_error():
    def handler(request):
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all")

    with pytest.raises(NetworkError, match="could not decompress"):
        fetch_page("https://news.example/", client=mock_client(handler), resolve=resolver())


# --- pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "media_type", "charset"),
    [
        ("text/html; charset=UTF-8", "text/html", "UTF-8"),
        ("Text/HTML;charset=EUC-KR", "text/html", "EUC-KR"),
        (
            'application/xhtml+xml; charset="ks_c_5601-1987"',
            "application/xhtml+xml",
            "ks_c_5601-1987",
        ),
        ("text/html", "text/html", None),
        (None, "", None),
    ],
)
def test_page_reads_content_type(content_type, media_type, charset):
    headers = httpx.Headers({"Content-Type": content_type} if content_type else {})
    page = Page("https://news.example/", 200, headers, b"")
    assert (page.content_type, page.charset) == (media_type, charset)
    assert (page.etag, page.last_modified) == (None, None)


@pytest.mark.parametrize(
    ("site_name", "contact_url", "expected_comment"),
    [
        ("NewsRank", "https://news.example/about", "(+https://news.example/about; NewsRank)"),
        (
            "뉴스랭크",
            "https://news.example/about",
            "(+https://news.example/about; %EB%89%B4%EC%8A%A4%EB%9E%AD%ED%81%AC)",
        ),
        ("My (Board)", "https://news.example/", "(+https://news.example/; My %28Board%29)"),
        ("", "https://news.example/", "(+https://news.example/)"),
        ("Board\r\nX-Evil: 1", "", "(Board X-Evil: 1)"),
    ],
)
def test_user_agent_is_honest_and_ascii(site_name, contact_url, expected_comment):
    agent = user_agent(site_name, contact_url)
    assert agent.startswith("newsrank/")
    assert agent.endswith(" " + expected_comment)
    assert agent.isascii()
    make_client(user_agent=agent).close()


def test_make_client_rejects_non_ascii_user_agent():
    with pytest.raises(ValueError, match="ASCII"):
        make_client(user_agent="newsrank (뉴스랭크)")


def test_default_resolver_returns_ip_strings():
    assert resolve_host("127.0.0.1", 80) == ["127.0.0.1"]


# --- a real server on loopback ---------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    stop = threading.Event()
    requests: list[str] = []

    def do_GET(self):
        self.requests.append(self.path)
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    if self.stop.wait(0.05):
                        return
                    self.wfile.write(b"x")
                    self.wfile.flush()
            except OSError:
                return
        elif self.path == "/silent":
            self.stop.wait(5)
        elif self.path == "/redirect-home":
            self.send_response(302)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(HTML)))
            self.end_headers()
            self.wfile.write(HTML)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    Handler.stop.clear()
    Handler.requests.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def client():
    with make_client(user_agent=UA, timeout=5.0) as client:
        yield client


def test_refuses_loopback_by_default(server, client):
    with pytest.raises(RefusedAddress, match="refused: 127.0.0.1 is a loopback address"):
        fetch_page(server + "/", client=client)
    assert Handler.requests == []


def test_fetches_loopback_when_allowed(server, client):
    page = fetch_page(server + "/redirect-home", client=client, allow_networks=LOOPBACK)
    assert page.url == server + "/"
    assert page.content == HTML
    assert Handler.requests == ["/redirect-home", "/"]


def test_refuses_localhost_name_by_default(server, client):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(RefusedAddress, match="loopback"):
        fetch_page(f"http://localhost:{port}/", client=client)


def test_trickling_server_hits_the_time_cap(server, client):
    started = time.monotonic()
    with pytest.raises(Timeout, match="took longer than 0.5 s"):
        fetch_page(server + "/trickle", client=client, allow_networks=LOOPBACK, max_seconds=0.5)
    assert time.monotonic() - started < 1.5


def test_silent_server_is_cut_within_the_time_cap(server, client):
    started = time.monotonic()
    with pytest.raises(Timeout, match="timed out waiting for 127.0.0.1"):
        fetch_page(server + "/silent", client=client, allow_networks=LOOPBACK, max_seconds=0.5)
    assert time.monotonic() - started < 1.5


def test_connection_refused_has_readable_reason(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkError, match="connection refused by 127.0.0.1"):
        fetch_page(f"http://127.0.0.1:{port}/", client=client, allow_networks=LOOPBACK)
