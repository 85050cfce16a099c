"""Post features for story matching: counted amounts and entities, on fictional headlines."""

from newsrank.stories.features import named_days, post_features, title_letters, trigram_overlap


def test_a_counted_amount_is_one_term_whatever_the_counter():
    # "200만명" in one headline and "200만" in another report one figure.
    one = post_features("영화 '바다의 노래' 관객 200만명 돌파")
    other = post_features("'바다의 노래' 개봉 닷새 만에 200만 돌파")
    assert "200만" in one.title & other.title
    assert "5988" in post_features("상반기 밀수사범 5988명 검거").title


def test_counters_that_say_what_is_counted_stay():
    features = post_features("두루미즈 7연패 탈출…6호 태풍 북상")
    assert {"7연패", "6호"} <= features.title


def test_entities_are_names_latin_words_and_numbers_not_common_nouns():
    features = post_features(
        "김도윤 의원, HBM 공장 3곳 방문", "김도윤 의원이 한빛전자 평택 공장을 찾았다."
    )
    assert {"김도윤", "hbm", "3"} <= features.entities
    assert not {"의원", "공장", "방문"} & features.entities
    assert features.entities <= features.terms


def test_native_day_counts_read_as_the_figure_of_days():
    # "닷새 만에" and "5일째" (or "5일만에") report one fact: both become the term 5일째.
    words = post_features("'바다의 노래' 개봉 닷새 만에 200만 돌파").title
    figures = post_features("'바다의 노래' 개봉 5일째 누적 관객 200만명")
    assert "5일째" in words & figures.title
    assert "5일째" in post_features("'바다의 노래' 5일만에 227만명").title
    assert "3일간" in post_features("두루미시 사흘 동안 폭염 경보").title
    # Not a count of days: a bare 하루, a date's 만기, a 간담회.
    assert "하루" in post_features("하루 확진자 10만명 넘어").title
    assert not {"25일째", "5일간"} & post_features("25일 만기 적금, 5일 간담회").title


def test_named_days_are_the_news_days_not_past_days_or_counts_of_days():
    assert named_days("두루미시는 31일 폭염 경보를 내렸다") == {31}
    assert named_days("오늘의 날씨 - 오전 (2022년 08월 01일)") == {1}
    assert named_days("[오늘(31일)의 날씨] 전국 흐리고 비") == {31}
    assert named_days("7월 30일 일요일, 아침 날씨입니다.") == {30}
    # Background and a file photo's caption; counts of days; a date's 만기.
    assert not named_days("지난 29일 찍힌 사진, 지난달 7일 회견")
    assert not named_days("개봉 닷새 만에, 5일째 폭염, 사흘간 휴업, 25일만기")


def test_features_hold_the_days_of_title_and_lead():
    features = post_features("[오늘(31일)의 날씨] 전국 비", "8월 1일까지 남부에 많은 비가 온다.")
    assert features.days == {31, 1}


def test_title_letters_drop_tags_spaces_and_punctuation_and_read_hanja():
    assert title_letters("[속보] 與 '두루미 3점포'…누리팀, HBM 구장서 승리(종합)") == (
        "여당두루미3점포누리팀hbm구장서승리"
    )
    assert post_features("두루미, 3점 결승 대포").title_letters == "두루미3점결승대포"


def test_trigram_overlap_finds_runs_of_syllables_that_terms_split_differently():
    # One home run, spaced and worded two ways: the shorter title's trigrams decide.
    short, long = (
        title_letters("두루미, 3점 결승 대포"),
        title_letters("'두루미 3점포' 누리팀 신승"),
    )
    assert trigram_overlap(short, long) == 3 / 7  # 두루미, 루미3, 미3점 of 7 in the shorter
    assert trigram_overlap(long, short) == trigram_overlap(short, long)
    flash = title_letters("[속보] 한빛전자 노조 파업 돌입")
    assert trigram_overlap(flash, title_letters("한빛전자 노조 파업 돌입…생산 차질 우려")) == 1.0
    assert trigram_overlap(flash, title_letters("누리시 폭염 경보")) == 0.0
    assert trigram_overlap("", flash) == trigram_overlap("가나", flash) == 0.0


def test_a_term_is_one_string_however_many_posts_hold_it():
    # A crawler holds 72 hours of posts' features: the same words, not a copy per post.
    one = post_features("가람시 폭우에 도로 통제", "가람시에 31일 폭우가 쏟아졌다.")
    other = post_features("폭우로 가람시 도로 잠겨", "가람시 도로가 31일 폭우로 잠겼다.")
    shared = one.terms & other.terms
    assert {"폭우", "도로"} <= shared
    for term in shared:
        assert next(t for t in one.terms if t == term) is next(t for t in other.terms if t == term)


def test_forecasts_are_told_by_their_title_and_keep_the_tags_word():
    for title in (
        "[오늘(3일)의 날씨] 전국 흐리고 비",
        "오늘의 날씨 - 오전 (2031년 05월 12일)",
        "[날씨] 태풍 '가람' 영향 남부에 비",
        "[내일 날씨] 중부 맑고 더워",
    ):
        assert post_features(title).forecast, title
    forecast = post_features("[오늘의 날씨] 전국 흐리고 비")
    assert "날씨" in forecast.title
    # Weather in the news is no forecast: a heat wave's report, a photo of a hot day.
    for title in (
        "무더운 날씨에 지친 시민들",
        "두루미시 36도 넘었다…불볕더위",
        "태풍 여파로 많은 비",
    ):
        assert not post_features(title).forecast, title
