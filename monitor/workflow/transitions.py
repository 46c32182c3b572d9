"""The lead state machine (线索状态流转): one function per decision.

```
new ──start_review──> reviewing ──confirm(disposal)──> confirmed ──close(outcome)──> closed
                          │  ^                             │                          │
                          │  └─────────── reopen(reason) ──┴──────────────────────────┤
                          └──dismiss(reason)──> dismissed ──reopen(reason)────────────┘
```

* `new → dismissed` directly is **not** allowed: a dismissal is a decision about the
  evidence, so someone must first take the lead into review; both steps are recorded, and
  the report's "reviewed" count means what it says. A one-click dismiss in the UI calls
  `start_review` then `dismiss`.
* `dismissed` is final unless reopened; only `confirmed` leads are closed.
* A lead with an open rectification (责令限期整改) cannot be closed until a re-check has
  found the ad removed (`record_recheck`); to escalate instead, reopen and confirm again
  with another disposal (the open rectification is then superseded).

Each function takes `(session, lead_id, actor, expected_version, ...)`, checks the role,
the version the actor saw (see `locking`), and the transition; writes the lead, a
`lead_events` row and an audit entry; flushes, and leaves the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput, InvalidTransition
from monitor.models.accounts import User
from monitor.models.base import utcnow
from monitor.models.core import IgnoreRule, Lead
from monitor.models.workflow import Disposal, LeadEvent
from monitor.workflow.disposals import (
    DisposalSpec,
    RectifyDisposal,
    apply_disposal,
    disposal_snapshot,
    parse_disposal,
)
from monitor.workflow.events import record_event, required_text
from monitor.workflow.locking import check_version, flush_lead, load_lead, mark_actor
from monitor.workflow.permissions import STAFF, require_role
from monitor.workflow.rectifications import (
    current_rectification,
    open_rectification,
    open_rectifications_of,
)

#: action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start_review": (frozenset({"new"}), "reviewing"),
    "confirm": (frozenset({"reviewing"}), "confirmed"),
    "dismiss": (frozenset({"reviewing"}), "dismissed"),
    "close": (frozenset({"confirmed"}), "closed"),
    "reopen": (frozenset({"confirmed", "dismissed", "closed"}), "reviewing"),
}

IgnoreScope = Literal["site", "anywhere"]
MIN_IGNORE_PHRASE = 2  # one character would silence every ad containing it


def allowed_actions(status: str) -> list[str]:
    """Transitions possible from `status`, for the buttons a lead page shows."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def _begin(session: Session, lead_id: int, actor: User, expected_version: int, action: str) -> Lead:
    lead = load_lead(session, lead_id)
    check_version(session, lead, actor, f"lead.{action}", expected_version)
    sources, _ = TRANSITIONS[action]
    if lead.status not in sources:
        allowed = ", ".join(sorted(sources))
        hint = " (start the review first)" if (lead.status, action) == ("new", "dismiss") else ""
        raise InvalidTransition(
            f"cannot {action.replace('_', ' ')} lead {lead_id}: it is {lead.status}; "
            f"allowed only from {allowed}{hint}"
        )
    return lead


