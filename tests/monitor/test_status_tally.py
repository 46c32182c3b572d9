"""The trigger-kept lead counts per status (migration 0003, `monitor.leads.status_tally`).

Every test compares the tally with a real GROUP BY over `leads`, on SQLite and
PostgreSQL, after the kinds of write the application makes: bulk and single inserts,
status changes through the ORM (optimistic locking) and by bulk UPDATE, updates that do
not touch the status, deletes, TRUNCATE.
"""

from __future__ import annotations

import hashlib
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
from monitor.leads.status_tally import FOLD_AT, fold, tally
from monitor.models.core import LEAD_STATUSES, Lead, LeadStatusCount

_serial = count()


def _lead_rows(statuses: list[str]) -> list[dict[str, Any]]:
    rows = []
    for status in statuses:
        n = next(_serial)
        rows.append({
            "source_kind": "web", "via": "html", "url": f"http://t.example.test/{n}",
            "page_key": hashlib.sha256(f"tally-{n}".encode()).hexdigest(),
            "status": status, "version_id": 1, "risk": "high",
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
    # A filter every lead matches goes the GROUP BY way and must agree.
    assert queue(session, LeadFilters(risk=["high"])).status_counts == page.status_counts
    # The tally, not a count of leads, is what the unfiltered view reads: prove it by
    # skewing the tally on purpose.
    session.add(LeadStatusCount(status="closed", delta=5))
    session.flush()
    assert queue(session).status_counts["closed"] == 5
    session.rollback()


def test_migration_seeds_the_tally_from_existing_leads(db_url: str) -> None:
    """Upgrading a database that already holds leads counts them once."""
    from alembic import command

    engine = make_engine(db_url)
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        with session_factory(engine)() as session:
            _insert(session, ["new"] * 4 + ["closed"])
            session.commit()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with session_factory(engine)() as session:
            assert _nonzero(tally(session)) == {"new": 4, "closed": 1}
            _insert(session, ["new"])
            assert _nonzero(tally(session)) == {"new": 5, "closed": 1}
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
            assert not sa.inspect(connection).has_table("lead_status_counts")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_appends_one_row_per_status_and_statement(postgres_engine: Engine) -> None:
    with session_factory(postgres_engine)() as session:
        _insert(session, ["new"] * 500 + ["closed"] * 20)
        session.commit()
        rows = session.execute(sa.select(LeadStatusCount.status, LeadStatusCount.delta)).all()
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
            assert session.scalar(sa.select(sa.func.count()).select_from(LeadStatusCount)) == 1
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
