"""Sign-in sessions kept in the database.

Idle timeout 30 minutes and an absolute lifetime of 12 hours (faults.md row 16). The
cookie holds a random token only; the table stores its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor.models.accounts import User
from monitor.models.base import utcnow
from monitor.models.web import WebSession

COOKIE_NAME = "admon_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
#: Avoid a write on every request: last_seen_at is refreshed at most this often.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class UserView:
    """The signed-in user's name and role, read once per request, so a page can still
    be rendered after a domain call rolled the session back (which expires ORM objects)."""

    id: int
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class SignedIn:
    """The user behind a request and the session's CSRF token."""

    user: User
    session_id: int
    csrf_token: str
    view: UserView


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, user: User, *, ip: str | None, user_agent: str) -> str:
    """Create a session for `user` and return the cookie token (shown once)."""
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_sha256=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            ip=ip,
            user_agent=user_agent[:200],
        )
    )
    db.flush()
    return token


def resolve(db: Session, token: str | None) -> SignedIn | None:
    """The live session for a cookie token, or None (unknown, expired or user inactive).

    An expired session row is deleted here, so the same cookie can never come back.
    """
    if not token:
        return None
    # One round trip for the session and its user: this runs on every page view.
    found = db.execute(
        select(WebSession, User)
        .outerjoin(User, User.id == WebSession.user_id)
        .where(WebSession.token_sha256 == _digest(token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > ABSOLUTE_LIFETIME:
        db.delete(row)
        db.flush()
        return None
    if user is None or not user.active:
        db.delete(row)
        db.flush()
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
        db.flush()
    view = UserView(user.id, user.username, user.display_name, user.role)
    return SignedIn(user=user, session_id=row.id, csrf_token=row.csrf_token, view=view)


def end(db: Session, token: str | None) -> None:
    """Log out: the session row is removed, so the old cookie is worthless."""
    if token:
        db.execute(delete(WebSession).where(WebSession.token_sha256 == _digest(token)))


def end_all_for(db: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a password change or deactivation)."""
    db.execute(delete(WebSession).where(WebSession.user_id == user_id))
