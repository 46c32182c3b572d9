"""Lead ↔ enterprise: ranked candidates, never a silent link; staff confirm through workflow."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import NotFound, PermissionDenied
from monitor.ledger.detail import enterprise_detail
from monitor.ledger.linking import candidates_for_lead, candidates_for_text, confirm_link
from monitor.ledger.names import core_name
from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead
from monitor.models.ledger import Enterprise
from monitor.users import create_user

from .conftest import code

PASSWORD = "correct-horse-battery-staple-9"


@pytest.fixture
def ledger(session: Session) -> dict[str, Enterprise]:
    names = {
        "xinsheng": "深圳市前海鑫盛财富投资管理有限公司",
        "huaxia": "华夏众联(深圳)科技股份有限公司",
        "other": "深圳市南山区和平餐饮有限公司",
        "short": "深圳市鑫盛有限公司",
    }
    out = {}
    for n, (key, name) in enumerate(names.items(), start=1):
        ent = Enterprise(credit_code=code(n), name=name, status="active")
        session.add(ent)
        out[key] = ent
    session.flush()
    return out


def _lead(session: Session, text: str, title: str = "") -> Lead:
    lead = Lead(
        source_kind="web",
        via="html",
        url="http://127.0.0.1/ad",
        page_key=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        title=title,
    )
    session.add(lead)
    session.flush()
    return lead


def test_core_names() -> None:
    assert core_name("深圳市前海鑫盛财富投资管理有限公司") == "前海鑫盛财富投资管理"
    assert core_name("华夏众联(深圳)科技股份有限公司") == "华夏众联科技"
    assert core_name("ＡＢＣ 理财 有限责任公司") == "ABC理财"


def test_credit_code_in_text_ranks_first(session: Session, ledger: dict[str, Enterprise]) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code(3))
    proposal = candidates_for_text(session, f"营业执照 统一社会信用代码：{full_width} 年化18%")
    assert proposal.candidates[0].enterprise_id == ledger["other"].id
    assert proposal.candidates[0].score == 100 and proposal.candidates[0].evidence == "credit_code"


def test_unknown_code_is_reported_not_invented(
    session: Session, ledger: dict[str, Enterprise]
) -> None:
    proposal = candidates_for_text(session, f"代码 {code(99)}，保本保息")
    assert proposal.candidates == [] and proposal.unknown_codes == [code(99)]


def test_exact_and_fuzzy_names_are_ranked_with_scores(
    session: Session, ledger: dict[str, Enterprise]
) -> None:
    exact = candidates_for_text(session, "前海鑫盛财富投资管理，月息2分，保本保息！")
    assert exact.candidates[0].enterprise_id == ledger["xinsheng"].id
    assert exact.candidates[0].evidence == "core_name" and exact.candidates[0].score == 90
    partial = candidates_for_text(session, "鑫盛财富投资管理，月息2分，保本保息！")
    assert [c.enterprise_id for c in partial.candidates] == [ledger["xinsheng"].id]
    assert partial.candidates[0].evidence == "partial_name"
    assert 80 <= partial.candidates[0].score <= 88
    fuzzy = candidates_for_text(session, "华夏众联科技公司诚邀合伙人，稳赚不赔")
    top = fuzzy.candidates[0]
    assert top.enterprise_id == ledger["huaxia"].id and top.evidence in ("fuzzy_name", "core_name")
    typo = candidates_for_text(session, "华夏众连科技有限公司 诚邀投资")
    assert typo.candidates and typo.candidates[0].enterprise_id == ledger["huaxia"].id
    assert typo.candidates[0].evidence == "fuzzy_name" and 80 <= typo.candidates[0].score < 90
    assert candidates_for_text(session, "今日特价 红烧肉 12元").candidates == []


def test_candidates_never_link(session: Session, ledger: dict[str, Enterprise]) -> None:
    lead = _lead(session, "前海鑫盛财富投资管理 高息理财")
    proposal = candidates_for_lead(session, lead.id)
    assert proposal.candidates[0].enterprise_id == ledger["xinsheng"].id
    session.refresh(lead)
    assert lead.enterprise_id is None
    with pytest.raises(NotFound):
        candidates_for_lead(session, 999_999)


def test_confirm_link_goes_through_workflow(
    session: Session, ledger: dict[str, Enterprise]
) -> None:
    reviewer = create_user(session, "zhangsan", "reviewer", PASSWORD)
    grid = create_user(session, "wangwu", "grid", PASSWORD)
    lead = _lead(session, "鑫盛财富 年化20%")
    assert confirm_link(session, lead.id, ledger["xinsheng"].id, actor=reviewer) is True
    session.flush()
    assert lead.enterprise_id == ledger["xinsheng"].id
    assert confirm_link(session, lead.id, ledger["xinsheng"].id, actor=reviewer) is False
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "lead.link_enterprise")
    ).one()
    assert entry.actor_name == "zhangsan" and entry.target_id == str(lead.id)
    detail = enterprise_detail(session, ledger["xinsheng"].credit_code, as_of=date(2026, 11, 15))
    assert [item["id"] for item in detail["leads"]] == [lead.id]
    with pytest.raises(PermissionDenied):
        confirm_link(session, lead.id, ledger["huaxia"].id, actor=grid)
    with pytest.raises(NotFound):
        confirm_link(session, lead.id, 999_999, actor=reviewer)


def test_lead_candidates_search_the_whole_capture(
    session: Session, ledger: dict[str, Enterprise]
) -> None:
    """An image ad names no company; the page it sits on has the licence in its footer."""
    from monitor.models.core import Capture, CaptureText

    page = Capture(kind="page", url="http://127.0.0.1/shop")
    session.add(page)
    session.flush()
    image = Capture(kind="image", url="http://127.0.0.1/ad.png", page_capture_id=page.id)
    session.add(image)
    session.flush()
    footer = f"关于我们 | 统一社会信用代码：{ledger['huaxia'].credit_code}"
    session.add(CaptureText(capture_id=page.id, via="html", text=footer,
                            sha256=hashlib.sha256(footer.encode()).hexdigest()))  # fmt: skip
    lead = _lead(session, "月息3分 保本保息 名额有限")
    lead.capture_id = image.id
    session.flush()
    proposal = candidates_for_lead(session, lead.id)
    assert proposal.candidates[0].enterprise_id == ledger["huaxia"].id
    assert proposal.candidates[0].evidence == "credit_code"
