"""Export round trip, and 排查全覆盖 coverage from visits and poster sweeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.ledger.tags import set_tag
from monitor.ledger.visits import coverage, record_sweep, record_visit
from monitor.ledger.xlsx_export import export_xlsx
from monitor.ledger.xlsx_import import import_xlsx
from monitor.models.ledger import Enterprise

from .conftest import code, fake_scan, write_xlsx

HEADERS = ["统一社会信用代码", "企业名称", "注册资本", "经营范围", "注册地址", "实际经营地址",
           "所属社区", "风险等级", "楼宇", "成立日期", "状态"]  # fmt: skip
AS_OF = date(2026, 11, 15)


def test_export_round_trip(session: Session, tmp_path: Path) -> None:
    source = write_xlsx(
        tmp_path / "in.xlsx",
        HEADERS,
        [
            [code(1), "深圳市鑫盛理财咨询有限公司", "500万元", "理财咨询", "南山区A栋",
             "福田区B栋", "桃源社区", "黄", "A栋", "2023-05-08", "入驻"],
            [code(2), "深圳市甲乙软件有限公司", "100", "软件开发", "", "",
             "大冲社区", "", "", "", "搬离"],
        ],
    )  # fmt: skip
    import_xlsx(session, source, actor="t", scanner=fake_scan)
    session.flush()
    one = session.query(Enterprise).filter_by(credit_code=code(1)).one()
    set_tag(session, one.id, "red", "复查仍在宣传高息", "张三", scanner=fake_scan)
    session.commit()

    out = tmp_path / "out" / "ledger.xlsx"
    assert export_xlsx(session, out, as_of=AS_OF, scanner=fake_scan) == 2
    ws = load_workbook(out).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    required = ["统一社会信用代码", "企业名称", "所属行业", "注册资本", "纳税规模", "经营范围",
                "注册地址", "实际经营地址", "所属社区", "风险等级"]  # fmt: skip
    assert header[: len(required)] == required
    assert {"风险标签", "标签理由"} <= set(header)
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    first = rows[code(1)]
    assert first["风险等级"] == "红" and first["风险标签"] == "red"
    assert first["标签理由"] == "复查仍在宣传高息" and first["标签设定人"] == "张三"
    assert first["系统建议标签"] == "红" and "理财" in first["建议理由"]
    assert first["成立日期"] == "2023-05-08" and first["状态"] == "入驻"
    assert rows[code(2)]["状态"] == "搬离" and rows[code(2)]["风险等级"] is None

    again = import_xlsx(session, out, actor="t", scanner=fake_scan)
    assert again.to_dict() == {
        "imported": 0, "updated": 0, "unchanged": 2, "skipped": 0, "rejected": [],
    }  # fmt: skip


def test_export_to_unwritable_place(session: Session, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput, match="无法写入"):
        export_xlsx(session, blocker / "out.xlsx", as_of=AS_OF, scanner=fake_scan)


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 2, 0, tzinfo=UTC)


def test_coverage_per_community_and_building(session: Session) -> None:
    ents = []
    for n, (community, building) in enumerate(
        [("桃源社区", "A栋"), ("桃源社区", "A栋"), ("桃源社区", "B栋"), ("大冲社区", "")], start=1
    ):
        ent = Enterprise(credit_code=code(n), name=f"公司{n}", community=community,
                         building=building, status="active")  # fmt: skip
        session.add(ent)
        ents.append(ent)
    gone = Enterprise(credit_code=code(9), name="搬走了", community="桃源社区", building="A栋",
                      status="moved_out")  # fmt: skip
    session.add(gone)
    session.flush()
    checks = {"qualification": "ok", "actual_operation": "issue"}
    record_visit(session, ents[0], visitor="张三", visited_at=_at(3), checks=checks)
    record_visit(session, ents[0], visitor="张三", visited_at=_at(4), checks={})
    record_visit(session, ents[1], visitor="李四", visited_at=_at(5), checks={})
    record_visit(session, ents[2], visitor="李四", visited_at=_at(20), checks={})  # outside
    record_sweep(session, community="桃源社区", building="A栋", place="电梯", swept_by="王五",
                 swept_at=_at(6), uploads_count=4)  # fmt: skip
    record_sweep(session, community="桃源社区", building="A栋", place="公告栏", swept_by="王五",
                 swept_at=_at(7), uploads_count=1)  # fmt: skip
    record_sweep(session, community="龙井社区", building="1栋", swept_by="赵六", swept_at=_at(8))
    session.flush()

    rows = {(r.community, r.building): r for r in coverage(session, _at(1), _at(16))}
    a = rows[("桃源社区", "A栋")]
    assert (a.enterprises, a.visited, a.visits, a.sweeps, a.photos) == (2, 2, 3, 2, 5)
    assert a.visit_coverage == 1.0 and a.complete
    b = rows[("桃源社区", "B栋")]
    assert (b.enterprises, b.visited, b.sweeps) == (1, 0, 0) and not b.complete
    assert rows[("大冲社区", "")].visit_coverage == 0.0
    lj = rows[("龙井社区", "1栋")]
    assert lj.enterprises == 0 and lj.visit_coverage is None and lj.complete
    assert ents[0].visits[0].checks == {
        "qualification": "ok", "actual_operation": "issue", "promo_materials": "not_checked",
    }  # fmt: skip


def test_visit_and_sweep_validation(session: Session) -> None:
    ent = Enterprise(credit_code=code(1), name="甲", status="active")
    session.add(ent)
    session.flush()
    with pytest.raises(InvalidInput, match="未知的检查项"):
        record_visit(session, ent, visitor="张三", visited_at=_at(1), checks={"license": "ok"})
    with pytest.raises(InvalidInput, match="检查结果"):
        record_visit(session, ent, visitor="张三", visited_at=_at(1), checks={"qualification": "?"})
    with pytest.raises(InvalidInput, match="走访人"):
        record_visit(session, ent, visitor="", visited_at=_at(1), checks={})
    with pytest.raises(InvalidInput, match="社区"):
        record_sweep(session, community="", swept_by="x", swept_at=_at(1))


def test_grid_uploads_count_as_sweeps_per_worker_building_and_office_day(
    session: Session,
) -> None:
    from zoneinfo import ZoneInfo

    from monitor.models.accounts import User
    from monitor.models.core import Upload

    wang = User(username="wang", role="grid", password_hash="x")
    zhao = User(username="zhao", role="grid", password_hash="x")
    session.add_all([wang, zhao])
    session.flush()
    shanghai = ZoneInfo("Asia/Shanghai")

    def upload(n: int, who: User, at: datetime, community: str | None, building: str) -> None:
        session.add(Upload(sha256=f"{n:064x}", original_path=f"x/{n}", uploader_id=who.id,
                           community=community, building=building, created_at=at))  # fmt: skip

    # Office day 11-05 (Asia/Shanghai): 07:30 local is 23:30 UTC on 11-04.
    upload(1, wang, datetime(2026, 11, 4, 23, 30, tzinfo=UTC), "桃源社区", "A栋")
    upload(2, wang, datetime(2026, 11, 5, 2, 0, tzinfo=UTC), "桃源社区", "A栋")
    upload(3, zhao, datetime(2026, 11, 5, 3, 0, tzinfo=UTC), "桃源社区", "A栋")
    upload(4, wang, datetime(2026, 11, 6, 1, 0, tzinfo=UTC), "桃源社区", "A栋")
    upload(5, wang, datetime(2026, 11, 6, 1, 0, tzinfo=UTC), "龙井社区", "")
    upload(6, wang, datetime(2026, 11, 6, 2, 0, tzinfo=UTC), None, "")  # a tip's photo
    upload(7, wang, datetime(2026, 11, 20, tzinfo=UTC), "桃源社区", "A栋")  # outside
    session.flush()

    rows = {
        (r.community, r.building): r
        for r in coverage(session, _at(1), _at(16), tz=shanghai)
    }
    a = rows[("桃源社区", "A栋")]
    # wang 11-05 (two photos), zhao 11-05, wang 11-06: three sweeps, four photos.
    assert (a.sweeps, a.photos) == (3, 4)
    assert a.last_sweep == datetime(2026, 11, 6, 1, 0, tzinfo=UTC)
    assert (rows[("龙井社区", "")].sweeps, rows[("龙井社区", "")].photos) == (1, 1)
    assert set(rows) == {("桃源社区", "A栋"), ("龙井社区", "")}
    # Counted in UTC days instead, wang's first two photos fall on different days.
    in_utc = {(r.community, r.building): r for r in coverage(session, _at(1), _at(16))}
    assert in_utc[("桃源社区", "A栋")].sweeps == 4
