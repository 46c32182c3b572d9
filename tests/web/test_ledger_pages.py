"""Enterprise ledger pages through the real app and a real database (SQLite and
PostgreSQL): list and filters, detail, tag with reason and history, 异动 and 走访 forms,
xlsx export and import, linking a lead, role and CSRF checks."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.ledger.columns import COLUMNS, EXPORT_ONLY
from monitor.ledger.uscc import make_credit_code
from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead
from monitor.models.ledger import Enterprise, EnterpriseTagHistory
from tests.web.conftest import csrf_from, login, make_user

HOSTILE = '<script>alert("x")</script>'


def code(n: int) -> str:
    return make_credit_code("9", "1", "440305", f"MA{n:06d}")


def _enterprise(db: Session, n: int, name: str, **fields: object) -> int:
    ent = Enterprise(credit_code=code(n), name=name, status="active", **fields)
    db.add(ent)
    db.commit()
    return ent.id


def _reviewer(client: TestClient, db: Session, name: str = "wang") -> None:
    make_user(db, name, "reviewer")
    login(client, name)


def _version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match
    return match.group(1)


def test_list_filters_by_tag_community_and_search(app_client: TestClient, db: Session) -> None:
    red = _enterprise(db, 1, "鑫盛财富投资管理有限公司", tag="red", community="桃源社区")
    _enterprise(db, 2, "绿叶餐饮有限公司", tag="green", community="桃源社区")
    _enterprise(db, 3, HOSTILE + "科技有限公司", community="西丽社区", industry="软件")
    _reviewer(app_client, db)
    page = app_client.get("/ledger")
    assert page.status_code == 200
    assert 'class="tag tag-red"' in page.text and 'class="tag tag-green"' in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    only_red = app_client.get("/ledger", params={"tag": "red"}).text
    assert f'href="/ledger/{red}"' in only_red and "绿叶餐饮" not in only_red
    by_code = app_client.get("/ledger", params={"q": code(2).lower()}).text
    assert "绿叶餐饮" in by_code and "鑫盛财富" not in by_code
    by_name = app_client.get("/ledger", params={"q": "鑫盛"}).text
    assert "鑫盛财富" in by_name and "绿叶餐饮" not in by_name
    west = app_client.get("/ledger", params={"community": "西丽社区"}).text
    assert "科技有限公司" in west and "鑫盛财富" not in west
    untagged = app_client.get("/ledger", params={"tag": "none"}).text
    assert "科技有限公司" in untagged and "鑫盛财富" not in untagged
    literal = app_client.get("/ledger", params={"q": "%"}).text  # % is text, not a wildcard
    assert "没有符合条件的企业" in literal


def test_tag_change_appears_in_history_with_reason(app_client: TestClient, db: Session) -> None:
    ent = _enterprise(
        db, 4, "某某理财咨询有限公司", business_scope="理财咨询" + HOSTILE, building=HOSTILE
    )
    _reviewer(app_client, db)
    page = app_client.get(f"/ledger/{ent}")
    assert page.status_code == 200
    assert HOSTILE not in page.text and page.text.count("&lt;script&gt;") >= 2
    assert "系统建议" in page.text and "理财" in page.text  # 条例 第九条 word signal
    response = app_client.post(
        f"/ledger/{ent}/tag",
        data={
            "csrf_token": csrf_from(page.text),
            "version": _version(page.text),
            "tag": "red",
            "reason": "名称含理财字样<b>已约谈</b>",
        },
    )
    assert response.status_code == 303
    after = app_client.get(response.headers["location"]).text
    history = after.split('class="tag-history"')[1].split("</table>")[0]
    assert "名称含理财字样&lt;b&gt;已约谈&lt;/b&gt;" in history
    assert "tag tag-red" in history and "wang" in history
    db.expire_all()
    rows = list(
        db.scalars(select(EnterpriseTagHistory).where(EnterpriseTagHistory.enterprise_id == ent))
    )
    assert [(r.to_tag, r.actor) for r in rows] == [("red", "wang")]
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.set_tag")) is not None


def test_stale_tag_form_is_a_conflict_and_nothing_changes(
    app_client: TestClient, db: Session
) -> None:
    ent = _enterprise(db, 5, "甲公司")
    _reviewer(app_client, db)
    page = app_client.get(f"/ledger/{ent}").text
    token, version = csrf_from(page), _version(page)
    first = app_client.post(
        f"/ledger/{ent}/tag",
        data={"csrf_token": token, "version": version, "tag": "yellow", "reason": "关注"},
    )
    assert first.status_code == 303
    second = app_client.post(
        f"/ledger/{ent}/tag",
        data={"csrf_token": token, "version": version, "tag": "green", "reason": "旧表单"},
    )
    assert second.status_code == 409
    db.expire_all()
    enterprise = db.get(Enterprise, ent)
    assert enterprise is not None and enterprise.tag == "yellow"


def test_tag_without_reason_or_csrf_is_refused(app_client: TestClient, db: Session) -> None:
    ent = _enterprise(db, 6, "乙公司")
    _reviewer(app_client, db)
    page = app_client.get(f"/ledger/{ent}").text
    no_reason = app_client.post(
        f"/ledger/{ent}/tag",
        data={"csrf_token": csrf_from(page), "version": _version(page), "tag": "red"},
    )
    assert no_reason.status_code == 422
    no_csrf = app_client.post(
        f"/ledger/{ent}/tag", data={"version": _version(page), "tag": "red", "reason": "x"}
    )
    assert no_csrf.status_code == 403
    db.expire_all()
    enterprise = db.get(Enterprise, ent)
    assert enterprise is not None and enterprise.tag is None
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "csrf_denied")) is not None


def test_event_and_visit_are_recorded_and_audited(app_client: TestClient, db: Session) -> None:
    ent = _enterprise(db, 7, "丙公司", actual_address="科技园1栋", community="桃源社区")
    _reviewer(app_client, db)
    token = csrf_from(app_client.get(f"/ledger/{ent}").text)
    event = app_client.post(
        f"/ledger/{ent}/event",
        data={
            "csrf_token": token,
            "kind": "address_change",
            "occurred_on": "2026-11-20",
            "new_value": "科技园9栋",
            "note": "迁址",
        },
    )
    assert event.status_code == 303
    visit = app_client.post(
        f"/ledger/{ent}/visit",
        data={
            "csrf_token": token,
            "visitor": "王五",
            "visited_at": "2026-11-21T10:30",
            "promo_materials": "issue",
            "findings": "前台摆放理财宣传单",
        },
    )
    assert visit.status_code == 303
    page = app_client.get(f"/ledger/{ent}").text
    assert "地址变更" in page and "科技园9栋" in page and "科技园1栋" in page
    assert "前台摆放理财宣传单" in page and "2026-11-21 10:30" in page and "有问题" in page
    actions = list(db.scalars(select(AuditEntry.action)))
    assert actions.count("ledger.event") == 1  # audited once, by the ledger itself
    assert actions.count("ledger.visit") == 1
    missing_value = app_client.post(
        f"/ledger/{ent}/event",
        data={"csrf_token": token, "kind": "name_change", "occurred_on": "2026-11-22"},
    )
    assert missing_value.status_code == 422


def test_export_downloads_a_workbook_with_the_cli_columns(
    app_client: TestClient, db: Session
) -> None:
    _enterprise(db, 8, "丁公司", tag="red", tag_reason="已约谈", community="桃源社区")
    _reviewer(app_client, db)
    response = app_client.get("/ledger/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in COLUMNS] + list(EXPORT_ONLY)
    assert rows[1][0] == code(8) and rows[1][1] == "丁公司"
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.export")) is not None


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["统一社会信用代码", "企业名称", "所属社区", "风险等级"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_shows_the_rejected_row_and_keeps_the_good_ones(
    app_client: TestClient, db: Session
) -> None:
    _reviewer(app_client, db)
    token = csrf_from(app_client.get("/ledger/import").text)
    body = _workbook(
        [
            [code(11), "好一公司", "桃源社区", "黄"],
            ["91440305MA0000000X", HOSTILE, "桃源社区", ""],
            [code(12), "好二公司", "西丽社区", ""],
        ]
    )
    response = app_client.post(
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("台账.xlsx", body, "application/octet-stream")},
    )
    assert response.status_code == 200
    rejected = response.text.split('class="rejected"')[1].split("</table>")[0]
    assert "第 3 行" in rejected and "统一社会信用代码" in rejected
    assert "新增 <strong>2</strong> 家" in response.text
    names = set(db.scalars(select(Enterprise.name)))
    assert names == {"好一公司", "好二公司"}
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.import")) is not None


def test_import_of_a_bad_file_imports_nothing(app_client: TestClient, db: Session) -> None:
    _reviewer(app_client, db)
    token = csrf_from(app_client.get("/ledger/import").text)
    not_xlsx = app_client.post(
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("台账.xls", b"\xd0\xcf\x11\xe0 not a zip", "application/vnd.ms-excel")},
    )
    assert not_xlsx.status_code == 422
    assert "未导入任何数据" in not_xlsx.text
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "社区"])
    ws.append(["某公司", "桃源社区"])
    buffer = io.BytesIO()
    wb.save(buffer)
    no_code_column = app_client.post(
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("x.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert no_code_column.status_code == 422 and "统一社会信用代码" in no_code_column.text
    assert list(db.scalars(select(Enterprise))) == []
    just_over = app_client.post(  # within the multipart envelope: read, found too long
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("big.xlsx", b"\0" * ((10 << 20) + 1), "x")},
    )
    assert just_over.status_code == 413 and "超过 10 MB" in just_over.text
    far_over = app_client.post(  # refused from Content-Length before the body is read
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("big.xlsx", b"\0" * (11 << 20), "x")},
    )
    assert far_over.status_code == 413 and "超过 10 MB" in far_over.text
    unread = app_client.post("/ledger/import", files={"file": ("big.xlsx", b"\0" * (11 << 20))})
    assert unread.status_code == 413  # no CSRF token, yet refused by size: never parsed
    no_file = app_client.post("/ledger/import", data={"csrf_token": token, "file": "x"})
    assert no_file.status_code == 422
    no_csrf = app_client.post(
        "/ledger/import", files={"file": ("x.xlsx", _workbook([[code(13), "丙"]]), "x")}
    )
    assert no_csrf.status_code == 403
    assert list(db.scalars(select(Enterprise))) == []


def test_staff_link_a_lead_to_a_candidate_enterprise(app_client: TestClient, db: Session) -> None:
    from tests.web.test_coverage_reports import ingest_ad

    lead_id = ingest_ad(app_client, db, "http://127.0.0.1:9/ad/link")
    ent = _enterprise(db, 14, "深圳市鑫盛财富有限公司")
    _enterprise(db, 16, "绿叶餐饮有限公司")
    _reviewer(app_client, db)
    page = app_client.get(f"/leads/{lead_id}/candidates")
    assert page.status_code == 200
    candidates = page.text.split('class="candidates"')[1].split("</table>")[0]
    assert f'value="{ent}"' in candidates and "绿叶餐饮" not in candidates
    response = app_client.post(
        f"/leads/{lead_id}/link",
        data={
            "csrf_token": csrf_from(page.text),
            "version": _version(page.text),
            "enterprise_id": ent,
        },
    )
    assert response.status_code == 303
    db.expire_all()
    lead = db.get(Lead, lead_id)
    assert lead is not None and lead.enterprise_id == ent
    assert f'href="/leads/{lead_id}"' in app_client.get(f"/ledger/{ent}").text
    stale = app_client.post(
        f"/leads/{lead_id}/link",
        data={
            "csrf_token": csrf_from(page.text),
            "version": _version(page.text),
            "enterprise_id": ent,
        },
    )
    assert stale.status_code == 409  # the link bumped the lead version
    assert app_client.get("/leads/999999/candidates").status_code == 404


def test_other_roles_cannot_open_the_ledger(app_client: TestClient, db: Session) -> None:
    ent = _enterprise(db, 15, "戊公司")
    make_user(db, "grid1", "grid")
    login(app_client, "grid1")
    for path in ("/ledger", f"/ledger/{ent}", "/ledger/export", "/ledger/import"):
        assert app_client.get(path).status_code == 403, path
    assert app_client.get("/ledger/999999").status_code == 403  # role check before lookup


def test_unknown_enterprise_is_404(app_client: TestClient, db: Session) -> None:
    _reviewer(app_client, db)
    assert app_client.get("/ledger/999999").status_code == 404


def test_list_shows_the_system_suggestion_and_flags_tags_it_outranks(
    app_client: TestClient, db: Session
) -> None:
    untagged = _enterprise(db, 11, "鑫汇财富管理有限公司", business_scope="财富管理;投资咨询")
    agreed = _enterprise(db, 12, "恒泰财富管理有限公司", business_scope="财富管理", tag="red")
    plain = _enterprise(db, 13, "和顺餐饮有限公司", business_scope="餐饮服务")
    _reviewer(app_client, db)
    page = app_client.get("/ledger").text

    def row(enterprise_id: int) -> str:
        start = page.index(f'href="/ledger/{enterprise_id}"')
        return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]

    assert "needs-review" in row(untagged) and 'tag-red">红' in row(untagged)
    assert "needs-review" not in row(agreed)  # staff already agree with the signals
    assert "needs-review" not in row(plain) and 'tag-green">绿' in row(plain)
