"""`build_report`: the semi-monthly summary (半月报) as one data object.

Everything the office lead reads twice a month, computed from the records in one place so
the xlsx and HTML renderings (and any later web page) show the same numbers:

* new leads (新增线索) by category, source type, community and risk;
* review decisions in the period: reviewed, confirmed, dismissed, closed;
* disposals decided in the period by class (约谈/整改/引导/移送公安/会审研判);
* rectifications overdue as of the report date (逾期整改);
* the ledger: tags now, tag changes and 异动 in the period, enterprises whose signals now
  suggest a more severe tag than staff set (待复核);
* 排查覆盖 per community (visits and poster sweeps in the period);
* the campaign phase.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.labels import CATEGORY_LABELS, RISK_LABELS, SOURCE_LABELS
from monitor.ledger.events import EVENT_LABELS
from monitor.ledger.signals import LEVEL_ORDER, Scanner, assess_many
from monitor.ledger.tags import TAG_LABELS
from monitor.ledger.visits import UNKNOWN, coverage
from monitor.models.base import utcnow
from monitor.models.core import Lead, LeadCategory
from monitor.models.ledger import EVENT_KINDS, Enterprise, EnterpriseEvent, EnterpriseTagHistory
from monitor.models.workflow import Disposal, LeadEvent
from monitor.reports.campaign import Campaign, load_campaign
from monitor.reports.model import (
    CommunityCoverage,
    Count,
    OverdueItem,
    PendingReview,
    SemiMonthlyReport,
    TagChange,
)
from monitor.reports.period import Period
from monitor.workflow import DISPOSAL_LABELS, overdue_rectifications

UNTAGGED = "untagged"


def build_report(
    session: Session,
    as_of: date,
    *,
    timezone: str = "Asia/Shanghai",
    campaign: Campaign | None = None,
    scanner: Scanner | None = None,
) -> SemiMonthlyReport:
    """The semi-monthly report for the half-month ending at `as_of` (office-local dates)."""
    period = Period.ending(as_of, timezone)
    campaign = campaign or load_campaign()
    phase = campaign.phase_on(as_of)
    start, end = period.bounds()
    report = SemiMonthlyReport(
        period=period,
        generated_at=utcnow(),
        campaign_phase=campaign.describe(as_of),
        phase_key=phase.key if phase else None,
    )
    _leads(session, report, start, end)
    _decisions(session, report, start, end)
    _disposals(session, report, start, end)
    report.overdue = _overdue(session, as_of)
    _ledger(session, report, start, end, as_of, scanner)
    report.coverage = _coverage(session, start, end, ZoneInfo(timezone))
    return report


def _leads(session: Session, report: SemiMonthlyReport, start: datetime, end: datetime) -> None:
    in_period = (Lead.created_at >= start, Lead.created_at < end)
    report.new_leads = session.scalar(select(func.count()).where(*in_period)) or 0
    cats = dict(
        session.execute(
            select(LeadCategory.category, func.count())
            .join(Lead, Lead.id == LeadCategory.lead_id)
            .where(*in_period)
            .group_by(LeadCategory.category)
        ).all()
    )
    report.leads_by_category = _fixed(CATEGORY_LABELS, cats)
    sources = dict(
        session.execute(
            select(Lead.source_kind, func.count()).where(*in_period).group_by(Lead.source_kind)
        ).all()
    )
    report.leads_by_source = _fixed(SOURCE_LABELS, sources)
    risks = dict(
        session.execute(select(Lead.risk, func.count()).where(*in_period).group_by(Lead.risk)).all()
    )
    report.leads_by_risk = _fixed(RISK_LABELS, risks)
    communities = Counter[str]()
    for community, count in session.execute(
        select(Lead.community, func.count()).where(*in_period).group_by(Lead.community)
    ):
        communities[community or UNKNOWN] += count
    report.leads_by_community = [
        Count(name, name, n) for name, n in sorted(communities.items(), key=lambda x: (-x[1], x[0]))
    ]


def _decisions(session: Session, report: SemiMonthlyReport, start: datetime, end: datetime) -> None:
    """Distinct leads per decision made in the period (a lead confirmed twice counts once)."""
    rows = session.execute(
        select(LeadEvent.action, func.count(func.distinct(LeadEvent.lead_id)))
        .where(
            LeadEvent.at >= start,
            LeadEvent.at < end,
            LeadEvent.action.in_(("confirm", "dismiss", "close")),
        )
        .group_by(LeadEvent.action)
    ).all()
    counts = dict(rows)
    report.confirmed = counts.get("confirm", 0)
    report.dismissed = counts.get("dismiss", 0)
    report.closed = counts.get("close", 0)
    report.reviewed = (
        session.scalar(
            select(func.count(func.distinct(LeadEvent.lead_id))).where(
                LeadEvent.at >= start,
                LeadEvent.at < end,
                LeadEvent.action.in_(("confirm", "dismiss")),
            )
        )
        or 0
    )


def _disposals(session: Session, report: SemiMonthlyReport, start: datetime, end: datetime) -> None:
    kinds = dict(
        session.execute(
            select(Disposal.kind, func.count())
            .where(Disposal.decided_at >= start, Disposal.decided_at < end)
            .group_by(Disposal.kind)
        ).all()
    )
    report.disposals = _fixed(DISPOSAL_LABELS, kinds)


def _overdue(session: Session, as_of: date) -> list[OverdueItem]:
    items: list[OverdueItem] = []
    for rect in overdue_rectifications(session, as_of):
        ent = session.get(Enterprise, rect.enterprise_id) if rect.enterprise_id else None
        items.append(
            OverdueItem(
                lead_id=rect.lead_id,
                enterprise=ent.name if ent else "",
                responsible_unit=rect.responsible_unit,
                measures=rect.measures,
                deadline=rect.deadline,
                days_overdue=(as_of - rect.deadline).days,
            )
        )
    return items


def _ledger(
    session: Session,
    report: SemiMonthlyReport,
    start: datetime,
    end: datetime,
    as_of: date,
    scanner: Scanner | None,
) -> None:
    active = list(session.scalars(select(Enterprise).where(Enterprise.status == "active")))
    report.enterprises_active = len(active)
    tags = Counter(e.tag or UNTAGGED for e in active)
    labels = {**TAG_LABELS, UNTAGGED: "未定级"}
    report.tags_now = [Count(k, label, tags.get(k, 0)) for k, label in labels.items()]
    history = session.execute(
        select(EnterpriseTagHistory, Enterprise)
        .join(Enterprise, Enterprise.id == EnterpriseTagHistory.enterprise_id)
        .where(EnterpriseTagHistory.at >= start, EnterpriseTagHistory.at < end)
        .order_by(EnterpriseTagHistory.at, EnterpriseTagHistory.id)
    ).all()
    report.tag_changes = [
        TagChange(e.id, e.credit_code, e.name, h.from_tag, h.to_tag, h.reason, h.actor, h.at)
        for h, e in history
    ]
    events = dict(
        session.execute(
            select(EnterpriseEvent.kind, func.count())
            .where(
                EnterpriseEvent.occurred_on >= report.period.start,
                EnterpriseEvent.occurred_on <= report.period.end,
            )
            .group_by(EnterpriseEvent.kind)
        ).all()
    )
    report.ledger_events = _fixed({k: EVENT_LABELS[k] for k in EVENT_KINDS}, events)
    assessments = assess_many(session, active, as_of=as_of, scanner=scanner)
    for ent in active:
        a = assessments[ent.id]
        current = LEVEL_ORDER[ent.tag] if ent.tag else -1
        if a.reasons and LEVEL_ORDER[a.suggested_tag] > current:
            report.pending_review.append(
                PendingReview(
                    ent.id,
                    ent.credit_code,
                    ent.name,
                    ent.tag,
                    a.suggested_tag,
                    [r.message for r in a.reasons],
                )
            )
    report.pending_review.sort(key=lambda p: (-LEVEL_ORDER[p.suggested_tag], p.name))


def _coverage(
    session: Session, start: datetime, end: datetime, tz: tzinfo
) -> list[CommunityCoverage]:
    out: dict[str, CommunityCoverage] = {}
    for row in coverage(session, start, end, tz=tz):
        c = out.setdefault(row.community, CommunityCoverage(row.community, 0, 0, 0, 0, 0, 0, 0))
        c.buildings += 1
        c.buildings_complete += int(row.complete)
        c.enterprises += row.enterprises
        c.visited += row.visited
        c.visits += row.visits
        c.sweeps += row.sweeps
        c.photos += row.photos
    return [out[k] for k in sorted(out)]


def _fixed(labels: dict[str, str], counts: dict[Any, int]) -> list[Count]:
    """Every known key in its fixed order (zeros included, so charts compare across
    reports), then any unexpected key the data holds."""
    rows = [Count(k, label, int(counts.get(k, 0))) for k, label in labels.items()]
    rows += [Count(str(k), str(k), int(n)) for k, n in counts.items() if k not in labels]
    return rows
