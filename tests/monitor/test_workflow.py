"""The lead state machine on SQLite and PostgreSQL: every transition, the invalid ones,
disposal validation per kind, rectifications and their re-checks, the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import users, workflow
from monitor.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from monitor.models.accounts import AuditEntry, User
from monitor.models.core import IgnoreRule, Lead
from monitor.models.ledger import Enterprise
from monitor.models.workflow import Disposal, LeadEvent, Rectification, RectificationCheck

RECTIFY = {
    "kind": "rectify",
    "deadline": "2026-12-10",
    "recheck_date": "2026-12-12",
    "responsible_unit": "某某科技有限公司",
    "measures": "撤下“年化18%保本”宣传页",
}
VALID_DISPOSALS: dict[str, dict[str, Any]] = {
    "interview": {"kind": "interview", "commitment_received": True, "interview_date": "2026-12-01"},
    "rectify": RECTIFY,
    "guidance": {"kind": "guidance", "note": "告知不得发布含集资内容的广告"},
    "refer_police": {
        "kind": "refer_police",
        "receiving_unit": "某某派出所",
        "referred_on": "2026-12-02",
    },
    "joint_review": {
        "kind": "joint_review",
        "public_warning_issued": True,
        "meeting_date": "2026-12-03",
    },
}


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap argon2 parameters: these tests are about the workflow, not hashing cost."""
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    yield


def make_user(session: Session, name: str, role: str = "reviewer", unit: str | None = None) -> User:
    user = users.create_user(session, name, role, "password-123", unit=unit)
    session.commit()
    return user


def make_lead(session: Session, *, site: str = "http://shop.test", status: str = "new") -> Lead:
    lead = Lead(
        source_kind="web",
        via="html",
        url=f"{site}/p/{uuid.uuid4().hex[:6]}",
        site=site,
        page_key=uuid.uuid4().hex + uuid.uuid4().hex,
        text="年化18%，保本保息",
        status=status,
    )
    session.add(lead)
    session.commit()
    return lead


@pytest.fixture
def reviewer(session: Session) -> User:
    return make_user(session, "wang", "reviewer")


@pytest.fixture
def lead(session: Session) -> Lead:
    return make_lead(session)


def reviewing(session: Session, lead: Lead, actor: User) -> Lead:
    workflow.start_review(session, lead.id, actor, lead.version_id)
    session.commit()
    return lead


def confirmed(session: Session, lead: Lead, actor: User, kind: str = "guidance") -> Lead:
    reviewing(session, lead, actor)
    workflow.confirm(session, lead.id, actor, lead.version_id, VALID_DISPOSALS[kind])
    session.commit()
    return lead


def test_start_review_records_event_and_audit(session: Session, reviewer: User, lead: Lead) -> None:
    before = lead.version_id
    event = workflow.start_review(session, lead.id, reviewer, before)
    session.commit()
    assert lead.status == "reviewing"
    assert lead.version_id == before + 1
    assert lead.updated_by_id == reviewer.id
    assert (event.from_status, event.to_status, event.actor_id) == ("new", "reviewing", reviewer.id)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "lead.start_review")
    ).one()
    assert entry.actor_name == "wang"
    assert (entry.target_type, entry.target_id) == ("lead", str(lead.id))
    assert entry.details["to_status"] == "reviewing"


