"""Looking enterprises up, and the editable fields of one.

Every writer (spreadsheet import, the web form, the CLI) goes through `apply_fields`, so a
change of name, actual address or status always leaves its 异动 event behind instead of
silently overwriting the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.ledger.cells import parse_capital_wan
from monitor.ledger.events import add_event
from monitor.ledger.uscc import CreditCodeError, validate_credit_code
from monitor.models.ledger import Enterprise

#: 入驻 / 搬离 as people write them in a ledger.
STATUS_WORDS = {
    "入驻": "active", "在营": "active", "存续": "active", "正常": "active", "在册": "active",
    "active": "active",
    "搬离": "moved_out", "迁出": "moved_out", "已搬离": "moved_out", "已迁出": "moved_out",
    "moved_out": "moved_out",
}  # fmt: skip
STATUS_LABELS = {"active": "入驻", "moved_out": "搬离"}


@dataclass
class EnterpriseFields:
    """Values for one enterprise; None means 'not given, leave as it is'."""

    name: str | None = None
    industry: str | None = None
    registered_capital_text: str | None = None
    tax_scale: str | None = None
    business_scope: str | None = None
    registered_address: str | None = None
    actual_address: str | None = None
    community: str | None = None
    building: str | None = None
    established_on: date | None = None
    status: str | None = None


def get_enterprise(session: Session, ref: str | int) -> Enterprise:
    """An enterprise by database id or 统一社会信用代码 (any spacing, width or case)."""
    if isinstance(ref, int) or (
        isinstance(ref, str) and ref.strip().isdigit() and len(ref.strip()) < 18
    ):
        found = session.get(Enterprise, int(ref))
        if found is None:
            raise NotFound(f"企业 id {ref} 不存在 (no enterprise with id {ref})")
        return found
    try:
        code = validate_credit_code(ref)
    except CreditCodeError:
        raise NotFound(f"找不到企业 {ref}：既不是 id 也不是有效的统一社会信用代码") from None
    found = find_by_code(session, code)
    if found is None:
        raise NotFound(f"台账中没有统一社会信用代码为 {code} 的企业")
    return found


def find_by_code(session: Session, code: str) -> Enterprise | None:
    """The enterprise with this (already validated) code, if on the ledger."""
    return session.scalars(select(Enterprise).where(Enterprise.credit_code == code)).first()


def apply_fields(
    session: Session,
    enterprise: Enterprise,
    values: EnterpriseFields,
    *,
    actor: str,
    today: date,
    note: str = "",
) -> bool:
    """Copy the given values onto `enterprise`; True when anything changed.

    On an enterprise already in the ledger, a new name, actual address or status is also a
    异动 (name_change, address_change, move_in/move_out) dated `today`.
    """
    changed = False
    existing = enterprise.id is not None
    for f in fields(values):
        new = getattr(values, f.name)
        if new is None or getattr(enterprise, f.name) == new:
            continue
        old = getattr(enterprise, f.name)
        setattr(enterprise, f.name, new)
        changed = True
        if f.name == "registered_capital_text":
            enterprise.registered_capital_wan = _capital(new)
        if not existing:
            continue
        kind = {"name": "name_change", "actual_address": "address_change"}.get(f.name)
        if f.name == "status":
            kind = "move_out" if new == "moved_out" else "move_in"
            old, new = STATUS_LABELS.get(old or "", old or ""), STATUS_LABELS[new]
        if kind:
            add_event(
                session,
                enterprise,
                kind,
                occurred_on=today,
                old_value=str(old or ""),
                new_value=str(new),
                note=note,
                recorded_by=actor,
                apply=False,
            )
    return changed


def _capital(text: str) -> Decimal | None:
    return parse_capital_wan(text)
