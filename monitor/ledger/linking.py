"""Which enterprise is behind a lead? Ranked candidates for staff to confirm (线索关联企业).

Evidence, strongest first:

1. a valid 统一社会信用代码 in the captured text that is on the ledger (score 100);
2. an enterprise's full or core name appearing verbatim in the text (score 95 / 90);
3. most of a core name appearing in the text (rapidfuzz partial ratio ≥ 80; score ≤ 88),
   e.g. 鑫盛财富投资管理 for 深圳市前海鑫盛财富投资管理有限公司;
4. company-like names in the text (…有限公司, …公司, …中心) fuzzily matching a ledger
   name after legal forms and region prefixes are stripped (rapidfuzz; score ≤ 89).

Nothing is linked automatically: `candidates_for_text` only proposes, and `confirm_link`
— an explicit staff action, through the review workflow — sets `leads.enterprise_id` and
writes the lead event and audit entry. A code
found in the text that is *not* on the ledger is reported too, so staff can add it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.ledger.cells import fold
from monitor.ledger.names import core_name, tidy_name
from monitor.ledger.uscc import find_credit_codes
from monitor.models.accounts import User
from monitor.models.ledger import Enterprise

FUZZY_CUTOFF = 80.0  # below this, names share little more than a common word (科技, 投资)
MIN_CORE_FOR_SUBSTRING = 3  # a two-character core (华夏) appears in too many texts
MIN_CORE_FOR_PARTIAL = 5  # partial matches of short cores are mostly shared words
DEFAULT_LIMIT = 5
MAX_TEXT = 500_000  # characters searched per lead; a page's text is far below this

_COMPANY = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9()（）]{2,30}?"
    r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|合作社|工作室|中心|商行|门店|分店)"
)


@dataclass(frozen=True)
class Candidate:
    """One proposed enterprise for a lead, with why and how strongly."""

    enterprise_id: int
    credit_code: str
    name: str
    score: float  # 0..100
    evidence: str  # credit_code | full_name | core_name | partial_name | fuzzy_name
    matched: str  # the text in the lead that matched

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LinkProposal:
    """Candidates, plus valid codes in the text that the ledger does not have yet."""

    candidates: list[Candidate]
    unknown_codes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "unknown_codes": self.unknown_codes,
        }


def candidates_for_text(session: Session, text: str, *, limit: int = DEFAULT_LIMIT) -> LinkProposal:
    """Ranked enterprise candidates for an ad's text (best first, one per enterprise)."""
    best: dict[int, Candidate] = {}

    def offer(ent: Enterprise, score: float, evidence: str, matched: str) -> None:
        if ent.id not in best or best[ent.id].score < score:
            best[ent.id] = Candidate(
                ent.id, ent.credit_code, ent.name, round(score, 1), evidence, matched
            )

    codes = find_credit_codes(text)
    known: set[str] = set()
    if codes:
        for ent in session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(codes))):
            known.add(ent.credit_code)
            offer(ent, 100.0, "credit_code", ent.credit_code)
    enterprises = list(session.scalars(select(Enterprise)))
    tidy_text = tidy_name(fold(text))
    cores: dict[str, list[Enterprise]] = {}
    for ent in enterprises:
        full = tidy_name(ent.name)
        core = core_name(ent.name)
        if full and full in tidy_text:
            offer(ent, 95.0, "full_name", ent.name)
        elif len(core) >= MIN_CORE_FOR_SUBSTRING and core in tidy_text:
            offer(ent, 90.0, "core_name", core)
        elif len(core) >= MIN_CORE_FOR_PARTIAL:
            # Most of the core name in the text: 鑫盛财富投资管理 for 前海鑫盛财富投资管理.
            found = fuzz.partial_ratio_alignment(core, tidy_text, score_cutoff=FUZZY_CUTOFF)
            if found is not None:
                matched = tidy_text[found.dest_start : found.dest_end]
                offer(ent, min(found.score, 88.0), "partial_name", matched)
        cores.setdefault(core, []).append(ent)
    mentions = {m.group(0) for m in _COMPANY.finditer(tidy_text)}
    for mention in sorted(mentions):
        mention_core = core_name(mention)
        if len(mention_core) < 2:
            continue
        for core, score, _ in process.extract(
            mention_core, list(cores), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit
        ):
            for ent in cores[core]:
                offer(ent, min(float(score), 89.0), "fuzzy_name", mention)
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.name))[:limit]
    return LinkProposal(ranked, [c for c in codes if c not in known])


def candidates_for_lead(
    session: Session, lead_id: int, *, limit: int = DEFAULT_LIMIT
) -> LinkProposal:
    """Candidates for a stored lead, from everything captured with it.

    The text the rules saw is often only part of the evidence: an ad read from an image
    names no company, while the page around it shows 营业执照 details in its footer. So the
    title, the lead's text, every text of its capture (and of the page an image capture
    came from) and a poster's OCR text are all searched.
    """
    lead = _lead(session, lead_id)
    return candidates_for_text(session, _lead_texts(session, lead), limit=limit)


def confirm_link(
    session: Session,
    lead_id: int,
    enterprise_id: int,
    *,
    actor: User,
    expected_version: int | None = None,
) -> bool:
    """Staff confirm that `lead_id` belongs to `enterprise_id`; False if it already was.

    The review workflow owns the lead, so this goes through `monitor.workflow.link_enterprise`
    (role check, optimistic lock, lead event, audit entry, open rectifications follow the
    lead). `expected_version` is the lead version the user saw; None (the CLI) means "as it
    is now".
    """
    from monitor.workflow import link_enterprise, load_lead

    if session.get(Enterprise, enterprise_id) is None:
        raise NotFound(f"企业 id {enterprise_id} 不存在")
    lead = load_lead(session, lead_id)
    version = lead.version_id if expected_version is None else expected_version
    return link_enterprise(session, lead_id, actor, version, enterprise_id) is not None


def linked_leads(session: Session, enterprise_id: int) -> list[Any]:
    """Leads confirmed as belonging to an enterprise, newest first."""
    from monitor.models.core import Lead

    stmt = select(Lead).where(Lead.enterprise_id == enterprise_id).order_by(Lead.created_at.desc())
    return list(session.scalars(stmt))


def _lead_texts(session: Session, lead: Any) -> str:
    from monitor.models.core import Capture, CaptureText, Upload

    parts: list[str] = [lead.title or "", lead.text or ""]
    capture_ids: list[int] = []
    if lead.capture_id is not None:
        capture_ids.append(lead.capture_id)
        capture = session.get(Capture, lead.capture_id)
        if capture is not None and capture.page_capture_id is not None:
            capture_ids.append(capture.page_capture_id)
    if capture_ids:
        stmt = select(CaptureText.text).where(CaptureText.capture_id.in_(capture_ids))
        parts.extend(text for text in session.scalars(stmt) if text)
    if lead.upload_id is not None:
        upload = session.get(Upload, lead.upload_id)
        if upload is not None and upload.ocr_text:
            parts.append(upload.ocr_text)
    return "\n".join(parts)[:MAX_TEXT]


def _lead(session: Session, lead_id: int) -> Any:
    from monitor.models.core import Lead

    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"线索 {lead_id} 不存在 (no lead with id {lead_id})")
    return lead
