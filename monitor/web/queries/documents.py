"""What a disposal document (处置文书) is filled from: the lead, its disposal, the linked
enterprise, the evidence captured, and the articles its hits cite (with their text, from
the rules' data files via `rule_info`).

Belongs in a `monitor.documents` (or `monitor.workflow`) function once that exists; the
web only needs the one read below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.models.core import Capture, Lead, LeadVersion
from monitor.models.ledger import Enterprise
from monitor.models.workflow import Disposal
from monitor.web.rulesinfo import RuleInfo, rule_info
from monitor.workflow import DISPOSAL_LABELS, get_disposal

#: Document → the disposal it carries out. 约谈通知书 for 约谈, 责令整改通知书 for 责令限期整改,
#: 移送函 for 移送公安.
DOCUMENT_DISPOSAL = {"interview": "interview", "rectify": "rectify", "referral": "refer_police"}
#: A decided lead keeps its documents after closing (the file is reprinted for the record).
DOCUMENT_STATUSES = ("confirmed", "closed")
STATUS_LABELS = {
    "new": "待审核",
    "reviewing": "审核中",
    "confirmed": "已确认",
    "dismissed": "已排除",
    "closed": "已结案",
}


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence for the 移送函's list: where, when, and its fingerprint."""

    label: str
    url: str
    captured_at: datetime
    sha256: str


@dataclass
class DisposalDocument:
    lead: Lead
    disposal: Disposal
    enterprise: Enterprise | None
    articles: list[RuleInfo]
    evidence: list[EvidenceItem] = field(default_factory=list)


def disposal_document(session: Session, lead_id: int, document: str) -> DisposalDocument:
    """The data for `document` of a lead; NotFound (with the reason) when the lead was not
    confirmed with the disposal this document belongs to."""
    kind = DOCUMENT_DISPOSAL.get(document)
    if kind is None:
        raise NotFound(f"没有“{document}”这种文书")
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"线索 {lead_id} 不存在")
    disposal = get_disposal(session, lead_id)
    if lead.status not in DOCUMENT_STATUSES or disposal is None or disposal.kind != kind:
        current = DISPOSAL_LABELS.get(lead.disposal_kind or "", "无")
        raise NotFound(
            f"线索 {lead_id} 未以“{DISPOSAL_LABELS[kind]}”方式确认处置，不能出具此文书"
            f"（当前状态：{STATUS_LABELS.get(lead.status, lead.status)}，处置：{current}）"
        )
    enterprise = session.get(Enterprise, lead.enterprise_id) if lead.enterprise_id else None
    return DisposalDocument(
        lead=lead,
        disposal=disposal,
        enterprise=enterprise,
        articles=_articles(lead),
        evidence=_evidence(session, lead),
    )


def _articles(lead: Lead) -> list[RuleInfo]:
    """Each cited article once, in the order the hits cite them."""
    seen: set[str] = set()
    out: list[RuleInfo] = []
    for hit in lead.hits or []:
        info = rule_info(str(hit.get("rule", "")))
        key = info.cite or info.id
        if info.cite and key not in seen:
            seen.add(key)
            out.append(info)
    return out


def _evidence(session: Session, lead: Lead) -> list[EvidenceItem]:
    """Every captured version (page, screenshot) with capture time and SHA-256, oldest
    first; the lead's own record when no capture row is kept (posters, tips)."""
    items: list[EvidenceItem] = []
    rows = session.execute(
        select(LeadVersion.number, Capture)
        .join(Capture, Capture.id == LeadVersion.capture_id)
        .where(LeadVersion.lead_id == lead.id)
        .order_by(LeadVersion.number)
    ).all()
    for number, capture in rows:
        if capture.sha256:
            items.append(
                EvidenceItem(
                    f"第{number}版 网页原文", capture.url, capture.fetched_at, capture.sha256
                )
            )
        if capture.screenshot_sha256:
            items.append(
                EvidenceItem(
                    f"第{number}版 页面截图",
                    capture.url,
                    capture.fetched_at,
                    capture.screenshot_sha256,
                )
            )
    if not items and lead.evidence_sha256:
        items.append(EvidenceItem("证据", lead.url, lead.captured_at, lead.evidence_sha256))
    return items
