"""Risk signals (风险信号) computed from ledger data, and the tag they suggest.

Each signal is a `Reason`: a code, a level (red / yellow) and one short Chinese sentence
staff can read aloud. The suggested tag is red if any reason is red, yellow if any is
yellow, else green. It is a suggestion only: `monitor.ledger.tags.set_tag` is the one way a
tag changes, and it records this assessment beside the staff decision.

Signals and their data rules:

* `restricted_word` (red) / `watch_word` (yellow): 条例 第九条 words in the name or business
  scope, as `rules.scan_enterprise` reports them (level `restricted` or `watch`).
* `address_mismatch` (yellow): registered and actual address both known and different
  after `cells.normalize_address`.
* `frequent_changes` (yellow): two or more address or executive changes (异动) in the twelve
  months up to the assessment date.
* `branch_burst` (yellow): three or more branches of the enterprise (names per
  `names.is_branch_of`: parent's name + …分公司/分店/…) established (成立日期) within any
  90-day window of the last twelve months; branches without a 成立日期 are not counted.
  The parent and each branch in the burst get the signal (`branches`).
* `confirmed_lead` (red): a confirmed ad lead linked to the enterprise that is undisposed,
  still being disposed (status confirmed), or was referred to the police / joint review;
  `disposed_lead` (yellow): every confirmed lead closed after interview, rectification or
  guidance.
* `overdue_rectification` (red): an open 责令整改 for the enterprise past its deadline
  (`monitor.models.workflow.Rectification`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.ledger.branches import Burst, branch_bursts
from monitor.ledger.cells import normalize_address
from monitor.models.ledger import Enterprise, EnterpriseEvent

CHANGE_WINDOW = timedelta(days=365)  # "12 months" for 异动 counting
CHANGES_MIN = 2
SEVERE_DISPOSALS = ("refer_police", "joint_review")  # 移送公安, 会审研判
DISPOSAL_LABELS = {
    "interview": "约谈",
    "rectify": "责令整改",
    "guidance": "行政引导",
    "refer_police": "移送公安",
    "joint_review": "会审研判",
}
FIELD_LABELS = {"name": "企业名称", "business_scope": "经营范围", "scope": "经营范围"}
LEVEL_ORDER = {"green": 0, "yellow": 1, "red": 2}
#: Ids per IN (...) query; SQLite builds before 3.32 allow only 999 bound parameters.
QUERY_CHUNK = 500


class TermHit(Protocol):
    """What `rules.scan_enterprise` returns per hit (only these attributes are used)."""

    @property
    def term(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def level(self) -> str: ...  # restricted | watch
    @property
    def basis(self) -> str: ...


Scanner = Callable[[str, str], Sequence[TermHit]]


@dataclass(frozen=True)
class Reason:
    """One signal: `code` for machines, `message` (Chinese) for people."""

    code: str
    level: str  # red | yellow
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "level": self.level, "message": self.message}


@dataclass
class Assessment:
    """The signals for one enterprise and the tag they suggest."""

    enterprise_id: int
    current_tag: str | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def suggested_tag(self) -> str:
        return max((r.level for r in self.reasons), key=LEVEL_ORDER.__getitem__, default="green")

    @property
    def disagrees(self) -> bool:
        """Staff set a tag and the data now suggests another one (shown, never applied)."""
        return self.current_tag is not None and self.current_tag != self.suggested_tag

    def to_dict(self) -> dict[str, Any]:
        return {
            "suggested_tag": self.suggested_tag,
            "current_tag": self.current_tag,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def default_scanner() -> Scanner:
    """`rules.scan_enterprise` (imported here so `monitor.ledger` loads without the lexicon)."""
    from rules import scan_enterprise

    return scan_enterprise


def assess(
    session: Session, enterprise: Enterprise, *, as_of: date, scanner: Scanner | None = None
) -> Assessment:
    """Signals and suggested tag for one enterprise as of `as_of`."""
    return assess_many(session, [enterprise], as_of=as_of, scanner=scanner)[enterprise.id]


def assess_many(
    session: Session,
    enterprises: Sequence[Enterprise],
    *,
    as_of: date,
    scanner: Scanner | None = None,
) -> dict[int, Assessment]:
    """Signals for several enterprises with a few queries per chunk (export, reports)."""
    scan = scanner or default_scanner()
    bursts = branch_bursts(session, as_of)
    result: dict[int, Assessment] = {}
    for first in range(0, len(enterprises), QUERY_CHUNK):
        chunk = enterprises[first : first + QUERY_CHUNK]
        ids = [e.id for e in chunk]
        leads = _leads_by_enterprise(session, ids)
        overdue = _overdue_by_enterprise(session, ids, as_of)
        changes = _recent_changes(session, ids, as_of)
        for ent in chunk:
            reasons = [
                *_word_reasons(scan(ent.name or "", ent.business_scope or "")),
                *_address_reasons(ent),
                *_change_reasons(changes.get(ent.id, [])),
                *_burst_reasons(bursts.get(ent.id, [])),
                *_lead_reasons(leads.get(ent.id, [])),
                *overdue.get(ent.id, []),
            ]
            result[ent.id] = Assessment(ent.id, ent.tag, reasons)
    return result


def _word_reasons(hits: Iterable[TermHit]) -> list[Reason]:
    reasons: list[Reason] = []
    seen: set[tuple[str, str, str]] = set()
    for hit in hits:
        key = (hit.level, hit.field, hit.term)
        if key in seen:
            continue
        seen.add(key)
        where = FIELD_LABELS.get(hit.field, hit.field)
        basis = hit.basis or "《防范和处置非法集资条例》第九条"
        if hit.level == "restricted":
            reasons.append(
                Reason("restricted_word", "red", f"{where}含有{basis}禁止使用的字样“{hit.term}”")
            )
        else:
            message = f"{where}含有需重点关注的字样“{hit.term}”"
            reasons.append(Reason("watch_word", "yellow", message))
    return reasons


def _address_reasons(ent: Enterprise) -> list[Reason]:
    registered, actual = ent.registered_address or "", ent.actual_address or ""
    if registered and actual and normalize_address(registered) != normalize_address(actual):
        return [Reason("address_mismatch", "yellow", "注册地址与实际经营地址不一致")]
    return []


def _recent_changes(session: Session, ids: list[int], as_of: date) -> dict[int, list[str]]:
    """enterprise id → kinds of its address / executive changes in the 12 months to as_of."""
    grouped: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return grouped
    stmt = select(EnterpriseEvent.enterprise_id, EnterpriseEvent.kind).where(
        EnterpriseEvent.enterprise_id.in_(ids),
        EnterpriseEvent.kind.in_(("address_change", "executive_change")),
        EnterpriseEvent.occurred_on > as_of - CHANGE_WINDOW,
        EnterpriseEvent.occurred_on <= as_of,
    )
    for enterprise_id, kind in session.execute(stmt):
        grouped[enterprise_id].append(kind)
    return grouped


def _change_reasons(kinds: list[str]) -> list[Reason]:
    if len(kinds) < CHANGES_MIN:
        return []
    addresses = kinds.count("address_change")
    executives = len(kinds) - addresses
    return [
        Reason(
            "frequent_changes",
            "yellow",
            f"近12个月内变更{len(kinds)}次（地址{addresses}次、高管{executives}次）",
        )
    ]


def _leads_by_enterprise(session: Session, ids: list[int]) -> dict[int, list[Any]]:
    from monitor.models.core import Lead

    grouped: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return grouped
    stmt = select(Lead).where(Lead.enterprise_id.in_(ids), Lead.status.in_(("confirmed", "closed")))
    for lead in session.scalars(stmt):
        assert lead.enterprise_id is not None
        grouped[lead.enterprise_id].append(lead)
    return grouped


def _lead_reasons(leads: list[Any]) -> list[Reason]:
    """Red while a confirmed lead is undisposed, being disposed, or was referred onward;
    yellow once every confirmed lead is closed after an interview, rectification or
    guidance (the enterprise stays under watch)."""
    if not leads:
        return []
    severe = [lead for lead in leads if lead.disposal_kind in SEVERE_DISPOSALS]
    if severe:
        kinds = "、".join(sorted({DISPOSAL_LABELS[lead.disposal_kind] for lead in severe}))
        return [Reason("confirmed_lead", "red", f"已确认的涉嫌非法集资广告线索已{kinds}")]
    undisposed = [lead for lead in leads if not lead.disposal_kind]
    if undisposed:
        message = f"有{len(undisposed)}条已确认的涉嫌非法集资广告线索尚未处置"
        return [Reason("confirmed_lead", "red", message)]
    ongoing = [lead for lead in leads if lead.status == "confirmed"]
    if ongoing:
        kinds = _kinds(ongoing)
        message = f"有{len(ongoing)}条已确认的涉嫌非法集资广告线索正在处置（{kinds}）"
        return [Reason("confirmed_lead", "red", message)]
    message = f"有{len(leads)}条已确认广告线索，已{_kinds(leads)}并结案"
    return [Reason("disposed_lead", "yellow", message)]


def _kinds(leads: list[Any]) -> str:
    return "、".join(
        sorted({DISPOSAL_LABELS.get(lead.disposal_kind, lead.disposal_kind) for lead in leads})
    )


def _overdue_by_enterprise(
    session: Session, ids: list[int], as_of: date
) -> dict[int, list[Reason]]:
    """`overdue_rectification` (red): an open 责令整改 whose deadline has passed."""
    from monitor.models.workflow import Rectification

    if not ids:
        return {}
    stmt = select(Rectification).where(
        Rectification.enterprise_id.in_(ids),
        Rectification.status == "open",
        Rectification.deadline < as_of,
    )
    late: dict[int, list[date]] = defaultdict(list)
    for rect in session.scalars(stmt):
        assert rect.enterprise_id is not None
        late[rect.enterprise_id].append(rect.deadline)
    return {
        ent_id: [
            Reason(
                "overdue_rectification",
                "red",
                f"责令整改已逾期未完成（{len(deadlines)}项，最早期限{min(deadlines).isoformat()}）",
            )
        ]
        for ent_id, deadlines in late.items()
    }


def _burst_reasons(bursts: list[Burst]) -> list[Reason]:
    reasons: list[Reason] = []
    for burst in bursts:
        if burst.role == "parent":
            message = f"90天内新设分支机构{burst.size}家"
        else:
            message = f"为{burst.parent_name}90天内密集设立的{burst.size}家分支机构之一"
        reasons.append(Reason("branch_burst", "yellow", message))
    return reasons
