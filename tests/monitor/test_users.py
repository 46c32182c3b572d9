"""Accounts: argon2id hashes, authentication without name-revealing shortcuts, lock-out,
rehash on parameter change, deactivation; passwords never reach the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import users
from monitor.errors import InvalidInput, NotFound
from monitor.models.accounts import AuditEntry
from monitor.models.base import utcnow

PASSWORD = "correct horse battery"
DEFAULT_HASHER = users.hasher  # read before the fixture swaps it


class CountingHasher(PasswordHasher):
    """Counts verifications, to prove unknown names cost the same work as known ones."""

    def __init__(self, **kw: int) -> None:
        super().__init__(**kw)
        self.verifications = 0
        self.hashes = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashes += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    hasher = CountingHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "hasher", hasher)
    yield hasher


def _audit(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_create_user_stores_argon2id_hash_only(session: Session) -> None:
    user = users.create_user(session, "张三", "reviewer", PASSWORD, display_name=" 张三 ")
    session.commit()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert (user.role, user.active, user.failed_logins, user.display_name) == (
        "reviewer",
        True,
        0,
        "张三",
    )
    assert PASSWORD not in repr(user)
    (entry,) = _audit(session, "user.create")
    assert PASSWORD not in str(entry.details)


@pytest.mark.parametrize(
    ("name", "role", "password", "unit", "message"),
    [
        ("ok", "boss", PASSWORD, None, "unknown role 'boss'; choose one of: admin, reviewer"),
        ("has space", "admin", PASSWORD, None, "invalid user name"),
        ("", "admin", PASSWORD, None, "invalid user name"),
        ("ok", "admin", "short", None, "at least 8 characters"),
        ("ok", "admin", "        ", None, "must not be empty"),
        ("ok", "partner", PASSWORD, None, "partner account needs its unit"),
        ("ok", "partner", PASSWORD, "   ", "partner account needs its unit"),
    ],
)
def test_create_user_rejects(
    session: Session, name: str, role: str, password: str, unit: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        users.create_user(session, name, role, password, unit=unit)


def test_duplicate_name(session: Session) -> None:
    users.create_user(session, "li", "grid", PASSWORD)
    session.commit()
    with pytest.raises(InvalidInput, match="user 'li' already exists"):
        users.create_user(session, "li", "admin", PASSWORD)


def test_partner_unit_is_normalised(session: Session) -> None:
    user = users.create_user(session, "police1", "partner", PASSWORD, unit=" 某某 派出所\u3000")
    assert user.unit == "某某派出所"
    assert users.normalize_unit("ＡＢＣ 税务所") == "ABC税务所"


def test_authenticate_success_resets_failures(session: Session) -> None:
    user = users.create_user(session, "wu", "reviewer", PASSWORD)
    user.failed_logins = 3
    session.commit()
    assert users.authenticate(session, "wu", PASSWORD, ip="10.0.0.1") is user
    assert user.failed_logins == 0 and user.last_login_at is not None
    (entry,) = _audit(session, "login")
    assert entry.ip == "10.0.0.1"


def test_wrong_and_unknown_cost_one_verification_each(
    session: Session, cheap_hasher: CountingHasher
) -> None:
    users.create_user(session, "zheng", "reviewer", PASSWORD)
    session.commit()
    cheap_hasher.verifications = 0
    assert users.authenticate(session, "zheng", "wrong password") is None
    assert users.authenticate(session, "nobody", "wrong password") is None
    assert cheap_hasher.verifications == 2  # the unknown name verified a dummy hash
    reasons = [e.details["reason"] for e in _audit(session, "login_failed")]
    assert reasons == ["password", "unknown"]
    for entry in _audit(session, "login_failed"):
        assert "wrong password" not in str(entry.details)


def test_first_login_after_start_costs_the_same_for_any_name(
    session: Session, cheap_hasher: CountingHasher
) -> None:
    """The dummy hash is made on the first login whoever it is for, not only for an
    unknown name (which would make that first unknown-name answer twice as slow)."""
    users.create_user(session, "known", "reviewer", PASSWORD)
    session.commit()
    users._dummy_hash.cache_clear()
    cheap_hasher.hashes = 0
    assert users.authenticate(session, "known", PASSWORD) is not None
    assert cheap_hasher.hashes == 1  # the dummy, made now
    assert users.authenticate(session, "unknown", PASSWORD) is None
    assert cheap_hasher.hashes == 1  # reused: an unknown name adds no hashing


def test_lockout_after_repeated_failures(session: Session) -> None:
    user = users.create_user(session, "feng", "reviewer", PASSWORD)
    session.commit()
    for _ in range(users.MAX_FAILED_LOGINS):
        assert users.authenticate(session, "feng", "nope-nope") is None
    assert users.is_locked(user)
    assert users.authenticate(session, "feng", PASSWORD) is None  # right password, but locked
    assert _audit(session, "login_failed")[-1].details["reason"] == "locked"
    assert user.locked_until is not None
    user.locked_until = utcnow() - timedelta(seconds=1)  # the lock-out has passed
    assert users.authenticate(session, "feng", PASSWORD) is user
    assert not users.is_locked(user)


def test_rehash_when_parameters_change(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = users.create_user(session, "chen", "admin", PASSWORD)
    session.commit()
    old_hash = user.password_hash
    monkeypatch.setattr(
        users, "hasher", PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    )
    assert users.authenticate(session, "chen", PASSWORD) is user
    assert user.password_hash != old_hash and "t=2" in user.password_hash
    same = user.password_hash
    assert users.authenticate(session, "chen", PASSWORD) is user
    assert user.password_hash == same  # no rehash when nothing changed


def test_set_password_and_deactivate(session: Session) -> None:
    user = users.create_user(session, "chu", "grid", PASSWORD)
    user.locked_until = utcnow() + timedelta(minutes=5)
    session.commit()
    with pytest.raises(InvalidInput):
        users.set_password(session, user, "short")
    users.set_password(session, user, "another long one")
    assert user.locked_until is None
    assert users.authenticate(session, "chu", PASSWORD) is None
    assert users.authenticate(session, "chu", "another long one") is user
    users.deactivate(session, user, actor="cli")
    assert users.authenticate(session, "chu", "another long one") is None
    assert _audit(session, "login_failed")[-1].details["reason"] == "inactive"
    assert [u.username for u in users.list_users(session, include_inactive=False)] == []
    assert [u.username for u in users.list_users(session)] == ["chu"]


def test_get_user_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="no user named 'ghost'"):
        users.get_user(session, "ghost")


def test_default_hasher_is_argon2id_rfc9106() -> None:
    """The production hasher keeps argon2-cffi's RFC 9106 low-memory profile (or stronger)."""
    assert DEFAULT_HASHER.type.name == "ID"
    assert DEFAULT_HASHER.memory_cost >= 64 * 1024 and DEFAULT_HASHER.time_cost >= 2
