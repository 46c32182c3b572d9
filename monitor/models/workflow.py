"""Review workflow tables: lead events (状态流转记录), disposals (处置) and rectifications
(责令限期整改 and their re-checks, 复查).

Owned by `monitor.workflow`. The lead's own status and optimistic-locking counter live on
`leads` (monitor.models.core); these tables hold the history and the decisions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from monitor.models.base import Base, UTCDateTime, utcnow

#: Disposal kinds (处置方式); the legal basis is 防范和处置非法集资条例 第十八条 (警示约谈、
#: 责令整改) and 第二十三条 (移送公安机关), see ../shared/legal-basis.md §3.2.
DISPOSAL_KINDS = ("interview", "rectify", "guidance", "refer_police", "joint_review")
#: open: waiting for the deadline / re-check; done: a re-check found the ad gone (整改到位);
#: superseded: the lead was reopened and given another disposal.
RECTIFICATION_STATUSES = ("open", "done", "superseded")
RECHECK_RESULTS = ("removed", "still_present")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class LeadEvent(Base):
    """One step in a lead's history: who, when, from which status to which, and why.

    Status-neutral steps (a note, an enterprise link, a re-check) have from == to.
    """

    __tablename__ = "lead_events"
    __table_args__ = (Index("ix_lead_events_lead_at", "lead_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # start_review, confirm, dismiss, close, reopen, note, link_enterprise, recheck
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Disposal(Base):
    """The decision on a confirmed lead (处置决定), one per lead.

    Fields are per kind (validated by `monitor.workflow.disposals`); the others stay NULL.
    Reopening and confirming again replaces the row; the previous decision stays in the
    lead's events and the audit log.
    """

    __tablename__ = "disposals"
    __table_args__ = (CheckConstraint(_in_list("kind", DISPOSAL_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # interview (约谈): 承诺书 received, date of the interview
    commitment_received: Mapped[bool | None] = mapped_column(Boolean, default=None)
    interview_date: Mapped[date | None] = mapped_column(Date, default=None)
    # rectify (责令限期整改)
    deadline: Mapped[date | None] = mapped_column(Date, default=None)
    recheck_date: Mapped[date | None] = mapped_column(Date, default=None)
    responsible_unit: Mapped[str | None] = mapped_column(String(200), default=None)
    measures: Mapped[str | None] = mapped_column(Text, default=None)
    # guidance (行政引导)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # refer_police (移送公安): the receiving unit is what a partner account's unit matches
    receiving_unit: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    referred_on: Mapped[date | None] = mapped_column(Date, default=None)
    # joint_review (会审研判): whether a public warning (风险提示/预警) was issued
    public_warning_issued: Mapped[bool | None] = mapped_column(Boolean, default=None)
    meeting_date: Mapped[date | None] = mapped_column(Date, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rectification(Base):
    """An order to rectify by a deadline (责令限期整改), created by a confirmed `rectify`
    disposal, closed by a re-check that finds the ad gone."""

    __tablename__ = "rectifications"
    __table_args__ = (
        CheckConstraint(_in_list("status", RECTIFICATION_STATUSES), name="status"),
        Index("ix_rectifications_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), default=None, index=True
    )
    responsible_unit: Mapped[str] = mapped_column(String(200))
    measures: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    recheck_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    recheck_result: Mapped[str | None] = mapped_column(String(16), default=None)
    rechecked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RectificationCheck(Base):
    """One re-check (复查) of a rectification: a re-crawl of the page (capture_id set) or a
    visit recorded by staff (capture_id NULL, checked_by set)."""

    __tablename__ = "rectification_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectifications.id"), index=True
    )
    capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), default=None
    )
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    still_present: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
