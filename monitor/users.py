"""Accounts (用户管理): create, authenticate, change password, deactivate.

Passwords are hashed with argon2id (argon2-cffi's `PasswordHasher`, RFC 9106 defaults) and
rehashed on the next successful login when the parameters change. A login for a name that
does not exist still verifies against a dummy hash, so response time does not reveal which
names exist. Passwords are never logged or put in the audit log.

Functions add to the caller's session and flush; the caller commits.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import InvalidInput, NotFound
from monitor.models.accounts import ROLE_VALUES, Role, User
from monitor.models.base import utcnow

#: Shortest password accepted. NIST SP 800-63B §5.1.1.2 asks for at least 8 characters.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a bound stops hashing megabytes
#: After this many consecutive failures the account is locked for LOCKOUT (faults.md row 15).
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

_USERNAME = re.compile(r"^[\w.@-]{1,64}$")  # \w includes CJK, so 张三 is a valid name

#: The hasher in use; tests swap it for one with other parameters to exercise rehashing.
hasher = PasswordHasher()


@lru_cache(maxsize=4)
def _dummy_hash(params: tuple[int, int, int, int, int]) -> str:
    """A hash made with the current parameters, verified when the user is unknown."""
    return hasher.hash(secrets.token_urlsafe(16))


def _params() -> tuple[int, int, int, int, int]:
    return (
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
    )


def normalize_unit(unit: str | None) -> str | None:
    """Canonical form of a unit name (单位名称): NFKC (full-width → half-width), no spaces.

    A partner account's unit and a referral's receiving unit are compared in this form,
    so "某某 派出所" typed on a form still matches "某某派出所".
    """
    if unit is None:
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit))
    return text or None


def generate_password() -> str:
    """A random password to print once when none was given (about 96 bits)."""
    return secrets.token_urlsafe(12)


def check_password_policy(password: str) -> None:
    """Raise InvalidInput when a password is too short, too long or blank."""
    if not password.strip():
        raise InvalidInput("password must not be empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


def parse_role(role: str) -> Role:
    """The Role named `role`, or InvalidInput listing the valid ones."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; choose one of: {', '.join(ROLE_VALUES)}"
        ) from None


def get_user(session: Session, username: str) -> User:
    """The user called `username` (active or not), or NotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(session: Session, *, include_inactive: bool = True) -> list[User]:
    """All accounts, by name."""
    stmt = select(User).order_by(User.username)
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    return list(session.scalars(stmt))


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    unit: str | None = None,
    created_by: User | str | None = None,
) -> User:
    """Create an account. A partner needs its unit (派出所, 税务所…), which decides what it
    may read. Raises InvalidInput for a bad or duplicate name, role, unit or password."""
    username = username.strip()
    if not _USERNAME.match(username):
        raise InvalidInput(
            f"invalid user name {username!r}: 1-64 letters, digits, '.', '_', '-' or '@'"
        )
    parsed_role = parse_role(role)
    unit = normalize_unit(unit)
    if parsed_role is Role.PARTNER and unit is None:
        raise InvalidInput("a partner account needs its unit (e.g. --unit 某某派出所)")
    check_password_policy(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=parsed_role.value,
        unit=unit,
        password_hash=hasher.hash(password),
        active=True,
        failed_logins=0,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # a concurrent create of the same name; the session must roll back
        raise InvalidInput(f"user {username!r} already exists") from None
    audit.record(session, created_by, "user.create", user, role=user.role, unit=unit)
    return user


def authenticate(
    session: Session, username: str, password: str, *, ip: str | None = None
) -> User | None:
    """The active user whose password this is, else None (and an audit `login_failed`).

    Always runs one argon2 verification, whether or not the name exists or is locked,
    so timing reveals neither. Counts consecutive failures and locks the account for
    LOCKOUT after MAX_FAILED_LOGINS; a successful login resets the count and rehashes
    the password when the hasher's parameters have changed.
    """
    now = utcnow()
    # Made (once per parameter set) before the lookup, so the first login after start-up
    # costs the same whether or not the name exists.
    dummy = _dummy_hash(_params())
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _verify(dummy, password)
        audit.record(
            session,
            None,
            "login_failed",
            ip=ip,
            username=username[:64],
            reason="unknown" if user is None else "inactive",
        )
        return None
    ok = _verify(user.password_hash, password)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(session, user, "login_failed", user, ip=ip, reason="locked")
        return None
    if not ok:
        user.failed_logins = (user.failed_logins or 0) + 1
        locked = user.failed_logins >= MAX_FAILED_LOGINS
        if locked:
            user.locked_until = now + LOCKOUT
        audit.record(
            session,
            user,
            "login_failed",
            user,
            ip=ip,
            reason="password",
            failed_logins=user.failed_logins,
            locked=locked,
        )
        session.flush()
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    audit.record(session, user, "login", user, ip=ip)
    session.flush()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(
    session: Session, user: User, new_password: str, *, actor: User | str | None = None
) -> None:
    """Replace a user's password and clear any lock-out."""
    check_password_policy(new_password)
    user.password_hash = hasher.hash(new_password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor if actor is not None else user, "user.set_password", user)
    session.flush()


def deactivate(session: Session, user: User, *, actor: User | str | None = None) -> None:
    """Switch an account off. It is kept: the audit log and lead history point at it."""
    if not user.active:
        return
    user.active = False
    audit.record(session, actor, "user.deactivate", user)
    session.flush()


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Whether the account is in its lock-out period (the login page says so)."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())
