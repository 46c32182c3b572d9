"""Finding enterprises on the ledger: the filtered, paged list the web ledger page shows.

Red first, then yellow, green and untagged, then by name — the order staff work through a
community's enterprises. The text query matches part of the name or of the credit code
(typed full-width or lower-case codes are folded first); `%` and `_` typed by a user match
themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from monitor.ledger.cells import fold
from monitor.models.ledger import TAGS, Enterprise

UNTAGGED = "none"  # the filter value for enterprises staff have not tagged yet
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class EnterpriseFilters:
    """What the list can be narrowed by; empty strings mean 'any'."""

    tag: str = ""  # red | yellow | green | none (untagged)
    community: str = ""
    industry: str = ""
    status: str = ""  # active | moved_out
    q: str = ""  # part of the name or of the credit code


@dataclass
class EnterprisePage:
    """One page of results, with the choices a filter form offers."""

    rows: list[Enterprise]
    total: int
    page: int
    per_page: int
    communities: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_enterprises(
    session: Session, filters: EnterpriseFilters, *, page: int = 1, per_page: int = 50
) -> EnterprisePage:
    """Enterprises matching `filters`, most severe tag first, then by name."""
    page = max(page, 1)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
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


def _filtered(stmt: Select[Any], filters: EnterpriseFilters) -> Select[Any]:
    if filters.tag == UNTAGGED:
        stmt = stmt.where(Enterprise.tag.is_(None))
    elif filters.tag in TAGS:
        stmt = stmt.where(Enterprise.tag == filters.tag)
    if filters.community:
        stmt = stmt.where(Enterprise.community == filters.community)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.status:
        stmt = stmt.where(Enterprise.status == filters.status)
    if filters.q.strip():
        needle = _like_escape(fold(filters.q).strip())
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


def _tag_rank() -> Any:
    return case({"red": 0, "yellow": 1, "green": 2}, value=Enterprise.tag, else_=3)


def _distinct(session: Session, column: Any) -> list[str]:
    values = session.scalars(select(column).where(column != "").distinct().order_by(column))
    return [v for v in values if v]
