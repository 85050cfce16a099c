"""Story assignment on fictional headlines (written for this project) and on hand-made features."""

from datetime import datetime, timedelta, timezone

import pytest

from newsrank.stories.features import (
    Features,
    clean_title,
    is_flash,
    is_opinion,
    lead_of,
    post_features,
)
from newsrank.stories.grouping import Grouper, Item, Settings, TermIndex

KST = timezone(timedelta(hours=9))
T0 = datetime(2031, 5, 12, 9, 0, tzinfo=KST)


def item(item_id, title, text="", outlet="a", hours=0.0):
    return Item(item_id, title, text, outlet, T0 + timedelta(hours=hours))


# --- features -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("[속보] 제주 앞바다서 어선 전복", "제주 앞바다서 어선 전복"),
        ("한빛전자 실적 발표(종합2보)", "한빛전자 실적 발표"),
        ("【단독】 與 원내대표 사퇴", "여당 원내대표 사퇴"),
        ("롯데, 삼성 꺾고 연패 탈출 [대구 리뷰]", "롯데, 삼성 꺾고 연패 탈출"),
        ("[사진]문보경, '넘어간다'", "문보경, '넘어간다'"),
    ],
)
def test_clean_title_drops_tags_and_reads_hanja(title, expected):
    assert clean_title(title) == expected


def test_lead_of_drops_the_dateline_and_keeps_the_first_sentence():
    text = "[서울=가상통신]홍길동 기자 = 한빛전자가 28일 실적을 발표했다. 둘째 문장은 빠진다."
    assert lead_of(text) == "한빛전자가 28일 실적을 발표했다."


def test_flash_headlines():
    assert is_flash("[속보] 어선 전복") and is_flash("어선 전복(1보)")
    assert not is_flash("어선 전복 속보 정리")


def test_features_drop_boilerplate_outlet_names_and_dates():
    features = post_features(
        "[포토] 한빛전자 신제품 공개",
        "가상일보 홍길동 기자 = 30일 한빛전자가 신제품을 공개했다.",
        outlet_name="가상일보",
    )
    assert {"한빛", "전자", "신제품", "공개"} <= features.terms
    assert not {"포토", "기자", "가상일보", "30일", "30"} & features.terms


def test_a_compound_counts_once_through_its_parts():
    features = post_features("한빛전자 직무대행 사퇴")
    assert {"한빛", "전자", "직무", "대행", "사퇴"} <= features.title
    assert not {"한빛전자", "직무대행"} & features.title


def test_calendar_dates_and_weekdays_are_no_terms():
    features = post_features(
        "[오늘의 운세]2031년 5월 12일 월요일", "5월 12일 월요일, 아침 운세입니다."
    )
    assert not {"2031년", "2031", "5월", "12일", "월요일"} & features.terms


def test_lead_drops_a_repeated_title_and_a_bulleted_list():
    title = "[가상리그 기록실] 두루미즈 vs 참새즈"
    text = f"{title} ▲ 배우 홍길동, 눈부신 화보 ▲ 가수 김철수 신곡 공개"
    assert lead_of(text, title=title) == ""
    assert lead_of("◇국장급 ▲기획관 홍길동") == "국장급"


def test_opinion_tags():
    assert is_opinion("[사설] 감사원장의 황당한 발언") and is_opinion("[정동칼럼] 기다렸다")
    assert is_opinion("[홍길동 칼럼] 여름") and not is_opinion("[대구 리뷰] 롯데 7연패 탈출")


# --- term index -----------------------------------------------------------------------------------


def test_term_index_lists_a_windows_posts_oldest_first_and_leaves_out_a_late_arrival():
    index = TermIndex()
    for n in range(100):  # one an hour, then a late arrival stored after newer posts
        index.add(f"p{n}", ["누리호"], T0 + timedelta(hours=n))
    index.add("late", ["누리호"], T0 + timedelta(hours=50))
    index.add("other", ["발사"], T0)
    since = T0 + timedelta(hours=90)
    assert index.recent("누리호", since) == [f"p{n}" for n in range(90, 100)]
    assert index.recent("누리호", since, limit=9) is None, "counted with the late arrival: 11"
    assert index.recent("누리호", T0 + timedelta(hours=95)) == [f"p{n}" for n in range(95, 100)]
    # An earlier window than the last one asked for: what was dropped stays dropped, and the late
    # arrival is in this one.
    earlier = index.recent("누리호", T0 + timedelta(hours=40))
    assert earlier == [*(f"p{n}" for n in range(95, 100)), "late"]
    assert index.recent("발사", since) == [] and index.recent("없는말", since) == []
    assert index.df("누리호") == 101 and index.documents == 102


