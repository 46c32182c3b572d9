"""Ledger writes from the web: the ledger's own functions, audited as the signed-in user.

`monitor.ledger` writes the audit entry itself (`ledger.event`, `ledger.visit`,
`ledger.import`); the web only says who acted and from where.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

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
    """Record a 异动 as `actor`; the ledger follows it (a move-out changes the status)."""
    enterprise = get_enterprise(session, enterprise_id)
    event = record_event(
        session,
        enterprise,
        kind,
        occurred_on=occurred_on,
        new_value=new_value,
        note=note,
        recorded_by=actor.username,
        audit_as=actor,
        ip=ip,
    )
    flush_or_conflict(session, enterprise)
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
    """Record a 走访 of the enterprise by `visitor` (default: the signed-in user)."""
    enterprise = get_enterprise(session, enterprise_id)
    visit = record_visit(
        session,
        enterprise,
        visitor=visitor or actor.username,
        visited_at=visited_at,
        checks=checks,
        findings=findings,
        audit_as=actor,
        ip=ip,
    )
    session.flush()
    return visit


def import_upload(
    session: Session, data: bytes, actor: User, *, filename: str, today: date, ip: str | None
) -> ImportSummary:
    """Import an uploaded workbook as `actor`. A file that cannot be read at all raises
    `LedgerFileError` before anything is written."""
    return import_xlsx(
        session,
        data,
        actor=actor.username,
        today=today,
        audit_as=actor,
        ip=ip,
        filename=filename[:200],
    )
