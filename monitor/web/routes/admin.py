"""系统管理 (admin only): the hub, accounts (add, deactivate, reset password) and the audit
log.

A generated password is shown once, on the page that answers the POST, and never stored
in clear, logged or put in the audit log (`monitor.users` drops it from audit details).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from monitor import users
from monitor.web.deps import DB, CsrfChecked
from monitor.web.forms_admin import UserAddForm, UserTargetForm
from monitor.web.queries.accounts import add_user, deactivate_user, reset_password
from monitor.web.queries.audit_log import search_audit
from monitor.web.routes.staff_common import Admin, local_time, office_tz, see_other
from monitor.web.templating import render

router = APIRouter()

AUDIT_PER_PAGE = 100


@router.get("/admin")
def admin_hub(request: Request, signed_in: Admin) -> Response:
    return render(request, "admin/index.html", {}, signed_in=signed_in)


def _users_page(
    request: Request,
    db: DB,
    signed_in: Admin,
    *,
    shown_password: tuple[str, str] | None = None,
    notice: str = "",
) -> Response:
    tz = office_tz(request)
    context = {
        "users": users.list_users(db),
        "shown_password": shown_password,
        "notice": notice,
        "local": lambda value: local_time(value, tz),
    }
    response = render(request, "admin/users.html", context, signed_in=signed_in)
    if shown_password:
        response.headers["Cache-Control"] = "no-store"  # the one-time password page
    return response


@router.get("/admin/users")
def user_list(request: Request, db: DB, signed_in: Admin) -> Response:
    notice = {"deactivated": "账号已停用"}.get(request.query_params.get("notice", ""), "")
    return _users_page(request, db, signed_in, notice=notice)


@router.post("/admin/users", dependencies=[CsrfChecked])
def user_add(
    request: Request, db: DB, form: Annotated[UserAddForm, Form()], signed_in: Admin
) -> Response:
    """Create the account and show its generated password once (no redirect: a reload
    must not show it again, and nothing else keeps it)."""
    user, password = add_user(
        db,
        signed_in.user,
        username=form.username,
        role=form.role,
        display_name=form.display_name,
        unit=form.unit,
    )
    name = user.username
    db.commit()
    return _users_page(request, db, signed_in, shown_password=(name, password), notice="已添加")


@router.post("/admin/users/reset", dependencies=[CsrfChecked])
def user_reset(
    request: Request, db: DB, form: Annotated[UserTargetForm, Form()], signed_in: Admin
) -> Response:
    user, password = reset_password(db, signed_in.user, form.user_id)
    name = user.username
    db.commit()
    return _users_page(request, db, signed_in, shown_password=(name, password), notice="密码已重置")


@router.post("/admin/users/deactivate", dependencies=[CsrfChecked])
def user_deactivate(db: DB, form: Annotated[UserTargetForm, Form()], signed_in: Admin) -> Response:
    deactivate_user(db, signed_in.user, form.user_id)
    db.commit()
    return see_other("/admin/users?notice=deactivated")


@router.get("/admin/audit")
def audit_log(
    request: Request,
    db: DB,
    signed_in: Admin,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    tz = office_tz(request)
    result = search_audit(
        db, action=action.strip(), actor=actor.strip(), page=page, per_page=AUDIT_PER_PAGE
    )
    context = {
        "result": result,
        "action": action.strip(),
        "actor": actor.strip(),
        "local": lambda value: local_time(value, tz, "%Y-%m-%d %H:%M:%S"),
    }
    return render(request, "admin/audit.html", context, signed_in=signed_in)
