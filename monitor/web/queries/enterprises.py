"""The enterprise page's extras and the lead's enterprise candidates; the list page's
search is `monitor.ledger.search` (re-exported here for the ledger routes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.ledger import candidates_for_lead, enterprise_detail, get_enterprise
from monitor.ledger.linking import LinkProposal
from monitor.ledger.search import UNTAGGED, EnterpriseFilters, EnterprisePage, search_enterprises
from monitor.models.core import Lead
from monitor.models.workflow import Rectification
from monitor.workflow import load_lead

__all__ = [
    "UNTAGGED",
    "EnterpriseFilters",
    "EnterprisePage",
    "EnterpriseView",
    "LeadCandidates",
    "enterprise_view",
    "lead_candidates",
    "search_enterprises",
]


@dataclass
class EnterpriseView:
    """What the enterprise page shows: `enterprise_detail` (the same facts as `admon ledger
    show`), the version the tag form must carry, and the enterprise's rectifications."""

    detail: dict[str, Any]
    version: int
    rectifications: list[Rectification]


def enterprise_view(session: Session, enterprise_id: int, *, as_of: date) -> EnterpriseView:
    """The enterprise page's data; NotFound for an unknown id.

    `enterprise_detail` lacks the optimistic-lock version and the rectifications; both
    belong there (`monitor.ledger.detail`)."""
    detail = enterprise_detail(session, enterprise_id, as_of=as_of)
    ent = get_enterprise(session, enterprise_id)
    rects = list(
        session.scalars(
            select(Rectification)
            .where(Rectification.enterprise_id == enterprise_id)
            .order_by(Rectification.deadline.desc(), Rectification.id.desc())
        )
    )
    return EnterpriseView(detail=detail, version=ent.version, rectifications=rects)


@dataclass
class LeadCandidates:
    """A lead (for its version and current link) and the enterprises that may be behind it."""

    lead: Lead
    proposal: LinkProposal


def lead_candidates(session: Session, lead_id: int) -> LeadCandidates:
    """The candidates page's data; NotFound for an unknown lead. Matching scans the whole
    ledger (about 1 s at 5,000 enterprises), so it runs on its own page rather than on
    every lead view."""
    lead = load_lead(session, lead_id)
    return LeadCandidates(lead, candidates_for_lead(session, lead_id))
