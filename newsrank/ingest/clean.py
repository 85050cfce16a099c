"""Take Korean news boilerplate out of an article's paragraphs, and read the credit of its lead tag.

What is removed, line by line (a paragraph may hold several lines, joined by newlines):

- reporter bylines and sign-offs: "홍길동 기자 hong@…", "/홍길동 기자", "[가람일보 홍길동 기자]",
  "글·사진=홍길동 기자", a bare e-mail address, "YTN 홍길동입니다.", and a byline with an e-mail
  address glued to the end of the last sentence;
- copyright and reuse notices: "ⓒ …", "© …", "Copyright …", "<저작권자(c) …>", "무단전재 및 재배포
  금지", "무단 전재-재배포, AI 학습 및 활용 금지" and their variants;
- promotion: "▶ 관련기사" boxes (the whole paragraph: the headlines below it belong to the box),
  "☞ …" lines, "▶ …" lines that point to subscriptions, tips or other articles, "기사 URL이
  복사되었습니다" toasts, "네이버에서 … 구독하세요" and other subscription prompts, "(끝)".

The lead tag of the first paragraph — "(서울=연합뉴스) 홍길동 기자 =", "【서울=뉴시스】", "[서울경제]",
"[이데일리 홍길동 기자]", "홍길동 기자 =" — is cut off, the rest of the paragraph kept, and the outlet
it names returned as the credit. Photo captions are not paragraphs and never pass through here, so
their credits ("사진=…", "사진 제공=…") stay with them; a "사진=…" line in the body stays too.

Patterns come from the outlets' page structure noted in ../shared/data/feeds/korean_feeds_notes.md
(copyright lines of SBS, YTN, 연합뉴스) and from reading Korean article pages; each is exercised by a
case in tests/ingest/test_clean.py. Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Cleaned", "boilerplate_kind", "clean_korean_boilerplate"]


@dataclass(frozen=True)
class Cleaned:
    """The cleaned paragraphs, what the lead tag and bylines named, and what was taken out."""

    paragraphs: list[str]
    credit: str | None = None  # the outlet named by the lead tag: "연합뉴스", "서울경제"
    reporters: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # lines and lead tags taken out, for debugging
    sources: list[int] = field(default_factory=list)  # input index of each kept paragraph


# --- the pieces bylines and lead tags are made of ---------------------------------------------

_NAME = r"[가-힣]{2,4}"
_ROLE = (
    r"(?:(?:수석|선임|객원|인턴|전문|사진|영상|취재|대)?\s*기자|특파원|논설위원|편집위원|"
    r"전문위원|통신원|에디터|앵커|리포터|PD)"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# Outlet names end in one of these words (Latin ones, "OSEN", only count next to a byline).
_OUTLET_WORD = re.compile(
    r"(?:일보|신문|뉴스|뉴시스|뉴스1|경제|방송|통신|데일리|타임스|투데이|저널|미디어|헤럴드|"
    r"비즈|포스트|프레스|경향|TV|tv|24|닷컴)$"
)
_OPEN, _CLOSE = r"[(\[【〔<〈]", r"[)\]】〕>〉]"
# "홍길동", "홍길동·이길동", "홍길동 이길동" (wire leads separate names with spaces)
_NAMES = rf"{_NAME}(?:(?:\s*[·,ㆍ/]\s*|\s+){_NAME}){{0,4}}"
_STRICT_NAMES = rf"{_NAME}(?:\s*[·,ㆍ/]\s*{_NAME}){{0,4}}"
# "홍길동 기자", "홍길동 기자·이길동 인턴기자"
_REPORTERS = rf"{_NAMES}\s*{_ROLE}(?:\s*[·,ㆍ]\s*{_NAMES}\s*{_ROLE}){{0,3}}"
_LABEL = r"(?:(?:글|정리|취재|그래픽|편집|글\s*·\s*사진|사진\s*·\s*글)\s*[=:]\s*)"

# --- lead tags (the first line of text only), tried in this order -------------------------------

_LEAD_TAGS = (
    # "[이데일리 홍길동 기자]", "[헤럴드경제=홍길동 기자]", "[뉴스핌=홍길동 기자]"
    re.compile(
        rf"^{_OPEN}\s*(?P<outlet>[^\s=()\[\]【】<>]{{2,15}})\s*(?:=\s*|\s+)"
        rf"(?P<names>{_REPORTERS})\s*{_CLOSE}\s*"
    ),
    # "(서울=연합뉴스) 홍길동 기자 =", "【서울=뉴시스】홍길동 기자 =", "(워싱턴 AFP=연합뉴스)"
    re.compile(
        rf"^{_OPEN}\s*[^()\[\]【】<>=]{{1,15}}=\s*(?P<outlet>[^()\[\]【】<>=]{{1,20}}?)\s*{_CLOSE}"
        rf"\s*(?:(?P<names>{_REPORTERS})\s*=\s*)?"
    ),
    # "[서울경제]", "[파이낸셜뉴스]": a bracketed outlet name alone.
    re.compile(r"^[\[【]\s*(?P<outlet>[^\s=()\[\]【】]{3,12})\s*[\]】]\s*"),
    # "홍길동 기자 = " with no outlet.
    re.compile(rf"^(?P<names>{_REPORTERS})\s*=\s*"),
)

# --- whole lines that are boilerplate -----------------------------------------------------------

_MAIL = rf"{_OPEN}?\s*(?:e-?mail\s*[:=]?\s*)?{_EMAIL}\s*{_CLOSE}?"
_BYLINE_UNIT = rf"{_NAMES}\s*{_ROLE}\s*{_CLOSE}?\s*(?:{_MAIL})?"
# "홍길동 기자 hong@…", "/홍길동 기자", "[가람일보 홍길동 기자]", "글·사진=홍길동 기자"
_BYLINE = re.compile(
    # "사진=홍길동 기자" credits a photo; it stays with the photo it belongs to.
    rf"^(?!사진\s*(?:제공)?\s*[=:])/?\s*{_OPEN}?\s*{_LABEL}?"
    rf"(?:[^\s=()\[\]【】<>]{{2,15}}\s*(?:=\s*|\s+))?"  # an outlet or place: "가람일보 ", "가람="
    rf"{_BYLINE_UNIT}(?:\s*[,·/]?\s*{_BYLINE_UNIT}){{0,3}}\s*$",
    re.I,
)
# A byline with an e-mail address glued to the end of a paragraph: "…고 말했다. 홍길동 기자 hong@…"
_TRAILING_BYLINE = re.compile(
    rf"\s+/?\s*{_STRICT_NAMES}\s*{_ROLE}\s*{_OPEN}?\s*{_EMAIL}\s*{_CLOSE}?$"
)
# Broadcast sign-offs: "YTN 홍길동입니다.", "MBC뉴스 홍길동입니다."
_SIGN_OFF = re.compile(
    rf"^(?:YTN|SBS|KBS|MBC|MBN|JTBC|채널A|TV조선|연합뉴스TV|OBS)\s*(?:뉴스)?\s*{_NAME}"
    r"(?:\s*기자)?입니다\.?$"
)
_SHORT = 120  # longer lines are sentences even when they use a notice's words
_REUSE_WORDS = re.compile(r"무단\s*전재|무단\s*복제|재배포|AI\s*학습|AI\s*데이터", re.I)

# (name, pattern, longest line it applies to); the names show up in `removed` and in tests.
_LINE_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("e-mail", re.compile(rf"^{_MAIL}$", re.I), 80),
    ("copyright", re.compile(rf"^{_OPEN}?\s*(?:저작권자|copyrights?\b|ⓒ|©|Ⓒ|\(c\))", re.I), _SHORT),
    # Notices end with 금지: "무단 전재 및 재배포 금지", "무단 전재-재배포, AI 학습 및 활용 금지".
    ("reuse", re.compile(r"금지\W*$"), _SHORT),
    ("related", re.compile(r"^[▶▷►■□◆◇●○☞▲△※]?\s*관련\s*(?:기사|뉴스)"), 40),
    ("pointer", re.compile(r"^☞"), _SHORT),
    (
        "promo",
        re.compile(
            r"^[▶▷►※]\s*.*(?:구독|제보|바로\s*가기|클릭|인기\s*(?:뉴스|기사)|많이\s*본|더\s*보기|"
            r"네이버|카카오|유튜브|채널\s*추가|앱\s*(?:설치|다운)|이\s*시각|기사\s*보기|뉴스레터)"
        ),
        _SHORT,
    ),
    ("url-copied", re.compile(r"(?:URL|주소|링크)(?:이|가)\s*복사되었습니다"), 40),
    (
        "subscribe",
        re.compile(
            r"구독\s*(?:하기|하세요|신청\s*하기|하시려면|해\s*주세요|버튼)|구독\s*[→➜>]|"
            r"뉴스레터.{0,30}(?:받아\s*보세요|구독\s*하기|구독\s*하세요)"
        ),
        80,
    ),
    ("end-mark", re.compile(r"^[(<\[]\s*끝\s*[)>\]]$"), 10),
    ("ad-label", re.compile(r"^(?:광고|AD|Advertisement|Sponsored)$", re.I), 15),
)

_WHITESPACE = re.compile(r"[^\S\n]+")


def clean_korean_boilerplate(paragraphs: list[str]) -> Cleaned:
    """Remove bylines, copyright, promotions and the lead tag; NFC, whitespace squashed.

    Idempotent: cleaning the result again changes nothing.
    """
    current = [(index, _normalize(text)) for index, text in enumerate(paragraphs)]
    credit: str | None = None
    reporters: list[str] = []
    removed: list[str] = []
    while True:  # to a fixed point, so that a second cleaning has nothing left to do
        result, found = _clean_once(current, reporters, removed)
        credit = credit or found
        if result == current:
            break
        current = result
    return Cleaned(
        paragraphs=[text for _, text in current],
        credit=credit,
        reporters=reporters,
        removed=removed,
        sources=[index for index, _ in current],
    )


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    lines = (_WHITESPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _clean_once(
    paragraphs: list[tuple[int, str]], reporters: list[str], removed: list[str]
) -> tuple[list[tuple[int, str]], str | None]:
    credit: str | None = None
    lead_done = False  # the lead tag can only open the article's first line of text
    kept: list[tuple[int, str]] = []
    for position, (index, text) in enumerate(paragraphs):
        lines = text.split("\n") if text else []
        if lines and _RELATED_BOX.match(lines[0]):
            removed.append(text)  # the box's headlines go with its title line
            continue
        out: list[str] = []
        for number, line in enumerate(lines):
            if not lead_done:
                line, found = _strip_lead(line, reporters, removed)
                credit = credit or found
            if kind := _boilerplate(line, reporters):
                removed.append(f"{kind}: {line}")
                continue
            if position == len(paragraphs) - 1 and number == len(lines) - 1:
                line = _strip_trailing_byline(line, reporters, removed)
            if line:
                out.append(line)
                lead_done = True
        if out:
            kept.append((index, "\n".join(out)))
    return kept, credit


_RELATED_BOX = re.compile(r"^[▶▷►■□◆◇●○☞▲△※]?\s*(?:관련\s*기사|관련\s*뉴스)\s*[◀◁◄]?$")


def boilerplate_kind(line: str, *, first: bool = False) -> str | None:
    """Which cleanup pattern a line of body text matches ("byline", "copyright", "lead"…), if any.

    `first` says the line opens the article, where a lead tag counts too. For measuring what an
    extractor leaves behind (bench/extraction.py); cleaning itself is `clean_korean_boilerplate`.
    """
    line = _normalize(line)
    if first and _strip_lead(line, [], [])[1] is not None:
        return "lead"
    if first and _LEAD_TAGS[-1].match(line):
        return "lead"
    return (
        _boilerplate(line, [])
        or ("related" if _RELATED_BOX.match(line) else None)
        or ("byline" if _TRAILING_BYLINE.search(line) else None)
    )


def _strip_lead(line: str, reporters: list[str], removed: list[str]) -> tuple[str, str | None]:
    for pattern in _LEAD_TAGS:
        match = pattern.match(line)
        if not match:
            continue
        outlet = (match.groupdict().get("outlet") or "").strip() or None
        names = match.groupdict().get("names")
        if outlet and not names and not _OUTLET_WORD.search(outlet):
            continue  # "[단독]", "[앵커]", "(사진=뉴스)": not an outlet's lead tag
        if names:
            _add_names(names, reporters)
        removed.append(f"lead: {match.group(0).strip()}")
        return line[match.end() :].lstrip(" =-–—:"), outlet
    return line, None


def _boilerplate(line: str, reporters: list[str]) -> str | None:
    """The name of the boilerplate pattern `line` matches, or None for article text."""
    if len(line) <= 80 and (_BYLINE.match(line) or _SIGN_OFF.match(line)):
        _add_names(re.sub(_EMAIL, " ", line), reporters)
        return "byline"
    for name, pattern, longest in _LINE_PATTERNS:
        if len(line) <= longest and pattern.search(line):
            if name == "reuse" and not _REUSE_WORDS.search(line):
                continue  # "…을 금지했다" ends a sentence, not a notice
            return name
    return None


def _strip_trailing_byline(line: str, reporters: list[str], removed: list[str]) -> str:
    match = _TRAILING_BYLINE.search(line)
    if not match or match.start() == 0:
        return line
    _add_names(re.sub(_EMAIL, " ", match.group(0)), reporters)
    removed.append(f"byline: {match.group(0).strip()}")
    return line[: match.start()].rstrip()


_NOT_NAMES = {"사진", "영상", "정리", "취재", "그래픽", "편집", "본지", "인턴", "객원", "기자"}


def _add_names(text: str, reporters: list[str]) -> None:
    """Add the names that stand before a role word in `text` ("가람일보 홍길동·이길동 기자")."""
    for group in re.findall(rf"({_NAMES})\s*{_ROLE}", text):
        for token in re.split(r"[\s·,ㆍ/]+", group):
            if (
                re.fullmatch(_NAME, token)
                and token not in _NOT_NAMES
                and not _OUTLET_WORD.search(token)
                and token not in reporters
            ):
                reporters.append(token)
