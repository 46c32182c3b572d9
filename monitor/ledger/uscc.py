"""统一社会信用代码 (unified social credit code) normalisation and validation.

The ledger is keyed by this code, so a typo must be caught at the door rather than create a
second row for the same enterprise. The rules follow GB 32100-2015
(https://std.samr.gov.cn/gb/search/gbDetailed?id=71F772D7F5BDD3A7E05397BE0A0AB82A):

    position 1      登记管理部门代码 (registration authority), e.g. 9 = 市场监管/工商
    position 2      机构类别代码 (entity category), e.g. 1 = 企业, 2 = 个体工商户
    positions 3-8   登记管理机关行政区划码 (6-digit administrative division code)
    positions 9-17  主体标识码 = 组织机构代码 (GB 11714-1997), 8 characters + its check digit
    position 18     check character over positions 1-17

The character set is 0-9 and A-Z without I, O, Z, S, V (31 symbols, valued 0..30).
"""

from __future__ import annotations

import re
import unicodedata

from monitor.errors import InvalidInput

#: The 31 symbols of GB 32100-2015, in value order (I, O, Z, S, V are never used).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}

#: Weights for positions 1-17: 3^(i-1) mod 31 (GB 32100-2015, 5.3).
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

#: GB 11714-1997 organisation-code weights for its 8 body characters.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: 登记管理部门代码 in use: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
#: 8 工会, 9 市场监管(工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
AUTHORITY_CODES = frozenset("123456789ANY")

LENGTH = 18

# Characters people paste around a code: spaces of every width, zero-width marks, dashes.
_STRIP = re.compile(r"[\s\u200b\u200c\u200d\ufeff\-_]+")
_CANDIDATE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


class CreditCodeError(InvalidInput):
    """A 统一社会信用代码 failed GB 32100-2015 validation; the message says which rule."""

    code = "invalid_credit_code"


def normalize_credit_code(raw: object) -> str:
    """Fold full-width characters, drop spaces and dashes, upper-case.

    `raw` may be a spreadsheet cell value (a number stored as text, or a real number), so
    anything is accepted and turned into text first.
    """
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    return _STRIP.sub("", text).upper()


def organisation_check_digit(body: str) -> str:
    """GB 11714 check digit for the 8-character organisation-code body (10 → X, 11 → 0)."""
    if len(body) != 8:
        raise ValueError("organisation code body must be 8 characters")
    total = sum(_char_value_11714(ch) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def check_character(first17: str) -> str:
    """GB 32100 check character over the first 17 characters (31 − sum mod 31, 31 → 0)."""
    if len(first17) != 17:
        raise ValueError("need the first 17 characters")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(raw: object) -> str:
    """Return the normalised code, or raise `CreditCodeError` naming the failed rule."""
    code = normalize_credit_code(raw)
    shown = code or str(raw or "")
    if not code:
        raise CreditCodeError("统一社会信用代码为空 (credit code is empty)")
    if len(code) != LENGTH:
        raise CreditCodeError(
            f"统一社会信用代码 {shown} 应为18位，实为{len(code)}位 "
            f"(credit code must have 18 characters, has {len(code)})"
        )
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise CreditCodeError(
            f"统一社会信用代码 {shown} 含非法字符 {''.join(bad)} "
            "(allowed: 0-9 and A-Z without I, O, Z, S, V)"
        )
    if code[0] not in AUTHORITY_CODES:
        raise CreditCodeError(
            f"统一社会信用代码 {shown} 的登记管理部门代码 {code[0]} 无效 "
            "(unknown registration authority code)"
        )
    if not code[2:8].isdigit():
        raise CreditCodeError(
            f"统一社会信用代码 {shown} 第3-8位应为行政区划码 "
            "(positions 3-8 must be a 6-digit division code)"
        )
    org_body, org_check = code[8:16], code[16]
    if organisation_check_digit(org_body) != org_check:
        raise CreditCodeError(
            f"统一社会信用代码 {shown} 中的组织机构代码校验位错误 "
            "(embedded organisation code check digit is wrong)"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(f"统一社会信用代码 {shown} 校验码错误 (check character is wrong)")
    return code


def is_valid_credit_code(raw: object) -> bool:
    """True when `raw` normalises to a valid code."""
    try:
        validate_credit_code(raw)
    except CreditCodeError:
        return False
    return True


def make_credit_code(authority: str, category: str, region: str, org_body: str) -> str:
    """Build a valid code from its parts by computing both check characters.

    Used by tests and the demo data; real codes come from the registration authority.
    """
    org_check = organisation_check_digit(org_body)
    first17 = f"{authority}{category}{region}{org_body}{org_check}"
    return first17 + check_character(first17)


def find_credit_codes(text: str) -> list[str]:
    """Valid codes found in free text (an ad, a licence photo's OCR), first-seen order.

    The text is NFKC-folded and upper-cased first, so full-width codes in an ad are found;
    18-character runs that fail validation are ignored.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    found: list[str] = []
    for match in _CANDIDATE.finditer(folded):
        code = match.group(0)
        if code not in found and is_valid_credit_code(code):
            found.append(code)
    return found


def _char_value_11714(ch: str) -> int:
    """GB 11714 values: digits as themselves, letters A=10 … Z=35."""
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    raise CreditCodeError(f"组织机构代码含非法字符 {ch} (invalid organisation code character)")
