"""A grid worker's round in a real browser: sign in, photograph a poster (a generated
photo set on the file input), upload it, and see its OCR text and hits once the
background worker has read it (the page reloads itself while the photo is pending)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from monitor import ocr_worker, users
from ocr.synth import encode, render_clean
from ocr.synth_texts import PosterText
from tests.web.e2e.conftest import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "grid-pass-2026"
LURE = PosterText("e2e", ("鑫泰养老社", "保本保息 稳赚不赔", "月息3分 咨询 139-0000-7781"), True)


@pytest.fixture
def worker(live_server: LiveServer) -> Iterator[None]:
    ocr_worker.start(live_server.app, poll_seconds=0.5)
    yield
    ocr_worker.stop(live_server.app)


def test_grid_worker_uploads_a_poster_and_sees_its_hits(
    live_server: LiveServer, page: Page, worker: None, tmp_path: Path
) -> None:
    db = live_server.session()
    try:
        users.create_user(db, "wang", "grid", PASSWORD, display_name="王网格")
        db.commit()
    finally:
        db.close()
    photo = tmp_path / "poster.jpg"
    photo.write_bytes(encode(render_clean(LURE, seed=3, width=600), "JPEG", 90))

    page.goto(live_server.url + "/login?next=/uploads")
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/uploads")

    file_input = page.locator("input[type=file][name=photo]")
    assert file_input.get_attribute("capture") == "environment"
    file_input.set_input_files(str(photo))
    page.fill("input[name=place]", "3号楼电梯")
    page.click("form[action='/uploads'] button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text("照片已保存")

    item = page.locator("li.upload").first
    expect(item).to_have_attribute("data-status", "done", timeout=120_000)
    expect(item.locator("pre.ocr-text")).to_contain_text("保本保息", timeout=30_000)
    # The lead is raised just after the text is stored; the page shows it on a reload.
    for _ in range(20):
        if item.locator("mark.hit").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(item.locator("mark.hit").first).to_be_visible()
    expect(item.locator(".lead-result")).to_contain_text("高")
    expect(item.locator("img")).to_have_attribute("src", "/uploads/1/image")
