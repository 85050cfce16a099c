"""The site's boards (sections) and the mapping from an outlet's own section label to one.

Pure: no Django. The order of SECTIONS is the order of the site menu.
"""

from __future__ import annotations

import unicodedata

# (slug, menu label). Slugs are stable URL parts: /board/<slug>.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("politics", "정치"),
    ("economy", "경제"),
    ("society", "사회"),
    ("world", "국제"),
    ("culture", "문화"),
    ("it", "IT·과학"),
    ("sports", "스포츠"),
    ("entertainment", "연예"),
    ("opinion", "오피니언"),
)
SECTION_LABELS = dict(SECTIONS)

# Words in outlets' section names (see shared/data/feeds/korean_feeds.tsv: "세계(국제)", "IT/과학",
# "마켓+(증시)", "북한", …) and the board each one belongs to; first match wins.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("오피니언", "opinion"),
    ("사설", "opinion"),
    ("칼럼", "opinion"),
    ("opinion", "opinion"),
    ("정치", "politics"),
    ("북한", "politics"),
    ("politics", "politics"),
    ("경제", "economy"),
    ("산업", "economy"),
    ("증시", "economy"),
    ("마켓", "economy"),
    ("금융", "economy"),
    ("부동산", "economy"),
    ("economy", "economy"),
    ("business", "economy"),
    ("사회", "society"),
    ("전국", "society"),
    ("지역", "society"),
    ("society", "society"),
    ("국제", "world"),
    ("세계", "world"),
    ("world", "world"),
    ("international", "world"),
    ("연예", "entertainment"),
    ("entertainment", "entertainment"),
    ("스포츠", "sports"),
    ("sports", "sports"),
    ("문화", "culture"),
    ("건강", "culture"),
    ("생활", "culture"),
    ("culture", "culture"),
    ("it", "it"),
    ("과학", "it"),
    ("테크", "it"),
    ("tech", "it"),
    ("science", "it"),
)


def section_for(label: str) -> str:
    """The board slug for an outlet's section label, or "" for a general feed (전체, 최신기사)."""
    text = unicodedata.normalize("NFC", label or "").strip().lower()
    if text in SECTION_LABELS:
        return text
    for word, slug in _KEYWORDS:
        if word in text:
            return slug
    return ""
