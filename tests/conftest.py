"""Shared test fixtures: where the real services are, and whether they must be there.

Locally a missing PostgreSQL or Redis skips the tests that need it; in CI
(`ADMON_TEST_REQUIRE_SERVICES=1`, set by .ci/run) it fails them instead, so CI can never
go green by skipping the database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

REQUIRE_SERVICES = os.environ.get("ADMON_TEST_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("ADMON_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("ADMON_TEST_REDIS_URL")


def _missing(service: str, variable: str) -> None:
    message = f"{service} not configured: set {variable} (CI sets it in .ci/run)"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Base URL of the real PostgreSQL server (database `test` in CI)."""
    if not POSTGRES_URL:
        _missing("PostgreSQL", "ADMON_TEST_POSTGRES_URL")
    assert POSTGRES_URL
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh, private schema, dropped afterwards.

    Several test runs (and developers) share one server; a schema per test keeps them apart
    without needing CREATE DATABASE rights.
    """
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis server."""
    if not REDIS_URL:
        _missing("Redis", "ADMON_TEST_REDIS_URL")
    assert REDIS_URL
    return REDIS_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres])])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """A fresh, empty database URL: a SQLite file, then a private PostgreSQL schema.

    Storage, intake, workflow and ledger tests take this fixture so they run on both
    backends (the suite must exercise PostgreSQL for real in CI).
    """
    if request.param == "sqlite":
        from pathlib import Path

        assert isinstance(tmp_path, Path)
        return f"sqlite:///{tmp_path / 'admon.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[object]:
    """An engine on `db_url` with the schema migrated to head (Alembic, as in production)."""
    from monitor.db import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: object) -> Iterator[object]:
    """A session on the migrated test database; rolled back and closed afterwards."""
    from sqlalchemy.engine import Engine

    from monitor.db import session_factory

    assert isinstance(engine, Engine)
    factory = session_factory(engine)
    sess = factory()
    try:
        yield sess
    finally:
        sess.rollback()
        sess.close()
