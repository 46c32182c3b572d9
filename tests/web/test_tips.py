"""Public tips (举报): no account needed, CSRF with the anonymous token, rate limit per IP,
size cap and photo checks, the tip becomes a lead, and confirmed tips reach the admins'
reward list. SQLite and PostgreSQL through `db_url`."""

from __future__ import annotations

import io

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead, Tip, Upload
from tests.web.conftest import csrf_from, login, make_user

AD = "养老公寓认购，投10万元每月返1500元，三年保本，介绍亲友入股另有奖励。"


def send_tip(client: TestClient, **fields: object) -> httpx.Response:
    token = csrf_from(client.get("/tips").text)
    files = fields.pop("files", None)
    data = {"csrf_token": token, **fields}
    return client.post("/tips", data=data, files=files)


def test_anonymous_tip_becomes_a_lead_with_a_reference(app_client: TestClient, db: Session) -> None:
    page = app_client.get("/tips")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    response = send_tip(app_client, text=AD, link="https://example.test/ad", contact="138")
    assert response.status_code == 200, response.text[:300]
    tip = db.scalars(sa.select(Tip)).one()
    assert f"JB{tip.id:06d}" in response.text
    lead = db.get(Lead, tip.lead_id)
    assert lead is not None and (lead.source_kind, lead.via) == ("tip", "tip")
    assert lead.risk == "high"
    assert "tip.received" in db.scalars(sa.select(AuditEntry.action)).all()


def test_tip_with_a_photo_stores_the_upload_first(app_client: TestClient, db: Session) -> None:
    out = io.BytesIO()
    Image.new("RGB", (90, 60), "white").save(out, "JPEG")
    response = send_tip(
        app_client, text="", files={"photo": ("ad.jpg", out.getvalue(), "image/jpeg")}
    )
    assert response.status_code == 200, response.text[:300]
    tip = db.scalars(sa.select(Tip)).one()
    assert tip.upload_id == db.scalars(sa.select(Upload.id)).one()


def test_tip_with_a_bad_photo_is_refused_and_nothing_kept(
    app_client: TestClient, db: Session
) -> None:
    response = send_tip(
        app_client,
        text=AD,
        files={"photo": ("poster.jpg", b"<html><script>x</script>", "image/jpeg")},
    )
    assert response.status_code == 422
    assert 'data-code="unsupported_type"' in response.text
    assert db.scalars(sa.select(Tip)).all() == [] and db.scalars(sa.select(Upload)).all() == []


def test_empty_tip_refused(app_client: TestClient, db: Session) -> None:
    assert send_tip(app_client, text="  ").status_code == 422
    assert db.scalars(sa.select(Tip)).all() == []


def test_tip_without_csrf_token_is_403_and_audited(app_client: TestClient, db: Session) -> None:
    app_client.get("/tips")
    response = app_client.post("/tips", data={"text": AD})
    assert response.status_code == 403
    assert db.scalars(sa.select(Tip)).all() == []
    assert "csrf_denied" in db.scalars(sa.select(AuditEntry.action)).all()


def test_sixth_tip_in_ten_minutes_is_429(app_client: TestClient, db: Session) -> None:
    for n in range(5):
        assert send_tip(app_client, text=f"{AD} 第{n}条").status_code == 200
    response = send_tip(app_client, text=AD + " 第6条")
    assert response.status_code == 429
    assert len(db.scalars(sa.select(Tip)).all()) == 5


def test_oversized_tip_is_413(app_client: TestClient, db: Session) -> None:
    cap = app_client.app.state.settings.upload_max_bytes  # type: ignore[attr-defined]
    big = b"\xff\xd8" + b"\x00" * (cap + 128 * 1024)
    response = send_tip(app_client, text=AD, files={"photo": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413
    assert db.scalars(sa.select(Tip)).all() == []


def test_confirmed_tips_listed_for_admins_only(app_client: TestClient, db: Session) -> None:
    send_tip(app_client, text=AD, contact="张先生 13800000000")
    send_tip(app_client, text=AD + "（另一条）")
    tips = db.scalars(sa.select(Tip).order_by(Tip.id)).all()
    lead = db.get(Lead, tips[0].lead_id)
    assert lead is not None
    lead.status = "confirmed"
    db.commit()
    make_user(db, "wang", "grid")
    login(app_client, "wang")
    assert app_client.get("/tips/rewards").status_code == 403
    app_client.cookies.clear()
    make_user(db, "root", "admin")
    login(app_client, "root")
    page = app_client.get("/tips/rewards")
    assert page.status_code == 200
    assert f"JB{tips[0].id:06d}" in page.text and "张先生" in page.text
    assert f"JB{tips[1].id:06d}" not in page.text
