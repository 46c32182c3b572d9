"""The review workflow (线索研判与处置): transitions, disposals, rectifications, permissions.

Callers (web routes, CLI commands, intake) use these names; the submodules are internal:

* `transitions` — `start_review`, `confirm`, `dismiss`, `close`, `reopen`, `add_note`,
  `link_enterprise`, the state machine and its rules;
* `disposals` — the five disposal kinds and their pydantic validation;
* `rectifications` — `record_recheck` (called by intake on a re-crawl),
  `overdue_rectifications` and `due_rechecks` (what the scheduler should re-crawl);
* `permissions` — `require_role`, `can_view_lead`, `visible_leads_clause`;
* `locking` — optimistic locking and `LeadConflict`.
"""

from monitor.workflow.disposals import (
    DISPOSAL_LABELS,
    DisposalSpec,
    GuidanceDisposal,
    InterviewDisposal,
    JointReviewDisposal,
    RectifyDisposal,
    ReferPoliceDisposal,
    parse_disposal,
)
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
    add_note,
    allowed_actions,
    close,
    confirm,
    dismiss,
    get_disposal,
    history,
    link_enterprise,
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