@pytest.mark.parametrize("kind", sorted(VALID_DISPOSALS))
def test_confirm_each_disposal_kind(
    session: Session, reviewer: User, lead: Lead, kind: str
) -> None:
    confirmed(session, lead, reviewer, kind)
    assert lead.status == "confirmed"
    assert lead.disposal_kind == kind
    disposal = workflow.get_disposal(session, lead.id)
    assert disposal is not None and disposal.kind == kind
    assert disposal.decided_by_id == reviewer.id
    event = workflow.history(session, lead.id)[-1]
    assert event.action == "confirm" and event.details["disposal"]["kind"] == kind
    rectifications = session.scalars(select(Rectification).where(Rectification.lead_id == lead.id))
    assert len(list(rectifications)) == (1 if kind == "rectify" else 0)


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("interview", "commitment_received"),
        ("interview", "interview_date"),
        ("rectify", "deadline"),
        ("rectify", "recheck_date"),
        ("rectify", "responsible_unit"),
        ("rectify", "measures"),
        ("guidance", "note"),
        ("refer_police", "receiving_unit"),
        ("refer_police", "referred_on"),
        ("joint_review", "public_warning_issued"),
        ("joint_review", "meeting_date"),
    ],
)
def test_disposal_missing_field_is_invalid_input(kind: str, missing: str) -> None:
    data = {k: v for k, v in VALID_DISPOSALS[kind].items() if k != missing}
    with pytest.raises(InvalidInput, match=rf"invalid {kind} disposal .*{missing} is required"):
        workflow.parse_disposal(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "fine"}, "disposal kind must be one of"),
        ({"note": "x"}, "disposal kind must be one of"),
        ({**RECTIFY, "recheck_date": "2026-12-01"}, "recheck_date must not be before"),
        ({**RECTIFY, "measures": "   "}, "measures"),
        ({**RECTIFY, "dead_line": "2026-12-10"}, "dead_line is not a field"),
        ({**VALID_DISPOSALS["interview"], "interview_date": "next week"}, "interview_date"),
    ],
)
def test_disposal_bad_values(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        workflow.parse_disposal(data)


def test_invalid_confirm_changes_nothing(session: Session, reviewer: User, lead: Lead) -> None:
    reviewing(session, lead, reviewer)
    version = lead.version_id
    with pytest.raises(InvalidInput):
        workflow.confirm(session, lead.id, reviewer, version, {"kind": "rectify"})
    session.rollback()
    assert workflow.load_lead(session, lead.id).status == "reviewing"
    assert workflow.get_disposal(session, lead.id) is None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("new", "confirm"),
        ("new", "dismiss"),
        ("new", "close"),
        ("new", "reopen"),
        ("reviewing", "start_review"),
        ("reviewing", "close"),
        ("reviewing", "reopen"),
        ("confirmed", "start_review"),
        ("confirmed", "dismiss"),
        ("dismissed", "close"),
        ("dismissed", "confirm"),
        ("closed", "confirm"),
        ("closed", "close"),
    ],
)
def test_invalid_transitions(session: Session, reviewer: User, status: str, action: str) -> None:
    lead = make_lead(session, status=status)
    calls = {
        "start_review": lambda v: workflow.start_review(session, lead.id, reviewer, v),
        "confirm": lambda v: workflow.confirm(
            session, lead.id, reviewer, v, VALID_DISPOSALS["guidance"]
        ),
        "dismiss": lambda v: workflow.dismiss(session, lead.id, reviewer, v, "广告合规"),
        "close": lambda v: workflow.close(session, lead.id, reviewer, v, "已整改"),
        "reopen": lambda v: workflow.reopen(session, lead.id, reviewer, v, "复核"),
    }
    with pytest.raises(InvalidTransition, match=f"it is {status}"):
        calls[action](lead.version_id)
    session.rollback()
    assert workflow.load_lead(session, lead.id).status == status
    assert workflow.history(session, lead.id) == []


def test_new_to_dismissed_needs_review_first(session: Session, reviewer: User, lead: Lead) -> None:
    with pytest.raises(InvalidTransition, match="start the review first"):
        workflow.dismiss(session, lead.id, reviewer, lead.version_id, "误报")


def test_dismiss_with_site_ignore_rule(session: Session, reviewer: User, lead: Lead) -> None:
    reviewing(session, lead, reviewer)
    workflow.dismiss(
        session,
        lead.id,
        reviewer,
        lead.version_id,
        "银行正规理财，有风险提示",
        ("保本保息", "site"),
    )
    session.commit()
    assert lead.status == "dismissed"
    rule = session.scalars(select(IgnoreRule)).one()
    assert (rule.phrase, rule.site, rule.lead_id, rule.created_by_id) == (
        "保本保息",
        "http://shop.test",
        lead.id,
        reviewer.id,
    )
    assert rule.reason == "银行正规理财，有风险提示"


def test_dismiss_anywhere_rule_and_validation(session: Session, reviewer: User, lead: Lead) -> None:
    reviewing(session, lead, reviewer)
    with pytest.raises(InvalidInput, match="reason"):
        workflow.dismiss(session, lead.id, reviewer, lead.version_id, "  ")
    with pytest.raises(InvalidInput, match="phrase"):
        workflow.dismiss(session, lead.id, reviewer, lead.version_id, "误报", ("保", "anywhere"))
    with pytest.raises(InvalidInput, match="scope"):
        workflow.dismiss(session, lead.id, reviewer, lead.version_id, "误报", ("保本", "city"))  # type: ignore[arg-type]
    workflow.dismiss(session, lead.id, reviewer, lead.version_id, "误报", ("反诈提示", "anywhere"))
    session.commit()
    assert session.scalars(select(IgnoreRule.site)).one() is None


