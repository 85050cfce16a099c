"""`/_trouble/`: the broken and tricky inputs a crawler meets, served beside the sample outlets.

None of these is in `SampleOutlets.feeds()`; tests add them one by one. All are in Korean, from a
fictional outlet, 시험일보. Each feed and what it tests:

    malformed.xml      XML cut off in the middle of a title
    mixed.xml          links to a good page, a 404, a PDF, a page with script, a tracked URL
    slow.xml           answers after 3 seconds
    huge.xml           a 30 MB body trickled at ~3 MB/s, with no Content-Length
    redirect-loop      redirects to itself
    guid-changes.xml   the same article URLs under GUIDs that change on every request; one
                       article is listed twice in each response (once with a tracking parameter)
    moving-url.xml     one GUID whose link gains and loses a tracking parameter and a mobile
                       variant on alternate requests; every variant's page names the desktop URL
                       as canonical
    bad-dates.xml      no date, 2099, the 1970 epoch, 1900, and an unparseable date
    html-titles.xml    titles with <b>, double-escaped entities, <script>, <img onerror>
    huge-entry.xml     one entry whose description is over 2 MB
    updated.xml        an article edited EDIT_AFTER after the server's start: title, body and
                       date change, and the feed adds <atom:updated>
    hang.xml           sends its headers, then nothing until the server stops
    trickle.xml        one byte every TRICKLE_PAUSE, forever: each byte resets a read timeout,
                       and it stays far below any size cap, so only a deadline on the whole
                       fetch cuts it

Time comes from the server's injectable clock, so a test can move it past the edit.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from newsrank.demo import layouts
from newsrank.demo.layouts import Feed, FeedItem, Link, Page

if TYPE_CHECKING:
    from newsrank.demo.server import Handler, Reply

HUGE_SIZE = 30 * 1024 * 1024
_HUGE_CHUNK = 64 * 1024
_HUGE_PAUSE = 0.02  # about 3 MB/s: a size cap trips in a second or two, the whole body takes ~10 s
HUGE_ENTRY_BYTES = 2 * 1024 * 1024
TRICKLE_PAUSE = 0.5
EDIT_AFTER = timedelta(minutes=30)  # updated.xml's article is edited this long after the start
RSS = "application/rss+xml; charset=utf-8"

# The trouble article pages: name -> (title, paragraphs); served at /_trouble/<name>.html.
PAGES = {
    "good": (
        "구청, 주민 의견 듣는 열린 간담회 개최",
        (
            "시험구청은 다음 달 첫째 주 토요일 구청 대강당에서 주민 누구나 참여할 수 있는 열린 "
            "간담회를 연다고 밝혔다.",
            "간담회에서는 동네 도서관 운영 시간 연장과 공원 산책로 정비 계획이 논의될 예정이다.",
            '구청 관계자는 "주민들이 직접 낸 의견을 내년 예산에 반영하겠다"고 말했다.',
        ),
    ),
    "script": (
        "<script>alert(1)</script> 제목에 스크립트가 섞인 기사",
        (
            "이 기사는 제목과 본문에 스크립트가 들어 있는 시험용 기사다.",
            "정상적인 문단은 그대로 남고, 위험한 요소만 제거되어야 한다.",
        ),
    ),
    "tracked": (
        "추적 매개변수가 붙은 주소로 배포된 기사",
        (
            "이 기사의 피드 주소에는 광고 추적용 매개변수가 붙어 있다.",
            "정규 주소는 매개변수를 뺀 주소이며 같은 기사를 두 번 저장해서는 안 된다.",
        ),
    ),
    # guid-changes.xml
    "guid-1": (
        "시험구 도서관, 평일 밤 10시까지 문 연다",
        (
            "시험구립도서관이 다음 달부터 평일 운영 시간을 밤 10시까지 늘린다.",
            "퇴근길 직장인과 시험을 앞둔 학생들의 요청이 잇따른 데 따른 것이다.",
        ),
    ),
    "guid-2": (
        "시험시 공영자전거 요금 내년에도 동결",
        (
            "시험시는 공영자전거 '씽씽이' 이용 요금을 내년에도 올리지 않기로 했다.",
            "시는 대신 정비 인력을 늘려 고장 난 자전거를 사흘 안에 고치겠다고 밝혔다.",
        ),
    ),
    # moving-url.xml
    "moving": (
        "시험시, 시내버스 노선 12개 개편안 발표",
        (
            "시험시가 신도시 입주에 맞춰 시내버스 노선 12개를 조정하는 개편안을 내놨다.",
            "개편안은 두 차례 주민 설명회를 거쳐 내년 3월부터 시행된다.",
        ),
    ),
    # bad-dates.xml
    "dates-none": (
        "시험구 주말 벼룩시장, 중고 책 교환 코너 새로 열어",
        ("시험구 주말 벼룩시장에 중고 책을 바꿔 볼 수 있는 코너가 생겼다.",),
    ),
    "dates-2099": (
        "시험시 하수처리장 증설 공사 착공",
        ("시험시 하수처리장 증설 공사가 첫 삽을 떴다. 공사는 2년 동안 이어진다.",),
    ),
    "dates-1970": (
        "시험구 어린이 수영교실 수강생 모집",
        ("시험구 체육센터가 겨울방학 어린이 수영교실 수강생 120명을 모집한다.",),
    ),
    "dates-1900": (
        "시험시 전통시장 주차장 무료 개방 연장",
        ("시험시가 전통시장 공영주차장 무료 개방을 연말까지 연장한다.",),
    ),
    "dates-garbled": (
        "시험구 골목길 가로등 LED로 모두 교체",
        ("시험구가 골목길 가로등 3천여 개를 LED 등으로 바꾸는 작업을 마쳤다.",),
    ),
    # html-titles.xml: the pages carry the clean titles the outlet meant
    "titles-bold": (
        "[단독] 시험시 내년 예산 12% 삭감",
        ("시험시의 내년 예산안이 올해보다 12% 줄어든 것으로 확인됐다.",),
    ),
    "titles-quot": (
        '"주민 뜻 따르겠다"… 시험구청장, 재개발 계획 보류',
        ("시험구청장이 주민 반대가 거센 재개발 계획을 보류하겠다고 밝혔다.",),
    ),
    "titles-script": (
        "시험구 가을 축제 개막",
        ("시험구 가을 축제가 사흘 일정으로 구청 앞 광장에서 막을 올렸다.",),
    ),
    "titles-img": (
        "시험시 야시장 다시 열린다",
        ("시험시 야시장이 넉 달 만에 다시 문을 연다. 먹거리 장터 40곳이 참여한다.",),
    ),
    # huge-entry.xml
    "huge-entry": (
        "시험시 의회 회의록 전문 공개",
        ("시험시의회가 올해 정례회 회의록 전문을 누리집에 공개했다.",),
    ),
}
# updated.xml: the article before and after the outlet edits it.
BEFORE_EDIT = (
    "시험시, 폭설 대비 제설 장비 점검",
    ("시험시가 겨울철 폭설에 대비해 제설 차량과 장비를 점검했다.",),
)
AFTER_EDIT = (
    "시험시, 폭설 대비 제설 장비 점검… 제설제 2천 톤 추가 확보",
    (
        "시험시가 겨울철 폭설에 대비해 제설 차량과 장비를 점검했다.",
        "시는 제설제 2천 톤을 추가로 확보해 읍면동 거점 창고 15곳에 나눠 쌓아 두기로 했다.",
    ),
)

_SCRIPT_EXTRA = (
    '<script>document.title = "변조된 제목";</script>\n'
    '<p onclick="alert(2)">이 문단을 누르면 경고창이 뜬다.</p>\n'
    '<p><a href="javascript:alert(3)">자세히 보기</a></p>\n'
)
_MALFORMED = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>깨진 피드</title>'
    "<item><title>닫히지 않은 제목의 기사</ti"
).encode()
_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
)
_TRACKING = "utm_source=rss&utm_medium=feed"


def routes(
    *,
    base_url: Callable[[], str],
    start: datetime,
    clock: Callable[[], datetime],
    stopping: threading.Event,
) -> dict[str, Handler]:
    """The /_trouble/ paths. `base_url` is asked per request: the port is known only once serving."""
    # Imported here, not at the top: the server imports this module, so it is not loaded yet then.
    from newsrank.demo.server import Reply

    def page(
        name: str,
        title: str,
        body: tuple[str, ...],
        *,
        modified: datetime | None = None,
        extra: str = "",
        canonical: str | None = None,
    ) -> Reply:
        shown = Page(
            outlet="시험일보",
            outlet_slug="_trouble",
            home="/_trouble/",
            url=base_url() + (canonical or f"/_trouble/{name}.html"),
            id=name,
            section="사회",
            title=title,
            subtitles=(),
            reporter="한결",
            email="hangyeol@trouble.example",
            body=body,
            photos=(),
            published=start - timedelta(minutes=30),
            modified=modified,
        )
        return Reply(200, layouts.trouble_page(shown, extra=extra).encode("utf-8"))

    def article(name: str, extra: str = "", canonical: str | None = None) -> Handler:
        title, body = PAGES[name]
        return lambda headers: page(name, title, body, extra=extra, canonical=canonical)

    def item(title: str, href: str, number: int, **fields: object) -> FeedItem:
        defaults: dict = {
            "guid": base_url() + href,
            "published": start - timedelta(minutes=7 * (number + 1)),
            "category": "사회",
            "summary": f"{title} 기사의 요약입니다.",
            "author": "한결",
            "email": "hangyeol@trouble.example",
        }
        return FeedItem(title=title, url=base_url() + href, **(defaults | fields))

    def rss(title: str, items: Iterable[FeedItem], **options: bool) -> bytes:
        base, items = base_url(), tuple(items)
        dates = [i.published for i in items if isinstance(i.published, datetime)]
        updated = max(dates, default=start)
        feed = Feed(title, base + "/_trouble/", base + "/_trouble/", title, updated, items)
        return layouts.rss_feed(feed, **options).encode("utf-8")

    def feed(links: Iterable[tuple[str, str]], title: str) -> bytes:
        return rss(title, (item(t, href, n) for n, (t, href) in enumerate(links)))

    def mixed(headers: Mapping[str, str]) -> Reply:
        links = [
            (PAGES["good"][0], "/_trouble/good.html"),
            ("삭제된 기사", "/_trouble/deleted.html"),
            ("[보도자료] 지역 경제 동향 보고서", "/_trouble/report.pdf"),
            (PAGES["script"][0], "/_trouble/script.html"),
            (PAGES["tracked"][0], f"/_trouble/tracked.html?{_TRACKING}&fbclid=xyz"),
        ]
        return Reply(200, feed(links, "시험일보 - 뒤섞인 피드"), RSS)

    def slow(headers: Mapping[str, str]) -> Reply:
        body = feed([(PAGES["good"][0], "/_trouble/good.html")], "시험일보 - 느린 피드")
        return Reply(200, body, RSS, delay=3.0)

    def huge_body() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>'
        chunk = ("끝없이 이어지는 쓰레기 데이터 " * 3000).encode()[:_HUGE_CHUNK]
        for _ in range(HUGE_SIZE // _HUGE_CHUNK):
            if stopping.wait(_HUGE_PAUSE):
                return
            yield chunk

    def hang_body() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="utf-8"?>\n'
        stopping.wait()

    def trickle_body() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>'
        while not stopping.wait(TRICKLE_PAUSE):
            yield "느".encode()[:1]  # a third of a character: never a complete title either

    # One counter per feed and server; next() on itertools.count is atomic under the GIL, so
    # concurrent requests still get distinct numbers.
    guid_requests = itertools.count(1)
    moving_requests = itertools.count()

    def guid_changes(headers: Mapping[str, str]) -> Reply:
        n = next(guid_requests)
        items = [
            item(PAGES["guid-1"][0], "/_trouble/guid-1.html", 0, guid=f"sihum-{n}-1"),
            item(PAGES["guid-2"][0], "/_trouble/guid-2.html", 1, guid=f"sihum-{n}-2"),
            # The same article again, as CMSs list it under a second section, tracked.
            item(PAGES["guid-1"][0], f"/_trouble/guid-1.html?{_TRACKING}", 0, guid=f"sihum-{n}-3"),
        ]
        return Reply(200, rss("시험일보 - GUID가 바뀌는 피드", items, guid_is_link=False), RSS)

    # moving-url.xml: /_trouble/moving.html is the canonical (desktop) URL. /_trouble/m/… stands
    # for the outlet's m. host (m.trouble.example); one loopback server cannot serve two hosts.
    moving_links = (
        "/_trouble/moving.html",
        f"/_trouble/moving.html?{_TRACKING}",
        "/_trouble/m/moving.html",
        f"/_trouble/m/moving.html?{_TRACKING}",
    )

    def moving(headers: Mapping[str, str]) -> Reply:
        href = moving_links[next(moving_requests) % len(moving_links)]
        entry = item(PAGES["moving"][0], href, 0, guid="trouble-moving-1")
        return Reply(200, rss("시험일보 - 주소가 바뀌는 피드", [entry], guid_is_link=False), RSS)

    def bad_dates(headers: Mapping[str, str]) -> Reply:
        dates = {
            "dates-none": None,
            "dates-2099": "Thu, 31 Dec 2099 09:00:00 +0900",  # an embargo placeholder
            "dates-1970": "Thu, 01 Jan 1970 09:00:00 +0900",  # a zero timestamp in KST
            "dates-1900": "1900-01-01 00:00:00",  # an empty DATETIME column
            "dates-garbled": "어제 오후 3시쯤",
        }
        items = [
            item(PAGES[name][0], f"/_trouble/{name}.html", n, published=date)
            for n, (name, date) in enumerate(dates.items())
        ]
        return Reply(200, rss("시험일보 - 날짜가 이상한 피드", items), RSS)

    def html_titles(headers: Mapping[str, str]) -> Reply:
        # As the outlet's CMS put them in <title>; rss_feed escapes them once more, as it must.
        titles = {
            "titles-bold": "<b>[단독]</b> 시험시 내년 예산 12% 삭감",
            "titles-quot": "&quot;주민 뜻 따르겠다&quot;… 시험구청장, 재개발 계획 보류",
            "titles-script": '<script>alert("제목")</script>시험구 가을 축제 개막',
            "titles-img": '시험시 야시장 <img src=x onerror="alert(4)">다시 열린다',
        }
        items = [
            item(title, f"/_trouble/{name}.html", n, summary=f"<p>{title}</p>")
            for n, (name, title) in enumerate(titles.items())
        ]
        return Reply(200, rss("시험일보 - 제목에 HTML이 든 피드", items), RSS)

    def huge_entry(headers: Mapping[str, str]) -> Reply:
        title = PAGES["huge-entry"][0]
        entry = item(title, "/_trouble/huge-entry.html", 0, summary=_huge_summary())
        return Reply(200, rss("시험일보 - 거대한 항목", [entry]), RSS)

    def edited() -> bool:
        return clock() >= start + EDIT_AFTER

    def updated_feed(headers: Mapping[str, str]) -> Reply:
        href = "/_trouble/updated.html"
        if edited():
            moment = start + EDIT_AFTER
            # Korean CMSs move pubDate to the edit time; the atom:updated says it is an edit.
            entry = item(AFTER_EDIT[0], href, 0, published=moment, updated=moment)
        else:
            entry = item(BEFORE_EDIT[0], href, 0, published=start - timedelta(minutes=20))
        return Reply(200, rss("시험일보 - 수정되는 기사", [entry]), RSS)

    def updated_page(headers: Mapping[str, str]) -> Reply:
        if edited():
            title, body = AFTER_EDIT
            return page("updated", title, body, modified=start + EDIT_AFTER)
        title, body = BEFORE_EDIT
        return page("updated", title, body)

    def index(headers: Mapping[str, str]) -> Reply:
        return Reply(200, _index().encode("utf-8"))

    table: dict[str, Handler] = {
        "/_trouble/": index,
        "/_trouble/malformed.xml": lambda headers: Reply(200, _MALFORMED, RSS),
        "/_trouble/mixed.xml": mixed,
        "/_trouble/slow.xml": slow,
        "/_trouble/huge.xml": lambda headers: Reply(200, huge_body(), RSS),
        "/_trouble/hang.xml": lambda headers: Reply(200, hang_body(), RSS),
        "/_trouble/trickle.xml": lambda headers: Reply(200, trickle_body(), RSS),
        "/_trouble/redirect-loop": lambda headers: Reply(
            302, b"", None, {"Location": "/_trouble/redirect-loop"}
        ),
        "/_trouble/report.pdf": lambda headers: Reply(200, _PDF, "application/pdf"),
        "/_trouble/guid-changes.xml": guid_changes,
        "/_trouble/moving-url.xml": moving,
        "/_trouble/bad-dates.xml": bad_dates,
        "/_trouble/html-titles.xml": html_titles,
        "/_trouble/huge-entry.xml": huge_entry,
        "/_trouble/updated.xml": updated_feed,
        "/_trouble/updated.html": updated_page,
        "/_trouble/script.html": article("script", _SCRIPT_EXTRA),
        "/_trouble/m/moving.html": article("moving", canonical="/_trouble/moving.html"),
    }
    for name in PAGES:
        table.setdefault(f"/_trouble/{name}.html", article(name))
    return table


FEEDS = (
    "malformed.xml", "mixed.xml", "slow.xml", "huge.xml", "redirect-loop", "guid-changes.xml",
    "moving-url.xml", "bad-dates.xml", "html-titles.xml", "huge-entry.xml", "updated.xml",
    "hang.xml", "trickle.xml",
)  # fmt: skip


def _index() -> str:
    links = [Link(name, f"/_trouble/{name}") for name in FEEDS]
    return layouts.home_page("시험일보", "크롤러를 괴롭히는 입력 모음", [], links)


@cache
def _huge_summary() -> str:
    """Over HUGE_ENTRY_BYTES of HTML: a whole 회의록 pasted into one description."""
    line = "<p>○ 의원 질의: 시험시 예산 집행 현황에 대해 설명해 주시기 바랍니다. 답변 드리겠습니다.</p>\n"
    return line * (HUGE_ENTRY_BYTES // len(line.encode()) + 1)
