"""Status-neutral steps on a lead: notes (备注) and the enterprise link (关联企业).

Neither moves the lead through the state machine. A note does not touch the lead row, so
it never makes another reviewer's form stale; the enterprise link does (it changes what
the lead says), so it goes through the same optimistic lock as a decision.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.models.accounts import Role, User
from monitor.models.base import utcnow
from monitor.models.ledger import Enterprise
from monitor.models.workflow import LeadEvent
from monitor.workflow.events import record_event, required_text
from monitor.workflow.locking import check_version, flush_lead, load_lead, mark_actor
from monitor.workflow.permissions import STAFF, check_can_view, require_role
from monitor.workflow.rectifications import open_rectifications_of


def add_note(
    session: Session, lead_id: int, actor: User, expected_version: int | None, text: str
) -> LeadEvent:
    """A note on a lead's history (备注); no status change, so it does not bump the lead's
    version. Partners may note leads referred to them (e.g. 已受理)."""
    require_role(actor, *STAFF, Role.PARTNER)
    note = required_text(text, "the note text")
    lead = load_lead(session, lead_id)
    if actor.role == Role.PARTNER.value:
        check_can_view(session, actor, lead)
    if expected_version is not None:
        check_version(session, lead, actor, "lead.note", expected_version)
    return record_event(session, lead, actor, "note", lead.status, reason=note)


def link_enterprise(
    session: Session,
    lead_id: int,
    actor: User,
    expected_version: int,
    enterprise_id: int | None,
) -> LeadEvent | None:
    """Link the lead to an enterprise on the ledger (关联企业), or unlink with None.
    Returns None when the link is already so."""
    require_role(actor, *STAFF)
    if enterprise_id is not None and session.get(Enterprise, enterprise_id) is None:
        raise NotFound(f"enterprise {enterprise_id} not found")
    lead = load_lead(session, lead_id)
    check_version(session, lead, actor, "lead.link_enterprise", expected_version)
    previous = lead.enterprise_id
    if previous == enterprise_id:
        return None
    pending = open_rectifications_of(session, lead_id)
    lead.enterprise_id = enterprise_id
    mark_actor(lead, actor.id)
    lead.updated_at = utcnow()
    flush_lead(session, lead, actor, "lead.link_enterprise", expected_version)
    for rectification in pending:
        rectification.enterprise_id = enterprise_id
    details = {"from_enterprise_id": previous, "to_enterprise_id": enterprise_id}
    return record_event(session, lead, actor, "link_enterprise", lead.status, details=details)
