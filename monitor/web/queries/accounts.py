"""Account administration from the web: `monitor.users` plus the web's own sessions.

A reset or a deactivation must also end the account's web sessions (`sessions.end_all_for`),
which `monitor.users` cannot do (it knows nothing of the web); and the web shows a generated
password once instead of asking the admin to type one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor import users
from monitor.errors import InvalidInput, NotFound
from monitor.models.accounts import User
from monitor.web import sessions


def add_user(
    session: Session,
    actor: User,
    *,
    username: str,
    role: str,
    display_name: str,
    unit: str,
) -> tuple[User, str]:
    """Create an account with a generated password; returns the user and the password (to
    be shown once, never stored in clear or audited)."""
    password = users.generate_password()
    user = users.create_user(
        session,
        username,
        role,
        password,
        display_name=display_name,
        unit=unit or None,
        created_by=actor,
    )
    return user, password


def reset_password(session: Session, actor: User, user_id: int) -> tuple[User, str]:
    """Give the account a new generated password and sign it out everywhere."""
    user = _get(session, user_id)
    password = users.generate_password()
    users.set_password(session, user, password, actor=actor)
    sessions.end_all_for(session, user.id)
    return user, password


def deactivate_user(session: Session, actor: User, user_id: int) -> User:
    """Switch an account off and end its sessions; an admin cannot lock themselves out."""
    user = _get(session, user_id)
    if user.id == actor.id:
        raise InvalidInput("不能停用自己的账号（请由另一位管理员操作）")
    users.deactivate(session, user, actor=actor)
    sessions.end_all_for(session, user.id)
    return user


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 id {user_id} 不存在")
    return user
