"""The core tables migrate on both backends and behave as the other packages rely on."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from monitor.db import session_factory
from monitor.models.core import Lead, LeadCategory


def _lead(key: str = "k" * 64) -> Lead:
    return Lead(
        source_kind="web",
        via="html",
        url="http://example.test/a",
        site="http://example.test",
        page_key=key,
        categories=["return_promise"],
        risk="high",
        score=0.9,
        category_rows=[LeadCategory(category="return_promise")],
    )


def test_core_tables_exist(engine: Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert {
        "sources",
        "crawl_runs",
        "captures",
        "capture_texts",
        "uploads",
        "tips",
        "leads",
        "lead_categories",
        "lead_versions",
        "lead_sightings",
        "ignore_rules",
    } <= tables


def test_page_key_is_unique(session: Session) -> None:
    session.add(_lead())
    session.commit()
    session.add(_lead())
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_version_id_detects_concurrent_edit(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as s:
        lead = _lead()
        s.add(lead)
        s.commit()
        lead_id = lead.id
        assert lead.version_id == 1
    with factory() as first, factory() as second:
        a = first.get(Lead, lead_id)
        b = second.get(Lead, lead_id)
        assert a is not None and b is not None
        a.status = "reviewing"
        first.commit()
        b.status = "dismissed"
        with pytest.raises(StaleDataError):
            second.commit()
