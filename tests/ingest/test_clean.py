"""Tests for newsrank.ingest.clean: Korean boilerplate out, article text and photo credits kept.

The lines are written for this project in the shape Korean outlets give them (fictional names and
outlets), one table per kind; hypothesis checks that cleaning is idempotent and never adds text.
"""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsrank.ingest.clean import boilerplate_kind, clean_korean_boilerplate

BODY = "가람시는 내년부터 시내버스 첫차 시간을 30분 앞당긴다고 밝혔다."
MORE = "시는 이를 위해 운전기사 24명을 새로 뽑기로 했다."


# --- lead tags: cut off the first paragraph, the outlet kept as the credit ----------------------


@pytest.mark.parametrize(
    ("first", "rest", "credit", "reporters"),
    [
        ("(서울=연합뉴스) 홍길동 기자 = ", BODY, "연합뉴스", ["홍길동"]),
        ("(세종=연합뉴스) 홍길동 이바다 기자 = ", BODY, "연합뉴스", ["홍길동", "이바다"]),
        ("(서울=연합뉴스) 홍길동 기자·이바다 인턴기자 = ", BODY, "연합뉴스", ["홍길동", "이바다"]),
        ("(워싱턴=연합뉴스) 김하늘 특파원 = ", BODY, "연합뉴스", ["김하늘"]),
        ("(워싱턴 AFP=연합뉴스) ", BODY, "연합뉴스", []),
        ("【서울=뉴시스】홍길동 기자 = ", BODY, "뉴시스", ["홍길동"]),
        ("(서울=뉴스1) 홍길동 기자 = ", BODY, "뉴스1", ["홍길동"]),
        ("[서울=뉴스핌] 홍길동 기자 = ", BODY, "뉴스핌", ["홍길동"]),
        ("[서울경제] ", BODY, "서울경제", []),
        ("[파이낸셜뉴스] ", BODY, "파이낸셜뉴스", []),
        ("[이데일리 홍길동 기자] ", BODY, "이데일리", ["홍길동"]),
        ("[아시아경제 홍길동 기자] ", BODY, "아시아경제", ["홍길동"]),
        ("[헤럴드경제=홍길동 기자] ", BODY, "헤럴드경제", ["홍길동"]),
        ("[헤럴드경제=홍길동·이바다 기자] ", BODY, "헤럴드경제", ["홍길동", "이바다"]),
        ("[데일리안 = 홍길동 기자] ", BODY, "데일리안", ["홍길동"]),
        ("[OSEN=홍길동 기자] ", BODY, "OSEN", ["홍길동"]),
        ("[가람일보 홍길동 기자]", BODY, "가람일보", ["홍길동"]),
        ("홍길동 기자 = ", BODY, None, ["홍길동"]),
    ],
)
def test_lead_tag_is_cut_and_its_outlet_is_the_credit(first, rest, credit, reporters):
    cleaned = clean_korean_boilerplate([first + rest, MORE])
    assert cleaned.paragraphs == [rest, MORE]
    assert cleaned.credit == credit
    assert cleaned.reporters == reporters


def test_lead_tag_alone_in_its_paragraph_goes_with_it():
    cleaned = clean_korean_boilerplate(["[서울경제]", BODY])
    assert (cleaned.paragraphs, cleaned.credit, cleaned.sources) == ([BODY], "서울경제", [1])


def test_lead_tag_is_found_after_leading_boilerplate_lines():
    cleaned = clean_korean_boilerplate(["기사 URL이 복사되었습니다.", "(서울=연합뉴스) " + BODY])
    assert (cleaned.paragraphs, cleaned.credit) == ([BODY], "연합뉴스")


@pytest.mark.parametrize(
    "first",
    [
        "[단독] 가람시, 시내버스 첫차 30분 앞당긴다",
        "[속보] 가람시장 사퇴",
        "[앵커] 오늘 아침 첫차가 30분 빨라졌습니다.",
        "[사진] 첫차를 기다리는 시민들",
        "[경제] 환율이 올랐다.",  # a section name, not an outlet (too short to be one)
        "(사진=가람시 제공) 시민들이 첫차를 기다리고 있다.",
        "홍길동 기자는 이날 첫차를 타 봤다.",
    ],
)
def test_brackets_that_are_not_lead_tags_stay(first):
    cleaned = clean_korean_boilerplate([first, MORE])
    assert cleaned.paragraphs == [first, MORE]
    assert cleaned.credit is None


