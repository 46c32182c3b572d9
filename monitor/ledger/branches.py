"""分支机构密集设立: several branches of one enterprise set up within 90 days.

Data rule (documented in `signals`): a branch is an enterprise whose name ends with a
branch marker (分公司, 分店, …) and starts with the parent's name or core name
(`names.is_branch_of`); its date is its 成立日期. A burst is at least `BRANCH_BURST_MIN`
branches of one parent whose 成立日期 fit in one `BRANCH_WINDOW`, looking back twelve
months from the assessment date. Branches without a 成立日期 cannot be dated and are not
counted; the parent must itself be on the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.ledger.names import BRANCH_MARKERS, is_branch_of
from monitor.models.ledger import Enterprise

BRANCH_WINDOW = timedelta(days=90)
BRANCH_BURST_MIN = 3
LOOKBACK = timedelta(days=365)


@dataclass(frozen=True)
class Burst:
    """One parent's burst of branches, as seen from one enterprise (parent or branch)."""

    parent_id: int
    parent_name: str
    size: int
    role: str  # parent | branch


def branch_bursts(session: Session, as_of: date) -> dict[int, list[Burst]]:
    """enterprise id → the bursts it takes part in (as parent or as one of the branches)."""
    branches = list(
        session.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.established_on).where(
                or_(*(Enterprise.name.contains(marker) for marker in BRANCH_MARKERS)),
                Enterprise.established_on.is_not(None),
                Enterprise.established_on > as_of - LOOKBACK,
                Enterprise.established_on <= as_of,
            )
        )
    )
    if len(branches) < BRANCH_BURST_MIN:
        return {}
    out: dict[int, list[Burst]] = {}
    for parent_id, parent_name in session.execute(select(Enterprise.id, Enterprise.name)):
        mine = sorted(
            ((day, bid) for bid, name, day in branches
             if bid != parent_id and day is not None and is_branch_of(name, parent_name)),
        )  # fmt: skip
        burst = densest_window(mine)
        if len(burst) < BRANCH_BURST_MIN:
            continue
        out.setdefault(parent_id, []).append(Burst(parent_id, parent_name, len(burst), "parent"))
        for branch_id in burst:
            out.setdefault(branch_id, []).append(
                Burst(parent_id, parent_name, len(burst), "branch")
            )
    return out


def densest_window(dated: list[tuple[date, int]]) -> list[int]:
    """Ids of the largest run of (date-sorted) items that fit in one `BRANCH_WINDOW`."""
    best: list[int] = []
    start = 0
    for end, (day, _) in enumerate(dated):
        while day - dated[start][0] > BRANCH_WINDOW:
            start += 1
        if end - start + 1 > len(best):
            best = [ident for _, ident in dated[start : end + 1]]
    return best
