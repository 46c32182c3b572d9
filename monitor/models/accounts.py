"""Accounts (用户) and the append-only audit log (审计日志).

Owned by `monitor.users` and `monitor.audit`. Users are never deleted, only deactivated:
the audit log and every lead event point at them, and the audit log refuses UPDATE and
DELETE (triggers from migration 0002), so a user row with history must stay.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from monitor.models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    """What a user may do. Checked by `monitor.workflow.require_role`."""

    ADMIN = "admin"  # 所领导 / 管理员: accounts, sources, schedules, reports
    REVIEWER = "reviewer"  # 执法人员: reviews leads, decides disposals
    GRID = "grid"  # 网格员: uploads poster photos
    PARTNER = "partner"  # 协作单位 (派出所, 税务所): reads what was referred to its unit


ROLE_VALUES: tuple[str, ...] = tuple(r.value for r in Role)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL `column IN (...)` for a CHECK constraint over a fixed vocabulary."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class User(Base):
    """One account. Passwords are stored only as argon2id hashes (`monitor.users`)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in_list("role", ROLE_VALUES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))
    # 所属单位: for partners the unit leads are referred to (e.g. 某某派出所, 某某税务所);
    # matched against a refer_police disposal's receiving_unit.
    unit: Mapped[str | None] = mapped_column(String(100), default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Login rate limiting (faults.md row 15): consecutive failures and a lock-out time.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    def __repr__(self) -> str:  # never shows the hash
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class AuditEntry(Base):
    """One row of the audit log: who did what to which record, when, from where.

    Append-only for real: migration 0002 installs triggers that reject UPDATE and DELETE
    on both PostgreSQL and SQLite. `actor_name` is copied at write time so an entry stays
    readable even for public/system actions (actor_id NULL) and renamed accounts.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    # e.g. lead.start_review, lead.confirm, lead.dismiss, lead.conflict, user.create,
    # login_failed, csrf_denied, denied
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45), default=None)  # IPv6 text max 45
