"""Rectification orders (责令限期整改) and their re-checks (复查).

A confirmed `rectify` disposal opens a rectification with a deadline and a re-check date.
When the page is crawled again, intake calls `record_recheck`; staff who checked in person
call it without a capture. A re-check that finds the ad gone marks the rectification
`done` (整改到位), which is what allows the lead to be closed. `overdue_rectifications`
lists the open ones whose deadline has passed, for the office's follow-up list and the
semi-monthly report.

Re-checks do not touch the lead row, so a nightly re-crawl never makes a reviewer's open
form stale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import audit
from monitor.models.accounts import User
from monitor.models.base import utcnow
from monitor.models.core import Capture, Lead
from monitor.models.workflow import LeadEvent, Rectification, RectificationCheck
from monitor.workflow.disposals import RectifyDisposal
from monitor.workflow.permissions import STAFF, require_role


def open_rectification(session: Session, lead: Lead, spec: RectifyDisposal) -> Rectification:
    """Create the rectification a confirmed `rectify` disposal orders."""
    row = Rectification(
        lead_id=lead.id,
        enterprise_id=lead.enterprise_id,
        responsible_unit=spec.responsible_unit,
        measures=spec.measures,
        deadline=spec.deadline,
        recheck_date=spec.recheck_date,
        status="open",
    )
    session.add(row)
    return row


def current_rectification(session: Session, lead_id: int) -> Rectification | None:
    """The lead's open rectification, if any (at most one is open at a time)."""
    stmt = (
        select(Rectification)
        .where(Rectification.lead_id == lead_id, Rectification.status == "open")
        .order_by(Rectification.id.desc())
    )
    return session.scalars(stmt).first()


def open_rectifications_of(session: Session, lead_id: int) -> list[Rectification]:
    """Every open rectification of a lead (normally one)."""
    stmt = select(Rectification).where(
        Rectification.lead_id == lead_id, Rectification.status == "open"
    )
    return list(session.scalars(stmt))


def record_recheck(
    session: Session,
    lead: Lead | int,
    capture: Capture | int | None,
    still_present: bool,
    *,
    actor: User | None = None,
    note: str = "",
) -> RectificationCheck | None:
    """Record a re-check of a lead under rectification; None when it has none open.

    `actor` None means the system (a re-crawl by intake); a person must be staff. The
    rectification becomes `done` when the ad is gone; when it is still there the
    rectification stays open (and shows as overdue once the deadline has passed).
    """
    if actor is not None:
        require_role(actor, *STAFF)
    lead_obj = lead if isinstance(lead, Lead) else session.get(Lead, lead)
    if lead_obj is None:
        return None
    rectification = current_rectification(session, lead_obj.id)
    if rectification is None:
        return None
    capture_id = capture.id if isinstance(capture, Capture) else capture
    now = utcnow()
    check = RectificationCheck(
        rectification_id=rectification.id,
        capture_id=capture_id,
        checked_by_id=actor.id if actor is not None else None,
        at=now,
        still_present=still_present,
        note=note.strip(),
    )
    session.add(check)
    rectification.recheck_result = "still_present" if still_present else "removed"
    rectification.rechecked_at = now
    if not still_present:
        rectification.status = "done"
    details: dict[str, Any] = {
        "rectification_id": rectification.id,
        "capture_id": capture_id,
        "still_present": still_present,
        "deadline": rectification.deadline.isoformat(),
    }
    session.add(
        LeadEvent(
            lead_id=lead_obj.id,
            at=now,
            actor_id=check.checked_by_id,
            action="recheck",
            from_status=lead_obj.status,
            to_status=lead_obj.status,
            reason=check.note,
            details=details,
        )
    )
    audit.record(session, actor, "rectification.recheck", rectification, **details)
    session.flush()
    return check


def overdue_rectifications(session: Session, as_of: date) -> list[Rectification]:
    """Open rectifications whose deadline is before `as_of` (an office-local date), oldest
    deadline first: no re-check has yet found the ad removed."""
    stmt = (
        select(Rectification)
        .where(Rectification.status == "open", Rectification.deadline < as_of)
        .order_by(Rectification.deadline, Rectification.id)
    )
    return list(session.scalars(stmt))


def due_rechecks(session: Session, as_of: date) -> list[Rectification]:
    """Open rectifications whose re-check date has come (recheck_date <= `as_of`): the
    pages the scheduler should crawl again so intake can record the re-check."""
    stmt = (
        select(Rectification)
        .where(Rectification.status == "open", Rectification.recheck_date <= as_of)
        .order_by(Rectification.recheck_date, Rectification.id)
    )
    return list(session.scalars(stmt))
