"""Disposal documents (约谈通知书, 责令整改通知书, 移送函) and reopening a lead, through the
real app and database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import users, workflow
from monitor.ledger.uscc import make_credit_code
from monitor.models.core import Capture, Lead
from monitor.models.ledger import Enterprise
from tests.web.conftest import csrf_from, login, make_user
from tests.web.test_coverage_reports import ingest_ad

HOSTILE = '<img src=x onerror="alert(1)">'
AD = "鑫盛财富会员招募：投资1万元起，月息2分，保本保息，稳赚不赔，推荐好友再奖励百分之五！"

DISPOSALS: dict[str, dict[str, Any]] = {
    "interview": {"kind": "interview", "commitment_received": True, "interview_date": "2026-11-26"},
    "rectify": {
        "kind": "rectify",
        "deadline": "2026-12-05",
        "recheck_date": "2026-12-06",
        "responsible_unit": "桃源社区工作站" + HOSTILE,
        "measures": "下架全部宣传页面" + HOSTILE,
    },
    "referral": {
        "kind": "refer_police",
        "receiving_unit": "某某派出所",
        "referred_on": "2026-11-27",
    },
}


def _confirmed(client: TestClient, db: Session, disposal: dict[str, Any], n: int) -> int:
    """A crawled ad, linked to an enterprise with a hostile name, confirmed with `disposal`."""
    lead_id = ingest_ad(client, db, f"http://127.0.0.1:9/ad/{n}", AD + HOSTILE, title=HOSTILE)
    make_user(db, "boss", "reviewer")
    actor = users.get_user(db, "boss")
    ent = Enterprise(
        credit_code=make_credit_code("9", "1", "440305", f"MC{n:06d}"),
        name="鑫盛财富" + HOSTILE,
        actual_address="科技园1栋",
        status="active",
    )
    db.add(ent)
    db.flush()
    lead = workflow.load_lead(db, lead_id)
    workflow.link_enterprise(db, lead_id, actor, lead.version_id, ent.id)
    workflow.start_review(db, lead_id, actor, lead.version_id)
    workflow.confirm(db, lead_id, actor, lead.version_id, disposal, reason="确认")
    db.commit()
    login(client, "boss")
    return lead_id


@pytest.mark.parametrize("document", ["interview", "rectify", "referral"])
def test_document_renders_escaped_data_and_only_for_its_disposal(
    app_client: TestClient, db: Session, document: str
) -> None:
    lead_id = _confirmed(app_client, db, DISPOSALS[document], 1)
    page = app_client.get(f"/leads/{lead_id}/documents/{document}")
    assert page.status_code == 200
    assert HOSTILE not in page.text and "&lt;img src=x onerror=" in page.text
    assert "鑫盛财富&lt;img" in page.text  # the linked enterprise's name
    assert "《广告法》第二十五条" in page.text  # an article the hits cite, with its text
    assert "保本、" in page.text and "无风险或者保收益" in page.text
    assert 'href="/static/pages.css"' in page.text
    others = {"interview", "rectify", "referral"} - {document}
    for other in others:
        refused = app_client.get(f"/leads/{lead_id}/documents/{other}")
        assert refused.status_code == 404
        assert "不能出具此文书" in refused.text


def test_rectify_notice_carries_deadline_measures_and_unit(
    app_client: TestClient, db: Session
) -> None:
    lead_id = _confirmed(app_client, db, DISPOSALS["rectify"], 2)
    page = app_client.get(f"/leads/{lead_id}/documents/rectify").text
    assert "2026年12月5日" in page
    assert "下架全部宣传页面&lt;img" in page and "桃源社区工作站&lt;img" in page


def test_referral_lists_evidence_with_url_time_and_sha256(
    app_client: TestClient, db: Session
) -> None:
    lead_id = _confirmed(app_client, db, DISPOSALS["referral"], 3)
    page = app_client.get(f"/leads/{lead_id}/documents/referral").text
    lead = db.get(Lead, lead_id)
    assert lead is not None and lead.capture_id is not None
    capture = db.get(Capture, lead.capture_id)
    assert capture is not None and capture.sha256
    evidence = page.split('class="evidence-list"')[1].split("</table>")[0]
    assert capture.sha256 in evidence and "http://127.0.0.1:9/ad/3" in evidence
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", evidence)
    assert "某某派出所" in page and "2026年11月27日" in page
    assert "第二十三条" in page


def test_unconfirmed_lead_has_no_documents(app_client: TestClient, db: Session) -> None:
    lead_id = ingest_ad(app_client, db, "http://127.0.0.1:9/ad/new")
    make_user(db, "rev", "reviewer")
    login(app_client, "rev")
    for document in ("interview", "rectify", "referral"):
        response = app_client.get(f"/leads/{lead_id}/documents/{document}")
        assert response.status_code == 404 and "不能出具此文书" in response.text
    assert app_client.get("/leads/999999/documents/interview").status_code == 404
    assert app_client.get(f"/leads/{lead_id}/documents/other").status_code == 422


def test_reopen_needs_csrf_and_a_reason_and_then_documents_are_gone(
    app_client: TestClient, db: Session
) -> None:
    lead_id = _confirmed(app_client, db, DISPOSALS["interview"], 4)
    page = app_client.get(f"/leads/{lead_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    no_csrf = app_client.post(
        f"/leads/{lead_id}/reopen", data={"version": version.group(1), "reason": "广告重现"}
    )
    assert no_csrf.status_code == 403
    no_reason = app_client.post(
        f"/leads/{lead_id}/reopen",
        data={"csrf_token": csrf_from(page), "version": version.group(1), "reason": ""},
    )
    assert no_reason.status_code == 422
    response = app_client.post(
        f"/leads/{lead_id}/reopen",
        data={"csrf_token": csrf_from(page), "version": version.group(1), "reason": "广告重现"},
    )
    assert response.status_code == 303
    db.expire_all()
    lead = db.get(Lead, lead_id)
    assert lead is not None and lead.status == "reviewing"
    assert app_client.get(f"/leads/{lead_id}/documents/interview").status_code == 404
    stale = app_client.post(
        f"/leads/{lead_id}/reopen",
        data={"csrf_token": csrf_from(page), "version": version.group(1), "reason": "再来"},
    )
    assert stale.status_code == 409


def test_partner_cannot_print_documents(app_client: TestClient, db: Session) -> None:
    lead_id = _confirmed(app_client, db, DISPOSALS["referral"], 5)
    make_user(db, "police", "partner", unit="某某派出所")
    login(app_client, "police")
    assert app_client.get(f"/leads/{lead_id}/documents/referral").status_code == 403
    assert list(db.scalars(select(Lead.status))) == ["confirmed"]
