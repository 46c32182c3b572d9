"""Intake of what people bring in: text read from a grid worker's poster photo (张贴广告)
and tips from the public or partner units (举报线索). Same discipline as pages: evidence
exists before the row that names it; one transaction per item."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import EvidenceError, InvalidInput, NotFound
from monitor.evidence import EvidenceStore
from monitor.intake.batch import Batch
from monitor.intake.leads import Observation, record
from monitor.intake.txn import (
    apply_ignore,
    aware,
    default_detector,
    detect_text,
    run_in_transaction,
)
from monitor.intake.types import Detector, IntakeResult, TipCapture, UploadText
from monitor.models.core import Tip, Upload


def ingest_upload_text(
    session: Session,
    store: EvidenceStore,
    item: UploadText,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Score the text read from a poster upload and raise or update its lead
    (`upload:<id>`, via poster). The upload row must be committed and its original stored
    before this is called; OCR status fields on the upload belong to the OCR job.

    A photo attached to a tip is part of that tip: its text joins the tip's own lead (a
    new version) instead of raising a second lead for the same report, so the reward
    scheme and the reviewer see one report."""
    seen_at = aware(item.seen_at, "seen_at")
    upload = session.get(Upload, item.upload_id)
    if upload is None:
        raise NotFound(f"upload {item.upload_id} does not exist")
    if not store.exists(upload.sha256):
        raise EvidenceError(
            f"upload {upload.id}: original {store.path_for(upload.sha256)} is missing from the "
            "evidence store; not raising a lead without its evidence"
        )
    tip = session.scalar(sa.select(Tip).where(Tip.upload_id == upload.id))
    if tip is not None:
        return _add_photo_text_to_tip(session, tip, upload, item, detector)
    det = detect_text(detector or default_detector(), item.text)
    upload_id, sha, community, received = (
        upload.id,
        upload.sha256,
        upload.community,
        upload.created_at,
    )

    def work(batch: Batch, result: IntakeResult) -> None:
        result.upload_id = upload_id
        kept, suppressed = apply_ignore(det, batch.ignore_phrases(""))
        result.suppressed += int(suppressed)
        obs = Observation(
            source_kind="poster",
            via="poster",
            url=f"upload:{upload_id}",
            text=item.text,
            detection=kept,
            seen_at=seen_at,
            captured_at=received,
            evidence_sha256=sha,
            upload_id=upload_id,
            community=community,
            suppressed=suppressed,
        )
        record(batch, obs, result)

    return run_in_transaction(session, work)


#: Marks where a tip's photo text starts in the tip lead's text (the reviewer sees both).
PHOTO_TEXT_HEADING = "【举报附图文字】"


def tip_text_with_photo(tip_text: str, photo_text: str) -> str:
    """The text a tip's lead is scored on once its photo has been read."""
    if not photo_text.strip():
        return tip_text
    return f"{tip_text}\n\n{PHOTO_TEXT_HEADING}\n{photo_text}" if tip_text else photo_text


def _tip_observation(
    tip_id: int,
    text: str,
    detection: Mapping[str, Any],
    seen_at: datetime,
    received: datetime,
    evidence_sha256: str,
    upload_id: int | None,
    community: str | None,
) -> Observation:
    """A tip's lead (`tip:<id>`): always a lead, whatever the detector says, since a person
    reported it. `community` is only used when the lead is created."""
    return Observation(
        source_kind="tip",
        via="tip",
        url=f"tip:{tip_id}",
        text=text,
        detection=detection,
        seen_at=seen_at,
        captured_at=received,
        evidence_sha256=evidence_sha256,
        upload_id=upload_id,
        community=community,
        always_lead=True,
    )


def _add_photo_text_to_tip(
    session: Session,
    tip: Tip,
    upload: Upload,
    item: UploadText,
    detector: Detector | None,
) -> IntakeResult:
    """Re-score the tip's lead on its text plus the photo's; the photo is this version's
    evidence (the tip's own report stays the first version's)."""
    text = tip_text_with_photo(tip.text, item.text)
    det = detect_text(detector or default_detector(), text)
    tip_id, upload_id, sha, received = tip.id, upload.id, upload.sha256, tip.created_at
    seen_at = aware(item.seen_at, "seen_at")

    def work(batch: Batch, result: IntakeResult) -> None:
        result.upload_id = upload_id
        result.tip_id = tip_id
        obs = _tip_observation(tip_id, text, det, seen_at, received, sha, upload_id, None)
        record(batch, obs, result)

    return run_in_transaction(session, work)


def ingest_tip(
    session: Session,
    store: EvidenceStore,
    tip: TipCapture,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Record a tip and open a lead for it (`tip:<id>`, via tip). A tip always becomes a
    lead — a person reported it — but it carries the detector's categories and risk."""
    received = aware(tip.received_at, "received_at")
    if not tip.text.strip() and not tip.link and tip.upload_id is None:
        raise InvalidInput("a tip needs text, a link or a photo")
    # The evidence is what was reported, not who reported it (contact stays in the row).
    reported = json.dumps(
        {"text": tip.text, "link": tip.link, "received_at": received.isoformat()},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    stored = store.put(reported)
    det = detect_text(detector or default_detector(), tip.text)

    def work(batch: Batch, result: IntakeResult) -> None:
        row = Tip(
            text=tip.text,
            link=tip.link,
            contact=tip.contact,
            upload_id=tip.upload_id,
            sha256=stored.sha256,
            created_at=received,
        )
        session.add(row)
        session.flush()
        result.tip_id = row.id
        obs = _tip_observation(
            row.id, tip.text, det, received, received, stored.sha256, tip.upload_id,
            tip.community,
        )
        record(batch, obs, result)
        row.lead_id = result.lead_ids[0] if result.lead_ids else None

    return run_in_transaction(session, work)
