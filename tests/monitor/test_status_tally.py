"""The trigger-kept lead counts (migration 0003, `monitor.leads.status_tally`).

Every test compares the tally with a real GROUP BY over `leads`, on SQLite and
PostgreSQL, after the kinds of write the application makes: bulk and single inserts,
status, risk and category changes through the ORM (optimistic locking) and by bulk
UPDATE, updates that touch none of them, deletes, TRUNCATE; and under every filter the
tally answers.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.db import alembic_config, make_engine, session_factory
from monitor.leads import LeadFilters, queue
from monitor.leads.queue import status_counts
from monitor.leads.status_tally import FOLD_AT, fold, tally
from monitor.models.core import (
    CATEGORY_BITS,
    LEAD_SOURCE_KINDS,
    LEAD_STATUSES,
    RISKS,
    Lead,
    LeadTally,
    category_mask,
)

_serial = count()


def _lead_rows(statuses: list[str], **columns: Any) -> list[dict[str, Any]]:
    rows = []
    for status in statuses:
        n = next(_serial)
        rows.append({
            "source_kind": "web", "via": "html", "url": f"http://t.example.test/{n}",
            "page_key": hashlib.sha256(f"tally-{n}".encode()).hexdigest(),
            "status": status, "version_id": 1, "risk": "high", "category_bits": 0,
            **columns,
        })
    return rows


def _insert(session: Session, statuses: list[str]) -> None:
    """One INSERT statement with a VALUES row per lead."""
    session.execute(sa.insert(Lead).values(_lead_rows(statuses)))


def _truth(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(Lead.status, sa.func.count()).group_by(Lead.status))
    return {str(status): int(n) for status, n in rows}


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {status: n for status, n in counts.items() if n}


def test_inserts_status_changes_and_deletes_keep_the_tally_exact(session: Session) -> None:
    _insert(session, ["new"] * 30 + ["reviewing"] * 4)  # one multi-row statement
    _insert(session, ["confirmed"])
    assert _nonzero(tally(session)) == {"new": 30, "reviewing": 4, "confirmed": 1}

    # Bulk status change of some leads, and an update that leaves the status alone.
    some = list(session.scalars(sa.select(Lead.id).where(Lead.status == "new").limit(10)))
    session.execute(sa.update(Lead).where(Lead.id.in_(some)).values(status="dismissed"))
    session.execute(sa.update(Lead).values(seen_count=Lead.seen_count + 1))
    # An ORM change of one lead (as the workflow makes it, with its version counter).
    lead = session.scalars(sa.select(Lead).where(Lead.status == "reviewing").limit(1)).one()
    lead.status = "confirmed"
    session.flush()
    # Deletes.
    session.execute(sa.delete(Lead).where(Lead.id == some[0]))
    assert _nonzero(tally(session)) == _truth(session) == {
        "new": 20, "reviewing": 3, "confirmed": 2, "dismissed": 9,
    }
    session.commit()
    assert _nonzero(tally(session)) == _truth(session)


def test_rolled_back_writes_leave_no_count(session: Session) -> None:
    _insert(session, ["new"] * 3)
    session.commit()
    _insert(session, ["new"] * 5)
    session.execute(sa.update(Lead).values(status="closed"))
    session.rollback()
    assert _nonzero(tally(session)) == {"new": 3}


def test_queue_counts_unfiltered_come_from_the_tally_and_match_filtered_path(
    session: Session,
) -> None:
    _insert(session, ["new"] * 6 + ["dismissed"] * 2)
    session.commit()
    page = queue(session)
    assert page.status_counts == dict.fromkeys(LEAD_STATUSES, 0) | {"new": 6, "dismissed": 2}
    assert page.total == 8
    # A filter the tally does not carry goes the GROUP BY way and must agree.
    everyone = LeadFilters(site="")
    session.execute(sa.update(Lead).values(site=""))
    assert queue(session, everyone).status_counts == page.status_counts
    # The tally, not a count of leads, is what the unfiltered view reads: prove it by
    # skewing the tally on purpose.
    session.add(LeadTally(status="closed", risk="low", source_kind="web", category_bits=0,
                          delta=5))
    session.flush()
    assert queue(session).status_counts["closed"] == 5
    session.rollback()


def _truth_under(
    session: Session, risk: list[str], kinds: list[str], categories: list[str]
) -> dict[str, int]:
    query = sa.select(Lead.status, sa.func.count()).group_by(Lead.status)
    if risk:
        query = query.where(Lead.risk.in_(risk))
    if kinds:
        query = query.where(Lead.source_kind.in_(kinds))
    if categories:
        query = query.where(Lead.category_bits.op("&")(category_mask(categories)) != 0)
    counts = dict.fromkeys(LEAD_STATUSES, 0)
    counts.update({str(status): int(n) for status, n in session.execute(query)})
    return counts


def test_counts_under_every_tallied_filter_match_a_group_by(session: Session) -> None:
    """Random leads, random changes of status, risk, kind and categories, random deletes;
    then every combination of filters the tally answers is compared with the truth."""
    rng = random.Random(20261128)
    categories = sorted(CATEGORY_BITS)
    for _ in range(6):  # several multi-row statements
        batch = []
        for _ in range(40):
            chosen = rng.sample(categories, rng.randint(0, 3))
            batch += _lead_rows([rng.choice(LEAD_STATUSES)], risk=rng.choice(RISKS),
                                source_kind=rng.choice(LEAD_SOURCE_KINDS),
                                category_bits=category_mask(chosen))  # fmt: skip
        session.execute(sa.insert(Lead).values(batch))
    ids = list(session.scalars(sa.select(Lead.id)))
    for lead_id in rng.sample(ids, 60):  # one change at a time, as reviewers and intake do
        change = rng.choice([
            {"status": rng.choice(LEAD_STATUSES)},
            {"risk": rng.choice(RISKS)},
            {"category_bits": category_mask(rng.sample(categories, rng.randint(0, 2)))},
            {"status": "confirmed", "risk": "high"},
        ])
        session.execute(sa.update(Lead).where(Lead.id == lead_id).values(**change))
    session.execute(sa.update(Lead).where(Lead.risk == "low").values(risk="medium"))  # bulk
    session.execute(sa.delete(Lead).where(Lead.id.in_(rng.sample(ids, 25))))
    session.commit()

    filter_sets = [([], [], [])]
    filter_sets += [([r], [], []) for r in RISKS]
    filter_sets += [([], [k], []) for k in LEAD_SOURCE_KINDS]
    filter_sets += [([], [], [c]) for c in categories]
    filter_sets += [
        (["high", "medium"], ["web"], categories[:2]),
        (["none"], ["poster", "tip"], categories[-1:]),
    ]
    for risk, kinds, cats in filter_sets:
        filters = LeadFilters(risk=risk, source_kind=kinds, category=cats)
        assert status_counts(session, filters) == _truth_under(session, risk, kinds, cats), (
            risk, kinds, cats,
        )


def test_migrations_seed_the_tally_from_existing_leads_both_ways(db_url: str) -> None:
    """Upgrading a database that already holds leads counts them once, from before 0003
    and from 0003's per-status table; downgrading restores 0003's counts."""
    from alembic import command

    engine = make_engine(db_url)

    def migrate(step: Any, revision: str) -> None:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)

    def per_status_0003() -> dict[str, int]:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT status, sum(delta) FROM lead_status_counts GROUP BY status"
            ))
            return {str(status): int(n) for status, n in rows if n}

    try:
        config = alembic_config(engine)
        migrate(command.upgrade, "0002")
        with session_factory(engine)() as session:
            _insert(session, ["new"] * 4 + ["closed"])
            session.commit()
        migrate(command.upgrade, "0003")
        assert per_status_0003() == {"new": 4, "closed": 1}
        with session_factory(engine)() as session:
            _insert(session, ["reviewing"])  # counted by 0003's triggers
            session.commit()
        migrate(command.upgrade, "head")
        with session_factory(engine)() as session:
            assert _nonzero(tally(session)) == {"new": 4, "closed": 1, "reviewing": 1}
            _insert(session, ["new"])
            session.commit()
            assert _nonzero(tally(session)) == {"new": 5, "closed": 1, "reviewing": 1}
        with engine.connect() as connection:
            assert not sa.inspect(connection).has_table("lead_status_counts")
        migrate(command.downgrade, "0003")
        assert per_status_0003() == {"new": 5, "closed": 1, "reviewing": 1}
        migrate(command.downgrade, "0002")
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert not inspector.has_table("lead_tally")
            assert not inspector.has_table("lead_status_counts")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_appends_one_row_per_status_and_statement(postgres_engine: Engine) -> None:
    with session_factory(postgres_engine)() as session:
        _insert(session, ["new"] * 500 + ["closed"] * 20)
        session.commit()
        rows = session.execute(sa.select(LeadTally.status, LeadTally.delta)).all()
        assert sorted((str(s), int(d)) for s, d in rows) == [("closed", 20), ("new", 500)]


@pytest.mark.postgres
def test_postgres_fold_keeps_sums_and_skips_uncommitted_rows(postgres_engine: Engine) -> None:
    factory = session_factory(postgres_engine)
    with factory() as session:
        for _ in range(FOLD_AT + 5):  # one statement each: one tally row each
            _insert(session, ["new"])
        session.commit()
        other = factory()
        try:
            _insert(other, ["reviewing"] * 7)  # uncommitted while the fold runs
            before = tally(session)  # more than FOLD_AT rows: folds
            assert _nonzero(before) == {"new": FOLD_AT + 5}
            assert session.scalar(sa.select(sa.func.count()).select_from(LeadTally)) == 1
            other.commit()
        finally:
            other.close()
        assert _nonzero(tally(session)) == _truth(session) == {"new": FOLD_AT + 5, "reviewing": 7}


@pytest.mark.postgres
def test_postgres_concurrent_folds_and_writers_stay_exact(postgres_engine: Engine) -> None:
    """Writers appending and several folds racing: the sums never drift."""
    factory = session_factory(postgres_engine)
    errors: list[BaseException] = []
    expected: Counter[str] = Counter()
    lock = threading.Lock()

    def writer(status: str) -> None:
        try:
            with factory() as session:
                for _ in range(40):
                    _insert(session, [status, "new"])
                    session.commit()
                    with lock:
                        expected[status] += 1
                        expected["new"] += 1
        except BaseException as exc:
            errors.append(exc)

    def folder() -> None:
        try:
            for _ in range(40):
                fold(postgres_engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in ("reviewing", "closed")]
    threads += [threading.Thread(target=folder) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with factory() as session:
        assert _nonzero(tally(session)) == _truth(session) == dict(expected)


@pytest.mark.postgres
def test_postgres_truncate_empties_the_tally(postgres_engine: Engine) -> None:
    with session_factory(postgres_engine)() as session:
        _insert(session, ["new"] * 3)
        session.commit()
        session.execute(sa.text("TRUNCATE leads CASCADE"))
        session.commit()
        assert _nonzero(tally(session)) == {}
        _insert(session, ["new"])
        assert _nonzero(tally(session)) == {"new": 1}


@pytest.fixture
def postgres_engine(postgres_schema_url: str) -> Any:
    from monitor.db import upgrade

    engine = make_engine(postgres_schema_url)
    upgrade(engine)
    yield engine
    engine.dispose()
