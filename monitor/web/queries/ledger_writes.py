"""Ledger writes from the web, each with its audit entry.

`monitor.ledger.set_tag` audits itself; `record_event`, `record_visit` and `import_xlsx`
do not (the CLI runs them without an account). Until `monitor.ledger` audits them, the
web app writes the entry here, in the same transaction as the change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from monitor import audit
from monitor.ledger import ImportSummary, get_enterprise, import_xlsx, record_event, record_visit
from monitor.ledger.tags import flush_or_conflict
from monitor.models.accounts import User
from monitor.models.ledger import EnterpriseEvent, Visit


def add_event(
    session: Session,
    enterprise_id: int,
    actor: User,
    *,
    kind: str,
    occurred_on: date,
    new_value: str,
    note: str,
    ip: str | None = None,
) -> EnterpriseEvent:
    """Record a 异动 as `actor` (the ledger follows it) and audit it as `ledger.event`."""
    enterprise = get_enterprise(session, enterprise_id)
    event = record_event(
        session,
        enterprise,
        kind,
        occurred_on=occurred_on,
        new_value=new_value,
        note=note,
        recorded_by=actor.username,
    )
    flush_or_conflict(session, enterprise)
    audit.record(
        session,
        actor,
        "ledger.event",
        enterprise,
        ip=ip,
        kind=kind,
        occurred_on=occurred_on,
        old_value=event.old_value,
        new_value=new_value,
    )
    return event


def add_visit(
    session: Session,
    enterprise_id: int,
    actor: User,
    *,
    visitor: str,
    visited_at: datetime,
    checks: dict[str, str],
    findings: str,
    ip: str | None = None,
) -> Visit:
    """Record a 走访 and audit it as `ledger.visit`."""
    enterprise = get_enterprise(session, enterprise_id)
    visit = record_visit(
        session,
        enterprise,
        visitor=visitor or actor.username,
        visited_at=visited_at,
        checks=checks,
        findings=findings,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "ledger.visit",
        enterprise,
        ip=ip,
        visitor=visit.visitor,
        visited_at=visited_at,
        checks=visit.checks,
    )
    return visit


def import_upload(
    session: Session, data: bytes, actor: User, *, filename: str, today: date, ip: str | None
) -> ImportSummary:
    """Import an uploaded workbook as `actor` and audit the outcome as `ledger.import`.

    A file that cannot be read at all raises `LedgerFileError` before anything is written.
    """
    summary = import_xlsx(session, data, actor=actor.username, today=today)
    audit.record(
        session,
        actor,
        "ledger.import",
        None,
        ip=ip,
        filename=filename[:200],
        sheet=summary.sheet,
        imported=summary.imported,
        updated=summary.updated,
        rejected=len(summary.rejected),
    )
    return summary
