"""Sign in and out (登录/退出).

Rate limited per client address and per user name (faults.md row 15); the message never
says whether the name or the password was wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor import users
from monitor.web import sessions
from monitor.web.deps import DB, CsrfChecked, client_ip, optional_user
from monitor.web.sessions import SignedIn
from monitor.web.templating import render

router = APIRouter()

LOGIN_FAILED = "用户名或密码错误，或账号已被暂时锁定"


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(
    request: Request,
    signed_in: Annotated[SignedIn | None, Depends(optional_user)],
    next: str = "/",
) -> Response:
    """The sign-in form (also shown, with the sign-out button, to someone signed in)."""
    return render(
        request, "login.html", {"next": safe_next(next), "error": None}, signed_in=signed_in
    )


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter = request.app.state.login_limiter
    ip = client_ip(request) or "unknown"
    wait = max(limiter.hit(f"ip:{ip}"), limiter.hit(f"user:{username.strip()}"))
    if wait > 0:
        response = render(
            request,
            "login.html",
            {"next": safe_next(next), "error": f"尝试次数过多，请 {int(wait) + 1} 秒后再试"},
            status_code=429,
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    user = users.authenticate(db, username.strip(), password, ip=ip)
    if user is None:
        db.commit()
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": LOGIN_FAILED},
            status_code=401,
        )
    token = sessions.start(db, user, ip=ip, user_agent=request.headers.get("user-agent", ""))
    db.commit()
    limiter.reset(f"user:{username.strip()}")
    redirect = RedirectResponse(safe_next(next), status_code=303)
    redirect.set_cookie(
        sessions.COOKIE_NAME,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(sessions.ABSOLUTE_LIFETIME.total_seconds()),
    )
    return redirect


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DB) -> Response:
    sessions.end(db, request.cookies.get(sessions.COOKIE_NAME))
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME)
    return response
