"""Name reduction, the branch data rule and the 90-day window (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.ledger.branches import densest_window
from monitor.ledger.names import branch_parent_prefix, is_branch_of

PARENT = "深圳市鑫盛咨询有限公司"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("深圳市鑫盛咨询有限公司南山分公司", True),  # full parent name + branch
        ("鑫盛咨询福田分店", True),  # core name + branch
        ("深圳市鑫盛咨询有限公司", False),  # the parent itself
        ("深圳市鑫盛咨询管理有限公司", False),  # no branch marker
        ("深圳市别家咨询有限公司南山分公司", False),  # another parent
        ("分公司", False),
    ],
)
def test_is_branch_of(name: str, expected: bool) -> None:
    assert is_branch_of(name, PARENT) is expected


def test_branch_prefix() -> None:
    assert branch_parent_prefix("鑫盛咨询 福田 分店") == "鑫盛咨询福田"
    assert branch_parent_prefix(PARENT) is None


def test_densest_window_uses_90_days_inclusive() -> None:
    start = date(2026, 1, 1)
    days = [start, start + timedelta(days=30), start + timedelta(days=90),
            start + timedelta(days=91), start + timedelta(days=200)]  # fmt: skip
    dated = [(d, i) for i, d in enumerate(days)]
    assert densest_window(dated) == [0, 1, 2]
    assert densest_window([]) == []
    assert densest_window(dated[3:]) == [3]
