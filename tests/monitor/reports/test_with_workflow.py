"""The report and the ledger signals read what the real review workflow writes.

Built through `monitor.workflow` (not hand-made rows), so a change in the workflow's event
names or disposal rows shows up here.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from monitor import workflow
from monitor.ledger.linking import confirm_link
from monitor.ledger.signals import assess
from monitor.ledger.uscc import make_credit_code
from monitor.models.core import Lead
from monitor.models.ledger import Enterprise
from monitor.reports import build_report
from monitor.users import create_user


def _no_words(name: str, scope: str = "") -> list[object]:
    return []


def test_report_and_signals_follow_the_workflow(session: Session) -> None:
    reviewer = create_user(session, "zhangsan", "reviewer", "correct-horse-battery-staple-9")
    ent = Enterprise(credit_code=make_credit_code("9", "1", "440305", "MA000001"),
                     name="甲公司", status="active")  # fmt: skip
    session.add(ent)
    leads = []
    for n in range(2):
        lead = Lead(source_kind="web", via="html", url=f"http://127.0.0.1/{n}",
                    page_key=hashlib.sha256(bytes([n])).hexdigest())  # fmt: skip
        session.add(lead)
        leads.append(lead)
    session.flush()
    first, second = leads
    confirm_link(session, first.id, ent.id, actor=reviewer)
    workflow.start_review(session, first.id, reviewer, first.version_id)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the report's office-local day
    workflow.confirm(
        session,
        first.id,
        reviewer,
        first.version_id,
        {"kind": "rectify", "deadline": today - timedelta(days=3),
         "recheck_date": today - timedelta(days=2), "responsible_unit": "甲公司",
         "measures": "撤下广告"},
    )  # fmt: skip
    workflow.start_review(session, second.id, reviewer, second.version_id)
    workflow.dismiss(session, second.id, reviewer, second.version_id, "反诈宣传，不构成违法")
    session.flush()

    codes = {r.code for r in assess(session, ent, as_of=today, scanner=_no_words).reasons}
    assert codes == {"confirmed_lead", "overdue_rectification"}

    report = build_report(session, today, scanner=_no_words)
    assert (report.reviewed, report.confirmed, report.dismissed) == (2, 1, 1)
    assert {c.key: c.count for c in report.disposals}["rectify"] == 1
    assert [(o.enterprise, o.days_overdue) for o in report.overdue] == [("甲公司", 3)]
    assert report.new_leads == 2
    assert isinstance(report.period.start, date)
