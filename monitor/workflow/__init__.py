"""The review workflow (线索研判与处置): transitions, disposals, rectifications, permissions.

Callers (web routes, CLI commands, intake) use these names; the submodules are internal:

* `transitions` — `start_review`, `confirm`, `dismiss`, `close`, `reopen`: the state
  machine and its rules;
* `annotations` — `add_note`, `link_enterprise` (no status change);
* `events` — the lead's history (`history`) and the event + audit writer;
* `disposals` — the five disposal kinds and their pydantic validation;
* `rectifications` — `record_recheck` (called by intake on a re-crawl),
  `overdue_rectifications` and `due_rechecks` (what the scheduler should re-crawl);
* `permissions` — `require_role`, `can_view_lead`, `visible_leads_clause`;
* `locking` — optimistic locking and `LeadConflict`.
"""

from monitor.workflow.annotations import add_note, link_enterprise
from monitor.workflow.disposals import (
    DISPOSAL_LABELS,
    DisposalSpec,
    GuidanceDisposal,
    InterviewDisposal,
    JointReviewDisposal,
    RectifyDisposal,
    ReferPoliceDisposal,
    get_disposal,
    parse_disposal,
)
from monitor.workflow.events import history
from monitor.workflow.locking import LeadConflict, load_lead
from monitor.workflow.permissions import (
    STAFF,
    can_view_lead,
    check_can_view,
    require_role,
    visible_leads_clause,
)
from monitor.workflow.rectifications import (
    current_rectification,
    due_rechecks,
    overdue_rectifications,
    record_recheck,
)
from monitor.workflow.transitions import (
    TRANSITIONS,
    allowed_actions,
    close,
    confirm,
    dismiss,
    reopen,
    start_review,
)

__all__ = [
    "DISPOSAL_LABELS",
    "STAFF",
    "TRANSITIONS",
    "DisposalSpec",
    "GuidanceDisposal",
    "InterviewDisposal",
    "JointReviewDisposal",
    "LeadConflict",
    "RectifyDisposal",
    "ReferPoliceDisposal",
    "add_note",
    "allowed_actions",
    "can_view_lead",
    "check_can_view",
    "close",
    "confirm",
    "current_rectification",
    "dismiss",
    "due_rechecks",
    "get_disposal",
    "history",
    "link_enterprise",
    "load_lead",
    "overdue_rectifications",
    "parse_disposal",
    "record_recheck",
    "reopen",
    "require_role",
    "start_review",
    "visible_leads_clause",
]
