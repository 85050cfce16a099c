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
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(key → Korean word, key → word when written right after a number or a Korean word)."""
    table, attached = {}, {}
    for number, line in enumerate(TABLE_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, *words = line.split("\t")
        if not key or not 1 <= len(words) <= 2 or not all(w.strip() for w in words):
            raise ValueError(
                f"{TABLE_PATH.name}:{number}: expected 'key<TAB>word[<TAB>word]', got {line!r}"
            )
        table[key] = words[0].strip()
        if len(words) == 2:
            attached[key] = words[1].strip()
    return table, attached


def hanja_table() -> dict[str, str]:
    """The abbreviation table, key → Korean word."""
    return _tables()[0]


@cache
def _pattern() -> re.Pattern[str]:
    keys = sorted(hanja_table(), key=len, reverse=True)  # 韓美日 before 韓美 before 韓
    alternatives = "|".join(map(re.escape, keys))
    return re.compile(f"(?<![{_IDEOGRAPH}])(?:{alternatives})(?![{_IDEOGRAPH}])")


def hanja_word(form: str, *, attached: bool = False) -> str | None:
    """The Korean word of one standalone abbreviation ("美" → "미국"), else None. `attached`: the
    form is written right after a number or a Korean word ("3명中": "중", not "중국")."""
    table, after_word = _tables()
    return (attached and after_word.get(form)) or table.get(form)


def _after_a_word(text: str, index: int) -> bool:
    """Whether the character before `index` is a digit or a Korean syllable."""
    return index > 0 and ("0" <= text[index - 1] <= "9" or "가" <= text[index - 1] <= "힣")


def normalize_hanja(text: str) -> str:
    """Replace standalone headline hanja by their Korean words: "美 관세에 與 반발" → "미국 관세에 여당 반발"."""
    return _pattern().sub(
        lambda match: hanja_word(match.group(), attached=_after_a_word(text, match.start())),
        text,
    )
