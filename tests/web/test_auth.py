"""Sign-in, sessions, CSRF and rate limiting against the real app and database
(faults.md rows 13, 15, 16)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.models.accounts import AuditEntry
from monitor.models.base import utcnow
from monitor.models.web import WebSession
from monitor.web.routes.auth import safe_next
from tests.web.conftest import PASSWORD, csrf_from, login, make_user


def test_login_sets_httponly_session_and_lands_by_role(app_client: TestClient, db: Session) -> None:
    make_user(db, "wang", "grid")
    login(app_client, "wang")
    cookie = next(c for c in app_client.cookies.jar if c.name == "admon_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    response = app_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/uploads"


def test_wrong_password_gets_a_generic_message(app_client: TestClient, db: Session) -> None:
    make_user(db, "li", "reviewer")
    token = csrf_from(app_client.get("/login").text)
    response = app_client.post(
        "/login", data={"username": "li", "password": "nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "nope-nope" not in response.text
    actions = db.scalars(select(AuditEntry.action)).all()
    assert "login_failed" in actions


def test_six_wrong_passwords_in_a_minute_are_throttled(app_client: TestClient, db: Session) -> None:
    make_user(db, "zhao", "reviewer")
    token = csrf_from(app_client.get("/login").text)
    codes = [
        app_client.post(
            "/login", data={"username": "zhao", "password": f"wrong{i}xx", "csrf_token": token}
        ).status_code
        for i in range(6)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # Even the right password is refused while throttled/locked.
    response = app_client.post(
        "/login", data={"username": "zhao", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code in (401, 429)


def test_post_without_csrf_token_is_refused_and_audited(
    app_client: TestClient, db: Session
) -> None:
    make_user(db, "qian", "reviewer")
    app_client.get("/login")
    response = app_client.post("/login", data={"username": "qian", "password": PASSWORD})
    assert response.status_code == 403
    assert "admon_session" not in app_client.cookies
    assert "csrf_denied" in db.scalars(select(AuditEntry.action)).all()


def test_old_cookie_is_worthless_after_logout(app_client: TestClient, db: Session) -> None:
    make_user(db, "sun", "reviewer")
    login(app_client, "sun")
    old = app_client.cookies.get("admon_session")
    page = app_client.get("/login").text  # any page carries the session's CSRF token
    token = csrf_from(page)
    assert app_client.post("/logout", data={"csrf_token": token}).status_code == 303
    app_client.cookies.set("admon_session", old or "")
    response = app_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_idle_session_expires_after_thirty_minutes(app_client: TestClient, db: Session) -> None:
    make_user(db, "zhou", "admin")
    login(app_client, "zhou")
    assert app_client.get("/").headers["location"] == "/leads"
    db.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.commit()
    response = app_client.get("/")
    assert response.headers["location"].startswith("/login")
    assert db.scalar(select(WebSession.id)) is None


def test_every_page_carries_security_headers(app_client: TestClient) -> None:
    response = app_client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_next_parameter_cannot_leave_the_site() -> None:
    assert safe_next("/leads/3") == "/leads/3"
    for hostile in ("//evil.example/x", "https://evil.example", "/\\evil", None, ""):
        assert safe_next(hostile) == "/"
