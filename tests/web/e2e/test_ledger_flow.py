"""A reviewer works the enterprise ledger in a real browser: find the enterprise, open it,
set the tag to red with a reason, and see the decision in the tag history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from monitor import users
from monitor.ledger.uscc import make_credit_code
from monitor.models.ledger import Enterprise, EnterpriseTagHistory
from tests.web.e2e.conftest import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "reviewer-pass-2026"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


def _arrange(server: LiveServer) -> int:
    db: Session = server.session()
    try:
        users.create_user(db, "zhou", "reviewer", PASSWORD, display_name="周审核")
        ent = Enterprise(
            credit_code=make_credit_code("9", "1", "440305", "MD000001"),
            name="鑫盛财富管理有限公司",
            business_scope="财富管理咨询" + HOSTILE,
            community="桃源社区",
            status="active",
        )
        db.add(ent)
        db.commit()
        return ent.id
    finally:
        db.close()


def test_reviewer_tags_an_enterprise_red_and_sees_the_history(
    live_server: LiveServer, page: Page
) -> None:
    enterprise_id = _arrange(live_server)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + "/leads")
    page.click("nav >> text=企业台账")
    page.fill("input[name=q]", "鑫盛")
    page.click("text=筛选")
    page.click("table.ledger >> text=鑫盛财富管理有限公司")
    page.wait_for_url(f"{live_server.url}/ledger/{enterprise_id}")
    # The 条例 第九条 word in the name makes the system suggest red; staff decide.
    expect(page.locator("section.signals")).to_contain_text("财富管理")
    expect(page.locator("table.tag-history")).to_contain_text("尚未设置过标签")
    page.select_option("form.tag-form select[name=tag]", "red")
    page.fill("form.tag-form textarea[name=reason]", "名称含“财富管理”，已约谈，列为重点")
    page.click("form.tag-form button[type=submit]")
    expect(page.locator("p.notice")).to_be_visible()
    history = page.locator("table.tag-history tbody tr").first
    expect(history).to_contain_text("名称含“财富管理”，已约谈，列为重点")
    expect(history).to_contain_text("zhou")
    expect(history.locator("td").nth(1).locator(".tag-red")).to_have_text("红")  # → 红
    expect(page.locator("h1 .tag-red")).to_have_text("红")
    assert page.title() != "pwned"
    db = live_server.session()
    try:
        rows = db.query(EnterpriseTagHistory).filter_by(enterprise_id=enterprise_id).all()
        assert [(r.to_tag, r.actor) for r in rows] == [("red", "zhou")]
    finally:
        db.close()
