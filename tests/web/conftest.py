"""Web app fixtures: the real app on a real database (SQLite file, and PostgreSQL through
the shared `db_url` fixture where a test asks for it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from monitor.settings import Settings
from monitor.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def web_settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db_url)


@pytest.fixture
def app_client(web_settings: Settings) -> Iterator[TestClient]:
    app = create_app(web_settings)
    with TestClient(app, follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def db(app_client: TestClient) -> Iterator[Session]:
    """A session on the app's own database, for arranging data and checking results."""
    factory = app_client.app.state.session_factory  # type: ignore[attr-defined]
    session: Session = factory()
    try:
        yield session
    finally:
        session.close()


def make_user(db: Session, username: str, role: str, unit: str | None = None) -> None:
    from monitor import users

    users.create_user(db, username, role, PASSWORD, unit=unit)
    db.commit()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
