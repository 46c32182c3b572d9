"""Decoding Chinese pages right, and saying which encoding was used (faults.md row 20)."""

from __future__ import annotations

import codecs

from crawlers.encoding import decode_html

AD = "售后返租，年回报12%，保本保息"


def test_gbk_without_header_and_with_malformed_meta() -> None:
    body = (
        '<html><head><meta httpequiv="ContentType" content="text/html; charset=gbk">'
        f"</head><body>{AD}</body></html>"
    ).encode("gbk")
    text, encoding = decode_html(body, "text/html")
    assert AD in text
    assert encoding == "gb18030"


def test_gbk_without_any_label_is_not_read_as_cp1252() -> None:
    text, encoding = decode_html(f"<p>{AD}</p>".encode("gbk"), "")
    assert AD in text and encoding == "gb18030"


def test_gb18030_only_character_labelled_gb2312() -> None:
    body = b'<meta charset="gb2312"><p>' + "吉（𠮷）经理".encode("gb18030") + b"</p>"
    text, encoding = decode_html(body, "")
    assert "𠮷" in text and encoding == "gb18030"


def test_header_charset_wins_and_utf8_default() -> None:
    body = f"<p>{AD}</p>".encode()
    assert decode_html(body, "text/html; charset=UTF-8") == (f"<p>{AD}</p>", "utf-8")
    assert decode_html(body, "text/html")[1] == "utf-8"


def test_bom_wins() -> None:
    text, encoding = decode_html(codecs.BOM_UTF8 + "保本".encode(), "text/html; charset=gbk")
    assert (text, encoding) == ("保本", "utf-8")


def test_decoding_is_deterministic() -> None:
    body = f"<p>{AD}</p>".encode("gb18030")
    assert decode_html(body, "") == decode_html(body, "")


def test_undecodable_bytes_fall_back_without_raising() -> None:
    text, encoding = decode_html(b"\x80\xff plain \xfe", "")
    assert "plain" in text and encoding
