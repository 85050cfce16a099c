"""Decode fetched HTML to text, whatever the page claims about its charset.

Korean pages are UTF-8 or EUC-KR, and EUC-KR is always decoded as cp949 (Windows-949/UHC), its
superset: EUC-KR proper lacks 8,822 of the 11,172 Hangul syllables (똠, 햏, 쌰…), which Korean sites
write in cp949 while still labelling the page "euc-kr". The WHATWG Encoding Standard does the same
(https://encoding.spec.whatwg.org/#names-and-labels, the "EUC-KR" encoding is windows-949).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# WHATWG Encoding Standard labels of the EUC-KR encoding, plus aliases seen on Korean servers.
_KOREAN_LABELS = frozenset(
    {
        "cp949",
        "cseuckr",
        "csksc56011987",
        "euc-kr",
        "euckr",
        "iso-ir-149",
        "korean",
        "ks_c_5601-1987",
        "ks_c_5601-1989",
        "ksc5601",
        "ksc_5601",
        "ms949",
        "uhc",
        "windows-949",
        "x-windows-949",
    }
)
# Python codec → the superset WHATWG decodes that label with (as euc-kr → cp949 above).
_SUPERSETS = {
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "shift_jis": "cp932",
    "tis-620": "cp874",
    "utf-16": "utf-16-le",
}
# Codecs a web page may be declared in; anything else Python knows (utf-7, rot13, idna…) is
# treated as an unknown label.
_WEB_CODECS = frozenset(
    {"utf-8", "utf-16-le", "utf-16-be", "cp949", "cp932", "euc_jp", "iso2022_jp", "gb18030"}
    | {"big5hkscs", "koi8-r", "koi8-u", "cp866", "cp874", "mac-roman", "mac-cyrillic"}
    | {f"cp125{n}" for n in range(9)}
    | {f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)}
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# HTML's prescan reads 1,024 bytes; Korean CMS pages often put scripts and styles before the
# meta, so we read further.
_PRESCAN_BYTES = 4096
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
# <meta charset="…"> and <meta http-equiv="Content-Type" content="text/html; charset=…">
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([\w.:-]+)""")


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Decode an HTML (or XML) body to NFC text with the charset `detect_charset` picks.

    Never raises: bytes invalid in every candidate charset become U+FFFD.
    """
    text = content.decode(detect_charset(content, content_type), errors="replace")
    text = text.removeprefix("\ufeff")
    # NFC, never NFKD: NFKD splits Hangul syllables into conjoining jamo.
    return unicodedata.normalize("NFC", text)


def detect_charset(content: bytes, content_type: str | None = None) -> str:
    """Return the Python codec to decode `content` with.

    Priority (the order of the WHATWG Encoding Standard's "decode" and of HTML's encoding
    sniffing, https://html.spec.whatwg.org/#encoding-sniffing-algorithm):

    1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE) wins over everything;
    2. the ``charset`` of the Content-Type header;
    3. ``<meta charset>``, ``<meta http-equiv="Content-Type">`` or the XML declaration's
       ``encoding`` in the first 4 KB;
    4. UTF-8 if the bytes are valid UTF-8;
    5. cp949.

    Any EUC-KR label means cp949. A declaration the bytes contradict is skipped: a page declared
    EUC-KR that is valid UTF-8 is UTF-8 (a common Korean misconfiguration), and a page declared
    UTF-8 that is not is tried with the next candidate. Unknown labels count as undeclared. When
    no candidate decodes cleanly, the one with the fewest invalid bytes wins.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    candidates = [*_declared(content, content_type), "utf-8", "cp949"]
    for encoding in candidates:
        if encoding == "cp949" and _looks_like_utf8(content):
            return "utf-8"
        if _decodes(content, encoding):
            return encoding
    return min(candidates, key=lambda encoding: content.decode(encoding, "replace").count("\ufffd"))


def _declared(content: bytes, content_type: str | None) -> list[str]:
    declared = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header and (encoding := _codec(header.group(1))):
        declared.append(encoding)
    head = content[:_PRESCAN_BYTES]
    meta = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if meta and (encoding := _codec(meta.group(1).decode("ascii"))):
        # WHATWG "prescan": a meta that declares UTF-16 was itself read as ASCII, so it means UTF-8.
        declared.append("utf-8" if encoding.startswith("utf-16") else encoding)
    return declared


def _codec(label: str) -> str | None:
    """Map a charset label to a Python codec, or None when it is unknown or not a web encoding."""
    label = label.strip().lower()
    if label in _KOREAN_LABELS:
        return "cp949"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = _SUPERSETS.get(name, name)
    return name if name in _WEB_CODECS else None


def _decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_utf8(content: bytes) -> bool:
    # Incremental decoding forgives a multi-byte sequence cut off at the end of the body.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(content, final=False)
    except UnicodeDecodeError:
        return False
    return True
