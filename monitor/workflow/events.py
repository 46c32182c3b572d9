"""A lead's history (lead_events): one row per step, written with its audit entry.

Status-changing steps come from `transitions`; status-neutral ones (a note, an enterprise
link, a re-check) from `annotations` and `rectifications`, with from == to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import InvalidInput
from monitor.models.accounts import User
from monitor.models.base import utcnow
from monitor.models.core import Lead
from monitor.models.workflow import LeadEvent


def record_event(
    session: Session,
    lead: Lead,
    actor: User,
    action: str,
    from_status: str,
    *,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> LeadEvent:
    """Write one step of the lead's history and its audit entry (same transaction)."""
    clean = {k: audit.jsonable(v) for k, v in (details or {}).items()}
    event = LeadEvent(
        lead_id=lead.id,
        at=utcnow(),
        actor_id=actor.id,
        action=action,
        from_status=from_status,
        to_status=lead.status,
        reason=reason,
        details=clean,
    )
    session.add(event)
    audit.record(
        session,
        actor,
        f"lead.{action}",
        lead,
        from_status=from_status,
        to_status=lead.status,
        reason=reason,
        version=lead.version_id,
        **clean,
    )
    session.flush()
    return event


def required_text(value: str, what: str) -> str:
    """`value` stripped, or InvalidInput saying that `what` is required."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what} is required")
    return text


def history(session: Session, lead_id: int) -> list[LeadEvent]:
    """A lead's events, oldest first."""
    stmt = (
        select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.at, LeadEvent.id)
    )
    return list(session.scalars(stmt))