def test_lead_tag_only_opens_the_article():
    later = "(서울=연합뉴스) 이 인용은 본문 가운데 있다."
    assert clean_korean_boilerplate([BODY, later]).paragraphs == [BODY, later]


# --- lines that are removed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        # reporter bylines and e-mail lines
        ("홍길동 기자 hong@garam.example", "byline"),
        ("홍길동 기자 (hong@garam.example)", "byline"),
        ("홍길동·이바다 기자 hong@garam.example", "byline"),
        ("홍길동 기자 hong@garam.example, 이바다 기자 sea@garam.example", "byline"),
        ("/홍길동 기자", "byline"),
        ("/ 홍길동 기자 hong@garam.example", "byline"),
        ("홍길동 기자", "byline"),
        ("홍길동 선임기자", "byline"),
        ("김하늘 워싱턴 특파원", "byline"),
        ("[가람일보 홍길동 기자]", "byline"),
        ("[가람일보 홍길동 기자 hong@garam.example]", "byline"),
        ("글·사진=홍길동 기자", "byline"),
        ("정리=홍길동 기자", "byline"),
        ("가람=홍길동 기자 hong@garam.example", "byline"),
        ("YTN 홍길동입니다.", "byline"),
        ("MBC뉴스 홍길동입니다.", "byline"),
        ("KBS 뉴스 홍길동입니다.", "byline"),
        ("hong@garam.example", "e-mail"),
        ("e-mail: hong@garam.example", "e-mail"),
        ("<hong@garam.example>", "e-mail"),
        # copyright and reuse notices
        ("ⓒ 가람일보, 무단 전재 및 재배포 금지", "copyright"),
        ("© 2026 Garam Ilbo. All rights reserved.", "copyright"),
        ("Copyright ⓒ 가람일보. All rights reserved.", "copyright"),
        ("<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>", "copyright"),
        ("[저작권자(c) YTN 무단전재, 재배포 및 AI 데이터 활용 금지]", "copyright"),
        ("저작권자 © 가람일보 무단전재 및 재배포 금지", "copyright"),
        ("무단전재 및 재배포 금지", "reuse"),
        ("가람일보 무단 전재, 재배포 및 AI학습 이용 금지", "reuse"),
        ("※ ⓒ SBS & SBS Digital News Lab. : 무단복제 및 재배포 금지", "reuse"),
        ("GoodNews paper ⓒ 국민일보(www.kmib.co.kr), 무단전재 및 수집, 재배포금지", "reuse"),
        # promotions
        ("▶ 관련기사 ◀", "related"),
        ("관련기사 가람시 작은도서관 10곳 운영시간 연장", "related"),
        ("☞ 가람일보 구독하기", "pointer"),
        ("☞ 제보하기: jebo@garam.example", "pointer"),
        ("▶ 네이버에서 가람일보를 구독하세요", "promo"),
        ("▶제보는 카카오톡 garamjebo", "promo"),
        ("▶ 이 시각 인기 뉴스", "promo"),
        ("※ '당신의 제보가 뉴스가 됩니다' [카카오톡] YTN 검색해 채널 추가", "promo"),
        ("기사 URL이 복사되었습니다.", "url-copied"),
        ("링크가 복사되었습니다", "url-copied"),
        ("네이버 메인에서 가람일보를 구독하세요", "subscribe"),
        ("가람일보 뉴스레터 구독하기", "subscribe"),
        ("매주 화요일, 가람IT 뉴스레터를 받아보세요.", "subscribe"),
        ("(끝)", "end-mark"),
        ("광고", "ad-label"),
    ],
)
def test_boilerplate_lines_are_named(line, kind):
    assert boilerplate_kind(line) == kind
    cleaned = clean_korean_boilerplate([BODY, line, MORE])
    assert cleaned.paragraphs == [BODY, MORE]
    assert cleaned.removed and line in cleaned.removed[0]


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "홍길동 기자는 이날 현장에서 첫차를 타 봤다.",
        '기자회견에서 시장은 "첫차를 앞당기겠다"고 말했다.',
        "사진=가람시 제공",  # a photo credit line stays with the photo it belongs to
        "사진=홍길동 기자",
        "정부는 AI 학습 데이터를 무단으로 쓰는 것을 금지하는 법안을 냈다.",
        "시는 무단 전재를 막기 위해 워터마크를 넣었다고 설명했다.",
        "유료 구독자는 1년 새 두 배로 늘었다.",
        "네이버 구독자 수가 100만 명을 넘었다.",
        "▶ 1차 접수: 3월 2일~5일",
        "이메일(hong@garam.example)로 신청하면 된다.",
        '그는 "무단 전재 및 재배포 금지라는 문구만으로는 부족하다"며 법 개정을 촉구했다.',
        "저는 홍길동입니다.",
        "관련 기사를 쓴 홍길동 기자는 이날 현장에서 주민 여러분을 만나 이야기를 들었다고 전했다.",
    ],
)
def test_article_text_is_kept(line):
    assert boilerplate_kind(line) is None
    assert clean_korean_boilerplate([BODY, line]).paragraphs == (
        [BODY, line] if line != BODY else [BODY, BODY]
    )


