"""Decoding response bytes: declared charsets, BOMs, and the lies pages tell."""
import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from w3lib.encoding import html_to_unicode

from cleaning.decode import decode_html

ZH = ("成都加快建设具有全国影响力的科技创新中心，打造带动全国高质量发展的重要增长极和新的动力源。"
      "全会深入学习贯彻习近平总书记关于科技创新的重要论述。") * 3
JA = "日本語のテキストです。東京都は新しい政策を発表しました。これは重要なニュースです。" * 4


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_declared_utf8_is_utf8():
    d = decode_html(page("café “quotes” 中文").encode("utf-8"), "text/html; charset=UTF-8")
    assert "café “quotes” 中文" in d.text
    assert (d.charset_declared, d.charset_used, d.fixes) == ("utf-8", "utf-8", ())


def test_agrees_with_scrapy_on_honest_pages():
    """On honest pages we decode exactly as Scrapy (w3lib.html_to_unicode) does."""
    for body, ctype in [(page("café").encode("cp1252"), "text/html; charset=windows-1252"),
                        (page(ZH).encode("gb18030"), "text/html; charset=gb18030"),
                        (page(ZH, '<meta charset="utf-8">').encode("utf-8"), None),
                        (page(JA).encode("euc-jp"), "text/html; charset=euc-jp")]:
        expected = html_to_unicode(ctype, body)[1]
        assert decode_html(body, ctype).text == expected


def test_gbk_bytes_declared_as_utf8():
    d = decode_html(page(ZH).encode("gbk"), "text/html; charset=utf-8")
    assert ZH in d.text
    assert d.charset_declared == "utf-8" and d.charset_used == "gb18030"
    assert "charset_lie:utf-8->gb18030" in d.fixes


def test_short_gbk_declared_as_utf8():
    d = decode_html("<p>中文新闻</p>".encode("gbk"), "text/html; charset=utf-8")
    assert "中文新闻" in d.text and d.charset_used == "gb18030"


@pytest.mark.parametrize("char", ["镕", "䶮", "喆", "堃"])
def test_gb2312_declared_keeps_gbk_only_characters(char):
    body = page(f"朱{char}基同志" + ZH, '<meta http-equiv="Content-Type" '
                'content="text/html; charset=gb2312">').encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # a strict gb2312 decoder would lose the character
    d = decode_html(body, None)
    assert f"朱{char}基同志" in d.text
    assert d.charset_declared == "gb2312" and d.charset_used == "gb18030"
    assert "charset_override:gb2312->gb18030" in d.fixes
    assert "\ufffd" not in d.text


def test_server_default_latin1_over_gbk_page_with_meta():
    body = page(ZH, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                ).encode("gbk")
    d = decode_html(body, "text/html; charset=ISO-8859-1")
    assert ZH in d.text
    assert d.charset_declared == "iso8859-1" and d.charset_used == "gb18030"
    assert d.fixes == ("charset_lie:iso8859-1->gb18030",)


def test_server_default_latin1_over_undeclared_gbk_page():
    d = decode_html(page(ZH).encode("gbk"), "text/html; charset=ISO-8859-1")
    assert ZH in d.text and d.charset_used == "gb18030"


def test_header_utf8_meta_gbk_page_uses_meta():
    body = page("中文新闻", '<meta charset="gbk">').encode("gbk")
    d = decode_html(body, "text/html; charset=utf-8")
    assert "中文新闻" in d.text and d.fixes == ("charset_lie:utf-8->gb18030",)


def test_cyrillic_cp1251_is_kept():
    text = "Правительство в среду представило законопроект об энергетическом переходе." * 3
    d = decode_html(page(text).encode("cp1251"), "text/html; charset=windows-1251")
    assert text in d.text and d.charset_used == "cp1251" and d.fixes == ()


def test_utf8_declared_as_latin1():
    d = decode_html(page("Café “quoted” naïve").encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert "Café “quoted” naïve" in d.text
    assert d.charset_used == "utf-8" and d.charset_declared == "iso8859-1"
    assert "charset_lie:iso8859-1->utf-8" in d.fixes


def test_real_latin1_stays_latin1():
    d = decode_html(page("Café naïve à bientôt").encode("latin-1"), "text/html; charset=ISO-8859-1")
    assert "Café naïve à bientôt" in d.text and d.charset_used == "cp1252"


def test_utf8_declared_in_meta_as_gb2312():
    body = page(ZH, '<meta charset="gb2312">').encode("utf-8")
    d = decode_html(body, None)
    assert ZH in d.text and d.charset_used == "utf-8"
    assert d.fixes == ("charset_lie:gb2312->utf-8",)


def test_mixed_utf8_and_cp1252_is_detwingled():
    body = (page("Déjà vu – “smart” text.") .encode("utf-8")
            + "<p>Legacy “quote” and café</p>".encode("cp1252"))
    d = decode_html(body, "text/html; charset=utf-8")
    assert "Déjà vu – “smart” text." in d.text and "Legacy “quote” and café" in d.text
    assert d.charset_used == "utf-8" and "detwingle" in d.fixes


def test_bom_wins_over_header():
    body = codecs.BOM_UTF8 + page("中文 café").encode("utf-8")
    d = decode_html(body, "text/html; charset=windows-1252")
    assert "中文 café" in d.text and not d.text.startswith("\ufeff")
    assert d.charset_used == "utf-8" and d.charset_declared == "cp1252"
    assert d.fixes == ("charset_bom_over_declared:cp1252->utf-8",)


def test_utf16_bom():
    d = decode_html(codecs.BOM_UTF16_LE + page("hello 世界").encode("utf-16-le"), None)
    assert "hello 世界" in d.text and d.charset_used.startswith("utf-16")


@pytest.mark.parametrize("text,codec,expected_codec", [
    (ZH, "gbk", "gb18030"),
    (JA, "shift_jis", "cp932"),
])
def test_undeclared_legacy_pages_are_detected(text, codec, expected_codec):
    d = decode_html(page(text).encode(codec), "text/html")
    assert text in d.text
    assert d.charset_declared is None and d.charset_used == expected_codec
    assert d.fixes == (f"charset_detected:{expected_codec}",)


def test_undeclared_utf8_and_ascii():
    assert decode_html(page(ZH).encode("utf-8"), None).charset_used == "utf-8"
    d = decode_html(b"<p>plain</p>", "text/html")
    assert (d.text, d.charset_declared, d.charset_used, d.fixes) == ("<p>plain</p>", None,
                                                                      "utf-8", ())


def test_str_body_is_returned_as_is():
    d = decode_html("<p>déjà</p>", "text/html; charset=gbk")
    assert d.text == "<p>déjà</p>" and d.charset_used is None


@pytest.mark.parametrize("body,ctype", [
    (b"", None),
    (b"\xff\xfe\xff", "text/html; charset=utf-8"),
    (b"<p>x</p>", "text/html; charset=no-such-codec"),
    (b"\x00\x01\x02garbage\x80\x81", "text/html; charset="),
    (bytes(range(256)) * 4, None),
])
def test_never_raises(body, ctype):
    d = decode_html(body, ctype)
    assert isinstance(d.text, str)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([
    None, "text/html", "text/html; charset=utf-8", "text/html; charset=gbk",
    "text/html; charset=utf-16", "text/html; charset=bogus", "text/html; charset=\"latin1\""]))
def test_any_bytes_decode_to_text(body, ctype):
    d = decode_html(body, ctype)
    assert isinstance(d.text, str) and isinstance(d.fixes, tuple)
