"""OPML 2.0 reading and writing, with files shaped like other feed readers' exports."""

import http.server
import threading
from datetime import UTC, datetime

import lxml.etree
import pytest

from newsrank.sources.opml import OpmlError, OpmlFeed, parse_opml, write_opml


def opml(body: str, head: str = "<head><title>구독</title></head>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><opml version="2.0">{head}<body>{body}</body></opml>'.encode()


def as_tuples(feeds: list[OpmlFeed]) -> list[tuple[str, str, str]]:
    return [(feed.outlet, feed.section, feed.url) for feed in feeds]


def test_writes_one_folder_per_outlet_with_the_section_as_category():
    document = write_opml(
        [
            OpmlFeed(
                "https://a.example/rss/politics", "가람일보", "정치", html_url="https://a.example/"
            ),
            OpmlFeed("https://a.example/rss/all", "가람일보", ""),
            OpmlFeed("https://b.example/feed", "누리신문", "경제"),
        ],
        now=datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
    )
    root = lxml.etree.fromstring(document)
    assert root.get("version") == "2.0"
    assert root.findtext("head/dateCreated") == "Sat, 28 Nov 2026 03:00:00 +0000"
    folders = root.findall("body/outline")
    assert [folder.get("text") for folder in folders] == ["가람일보", "누리신문"]
    first, general = folders[0]
    assert first.attrib == {
        "type": "rss",
        "text": "가람일보 정치",
        "title": "가람일보 정치",
        "category": "정치",
        "xmlUrl": "https://a.example/rss/politics",
        "htmlUrl": "https://a.example/",
    }
    assert general.get("title") == "가람일보" and "category" not in general.attrib


def test_round_trips_outlets_sections_and_urls():
    feeds = [
        OpmlFeed(
            "https://a.example/rss/politics", "가람일보", "정치", html_url="https://a.example/"
        ),
        OpmlFeed("https://a.example/rss/all", "가람일보", "", html_url="https://a.example/"),
        OpmlFeed("https://feeds.example.net/b", "누리 & 신문", "IT·과학"),
        OpmlFeed("https://b.example/feed?x=1&y=2", "누리 & 신문", "마켓+"),
    ]
    assert as_tuples(parse_opml(write_opml(feeds))) == as_tuples(feeds)


# A Miniflux / FreshRSS / Feedly style export: topic folders, feed titles as the sites name them,
# no category attribute.
READER_EXPORT = opml(
    """
  <outline text="뉴스" title="뉴스">
    <outline type="rss" text="연합뉴스 최신기사" title="연합뉴스 최신기사"
             xmlUrl="https://www.yna.co.kr/rss/news.xml" htmlUrl="https://www.yna.co.kr/"/>
    <outline type="rss" text="한겨레" title="한겨레"
             xmlUrl="https://www.hani.co.kr/rss/" htmlUrl="https://www.hani.co.kr/"/>
  </outline>
  <outline text="한겨레" title="한겨레">
    <outline type="rss" text="한겨레 정치" xmlUrl="https://www.hani.co.kr/rss/politics/"/>
    <outline type="rss" text="스포츠" xmlUrl="https://www.hani.co.kr/rss/sports/"/>
  </outline>
  <outline text="ZDNet Korea">
    <outline type="rss" text="ZDNet Korea 전체" xmlUrl="https://feeds.feedburner.com/zdkorea"/>
    <outline type="rss" text="ZDNet Korea" xmlUrl="https://zdnet.co.kr/feed/"/>
  </outline>"""
)


def test_reads_a_readers_topic_folders_as_sections_and_outlet_folders_as_outlets():
    assert as_tuples(parse_opml(READER_EXPORT)) == [
        # "뉴스" holds feeds of two sites: a topic, so each feed's title names its outlet.
        ("연합뉴스 최신기사", "뉴스", "https://www.yna.co.kr/rss/news.xml"),
        ("한겨레", "뉴스", "https://www.hani.co.kr/rss/"),
        # "한겨레" holds one site's feeds: the outlet; its name is taken off the titles.
        ("한겨레", "정치", "https://www.hani.co.kr/rss/politics/"),
        ("한겨레", "", "https://www.hani.co.kr/rss/sports/"),
        # Two hosts, but every title begins with the folder's name.
        ("ZDNet Korea", "전체", "https://feeds.feedburner.com/zdkorea"),
        ("ZDNet Korea", "", "https://zdnet.co.kr/feed/"),
    ]


def test_reads_flat_lists_and_odd_spellings():
    document = opml(
        """<outline type="rss" text="누리신문 경제" xmlurl="https://nuri.example/economy"/>
        <outline text="이름만" title="이름만" type="rss" xmlUrl="  https://x.example/rss  "
                 category="/경제/증권, 기타"/>
        <outline text="링크" type="link" url="https://not-a-feed.example/"/>
        <outline title="빈 폴더"/>"""
    )
    assert as_tuples(parse_opml(document)) == [
        ("누리신문 경제", "", "https://nuri.example/economy"),
        ("이름만", "경제/증권", "https://x.example/rss"),
    ]


def test_reads_euc_kr_files_as_cp949():
    document = (
        '<?xml version="1.0" encoding="euc-kr"?><opml version="1.0"><body>'
        '<outline text="똠방일보" xmlUrl="https://ttom.example/rss"/></body></opml>'
    ).encode("cp949")
    assert parse_opml(document)[0].outlet == "똠방일보"


def test_an_empty_list_is_no_error():
    assert parse_opml(opml("")) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<opml><body><outline text='x'", "not valid XML"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML file: the document is <rss>"),
        (b"<html><body>hi</body></html>", "not an OPML file"),
        (b"<opml version='2.0'><head/></opml>", "has no <body>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>',
            "entities",
        ),
    ],
)
def test_bad_files_raise_a_readable_error(content, reason):
    with pytest.raises(OpmlError, match=reason):
        parse_opml(content)


def test_never_loads_an_external_dtd(tmp_path):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY ext "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = tmp_path / "evil.dtd"
    local.write_text('<!ENTITY ext "read from disk">')
    try:
        for system in (f"http://127.0.0.1:{server.server_port}/evil.dtd", local.as_uri()):
            document = (
                f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "{system}"><opml><body>'
                "<outline text='a&ext;b' xmlUrl='https://x.example/'/></body></opml>"
            ).encode()
            assert parse_opml(document)[0].outlet == "ab"
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
