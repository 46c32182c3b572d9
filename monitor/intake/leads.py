"""Turn one observation (a via's text at one place, already scored) into lead rows.

Three outcomes for a place that carries offending content: a new lead (first time at this
place), a sighting (same offending content again: `seen_count`, `last_seen_at`), or a new
version (different offending content). A known place whose content is gone gets a
"not present" sighting, and — for a lead under rectification (整改) — the workflow's
re-check hook is told (整改复查).

Sightings update the lead with a plain SQL UPDATE that leaves `version_id` alone, so a
crawler passing by does not make a reviewer's save fail; a new version goes through the
ORM and does bump it, because the reviewer should look again at changed content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.intake.keys import content_fingerprint, page_key, site_of
from monitor.intake.types import IntakeResult
from monitor.models.core import (
    Capture,
    Lead,
    LeadCategory,
    LeadSighting,
    LeadVersion,
    category_mask,
)
from monitor.workflow import record_recheck

# Statuses under which a lead may have a disposal with a rectification to re-check.
_DISPOSED = ("confirmed", "closed")


@dataclass(frozen=True)
class Observation:
    """One via's text at one place, scored (ignore rules already applied)."""

    source_kind: str  # web | poster | tip
    via: str  # html | js | image | poster | tip
    url: str
    text: str
    detection: Mapping[str, Any]
    seen_at: datetime
    captured_at: datetime
    evidence_sha256: str | None
    image_url: str | None = None
    title: str = ""
    capture_id: int | None = None
    upload_id: int | None = None
    run_id: int | None = None
    source_id: int | None = None
    community: str | None = None
    always_lead: bool = False  # tips: a person reported it, so it is reviewed regardless
    suppressed: bool = False  # ignore rules removed hits (then "gone" is not recorded)

    @property
    def present(self) -> bool:
        """Does this place carry offending content now?"""
        if self.always_lead:
            return True
        return bool(self.detection.get("violation")) and bool(self.detection.get("hits"))


def record(session: Session, obs: Observation, result: IntakeResult) -> None:
    """Apply one observation to the leads (inside the caller's transaction)."""
    key = page_key(obs.url, obs.via, obs.image_url)
    lead = session.execute(sa.select(Lead).where(Lead.page_key == key)).scalar_one_or_none()
    if not obs.present:
        if lead is not None and not obs.suppressed:
            _gone(session, lead, obs, result)
        return
    hits = list(obs.detection.get("hits", []))
    categories = [str(c) for c in obs.detection.get("categories", [])]
    fingerprint = content_fingerprint(hits, categories)
    if lead is None:
        _create(session, key, obs, fingerprint, result)
    elif lead.content_fingerprint == fingerprint:
        _sighting(session, lead, obs, result)
    else:
        _new_version(session, lead, obs, fingerprint, result)


def _version_row(lead_id: int, number: int, obs: Observation, fingerprint: str) -> LeadVersion:
    det = obs.detection
    return LeadVersion(
        lead_id=lead_id,
        number=number,
        content_fingerprint=fingerprint,
        text=obs.text,
        hits=list(det.get("hits", [])),
        categories=list(det.get("categories", [])),
        risk=str(det.get("risk", "none")),
        score=float(det.get("score", 0.0)),
        annualized_return=det.get("annualized_return"),
        capture_id=obs.capture_id,
        upload_id=obs.upload_id,
        evidence_sha256=obs.evidence_sha256,
        captured_at=obs.captured_at,
        created_at=obs.seen_at,
    )


def _sighting_row(
    lead_id: int, version: int | None, obs: Observation, present: bool
) -> LeadSighting:
    return LeadSighting(
        lead_id=lead_id,
        version=version,
        still_present=present,
        capture_id=obs.capture_id,
        upload_id=obs.upload_id,
        run_id=obs.run_id,
        seen_at=obs.seen_at,
    )


