"""One lead with everything a reviewer needs to decide (线索详情): its content versions,
where and when it was seen, its evidence, and its workflow history."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.models.core import Capture, Lead, LeadSighting, LeadVersion, Tip, Upload
from monitor.models.workflow import Disposal, LeadEvent
from monitor.workflow import get_disposal, history

SIGHTINGS_SHOWN = 100


@dataclass
class LeadDetail:
    """A lead and its history. `sightings` holds the latest `SIGHTINGS_SHOWN`, newest
    first; `sighting_total` says how many there are. `events` are the workflow's
    transitions, oldest first; `disposal` the current disposal once confirmed."""

    lead: Lead
    versions: list[LeadVersion]
    sightings: list[LeadSighting]
    sighting_total: int
    capture: Capture | None = None
    upload: Upload | None = None
    tip: Tip | None = None
    events: list[LeadEvent] = field(default_factory=list)
    disposal: Disposal | None = None


def get_lead(session: Session, lead_id: int) -> LeadDetail:
    """The lead with versions, recent sightings, evidence rows and events; NotFound if
    there is no such lead."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"lead {lead_id} does not exist")
    versions = list(
        session.scalars(
            sa.select(LeadVersion)
            .where(LeadVersion.lead_id == lead_id)
            .order_by(LeadVersion.number)
        )
    )
    sightings = list(
        session.scalars(
            sa.select(LeadSighting)
            .where(LeadSighting.lead_id == lead_id)
            .order_by(LeadSighting.seen_at.desc(), LeadSighting.id.desc())
            .limit(SIGHTINGS_SHOWN)
        )
    )
    total = session.scalar(
        sa.select(sa.func.count()).select_from(LeadSighting).where(LeadSighting.lead_id == lead_id)
    )
    tip = None
    if lead.source_kind == "tip":
        tip = session.scalars(sa.select(Tip).where(Tip.lead_id == lead_id)).first()
    return LeadDetail(
        lead=lead,
        versions=versions,
        sightings=sightings,
        sighting_total=int(total or 0),
        capture=session.get(Capture, lead.capture_id) if lead.capture_id else None,
        upload=session.get(Upload, lead.upload_id) if lead.upload_id else None,
        tip=tip,
        events=history(session, lead_id),
        disposal=get_disposal(session, lead_id),
    )