def _commit_transition(
    session: Session,
    lead: Lead,
    actor: User,
    action: str,
    expected_version: int,
    *,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> LeadEvent:
    """Move the lead to the action's target status (versioned UPDATE first), then write
    the event and the audit entry."""
    from_status = lead.status
    to_status = TRANSITIONS[action][1]
    lead.status = to_status
    mark_actor(lead, actor.id)
    lead.updated_at = utcnow()
    flush_lead(session, lead, actor, f"lead.{action}", expected_version)
    return record_event(session, lead, actor, action, from_status, reason=reason, details=details)


def start_review(session: Session, lead_id: int, actor: User, expected_version: int) -> LeadEvent:
    """new → reviewing: a reviewer takes the lead (开始研判)."""
    require_role(actor, *STAFF)
    lead = _begin(session, lead_id, actor, expected_version, "start_review")
    return _commit_transition(session, lead, actor, "start_review", expected_version)


def confirm(
    session: Session,
    lead_id: int,
    actor: User,
    expected_version: int,
    disposal: Mapping[str, Any] | DisposalSpec,
    *,
    reason: str = "",
) -> LeadEvent:
    """reviewing → confirmed with a disposal (确认违法并处置). A `rectify` disposal opens a
    rectification; confirming again after a reopen replaces the previous disposal."""
    require_role(actor, *STAFF)
    spec = parse_disposal(disposal)
    lead = _begin(session, lead_id, actor, expected_version, "confirm")
    row = session.scalars(select(Disposal).where(Disposal.lead_id == lead_id)).one_or_none()
    previous = disposal_snapshot(row) if row is not None else None
    lead.disposal_kind = spec.kind
    details: dict[str, Any] = {"disposal": spec.model_dump(mode="json")}
    if previous is not None:
        details["replaced_disposal"] = previous
    event = _commit_transition(
        session, lead, actor, "confirm", expected_version, reason=reason.strip(), details=details
    )
    if row is None:
        row = Disposal(lead_id=lead.id)
        session.add(row)
    apply_disposal(row, spec)
    row.decided_by_id = actor.id
    row.decided_at = event.at
    if isinstance(spec, RectifyDisposal):
        open_rectification(session, lead, spec)
    session.flush()
    return event


def dismiss(
    session: Session,
    lead_id: int,
    actor: User,
    expected_version: int,
    reason: str,
    ignore_rule: tuple[str, IgnoreScope] | None = None,
) -> LeadEvent:
    """reviewing → dismissed (误报/不构成违法), with the reason. `ignore_rule` (phrase,
    "site" | "anywhere") also stops intake from flagging that phrase again there."""
    require_role(actor, *STAFF)
    why = required_text(reason, "a reason for dismissing")
    rule = _check_ignore_rule(ignore_rule)
    lead = _begin(session, lead_id, actor, expected_version, "dismiss")
    if rule is not None and rule[1] == "site" and not lead.site:
        raise InvalidInput(f"lead {lead_id} has no site; use scope 'anywhere'")
    details: dict[str, Any] = {}
    if rule is not None:
        details["ignore_rule"] = {"phrase": rule[0], "scope": rule[1]}
    event = _commit_transition(
        session, lead, actor, "dismiss", expected_version, reason=why, details=details
    )
    if rule is not None:
        session.add(
            IgnoreRule(
                phrase=rule[0],
                site=lead.site if rule[1] == "site" else None,
                created_by_id=actor.id,
                reason=why,
                lead_id=lead.id,
            )
        )
        session.flush()
    return event


def _check_ignore_rule(
    rule: tuple[str, IgnoreScope] | None,
) -> tuple[str, IgnoreScope] | None:
    if rule is None:
        return None
    phrase, scope = rule
    phrase = (phrase or "").strip()
    if len(phrase) < MIN_IGNORE_PHRASE or len(phrase) > 200:
        raise InvalidInput(f"ignore phrase must have {MIN_IGNORE_PHRASE}-200 characters")
    if scope not in ("site", "anywhere"):
        raise InvalidInput(f"ignore scope must be 'site' or 'anywhere', not {scope!r}")
    return phrase, scope


def close(
    session: Session, lead_id: int, actor: User, expected_version: int, outcome: str
) -> LeadEvent:
    """confirmed → closed with the outcome (结案). Refused while a rectification is open."""
    require_role(actor, *STAFF)
    text = required_text(outcome, "the outcome")
    lead = _begin(session, lead_id, actor, expected_version, "close")
    pending = current_rectification(session, lead_id)
    if pending is not None:
        raise InvalidTransition(
            f"cannot close lead {lead_id}: its rectification (deadline "
            f"{pending.deadline.isoformat()}) is still open; record a re-check that finds "
            "the ad removed, or reopen the lead to choose another disposal"
        )
    return _commit_transition(
        session, lead, actor, "close", expected_version, reason=text, details={"outcome": text}
    )


def reopen(
    session: Session, lead_id: int, actor: User, expected_version: int, reason: str
) -> LeadEvent:
    """confirmed | dismissed | closed → reviewing (重新研判): the decision was wrong, or the
    ad came back. An open rectification is superseded; the disposal stays on record until
    the lead is confirmed again."""
    require_role(actor, *STAFF)
    why = required_text(reason, "a reason for reopening")
    lead = _begin(session, lead_id, actor, expected_version, "reopen")
    row = session.scalars(select(Disposal).where(Disposal.lead_id == lead_id)).one_or_none()
    superseded = open_rectifications_of(session, lead_id)
    details: dict[str, Any] = {}
    if row is not None:
        details["previous_disposal"] = disposal_snapshot(row)
    if superseded:
        details["superseded_rectifications"] = [r.id for r in superseded]
    lead.disposal_kind = None
    event = _commit_transition(
        session, lead, actor, "reopen", expected_version, reason=why, details=details
    )
    for rectification in superseded:
        rectification.status = "superseded"
    session.flush()
    return event
