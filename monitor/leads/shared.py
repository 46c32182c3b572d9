"""Leads shared with a partner unit (移送线索): what a police station or tax office sees.

Visibility is decided once, by `monitor.workflow.visible_leads_clause`; this only lists.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.models.accounts import User
from monitor.models.core import Lead
from monitor.workflow import visible_leads_clause

MAX_SHOWN = 500


def referred_to(session: Session, actor: User, limit: int = MAX_SHOWN) -> list[Lead]:
    """Leads `actor` may read, newest first (for a partner: those referred to its unit)."""
    stmt = (
        sa.select(Lead)
        .where(visible_leads_clause(actor))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
