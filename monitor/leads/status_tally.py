"""Leads per status without counting the leads (各状态线索数).

The triggers of migration 0003 keep `lead_status_counts` in step with `leads` in the same
transaction as every insert, status change and delete, so SUM(delta) per status is exact
and costs a handful of rows instead of an index scan over every lead. The queue uses it
whenever no filter other than status narrows the leads (its default view).

On PostgreSQL the triggers append rows (no hot counter row for writers to queue on), so
`tally` folds them into one row per status once there are more than `FOLD_AT`, in its own
short transaction: DELETE … RETURNING and one INSERT of the sums, so every reader sees
either the old rows or the folded ones, never both. An advisory lock keeps two folders
from running at once; rows a writer has not committed yet are invisible to the fold and
simply stay for the next one.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.models.core import LeadStatusCount

#: Rows beyond which a read folds the PostgreSQL rows together (reading 200 rows is still
#: far below a millisecond; folding costs one short transaction).
FOLD_AT = 200
#: pg_try_advisory_xact_lock key for the fold ("admon" + table, arbitrary but fixed).
FOLD_LOCK_KEY = 0x61646D6F6E_01


def tally(session: Session) -> dict[str, int]:
    """Leads per status (statuses with no leads may be missing or 0)."""
    query = sa.select(
        LeadStatusCount.status, sa.func.sum(LeadStatusCount.delta), sa.func.count()
    ).group_by(LeadStatusCount.status)
    counts: dict[str, int] = {}
    rows = 0
    for status, total, row_count in session.execute(query):
        counts[str(status)] = int(total or 0)
        rows += int(row_count)
    bind = session.get_bind()
    if rows > FOLD_AT and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        fold(bind)
    return counts


def fold(engine: Engine) -> bool:
    """Replace the committed rows by one row per status; False if another fold was running.

    Runs on its own connection and commits at once, so it never holds the caller's
    transaction open and never waits for it.
    """
    with engine.begin() as connection:
        got_lock = connection.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(FOLD_LOCK_KEY))
        )
        if not got_lock:
            return False
        removed = connection.execute(
            sa.delete(LeadStatusCount).returning(LeadStatusCount.status, LeadStatusCount.delta)
        )
        sums: Counter[str] = Counter()
        for status, delta in removed:
            sums[str(status)] += int(delta)
        if sums:
            connection.execute(
                sa.insert(LeadStatusCount),
                [{"status": status, "delta": total} for status, total in sorted(sums.items())],
            )
    return True
