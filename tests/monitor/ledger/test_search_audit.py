"""The ledger list search, and the audit entries every ledger write leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.ledger.events import record_event
from monitor.ledger.search import UNTAGGED, EnterpriseFilters, search_enterprises
from monitor.ledger.visits import coverage, record_sweep, record_visit
from monitor.ledger.xlsx_import import import_xlsx
from monitor.models.accounts import AuditEntry
from monitor.models.ledger import Enterprise

from .conftest import code, fake_scan, write_xlsx


def _seed(session: Session) -> None:
    rows = [
        ("乙科技有限公司", "green", "桃源社区", "软件"),
        ("甲理财咨询有限公司", "red", "桃源社区", "咨询"),
        ("丙100%_投资有限公司", None, "大冲社区", "咨询"),
        ("丁贸易有限公司", "yellow", "大冲社区", ""),
    ]
    for n, (name, tag, community, industry) in enumerate(rows, start=1):
        session.add(Enterprise(credit_code=code(n), name=name, tag=tag, community=community,
                               industry=industry, status="active"))  # fmt: skip
    session.flush()


def test_search_orders_red_first_and_filters(session: Session) -> None:
    _seed(session)
    page = search_enterprises(session, EnterpriseFilters())
    assert [e.tag for e in page.rows] == ["red", "yellow", "green", None]
    assert page.total == 4 and page.pages == 1
    assert page.communities == ["大冲社区", "桃源社区"] and page.industries == ["咨询", "软件"]
    untagged = search_enterprises(session, EnterpriseFilters(tag=UNTAGGED))
    assert [e.name for e in untagged.rows] == ["丙100%_投资有限公司"]
    assert search_enterprises(session, EnterpriseFilters(community="大冲社区")).total == 2
    assert search_enterprises(session, EnterpriseFilters(q="理财")).total == 1
    # % and _ typed by a user match themselves; a full-width, lower-case code is folded.
    assert [e.name for e in search_enterprises(session, EnterpriseFilters(q="0%_")).rows] == [
        "丙100%_投资有限公司"
    ]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code(4)[-6:].lower())
    assert [e.credit_code for e in search_enterprises(session, EnterpriseFilters(q=wide)).rows] == [
        code(4)
    ]
    second = search_enterprises(session, EnterpriseFilters(), page=2, per_page=3)
    assert len(second.rows) == 1 and second.pages == 2


def _actions(session: Session) -> list[str]:
    return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_every_ledger_write_is_audited(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", ["统一社会信用代码", "企业名称", "风险等级"],
                      [[code(1), "甲公司", "红"], ["bad", "乙公司", ""]])  # fmt: skip
    summary = import_xlsx(session, path, actor="张三", scanner=fake_scan)
    assert _actions(session) == ["ledger.set_tag", "ledger.import"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.import")).one()
    assert entry.actor_name == "张三" and entry.details["filename"] == "a.xlsx"
    assert entry.details["imported"] == summary.imported == 1 and entry.details["rejected"] == 1

    ent = session.scalars(select(Enterprise)).one()
    record_event(session, ent, "executive_change", occurred_on=date(2026, 11, 3),
                 new_value="法定代表人 李四", recorded_by="李四")  # fmt: skip
    record_visit(session, ent, visitor="王五", visited_at=datetime(2026, 11, 4, tzinfo=UTC),
                 checks={}, audit_as="admin", ip="127.0.0.1")  # fmt: skip
    record_sweep(session, community="桃源社区", swept_by="赵六",
                 swept_at=datetime(2026, 11, 5, tzinfo=UTC), uploads_count=2)  # fmt: skip
    assert _actions(session)[2:] == ["ledger.event", "ledger.visit", "ledger.sweep"]
    visit_entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ledger.visit")
    ).one()
    assert (visit_entry.actor_name, visit_entry.ip) == ("admin", "127.0.0.1")
    assert visit_entry.target_type == "enterprise" and visit_entry.target_id == str(ent.id)


def test_coverage_rows_carry_latest_activity(session: Session) -> None:
    ent = Enterprise(credit_code=code(1), name="甲", community="桃源社区", building="A栋",
                     status="active")  # fmt: skip
    session.add(ent)
    session.flush()
    for day in (3, 9):
        record_visit(session, ent, visitor="张三", visited_at=datetime(2026, 11, day, tzinfo=UTC),
                     checks={})  # fmt: skip
    record_sweep(session, community="桃源社区", building="A栋", swept_by="王五",
                 swept_at=datetime(2026, 11, 7, 8, 30, tzinfo=UTC))  # fmt: skip
    (row,) = coverage(
        session, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC)
    )
    assert row.last_visit == datetime(2026, 11, 9, tzinfo=UTC)
    assert row.last_sweep == datetime(2026, 11, 7, 8, 30, tzinfo=UTC)
    assert row.to_dict()["last_sweep"] == "2026-11-07T08:30+00:00"
