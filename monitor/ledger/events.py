"""异动 (enterprise events): moved in, moved out, address, executive or name changed.

An event is both history and a risk signal: two or more address or executive changes in
twelve months is one of the patterns 处非 campaigns ask staff to watch (see `signals`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import InvalidInput
from monitor.models.ledger import EVENT_KINDS, Enterprise, EnterpriseEvent

#: Chinese labels for the event kinds, for reports and `ledger show`.
EVENT_LABELS = {
    "move_in": "入驻",
    "move_out": "搬离",
    "address_change": "地址变更",
    "executive_change": "高管变更",
    "name_change": "名称变更",
}


def record_event(
    session: Session,
    enterprise: Enterprise,
    kind: str,
    *,
    occurred_on: date,
    new_value: str = "",
    old_value: str | None = None,
    note: str = "",
    recorded_by: str,
    apply: bool = True,
    audit_as: audit.Actor = None,
    ip: str | None = None,
) -> EnterpriseEvent:
    """Add one 异动 to `enterprise`, audited as `ledger.event` (by `audit_as`, else the
    recorder's name).

    With `apply=True` the ledger follows the event: an address change sets the actual
    address, a name change the name, move-in / move-out the status; `old_value` defaults to
    the value being replaced. `apply=False` is for callers that already changed the field.
    """
    event = add_event(
        session,
        enterprise,
        kind,
        occurred_on=occurred_on,
        new_value=new_value,
        old_value=old_value,
        note=note,
        recorded_by=recorded_by,
        apply=apply,
    )
    session.flush()
    audit.record(
        session,
        audit_as if audit_as is not None else recorded_by,
        "ledger.event",
        enterprise,
        ip=ip,
        event_id=event.id,
        kind=kind,
        occurred_on=occurred_on,
        old_value=event.old_value,
        new_value=new_value,
    )
    return event


def add_event(
    session: Session,
    enterprise: Enterprise,
    kind: str,
    *,
    occurred_on: date,
    new_value: str = "",
    old_value: str | None = None,
    note: str = "",
    recorded_by: str,
    apply: bool = True,
) -> EnterpriseEvent:
    """`record_event` without its audit entry, for the spreadsheet import (which audits
    the import as a whole) and other bulk writers."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"未知的异动类型 {kind!r}（可用：{', '.join(EVENT_KINDS)}）")
    if not recorded_by:
        raise InvalidInput("异动须注明记录人 (recorded_by is required)")
    if kind in ("address_change", "name_change", "executive_change") and not new_value:
        raise InvalidInput(f"{EVENT_LABELS[kind]}须填写变更后的内容 (new value is required)")
    field = {"address_change": "actual_address", "name_change": "name"}.get(kind)
    if old_value is None:
        old_value = str(getattr(enterprise, field) or "") if field else ""
    if apply:
        if field:
            setattr(enterprise, field, new_value)
        elif kind == "move_out":
            enterprise.status = "moved_out"
        elif kind == "move_in":
            enterprise.status = "active"
    event = EnterpriseEvent(
        kind=kind,
        occurred_on=occurred_on,
        old_value=old_value,
        new_value=new_value,
        note=note,
        recorded_by=recorded_by,
    )
    # Through the many-to-one side: appending to enterprise.events would load the
    # whole collection (one query and autoflush per row in a bulk import).
    event.enterprise = enterprise
    session.add(event)
    return event


def events_between(
    session: Session, start: date, end: date, kinds: tuple[str, ...] = EVENT_KINDS
) -> list[EnterpriseEvent]:
    """Events with start <= occurred_on <= end, oldest first (for the semi-monthly report)."""
    stmt = (
        select(EnterpriseEvent)
        .where(
            EnterpriseEvent.occurred_on >= start,
            EnterpriseEvent.occurred_on <= end,
            EnterpriseEvent.kind.in_(kinds),
        )
        .order_by(EnterpriseEvent.occurred_on, EnterpriseEvent.id)
    )
    return list(session.scalars(stmt))