def test_close_and_reopen(session: Session, reviewer: User, lead: Lead) -> None:
    confirmed(session, lead, reviewer, "interview")
    with pytest.raises(InvalidInput, match="outcome"):
        workflow.close(session, lead.id, reviewer, lead.version_id, "")
    workflow.close(session, lead.id, reviewer, lead.version_id, "已约谈，签署承诺书，广告已下架")
    session.commit()
    assert lead.status == "closed"
    workflow.reopen(session, lead.id, reviewer, lead.version_id, "广告再次出现")
    session.commit()
    assert lead.status == "reviewing" and lead.disposal_kind is None
    workflow.confirm(session, lead.id, reviewer, lead.version_id, VALID_DISPOSALS["refer_police"])
    session.commit()
    disposal = workflow.get_disposal(session, lead.id)
    assert disposal is not None and disposal.kind == "refer_police"
    assert disposal.commitment_received is None  # the interview's fields are gone
    actions = [(e.action, e.from_status, e.to_status) for e in workflow.history(session, lead.id)]
    assert actions == [
        ("start_review", "new", "reviewing"),
        ("confirm", "reviewing", "confirmed"),
        ("close", "confirmed", "closed"),
        ("reopen", "closed", "reviewing"),
        ("confirm", "reviewing", "confirmed"),
    ]
    assert (
        workflow.history(session, lead.id)[-1].details["replaced_disposal"]["kind"] == "interview"
    )
    assert session.scalars(select(LeadEvent).where(LeadEvent.action == "close")).one().reason


def test_rectification_blocks_close_until_recheck(
    session: Session, reviewer: User, lead: Lead
) -> None:
    confirmed(session, lead, reviewer, "rectify")
    rect = workflow.current_rectification(session, lead.id)
    assert rect is not None and rect.deadline == date(2026, 12, 10) and rect.status == "open"
    with pytest.raises(InvalidTransition, match="rectification"):
        workflow.close(session, lead.id, reviewer, lead.version_id, "已整改")
    session.rollback()

    version = lead.version_id
    check = workflow.record_recheck(session, lead, None, still_present=True)  # system re-crawl
    session.commit()
    assert check is not None and check.still_present
    assert rect.status == "open" and rect.recheck_result == "still_present"
    assert lead.version_id == version  # a re-check never makes a reviewer's form stale

    workflow.record_recheck(
        session, lead.id, None, still_present=False, actor=reviewer, note="现场核查已撤下"
    )
    session.commit()
    assert rect.status == "done" and rect.recheck_result == "removed" and rect.rechecked_at
    assert session.scalars(select(RectificationCheck)).all()[-1].checked_by_id == reviewer.id
    workflow.close(session, lead.id, reviewer, lead.version_id, "整改到位")
    session.commit()
    assert lead.status == "closed"
    rechecks = [e for e in workflow.history(session, lead.id) if e.action == "recheck"]
    assert [e.details["still_present"] for e in rechecks] == [True, False]
    assert rechecks[0].actor_id is None
    audits = session.scalars(
        select(AuditEntry.actor_name).where(AuditEntry.action == "rectification.recheck")
    )
    assert list(audits) == ["system", "wang"]


def test_recheck_without_rectification_is_noop(
    session: Session, reviewer: User, lead: Lead
) -> None:
    assert workflow.record_recheck(session, lead, None, still_present=True) is None
    assert session.scalars(select(RectificationCheck)).all() == []


def test_reopen_supersedes_rectification(session: Session, reviewer: User, lead: Lead) -> None:
    confirmed(session, lead, reviewer, "rectify")
    workflow.reopen(session, lead.id, reviewer, lead.version_id, "逾期未整改，拟移送公安")
    session.commit()
    assert workflow.current_rectification(session, lead.id) is None
    assert session.scalars(select(Rectification.status)).one() == "superseded"
    assert workflow.overdue_rectifications(session, date(2027, 1, 1)) == []


def test_overdue_rectifications(session: Session, reviewer: User) -> None:
    late, on_time, fixed = (make_lead(session) for _ in range(3))
    for lead, deadline in ((late, "2026-12-01"), (on_time, "2026-12-20"), (fixed, "2026-11-30")):
        reviewing(session, lead, reviewer)
        spec = {**RECTIFY, "deadline": deadline, "recheck_date": deadline}
        workflow.confirm(session, lead.id, reviewer, lead.version_id, spec)
        session.commit()
    workflow.record_recheck(session, late, None, still_present=True)
    workflow.record_recheck(session, fixed, None, still_present=False)
    session.commit()
    overdue = workflow.overdue_rectifications(session, date(2026, 12, 5))
    assert [r.lead_id for r in overdue] == [late.id]
    assert workflow.overdue_rectifications(session, date(2026, 12, 1)) == []  # due today
    assert [r.lead_id for r in workflow.overdue_rectifications(session, date(2026, 12, 21))] == [
        late.id,
        on_time.id,
    ]


