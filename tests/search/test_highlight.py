import pytest

from newsrank.search.highlight import highlight, snippet

JOBS = ("조", "지원")  # the phrase "조 지원"


def test_marks_terms_and_escapes_everything_else():
    assert (
        highlight("<b>인텔</b>과 협력", {"인텔"}) == "&lt;b&gt;<mark>인텔</mark>&lt;/b&gt;과 협력"
    )


def test_marks_latin_in_any_case_and_merges_adjacent_parts():
    assert highlight("SK하이닉스 HBM3E", {"sk", "하이닉스", "hbm3e"}) == (
        "<mark>SK하이닉스</mark> <mark>HBM3E</mark>"
    )


def test_marks_hanja_abbreviations_of_a_term():
    assert highlight("美 관세", {"미국"}) == "<mark>美</mark> 관세"


def test_marks_a_number_written_with_or_without_its_thousands_commas():
    # The terms drop the commas (1,360원 is 1360원), the text keeps them.
    assert highlight("휘발유 1,360원, 경유 1360원", {"1360원"}) == (
        "휘발유 <mark>1,360원</mark>, 경유 <mark>1360원</mark>"
    )
    assert highlight("정부 1,000억 지원", set(), phrases=[("1000억", "지원")]) == (
        "정부 <mark>1,000억 지원</mark>"
    )
    assert highlight("HBM3E 3.5% 상승", {"hbm3e", "3.5%"}) == (
        "<mark>HBM3E</mark> <mark>3.5%</mark> 상승"
    )


def test_one_character_terms_only_as_parts_of_their_own():
    assert highlight("윤 대통령의 문제", {"윤", "제"}) == "<mark>윤</mark> 대통령의 문제"
    assert highlight("조기 집행, 조를 넘는 문제", {"조", "문"}) == (
        "조기 집행, <mark>조</mark>를 넘는 문제"
    )
    assert highlight("4조원, 48GB", {"4"}) == "<mark>4</mark>조원, 48GB"
    assert highlight("6G, 10Gbps", {"g"}) == "6<mark>G</mark>, 10Gbps"
    assert highlight("美中 갈등", {"미국"}) == "<mark>美</mark>中 갈등"  # hanja stack up


def test_snippet_centres_on_the_matches():
    body = "앞 문단입니다. " * 40 + "여기에 태풍 소식이 있습니다. " + "뒤 문단입니다. " * 40
    piece = snippet(body, {"태풍"}, width=80)
    assert "<mark>태풍</mark>" in piece
    assert piece.startswith("…") and piece.endswith("…")
    assert len(piece.replace("<mark>", "").replace("</mark>", "")) <= 80 + 2 + 30


def test_snippet_shows_the_first_window_with_the_most_distinct_words():
    body = (
        "태풍 " * 30 + "가 " * 60 + "태풍 상륙 피해 " + "나 " * 60 + "태풍 상륙 피해 " + "다 " * 60
    )
    piece = snippet(body, {"태풍", "상륙", "피해"}, width=40)
    plain = piece.replace("<mark>", "").replace("</mark>", "")
    assert "가 태풍 상륙 피해 나" in plain and "다" not in plain  # the first of the two


def test_snippet_window_is_the_one_counting_every_window_finds():
    import random

    from newsrank.search.highlight import _densest, _spans, needles

    def counted(text, spans, width):  # the window of each match, counted over all matches
        def words(first):
            return len({text[s:e].lower() for s, e in spans if first <= s and e <= first + width})

        return max((start for start, _ in spans), key=lambda start: (words(start), -start))

    rng = random.Random(3)
    for _ in range(500):
        joiner = rng.choice([" ", ""])  # without spaces, neighbouring matches merge
        text = joiner.join(rng.choice(["인텔", "AI", "반도체", "가나", "라"]) for _ in range(60))
        phrases = rng.choice([(), (("인텔", "반도체"),)])
        spans = _spans(text, needles(rng.sample(["인텔", "ai", "반도체"], 2)), phrases)
        width = rng.choice([2, 6, 12, 30])  # 2: shorter than any match
        assert _densest(text, spans, width) == counted(text, spans, width), (text, width)


def test_snippet_without_matches_is_the_beginning():
    assert snippet("첫 문단.\n\n둘째 문단.", {"없는말"}) == "첫 문단. 둘째 문단."


def test_snippet_escapes_html():
    assert snippet("<script>alert(1)</script> 인텔", {"인텔"}) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>인텔</mark>"
    )


