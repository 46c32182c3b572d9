"""Semi-monthly report numbers on a small, hand-counted data set; xlsx, HTML and CLI."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.ledger.uscc import make_credit_code
from monitor.models.core import Lead, LeadCategory
from monitor.models.ledger import Enterprise, EnterpriseEvent, EnterpriseTagHistory, Visit
from monitor.models.workflow import Disposal, LeadEvent, Rectification
from monitor.reports import build_report, render_html, render_xlsx
from monitor.reports.model import SemiMonthlyReport

AS_OF = date(2026, 11, 15)


@dataclass(frozen=True)
class Hit:
    term: str
    field: str
    level: str
    basis: str = "《防范和处置非法集资条例》第九条"


def scan(name: str, scope: str = "") -> list[Hit]:
    return [Hit("理财", "name", "restricted")] if "理财" in name else []


def utc(y: int, m: int, d: int, h: int = 2, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def _lead(session: Session, n: int, created: datetime, source: str, community: str | None,
          categories: list[str], risk: str, status: str = "new") -> Lead:  # fmt: skip
    lead = Lead(
        source_kind=source,
        via={"web": "html", "poster": "poster", "tip": "tip"}[source],
        url=f"http://127.0.0.1/{n}",
        page_key=hashlib.sha256(str(n).encode()).hexdigest(),
        community=community,
        categories=categories,
        risk=risk,
        status=status,
        created_at=created,
    )
    lead.category_rows = [LeadCategory(category=c) for c in categories]
    session.add(lead)
    session.flush()
    return lead


def _event(session: Session, lead: Lead, action: str, at: datetime) -> None:
    session.add(LeadEvent(lead_id=lead.id, action=action, at=at, from_status="reviewing",
                          to_status=action))  # fmt: skip


def _ent(
    session: Session, n: int, name: str, tag: str | None, status: str = "active"
) -> Enterprise:
    ent = Enterprise(
        credit_code=make_credit_code("9", "1", "440305", f"MA{n:06d}"),
        name=name,
        tag=tag,
        status=status,
        community="桃源社区",
        building="A栋",
    )
    session.add(ent)
    session.flush()
    return ent


def build_fixture(session: Session) -> None:
    """Period 2026-11-01..15 in Asia/Shanghai (UTC+8); comments give the local time."""
    l1 = _lead(
        session,
        1,
        utc(2026, 11, 2, 10),
        "web",
        "桃源社区",
        ["return_promise", "principal_guarantee"],
        "high",
        "closed",
    )
    l2 = _lead(
        session,
        2,
        utc(2026, 11, 15, 15, 30),
        "poster",
        "桃源社区",
        ["hot_concept"],
        "medium",
        "dismissed",
    )  # 11-15 23:30 local: in
    l3 = _lead(
        session, 3, utc(2026, 11, 15, 16, 30), "web", "大冲社区", ["hot_concept"], "high"
    )  # 11-16 00:30 local: out
    l4 = _lead(
        session,
        4,
        utc(2026, 10, 31, 15, 59),
        "web",
        "大冲社区",
        ["return_promise"],
        "high",
        "confirmed",
    )  # 10-31 23:59 local: out
    _lead(
        session, 5, utc(2026, 10, 31, 16, 0), "tip", None, ["public_solicitation"], "low"
    )  # 11-01 00:00 local: in
    _event(session, l1, "confirm", utc(2026, 11, 3))
    _event(session, l1, "close", utc(2026, 11, 14))
    _event(session, l2, "dismiss", utc(2026, 11, 5))
    _event(session, l4, "confirm", utc(2026, 10, 20))  # out
    _event(session, l4, "reopen", utc(2026, 11, 3))
    _event(session, l4, "confirm", utc(2026, 11, 4))  # confirmed again in the period
    session.add(Disposal(lead_id=l1.id, kind="interview", decided_at=utc(2026, 11, 3)))
    session.add(Disposal(lead_id=l4.id, kind="rectify", decided_at=utc(2026, 11, 4)))
    session.add(Disposal(lead_id=l3.id, kind="guidance", decided_at=utc(2026, 11, 15, 16, 1)))
    ent_red = _ent(session, 1, "鑫盛咨询<script>alert(1)</script>有限公司", "red")
    ent_yellow = _ent(session, 2, "甲乙软件有限公司", "yellow")
    _ent(session, 3, "丙丁理财咨询有限公司", None)  # suggested red, not yet tagged
    _ent(session, 4, "已搬离有限公司", "green", status="moved_out")
    for lead, deadline, status in (
        (l4, date(2026, 11, 10), "open"),
        (l1, date(2026, 11, 15), "open"),
        (l1, date(2026, 11, 1), "done"),
    ):
        session.add(
            Rectification(
                lead_id=lead.id,
                enterprise_id=ent_yellow.id,
                responsible_unit="甲乙软件",
                measures="撤下广告",
                deadline=deadline,
                recheck_date=deadline,
                status=status,
            )
        )
    session.add(
        EnterpriseTagHistory(
            enterprise_id=ent_red.id,
            from_tag="yellow",
            to_tag="red",
            reason="复查仍在发布",
            actor="张三",
            at=utc(2026, 11, 5),
        )
    )
    session.add(
        EnterpriseTagHistory(
            enterprise_id=ent_yellow.id,
            from_tag=None,
            to_tag="yellow",
            reason="导入",
            actor="李四",
            at=utc(2026, 10, 20),
        )
    )
    session.add(
        EnterpriseEvent(
            enterprise_id=ent_red.id,
            kind="address_change",
            occurred_on=date(2026, 11, 10),
            recorded_by="t",
        )
    )
    session.add(
        EnterpriseEvent(
            enterprise_id=ent_yellow.id,
            kind="move_in",
            occurred_on=date(2026, 10, 1),
            recorded_by="t",
        )
    )
    session.add(
        Visit(
            enterprise_id=ent_red.id,
            visitor="张三",
            visited_at=utc(2026, 11, 5),
            community="桃源社区",
            building="A栋",
            checks={},
        )
    )
    session.flush()


def _counts(rows: list) -> dict[str, int]:  # type: ignore[type-arg]
    return {r.key: r.count for r in rows}


@pytest.fixture
def report(session: Session) -> SemiMonthlyReport:
    build_fixture(session)
    return build_report(session, AS_OF, scanner=scan)


def test_lead_numbers(report: SemiMonthlyReport) -> None:
    assert (report.period.start, report.period.end, report.period.partial) == (
        date(2026, 11, 1), AS_OF, False,
    )  # fmt: skip
    assert report.new_leads == 3
    assert _counts(report.leads_by_source) == {"web": 1, "poster": 1, "tip": 1}
    assert _counts(report.leads_by_category) == {
        "return_promise": 1, "principal_guarantee": 1, "hot_concept": 1, "endorsement": 0,
        "public_solicitation": 1,
    }  # fmt: skip
    assert _counts(report.leads_by_community) == {"桃源社区": 2, "（未填）": 1}
    assert _counts(report.leads_by_risk) == {"high": 1, "medium": 1, "low": 1, "none": 0}


def test_decisions_disposals_overdue(report: SemiMonthlyReport) -> None:
    assert (report.reviewed, report.confirmed, report.dismissed, report.closed) == (3, 2, 1, 1)
    assert _counts(report.disposals) == {
        "interview": 1, "rectify": 1, "guidance": 0, "refer_police": 0, "joint_review": 0,
    }  # fmt: skip
    assert [(o.deadline, o.days_overdue, o.enterprise) for o in report.overdue] == [
        (date(2026, 11, 10), 5, "甲乙软件有限公司")
    ]


def test_ledger_part(report: SemiMonthlyReport) -> None:
    assert report.enterprises_active == 3
    assert _counts(report.tags_now) == {"red": 1, "yellow": 1, "green": 0, "untagged": 1}
    assert [(c.from_tag, c.to_tag, c.actor) for c in report.tag_changes] == [
        ("yellow", "red", "张三")
    ]
    assert _counts(report.ledger_events)["address_change"] == 1
    assert sum(_counts(report.ledger_events).values()) == 1
    pending = {p.name: p.suggested_tag for p in report.pending_review}
    # 丙丁: 理财 in the name; 甲乙: overdue rectification (red) above its yellow tag.
    assert pending == {"丙丁理财咨询有限公司": "red", "甲乙软件有限公司": "red"}
    (community,) = report.coverage
    assert (community.community, community.enterprises, community.visited) == ("桃源社区", 3, 1)
    assert report.campaign_phase.startswith("风险整治")
    assert json.dumps(report.to_dict(), ensure_ascii=False)


def test_mid_period_report_is_partial(session: Session) -> None:
    build_fixture(session)
    early = build_report(session, date(2026, 11, 1), scanner=scan)
    assert early.period.partial and "截至11月1日" in early.period.label
    assert early.new_leads == 1  # lead 5 (11-01 00:00 local); lead 1 is 11-02 18:00 local
    assert build_report(session, date(2026, 11, 2), scanner=scan).new_leads == 2
    late = build_report(session, date(2026, 11, 30), scanner=scan)
    assert late.period.start == date(2026, 11, 16) and not late.period.partial
    assert late.new_leads == 1 and _counts(late.disposals)["guidance"] == 1


def test_xlsx_and_html(report: SemiMonthlyReport, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    render_xlsx(report, out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["概况", "新增线索", "研判处置", "逾期整改", "风险台账", "排查覆盖"]
    summary = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert summary["新增线索"] == 3 and summary["逾期整改"] == 1 and summary["确认违法"] == 2
    overdue = list(wb["逾期整改"].iter_rows(min_row=2, values_only=True))
    assert overdue[0][4] == "2026-11-10" and overdue[0][5] == 5

    page = render_html(report)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert page.count("<svg") >= 6 and "风险整治" in page and "逾期整改" in page


def test_cli_report(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.cli.db import close_all

    out = tmp_path / "半月报.html"
    rc = run_cli(cli, ["--db", db_url, "report", "--as-of", "2026-11-30", "--format", "html",
                       "--out", str(out)])  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert rc == 0 and printed["period"] == {"start": "2026-11-16", "end": "2026-11-30"}
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    rc = run_cli(cli, ["--db", db_url, "report", "--as-of", "2026-13-01"])
    assert rc == 2
    close_all()


def test_write_report_refuses_unknown_format(session: Session, tmp_path: Path) -> None:
    from monitor.errors import InvalidInput
    from monitor.reports import write_report

    with pytest.raises(InvalidInput, match="unknown report format"):
        write_report(session, AS_OF, tmp_path / "r.pdf", fmt="pdf", scanner=scan)
    assert not (tmp_path / "r.pdf").exists()
