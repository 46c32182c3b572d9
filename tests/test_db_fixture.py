"""The shared database fixtures really reach both backends and migrate them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def test_engine_is_migrated_to_head(engine: Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert {"alembic_version", "enterprises"} <= tables
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def test_sqlite_pragmas_are_on(tmp_path: object) -> None:
    from pathlib import Path

    from monitor.db import make_engine

    assert isinstance(tmp_path, Path)
    eng = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar_one() >= 5000
