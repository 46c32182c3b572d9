"""Recorded evidence re-verification (证据校验) and its alert (faults.md row 28).

A re-hash that finds a missing or altered file is only useful if someone learns of it. Each
verification (nightly by `admon schedule`, or `admon evidence verify`) is written to the
audit log as `evidence.verified` with what it checked and what it found; the review queue
shows the latest one to staff when it found problems, until a later check comes back
clean. Nothing is repaired: the changed file is itself evidence of the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor import audit
from monitor.evidence import EvidenceStore, VerifyReport, verify_all
from monitor.models.accounts import AuditEntry

ACTION = "evidence.verified"
#: Problems written into one audit entry; the count is always complete.
MAX_LISTED = 100


@dataclass(frozen=True)
class Verification:
    """The outcome of one recorded verification."""

    at: datetime
    actor: str
    checked: int
    problem_count: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def verify_and_record(session: Session, store: EvidenceStore, actor: audit.Actor) -> VerifyReport:
    """Re-hash every referenced evidence file and audit the outcome (committed here, so a
    failing check is on record even if the caller stops next)."""
    report = verify_all(session, store)
    audit.record(
        session,
        actor,
        ACTION,
        None,
        checked=report.checked,
        problem_count=len(report.problems),
        problems=report.problems[:MAX_LISTED],
    )
    session.commit()
    return report


def last_verification(session: Session) -> Verification | None:
    """The most recent recorded verification, or None if none was ever run."""
    entry = session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == ACTION)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return None
    details = entry.details or {}
    return Verification(
        at=entry.at,
        actor=entry.actor_name,
        checked=int(details.get("checked", 0)),
        problem_count=int(details.get("problem_count", 0)),
        problems=[str(p) for p in details.get("problems", [])],
    )
