"""A reviewer's day in a real browser: sign in, open the queue, open a lead, confirm it
with a disposal; and hostile crawled text stays text (faults.md row 11)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from monitor import users
from monitor.evidence import EvidenceStore
from monitor.intake import PageCapture, ingest_page
from monitor.models.core import Lead
from tests.web.e2e.conftest import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "reviewer-pass-2026"
HOSTILE = '"><img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
AD = "金穗养老公寓认购：投10万元每月返1500元，三年保本，到期原价回购，介绍亲友入股另有奖励。"


def _arrange(server: LiveServer) -> int:
    db: Session = server.session()
    try:
        users.create_user(db, "liu", "reviewer", PASSWORD, display_name="刘审核")
        store = EvidenceStore(server.app.state.settings.evidence_dir)
        html = f"<html><head><title>{HOSTILE}</title></head><body>{AD}</body></html>"
        result = ingest_page(
            db,
            store,
            PageCapture(
                url="http://127.0.0.1:1/shop/yl",
                body=html.encode(),
                encoding="utf-8",
                texts={"html": AD + HOSTILE},
                title=HOSTILE,
            ),
        )
        db.commit()
        return result.lead_ids[0]
    finally:
        db.close()


def _login(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "liu")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(server.url + "/leads")


def test_queue_to_lead_to_confirmed_disposal(live_server: LiveServer, page: Page) -> None:
    lead_id = _arrange(live_server)
    _login(page, live_server)
    expect(page.locator("table.queue")).to_contain_text("高")
    page.click(f'table.queue a[href="/leads/{lead_id}"] >> nth=0')
    expect(page.locator("#lead-text mark.hit").first).to_be_visible()
    page.click("text=开始研判")
    page.select_option("select[name=disposal_kind]", "interview")
    # The disposal's own fields show for the chosen class only (admon.js).
    expect(page.locator("[data-disposal=interview]")).to_be_visible()
    expect(page.locator("[data-disposal=rectify]")).to_be_hidden()
    page.check("input[name=commitment_received]")
    page.fill("input[name=interview_date]", "2026-11-26")
    page.fill("form.confirm textarea[name=reason]", "以高额返利和保本回购吸收资金")
    page.click("text=确认违法并处置")
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("已确认")
    expect(page.locator("table.history")).to_contain_text("确认并处置")
    db = live_server.session()
    try:
        lead = db.get(Lead, lead_id)
        assert lead is not None and lead.status == "confirmed" and lead.disposal_kind == "interview"
    finally:
        db.close()


def test_hostile_crawled_text_is_shown_as_text(live_server: LiveServer, page: Page) -> None:
    lead_id = _arrange(live_server)
    _login(page, live_server)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server.url}/leads/{lead_id}")
    expect(page.locator("p.lead-title")).to_contain_text("<script>")
    assert page.title() != "pwned"
    assert page.locator("p.lead-title img").count() == 0
    # The snapshot iframe is sandboxed: its scripts cannot run either.
    frame = page.frame_locator("iframe.snapshot")
    expect(frame.locator("body")).to_contain_text("金穗养老公寓")
    assert page.title() != "pwned"
    assert dialogs == []


def test_dismiss_with_an_ignore_rule(live_server: LiveServer, page: Page) -> None:
    from sqlalchemy import select

    from monitor.models.core import IgnoreRule

    lead_id = _arrange(live_server)
    _login(page, live_server)
    page.goto(f"{live_server.url}/leads/{lead_id}")
    page.click("text=开始研判")
    page.fill("form.dismiss textarea[name=reason]", "养老公寓正规销售，无返利承诺")
    page.fill("form.dismiss input[name=ignore_phrase]", "养老公寓")
    page.select_option("form.dismiss select[name=ignore_scope]", "site")
    page.click("text=排除（误报）")
    expect(page.locator("h1")).to_contain_text("已排除")
    expect(page.locator("table.history")).to_contain_text("养老公寓正规销售")
    db = live_server.session()
    try:
        rule = db.scalars(select(IgnoreRule)).one()
        assert (rule.phrase, rule.site) == ("养老公寓", "http://127.0.0.1:1")
    finally:
        db.close()
