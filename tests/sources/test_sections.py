import pytest

from newsrank.sources.sections import SECTION_LABELS, section_for


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("정치", "politics"),
        ("북한", "politics"),
        ("경제", "economy"),
        ("마켓+(증시)", "economy"),
        ("세계(국제)", "world"),
        ("국제", "world"),
        ("사회", "society"),
        ("전국(지역)", "society"),
        ("대중문화/문화", "culture"),
        ("과학(미래&과학)", "it"),
        ("IT", "it"),
        ("IT·과학", "it"),
        ("스포츠", "sports"),
        ("연예", "entertainment"),
        ("사설·칼럼", "opinion"),
        ("전체", ""),
        ("전체(최신기사)", ""),
        ("", ""),
        ("sports", "sports"),
    ],
)
def test_maps_outlet_section_labels_to_boards(label, slug):
    assert section_for(label) == slug


def test_every_board_has_a_korean_label():
    assert all(
        label and not label.isascii() or slug == "it" for slug, label in SECTION_LABELS.items()
    )