# --- grouping on fictional headlines --------------------------------------------------------------

EARNINGS = [
    item(
        "e1",
        "한빛전자 2분기 영업이익 3조2000억원…반도체 호조",
        "한빛전자가 2분기 영업이익이 3조2000억원으로 집계됐다고 밝혔다.",
        "a",
        0,
    ),
    item(
        "e2",
        "반도체 호조에 한빛전자 2분기 영업익 3조2000억원 기록",
        "한빛전자의 2분기 영업이익이 반도체 호조로 3조2000억원을 기록했다.",
        "b",
        1,
    ),
    item(
        "e3",
        "한빛전자, 2분기 영업이익 3조2000억원…시장 예상 웃돌아",
        "한빛전자는 2분기 영업이익 3조2000억원을 올려 시장 예상을 웃돌았다.",
        "c",
        3,
    ),
]
NOISE = [
    item(
        "n1",
        "서울 낮 최고 35도 폭염 계속",
        "기상청은 서울의 낮 기온이 35도까지 오르겠다고 밝혔다.",
        "b",
        0.5,
    ),
    item(
        "n2",
        "프로야구 두루미즈, 연장 끝에 5연승",
        "두루미즈가 연장 승부 끝에 5연승을 달렸다.",
        "c",
        2,
    ),
    item(
        "n3", "국립중앙도서관 여름 특별전 개막", "국립중앙도서관이 여름 특별전을 열었다.", "a", 2.5
    ),
]


def test_same_event_from_three_outlets_is_one_story():
    grouper = Grouper()
    stories = {i.id: grouper.add(i) for i in sorted(EARNINGS + NOISE, key=lambda i: i.published_at)}
    assert stories["e1"] == stories["e2"] == stories["e3"]
    assert len({stories[i] for i in ("e1", "n1", "n2", "n3")}) == 4


def test_story_id_is_stable_as_the_story_grows():
    grouper = Grouper()
    first = grouper.add(EARNINGS[0])
    assert grouper.add(EARNINGS[1]) == first
    assert grouper.add(EARNINGS[2]) == first
    assert grouper.story_of("e1") == first and grouper.merges == []


def test_adding_a_post_twice_keeps_its_story():
    grouper = Grouper()
    story = grouper.add(EARNINGS[0])
    assert grouper.add(EARNINGS[0]) == story
    assert len(grouper.stories[story].members) == 1


def test_one_politicians_statements_on_two_days_are_two_stories():
    grouper = Grouper()
    monday = grouper.add(
        item(
            "p1",
            "김도윤 의원 “부동산 세제 전면 개편해야”",
            "김도윤 의원이 부동산 보유세 체계를 전면 개편해야 한다고 주장했다.",
            "a",
        )
    )
    tuesday = grouper.add(
        item(
            "p2",
            "김도윤 의원 “청년 일자리 예산 늘려야”",
            "김도윤 의원이 내년 청년 일자리 예산을 늘려야 한다고 말했다.",
            "b",
            26,
        )
    )
    assert monday != tuesday


def test_a_flash_and_its_full_report_are_one_story():
    grouper = Grouper()
    flash = grouper.add(item("f1", "[속보] 제주 앞바다서 어선 전복…선원 3명 실종", "", "a"))
    report = grouper.add(
        item(
            "f2",
            "제주 앞바다 어선 전복으로 선원 3명 실종…해경 야간 수색",
            "가상통신 홍길동 기자 = 12일 제주 서귀포 앞바다에서 어선이 전복돼 선원 3명이 실종됐다.",
            "a",
            0.5,
        )
    )
    assert flash == report


def test_posts_five_days_apart_are_two_stories():
    grouper = Grouper()
    first = grouper.add(EARNINGS[0])
    same_words = item("late", EARNINGS[0].title, EARNINGS[0].text, "b", hours=5 * 24)
    assert grouper.add(same_words) != first


