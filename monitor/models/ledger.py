"""Enterprise risk ledger (风险企业台账) tables.

Owned by `monitor.ledger`. Enterprises are keyed by 统一社会信用代码 (GB 32100-2015, checked
in `monitor.ledger.uscc` before a row is written). Around each enterprise the ledger keeps
its 异动 (events), the full history of its red/yellow/green tag, 走访 visits, and the
grid workers' poster sweeps (张贴物排查) so 排查全覆盖 can be shown per community and building.

Actors (`recorded_by`, `tag_set_by`, …) are stored as user names rather than foreign keys:
imports and the CLI act without a web account, and the audit log keeps the authoritative
record of who did what.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.models.base import Base, UTCDateTime, utcnow

#: Tag values (风险标签): 红 red = act now, 黄 yellow = watch, 绿 green = no known risk.
TAGS = ("red", "yellow", "green")
#: 入驻 = operating here; 搬离 = moved out (kept on the ledger for history).
ENTERPRISE_STATUSES = ("active", "moved_out")
#: 异动 kinds: 入驻, 搬离, 地址变更, 高管变更, 名称变更.
EVENT_KINDS = ("move_in", "move_out", "address_change", "executive_change", "name_change")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Enterprise(Base):
    """One enterprise on the shared ledger."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint(_in("tag", TAGS), name="tag"),
        CheckConstraint(_in("status", ENTERPRISE_STATUSES), name="status"),
        Index("ix_enterprises_community_building", "community", "building"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200), index=True)  # 企业名称
    industry: Mapped[str] = mapped_column(String(100), default="")  # 所属行业
    registered_capital_text: Mapped[str] = mapped_column(String(100), default="")  # 注册资本
    #: 注册资本 parsed to 万元 (RMB only; None when foreign currency or unparseable).
    registered_capital_wan: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    tax_scale: Mapped[str] = mapped_column(String(100), default="")  # 纳税规模
    business_scope: Mapped[str] = mapped_column(Text, default="")  # 经营范围
    registered_address: Mapped[str] = mapped_column(String(300), default="")  # 注册地址
    actual_address: Mapped[str] = mapped_column(String(300), default="")  # 实际经营地址
    community: Mapped[str] = mapped_column(String(100), default="", index=True)  # 所属社区/村
    building: Mapped[str] = mapped_column(String(100), default="")  # 楼宇
    established_on: Mapped[date | None] = mapped_column(Date)  # 成立日期
    status: Mapped[str] = mapped_column(String(16), default="active")  # 入驻 / 搬离
    #: Staff-set tag; None = not yet assessed (the suggested tag is computed, never stored here).
    tag: Mapped[str | None] = mapped_column(String(8))
    tag_reason: Mapped[str] = mapped_column(Text, default="")
    tag_set_by: Mapped[str | None] = mapped_column(String(100))
    tag_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: two staff changing one enterprise at once — one wins, one is told.
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[EnterpriseEvent]] = relationship(
        back_populates="enterprise",
        cascade="all, delete-orphan",
        order_by="EnterpriseEvent.occurred_on",
    )
    tag_history: Mapped[list[EnterpriseTagHistory]] = relationship(
        back_populates="enterprise",
        cascade="all, delete-orphan",
        order_by="EnterpriseTagHistory.id",
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Visit.visited_at"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.credit_code} {self.name}>"


class EnterpriseEvent(Base):
    """异动: one change in an enterprise's situation (moved in, address changed, …)."""

    __tablename__ = "enterprise_events"
    __table_args__ = (CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="events")


class EnterpriseTagHistory(Base):
    """One change of an enterprise's tag, with the system's suggestion at that moment.

    Keeping the suggested reasons beside the staff decision shows later whether staff
    agreed with the signals or overrode them, and why.
    """

    __tablename__ = "enterprise_tag_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    from_tag: Mapped[str | None] = mapped_column(String(8))
    to_tag: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    suggested_tag: Mapped[str | None] = mapped_column(String(8))
    #: [{"code", "level", "message"}, …] as `monitor.ledger.signals` produced them.
    suggested_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    enterprise: Mapped[Enterprise] = relationship(back_populates="tag_history")


class Visit(Base):
    """走访记录: a staff visit to an enterprise and what was checked.

    `community` and `building` are copied from the enterprise at visit time, so coverage
    for a past period stays right after the enterprise moves.
    """

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    visitor: Mapped[str] = mapped_column(String(100))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    community: Mapped[str] = mapped_column(String(100), default="")
    building: Mapped[str] = mapped_column(String(100), default="")
    #: {"qualification": 资质, "actual_operation": 实际经营, "promo_materials": 宣传材料}
    #: each "ok" | "issue" | "not_checked".
    checks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    findings: Mapped[str] = mapped_column(Text, default="")

    enterprise: Mapped[Enterprise] = relationship(back_populates="visits")


class PosterSweep(Base):
    """张贴物排查: a grid worker swept a place (lift, notice board, street hub) for posters."""

    __tablename__ = "poster_sweeps"
    __table_args__ = (Index("ix_poster_sweeps_community_building", "community", "building"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community: Mapped[str] = mapped_column(String(100))
    building: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")  # 电梯 / 公告栏 / 街面
    swept_by: Mapped[str] = mapped_column(String(100))
    swept_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    uploads_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
