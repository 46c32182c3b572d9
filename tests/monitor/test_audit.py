"""The audit log records who did what, drops secrets, and is append-only in the database
itself (migration 0002) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor import audit, users
from monitor.db import alembic_config, session_factory
from monitor.models.accounts import AuditEntry


@pytest.fixture
def entry_id(session: Session) -> int:
    entry = audit.record(session, "system", "lead.confirm", ("lead", 7), reason="测试")
    session.commit()
    return entry.id


def test_record_fields(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    user = users.create_user(session, "zhao", "admin", "password-123")
    entry = audit.record(
        session,
        user,
        "lead.dismiss",
        ("lead", 12),
        ip="203.0.113.9",
        reason="误报",
        when=datetime(2026, 12, 1, tzinfo=UTC),
        password="hunter2-hunter2",
    )
    session.commit()
    stored = session.get(AuditEntry, entry.id)
    assert stored is not None
    assert (stored.actor_id, stored.actor_name, stored.action) == (user.id, "zhao", "lead.dismiss")
    assert (stored.target_type, stored.target_id, stored.ip) == ("lead", "12", "203.0.113.9")
    assert stored.details == {"reason": "误报", "when": "2026-12-01T00:00:00+00:00"}
    assert stored.at.tzinfo is not None


def test_mapped_target_and_system_actor(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    user = users.create_user(session, "qian", "reviewer", "password-123")
    entry = audit.record(session, None, "user.touch", user)
    assert (entry.actor_id, entry.actor_name) == (None, "system")
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))
    session.commit()
    trail = audit.entries_for(session, "user", user.id)
    assert [e.action for e in trail] == ["user.create", "user.touch"]


def test_record_separately_survives_rollback(session: Session) -> None:
    audit.record(session, "x", "kept.in.session")
    session.rollback()
    audit.record_separately(session, "web", "csrf_denied", None, ip="198.51.100.1")
    with Session(bind=session.get_bind()) as other:
        actions = list(other.scalars(sa.select(AuditEntry.action)))
    assert actions == ["csrf_denied"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'forged' WHERE id = :id",
        "UPDATE audit_log SET details = '{}'",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ],
)
def test_audit_log_rejects_update_and_delete(engine: Engine, entry_id: int, statement: str) -> None:
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement), {"id": entry_id})
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT action FROM audit_log WHERE id = :id"), {"id": entry_id})
        assert row.scalar_one() == "lead.confirm"


def test_orm_update_is_rejected_too(engine: Engine, entry_id: int) -> None:
    with session_factory(engine)() as s:
        entry = s.get(AuditEntry, entry_id)
        assert entry is not None
        entry.action = "forged"
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            s.commit()


@pytest.mark.postgres
@pytest.mark.integration
def test_truncate_is_rejected_on_postgres(postgres_schema_url: str) -> None:
    from monitor.db import make_engine, upgrade

    engine = make_engine(postgres_schema_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (at, actor_name, action, details) "
                    "VALUES (now(), 'system', 'x', '{}')"
                )
            )
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_log"))
    finally:
        engine.dispose()


def test_inserts_still_work_after_migration(engine: Engine, entry_id: int) -> None:
    with session_factory(engine)() as s:
        audit.record(s, "system", "second")
        s.commit()
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 2


def test_migration_0002_downgrades_and_upgrades(engine: Engine, entry_id: int) -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with engine.begin() as conn:  # without the triggers an UPDATE goes through
        conn.execute(
            sa.text("UPDATE audit_log SET actor_name = 'x' WHERE id = :id"), {"id": entry_id}
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log"))
