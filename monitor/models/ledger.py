"""Enterprise risk ledger (风险企业台账) tables.

Owned by `monitor.ledger`. Enterprises are keyed by 统一社会信用代码 (GB 32100-2015).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.models.base import Base, UTCDateTime, utcnow


class Enterprise(Base):
    """One enterprise on the shared ledger."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200), index=True)  # 企业名称
    business_scope: Mapped[str] = mapped_column(Text, default="")  # 经营范围
    tag: Mapped[str] = mapped_column(String(8), default="green")  # red / yellow / green
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
