"""Trending keywords: rising terms against their own baseline, and the keywords of a post."""

import json
from collections import Counter
from pathlib import Path

import pytest

from newsrank.stories.trending import Trend, document_terms, trending_terms

CONTENT = Path(__file__).resolve().parents[2] / "newsrank" / "demo" / "content"
OUTLETS = ["바람뉴스통신", "별빛스포츠", "다인IT", "가람일보", "누리경제", "새벽신문"]

# Three hours against the week before them: a term's expected count is its weekly count / 56.
RECENT_HOURS, BASELINE_HOURS = 3, 7 * 24


def terms(recent, baseline, **kwargs):
    found = trending_terms(
        Counter(recent), Counter(baseline), RECENT_HOURS, BASELINE_HOURS, **kwargs
    )
    return [trend.term for trend in found]


@pytest.mark.parametrize(
    ("recent", "baseline", "expected", "why"),
    [
        (
            {"하늘": 40, "정부": 3000},
            {"하늘": 10, "정부": 140_000},
            ["하늘", "정부"],
            "a new event's name beats a perpetual word rising 20%",
        ),
        (
            {"하늘": 40, "희귀어": 3},
            {},
            ["하늘", "희귀어"],
            "a brand-new rare term does not outrank a brand-new big one",
        ),
        (
            {"금리": 60, "신조어": 4},
            {"금리": 560},
            ["금리", "신조어"],
            "a known term rising sixfold beats a new term seen four times",
        ),
        (
            {"태풍": 30, "반도체": 20},
            {"태풍": 1680, "반도체": 560},
            ["반도체"],
            "a term at its usual rate or below is not trending",
        ),
        ({"루미나": 2}, {}, [], "below min_count"),
        (
            {"한성": 12, "한성반도체": 12, "반도체": 30},
            {"반도체": 560},
            ["한성반도체", "반도체"],
            "a part of a name seen in the same posts is the same keyword; a broader word is not",
        ),
        (
            {"강문": 9, "강문석": 10},
            {},
            ["강문석"],
            "the whole name is kept over Kiwi's split of it",
        ),
    ],
)
def test_trending_order(recent, baseline, expected, why):
    assert terms(recent, baseline) == expected, why


def test_trend_fields():
    [trend] = trending_terms(Counter({"금리": 8}), Counter({"금리": 112}), 3, 168)
    assert trend.term == "금리"
    assert trend.recent_count == 8
    assert trend.expected == pytest.approx(2.0)  # 112 posts a week = 2 per 3 hours
    assert trend.score > 0


def test_scores_are_comparable_and_sorted():
    recent = Counter({f"단어{i}": 3 + i for i in range(30)})
    found = trending_terms(recent, Counter(), 3, 168, limit=10)
    assert len(found) == 10
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)
    assert found[0] == Trend("단어29", 32, 0.0, pytest.approx(32 / 5**0.5))


def test_min_count_and_limit_are_knobs():
    recent = Counter({"가": 2, "나나": 5, "다다": 9})
    assert [t.term for t in trending_terms(recent, Counter(), 1, 24, min_count=1, limit=2)] == [
        "다다",
        "나나",
    ]


def test_limit_zero_is_empty():
    assert trending_terms(Counter({"하늘": 40}), Counter(), 3, 168, limit=0) == []


def test_windows_must_have_length():
    with pytest.raises(ValueError):
        trending_terms(Counter(), Counter(), 0, 24)


@pytest.mark.parametrize(
    ("title", "text", "kept", "dropped"),
    [
        (
            "[속보] 한은, 기준금리 0.25%p 인하…연 2.75%",
            "(서울=바람뉴스통신) 최석훈 기자 = 한국은행이 8개월 만에 기준금리를 내렸다.",
            {"한은", "기준금리", "금리", "인하", "한국은행"},
            {"속보", "바람뉴스통신", "바람", "최석훈", "기자", "0.25", "2.75", "8개월", "개월"},
        ),
        (
            '日 홋카이도 동부 해역서 규모 5.8 지진…"쓰나미 우려 없어"',
            "오전 10시 58분께 지진이 발생했다고 이날 관계자가 밝혔다. 사진 제공=가람일보",
            {"일본", "홋카이도", "지진", "쓰나미"},
            {"5.8", "오전", "10시", "58분께", "이날", "관계자", "사진", "제공", "가람일보", "日"},
        ),
        (
            '강문석 산업장관 "반도체 수출 지원에 32조원 투입"',
            "",
            {"강문석", "산업장관", "반도체", "수출", "지원", "32조원"},
            {"지원에", "32", "조", "원"},
        ),
        (
            "[단독] 루미나, 첫 월드투어 'GLOW UP' 확정…12개 도시 20회",
            "걸그룹 루미나가 내년 3월 서울서 출발한다. 선수들은 수출용",
            {"루미나", "월드투어", "glow", "12개", "서울", "선수", "수출"},
            {"단독", "서울서", "선수들", "수출용", "3월", "내년"},
        ),
        (
            "한성반도체 3분기 영업익 4조1천억원…전년比 62% 증가",
            "재석 261명 중 찬성 231명으로 가결됐다. 축구대표팀이 오만에 3-1로 이겼다.",
            {"한성반도체", "3분기", "4조1천억원", "영업익", "축구대표팀", "오만", "261명"},
            {"62", "3-1", "전년比", "比", "명", "천억원"},
        ),
    ],
)
def test_document_terms(title, text, kept, dropped):
    found = document_terms(title, text, outlets=OUTLETS)
    assert kept <= found
    assert not (dropped & found), dropped & found


def test_same_event_shares_its_keywords_across_outlets():
    """Two outlets' headlines of one event meet on its names, whatever their particles."""
    a = document_terms("태풍 '하늘' 거제 상륙…부산 순간풍속 초속 38m", "", outlets=OUTLETS)
    b = document_terms("태풍 ‘하늘’ 부산 강타…마린시티 월파에 도로 잠겨", "", outlets=OUTLETS)
    assert {"태풍", "하늘", "부산"} <= a & b


def test_sample_outlets_trend_on_their_latest_events():
    """Across the sample outlets, the last hours' events rise and no outlet or boilerplate shows."""
    articles = [
        article
        for path in sorted(CONTENT.glob("*.json"))
        for article in json.loads(path.read_text("utf-8"))["articles"]
    ]
    cut = -600  # the last ten hours of the sample's timeline against the day and a half before
    recent, baseline = Counter(), Counter()
    for article in articles:
        found = document_terms(article["title"], " ".join(article["body"][:2]), outlets=OUTLETS)
        (recent if article["offset_minutes"] >= cut else baseline).update(found)
    start = min(article["offset_minutes"] for article in articles)
    end = max(article["offset_minutes"] for article in articles)
    trends = trending_terms(recent, baseline, (end - cut) / 60, (cut - start) / 60)
    top = [trend.term for trend in trends]
    assert {"기준금리", "물류"} <= set(top[:5])
    assert not set(top) & ({"속보", "기자", "뉴스", "이날", "사진"} | {o.lower() for o in OUTLETS})


@pytest.mark.parametrize("title", ["[포토]", "【단독】", "…", ""])
def test_document_terms_of_a_title_without_words_is_empty(title):
    # A photo item titled only "[포토]" once stopped the crawler's story assignment (ValueError).
    assert document_terms(title, "") == set()
