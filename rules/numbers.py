"""Numbers as ads write them: 18, 1.5, 1,000, 十八, 一点五, 一万三, 1.5万, 10w, 半.

Return claims are read in place on the normalised text, so Chinese numerals never have to
be rewritten (which would shift offsets); these helpers turn the matched token into a
float. cn2an does the Chinese-numeral arithmetic.
"""

from __future__ import annotations

import functools
import re

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千点"
#: A plain number: Arabic (with thousands commas and decimals) or Chinese numerals.
NUM = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_DIGITS}]+)"
#: An amount of money: a number with an optional 万/千/百 (or w/k) multiplier and currency.
AMT = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?(?:万|千|百|w|k)?|[{CN_DIGITS}万]+)(?:元|块钱|块)?"
#: A count of periods: a number or 半 (半年 = half a year).
COUNT = rf"(?:{NUM}|半)"

_MULTIPLIERS = {"万": 10000.0, "w": 10000.0, "千": 1000.0, "k": 1000.0, "百": 100.0}
_ARABIC = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?)(万|千|百|w|k)?$")


@functools.lru_cache(maxsize=4096)
def parse_number(token: str) -> float | None:
    """``"18"`` → 18.0, ``"十八"`` → 18.0, ``"半"`` → 0.5; None when it is not a number."""
    token = token.strip()
    if not token:
        return None
    if token == "半":
        return 0.5
    match = _ARABIC.match(token)
    if match:
        value = float(match.group(1).replace(",", ""))
        if match.group(2):
            value *= _MULTIPLIERS[match.group(2)]
        return value
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


@functools.lru_cache(maxsize=4096)
def parse_amount(token: str) -> float | None:
    """An amount of money in yuan: ``"1万"`` → 10000, ``"一万三"`` → 13000, ``"800元"`` → 800."""
    token = token.strip()
    for suffix in ("块钱", "元", "块"):
        if token.endswith(suffix):
            token = token[: -len(suffix)]
            break
    return parse_number(token)
