"""The red/yellow/green tag (风险标签): set only by staff, with a reason, history kept.

The system suggests a tag (`signals`), staff decide. Every decision keeps what the system
suggested at that moment, so a later reader sees whether staff agreed or overrode it and
why. A suggestion never changes the stored tag by itself.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from monitor import audit
from monitor.errors import ConflictError, InvalidInput, NotFound
from monitor.ledger.signals import Assessment, Scanner, assess
from monitor.models.base import utcnow
from monitor.models.ledger import TAGS, Enterprise, EnterpriseTagHistory

TAG_LABELS = {"red": "红", "yellow": "黄", "green": "绿"}

#: How ledgers write a risk level; 高/中/低 map onto red/yellow/green.
TAG_WORDS = {
    "红": "red", "红色": "red", "红标": "red", "高": "red", "高风险": "red", "red": "red",
    "黄": "yellow", "黄色": "yellow", "黄标": "yellow", "中": "yellow", "中风险": "yellow",
    "yellow": "yellow",
    "绿": "green", "绿色": "green", "绿标": "green", "低": "green", "低风险": "green",
    "无风险": "green", "green": "green",
}  # fmt: skip


def parse_tag(text: str) -> str:
    """`红`, `红色`, `高风险`, `RED` … → `red`; ValueError with the accepted words otherwise."""
    key = text.strip().lower()
    if key in TAG_WORDS:
        return TAG_WORDS[key]
    raise ValueError(f"风险等级“{text}”无法识别（应为 红/黄/绿 或 高/中/低）")


def set_tag(
    session: Session,
    enterprise_id: int,
    tag: str,
    reason: str,
    actor: str,
    *,
    as_of: date | None = None,
    scanner: Scanner | None = None,
    expected_version: int | None = None,
) -> EnterpriseTagHistory:
    """Set an enterprise's tag, keep the history row and an audit entry, and flush.

    Setting the same tag again with a new reason is recorded too (a re-assessment).
    `expected_version` is the enterprise version the user saw (web form); if someone
    changed the enterprise since — or changes it concurrently — `ConflictError` says who,
    and nothing is written.
    """
    enterprise = _load(session, enterprise_id)
    if expected_version is not None and enterprise.version != expected_version:
        raise _conflict(enterprise)
    session.flush()
    assessment = assess(session, enterprise, as_of=as_of or utcnow().date(), scanner=scanner)
    entry = apply_tag(session, enterprise, tag, reason, actor, assessment=assessment)
    flush_or_conflict(session, enterprise)
    return entry


def apply_tag(
    session: Session,
    enterprise: Enterprise,
    tag: str,
    reason: str,
    actor: str,
    *,
    assessment: Assessment,
) -> EnterpriseTagHistory:
    """`set_tag` without the lookup and flush, for bulk callers (the import) that assessed
    many enterprises at once and flush once at the end (with `flush_or_conflict`)."""
    if tag not in TAGS:
        raise InvalidInput(f"风险标签须为 red/yellow/green，收到 {tag!r}")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("设置风险标签须填写理由 (a reason is required)")
    if not actor:
        raise InvalidInput("设置风险标签须注明操作人 (actor is required)")
    now = utcnow()
    entry = EnterpriseTagHistory(
        from_tag=enterprise.tag,
        to_tag=tag,
        reason=reason,
        actor=actor,
        at=now,
        suggested_tag=assessment.suggested_tag,
        suggested_reasons=[r.to_dict() for r in assessment.reasons],
    )
    # Through the many-to-one side: appending to enterprise.tag_history would load the
    # whole collection (one query and autoflush per row in a bulk import).
    entry.enterprise = enterprise
    audit.record(
        session,
        actor,
        "ledger.set_tag",
        enterprise,
        from_tag=enterprise.tag,
        to_tag=tag,
        reason=reason,
        suggested_tag=assessment.suggested_tag,
    )
    enterprise.tag = tag
    enterprise.tag_reason = reason
    enterprise.tag_set_by = actor
    enterprise.tag_set_at = now
    session.add(entry)
    return entry


def flush_or_conflict(session: Session, enterprise: Enterprise | None = None) -> None:
    """Flush; a concurrent change to an enterprise (optimistic lock) becomes ConflictError."""
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()  # the failed flush left the transaction unusable anyway
        name = f"企业 {enterprise.name} " if enterprise else "台账企业"
        raise ConflictError(
            f"{name}已被他人同时修改，本次未保存，请刷新后重试 "
            "(changed by someone else at the same time; nothing was saved)"
        ) from exc


def _load(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound(f"企业 id {enterprise_id} 不存在")
    return enterprise


def _conflict(enterprise: Enterprise) -> ConflictError:
    who = enterprise.tag_set_by or "他人"
    when = enterprise.updated_at.isoformat(timespec="seconds") if enterprise.updated_at else ""
    return ConflictError(
        f"企业 {enterprise.name} 已被修改（最近标签操作人：{who}，{when}），请刷新后重试 "
        "(changed since you loaded it)"
    )
