"""The review queue (待审线索): filtered, sorted, paged leads with counts per status.

Built for 100k+ leads: category filtering is a bit test on `leads.category_bits` (never a
LIKE over JSON); per-status counts are a read of the trigger-kept tally (`status_tally`)
under filters it carries, else one GROUP BY over a covering index; rows are
read as plain columns (no ORM objects, no full texts), newest first along an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.leads.status_tally import answerable, tally
from monitor.models.core import (
    CATEGORY_BITS,
    LEAD_STATUSES,
    Lead,
    LeadCategory,
    category_mask,
)

SNIPPET_CHARS = 120
MAX_PER_PAGE = 500

# sort name -> ORDER BY; id breaks ties so paging is stable.
SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Lead.created_at.desc(), Lead.id.desc()),
    "oldest": (Lead.created_at.asc(), Lead.id.asc()),
    "last_seen": (Lead.last_seen_at.desc(), Lead.id.desc()),
    "score": (Lead.score.desc(), Lead.id.desc()),
}


@dataclass(frozen=True)
class LeadFilters:
    """What the reviewer narrowed the queue to. Empty sequences mean "any"; a category
    filter matches leads having any of the given categories. Dates bound `created_at`
    (since inclusive, until exclusive) and must be timezone-aware."""

    status: Sequence[str] = ()
    risk: Sequence[str] = ()
    category: Sequence[str] = ()
    source_kind: Sequence[str] = ()
    community: str | None = None
    site: str | None = None
    enterprise_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self, *, with_status: bool = True) -> list[sa.ColumnElement[bool]]:
        """SQL conditions for these filters (without the status one when asked, for the
        per-status counts)."""
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name} must be timezone-aware")
        conds: list[sa.ColumnElement[bool]] = []
        if with_status and self.status:
            conds.append(Lead.status.in_(list(self.status)))
        if self.risk:
            conds.append(Lead.risk.in_(list(self.risk)))
        if self.source_kind:
            conds.append(Lead.source_kind.in_(list(self.source_kind)))
        if self.community is not None:
            conds.append(Lead.community == self.community)
        if self.site is not None:
            conds.append(Lead.site == self.site)
        if self.enterprise_id is not None:
            conds.append(Lead.enterprise_id == self.enterprise_id)
        if self.since is not None:
            conds.append(Lead.created_at >= self.since)
        if self.until is not None:
            conds.append(Lead.created_at < self.until)
        if self.category:
            conds.append(_category_condition(list(self.category)))
        return conds


def _category_condition(categories: list[str]) -> sa.ColumnElement[bool]:
    """Lead has any of `categories`: a bit test for known ids (index-only counting at 100k
    leads), an indexed EXISTS on `lead_categories` for any id the bit map lacks."""
    known = [c for c in categories if c in CATEGORY_BITS]
    unknown = [c for c in categories if c not in CATEGORY_BITS]
    conds: list[sa.ColumnElement[bool]] = []
    if known:
        conds.append(Lead.category_bits.op("&")(category_mask(known)) != 0)
    if unknown:
        conds.append(
            sa.exists().where(LeadCategory.lead_id == Lead.id, LeadCategory.category.in_(unknown))
        )
    return sa.or_(*conds)


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: enough to decide whether to open the lead."""

    id: int
    status: str
    risk: str
    score: float
    categories: list[str]
    source_kind: str
    via: str
    url: str
    site: str
    title: str
    community: str | None
    annualized_return: float | None
    seen_count: int
    created_at: datetime
    last_seen_at: datetime
    snippet: str


@dataclass
class QueuePage:
    """One page of the queue, the total matching, and per-status counts (for the tabs;
    computed with every filter except status)."""

    rows: list[QueueRow]
    total: int
    page: int
    per_page: int
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_COLUMNS = (
    Lead.id,
    Lead.status,
    Lead.risk,
    Lead.score,
    Lead.categories,
    Lead.source_kind,
    Lead.via,
    Lead.url,
    Lead.site,
    Lead.title,
    Lead.community,
    Lead.annualized_return,
    Lead.seen_count,
    Lead.created_at,
    Lead.last_seen_at,
    sa.func.substr(Lead.text, 1, SNIPPET_CHARS).label("snippet"),
)


def status_counts(session: Session, filters: LeadFilters) -> dict[str, int]:
    """Leads per status under `filters` (ignoring its status filter); every status listed.

    Under filters on risk, source kind and categories only (the queue's common views,
    the unfiltered default included) they come from the trigger-kept tally, a few hundred
    rows; under any other filter from one GROUP BY over a covering index.
    """
    counts = dict.fromkeys(LEAD_STATUSES, 0)
    if _tally_answers(filters):
        counts.update(
            tally(
                session,
                risk=filters.risk,
                source_kind=filters.source_kind,
                category=filters.category,
            )
        )
        return counts
    query = (
        sa.select(Lead.status, sa.func.count())
        .group_by(Lead.status)
        .where(*filters.conditions(with_status=False))
    )
    for status, count in session.execute(query):
        counts[str(status)] = int(count)
    return counts


def _tally_answers(filters: LeadFilters) -> bool:
    """Does the tally carry every filter in use (status aside)?"""
    beyond_tally = (
        filters.community, filters.site, filters.enterprise_id, filters.since, filters.until,
    )
    return all(value is None for value in beyond_tally) and answerable(filters.category)


def queue(
    session: Session,
    filters: LeadFilters | None = None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """One page of the review queue, newest first by default."""
    filters = filters or LeadFilters()
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}")
    counts = status_counts(session, filters)
    if filters.status:
        total = sum(counts.get(s, 0) for s in set(filters.status))
    else:
        total = sum(counts.values())
    query = (
        sa.select(*_COLUMNS)
        .where(*filters.conditions())
        .order_by(*SORTS[sort])
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        QueueRow(**{**row._asdict(), "categories": list(row.categories or [])})
        for row in session.execute(query)
    ]
    return QueuePage(rows=rows, total=total, page=page, per_page=per_page, status_counts=counts)
