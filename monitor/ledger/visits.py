"""走访 visits, 张贴物排查 poster sweeps, and 排查全覆盖 coverage per community and building.

The campaign asks each sub-district to show that every enterprise in every building was
visited and every building's public spaces were swept for posters in the period. Coverage
is computed from the records, never typed in: for a period, each (community, building)
row says how many enterprises are on the ledger there, how many were visited, how many
sweeps were made and how many photos they produced.

Grid workers mostly show a sweep by photographing what they found (海报上传), not by
filling in a sweep record, so their uploads count too: each worker's photos at one
building on one office-local day are one sweep, and every photo is a photo. A sweep that
found nothing is recorded explicitly (`record_sweep`, the upload page's "未发现" form),
since having looked is what coverage asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import InvalidInput
from monitor.models.core import Upload
from monitor.models.ledger import Enterprise, PosterSweep, Visit

#: What a 走访 checks (资质 / 实际经营 / 宣传材料) and the allowed outcomes.
CHECK_ITEMS = {
    "qualification": "资质",
    "actual_operation": "实际经营",
    "promo_materials": "宣传材料",
}
CHECK_RESULTS = ("ok", "issue", "not_checked")
UNKNOWN = "（未填）"


def record_visit(
    session: Session,
    enterprise: Enterprise,
    *,
    visitor: str,
    visited_at: datetime,
    checks: dict[str, str],
    findings: str = "",
    audit_as: audit.Actor = None,
    ip: str | None = None,
) -> Visit:
    """Record a visit (audited as `ledger.visit`, by `audit_as` or else the visitor's name);
    community and building are copied from the enterprise as it is now."""
    if not visitor:
        raise InvalidInput("走访记录须注明走访人 (visitor is required)")
    unknown = set(checks) - set(CHECK_ITEMS)
    if unknown:
        raise InvalidInput(
            f"未知的检查项 {', '.join(sorted(unknown))}（可用：{', '.join(CHECK_ITEMS)}）"
        )
    bad = {k: v for k, v in checks.items() if v not in CHECK_RESULTS}
    if bad:
        raise InvalidInput(f"检查结果须为 {'/'.join(CHECK_RESULTS)}：{bad}")
    visit = Visit(
        visitor=visitor,
        visited_at=visited_at,
        community=enterprise.community or "",
        building=enterprise.building or "",
        checks={item: checks.get(item, "not_checked") for item in CHECK_ITEMS},
        findings=findings,
    )
    # Through the many-to-one side: appending to enterprise.visits would load the
    # whole collection (one query and autoflush per row in a bulk import).
    visit.enterprise = enterprise
    session.add(visit)
    session.flush()
    audit.record(
        session,
        audit_as if audit_as is not None else visitor,
        "ledger.visit",
        enterprise,
        ip=ip,
        visit_id=visit.id,
        visitor=visitor,
        visited_at=visited_at,
        checks=visit.checks,
    )
    return visit


def record_sweep(
    session: Session,
    *,
    community: str,
    swept_by: str,
    swept_at: datetime,
    building: str = "",
    place: str = "",
    uploads_count: int = 0,
    note: str = "",
    audit_as: audit.Actor = None,
    ip: str | None = None,
) -> PosterSweep:
    """Record one poster sweep of a place (lift, notice board, street hub); audited as
    `ledger.sweep` by `audit_as` or else the sweeper's name."""
    if not community:
        raise InvalidInput("排查记录须注明所属社区 (community is required)")
    if not swept_by:
        raise InvalidInput("排查记录须注明排查人 (swept_by is required)")
    if uploads_count < 0:
        raise InvalidInput("上传照片数不能为负数")
    sweep = PosterSweep(
        community=community,
        building=building,
        place=place,
        swept_by=swept_by,
        swept_at=swept_at,
        uploads_count=uploads_count,
        note=note,
    )
    session.add(sweep)
    session.flush()
    audit.record(
        session,
        audit_as if audit_as is not None else swept_by,
        "ledger.sweep",
        sweep,
        ip=ip,
        community=community,
        building=building,
        place=place,
        uploads_count=uploads_count,
    )
    return sweep


@dataclass
class CoverageRow:
    """排查覆盖 for one (community, building) in one period."""

    community: str
    building: str
    enterprises: int = 0  # active enterprises on the ledger there now
    visited: int = 0  # distinct enterprises visited in the period
    visits: int = 0
    sweeps: int = 0
    photos: int = 0
    last_visit: datetime | None = None  # latest visit / sweep in the period
    last_sweep: datetime | None = None

    @property
    def visit_coverage(self) -> float | None:
        """Share of enterprises visited, None where no enterprise is on the ledger."""
        return self.visited / self.enterprises if self.enterprises else None

    @property
    def complete(self) -> bool:
        """全覆盖: every enterprise visited and the building swept at least once."""
        return self.visited >= self.enterprises and self.sweeps > 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_visit", "last_sweep"):
            moment = data[key]
            data[key] = moment.isoformat(timespec="minutes") if moment else None
        data["visit_coverage"] = self.visit_coverage
        data["complete"] = self.complete
        return data


def coverage(
    session: Session, start: datetime, end: datetime, *, tz: tzinfo = UTC
) -> list[CoverageRow]:
    """Coverage for visits, sweeps and poster uploads with start <= time < end, sorted by
    community/building; `tz` is the office's, whose days split uploads into sweeps.

    Visits count where the enterprise was at visit time; the enterprise totals are the
    ledger's active enterprises now (the ledger keeps no building history of its own).
    """
    rows: dict[tuple[str, str], CoverageRow] = {}

    def row(community: str | None, building: str | None) -> CoverageRow:
        key = (community or UNKNOWN, building or "")
        if key not in rows:
            rows[key] = CoverageRow(*key)
        return rows[key]

    ent_stmt = (
        select(Enterprise.community, Enterprise.building, func.count())
        .where(Enterprise.status == "active")
        .group_by(Enterprise.community, Enterprise.building)
    )
    for community, building, count in session.execute(ent_stmt):
        row(community, building).enterprises = count
    visit_stmt = (
        select(
            Visit.community,
            Visit.building,
            func.count(),
            func.count(func.distinct(Visit.enterprise_id)),
            func.max(Visit.visited_at),
        )
        .where(Visit.visited_at >= start, Visit.visited_at < end)
        .group_by(Visit.community, Visit.building)
    )
    for community, building, visits, visited, last in session.execute(visit_stmt):
        r = row(community, building)
        r.visits, r.visited, r.last_visit = visits, visited, _aware(last)
    sweep_stmt = (
        select(
            PosterSweep.community,
            PosterSweep.building,
            func.count(),
            func.coalesce(func.sum(PosterSweep.uploads_count), 0),
            func.max(PosterSweep.swept_at),
        )
        .where(PosterSweep.swept_at >= start, PosterSweep.swept_at < end)
        .group_by(PosterSweep.community, PosterSweep.building)
    )
    for community, building, sweeps, photos, last in session.execute(sweep_stmt):
        r = row(community, building)
        r.sweeps, r.photos, r.last_sweep = sweeps, int(photos), _aware(last)
    _add_upload_sweeps(session, start, end, tz, row)
    return [rows[k] for k in sorted(rows)]


def _add_upload_sweeps(
    session: Session,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    row: Callable[[str | None, str | None], CoverageRow],
) -> None:
    """Poster uploads as sweeps: one per uploader, building and office-local day. Uploads
    with no community (a tip's photo from the public) say nothing about coverage."""
    upload_stmt = select(
        Upload.community, Upload.building, Upload.uploader_id, Upload.created_at
    ).where(
        Upload.created_at >= start,
        Upload.created_at < end,
        Upload.community.is_not(None),
        Upload.community != "",
    )
    sweeps: dict[tuple[str, str], set[tuple[int | None, date]]] = {}
    for community, building, uploader_id, created_at in session.execute(upload_stmt):
        moment = _aware(created_at)
        assert moment is not None
        r = row(community, building)
        r.photos += 1
        r.last_sweep = max(r.last_sweep or moment, moment)
        key = (r.community, r.building)
        sweeps.setdefault(key, set()).add((uploader_id, moment.astimezone(tz).date()))
    for (where, place), days in sweeps.items():
        row(where, place).sweeps += len(days)


def _aware(value: object) -> datetime | None:
    """max() over a UTC column comes back as text on SQLite and naive or aware elsewhere;
    return an aware UTC datetime either way."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
