"""What handlers get injected: the database session, the signed-in user, role checks and
CSRF verification. Handlers never open sessions or read cookies themselves."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import AdmonError
from monitor.web import sessions
from monitor.web.sessions import SignedIn

PRE_COOKIE = "admon_pre"  # anonymous-form CSRF anchor (login, public tip form)


class LoginRequired(Exception):
    """No live session: the handler answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class Forbidden(AdmonError):
    """The signed-in user's role may not open this page (answered with 403)."""

    code = "denied"


class CsrfDenied(AdmonError):
    """A form was posted without a valid CSRF token (answered with 403)."""

    code = "csrf_denied"


def client_ip(request: Request) -> str | None:
    """The peer address (admon serves an intranet directly; no proxy headers trusted)."""
    return request.client.host if request.client else None


def db_session(request: Request) -> Iterator[Session]:
    """One session per request; handlers commit what they change."""
    factory = request.app.state.session_factory
    db: Session = factory()
    try:
        yield db
    finally:
        db.rollback()
        db.close()


DB = Annotated[Session, Depends(db_session)]


def optional_user(request: Request, db: DB) -> SignedIn | None:
    """The signed-in user, or None. Expired sessions are removed as a side effect."""
    signed_in = sessions.resolve(db, request.cookies.get(sessions.COOKIE_NAME))
    db.commit()
    request.state.signed_in = signed_in
    return signed_in


def require(*roles: str) -> Callable[..., SignedIn]:
    """A dependency: the user must be signed in and hold one of `roles` (any, if none)."""

    def dependency(
        request: Request, db: DB, signed_in: Annotated[SignedIn | None, Depends(optional_user)]
    ) -> SignedIn:
        if signed_in is None:
            raise LoginRequired(request.url.path)
        if roles and signed_in.view.role not in roles:
            audit.record(
                db,
                signed_in.user,
                "denied",
                None,
                ip=client_ip(request),
                path=request.url.path,
                role=signed_in.view.role,
            )
            db.commit()
            raise Forbidden("无权访问此页面")
        return signed_in

    return dependency


def anonymous_csrf_token(request: Request) -> str:
    """CSRF token for forms shown before sign-in, bound to the browser's pre-cookie."""
    anchor = getattr(request.state, "pre_cookie", None) or request.cookies.get(PRE_COOKIE, "")
    key: bytes = request.app.state.secret_key
    return hmac.new(key, anchor.encode(), hashlib.sha256).hexdigest()


async def _posted_token(request: Request) -> str:
    form = await request.form()
    token = form.get("csrf_token")
    if isinstance(token, str):
        return token
    return request.headers.get("x-csrf-token", "")


async def verify_csrf(request: Request, db: DB) -> None:
    """For every state-changing form: the token must match the session's (or, signed out,
    the pre-cookie's). A failure is audited as `csrf_denied` and answered with 403."""
    posted = await _posted_token(request)
    signed_in = sessions.resolve(db, request.cookies.get(sessions.COOKIE_NAME))
    if signed_in is not None:
        expected = signed_in.csrf_token
    elif request.cookies.get(PRE_COOKIE):
        expected = anonymous_csrf_token(request)
    else:
        expected = ""
    if not expected or not posted or not secrets.compare_digest(posted, expected):
        audit.record(
            db,
            signed_in.user if signed_in else None,
            "csrf_denied",
            None,
            ip=client_ip(request),
            path=request.url.path,
        )
        db.commit()
        raise CsrfDenied("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重试")


CsrfChecked = Depends(verify_csrf)
