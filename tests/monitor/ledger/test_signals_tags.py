"""Risk signals, the suggested tag, and staff-set tags with full history."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.db import session_factory
from monitor.errors import ConflictError, InvalidInput, NotFound
from monitor.ledger.detail import enterprise_detail
from monitor.ledger.events import record_event
from monitor.ledger.signals import assess, assess_many
from monitor.ledger.tags import parse_tag, set_tag
from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead
from monitor.models.ledger import Enterprise, EnterpriseTagHistory
from monitor.models.workflow import Rectification

from .conftest import code, fake_scan

AS_OF = date(2026, 11, 15)


def _ent(session: Session, n: int, name: str, **kw: object) -> Enterprise:
    ent = Enterprise(credit_code=code(n), name=name, status="active", **kw)
    session.add(ent)
    session.flush()
    return ent


def _lead(session: Session, ent: Enterprise, status: str, disposal: str | None = None) -> Lead:
    key = hashlib.sha256(f"{ent.id}{status}{disposal}".encode()).hexdigest()
    lead = Lead(
        source_kind="web",
        via="html",
        url=f"http://127.0.0.1/{key[:8]}",
        page_key=key,
        status=status,
        enterprise_id=ent.id,
        disposal_kind=disposal,
    )
    session.add(lead)
    session.flush()
    return lead


def _codes(session: Session, ent: Enterprise) -> dict[str, str]:
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    return {r.code: r.level for r in a.reasons}


def test_clean_enterprise_is_green(session: Session) -> None:
    ent = _ent(session, 1, "深圳市甲乙软件有限公司", business_scope="软件开发")
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "green" and a.reasons == []


def test_restricted_word_in_name_is_red_and_watch_word_yellow(session: Session) -> None:
    red = _ent(session, 1, "深圳市鑫盛理财咨询有限公司")
    yellow = _ent(session, 2, "深圳市丙丁科技有限公司", business_scope="项目投资（不含限制项目）")
    a = assess(session, red, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "red"
    assert any("理财" in r.message and "企业名称" in r.message for r in a.reasons)
    assert _codes(session, yellow) == {"watch_word": "yellow"}


def test_address_mismatch_after_normalisation(session: Session) -> None:
    same = _ent(
        session,
        1,
        "甲公司",
        registered_address="深圳市南山区科技园1栋 101室",
        actual_address="南山区科技园1号楼101",
    )
    moved = _ent(
        session, 2, "乙公司", registered_address="南山区科技园1栋", actual_address="福田区华强北"
    )
    assert _codes(session, same) == {}
    assert _codes(session, moved) == {"address_mismatch": "yellow"}


def test_two_changes_within_twelve_months(session: Session) -> None:
    ent = _ent(session, 1, "甲公司", actual_address="A")
    record_event(session, ent, "address_change", occurred_on=date(2025, 10, 1), new_value="B",
                 recorded_by="t")  # fmt: skip
    record_event(session, ent, "executive_change", occurred_on=date(2026, 3, 1),
                 new_value="法定代表人 张三→李四", recorded_by="t")  # fmt: skip
    session.flush()
    assert ent.actual_address == "B"
    assert _codes(session, ent) == {}  # the 2025-10-01 change is more than 12 months back
    record_event(session, ent, "address_change", occurred_on=date(2026, 9, 1), new_value="C",
                 recorded_by="t")  # fmt: skip
    session.flush()
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert [r.code for r in a.reasons] == ["frequent_changes"]
    assert "地址1次、高管1次" in a.reasons[0].message


def test_branch_burst_needs_three_branches_in_ninety_days(session: Session) -> None:
    parent = _ent(session, 1, "深圳市鑫盛咨询有限公司")
    b1 = _ent(session, 2, "深圳市鑫盛咨询有限公司南山分公司", established_on=date(2026, 6, 1))
    b2 = _ent(session, 3, "鑫盛咨询福田分店", established_on=date(2026, 7, 1))
    other = _ent(session, 4, "深圳市别家咨询有限公司宝安分公司", established_on=date(2026, 7, 2))
    assert _codes(session, parent) == {}
    b3 = _ent(session, 5, "深圳市鑫盛咨询有限公司宝安分公司", established_on=date(2026, 8, 20))
    a = assess_many(session, [parent, b1, b2, b3, other], as_of=AS_OF, scanner=fake_scan)
    assert a[parent.id].suggested_tag == "yellow"
    assert "3家" in a[parent.id].reasons[0].message
    assert all(a[b.id].reasons[0].code == "branch_burst" for b in (b1, b2, b3))
    assert a[other.id].reasons == []
    # Spread over more than 90 days: no burst.
    b3.established_on = date(2026, 9, 15)
    session.flush()
    assert _codes(session, parent) == {}


def test_confirmed_leads_and_their_disposal(session: Session) -> None:
    ent = _ent(session, 1, "甲公司")
    _lead(session, ent, "new")
    _lead(session, ent, "dismissed")
    assert _codes(session, ent) == {}
    lead = _lead(session, ent, "confirmed")
    assert _codes(session, ent) == {"confirmed_lead": "red"}
    lead.disposal_kind = "interview"
    session.flush()
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "red" and "正在处置（约谈）" in a.reasons[0].message
    lead.status = "closed"
    session.flush()
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "yellow" and "约谈并结案" in a.reasons[0].message
    _lead(session, ent, "closed", "refer_police")
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "red" and "移送公安" in a.reasons[0].message


def test_overdue_rectification_is_red(session: Session) -> None:
    ent = _ent(session, 1, "甲公司")
    lead = _lead(session, ent, "confirmed", "rectify")
    rect = Rectification(
        lead_id=lead.id,
        enterprise_id=ent.id,
        responsible_unit="甲公司",
        measures="撤下广告",
        deadline=date(2026, 11, 10),
        recheck_date=date(2026, 11, 11),
        status="open",
    )
    session.add(rect)
    session.flush()
    reasons = assess(session, ent, as_of=AS_OF, scanner=fake_scan).reasons
    assert [r.code for r in reasons] == ["confirmed_lead", "overdue_rectification"]
    assert "2026-11-10" in reasons[1].message
    detail = enterprise_detail(session, ent.id, as_of=AS_OF, scanner=fake_scan)
    assert detail["version"] == ent.version
    assert [(r["deadline"], r["status"], r["overdue"]) for r in detail["rectifications"]] == [
        ("2026-11-10", "open", True)
    ]
    rect.status = "done"
    session.flush()
    assert _codes(session, ent) == {"confirmed_lead": "red"}
    # Not overdue on the deadline day itself.
    rect.status = "open"
    session.flush()
    early = assess(session, ent, as_of=date(2026, 11, 10), scanner=fake_scan)
    assert [r.code for r in early.reasons] == ["confirmed_lead"]


def test_set_tag_keeps_history_and_suggestion(session: Session) -> None:
    ent = _ent(session, 1, "深圳市鑫盛理财咨询有限公司")
    set_tag(session, ent.id, "yellow", "已约谈，承诺整改", "张三", as_of=AS_OF, scanner=fake_scan)
    set_tag(session, ent.id, "red", "复查仍在宣传", "李四", as_of=AS_OF, scanner=fake_scan)
    session.flush()
    history = session.scalars(select(EnterpriseTagHistory).order_by(EnterpriseTagHistory.id)).all()
    assert [(h.from_tag, h.to_tag, h.actor) for h in history] == [
        (None, "yellow", "张三"),
        ("yellow", "red", "李四"),
    ]
    assert history[0].suggested_tag == "red"
    assert history[0].suggested_reasons[0]["code"] == "restricted_word"
    assert ent.tag == "red" and ent.tag_reason == "复查仍在宣传" and ent.tag_set_by == "李四"
    audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.set_tag")).all()
    assert len(audits) == 2 and audits[0].target_id == str(ent.id)


def test_suggestion_never_overrides_staff_tag(session: Session) -> None:
    ent = _ent(session, 1, "深圳市鑫盛理财咨询有限公司")
    set_tag(session, ent.id, "green", "经核实为正规持牌机构", "张三", scanner=fake_scan)
    session.flush()
    a = assess(session, ent, as_of=AS_OF, scanner=fake_scan)
    assert a.suggested_tag == "red" and a.current_tag == "green" and a.disagrees
    assert ent.tag == "green"


@pytest.mark.parametrize(
    ("tag", "reason", "actor", "error"),
    [("purple", "x", "a", InvalidInput), ("red", "  ", "a", InvalidInput),
     ("red", "x", "", InvalidInput)],
)  # fmt: skip
def test_set_tag_validation(
    session: Session, tag: str, reason: str, actor: str, error: type[Exception]
) -> None:
    ent = _ent(session, 1, "甲公司")
    with pytest.raises(error):
        set_tag(session, ent.id, tag, reason, actor, scanner=fake_scan)
    with pytest.raises(NotFound):
        set_tag(session, 999_999, "red", "x", "a", scanner=fake_scan)


def test_parse_tag_words() -> None:
    assert [parse_tag(w) for w in ("红", "黄色", "低风险", "RED", " 高 ")] == [
        "red", "yellow", "green", "red", "red",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="无法识别"):
        parse_tag("紫")


def test_concurrent_tag_changes_one_wins(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as setup:
        ent = _ent(setup, 1, "甲公司")
        setup.commit()
        ent_id, version = ent.id, ent.version
    first, second = factory(), factory()
    try:
        set_tag(first, ent_id, "red", "张三的判断", "张三", scanner=fake_scan)
        stale = second.get(Enterprise, ent_id)  # loaded (and held) before the first commits
        assert stale is not None and stale.version == version
        first.commit()
        with pytest.raises(ConflictError, match="已被他人同时修改"):
            set_tag(second, ent_id, "green", "李四的判断", "李四", scanner=fake_scan)
        second.rollback()
        with pytest.raises(ConflictError, match="最近标签操作人：张三"):
            set_tag(second, ent_id, "green", "李四", "李四", scanner=fake_scan,
                    expected_version=version)  # fmt: skip
    finally:
        first.close()
        second.close()
    with factory() as check:
        stored = check.get(Enterprise, ent_id)
        assert stored is not None and stored.tag == "red"
        assert len(check.scalars(select(EnterpriseTagHistory)).all()) == 1
