"""Leads per status without counting the leads (各状态线索数).

The triggers of migration 0003 keep `lead_tally` in step with `leads` in the same
transaction as every insert, change and delete, by status, risk, source kind and category
bits. So the queue's per-status counts under any filter on those columns are a sum over a
few hundred rows instead of an index scan over every lead. Filters the tally does not
carry (community, site, enterprise, dates, a category id with no bit) are counted on
`leads` itself (`answerable` says which is which).

On PostgreSQL the triggers append rows (no hot counter row for writers to queue on), so
`tally` folds them into one row per combination once there are more than `FOLD_AT`, in its
own short transaction: DELETE … RETURNING and one INSERT of the sums, so every reader sees
either the old rows or the folded ones, never both. An advisory lock keeps two folders
from running at once; rows a writer has not committed yet are invisible to the fold and
simply stay for the next one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.models.core import CATEGORY_BITS, LeadTally, category_mask

#: Rows beyond which a read folds the PostgreSQL rows together. Folded, the table holds one
#: row per combination in use (a few hundred); reading a few thousand is still ~1 ms.
FOLD_AT = 2000
#: pg_try_advisory_xact_lock key for the fold ("admon" + table, arbitrary but fixed).
FOLD_LOCK_KEY = 0x61646D6F6E_01
_KEY = (LeadTally.status, LeadTally.risk, LeadTally.source_kind, LeadTally.category_bits)


def answerable(categories: Sequence[str]) -> bool:
    """Can the tally count under this category filter (every id has a bit)?"""
    return all(c in CATEGORY_BITS for c in categories)


def tally(
    session: Session,
    *,
    risk: Sequence[str] = (),
    source_kind: Sequence[str] = (),
    category: Sequence[str] = (),
) -> dict[str, int]:
    """Leads per status with any of these risks, source kinds and categories (empty means
    any); statuses with no lead may be missing. Categories must be `answerable`."""
    if not answerable(category):
        raise ValueError(f"categories without a bit cannot be tallied: {list(category)}")
    query = sa.select(
        LeadTally.status, sa.func.sum(LeadTally.delta), sa.func.count()
    ).group_by(LeadTally.status)
    if risk:
        query = query.where(LeadTally.risk.in_(list(risk)))
    if source_kind:
        query = query.where(LeadTally.source_kind.in_(list(source_kind)))
    if category:
        query = query.where(LeadTally.category_bits.op("&")(category_mask(list(category))) != 0)
    counts: dict[str, int] = {}
    rows = 0
    for status, total, row_count in session.execute(query):
        if status is not None:
            counts[str(status)] = int(total or 0)
        rows += int(row_count)
    bind = session.get_bind()
    if rows > FOLD_AT and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        fold(bind)
    return counts


def fold(engine: Engine) -> bool:
    """Replace the committed rows by one row per combination; False if another fold was
    running. Runs on its own connection and commits at once, so it never holds the
    caller's transaction open and never waits for it."""
    with engine.begin() as connection:
        got_lock = connection.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(FOLD_LOCK_KEY))
        )
        if not got_lock:
            return False
        removed = connection.execute(sa.delete(LeadTally).returning(*_KEY, LeadTally.delta))
        sums: Counter[tuple[str | None, str | None, str | None, int | None]] = Counter()
        for status, risk, source_kind, bits, delta in removed:
            sums[(status, risk, source_kind, bits)] += int(delta)
        rows = [
            {"status": k[0], "risk": k[1], "source_kind": k[2], "category_bits": k[3], "delta": n}
            for k, n in sums.items()
            if n
        ]
        if rows:
            connection.execute(sa.insert(LeadTally), rows)
    return True
