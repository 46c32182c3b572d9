"""排查覆盖 and 半月报 pages on the real app and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from monitor import ledger, users, workflow
from monitor.evidence import EvidenceStore
from monitor.intake import PageCapture, ingest_page
from monitor.ledger.uscc import make_credit_code
from monitor.models.ledger import Enterprise
from tests.web.conftest import login, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
AD = "鑫盛财富会员招募：投资1万元起，月息2分，保本保息，稳赚不赔，推荐好友再奖励百分之五！"


def ingest_ad(client: TestClient, db: Session, url: str, text: str = AD, title: str = "") -> int:
    """A crawled page that raises a lead (real rules, real evidence store)."""
    store = EvidenceStore(client.app.state.settings.evidence_dir)  # type: ignore[attr-defined]
    html = f"<html><head><title>{title}</title></head><body>{text}</body></html>"
    capture = PageCapture(
        url=url,
        final_url=url,
        body=html.encode(),
        encoding="utf-8",
        texts={"html": text},
        title=title,
    )
    result = ingest_page(db, store, capture)
    db.commit()
    assert result.lead_ids, "the ad should raise a lead"
    return result.lead_ids[0]


def _ent(db: Session, n: int, community: str, building: str) -> Enterprise:
    ent = Enterprise(
        credit_code=make_credit_code("9", "1", "440305", f"MB{n:06d}"),
        name=f"企业{n}",
        community=community,
        building=building,
        status="active",
    )
    db.add(ent)
    db.flush()
    return ent


def _row(html: str, building: str) -> str:
    for row in re.findall(r"<tr class=\"[a-z]+\">.*?</tr>", html, flags=re.S):
        if f"<td>{building}</td>" in row:
            return row
    raise AssertionError(f"no row for {building}")


def test_coverage_shows_gaps_and_complete_buildings(app_client: TestClient, db: Session) -> None:
    swept = _ent(db, 1, "桃源社区", "A栋")
    _ent(db, 2, "西丽社区", "<b>B栋</b>")
    at = datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)
    ledger.record_visit(db, swept, visitor="王五", visited_at=at, checks={})
    ledger.record_sweep(
        db, community="桃源社区", building="A栋", swept_by="赵六", swept_at=at, uploads_count=3
    )
    ledger.record_sweep(  # outside the period: does not count
        db,
        community="西丽社区",
        building="<b>B栋</b>",
        swept_by="赵六",
        swept_at=datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI),
    )
    db.commit()
    make_user(db, "chen", "reviewer")
    login(app_client, "chen")
    page = app_client.get("/coverage", params={"since": "2026-11-01", "until": "2026-11-15"})
    assert page.status_code == 200
    assert "<b>B栋</b>" not in page.text
    gap = _row(page.text, "&lt;b&gt;B栋&lt;/b&gt;")
    assert 'class="gap"' in gap and "未排查" in gap
    complete = _row(page.text, "A栋")
    assert 'class="complete"' in complete and "全覆盖" in complete
    assert "2026-11-05 10:00" in complete  # last sweep and visit, office-local
    assert page.text.index("&lt;b&gt;B栋") < page.text.index("<td>A栋</td>")  # gaps first
    assert app_client.get("/coverage", params={"since": "2026-13-01"}).status_code == 422
    reversed_range = app_client.get(
        "/coverage", params={"since": "2026-11-15", "until": "2026-11-01"}
    )
    assert reversed_range.status_code == 422


def _figure(html: str, name: str) -> int:
    match = re.search(rf'data-figure="{name}">(\d+)<', html)
    assert match, name
    return int(match.group(1))


def test_report_page_counts_the_period_and_downloads_xlsx(
    app_client: TestClient, db: Session
) -> None:
    first = ingest_ad(app_client, db, "http://127.0.0.1:9/ad/1")
    ingest_ad(app_client, db, "http://127.0.0.1:9/ad/2")
    make_user(db, "li", "reviewer")
    reviewer = users.get_user(db, "li")
    lead = workflow.load_lead(db, first)
    workflow.start_review(db, first, reviewer, lead.version_id)
    workflow.confirm(
        db,
        first,
        reviewer,
        lead.version_id,
        {"kind": "guidance", "note": "已引导下架"},
    )
    db.commit()
    login(app_client, "li")
    today = datetime.now(SHANGHAI).date().isoformat()
    page = app_client.get("/reports", params={"as_of": today})
    assert page.status_code == 200
    assert _figure(page.text, "new_leads") == 2
    assert _figure(page.text, "confirmed") == 1
    assert _figure(page.text, "reviewed") == 1
    assert "<svg" in page.text and "行政引导" in page.text
    download = app_client.get("/reports.xlsx", params={"as_of": today})
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert "新增线索" in book.sheetnames and "排查覆盖" in book.sheetnames
    empty = app_client.get("/reports", params={"as_of": "2020-01-15"})
    assert empty.status_code == 200 and _figure(empty.text, "new_leads") == 0
    assert app_client.get("/reports", params={"as_of": "15/01/2020"}).status_code == 422


def test_partners_and_grid_workers_cannot_read_reports(app_client: TestClient, db: Session) -> None:
    make_user(db, "police", "partner", unit="某某派出所")
    login(app_client, "police")
    for path in ("/reports", "/reports.xlsx", "/coverage"):
        assert app_client.get(path).status_code == 403, path


def test_grid_worker_records_an_empty_sweep_and_coverage_counts_it(
    app_client: TestClient, db: Session
) -> None:
    from tests.web.conftest import csrf_from

    make_user(db, "wang", "grid")
    make_user(db, "li", "reviewer")
    login(app_client, "wang")
    page = app_client.get("/uploads").text
    assert 'action="/sweeps"' in page
    form = {"community": "桃源社区", "building": "<b>A栋</b>", "place": "电梯"}
    assert app_client.post("/sweeps", data=form).status_code == 403  # no CSRF token
    missing = app_client.post("/sweeps", data={"csrf_token": csrf_from(page), "building": "A"})
    assert missing.status_code == 422  # a sweep needs its community
    sent = app_client.post(
        "/sweeps", data={**form, "csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/uploads?notice=swept"

    app_client.cookies.clear()
    login(app_client, "li")
    coverage = app_client.get("/coverage").text
    assert "&lt;b&gt;A栋&lt;/b&gt;" in coverage and "<b>A栋</b>" not in coverage
    (sweep,) = ledger.coverage(db, datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")),
                               datetime(2100, 1, 1, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    assert (sweep.community, sweep.sweeps, sweep.photos) == ("桃源社区", 1, 0)
