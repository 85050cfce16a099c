"""Headline hanja abbreviations (與, 野, 美, 尹 …) read as the Korean words they stand for.

The table is data (`hanja.tsv` beside this module, with its sources in the header). Pure: no Django.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("hanja.tsv")

# CJK ideographs: the URO, extension A and the compatibility block. A key next to one of these is
# part of a longer hanja word (中國, 日本) and is not an abbreviation.
_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


@cache
def hanja_table() -> dict[str, str]:
    """The abbreviation table, key → Korean word."""
    table = {}
    for number, line in enumerate(TABLE_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, word = line.partition("\t")
        if not sep or not key or not word.strip():
            raise ValueError(f"{TABLE_PATH.name}:{number}: expected 'key<TAB>word', got {line!r}")
        table[key] = word.strip()
    return table


@cache
def _pattern() -> re.Pattern[str]:
    keys = sorted(hanja_table(), key=len, reverse=True)  # 韓美日 before 韓美 before 韓
    alternatives = "|".join(map(re.escape, keys))
    return re.compile(f"(?<![{_IDEOGRAPH}])(?:{alternatives})(?![{_IDEOGRAPH}])")


def hanja_word(form: str) -> str | None:
    """The Korean word of one standalone abbreviation ("美" → "미국"), else None."""
    return hanja_table().get(form)


def normalize_hanja(text: str) -> str:
    """Replace standalone headline hanja by their Korean words: "美 관세에 與 반발" → "미국 관세에 여당 반발"."""
    return _pattern().sub(lambda match: hanja_table()[match.group()], text)