def test_related_box_goes_with_its_headlines():
    box = "▶ 관련기사\n가람시 작은도서관 10곳 운영시간 연장\n폐교 활용 공모에 제안 37건"
    assert clean_korean_boilerplate([BODY, box, MORE]).paragraphs == [BODY, MORE]


def test_boilerplate_lines_inside_a_paragraph_go_and_the_rest_stays():
    paragraph = f"{MORE}\n홍길동 기자 hong@garam.example\nⓒ 가람일보 무단전재·재배포 금지"
    cleaned = clean_korean_boilerplate([BODY, paragraph])
    assert cleaned.paragraphs == [BODY, MORE]
    assert cleaned.reporters == ["홍길동"]


def test_byline_glued_to_the_last_sentence_is_cut():
    cleaned = clean_korean_boilerplate([BODY, f"{MORE} 홍길동 기자 hong@garam.example"])
    assert cleaned.paragraphs == [BODY, MORE]
    assert cleaned.reporters == ["홍길동"]


def test_sources_map_kept_paragraphs_to_their_input():
    cleaned = clean_korean_boilerplate(
        ["(서울=연합뉴스) " + BODY, "hong@yna.example", MORE, "(끝)"]
    )
    assert cleaned.paragraphs == [BODY, MORE]
    assert cleaned.sources == [0, 2]


def test_output_is_nfc_and_whitespace_is_squashed():
    nfd = unicodedata.normalize("NFD", "가람시는  첫차를\u00a0앞당긴다.")
    cleaned = clean_korean_boilerplate([nfd])
    assert cleaned.paragraphs == ["가람시는 첫차를 앞당긴다."]
    assert unicodedata.is_normalized("NFC", cleaned.paragraphs[0])


def test_empty_input():
    cleaned = clean_korean_boilerplate([])
    assert (cleaned.paragraphs, cleaned.credit, cleaned.reporters) == ([], None, [])
    assert clean_korean_boilerplate(["", "  ", "\n"]).paragraphs == []


# --- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    BODY, MORE, "(서울=연합뉴스) 홍길동 기자 = ", "[서울경제] ", "[이데일리 홍길동 기자] ",
    "홍길동 기자 hong@garam.example", "ⓒ 가람일보 무단전재 및 재배포 금지", "▶ 관련기사",
    "☞ 구독하기", "기사 URL이 복사되었습니다.", "(끝)", "사진=가람시 제공", "홍길동 기자 = ",
    "[단독] ", "\n", " ", "=", "기자", "【서울=뉴시스】", "hong@garam.example",
]  # fmt: skip
paragraph = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=6).map(
    "".join
)


@given(st.lists(paragraph, max_size=6))
def test_cleaning_is_idempotent(paragraphs):
    once = clean_korean_boilerplate(paragraphs)
    twice = clean_korean_boilerplate(once.paragraphs)
    assert twice.paragraphs == once.paragraphs


@given(st.lists(paragraph, max_size=6))
def test_cleaning_never_adds_text(paragraphs):
    cleaned = clean_korean_boilerplate(paragraphs)
    squashed = [
        " ".join(unicodedata.normalize("NFC", line).split())
        for text in paragraphs
        for line in text.split("\n")
    ]
    for index, text in zip(cleaned.sources, cleaned.paragraphs, strict=True):
        source = " ".join(unicodedata.normalize("NFC", paragraphs[index]).split())
        for line in text.split("\n"):
            assert any(line in candidate for candidate in squashed), line
            assert line in source
