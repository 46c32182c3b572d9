"""Queue, lead detail and decisions through the real app, real rules and real database
(faults.md rows 11, 12, 13, 14, 25)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.evidence import EvidenceStore
from monitor.intake import PageCapture, ingest_page
from monitor.models.accounts import AuditEntry
from monitor.models.core import IgnoreRule, Lead
from tests.web.conftest import csrf_from, login, make_user

HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'
AD_TEXT = (
    "鑫盛财富会员招募：投资1万元起，月息2分，保本保息，稳赚不赔，"
    "推荐好友再奖励百分之五！<script>alert(3)</script> 名额有限，速加微信。"
)


def _ingest(client: TestClient, db: Session, url: str = "http://127.0.0.1:9/ad/1") -> int:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    store = EvidenceStore(settings.evidence_dir)
    html = f"<html><head><title>{HOSTILE_TITLE}</title></head><body>{AD_TEXT}</body></html>"
    result = ingest_page(
        db,
        store,
        PageCapture(
            url=url,
            final_url=url,
            body=html.encode(),
            encoding="utf-8",
            texts={"html": AD_TEXT},
            title=HOSTILE_TITLE,
        ),
    )
    db.commit()
    assert result.lead_ids, "the ad should raise a lead"
    return result.lead_ids[0]


def _start_review(client: TestClient, lead_id: int) -> tuple[int, str]:
    """Post 开始研判 from the lead page; the POST's status and the page as it is after."""
    page = client.get(f"/leads/{lead_id}").text
    response = client.post(
        f"/leads/{lead_id}/start", data={"csrf_token": csrf_from(page), "version": _version(page)}
    )
    return response.status_code, client.get(f"/leads/{lead_id}").text


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def test_queue_lists_the_lead_with_hostile_title_escaped(
    app_client: TestClient, db: Session
) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer1", "reviewer")
    login(app_client, "reviewer1")
    page = app_client.get("/leads?status=new&risk=high")
    assert page.status_code == 200
    assert f'href="/leads/{lead_id}"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "{{7*7}}" in page.text  # shown literally, never evaluated as a template