def test_link_enterprise(session: Session, reviewer: User, lead: Lead) -> None:
    confirmed(session, lead, reviewer, "rectify")
    ent = Enterprise(credit_code="91110000100000000X", name="某某科技有限公司")
    session.add(ent)
    session.commit()
    with pytest.raises(NotFound):
        workflow.link_enterprise(session, lead.id, reviewer, lead.version_id, ent.id + 100)
    event = workflow.link_enterprise(session, lead.id, reviewer, lead.version_id, ent.id)
    session.commit()
    assert event is not None and event.details == {
        "from_enterprise_id": None,
        "to_enterprise_id": ent.id,
    }
    assert lead.enterprise_id == ent.id
    rect = workflow.current_rectification(session, lead.id)
    assert rect is not None and rect.enterprise_id == ent.id
    assert workflow.link_enterprise(session, lead.id, reviewer, lead.version_id, ent.id) is None


def test_add_note_keeps_status_and_version(session: Session, reviewer: User, lead: Lead) -> None:
    version = lead.version_id
    event = workflow.add_note(session, lead.id, reviewer, None, "已截图留证")
    session.commit()
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        "note",
        "new",
        "new",
        "已截图留证",
    )
    assert workflow.load_lead(session, lead.id).version_id == version
    with pytest.raises(InvalidInput):
        workflow.add_note(session, lead.id, reviewer, None, " ")


@pytest.mark.parametrize("role", ["grid", "partner"])
def test_non_staff_cannot_decide(session: Session, lead: Lead, role: str) -> None:
    actor = make_user(session, f"u{role}", role, unit="某某派出所")
    with pytest.raises(PermissionDenied, match=f"role {role}"):
        workflow.start_review(session, lead.id, actor, lead.version_id)
    assert workflow.load_lead(session, lead.id).status == "new"


def test_deactivated_reviewer_is_refused(session: Session, reviewer: User, lead: Lead) -> None:
    users.deactivate(session, reviewer)
    session.commit()
    with pytest.raises(PermissionDenied, match="deactivated"):
        workflow.start_review(session, lead.id, reviewer, lead.version_id)


def test_unknown_lead_is_not_found(session: Session, reviewer: User) -> None:
    with pytest.raises(NotFound, match="lead 999"):
        workflow.start_review(session, 999, reviewer, 1)


def test_allowed_actions() -> None:
    assert workflow.allowed_actions("new") == ["start_review"]
    assert workflow.allowed_actions("reviewing") == ["confirm", "dismiss"]
    assert workflow.allowed_actions("confirmed") == ["close", "reopen"]
    assert workflow.allowed_actions("closed") == ["reopen"]


def test_disposal_table_has_one_row_per_lead(session: Session, reviewer: User, lead: Lead) -> None:
    confirmed(session, lead, reviewer, "guidance")
    workflow.reopen(session, lead.id, reviewer, lead.version_id, "复核")
    session.commit()
    workflow.confirm(session, lead.id, reviewer, lead.version_id, VALID_DISPOSALS["joint_review"])
    session.commit()
    rows = session.scalars(select(Disposal).where(Disposal.lead_id == lead.id)).all()
    assert [(r.kind, r.note, r.public_warning_issued) for r in rows] == [
        ("joint_review", None, True)
    ]


def test_due_rechecks(session: Session, reviewer: User) -> None:
    early, later = make_lead(session), make_lead(session)
    for lead, recheck in ((early, "2026-12-12"), (later, "2026-12-20")):
        reviewing(session, lead, reviewer)
        spec = {**RECTIFY, "recheck_date": recheck}
        workflow.confirm(session, lead.id, reviewer, lead.version_id, spec)
        session.commit()
    assert workflow.due_rechecks(session, date(2026, 12, 11)) == []
    assert [r.lead_id for r in workflow.due_rechecks(session, date(2026, 12, 12))] == [early.id]
    workflow.record_recheck(session, early, None, still_present=False)
    session.commit()
    assert [r.lead_id for r in workflow.due_rechecks(session, date(2026, 12, 31))] == [later.id]
