"""Turning what people type into ledger spreadsheets into clean values.

Ledgers arrive from communities as hand-kept Excel files: full-width digits, numbers stored
as text (or text stored as numbers), 注册资本 written as 500万元 or 伍佰万元人民币, dates as
2023年5月8日 / 2023.5.8 / an Excel serial number. Each helper here takes one cell and
returns one clean value, or raises `ValueError` with a short Chinese reason for the row.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with the 1900 leap-year bug folded in)


def fold(text: str) -> str:
    """NFKC-fold full-width letters, digits and punctuation to their ordinary forms."""
    return unicodedata.normalize("NFKC", text)


def cell_text(value: object) -> str:
    """A cell as tidy text: folded, inner runs of whitespace collapsed, trimmed.

    Whole floats lose their `.0` (a tax scale or phone typed as a number), datetimes become
    ISO dates, so nothing reads like 500.0 or 2023-05-08 00:00:00 on the ledger.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return _SPACES.sub(" ", fold(str(value))).strip()


def header_key(value: object) -> str:
    """A header cell reduced for matching: no spaces, no *required* marks, no (notes).

    `* 统一社会信用 代码`, `注册资本（万元）` and `所属社区/村` become `统一社会信用代码`,
    `注册资本`, `所属社区/村`.
    """
    text = _SPACES.sub("", fold(cell_text(value)))
    text = text.strip("*※")
    return re.sub(r"\(.*?\)$", "", text)


# ---- 注册资本 ------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_FOREIGN = ("美元", "港元", "港币", "欧元", "日元", "英镑", "USD", "HKD", "EUR", "JPY", "GBP")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|万)?")


def _cn_number(text: str) -> Decimal | None:
    """Small Chinese numerals (伍佰, 一千二百, 三十) → Decimal; None if not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return Decimal(total + current)


def parse_capital_wan(text: str) -> Decimal | None:
    """注册资本 text → amount in 万元 (RMB), or None when foreign currency or unreadable.

    `500万元人民币` → 500, `1,000万` → 1000, `2亿` → 20000, `5000000元` → 500, `伍佰万元`
    → 500, a bare number (`300`) is read as 万元, the usual unit of a ledger column.
    """
    folded = fold(text).replace(",", "").replace("，", "").strip()
    if not folded or any(code in folded.upper() for code in _FOREIGN):
        return None
    match = _AMOUNT.search(folded)
    if match:
        try:
            amount = Decimal(match.group(1))
        except InvalidOperation:
            return None
        unit = match.group(2)
        rest = folded[match.end() :]
        if unit == "亿":
            return amount * 10000
        if unit == "万" or not rest.startswith("元"):
            return amount
        return amount / 10000  # plain 元
    cn = re.match(r"([零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟]+)\s*(亿|万)", folded)
    if cn:
        value = _cn_number(cn.group(1))
        if value is None:
            return None
        return value * 10000 if cn.group(2) == "亿" else value
    return None


# ---- dates ---------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: object) -> date | None:
    """A date from a cell: a real date, an Excel serial number, or text in common forms.

    Returns None for an empty cell; raises ValueError("日期…无法识别") for anything else
    it cannot read, so the row is rejected rather than given a wrong date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial day numbers (1900-01-01 … 9999-12-31)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"日期 {value} 无法识别")
    text = cell_text(value)
    if not text:
        return None
    for pattern in (_DATE, _COMPACT):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"日期 {text} 不存在") from exc
    if text.replace(".", "", 1).isdigit():
        return parse_date(float(text))
    raise ValueError(f"日期 {text} 无法识别（请用 2024-03-05 或 2024年3月5日）")


# ---- addresses -----------------------------------------------------------------------

_ADDRESS_NOISE = re.compile(r"[\s,，。.、;；:：()（）\[\]【】\-—_#＃/]+")
_ADDRESS_PREFIX = re.compile(r"^(中国)?(广东省)?")


def normalize_address(text: str) -> str:
    """An address reduced for comparison, not for display.

    Folds width, drops spaces and punctuation, the country and province prefix, and treats
    号楼/栋/座 and 室/房 alike, so `深圳市南山区科技园1栋 101室` equals
    `南山区科技园1号楼101`. The province prefix list is deliberately local; a missing
    prefix only costs a false 'address differs' signal that staff then dismiss.
    """
    text = fold(text).upper()
    text = _ADDRESS_NOISE.sub("", text)
    text = _ADDRESS_PREFIX.sub("", text)
    text = re.sub(r"^[\u4e00-\u9fa5]{2,3}市(?=[\u4e00-\u9fa5]{1,3}区)", "", text)
    text = re.sub(r"号楼|栋|座|幢", "栋", text)
    text = re.sub(r"(\d+)(室|房|号房)$", r"\1", text)
    return text
