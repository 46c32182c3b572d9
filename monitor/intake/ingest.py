"""Intake: capture → evidence → detection → lead, one transaction per capture.

Order of work, and why:
1. evidence files are written first (content-addressed, write-once), outside any
   transaction — a crash afterwards leaves only an orphan file for the sweep;
2. detection runs next, also outside the transaction (it is pure and the slow part);
3. one transaction then inserts the capture row, its texts, and the lead changes, and
   commits. A process killed mid-way leaves no half-written lead.

Two processes ingesting the same page at once collide on the unique `leads.page_key` (or
on the lead's `version_id`); the loser rolls back and runs step 3 again, now finding the
winner's lead and recording a sighting. SQLite lock contention is retried the same way
after `busy_timeout` (faults.md row 30).

Intake owns the transaction: call it with a session that has nothing pending.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from monitor.errors import ConflictError, EvidenceError, InvalidInput, NotFound
from monitor.evidence import EvidenceStore, sha256_hex
from monitor.intake.keys import content_fingerprint, site_of, without_ignored
from monitor.intake.leads import Observation, record
from monitor.intake.types import (
    PAGE_VIAS,
    Detector,
    ImageCapture,
    IntakeResult,
    PageCapture,
    TipCapture,
    UploadText,
)
from monitor.models.core import Capture, CaptureText, IgnoreRule, Tip, Upload

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
_BACKOFF_SECONDS = 0.05


def default_detector() -> Detector:
    """`rules.detect` as a function returning the `admon detect` JSON object."""
    rules = importlib.import_module("rules")  # imported late: `admon leads` never needs it

    def run(text: str) -> Mapping[str, Any]:
        result: Mapping[str, Any] = rules.detect(text).to_dict()
        return result

    return run


def _retryable(exc: Exception) -> bool:
    """A conflict with a concurrent writer (worth running the transaction again)?"""
    if isinstance(exc, StaleDataError):
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        return "unique" in message or "duplicate key" in message
    if isinstance(exc, OperationalError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return "locked" in message or "busy" in message or code in ("40001", "40P01")
    return False


def _in_transaction(session: Session, work: Callable[[IntakeResult], None]) -> IntakeResult:
    """Run `work` and commit, retrying the whole unit on a concurrent-writer conflict."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = IntakeResult(attempts=attempt)
        try:
            work(result)
            session.commit()
            return result
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            session.rollback()
            if not _retryable(exc):
                raise
            if attempt == MAX_ATTEMPTS:
                raise ConflictError(
                    f"intake gave up after {attempt} attempts: another writer kept changing "
                    f"the same lead ({exc.__class__.__name__}); nothing was saved, run it again"
                ) from exc
            log.info("intake conflict (%s), retrying (attempt %d)", exc.__class__.__name__, attempt)
            time.sleep(_BACKOFF_SECONDS * attempt)
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must be a timezone-aware UTC time, got naive {value}")
    return value


def _ignore_phrases(session: Session, site: str) -> list[str]:
    """Phrases ruled harmless on this site or anywhere (误报忽略)."""
    query = sa.select(IgnoreRule.phrase).where(
        sa.or_(IgnoreRule.site.is_(None), IgnoreRule.site == site)
    )
    return list(session.scalars(query))


