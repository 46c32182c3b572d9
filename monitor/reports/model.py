"""The semi-monthly report's data types: what `build_report` fills and renderers read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from monitor.reports.period import Period


@dataclass
class Count:
    """One labelled figure (a table row, a chart bar)."""

    key: str
    label: str
    count: int


@dataclass
class OverdueItem:
    lead_id: int
    enterprise: str
    responsible_unit: str
    measures: str
    deadline: date
    days_overdue: int


@dataclass
class TagChange:
    enterprise_id: int
    credit_code: str
    name: str
    from_tag: str | None
    to_tag: str
    reason: str
    actor: str
    at: datetime


@dataclass
class PendingReview:
    """An enterprise whose signals suggest a more severe tag than staff set (or none yet)."""

    enterprise_id: int
    credit_code: str
    name: str
    current_tag: str | None
    suggested_tag: str
    reasons: list[str]


@dataclass
class CommunityCoverage:
    community: str
    buildings: int
    buildings_complete: int
    enterprises: int
    visited: int
    visits: int
    sweeps: int
    photos: int

    @property
    def visit_coverage(self) -> float | None:
        return self.visited / self.enterprises if self.enterprises else None


@dataclass
class SemiMonthlyReport:
    """The numbers of one half-month. `to_dict` is JSON-ready."""

    period: Period
    generated_at: datetime
    campaign_phase: str
    phase_key: str | None
    new_leads: int = 0
    leads_by_category: list[Count] = field(default_factory=list)
    leads_by_source: list[Count] = field(default_factory=list)
    leads_by_community: list[Count] = field(default_factory=list)
    leads_by_risk: list[Count] = field(default_factory=list)
    reviewed: int = 0
    confirmed: int = 0
    dismissed: int = 0
    closed: int = 0
    disposals: list[Count] = field(default_factory=list)
    overdue: list[OverdueItem] = field(default_factory=list)
    enterprises_active: int = 0
    tags_now: list[Count] = field(default_factory=list)
    tag_changes: list[TagChange] = field(default_factory=list)
    ledger_events: list[Count] = field(default_factory=list)
    pending_review: list[PendingReview] = field(default_factory=list)
    coverage: list[CommunityCoverage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["period"] = {
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "label": self.period.label,
            "partial": self.period.partial,
        }
        for row, item in zip(data["coverage"], self.coverage, strict=True):
            row["visit_coverage"] = item.visit_coverage
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
