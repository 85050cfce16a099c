from newsrank.search.highlight import highlight, snippet


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


def test_one_character_terms_only_where_a_word_starts():
    assert highlight("윤 대통령의 문제", {"윤", "제"}) == "<mark>윤</mark> 대통령의 문제"


def test_snippet_centres_on_the_matches():
    body = "앞 문단입니다. " * 40 + "여기에 태풍 소식이 있습니다. " + "뒤 문단입니다. " * 40
    piece = snippet(body, {"태풍"}, width=80)
    assert "<mark>태풍</mark>" in piece
    assert piece.startswith("…") and piece.endswith("…")
    assert len(piece.replace("<mark>", "").replace("</mark>", "")) <= 80 + 2 + 30


def test_snippet_without_matches_is_the_beginning():
    assert snippet("첫 문단.\n\n둘째 문단.", {"없는말"}) == "첫 문단. 둘째 문단."


def test_snippet_escapes_html():
    assert snippet("<script>alert(1)</script> 인텔", {"인텔"}) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>인텔</mark>"
    )