def _scored(session: Session, site: str, det: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    filtered, dropped = without_ignored(det, _ignore_phrases(session, site))
    return filtered, dropped and not filtered.get("hits")


def _minus(det: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """`det` without hits that `other` already has (same category and text): the js view
    of a page only raises a lead for what the raw HTML did not already show."""
    seen = {content_fingerprint([h], []) for h in other.get("hits", [])}
    kept = [h for h in det.get("hits", []) if content_fingerprint([h], []) not in seen]
    out = dict(det)
    out["hits"] = kept
    cats = {str(h.get("category")) for h in kept}
    out["categories"] = [c for c in det.get("categories", []) if c in cats]
    if not kept:
        out["violation"] = False
    return out


def ingest_page(
    session: Session,
    store: EvidenceStore,
    capture: PageCapture,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Store a fetched page and raise, update or re-sight its leads (one per via)."""
    fetched_at = _aware(capture.fetched_at, "fetched_at")
    detect = detector or default_detector()
    body = store.put(capture.body) if capture.body or capture.fetch_status == "ok" else None
    shot = store.put(capture.screenshot) if capture.screenshot else None
    texts = {via: text for via, text in capture.texts.items() if text is not None}
    detections = {via: detect(texts[via]) for via in PAGE_VIAS if texts.get(via, "").strip()}
    site = site_of(capture.url)

    def work(result: IntakeResult) -> None:
        row = Capture(
            kind="page",
            run_id=capture.run_id,
            source_id=capture.source_id,
            url=capture.url,
            final_url=capture.final_url or capture.url,
            status=capture.status,
            fetch_status=capture.fetch_status,
            fetched_at=fetched_at,
            sha256=body.sha256 if body else None,
            size=body.size if body else None,
            body_path=body.relpath if body else None,
            content_type=capture.content_type,
            encoding=capture.encoding,
            headers=dict(capture.headers),
            title=capture.title,
            redirect_chain=list(capture.redirect_chain),
            screenshot_sha256=shot.sha256 if shot else None,
            screenshot_path=shot.relpath if shot else None,
            rendered=capture.rendered,
            texts=[
                CaptureText(via=via, text=text, sha256=sha256_hex(text.encode("utf-8")))
                for via, text in {**texts, "nav": capture.nav_text}.items()
                if text
            ],
        )
        session.add(row)
        session.flush()
        result.capture_id = row.id
        filtered: dict[str, Mapping[str, Any]] = {}
        for via, det in detections.items():
            kept, suppressed = _scored(session, site, det)
            if via == "js" and "html" in filtered:
                kept = _minus(kept, filtered["html"])
            filtered[via] = kept
            result.suppressed += int(suppressed)
            obs = Observation(
                source_kind="web",
                via=via,
                url=capture.url,
                text=texts[via],
                detection=kept,
                seen_at=fetched_at,
                captured_at=fetched_at,
                evidence_sha256=row.sha256,
                title=capture.title,
                capture_id=row.id,
                run_id=capture.run_id,
                source_id=capture.source_id,
                community=capture.community,
                suppressed=suppressed,
            )
            record(session, obs, result)

    return _in_transaction(session, work)


def ingest_image(
    session: Session,
    store: EvidenceStore,
    capture: ImageCapture,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Store an image found on a page with its OCR text; leads are per (page, image)."""
    fetched_at = _aware(capture.fetched_at, "fetched_at")
    detect = detector or default_detector()
    image = store.put(capture.body)
    det = detect(capture.text) if capture.text.strip() else {"violation": False, "hits": []}
    site = site_of(capture.page_url)

    def work(result: IntakeResult) -> None:
        row = Capture(
            kind="image",
            run_id=capture.run_id,
            source_id=capture.source_id,
            page_capture_id=capture.page_capture_id,
            url=capture.image_url,
            final_url=capture.image_url,
            status=capture.status,
            fetched_at=fetched_at,
            sha256=image.sha256,
            size=image.size,
            body_path=image.relpath,
            content_type=capture.content_type,
            headers=dict(capture.headers),
            texts=[
                CaptureText(
                    via="image", text=capture.text, sha256=sha256_hex(capture.text.encode("utf-8"))
                )
            ],
        )
        session.add(row)
        session.flush()
        result.capture_id = row.id
        kept, suppressed = _scored(session, site, det)
        result.suppressed += int(suppressed)
        obs = Observation(
            source_kind="web",
            via="image",
            url=capture.page_url,
            image_url=capture.image_url,
            text=capture.text,
            detection=kept,
            seen_at=fetched_at,
            captured_at=fetched_at,
            evidence_sha256=image.sha256,
            capture_id=row.id,
            run_id=capture.run_id,
            source_id=capture.source_id,
            community=capture.community,
            suppressed=suppressed,
        )
        record(session, obs, result)

    return _in_transaction(session, work)


def ingest_upload_text(
    session: Session, store: EvidenceStore, item: UploadText, *, detector: Detector | None = None
) -> IntakeResult:
    """Score the text read from a poster upload (张贴广告) and raise or update its lead.
    The upload row must be committed and its original stored before this is called."""
    seen_at = _aware(item.seen_at, "seen_at")
    upload = session.get(Upload, item.upload_id)
    if upload is None:
        raise NotFound(f"upload {item.upload_id} does not exist")
    if not store.exists(upload.sha256):
        raise EvidenceError(
            f"upload {upload.id}: original {store.path_for(upload.sha256)} is missing from the "
            "evidence store; not raising a lead without its evidence"
        )
    detect = detector or default_detector()
    det = detect(item.text) if item.text.strip() else {"violation": False, "hits": []}
    upload_id, sha, community, received = (
        upload.id,
        upload.sha256,
        upload.community,
        upload.created_at,
    )

    def work(result: IntakeResult) -> None:
        result.upload_id = upload_id
        kept, suppressed = _scored(session, "", det)
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
        record(session, obs, result)

    return _in_transaction(session, work)


def ingest_tip(
    session: Session, store: EvidenceStore, tip: TipCapture, *, detector: Detector | None = None
) -> IntakeResult:
    """Record a tip (举报) and open a lead for it. A tip always becomes a lead — a person
    reported it — but it carries the detector's categories and risk like any other."""
    received = _aware(tip.received_at, "received_at")
    if not tip.text.strip() and not tip.link and tip.upload_id is None:
        raise InvalidInput("a tip needs text, a link or a photo")
    # The evidence is what was reported (not who reported it: contact stays in the row).
    record_bytes = json.dumps(
        {"text": tip.text, "link": tip.link, "received_at": received.isoformat()},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    stored = store.put(record_bytes)
    detect = detector or default_detector()
    det = detect(tip.text) if tip.text.strip() else {"violation": False, "hits": []}

    def work(result: IntakeResult) -> None:
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
        obs = Observation(
            source_kind="tip",
            via="tip",
            url=f"tip:{row.id}",
            text=tip.text,
            detection=det,
            seen_at=received,
            captured_at=received,
            evidence_sha256=stored.sha256,
            upload_id=tip.upload_id,
            community=tip.community,
            always_lead=True,
        )
        record(session, obs, result)
        row.lead_id = result.lead_ids[0] if result.lead_ids else None

    return _in_transaction(session, work)


def attach_screenshot(session: Session, store: EvidenceStore, capture_id: int, png: bytes) -> str:
    """Store a page screenshot and link it to its capture; returns its SHA-256. A capture
    keeps its first screenshot: evidence is not replaced."""
    stored = store.put(png)

    def work(result: IntakeResult) -> None:
        row = session.get(Capture, capture_id)
        if row is None:
            raise NotFound(f"capture {capture_id} does not exist")
        result.capture_id = row.id
        if row.screenshot_sha256 is None:
            row.screenshot_sha256 = stored.sha256
            row.screenshot_path = stored.relpath

    _in_transaction(session, work)
    return stored.sha256
