"""The ledger list page's search and the enterprise page's extras.

`monitor.ledger` has `enterprise_detail` for one enterprise but no filtered, paged list;
this belongs in `monitor.ledger` (e.g. `ledger.search`) once its owner adds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from monitor.ledger import candidates_for_lead, enterprise_detail, get_enterprise
from monitor.ledger.cells import fold
from monitor.ledger.linking import LinkProposal
from monitor.models.core import Lead
from monitor.models.ledger import TAGS, Enterprise
from monitor.models.workflow import Rectification
from monitor.workflow import load_lead

UNTAGGED = "none"  # the filter value for enterprises staff have not tagged yet


@dataclass(frozen=True)
class EnterpriseFilters:
    """What the ledger list can be narrowed by; empty strings mean 'any'."""

    tag: str = ""
    community: str = ""
    industry: str = ""
    q: str = ""  # part of the name or of the credit code


@dataclass
class EnterprisePage:
    """One page of the ledger list, with the choices the filter form offers."""

    rows: list[Enterprise]
    total: int
    page: int
    per_page: int
    communities: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(stmt: Select[Any], filters: EnterpriseFilters) -> Select[Any]:
    if filters.tag == UNTAGGED:
        stmt = stmt.where(Enterprise.tag.is_(None))
    elif filters.tag in TAGS:
        stmt = stmt.where(Enterprise.tag == filters.tag)
    if filters.community:
        stmt = stmt.where(Enterprise.community == filters.community)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.q:
        # Credit codes are stored half-width and upper case; fold what was typed to match.
        needle = _like_escape(filters.q.strip())
        code = _like_escape(fold(filters.q).replace(" ", "").upper())
        stmt = stmt.where(
            or_(
                Enterprise.name.like(f"%{needle}%", escape="\\"),
                Enterprise.credit_code.like(f"%{code}%", escape="\\"),
            )
        )
    return stmt


def _like_escape(text: str) -> str:
    """Typed % and _ match themselves, not any text."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_enterprises(
    session: Session, filters: EnterpriseFilters, *, page: int = 1, per_page: int = 50
) -> EnterprisePage:
    """Enterprises matching `filters`, red first, then by name; plus filter choices."""
    total = session.scalar(_filtered(select(func.count(Enterprise.id)), filters)) or 0
    rows = list(
        session.scalars(
            _filtered(select(Enterprise), filters)
            .order_by(_tag_rank(), Enterprise.name, Enterprise.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return EnterprisePage(
        rows=rows,
        total=int(total),
        page=page,
        per_page=per_page,
        communities=_distinct(session, Enterprise.community),
        industries=_distinct(session, Enterprise.industry),
    )


def _tag_rank() -> Any:
    return case({"red": 0, "yellow": 1, "green": 2}, value=Enterprise.tag, else_=3)


def _distinct(session: Session, column: Any) -> list[str]:
    values = session.scalars(select(column).where(column != "").distinct().order_by(column))
    return [v for v in values if v]


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
