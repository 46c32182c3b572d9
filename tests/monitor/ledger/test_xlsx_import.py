"""Spreadsheet import of the enterprise ledger: bad rows, messy sheets, idempotence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.ledger.uscc import make_credit_code
from monitor.ledger.xlsx_import import LedgerFileError, import_xlsx
from monitor.models.ledger import Enterprise, EnterpriseEvent, EnterpriseTagHistory

from .conftest import code, fake_scan, write_xlsx

HEADERS = [
    "统一社会信用代码", "企业名称", "所属行业", "注册资本", "纳税规模", "经营范围",
    "注册地址", "实际经营地址", "所属社区", "风险等级",
]  # fmt: skip
TODAY = date(2026, 11, 15)


def _row(n: int, **over: Any) -> list[Any]:
    base = {
        "code": code(n),
        "name": f"深圳市测试{n}号科技有限公司",
        "industry": "软件和信息技术服务业",
        "capital": "500万元人民币",
        "tax": "小规模纳税人",
        "scope": "软件开发；技术咨询",
        "reg": "深圳市南山区科技园1栋101",
        "act": "深圳市南山区科技园1栋101",
        "community": "科技园社区",
        "tag": "",
    }
    base.update(over)
    return list(base.values())


def _import(session: Session, path: Path | bytes) -> dict[str, Any]:
    summary = import_xlsx(session, path, actor="tester", today=TODAY, scanner=fake_scan)
    session.commit()
    return summary.to_dict()


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Enterprise)) or 0


def test_good_rows_go_in_and_bad_rows_are_named(session: Session, tmp_path: Path) -> None:
    bad_check = code(3)[:17] + ("0" if code(3)[17] != "0" else "1")
    path = write_xlsx(
        tmp_path / "l.xlsx",
        HEADERS,
        [
            _row(1),
            _row(2, tag="红"),
            _row(3, code=bad_check),  # row 4: wrong check character
            _row(4, code=code(1)),  # row 5: duplicate of row 2
            _row(5, name=""),  # row 6: no name
            _row(6, code="12345"),  # row 7: too short
        ],
    )
    result = _import(session, path)
    assert result["imported"] == 2 and result["updated"] == 0
    rejected = {r["row"]: r["error"] for r in result["rejected"]}
    assert set(rejected) == {4, 5, 6, 7}
    assert "校验码" in rejected[4]
    assert "与第2行重复" in rejected[5]
    assert "企业名称为空" in rejected[6]
    assert "18位" in rejected[7]
    one = session.scalars(select(Enterprise).where(Enterprise.credit_code == code(1))).one()
    assert one.registered_capital_wan == Decimal(500)
    assert one.community == "科技园社区" and one.tag is None
    two = session.scalars(select(Enterprise).where(Enterprise.credit_code == code(2))).one()
    assert two.tag == "red" and two.tag_set_by == "tester"
    history = session.scalars(select(EnterpriseTagHistory)).all()
    assert [(h.from_tag, h.to_tag) for h in history] == [(None, "red")]


def test_reimport_is_idempotent_and_updates_changes(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", HEADERS, [_row(1), _row(2, tag="黄")])
    assert _import(session, path)["imported"] == 2
    again = _import(session, path)
    assert again == {"imported": 0, "updated": 0, "unchanged": 2, "skipped": 0, "rejected": []}
    assert _count(session) == 2

    changed = write_xlsx(
        tmp_path / "l2.xlsx",
        HEADERS,
        [_row(1, act="深圳市福田区华强北2栋", name="深圳市测试一号科技有限公司"), _row(2)],
    )
    result = _import(session, changed)
    assert result["updated"] == 1 and result["unchanged"] == 1 and _count(session) == 2
    kinds = sorted(e.kind for e in session.scalars(select(EnterpriseEvent)))
    assert kinds == ["address_change", "name_change"]
    event = session.scalars(
        select(EnterpriseEvent).where(EnterpriseEvent.kind == "address_change")
    ).one()
    assert event.old_value.endswith("1栋101") and event.occurred_on == TODAY
    # Row 2 had 风险等级 黄 and now a blank cell: the tag is kept, not erased.
    two = session.scalars(select(Enterprise).where(Enterprise.credit_code == code(2))).one()
    assert two.tag == "yellow"


def test_messy_sheet(session: Session, tmp_path: Path) -> None:
    """Title row, header spacing and notes, full-width, numbers as text, extra columns,
    merged community cells and dates as text."""
    headers = [
        " 序号 ", "*统一社会信用 代码", "企业名称", "注册资本（万元）", "所属社区/村",
        "成立日期", "备注", "实际经营地址",
    ]  # fmt: skip
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code(7))
    rows = [
        [1, full_width, "ＡＢＣ理财咨询有限公司", "300", "桃源社区", "2023年5月8日", "x", "A"],
        [2, code(8).lower(), "测试八号有限公司", 1200, None, "2024/1/2", None, "B"],
        [3, f" {code(9)} ", "测试九号有限公司", "壹佰万元", None, 45000, None, "C"],
        [4, code(10), "测试十号有限公司", "50", "大冲社区", "2023-02-30", None, "D"],
    ]
    path = write_xlsx(
        tmp_path / "messy.xlsx",
        headers,
        rows,
        title_rows=[["南山街道风险企业台账（2026年11月）"]],
        merges=["A1:H1", "E3:E5"],
    )
    result = _import(session, path)
    assert result["imported"] == 3
    assert [r["row"] for r in result["rejected"]] == [6]
    assert "不存在" in result["rejected"][0]["error"]
    by_code = {e.credit_code: e for e in session.scalars(select(Enterprise))}
    seven = by_code[code(7)]
    assert seven.name == "ABC理财咨询有限公司"  # full-width folded
    assert seven.established_on == date(2023, 5, 8)
    assert seven.registered_capital_wan == Decimal(300)
    assert by_code[code(8)].community == "桃源社区"  # from the merged cell
    assert by_code[code(9)].community == "桃源社区"
    assert by_code[code(8)].registered_capital_text == "1200"
    assert by_code[code(8)].established_on == date(2024, 1, 2)
    assert by_code[code(9)].established_on == date(2023, 3, 15)  # Excel serial day
    assert by_code[code(9)].registered_capital_wan == Decimal(100)


def test_wrong_headers_name_missing_columns(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", ["代码", "企业名称", "地址"], [["x", "y", "z"]])
    with pytest.raises(LedgerFileError, match="统一社会信用代码") as info:
        import_xlsx(session, path, actor="t", scanner=fake_scan)
    assert "企业名称" not in str(info.value).split("最接近")[0].split("：", 1)[1]
    assert _count(session) == 0


def test_not_an_xlsx_file(session: Session, tmp_path: Path) -> None:
    with pytest.raises(LedgerFileError, match="不是有效的 xlsx"):
        import_xlsx(session, b"code,name\n1,2\n", actor="t", scanner=fake_scan)
    with pytest.raises(LedgerFileError, match="找不到"):
        import_xlsx(session, tmp_path / "missing.xlsx", actor="t", scanner=fake_scan)


def test_unknown_tag_and_status_reject_row(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        ["统一社会信用代码", "企业名称", "风险等级", "状态"],
        [
            [code(1), "甲公司", "紫", ""],
            [code(2), "乙公司", "", "倒闭"],
            [code(3), "丙公司", "", "搬离"],
        ],
    )
    result = _import(session, path)
    errors = {r["row"]: r["error"] for r in result["rejected"]}
    assert "风险等级" in errors[2] and "状态" in errors[3]
    assert result["imported"] == 1
    assert session.scalars(select(Enterprise)).one().status == "moved_out"


def test_code_typed_into_a_number_cell_gets_a_hint(session: Session, tmp_path: Path) -> None:
    built = (make_credit_code("9", "1", "110105", f"{n:08d}") for n in range(1, 400))
    digits = next(c for c in built if c.isdigit())
    path = write_xlsx(
        tmp_path / "n.xlsx",
        ["统一社会信用代码", "企业名称"],
        [[float(digits), "数字格式公司"], [digits, "文本格式公司"]],
    )
    result = _import(session, path)
    assert result["imported"] == 1
    (rejected,) = result["rejected"]
    assert rejected["row"] == 2 and "数字格式" in rejected["error"]


def test_changed_risk_level_is_a_tag_change_with_history(session: Session, tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "a.xlsx", HEADERS, [_row(1, tag="黄", name="鑫盛理财有限公司")])
    second = write_xlsx(
        tmp_path / "b.xlsx", HEADERS, [_row(1, tag="高风险", name="鑫盛理财有限公司")]
    )
    _import(session, first)
    assert _import(session, second)["updated"] == 1
    history = session.scalars(select(EnterpriseTagHistory).order_by(EnterpriseTagHistory.id)).all()
    assert [(h.from_tag, h.to_tag) for h in history] == [(None, "yellow"), ("yellow", "red")]
    assert "第2行 风险等级=红" in history[1].reason and history[1].actor == "tester"
    assert history[1].suggested_tag == "red"
    assert {r["code"] for r in history[1].suggested_reasons} == {"restricted_word"}