def test_an_editorial_is_a_story_of_its_own():
    grouper = Grouper()
    report = grouper.add(EARNINGS[0])
    editorial = item("ed", "[사설] 한빛전자 2분기 영업이익 3조2000억원의 의미", "", "b", 2)
    assert grouper.add(editorial) != report


def test_a_reaction_resembling_one_member_does_not_join_the_story():
    # Average link: the reaction shares the person with the second report only, not the story.
    grouper = Grouper(Settings(half_life=None), features=lambda post: FEATURES[post.id])
    ids = {}
    for hours, name in enumerate(["x1", "x2", "reaction"]):
        ids[name] = grouper.add(item(name, name, outlet=name, hours=hours))
    assert ids["x1"] == ids["x2"] != ids["reaction"]


def test_one_shared_word_is_not_enough():
    grouper = Grouper(Settings(half_life=None), features=lambda post: FEATURES[post.id])
    assert grouper.add(item("solo1", "solo1", outlet="p")) != grouper.add(
        item("solo2", "solo2", outlet="q", hours=1)
    )


def test_terms_only_the_post_holds_do_not_use_up_the_probes():
    # A report with a dozen figures of its own (a box score): those terms are its rarest, but no
    # earlier post holds them; the shared names must still retrieve the earlier report.
    own = " ".join(f"기록{n}" for n in range(Settings().probe_terms + 3))
    features = {
        "report": _features("알파 브라보 찰리 델타"),
        "roundup": Features(
            title=_features("알파 브라보 찰리 델타").title, lead=frozenset(own.split()), flash=False
        ),
    }
    grouper = Grouper(Settings(half_life=None), features=lambda post: features[post.id])
    first = grouper.add(item("report", "report", outlet="p"))
    assert grouper.add(item("roundup", "roundup", outlet="q", hours=1)) == first


# --- merging, on hand-made features ---------------------------------------------------------------


def _features(terms: str) -> Features:
    """A title of these words, as `post_features` sees it (its letters too, for the trigrams)."""
    title = frozenset(terms.split())
    return Features(
        title=title, lead=frozenset(), flash=False, title_letters=terms.replace(" ", "")
    )


FEATURES = {
    "x1": _features("알파 브라보 찰리 델타"),
    "x2": _features("알파 브라보 찰리 델타 에코"),
    "y1": _features("폭스 골프 호텔 인디아"),
    "y2": _features("폭스 골프 호텔 인디아 줄리엣"),
    "bridge": _features("알파 브라보 찰리 델타 폭스 골프 호텔 인디아"),
    "other1": _features("킬로 리마"),
    "other2": _features("마이크 노벰버"),
    "reaction": _features("알파 에코 오스카 파파"),
    "solo1": _features("퀘벡"),
    "solo2": _features("퀘벡 로미오 시에라"),
}


def test_a_bridging_post_merges_two_stories_into_the_older_one():
    grouper = Grouper(Settings(half_life=None), features=lambda post: FEATURES[post.id])
    ids = {}
    for hours, name in enumerate(["other1", "x1", "other2", "y1", "x2", "y2"]):
        ids[name] = grouper.add(item(name, name, outlet=name, hours=hours))
    assert ids["x1"] == ids["x2"] and ids["y1"] == ids["y2"] and ids["x1"] != ids["y1"]

    merged = grouper.add(item("bridge", "bridge", outlet="z", hours=7))

    assert merged == ids["x1"]  # the older story's id survives
    assert grouper.merges == [(ids["x1"], ids["y1"])]
    assert {grouper.story_of(name) for name in ("x1", "x2", "y1", "y2", "bridge")} == {merged}
    assert grouper.story_of("other1") != merged


def test_no_merge_beyond_the_maximum_span():
    settings = Settings(half_life=None, window=timedelta(days=10), max_span=timedelta(hours=72))
    grouper = Grouper(settings, features=lambda post: FEATURES[post.id])
    x = grouper.add(item("x1", "x1", outlet="p", hours=0))
    y = grouper.add(item("y1", "y1", outlet="q", hours=60))
    assert grouper.add(item("bridge", "bridge", outlet="z", hours=80)) == y != x
    assert grouper.merges == []


# --- the pair model -------------------------------------------------------------------------------


