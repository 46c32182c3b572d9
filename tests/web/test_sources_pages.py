"""Sources page (监测源), admins only: add with checks (URLs, crontab), edit, enable /
disable, and "run now" crawling the bundled demo town in the background, one run per
source at a time. SQLite and PostgreSQL through `db_url`."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crawlers.demo_site.server import DemoSite
from monitor.models.core import CrawlRun, Source
from tests.web.conftest import csrf_from, login, make_user


@pytest.fixture
def admin(app_client: TestClient, db: Session) -> TestClient:
    make_user(db, "root", "admin")
    login(app_client, "root")
    return app_client


def add(client: TestClient, **overrides: str) -> httpx.Response:
    token = csrf_from(client.get("/sources/new").text)
    data = {
        "csrf_token": token,
        "name": "本地网站",
        "kind": "site",
        "start_urls": "http://127.0.0.1:9/\nhttp://127.0.0.1:9/news",
        "max_pages": "5",
        "max_depth": "1",
        "render": "never",
        "schedule": "0 2 * * *",
        "community": "和平社区",
    }
    data.update(overrides)
    return client.post("/sources/new", data=data)


def test_reviewer_and_grid_may_not_open_sources(app_client: TestClient, db: Session) -> None:
    make_user(db, "liu", "reviewer")
    login(app_client, "liu")
    assert app_client.get("/sources").status_code == 403
    assert app_client.get("/sources/new").status_code == 403


def test_add_list_edit_and_disable(admin: TestClient, db: Session) -> None:
    assert add(admin).status_code == 303
    source = db.scalars(sa.select(Source)).one()
    assert source.start_urls == ["http://127.0.0.1:9/", "http://127.0.0.1:9/news"]
    page = admin.get("/sources").text
    assert "本地网站" in page and "0 2 * * *" in page and "启用" in page
    edit = admin.get(f"/sources/{source.id}/edit").text
    token = csrf_from(edit)
    response = admin.post(
        f"/sources/{source.id}/edit",
        data={
            "csrf_token": token,
            "name": "本地网站2",
            "kind": "site",
            "start_urls": "http://127.0.0.1:9/",
            "max_pages": "7",
            "max_depth": "2",
            "render": "auto",
            "schedule": "",
            "community": "",
        },
    )
    assert response.status_code == 303
    db.expire_all()
    source = db.scalars(sa.select(Source)).one()
    assert (source.name, source.max_pages, source.schedule) == ("本地网站2", 7, None)
    token = csrf_from(admin.get("/sources").text)
    response = admin.post(
        f"/sources/{source.id}/enabled", data={"csrf_token": token, "enabled": "false"}
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.scalars(sa.select(Source.enabled)).one() is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("schedule", "every night", "crontab"),
        ("start_urls", "javascript:alert(1)", "http"),
        ("start_urls", "file:///etc/passwd", "http"),
    ],
)
def test_bad_source_refused_with_a_message(
    admin: TestClient, db: Session, field: str, value: str, message: str
) -> None:
    response = add(admin, **{field: value})
    assert response.status_code == 422
    assert message in response.text
    assert db.scalars(sa.select(Source)).all() == []


def test_duplicate_name_refused(admin: TestClient, db: Session) -> None:
    assert add(admin).status_code == 303
    response = add(admin)
    assert response.status_code == 422 and "already exists" in response.text


@pytest.mark.integration
def test_run_now_crawls_the_demo_town_in_the_background(admin: TestClient, db: Session) -> None:
    with DemoSite(bulk_pages=5) as site:
        assert (
            add(admin, start_urls=site.url, max_pages="4", max_depth="1", schedule="").status_code
            == 303
        )
        source_id = db.scalars(sa.select(Source.id)).one()
        token = csrf_from(admin.get("/sources").text)
        first = admin.post(f"/sources/{source_id}/run", data={"csrf_token": token})
        assert first.status_code == 303
        second = admin.post(f"/sources/{source_id}/run", data={"csrf_token": token})
        assert second.status_code == 409 and "正在抓取" in second.text
        assert 'data-status="running"' in admin.get("/sources").text
        admin.app.state.crawl_launcher.wait(source_id, 240)  # type: ignore[attr-defined]
        live = admin.app.state.crawl_launcher.live(source_id)  # type: ignore[attr-defined]
        assert live.status == "finished", live.error
    db.expire_all()
    run = db.scalars(sa.select(CrawlRun).where(CrawlRun.source_id == source_id)).one()
    assert run.status == "finished" and run.pages >= 1 and run.trigger == "web"
    page = admin.get("/sources").text
    assert 'class="run" data-status="finished"' in page
    assert "已完成 · " in page  # the run's status in Chinese, not its code
