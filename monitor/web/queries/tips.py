"""Reads for the tip pages: the confirmed tips that qualify for the reward scheme (举报奖励)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.models.core import Lead, Tip

#: A tip counts for the reward once its lead was confirmed (and stays so when closed).
REWARD_STATUSES = ("confirmed", "closed")


@dataclass(frozen=True)
class RewardRow:
    """One confirmed tip: who to contact for the reward and which lead it became."""

    tip_id: int
    received_at: datetime
    text: str
    link: str | None
    contact: str | None
    lead_id: int
    lead_status: str
    disposal_kind: str | None


def reference(tip_id: int) -> str:
    """The reference number shown to the person who reported (举报编号)."""
    return f"JB{tip_id:06d}"


def confirmed_tips(session: Session, limit: int = 500) -> list[RewardRow]:
    """Tips whose lead was confirmed, newest first."""
    stmt = (
        sa.select(
            Tip.id,
            Tip.created_at,
            Tip.text,
            Tip.link,
            Tip.contact,
            Lead.id,
            Lead.status,
            Lead.disposal_kind,
        )
        .join(Lead, Lead.id == Tip.lead_id)
        .where(Lead.status.in_(REWARD_STATUSES))
        .order_by(Tip.created_at.desc(), Tip.id.desc())
        .limit(limit)
    )
    return [RewardRow(*row) for row in session.execute(stmt).all()]
