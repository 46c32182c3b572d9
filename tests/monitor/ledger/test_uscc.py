"""统一社会信用代码 validation (GB 32100-2015) with codes built by computing the checks."""

from __future__ import annotations

import pytest

from monitor.ledger.uscc import (
    CHARSET,
    CreditCodeError,
    check_character,
    find_credit_codes,
    is_valid_credit_code,
    make_credit_code,
    normalize_credit_code,
    organisation_check_digit,
    validate_credit_code,
)

# A code published as the GB 32100 worked example, and one built here.
PUBLISHED = "91350100M000100Y43"
BUILT = make_credit_code("9", "1", "440305", "MA5F1234")


def test_published_example_is_valid() -> None:
    assert validate_credit_code(PUBLISHED) == PUBLISHED


def test_built_codes_are_valid_for_many_bodies() -> None:
    for n in range(300):
        body = f"{n:08d}"
        code = make_credit_code("9", "1", "110105", body)
        assert len(code) == 18
        assert is_valid_credit_code(code), code


def test_organisation_check_digit_special_values() -> None:
    # Search bodies whose GB 11714 check is X (10) and 0 (11) to exercise both mappings.
    checks = {organisation_check_digit(f"{n:08d}") for n in range(200)}
    assert "X" in checks and "0" in checks
    code_x = next(
        make_credit_code("9", "1", "440300", f"{n:08d}")
        for n in range(200)
        if organisation_check_digit(f"{n:08d}") == "X"
    )
    assert code_x[16] == "X" and is_valid_credit_code(code_x)


def test_check_character_never_uses_forbidden_letters() -> None:
    for n in range(500):
        assert check_character(f"91440300{n:08d}0") in CHARSET
    assert not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize(
    "raw",
    [
        f" {BUILT[:6]} {BUILT[6:]} ",  # spaces
        BUILT.lower(),  # lower case
        "".join(chr(ord(c) + 0xFEE0) for c in BUILT),  # full-width ９１４…
        f"{BUILT[:9]}-{BUILT[9:]}",  # a dash
        f"\u3000{BUILT}\u200b",  # ideographic space, zero-width space
    ],
)
def test_normalisation_before_validation(raw: str) -> None:
    assert validate_credit_code(raw) == BUILT


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "为空"),
        (BUILT[:17], "18位"),
        (BUILT + "1", "18位"),
        (BUILT[:5] + "I" + BUILT[6:], "非法字符"),
        (BUILT[:5] + "O" + BUILT[6:], "非法字符"),
        ("B" + BUILT[1:], "登记管理部门代码"),
        (BUILT[:3] + "A" + BUILT[4:], "行政区划码"),
        (BUILT[:10] + ("1" if BUILT[10] != "1" else "2") + BUILT[11:], "组织机构代码校验位"),
    ],
)
def test_malformed_codes_name_the_rule(raw: str, fragment: str) -> None:
    with pytest.raises(CreditCodeError, match=fragment):
        validate_credit_code(raw)


def test_wrong_final_check_character_rejected() -> None:
    wrong = next(c for c in CHARSET if c != BUILT[17])
    with pytest.raises(CreditCodeError, match="校验码错误"):
        validate_credit_code(BUILT[:17] + wrong)


def test_every_single_character_change_in_check_or_org_is_caught() -> None:
    # 31 is prime and every weight is non-zero mod 31, so any single substitution changes
    # the weighted sum: the final check alone catches it wherever it happens.
    for pos in range(18):
        for ch in CHARSET:
            if ch != BUILT[pos]:
                mutated = BUILT[:pos] + ch + BUILT[pos + 1 :]
                assert not is_valid_credit_code(mutated), mutated


def test_number_cell_is_normalised() -> None:
    assert normalize_credit_code(123.0) == "123"
    assert normalize_credit_code(None) == ""


def test_find_credit_codes_in_ad_text() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in PUBLISHED)
    text = f"本公司信用代码：{full_width}，合作方 {BUILT}；假代码 91440300MA5F12342X 不算。{BUILT}"
    assert find_credit_codes(text) == [PUBLISHED, BUILT]