def test_detail_highlights_hits_and_cites_the_law(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer2", "reviewer")
    login(app_client, "reviewer2")
    page = app_client.get(f"/leads/{lead_id}")
    assert page.status_code == 200
    assert '<mark class="hit"' in page.text
    assert "保本保息" in page.text
    assert "广告法" in page.text
    assert "<script>alert(3)</script>" not in page.text
    assert "onerror=alert(2)>" not in page.text
    assert 'sandbox=""' in page.text


def test_snapshot_is_served_sandboxed(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer3", "reviewer")
    login(app_client, "reviewer3")
    response = app_client.get(f"/leads/{lead_id}/snapshot")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_confirm_with_disposal_then_close(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer4", "reviewer")
    login(app_client, "reviewer4")
    status, page = _start_review(app_client, lead_id)
    assert status == 303
    response = app_client.post(
        f"/leads/{lead_id}/confirm",
        data={
            "csrf_token": csrf_from(page),
            "version": _version(page),
            "disposal_kind": "refer_police",
            "receiving_unit": "城关派出所",
            "referred_on": "2026-11-20",
            "reason": "涉嫌非法吸收公众存款",
        },
    )
    assert response.status_code == 303, response.text
    db.expire_all()
    lead = db.get(Lead, lead_id)
    assert lead is not None and lead.status == "confirmed"
    assert lead.disposal_kind == "refer_police"


def test_missing_disposal_field_is_a_clear_422(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer5", "reviewer")
    login(app_client, "reviewer5")
    _, page = _start_review(app_client, lead_id)
    response = app_client.post(
        f"/leads/{lead_id}/confirm",
        data={"csrf_token": csrf_from(page), "version": _version(page), "disposal_kind": "rectify"},
    )
    assert response.status_code == 422
    assert "deadline" in response.text


def test_stale_version_gets_409_naming_who_changed_it(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer6", "reviewer")
    login(app_client, "reviewer6")
    page = app_client.get(f"/leads/{lead_id}").text
    token, stale = csrf_from(page), _version(page)
    assert (
        app_client.post(
            f"/leads/{lead_id}/start", data={"csrf_token": token, "version": stale}
        ).status_code
        == 303
    )
    response = app_client.post(
        f"/leads/{lead_id}/dismiss", data={"csrf_token": token, "version": stale, "reason": "误报"}
    )
    assert response.status_code == 409
    assert "reviewer6" in response.text
    assert "lead.conflict" in db.scalars(select(AuditEntry.action)).all()


def test_dismiss_with_ignore_rule(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer7", "reviewer")
    login(app_client, "reviewer7")
    _, page = _start_review(app_client, lead_id)
    response = app_client.post(
        f"/leads/{lead_id}/dismiss",
        data={
            "csrf_token": csrf_from(page),
            "version": _version(page),
            "reason": "本站为反诈宣传页",
            "ignore_phrase": "保本保息",
            "ignore_scope": "site",
        },
    )
    assert response.status_code == 303
    rule = db.scalars(select(IgnoreRule)).one()
    assert rule.phrase == "保本保息" and rule.site


def test_decision_without_csrf_is_refused(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer8", "reviewer")
    login(app_client, "reviewer8")
    response = app_client.post(f"/leads/{lead_id}/start", data={"version": "1"})
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Lead, lead_id).status == "new"  # type: ignore[union-attr]


def test_grid_worker_gets_403_on_a_lead(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "grid1", "grid")
    login(app_client, "grid1")
    assert app_client.get(f"/leads/{lead_id}").status_code == 403
    assert app_client.get("/leads").status_code == 403


def test_partner_cannot_open_a_lead_not_referred(app_client: TestClient, db: Session) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "police1", "partner", unit="城东派出所")
    login(app_client, "police1")
    assert app_client.get(f"/leads/{lead_id}").status_code == 403
    assert app_client.get(f"/leads/{lead_id}/snapshot").status_code == 403
    assert "denied" in db.scalars(select(AuditEntry.action)).all()
    assert f"/leads/{lead_id}" not in app_client.get("/referred").text


def test_queue_warns_of_a_failed_evidence_check_until_a_clean_one(
    app_client: TestClient, db: Session
) -> None:
    import os

    from monitor.evidence_checks import verify_and_record

    _ingest(app_client, db)
    store = EvidenceStore(app_client.app.state.settings.evidence_dir)  # type: ignore[attr-defined]
    make_user(db, "reviewer9", "reviewer")
    login(app_client, "reviewer9")
    assert 'data-code="evidence_problems"' not in app_client.get("/leads").text

    (name, path) = next(iter(store.iter_files()))
    original = path.read_bytes()
    os.chmod(path, 0o644)
    path.write_bytes(b"<script>alert(1)</script>")
    verify_and_record(db, store, "scheduler")
    page = app_client.get("/leads").text
    assert 'data-code="evidence_problems"' in page and name in page
    assert "证据校验发现 1 个文件缺失或被改动" in page

    path.unlink()  # still a problem (missing), still shown
    verify_and_record(db, store, "cli")
    assert "missing: " in app_client.get("/leads").text

    path.write_bytes(original)  # the administrator restored it from backup
    verify_and_record(db, store, "cli")
    assert 'data-code="evidence_problems"' not in app_client.get("/leads").text


def test_notices_after_an_action_are_chinese_and_never_echo_the_query(
    app_client: TestClient, db: Session
) -> None:
    lead_id = _ingest(app_client, db)
    make_user(db, "reviewer10", "reviewer")
    login(app_client, "reviewer10")
    _start_review(app_client, lead_id)
    page = app_client.get(f"/leads/{lead_id}?notice=started").text
    assert 'data-notice="started">已开始研判<' in page
    forged = app_client.get(f"/leads/{lead_id}", params={"notice": "请拨打 138-0000-0000 退款"})
    assert "138-0000-0000" not in forged.text and 'class="notice"' not in forged.text