def _apply_detection(lead: Lead, obs: Observation, fingerprint: str) -> None:
    det = obs.detection
    lead.categories = [str(c) for c in det.get("categories", [])]
    lead.category_bits = category_mask(lead.categories)
    lead.risk = str(det.get("risk", "none"))
    lead.score = float(det.get("score", 0.0))
    lead.annualized_return = det.get("annualized_return")
    lead.text = obs.text
    lead.hits = list(det.get("hits", []))
    lead.evidence_sha256 = obs.evidence_sha256
    lead.captured_at = obs.captured_at
    lead.capture_id = obs.capture_id
    lead.upload_id = obs.upload_id
    lead.content_fingerprint = fingerprint
    if obs.title:
        lead.title = obs.title
    wanted = set(lead.categories)
    lead.category_rows = [row for row in lead.category_rows if row.category in wanted]
    have = {row.category for row in lead.category_rows}
    lead.category_rows.extend(LeadCategory(category=c) for c in lead.categories if c not in have)


def _create(
    session: Session, key: str, obs: Observation, fingerprint: str, result: IntakeResult
) -> None:
    lead = Lead(
        source_kind=obs.source_kind,
        via=obs.via,
        url=obs.url,
        image_url=obs.image_url,
        site=site_of(obs.url),
        page_key=key,
        status="new",
        source_id=obs.source_id,
        current_version=1,
        first_seen_at=obs.seen_at,
        last_seen_at=obs.seen_at,
        seen_count=1,
        community=obs.community,
        created_at=obs.seen_at,
        updated_at=obs.seen_at,
        category_rows=[],
    )
    _apply_detection(lead, obs, fingerprint)
    session.add(lead)
    session.flush()  # a concurrent insert of the same place fails here (unique page_key)
    session.add(_version_row(lead.id, 1, obs, fingerprint))
    session.add(_sighting_row(lead.id, 1, obs, present=True))
    result.new_leads += 1
    result.lead_ids.append(lead.id)


def _sighting(session: Session, lead: Lead, obs: Observation, result: IntakeResult) -> None:
    session.execute(
        sa.update(Lead)
        .where(Lead.id == lead.id)
        .values(
            seen_count=Lead.seen_count + 1,
            last_seen_at=sa.case(
                (Lead.last_seen_at < obs.seen_at, obs.seen_at), else_=Lead.last_seen_at
            ),
            updated_at=Lead.updated_at,  # a sighting is not an edit of the lead
        )
        .execution_options(synchronize_session=False)
    )
    session.add(_sighting_row(lead.id, lead.current_version, obs, present=True))
    result.sightings += 1
    result.lead_ids.append(lead.id)
    _recheck(session, lead, obs, still_present=True)


def _new_version(
    session: Session, lead: Lead, obs: Observation, fingerprint: str, result: IntakeResult
) -> None:
    number = lead.current_version + 1
    lead.current_version = number
    lead.seen_count += 1
    lead.last_seen_at = max(lead.last_seen_at, obs.seen_at)
    _apply_detection(lead, obs, fingerprint)
    session.add(_version_row(lead.id, number, obs, fingerprint))
    session.add(_sighting_row(lead.id, number, obs, present=True))
    session.flush()  # bumps version_id; a reviewer editing meanwhile gets a conflict
    result.new_versions += 1
    result.lead_ids.append(lead.id)
    _recheck(session, lead, obs, still_present=True)


def _gone(session: Session, lead: Lead, obs: Observation, result: IntakeResult) -> None:
    session.add(_sighting_row(lead.id, None, obs, present=False))
    result.gone += 1
    result.lead_ids.append(lead.id)
    _recheck(session, lead, obs, still_present=False)


def _recheck(session: Session, lead: Lead, obs: Observation, still_present: bool) -> None:
    """Tell the workflow what a re-crawl found at a disposed lead's place (整改复查); it
    records a re-check when the lead has an open rectification and ignores it otherwise."""
    if lead.status not in _DISPOSED:
        return
    capture = session.get(Capture, obs.capture_id) if obs.capture_id is not None else None
    record_recheck(session, lead, capture, still_present)
