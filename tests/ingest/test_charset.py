import codecs
import unicodedata

import pytest

from newsrank.ingest.charset import decode_html, detect_charset

KOREAN = "한국어 뉴스"
CP949_ONLY = "똠방각하 햏햏"  # 똠 and 햏 are outside EUC-KR proper (KS X 1001)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def euc(text: str) -> bytes:
    return text.encode("cp949")


DETECT = [
    # (content, content_type, expected codec)
    # 1. a BOM wins over everything
    (codecs.BOM_UTF8 + page(KOREAN).encode(), "text/html; charset=euc-kr", "utf-8"),
    (
        codecs.BOM_UTF16_LE + page(KOREAN).encode("utf-16-le"),
        "text/html; charset=euc-kr",
        "utf-16-le",
    ),
    (codecs.BOM_UTF16_BE + page(KOREAN).encode("utf-16-be"), None, "utf-16-be"),
    # 2. the header charset, every EUC-KR label meaning cp949
    (euc(page(KOREAN)), "text/html; charset=euc-kr", "cp949"),
    (euc(page(KOREAN)), "text/html; charset=EUC-KR", "cp949"),
    (euc(page(KOREAN)), 'text/html; charset="ks_c_5601-1987"', "cp949"),
    (euc(page(KOREAN)), "text/html;charset=ksc5601", "cp949"),
    (euc(page(KOREAN)), "text/html; charset=x-windows-949", "cp949"),
    (euc(page(KOREAN)), "text/html; charset=korean", "cp949"),
    (euc(page(CP949_ONLY)), "text/html; charset=euc-kr", "cp949"),
    (page("café").encode("cp1252"), "text/html; charset=iso-8859-1", "cp1252"),
    # the header wins over the meta
    (
        page("café", '<meta charset="euc-kr">').encode("cp1252"),
        "text/html; charset=latin1",
        "cp1252",
    ),
    # 3. meta charset, meta http-equiv, XML declaration
    (euc(page(KOREAN, '<meta charset="euc-kr">')), None, "cp949"),
    (euc(page(KOREAN, "<meta charset=EUC-KR>")), "text/html", "cp949"),
    (
        euc(
            page(CP949_ONLY, '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">')
        ),
        None,
        "cp949",
    ),
    (euc('<?xml version="1.0" encoding="EUC-KR"?><rss><title>한국어</title></rss>'), None, "cp949"),
    (euc(page(KOREAN, '<meta charset="ks_c_5601-1987">')), "text/html; charset=nonsense", "cp949"),
    (page(KOREAN, '<meta charset="utf-16">').encode(), None, "utf-8"),
    # a declaration the bytes contradict is skipped
    (page(KOREAN, '<meta charset="euc-kr">').encode(), None, "utf-8"),
    (page(KOREAN).encode(), "text/html; charset=euc-kr", "utf-8"),
    (euc(page(KOREAN)), "text/html; charset=utf-8", "cp949"),
    (euc(page(KOREAN, '<meta charset="euc-kr">')), "text/html; charset=utf-8", "cp949"),
    # 4–5. nothing declared (or unknown labels): UTF-8 if valid, else cp949
    (page(KOREAN).encode(), None, "utf-8"),
    (page(KOREAN).encode(), "text/html", "utf-8"),
    (euc(page(KOREAN)), None, "cp949"),
    (euc(page(CP949_ONLY)), "text/html; charset=", "cp949"),
    (euc(page(KOREAN)), "text/html; charset=bogus-8", "cp949"),
    (euc(page(KOREAN, '<meta charset="utf-7">')), None, "cp949"),
    (euc(page(KOREAN, '<meta charset="rot13">')), None, "cp949"),
    (b"<html>plain ascii</html>", None, "utf-8"),
    (b"", None, "utf-8"),
]


@pytest.mark.parametrize(("content", "content_type", "expected"), DETECT)
def test_detect_charset(content, content_type, expected):
    assert detect_charset(content, content_type) == expected


DECODE = [
    # (content, content_type, text expected in the result)
    (euc(page(KOREAN)), "text/html; charset=euc-kr", KOREAN),
    (euc(page(CP949_ONLY)), "text/html; charset=euc-kr", CP949_ONLY),
    (euc(page(CP949_ONLY, '<meta charset="euc-kr">')), None, CP949_ONLY),
    (euc(page(CP949_ONLY)), None, CP949_ONLY),
    (page(KOREAN).encode(), "text/html; charset=euc-kr", KOREAN),
    (page(KOREAN, '<meta charset="euc-kr">').encode(), None, KOREAN),
    (codecs.BOM_UTF8 + page(KOREAN).encode(), None, KOREAN),
    (codecs.BOM_UTF16_LE + page(KOREAN).encode("utf-16-le"), None, KOREAN),
    (codecs.BOM_UTF16_BE + page(KOREAN).encode("utf-16-be"), "text/html; charset=utf-8", KOREAN),
]


@pytest.mark.parametrize(("content", "content_type", "expected"), DECODE)
def test_decode_html(content, content_type, expected):
    text = decode_html(content, content_type)
    assert expected in text
    assert "\ufffd" not in text
    assert not text.startswith("\ufeff")


def test_decodes_page_labelled_euc_kr_as_cp949():
    # Python's strict euc_kr codec cannot even read these syllables.
    content = euc(page(CP949_ONLY, '<meta charset="euc-kr">'))
    with pytest.raises(UnicodeDecodeError):
        content.decode("euc-kr")
    assert CP949_ONLY in decode_html(content, "text/html; charset=euc-kr")


def test_finds_meta_charset_after_a_long_head():
    head = "<!-- " + "x" * 900 + " -->" + '<meta charset="euc-kr">'
    content = euc(page("똠", head))
    assert 900 < content.index(b"<meta") < 1024
    assert detect_charset(content) == "cp949"


def test_ignores_meta_charset_past_the_prescan_window():
    head = "<!-- " + "x" * 5000 + " -->" + '<meta charset="iso-8859-2">'
    assert detect_charset(page(head).encode()) == "utf-8"


def test_reads_utf8_page_cut_mid_character():
    content = f"<html><body><p>{KOREAN}".encode()[:-1]  # 스 lost its last byte
    assert detect_charset(content, "text/html; charset=euc-kr") == "utf-8"


def test_never_raises_on_bytes_invalid_everywhere():
    content = page(KOREAN).encode() + b"\xff\xfe\xff" + euc("똠")
    text = decode_html(content, "text/html; charset=utf-8")
    assert KOREAN in text
    assert "\ufffd" in text


def test_mostly_utf8_page_without_declaration_stays_utf8():
    content = page(KOREAN * 20).encode() + b"\xff"
    assert KOREAN in decode_html(content)


def test_result_is_nfc_never_decomposed_jamo():
    nfd = unicodedata.normalize("NFD", KOREAN)
    assert nfd != KOREAN
    text = decode_html(page(nfd).encode("utf-8"))
    assert KOREAN in text
    assert unicodedata.is_normalized("NFC", text)
