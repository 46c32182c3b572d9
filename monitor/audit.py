"""The audit log (审计日志): one call to say who did what to which record.

`record` adds an entry to the caller's session, so it commits or rolls back together with
the change it describes. `record_separately` commits an entry on its own connection, for
attempts whose own transaction is being rolled back (a lost optimistic-locking race, a
denied request) but which must still leave a trace.

Entries are never changed: the table refuses UPDATE and DELETE at the database level
(migration 0002). Details must never carry passwords or session secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from monitor.models.accounts import AuditEntry, User
from monitor.models.base import Base, utcnow


class ActorRef(NamedTuple):
    """A user's id and name captured up front, for entries written after a rollback
    (which expires the session's User objects)."""

    id: int | None
    name: str


#: Who acted: a user, a captured reference, a name for a non-user actor ("system",
#: "scheduler", "public"), or None (system).
Actor = User | ActorRef | str | None
#: What was acted on: a mapped object, a (type, id) pair, or None.
Target = Base | tuple[str, object] | None

SYSTEM_ACTOR = "system"

# Keys that must never reach the log, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "new_password", "password_hash", "token", "secret"})


def actor_ref(actor: Actor) -> ActorRef:
    """The actor's id and name, read now."""
    return ActorRef(*_actor_fields(actor))


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    if isinstance(actor, User):
        return actor.id, actor.username
    if isinstance(actor, ActorRef):
        return actor.id, actor.name
    if actor is None:
        return None, SYSTEM_ACTOR
    return None, actor


def _target_fields(target: Target) -> tuple[str | None, str | None]:
    """("lead", "42") for a Lead object or ("lead", 42); type names are singular."""
    if target is None:
        return None, None
    if isinstance(target, tuple):
        kind, ident = target
        return kind, None if ident is None else str(ident)
    kind = getattr(target, "__audit_type__", None) or str(target.__tablename__).removesuffix("s")
    identity = inspect(target).identity
    ident = identity[0] if identity else getattr(target, "id", None)
    return kind, None if ident is None else str(ident)


def jsonable(value: Any) -> Any:
    """Make detail values JSON-safe (dates as ISO text, enums as values, sets as lists)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def build_entry(
    actor: Actor, action: str, target: Target = None, *, ip: str | None = None, **details: Any
) -> AuditEntry:
    """An unsaved audit entry; secrets are dropped from the details."""
    actor_id, actor_name = _actor_fields(actor)
    target_type, target_id = _target_fields(target)
    clean = {k: jsonable(v) for k, v in details.items() if k not in _SECRET_KEYS}
    return AuditEntry(
        at=utcnow(),
        actor_id=actor_id,
        actor_name=actor_name[:100],
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=clean,
        ip=ip,
    )


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: Target = None,
    *,
    ip: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to `session`'s unit of work (committed with the change itself)."""
    entry = build_entry(actor, action, target, ip=ip, **details)
    session.add(entry)
    return entry


def record_separately(
    session: Session,
    actor: Actor,
    action: str,
    target: Target = None,
    *,
    ip: str | None = None,
    **details: Any,
) -> None:
    """Commit an audit entry in its own transaction on `session`'s database.

    Call it after rolling `session` back: on SQLite a session still holding a write lock
    would make this second connection wait for its busy timeout.
    """
    entry = build_entry(actor, action, target, ip=ip, **details)
    with Session(bind=session.get_bind()) as side:
        side.add(entry)
        side.commit()


def entries_for(session: Session, target_type: str, target_id: object) -> list[AuditEntry]:
    """A record's audit trail, oldest first (the lead page and evidence export show it)."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.target_type == target_type, AuditEntry.target_id == str(target_id))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(session.scalars(stmt))
