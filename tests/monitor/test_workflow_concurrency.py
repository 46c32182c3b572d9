"""Two reviewers, one lead (faults.md row 25), on two real connections, on SQLite and
PostgreSQL: one wins, the other gets a ConflictError naming the winner, nothing is
overwritten, and both attempts are in the audit log."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor import users, workflow
from monitor.db import session_factory
from monitor.errors import ConflictError
from monitor.models.accounts import AuditEntry, User
from monitor.models.core import Lead
from monitor.workflow import transitions

GUIDANCE = {"kind": "guidance", "note": "行政引导：告知广告法第二十五条"}
INTERVIEW = {"kind": "interview", "commitment_received": True, "interview_date": "2026-12-01"}


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    yield


@pytest.fixture
def setup(engine: Engine) -> tuple[int, int, int]:
    """Two reviewers and a lead under review; returns (alice id, bob id, lead id)."""
    with session_factory(engine)() as s:
        alice = users.create_user(s, "alice", "reviewer", "password-123", display_name="李四")
        bob = users.create_user(s, "bob", "reviewer", "password-123")
        lead = Lead(
            source_kind="web",
            via="html",
            url="http://shop.test/p/1",
            site="http://shop.test",
            page_key=uuid.uuid4().hex * 2,
            status="new",
        )
        s.add(lead)
        s.commit()
        workflow.start_review(s, lead.id, alice, lead.version_id)
        s.commit()
        return alice.id, bob.id, lead.id


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_second_confirm_on_stale_form_conflicts(
    engine: Engine, setup: tuple[int, int, int]
) -> None:
    alice_id, bob_id, lead_id = setup
    factory = session_factory(engine)
    with factory() as s1, factory() as s2:
        alice, bob = s1.get(User, alice_id), s2.get(User, bob_id)
        assert alice is not None and bob is not None
        shown = workflow.load_lead(s1, lead_id).version_id
        assert workflow.load_lead(s2, lead_id).version_id == shown  # both forms show it

        workflow.confirm(s1, lead_id, alice, shown, INTERVIEW)
        s1.commit()
        with pytest.raises(
            ConflictError, match=r"changed by 李四 \(alice\) at \d{4}-\d\d-\d\d"
        ) as exc:
            workflow.confirm(s2, lead_id, bob, shown, GUIDANCE)
        assert isinstance(exc.value, workflow.LeadConflict)
        assert exc.value.status == "confirmed" and exc.value.version == shown + 1

    with factory() as s:
        assert workflow.get_disposal(s, lead_id).kind == "interview"  # type: ignore[union-attr]
        assert [e.action for e in workflow.history(s, lead_id)] == ["start_review", "confirm"]
    (won,) = _audit(engine, "lead.confirm")
    (lost,) = _audit(engine, "lead.conflict")
    assert won.actor_name == "alice"
    assert lost.actor_id == bob_id and lost.actor_name == "bob"
    assert lost.details["attempted"] == "lead.confirm"
    assert lost.details["changed_by"] == "李四 (alice)"
    assert lost.details["expected_version"] == shown


def test_truly_concurrent_confirms(
    engine: Engine, setup: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """B passes the version check while A's change is flushed but not committed; B's
    versioned UPDATE then waits for A's lock and finds the row changed (StaleDataError)."""
    alice_id, bob_id, lead_id = setup
    factory = session_factory(engine)
    a_flushed, b_checked = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}
    real_check: Callable[..., None] = transitions.check_version

    def spying_check(session: Session, lead: Lead, actor: Any, action: str, expected: int) -> None:
        real_check(session, lead, actor, action, expected)
        if actor.username == "bob":
            outcome["bob_passed_check"] = True
            b_checked.set()

    monkeypatch.setattr(transitions, "check_version", spying_check)
    with factory() as s0:
        shown = workflow.load_lead(s0, lead_id).version_id

    def reviewer_a() -> None:
        with factory() as s:
            alice = s.get(User, alice_id)
            assert alice is not None
            workflow.confirm(s, lead_id, alice, shown, INTERVIEW)  # flushed, row locked
            a_flushed.set()
            b_checked.wait(10)
            threading.Event().wait(0.7)  # let B reach its UPDATE and block on our lock
            s.commit()
            outcome["a"] = "committed"

    def reviewer_b() -> None:
        a_flushed.wait(10)
        with factory() as s:
            bob = s.get(User, bob_id)
            assert bob is not None
            try:
                workflow.confirm(s, lead_id, bob, shown, GUIDANCE)
                s.commit()
                outcome["b"] = "committed"
            except ConflictError as exc:
                outcome["b"] = exc

    threads = [threading.Thread(target=reviewer_a), threading.Thread(target=reviewer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome["a"] == "committed"
    assert outcome.get("bob_passed_check"), "B must have passed the pre-check (flush path)"
    assert isinstance(outcome["b"], workflow.LeadConflict), outcome["b"]
    assert "李四 (alice)" in str(outcome["b"])
    with factory() as s:
        assert workflow.get_disposal(s, lead_id).kind == "interview"  # type: ignore[union-attr]
    assert [e.actor_name for e in _audit(engine, "lead.confirm")] == ["alice"]
    assert [e.actor_name for e in _audit(engine, "lead.conflict")] == ["bob"]


def test_change_by_intake_is_named_as_system(engine: Engine, setup: tuple[int, int, int]) -> None:
    alice_id, _, lead_id = setup
    factory = session_factory(engine)
    with factory() as s:
        shown = workflow.load_lead(s, lead_id).version_id
    with factory() as s:  # intake stores new content; it does not touch updated_by_id
        lead = workflow.load_lead(s, lead_id)
        assert lead.updated_by_id == alice_id  # alice started the review
        lead.text, lead.current_version = "月息3分，稳赚不赔", lead.current_version + 1
        s.commit()
        assert lead.updated_by_id is None and lead.version_id == shown + 1
    with factory() as s:
        alice = s.get(User, alice_id)
        assert alice is not None
        with pytest.raises(ConflictError, match=r"changed by system \(intake\)"):
            workflow.dismiss(s, lead_id, alice, shown, "误报")
        assert workflow.load_lead(s, lead_id).status == "reviewing"
