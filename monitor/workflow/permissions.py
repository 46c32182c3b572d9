"""Who may do what in the review workflow (权限).

Roles (monitor.models.accounts.Role):

* admin, reviewer (执法人员) — see every lead, make every decision;
* grid (网格员) — see the leads raised from their own poster uploads;
* partner (协作单位: 派出所, 税务所) — read-only, and only leads referred to their unit: a
  lead whose disposal is `refer_police` with `receiving_unit` equal to the partner
  account's `unit` (both compared in `monitor.users.normalize_unit` form). A partner may
  add a note to such a lead (e.g. 已受理, 已立案) but never change its status.

`can_view_lead` answers for one lead; `visible_leads_clause` is the same rule as a SQL
condition for lists and exports, so a queue query never shows what a detail page refuses.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session, object_session

from monitor import audit
from monitor.errors import PermissionDenied
from monitor.models.accounts import Role, User
from monitor.models.core import Lead, Upload
from monitor.models.workflow import Disposal

#: Roles that review and decide leads.
STAFF: tuple[Role, ...] = (Role.ADMIN, Role.REVIEWER)


def require_role(actor: User | None, *roles: Role | str) -> User:
    """Return `actor` when it is an active user with one of `roles`, else PermissionDenied."""
    if actor is None:
        raise PermissionDenied("login required")
    if not actor.active:
        raise PermissionDenied(f"account {actor.username!r} is deactivated")
    allowed = {Role(r).value for r in roles}
    if actor.role not in allowed:
        wanted = " or ".join(sorted(allowed))
        raise PermissionDenied(
            f"user {actor.username!r} (role {actor.role}) may not do this; needs {wanted}"
        )
    return actor


def visible_leads_clause(actor: User) -> ColumnElement[bool]:
    """SQL condition on `Lead` selecting exactly the leads `actor` may read."""
    if not actor.active:
        return false()
    if actor.role in (Role.ADMIN.value, Role.REVIEWER.value):
        return true()
    if actor.role == Role.GRID.value:
        own_uploads = select(Upload.id).where(Upload.uploader_id == actor.id)
        return Lead.upload_id.in_(own_uploads)
    if actor.role == Role.PARTNER.value and actor.unit:
        referred = select(Disposal.lead_id).where(
            Disposal.kind == "refer_police", Disposal.receiving_unit == actor.unit
        )
        return Lead.id.in_(referred)
    return false()


def can_view_lead(actor: User | None, lead: Lead, session: Session | None = None) -> bool:
    """Whether `actor` may read `lead` (the IDOR check behind every lead page and file)."""
    if actor is None or not actor.active:
        return False
    if actor.role in (Role.ADMIN.value, Role.REVIEWER.value):
        return True
    session = session or object_session(lead)
    if session is None:
        return False
    stmt = select(Lead.id).where(Lead.id == lead.id, visible_leads_clause(actor))
    return session.scalar(stmt) is not None


def check_can_view(
    session: Session, actor: User | None, lead: Lead, *, ip: str | None = None
) -> None:
    """Raise PermissionDenied (and audit `denied`, committed on its own) unless `actor` may
    read `lead` (faults.md row 14). The caller's session is rolled back first (the request
    is refused as a whole). The web layer answers 403/404 without saying more."""
    if can_view_lead(actor, lead, session):
        return
    who = audit.actor_ref(actor) if actor is not None else audit.ActorRef(None, "anonymous")
    lead_id = lead.id
    session.rollback()
    audit.record_separately(session, who, "denied", ("lead", lead_id), ip=ip, what="view")
    raise PermissionDenied(f"lead {lead_id} is not shared with {who.name!r}")
