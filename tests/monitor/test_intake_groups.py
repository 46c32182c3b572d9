"""Crawler groups (`ingest_pages(..., per_transaction=N)`) insert their capture rows in one
statement and read their ignore phrases in one query; every guarantee of one-by-one intake
holds: same rows, ignore rules per site, all-or-nothing, a concurrent writer reruns it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.db import session_factory
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_page, ingest_pages
from monitor.intake import pages as intake_pages
from monitor.intake.testing import keyword_detect, make_page
from monitor.models.core import Capture, CaptureText, IgnoreRule, Lead, LeadSighting

AD = "鑫盛财富新品上线：保本保息，月息3分，稳赚不赔，欢迎咨询。"


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def _url(i: int) -> str:
    return f"http://site{i % 3}.example.test/p/{i}"


def test_group_captures_match_their_pages(session: Session, store: EvidenceStore) -> None:
    pages = [make_page(_url(i), AD if i % 2 else "社区公告：停水通知", minutes=i) for i in range(7)]
    results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=4)
    for page, result in zip(pages, results, strict=True):
        capture = session.get(Capture, result.capture_id)
        assert capture is not None and capture.url == page.url
        texts = session.scalars(
            sa.select(CaptureText.text).where(CaptureText.capture_id == capture.id)
        ).all()
        assert page.texts["html"] in texts
    assert [r.new_leads for r in results] == [0, 1, 0, 1, 0, 1, 0]
    leads = {lead.url: lead for lead in session.scalars(sa.select(Lead))}
    for page, result in zip(pages, results, strict=True):
        if result.new_leads:
            assert leads[page.url].capture_id == result.capture_id
    again = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=4)
    assert sum(r.new_leads for r in again) == 0 and sum(r.sightings for r in again) == 3


def test_group_applies_ignore_rules_per_site(session: Session, store: EvidenceStore) -> None:
    session.add(IgnoreRule(phrase="保本保息", site="http://site0.example.test"))
    session.add(IgnoreRule(phrase="月息3分", site=None))
    session.commit()
    text = "理财推广：保本保息，月息3分。"
    pages = [make_page(_url(i), text, minutes=i) for i in range(3)]
    results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=3)
    one_by_one = [
        ingest_page(
            session,
            store,
            make_page(_url(i) + "?again", text, minutes=9 + i),
            detector=keyword_detect,
        )
        for i in range(3)
    ]
    # site0 has both phrases ignored: nothing left; the others keep 保本保息
    assert [r.new_leads for r in results] == [r.new_leads for r in one_by_one] == [0, 1, 1]
    assert [r.suppressed for r in results] == [r.suppressed for r in one_by_one]


def test_concurrent_writer_reruns_the_group(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process raises the lead of one of the group's places after the group read
    its known leads: the group's insert hits the unique key and the whole group reruns
    (its capture rows too), then sees that lead and records a sighting."""
    store = EvidenceStore(tmp_path / "evidence")
    factory = session_factory(engine)
    original = intake_pages.prefetch
    calls: list[int] = []

    def racing_prefetch(batch: Any, keys: Any) -> None:
        original(batch, keys)
        calls.append(1)
        if len(calls) == 1:
            with factory() as other:
                ingest_page(
                    other, store, make_page(_url(1), AD, minutes=0), detector=keyword_detect
                )

    monkeypatch.setattr(intake_pages, "prefetch", racing_prefetch)
    pages = [make_page(_url(i), AD, minutes=10 + i) for i in range(3)]
    with factory() as session:
        results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=3)
    assert [r.attempts for r in results] == [2, 2, 2]
    assert [(r.new_leads, r.sightings) for r in results] == [(1, 0), (0, 1), (1, 0)]
    with factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 3
        assert session.scalar(sa.select(sa.func.count()).select_from(Capture)) == 4
        assert session.scalar(sa.select(sa.func.count()).select_from(LeadSighting)) == 4
