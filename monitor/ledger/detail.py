"""One enterprise as a reader needs it: fields, signals, 异动, tag history, linked leads.

`admon ledger show` prints this as JSON; the web page renders the same structure, so both
show exactly the same facts. `version` is the optimistic-lock counter a tag form carries
back to `set_tag(expected_version=...)`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.ledger.enterprises import STATUS_LABELS, get_enterprise
from monitor.ledger.events import EVENT_LABELS
from monitor.ledger.linking import linked_leads
from monitor.ledger.signals import Scanner, assess


def enterprise_detail(
    session: Session, ref: str | int, *, as_of: date, scanner: Scanner | None = None
) -> dict[str, Any]:
    """Everything known about the enterprise `ref` (id or credit code) as of `as_of`."""
    ent = get_enterprise(session, ref)
    assessment = assess(session, ent, as_of=as_of, scanner=scanner)
    return {
        "id": ent.id,
        "credit_code": ent.credit_code,
        "name": ent.name,
        "industry": ent.industry,
        "registered_capital": ent.registered_capital_text,
        "registered_capital_wan": (
            None if ent.registered_capital_wan is None else float(ent.registered_capital_wan)
        ),
        "tax_scale": ent.tax_scale,
        "business_scope": ent.business_scope,
        "registered_address": ent.registered_address,
        "actual_address": ent.actual_address,
        "community": ent.community,
        "building": ent.building,
        "established_on": ent.established_on.isoformat() if ent.established_on else None,
        "status": ent.status,
        "status_label": STATUS_LABELS.get(ent.status, ent.status),
        "tag": ent.tag,
        "tag_reason": ent.tag_reason,
        "tag_set_by": ent.tag_set_by,
        "tag_set_at": ent.tag_set_at.isoformat() if ent.tag_set_at else None,
        "version": ent.version,  # what a tag form sends back as expected_version
        "signals": assessment.to_dict(),
        "events": [
            {
                "kind": e.kind,
                "label": EVENT_LABELS[e.kind],
                "occurred_on": e.occurred_on.isoformat(),
                "old_value": e.old_value,
                "new_value": e.new_value,
                "note": e.note,
                "recorded_by": e.recorded_by,
            }
            for e in ent.events
        ],
        "tag_history": [
            {
                "from": h.from_tag,
                "to": h.to_tag,
                "reason": h.reason,
                "actor": h.actor,
                "at": h.at.isoformat(timespec="seconds"),
                "suggested_tag": h.suggested_tag,
                "suggested_reasons": h.suggested_reasons,
            }
            for h in ent.tag_history
        ],
        "visits": [
            {
                "visitor": v.visitor,
                "visited_at": v.visited_at.isoformat(timespec="minutes"),
                "checks": v.checks,
                "findings": v.findings,
            }
            for v in ent.visits
        ],
        "leads": [
            {
                "id": lead.id,
                "url": lead.url,
                "status": lead.status,
                "risk": lead.risk,
                "categories": list(lead.categories or []),
                "disposal_kind": lead.disposal_kind,
                "captured_at": lead.captured_at.isoformat(timespec="seconds"),
            }
            for lead in linked_leads(session, ent.id)
        ],
        "rectifications": [
            {
                "id": r.id,
                "lead_id": r.lead_id,
                "responsible_unit": r.responsible_unit,
                "measures": r.measures,
                "deadline": r.deadline.isoformat(),
                "recheck_date": r.recheck_date.isoformat(),
                "status": r.status,
                "overdue": r.status == "open" and r.deadline < as_of,
            }
            for r in _rectifications(session, ent.id)
        ],
    }


def _rectifications(session: Session, enterprise_id: int) -> list[Any]:
    """责令整改 orders concerning the enterprise, latest deadline first."""
    from monitor.models.workflow import Rectification

    stmt = (
        select(Rectification)
        .where(Rectification.enterprise_id == enterprise_id)
        .order_by(Rectification.deadline.desc(), Rectification.id.desc())
    )
    return list(session.scalars(stmt))
