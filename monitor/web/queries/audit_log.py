"""The audit log page's read: newest first, filtered by action and actor, paged.

`monitor.audit` writes entries and reads one record's trail (`entries_for`); the whole-log
listing belongs there too (e.g. `audit.search`) once its owner adds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from monitor.models.accounts import AuditEntry


@dataclass
class AuditPage:
    """One page of entries, plus the action names the filter offers."""

    rows: list[AuditEntry]
    total: int
    page: int
    per_page: int
    actions: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(stmt: Select[Any], action: str, actor: str) -> Select[Any]:
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor)
    return stmt


def search_audit(
    session: Session, *, action: str = "", actor: str = "", page: int = 1, per_page: int = 100
) -> AuditPage:
    """Entries matching the exact action and actor name (empty = any), newest first."""
    total = session.scalar(_filtered(select(func.count(AuditEntry.id)), action, actor)) or 0
    rows = list(
        session.scalars(
            _filtered(select(AuditEntry), action, actor)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    actions = list(
        session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
    return AuditPage(rows=rows, total=int(total), page=page, per_page=per_page, actions=actions)
