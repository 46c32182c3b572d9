"""Shared pieces of return-claim reading: value patterns, units and their conversion.

Conventions (legal-basis.md §3.5, corpus README): rates are simple annual percentages;
百分之 / 千分之 / 万分之 are read as written; after an interest word one 分 is 10 % a year,
1 % a month and 0.1 % a day, and a 厘 is a tenth of a 分 (月息2分5 → 30, 月息一分五 → 18);
a range counts at its high end (8%-12% → 12).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rules.numbers import NUM, parse_number
from rules.trie import word_regex

STOP = "，,。！!？?；;\n"
SENTENCE_STOP = "。！!？?；;\n"
SENTENCE_TAIL = re.compile(f"[^{SENTENCE_STOP}]*$")
CLAUSE_TAIL = re.compile(f"[^{STOP}]*$")
SENTENCE_HEAD = re.compile(f"[^{SENTENCE_STOP}]*")
# 成 counts as a tenth (加两成 = +20 %), but not in 成本/成交/成员/成立 …
# NUM is factored out of the alternatives so the engine reads a number once, not once per
# alternative (this regex runs at every digit of a page).
UNITPCT = (rf"(?:{NUM}(?:\s?%|个点|成(?!本|交|员|立|功|为|都|熟|品|长|果))"
            rf"|[百千万]分之{NUM}|[一二三四五六七八九十\d]{{1,3}}分之{NUM})")
PCT = rf"(?:(?:{UNITPCT}|{NUM})(?:-|~|至|到|—))?{UNITPCT}"
FEN = rf"(?:{NUM}(?:分|厘)(?!钟|之|期|配|享|红|析|散|别|类|店|行|公司){NUM}?)"
_PCT_PART = re.compile(
    rf"({NUM})(?:\s?%|个点)|百分之({NUM})|千分之({NUM})|万分之({NUM})"
    rf"|([一二三四五六七八九十\d]{{1,3}})分之({NUM})|({NUM})成"
)
_FEN_PART = re.compile(rf"({NUM})(分|厘)({NUM})?")
# period units after a count: 15天, 3个月, 两年, 一个季度
UNITS = {"天": "day", "日": "day", "周": "week", "个星期": "week", "星期": "week",
          "个月": "month", "月": "month", "个季度": "quarter", "季度": "quarter", "季": "quarter",
          "年": "year"}
UNIT = "(?:" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + ")"
# 分 value of one unit, in percent per period (一分 = 10 %/year, 1 %/month, 0.1 %/day)
_FEN_SCALE = {"year": 10.0, "half_year": 10.0, "quarter": 1.0, "month": 1.0, "week": 0.1,
              "day": 0.1}
# Put first in number-led patterns: a character-class prefix lets the regex engine skip
# positions that cannot start a number instead of trying every alternative there.
NUMSTART = r"(?=[\d零〇一二两三四五六七八九十百千万半])"
GAIN_WORDS = ("(?:收益率|回报率|收益|回报|利润|盈利|获利|赚|返|涨|增值|升值|利息"
              "|多拿|多给|多得|另付|另给|额外支付|给你|给您|付你|付您)")


@dataclass(frozen=True)
class RateClaim:
    """One return claim: where it is (normalised offsets) and its annualised rate."""

    start: int
    end: int
    rate: float  # simple annual rate, percent
    kind: str  # which construction: rate_word, bare, duration, payback, doubling, ...
    #: where the payout phrase starts, for claims that span from a principal to a payout
    #: (交2000元保证金…每月保底补贴300元): loan and salary words are looked for around the
    #: payout, not across everything said between (每单提成8% is not the claim); -1: start
    anchor: int = -1


def alt(words: Iterable[str]) -> str:
    """A trie-shaped regex for a word list (see rules.trie)."""
    return word_regex(words)


def pct_value(text: str) -> float | None:
    """Highest percentage inside a matched PCT (a range counts at its high end)."""
    best: float | None = None
    for m in _PCT_PART.finditer(text):
        if m.group(1):
            v = parse_number(m.group(1))
        elif m.group(2):
            v = parse_number(m.group(2))
        elif m.group(3):
            n = parse_number(m.group(3))
            v = None if n is None else n / 10
        elif m.group(4):
            n = parse_number(m.group(4))
            v = None if n is None else n / 100
        elif m.group(5):
            d, n = parse_number(m.group(5)), parse_number(m.group(6))
            v = None if not d or n is None or d in (100, 1000, 10000) else n / d * 100
        else:
            n = parse_number(m.group(7))
            v = None if n is None or n > 10 else n * 10
        if v is not None and (best is None or v > best):
            best = v
    return best


def fen_value(text: str, period: str) -> float | None:
    """月息2分5 → 2.5 %/month; 年息8厘 → 8 % a year."""
    m = _FEN_PART.fullmatch(text)
    if not m:
        return None
    whole = parse_number(m.group(1))
    if whole is None:
        return None
    tenth = parse_number(m.group(3)) if m.group(3) else 0.0
    if tenth is None or tenth >= 10:
        return None
    fen = whole + tenth / 10
    if m.group(2) == "厘":
        fen /= 10
    return fen * _FEN_SCALE.get(period, 1.0)

#: A period word before a payout or percentage: 每月返800, 每年享受12%.
#: 一天 / 一个月 / 一周 count as "per" when a payout follows (一天就有三十块的利息).
PERIOD = (r"(?P<per>每个?月|月月|每天|天天|每日|每周|每年|一年|每季度?|每个季度|年底|每年底"
          r"|按月|按季度?|按年|按周|按天|按日"
          # the look-behind comes after the first character, so the pattern still starts
          # with a literal and the regex engine can skip to candidate positions (a leading
          # look-behind makes it try every position of the page)
          r"|一(?<![\d一二三四五六七八九十两第]一)(?:天|日|个月|周))")


def per_year_of(period_word: str) -> float:
    """How many of ``period_word`` (每月, 年底, 每周 …) make a year."""
    if period_word.endswith("年") or "年底" in period_word:
        return 1.0
    if "季" in period_word:
        return 4.0
    if "周" in period_word:
        return 52.0
    return 12.0 if "月" in period_word else 365.0

