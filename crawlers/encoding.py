"""Decode a page's bytes the way a browser in China would, and say which encoding won.

Scrapy's own guess falls back to cp1252 when a GBK page has no charset header and a
malformed meta tag (faults.md row 20), which turns 保本保息 into mojibake the rules cannot
read. Order here: BOM, HTTP charset, a lenient scan of the first 4 KB for `charset=`,
then strict UTF-8, then strict GB18030, then cp1252. GBK and GB2312 labels are read as
GB18030 (WHATWG Encoding Standard: "gbk" and "gb2312" map to the GB18030-compatible
decoder), so GB18030-only characters labelled gb2312 still decode. The raw bytes are kept
untouched by the caller; decoding is deterministic, so re-decoding never looks like a change.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import resolve_encoding

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Matches charset=... anywhere in a tag-ish context, including malformed metas such as
# <meta httpequiv="ContentType" content="text/html; charset=gbk">.
META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
UPGRADES = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}


def _normalise(label: str) -> str | None:
    """A Python codec name for an encoding label, or None if unknown."""
    resolved = resolve_encoding(label.strip().lower())
    if resolved is None:
        return None
    name = codecs.lookup(resolved).name
    return UPGRADES.get(name, name)


def _decodes(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Return `(text, encoding)` for an HTML body and its Content-Type header."""
    for bom, bom_codec in BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(bom_codec, errors="replace"), bom_codec
    declared: list[str] = []
    header = HEADER_CHARSET.search(content_type or "")
    if header:
        declared.append(header.group(1))
    meta = META_CHARSET.search(body[:4096])
    if meta:
        declared.append(meta.group(1).decode("ascii", errors="ignore"))
    for label in declared:
        codec = _normalise(label)
        if codec is None:
            continue
        decoded = _decodes(body, codec)
        if decoded is not None:
            return decoded, codec
    for codec in ("utf-8", "gb18030"):
        decoded = _decodes(body, codec)
        if decoded is not None:
            return decoded, codec
    # A declared label that failed strictly still beats a blind guess.
    for label in declared:
        fallback = _normalise(label)
        if fallback is not None:
            return body.decode(fallback, errors="replace"), fallback
    return body.decode("cp1252", errors="replace"), "cp1252"
