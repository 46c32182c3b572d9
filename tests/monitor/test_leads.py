"""Lead queries: the review queue, one lead's detail, and the export (interfaces.md)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput, NotFound
from monitor.evidence import EvidenceStore
from monitor.intake import TipCapture, ingest_page, ingest_tip
from monitor.intake.testing import T0, keyword_detect, make_page
from monitor.leads import FIELDS, LeadFilters, export_leads, export_records, get_lead, queue
from monitor.models.core import Lead

PAGES = [
    ("http://a.example.test/1", "保本保息，稳赚不赔", 0),
    ("http://a.example.test/2", "原始股内部认购", 60),
    ("http://b.example.test/1", "拉人头奖励，月息3分", 120),
    ("http://b.example.test/2", "=cmd|' /C calc'!A0 年化18%", 180),
]


@pytest.fixture
def seeded(session: Session, tmp_path: Path) -> Session:
    store = EvidenceStore(tmp_path / "evidence")
    for url, text, minutes in PAGES:
        ingest_page(session, store, make_page(url, text, minutes=minutes), detector=keyword_detect)
    ingest_tip(
        session,
        store,
        TipCapture(text="小区门口有人推销高息理财", received_at=T0 - timedelta(days=1)),
        detector=keyword_detect,
    )
    session.execute(
        sa.update(Lead)
        .where(Lead.url == "http://a.example.test/2")
        .values(status="dismissed", community="幸福里社区")
    )
    session.commit()
    return session


def _urls(page: object) -> list[str]:
    return [row.url for row in page.rows]  # type: ignore[attr-defined]


def test_queue_newest_first_with_status_counts(seeded: Session) -> None:
    page = queue(seeded)
    assert _urls(page)[:4] == [
        "http://b.example.test/2",
        "http://b.example.test/1",
        "http://a.example.test/2",
        "http://a.example.test/1",
    ]
    assert page.total == 5
    assert page.status_counts["new"] == 4 and page.status_counts["dismissed"] == 1
    assert page.status_counts["closed"] == 0


def test_queue_filters(seeded: Session) -> None:
    new = queue(seeded, LeadFilters(status=["new"]))
    assert new.total == 4 and "http://a.example.test/2" not in _urls(new)
    assert new.status_counts["dismissed"] == 1  # tabs still count every status
    guarantee = queue(seeded, LeadFilters(category=["principal_guarantee"]))
    assert _urls(guarantee) == ["http://a.example.test/1"]
    either = queue(seeded, LeadFilters(category=["hot_concept", "public_solicitation"]))
    assert set(_urls(either)) == {"http://a.example.test/2", "http://b.example.test/1"}
    tips = queue(seeded, LeadFilters(source_kind=["tip"]))
    assert [r.via for r in tips.rows] == ["tip"] and tips.rows[0].risk == "none"
    high = queue(seeded, LeadFilters(risk=["high"], source_kind=["web"]))
    assert high.total == 4
    window = queue(
        seeded, LeadFilters(since=T0 + timedelta(minutes=60), until=T0 + timedelta(minutes=180))
    )
    assert set(_urls(window)) == {"http://a.example.test/2", "http://b.example.test/1"}
    community = queue(seeded, LeadFilters(community="幸福里社区"))
    assert _urls(community) == ["http://a.example.test/2"]


def test_queue_paging_and_sorts(seeded: Session) -> None:
    first = queue(seeded, sort="oldest", page=1, per_page=2)
    second = queue(seeded, sort="oldest", page=2, per_page=2)
    assert first.pages == 3
    assert not set(_urls(first)) & set(_urls(second))
    with pytest.raises(InvalidInput):
        queue(seeded, sort="random")
    with pytest.raises(InvalidInput):
        queue(seeded, per_page=0)
    with pytest.raises(InvalidInput):
        queue(seeded, LeadFilters(since=T0.replace(tzinfo=None)))


def test_get_lead_has_versions_and_sightings(seeded: Session, tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    ingest_page(
        seeded,
        store,
        make_page("http://a.example.test/1", "保本保息，稳赚不赔", minutes=300),
        detector=keyword_detect,
    )
    lead_id = seeded.scalars(sa.select(Lead.id).where(Lead.url == "http://a.example.test/1")).one()
    detail = get_lead(seeded, lead_id)
    assert [v.number for v in detail.versions] == [1]
    assert detail.sighting_total == 2
    assert detail.sightings[0].seen_at > detail.sightings[1].seen_at
    assert detail.capture is not None and detail.capture.sha256 == detail.lead.evidence_sha256
    assert detail.events == []
    with pytest.raises(NotFound):
        get_lead(seeded, 10_000)


def test_export_records_have_the_interface_fields(seeded: Session) -> None:
    records = list(export_records(seeded))
    assert len(records) == 5
    assert all(tuple(r) == FIELDS for r in records)
    first = records[0]
    assert first["source"] == "web" and first["via"] == "html"
    assert first["categories"] == ["return_promise", "principal_guarantee"]
    assert first["captured_at"] == T0.isoformat()
    assert first["text"] == "保本保息，稳赚不赔"
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)


def test_export_jsonl(seeded: Session, tmp_path: Path) -> None:
    out = io.StringIO()
    assert export_leads(seeded, "jsonl", out=out) == 5
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 5 and lines[2]["annualized_return"] == 36.0


def test_export_csv_defuses_formulas(seeded: Session, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    assert export_leads(seeded, "csv", path=path) == 5
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so spreadsheet software reads Chinese
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(FIELDS)
    assert rows[0]["categories"] == "return_promise;principal_guarantee"
    evil = next(r for r in rows if r["url"] == "http://b.example.test/2")
    assert evil["text"].startswith("'=cmd")
    assert not (tmp_path / "leads.csv.part").exists()


def test_export_xlsx(seeded: Session, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    assert export_leads(seeded, "xlsx", path=path) == 5
    sheet = load_workbook(path, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == FIELDS and len(rows) == 6
    texts = [r[FIELDS.index("text")] for r in rows[1:]]
    assert "保本保息，稳赚不赔" in texts
    assert any(isinstance(t, str) and t.startswith("'=cmd") for t in texts)
    with pytest.raises(InvalidInput):
        export_leads(seeded, "xlsx", out=io.StringIO())
    with pytest.raises(InvalidInput):
        export_leads(seeded, "pdf", out=io.StringIO())