def test_a_launch_and_its_delay_the_day_before_are_two_stories():
    # Same rocket, same words (발사, 하루): the delay and the launch a day later are two events.
    grouper = Grouper()
    delay = [
        item("d1", "태풍 '하늘' 북상에…미르내-2 발사 하루 연기", "", "a", 0),
        item("d2", "소형발사체 '미르내-2' 발사 하루 연기…\"태풍 영향 강풍 예보\"", "", "b", 0.5),
    ]
    launch = [
        item("l1", "[속보] 소형발사체 '미르내-2' 고흥서 발사", "", "b", 24),
        item(
            "l2", "'미르내-2' 하루 늦춰 발사…\"가온샛 1호 궤도 진입 여부 곧 발표\"", "", "b", 24.2
        ),
        item("l3", "미르내-2 발사 성공…가온샛 1호, 550km 궤도서 첫 교신", "", "c", 25),
    ]
    stories = {post.id: grouper.add(post) for post in delay + launch}
    assert stories["d1"] == stories["d2"]
    assert stories["l2"] == stories["l3"]
    assert stories["d1"] != stories["l3"]


def test_the_same_report_hours_later_is_less_likely_the_same_event():
    grouper = Grouper()
    grouper.add(EARNINGS[0])
    first = grouper.posts["e1"]
    features = grouper.posts["e1"].features
    weights = grouper._weights(features)
    soon = item("soon", EARNINGS[0].title, EARNINGS[0].text, "b", hours=1)
    later = item("later", EARNINGS[0].title, EARNINGS[0].text, "b", hours=30)
    assert grouper.similarity(soon, features, weights, first) > 0.5
    assert grouper.similarity(later, features, weights, first) < grouper.similarity(
        soon, features, weights, first
    )


def test_posts_naming_different_days_are_two_happenings():
    # One person's statements of two days, worded alike: the labels make them two stories.
    words = frozenset(["가온", "나래", "다솜", "라온", "마루"])

    def match(days: frozenset[int], other_days: frozenset[int]) -> float:
        grouper = Grouper()
        grouper.add(item("x", "x"), features=Features(words, frozenset(), False, days=days))
        features = Features(words, frozenset(), False, days=other_days)
        post = item("y", "y", outlet="b", hours=1)
        return grouper.similarity(post, features, grouper._weights(features), grouper.posts["x"])

    assert match(frozenset([30]), frozenset([31])) == 0.0
    assert match(frozenset([30]), frozenset([30, 31])) > 0.5
    assert match(frozenset(), frozenset([31])) > 0.5  # a post naming no day may report either


def test_one_days_forecasts_are_one_story_and_two_days_two():
    # The labels make one day's forecasts one story, whatever each leads with; their titles share
    # only the tag. The same outlet's forecast of the next day is another story.
    grouper = Grouper()
    forecasts = [
        item("w1", "[오늘(12일)의 날씨] 태풍 '가람' 북상…남부 곳곳 많은 비", "", "a"),
        item(
            "w2",
            "오늘의 날씨 - 오전 (2031년 05월 12일)",
            "5월 12일 월요일, 아침 날씨입니다.",
            "b",
            4,
        ),
        item(
            "w3", "[날씨] 가람 영향 전국에 비…찜통 더위", "12일 전국 곳곳에 비가 내리겠다.", "c", 8
        ),
        item(
            "w4",
            "오늘의 날씨 - 오전 (2031년 05월 13일)",
            "5월 13일 화요일, 아침 날씨입니다.",
            "b",
            28,
        ),
    ]
    stories = [grouper.add(forecast) for forecast in forecasts]
    assert stories[0] == stories[1] == stories[2] != stories[3]


def test_shared_names_and_figures_raise_the_match():
    # The same shared words, once as common nouns and once as names and figures.
    words = frozenset(["가온", "나래", "다솜", "라온"])

    def match(entities: frozenset[str]) -> float:
        grouper = Grouper()
        grouper.add(
            item("x", "x"), features=Features(words | {"마루"}, frozenset(), False, False, entities)
        )
        features = Features(words | {"바다"}, frozenset(), False, False, entities)
        post = item("y", "y", outlet="b", hours=1)
        return grouper.similarity(post, features, grouper._weights(features), grouper.posts["x"])

    assert match(frozenset(["가온", "나래"])) > match(frozenset())