def test_phrase_marks_where_it_stands_and_not_its_lone_terms():
    assert highlight("1조 지원 발표… 조기 집행, 지원 확대", set(), phrases=[JOBS]) == (
        "1<mark>조 지원</mark> 발표… 조기 집행, 지원 확대"
    )


# What Korean writes onto a noun and the analyzer leaves out of the terms: the index finds the
# phrase across it, so the mark does too.
@pytest.mark.parametrize(
    ("text", "phrase", "marked"),
    [
        ("조 지원", JOBS, "<mark>조 지원</mark>"),
        ("조를 지원하는", JOBS, "<mark>조를 지원</mark>하는"),
        ("기업들에 지원", ("기업", "지원"), "<mark>기업들에 지원</mark>"),
        ("경제적 지원", ("경제", "지원"), "<mark>경제적 지원</mark>"),
        ("지원했다 확대", ("지원", "확대"), "<mark>지원했다 확대</mark>"),
        ("AI반도체 수출", ("ai", "반도체", "수출"), "<mark>AI반도체 수출</mark>"),
        ("與 반발에 野 침묵", ("여당", "반발"), "<mark>與 반발</mark>에 野 침묵"),
    ],
)
def test_phrase_marks_its_terms_with_particles_and_endings_between(text, phrase, marked):
    assert highlight(text, set(), phrases=[phrase]) == marked


# Where a term runs on into a longer word (조기, 강조) or another term stands between (4조원: 원),
# the index does not find the phrase either.
@pytest.mark.parametrize("text", ["조기 지원", "강조 지원", "4조원 지원", "조합 지원", "지원 조"])
def test_phrase_not_marked_where_its_terms_do_not_stand_together(text):
    assert highlight(text, set(), phrases=[JOBS]) == text


def test_phrase_ending_in_one_character_marks_it_only_where_its_word_ends():
    phrase = ("지원", "조")
    assert highlight("지원 조기 집행", set(), phrases=[phrase]) == "지원 조기 집행"
    assert highlight("지원 조를 늘려, 지원 조.", set(), phrases=[phrase]) == (
        "<mark>지원 조</mark>를 늘려, <mark>지원 조</mark>."
    )


def test_phrase_after_a_long_run_of_particles_is_answered_at_once():
    # Particles overlap (이나 = 이 + 나): unbounded, 40 of them would backtrack for hours.
    text = "조" + "이나" * 40 + "다 조 지원"
    assert highlight(text, set(), phrases=[JOBS]) == "조" + "이나" * 40 + "다 <mark>조 지원</mark>"


def test_snippet_marks_what_the_whole_text_matches_not_what_its_cut_seems_to():
    text = "가" * 40 + "강조 지원 확대 " + "나" * 40  # 강조: no phrase "조 지원" here
    piece = snippet(text, {"확대"}, width=20, phrases=[JOBS])
    assert "<mark>확대</mark>" in piece and "<mark>조" not in piece


def test_phrase_and_plain_word_together():
    assert highlight("반도체 1조 지원, 반도체 조기 지원", {"반도체"}, phrases=[JOBS]) == (
        "<mark>반도체</mark> 1<mark>조 지원</mark>, <mark>반도체</mark> 조기 지원"
    )


def test_phrase_found_only_by_analysis_marks_nothing():
    # 크게 is a verb, so the index finds "지원 확대" here; a mark would have to guess.
    text = "지원을 크게 확대했다. 지원 대상은 늘었다."
    assert highlight(text, set(), phrases=[("지원", "확대")]) == text
    assert snippet(text, set(), phrases=[("지원", "확대")]) == text
    assert snippet(text, {"대상"}, phrases=[("지원", "확대")]) == (
        "지원을 크게 확대했다. 지원 <mark>대상</mark>은 늘었다."
    )


def test_snippet_centres_on_the_phrase_and_leaves_its_lone_terms():
    body = "조기 지원 소식입니다. " * 30 + "정부가 1조 지원 방안을 냈다. " + "뒤 문단입니다. " * 40
    piece = snippet(body, set(), width=80, phrases=[JOBS])
    assert piece.startswith("…") and piece.endswith("…")
    assert "조기 지원" in piece and "1<mark>조 지원</mark> 방안" in piece
    assert piece.count("<mark>") == 1


def test_phrase_escapes_html_inside_and_around_its_mark():
    assert highlight('A&B: 조 "지원" <확정>', set(), phrases=[JOBS]) == (
        "A&amp;B: <mark>조 &quot;지원</mark>&quot; &lt;확정&gt;"
    )
