"""系统管理 pages (admin only) through the real app and database (SQLite and PostgreSQL):
accounts added with a one-time password, deactivated, reset; the audit log; and every
other role refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.models.accounts import AuditEntry, User
from tests.web.conftest import PASSWORD, csrf_from, login, make_user


def _admin(client: TestClient, db: Session) -> str:
    make_user(db, "admin1", "admin")
    login(client, "admin1")
    return csrf_from(client.get("/admin/users").text)


def _shown_password(html: str) -> str:
    match = re.search(r'id="new-password">([^<]+)<', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def _can_login(client: TestClient, username: str, password: str) -> bool:
    other = TestClient(client.app, follow_redirects=False)
    token = csrf_from(other.get("/login").text)
    response = other.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return response.status_code == 303


def _user_id(db: Session, username: str) -> int:
    db.expire_all()
    user_id = db.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return user_id


def test_admin_adds_a_user_with_a_password_shown_once(app_client: TestClient, db: Session) -> None:
    token = _admin(app_client, db)
    response = app_client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "zhao",
            "display_name": "赵<b>审核</b>",
            "role": "reviewer",
        },
    )
    assert response.status_code == 200
    password = _shown_password(response.text)
    assert "赵&lt;b&gt;审核&lt;/b&gt;" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert _can_login(app_client, "zhao", password)
    assert password not in app_client.get("/admin/users").text  # never shown again
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.create",
            AuditEntry.target_id == str(_user_id(db, "zhao")),
        )
    )
    assert entry is not None and entry.actor_name == "admin1"
    assert password not in str(entry.details)


def test_partner_needs_a_unit_and_names_are_unique(app_client: TestClient, db: Session) -> None:
    token = _admin(app_client, db)
    no_unit = app_client.post(
        "/admin/users", data={"csrf_token": token, "username": "police", "role": "partner"}
    )
    assert no_unit.status_code == 422
    ok = app_client.post(
        "/admin/users",
        data={"csrf_token": token, "username": "police", "role": "partner", "unit": "某某派出所"},
    )
    assert ok.status_code == 200 and "某某派出所" in ok.text
    again = app_client.post(
        "/admin/users", data={"csrf_token": token, "username": "police", "role": "reviewer"}
    )
    assert again.status_code == 422
    assert list(db.scalars(select(User.username).where(User.username == "police"))) == ["police"]


def test_deactivate_signs_the_user_out_and_blocks_login(
    app_client: TestClient, db: Session
) -> None:
    token = _admin(app_client, db)
    make_user(db, "qian", "reviewer")
    theirs = TestClient(app_client.app, follow_redirects=False)
    login(theirs, "qian")
    assert theirs.get("/ledger").status_code == 200
    response = app_client.post(
        "/admin/users/deactivate", data={"csrf_token": token, "user_id": _user_id(db, "qian")}
    )
    assert response.status_code == 303
    assert theirs.get("/ledger").status_code == 303  # back to the login page
    assert not _can_login(app_client, "qian", PASSWORD)
    assert "已停用" in app_client.get("/admin/users").text
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
    myself = app_client.post(
        "/admin/users/deactivate", data={"csrf_token": token, "user_id": _user_id(db, "admin1")}
    )
    assert myself.status_code == 422


def test_reset_password_replaces_the_old_one(app_client: TestClient, db: Session) -> None:
    token = _admin(app_client, db)
    make_user(db, "sun", "grid")
    response = app_client.post(
        "/admin/users/reset", data={"csrf_token": token, "user_id": _user_id(db, "sun")}
    )
    assert response.status_code == 200
    new_password = _shown_password(response.text)
    assert not _can_login(app_client, "sun", PASSWORD)
    assert _can_login(app_client, "sun", new_password)
    assert (
        app_client.post(
            "/admin/users/reset", data={"csrf_token": token, "user_id": 999999}
        ).status_code
        == 404
    )


def test_post_without_csrf_is_refused_and_audited(app_client: TestClient, db: Session) -> None:
    _admin(app_client, db)
    response = app_client.post("/admin/users", data={"username": "evil", "role": "admin"})
    assert response.status_code == 403
    assert db.scalar(select(User).where(User.username == "evil")) is None
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "csrf_denied")) is not None


def test_reviewer_gets_403_on_every_admin_page(app_client: TestClient, db: Session) -> None:
    make_user(db, "rev", "reviewer")
    login(app_client, "rev")
    token = csrf_from(app_client.get("/ledger").text)
    for path in ("/admin", "/admin/users", "/admin/audit"):
        assert app_client.get(path).status_code == 403, path
    post = app_client.post(
        "/admin/users", data={"csrf_token": token, "username": "mine", "role": "admin"}
    )
    assert post.status_code == 403
    assert db.scalar(select(User).where(User.username == "mine")) is None
    denied = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "denied")))
    assert {e.details.get("path") for e in denied} >= {"/admin", "/admin/users", "/admin/audit"}


def test_audit_log_is_newest_first_and_filters(app_client: TestClient, db: Session) -> None:
    token = _admin(app_client, db)
    for name in ("u1", "u2"):
        app_client.post(
            "/admin/users", data={"csrf_token": token, "username": name, "role": "grid"}
        )
    page = app_client.get("/admin/audit").text
    assert page.index("#" + str(_user_id(db, "u2"))) < page.index("#" + str(_user_id(db, "u1")))
    only_create = app_client.get("/admin/audit", params={"action": "user.create"}).text
    rows = only_create.split('class="audit"')[1].split("</table>")[0]
    assert rows.count("user.create") >= 3  # admin1 (by the test helper), u1, u2
    assert rows.count("新建账号") == rows.count("user.create")  # each action named in Chinese
    assert ">login<" not in rows
    by_actor = app_client.get("/admin/audit", params={"actor": "admin1"}).text
    body = by_actor.split("<tbody>")[1].split("</tbody>")[0]
    assert "<td>admin1</td>" in body and "<td>system</td>" not in body
    assert app_client.get("/admin/audit", params={"page": 0}).status_code == 422
