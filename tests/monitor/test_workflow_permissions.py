"""Who sees which lead: staff everything, partners only what was referred to their unit,
grid workers their own uploads; a refused look is audited as `denied` (faults.md row 14)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import users, workflow
from monitor.errors import PermissionDenied
from monitor.models.accounts import AuditEntry, User
from monitor.models.core import Lead, Upload

REFER = {"kind": "refer_police", "receiving_unit": "某某 派出所", "referred_on": "2026-12-02"}


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    yield


def make_user(session: Session, name: str, role: str, unit: str | None = None) -> User:
    return users.create_user(session, name, role, "password-123", unit=unit)


def make_lead(session: Session, upload: Upload | None = None) -> Lead:
    lead = Lead(
        source_kind="poster" if upload else "web",
        via="poster" if upload else "html",
        url=f"upload:{upload.id}" if upload else "http://shop.test/p",
        page_key=uuid.uuid4().hex * 2,
        upload_id=upload.id if upload else None,
    )
    session.add(lead)
    session.commit()
    return lead


def refer(session: Session, lead: Lead, reviewer: User, spec: dict[str, str]) -> None:
    workflow.start_review(session, lead.id, reviewer, lead.version_id)
    workflow.confirm(session, lead.id, reviewer, lead.version_id, spec)
    session.commit()


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    people = {
        "reviewer": make_user(session, "rev", "reviewer"),
        "admin": make_user(session, "adm", "admin"),
        "police": make_user(session, "police", "partner", unit="某某派出所"),
        "other_police": make_user(session, "police2", "partner", unit="另一派出所"),
        "tax": make_user(session, "tax", "partner", unit="某某税务所"),
        "grid": make_user(session, "grid", "grid"),
        "grid2": make_user(session, "grid2", "grid"),
    }
    session.commit()
    return people


def test_partner_sees_only_leads_referred_to_its_unit(
    session: Session, people: dict[str, User]
) -> None:
    referred, guided, untouched = make_lead(session), make_lead(session), make_lead(session)
    refer(session, referred, people["reviewer"], REFER)  # unit typed with a space
    refer(session, guided, people["reviewer"], {"kind": "guidance", "note": "已引导"})

    assert workflow.can_view_lead(people["police"], referred)
    for lead in (guided, untouched):
        assert not workflow.can_view_lead(people["police"], lead)
    for name in ("other_police", "tax"):
        assert not workflow.can_view_lead(people[name], referred)
    for name in ("reviewer", "admin"):
        assert all(workflow.can_view_lead(people[name], x) for x in (referred, guided, untouched))

    visible = session.scalars(
        select(Lead.id).where(workflow.visible_leads_clause(people["police"]))
    ).all()
    assert visible == [referred.id]
    everything = session.scalars(
        select(Lead.id).where(workflow.visible_leads_clause(people["reviewer"]))
    ).all()
    assert sorted(everything) == sorted([referred.id, guided.id, untouched.id])


def test_referral_withdrawn_by_reconfirming(session: Session, people: dict[str, User]) -> None:
    lead = make_lead(session)
    reviewer = people["reviewer"]
    refer(session, lead, reviewer, REFER)
    workflow.reopen(session, lead.id, reviewer, lead.version_id, "移送有误")
    workflow.confirm(
        session, lead.id, reviewer, lead.version_id, {"kind": "guidance", "note": "引导"}
    )
    session.commit()
    assert not workflow.can_view_lead(people["police"], lead)


def test_grid_worker_sees_own_uploads(session: Session, people: dict[str, User]) -> None:
    upload = Upload(sha256="a" * 64, original_path="x/y.jpg", uploader_id=people["grid"].id)
    session.add(upload)
    session.commit()
    poster, web = make_lead(session, upload), make_lead(session)
    assert workflow.can_view_lead(people["grid"], poster)
    assert not workflow.can_view_lead(people["grid"], web)
    assert not workflow.can_view_lead(people["grid2"], poster)


def test_inactive_or_missing_actor_sees_nothing(session: Session, people: dict[str, User]) -> None:
    lead = make_lead(session)
    assert not workflow.can_view_lead(None, lead)
    users.deactivate(session, people["reviewer"])
    assert not workflow.can_view_lead(people["reviewer"], lead)


def test_denied_view_is_audited_separately(session: Session, people: dict[str, User]) -> None:
    lead = make_lead(session)
    lead_id, police_id = lead.id, people["police"].id
    with pytest.raises(PermissionDenied, match=f"lead {lead_id} is not shared with 'police'"):
        workflow.check_can_view(session, people["police"], lead, ip="192.0.2.7")
    with Session(bind=session.get_bind()) as other:
        entry = other.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.ip) == (
        police_id,
        "lead",
        str(lead_id),
        "192.0.2.7",
    )


def test_anonymous_view_is_denied_and_named(session: Session) -> None:
    lead = make_lead(session)
    with pytest.raises(PermissionDenied, match="not shared with 'anonymous'"):
        workflow.check_can_view(session, None, lead)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).one()
    assert (entry.actor_id, entry.actor_name) == (None, "anonymous")


def test_partner_may_note_referred_lead_but_not_decide(
    session: Session, people: dict[str, User]
) -> None:
    referred, other = make_lead(session), make_lead(session)
    refer(session, referred, people["reviewer"], REFER)
    event = workflow.add_note(session, referred.id, people["police"], None, "已受理，立案侦查")
    session.commit()
    assert event.actor_id == people["police"].id and event.to_status == "confirmed"
    with pytest.raises(PermissionDenied):
        workflow.close(session, referred.id, people["police"], referred.version_id, "已立案")
    with pytest.raises(PermissionDenied):
        workflow.add_note(session, other.id, people["police"], None, "窥探")
    with pytest.raises(PermissionDenied):
        workflow.add_note(session, referred.id, people["grid"], None, "备注")


def test_require_role() -> None:
    user = User(username="u", role="grid", active=True, password_hash="x")
    assert workflow.require_role(user, "grid", "admin") is user
    with pytest.raises(PermissionDenied, match="needs admin or reviewer"):
        workflow.require_role(user, *workflow.STAFF)
    with pytest.raises(PermissionDenied, match="login required"):
        workflow.require_role(None, "admin")
