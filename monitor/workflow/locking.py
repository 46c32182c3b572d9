"""Optimistic locking of leads (乐观锁): two reviewers, one lead, nothing overwritten.

Every decision form carries the lead's `version_id` as it was shown (`expected_version`).
A change is refused in two places:

1. before writing, when the lead's current version differs (someone committed first);
2. at flush, when SQLAlchemy's versioned UPDATE (`... WHERE id = ? AND version_id = ?`)
   matches no row (`StaleDataError`): someone committed between our read and our write.
   On PostgreSQL our UPDATE waits for their row lock, then finds the version moved on;
   on SQLite we wait for their write lock (busy timeout), then likewise.

Either way the caller's transaction is rolled back, the attempt is audited as
`lead.conflict` in a separate transaction, and `LeadConflict` (a `ConflictError`) names
who changed the lead and when (faults.md row 25).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.exc import StaleDataError

from monitor import audit
from monitor.errors import ConflictError, NotFound
from monitor.models.accounts import User
from monitor.models.core import Lead

SYSTEM_LABEL = "system (intake)"
#: Set on a Lead instance by the workflow for the flush that records its actor.
_ACTOR_MARK = "_admon_actor_recorded"


@event.listens_for(Lead, "before_update")
def _unattributed_change_is_system(mapper: Mapper[Any], connection: Any, lead: Lead) -> None:
    """Keep `updated_by_id` truthful: a versioned change that does not name its actor
    (intake storing a new content version, a script) is the system's, not the last
    reviewer's. The conflict message reads who changed the lead from this column."""
    if getattr(lead, _ACTOR_MARK, False):
        return
    if inspect(lead).attrs.updated_by_id.history.has_changes():
        return
    lead.updated_by_id = None


def mark_actor(lead: Lead, actor_id: int | None) -> None:
    """Record who is changing the lead in this flush (see the listener above)."""
    lead.updated_by_id = actor_id
    setattr(lead, _ACTOR_MARK, True)


class LeadConflict(ConflictError):
    """The lead changed since the form was shown; carries who changed it, when, and the
    lead's current status and version so the page can reload and say so."""

    def __init__(
        self,
        lead_id: int,
        *,
        changed_by: str,
        changed_at: datetime | None,
        status: str,
        version: int,
    ) -> None:
        self.lead_id = lead_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.status = status
        self.version = version
        when = f" at {changed_at:%Y-%m-%d %H:%M:%S} UTC" if changed_at else ""
        super().__init__(
            f"lead {lead_id} was changed by {changed_by}{when} (now {status}); "
            "nothing was saved: reload the lead and decide again"
        )


def load_lead(session: Session, lead_id: int) -> Lead:
    """The lead as committed now (not a stale copy from the session's identity map)."""
    stmt = select(Lead).where(Lead.id == lead_id).execution_options(populate_existing=True)
    lead = session.scalars(stmt).one_or_none()
    if lead is None:
        raise NotFound(f"lead {lead_id} not found")
    return lead


def user_label(session: Session, user_id: int | None) -> str:
    """A person's name for messages: display name (username), or the system label."""
    if user_id is None:
        return SYSTEM_LABEL
    user = session.get(User, user_id)
    if user is None:
        return f"user #{user_id}"
    if user.display_name and user.display_name != user.username:
        return f"{user.display_name} ({user.username})"
    return user.username


def raise_conflict(
    session: Session,
    lead_id: int,
    actor: audit.Actor,
    action: str,
    expected_version: int | None,
) -> NoReturn:
    """Roll back, audit the lost attempt on its own transaction, raise LeadConflict."""
    who = audit.actor_ref(actor)
    session.rollback()
    current = load_lead(session, lead_id)
    changed_by = user_label(session, current.updated_by_id)
    changed_at, status, version = current.updated_at, current.status, current.version_id
    session.rollback()  # end our read before writing on another connection (SQLite lock)
    audit.record_separately(
        session,
        who,
        "lead.conflict",
        ("lead", lead_id),
        attempted=action,
        expected_version=expected_version,
        current_version=version,
        current_status=status,
        changed_by=changed_by,
        changed_at=changed_at,
    )
    raise LeadConflict(
        lead_id, changed_by=changed_by, changed_at=changed_at, status=status, version=version
    )


def check_version(
    session: Session, lead: Lead, actor: audit.Actor, action: str, expected_version: int
) -> None:
    """Refuse when the lead is no longer the version the actor saw."""
    if lead.version_id != expected_version:
        raise_conflict(session, lead.id, actor, action, expected_version)


def flush_lead(
    session: Session, lead: Lead, actor: audit.Actor, action: str, expected_version: int
) -> None:
    """Write the lead's change now, before anything that depends on it, so a concurrent
    decision is stopped at the versioned UPDATE rather than at some later constraint."""
    lead_id, who = lead.id, audit.actor_ref(actor)  # read now: a failed flush expires them
    try:
        session.flush()
    except StaleDataError:
        raise_conflict(session, lead_id, who, action, expected_version)
    finally:
        lead.__dict__.pop(_ACTOR_MARK, None)
