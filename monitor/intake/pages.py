"""Intake of what the crawler fetched: pages (via html/js), images on pages (via image),
and page screenshots.

Order of work, and why: evidence files first (content-addressed, write-once, outside any
transaction — a crash afterwards leaves only an orphan file for the sweep); detection next
(pure and the slow part, also outside); then one transaction inserts the capture row, its
texts and the lead changes, and commits (`txn.run_in_transaction`).

`ingest_pages` does the same for a batch, making all its evidence files durable with one
round of concurrent fsyncs instead of two fsyncs per file, and committing
`per_transaction` captures at a time (all or nothing per group).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.evidence import EvidenceStore, StoredFile, sha256_hex
from monitor.intake.batch import Batch
from monitor.intake.keys import content_fingerprint, page_key, site_of
from monitor.intake.leads import Observation, insert_id, prefetch, record
from monitor.intake.txn import (
    Work,
    apply_ignore,
    aware,
    default_detector,
    detect_text,
    run_group_in_transaction,
    run_in_transaction,
)
from monitor.intake.types import PAGE_VIAS, Detector, ImageCapture, IntakeResult, PageCapture
from monitor.models.core import Capture, CaptureText

CAPTURES = cast(sa.Table, Capture.__table__)
TEXTS = cast(sa.Table, CaptureText.__table__)


@dataclass(frozen=True)
class _PreparedPage:
    """A page whose evidence is written and whose texts are scored, ready to commit."""

    capture: PageCapture
    fetched_at: datetime
    body: StoredFile | None
    shot: StoredFile | None
    texts: dict[str, str]
    detections: dict[str, Mapping[str, Any]]


def _queue_texts(batch: Batch, capture_id: int, texts: Mapping[str, str]) -> None:
    for via, text in texts.items():
        if text:
            batch.add(
                TEXTS,
                {
                    "capture_id": capture_id,
                    "via": via,
                    "text": text,
                    "sha256": sha256_hex(text.encode("utf-8")),
                },
            )


def _insert_capture(batch: Batch, values: dict[str, Any], texts: Mapping[str, str]) -> int:
    """Insert a capture row now (its id is needed) and queue its texts."""
    capture_id = insert_id(batch.session, sa.insert(CAPTURES), values)
    _queue_texts(batch, capture_id, texts)
    return capture_id


#: Many capture rows in one statement (insertmanyvalues), ids back in parameter order.
_INSERT_CAPTURES = sa.insert(CAPTURES).returning(CAPTURES.c.id, sort_by_parameter_order=True)


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


def _prepare_page(
    store: EvidenceStore, capture: PageCapture, detect: Detector, durable: bool
) -> _PreparedPage:
    fetched_at = aware(capture.fetched_at, "fetched_at")
    has_body = bool(capture.body) or capture.fetch_status == "ok"
    body = store.put(capture.body, durable=durable) if has_body else None
    shot = store.put(capture.screenshot, durable=durable) if capture.screenshot else None
    texts = {via: text for via, text in capture.texts.items() if text is not None}
    detections = {via: detect_text(detect, texts[via]) for via in PAGE_VIAS if via in texts}
    return _PreparedPage(capture, fetched_at, body, shot, texts, detections)


def _capture_values(prep: _PreparedPage) -> dict[str, Any]:
    cap, body, shot = prep.capture, prep.body, prep.shot
    return {
        "kind": "page",
        "run_id": cap.run_id,
        "source_id": cap.source_id,
        "url": cap.url,
        "final_url": cap.final_url or cap.url,
        "status": cap.status,
        "fetch_status": cap.fetch_status,
        "fetched_at": prep.fetched_at,
        "sha256": body.sha256 if body else None,
        "size": body.size if body else None,
        "body_path": body.relpath if body else None,
        "content_type": cap.content_type,
        "encoding": cap.encoding,
        "headers": dict(cap.headers),
        "title": cap.title,
        "redirect_chain": list(cap.redirect_chain),
        "screenshot_sha256": shot.sha256 if shot else None,
        "screenshot_path": shot.relpath if shot else None,
        "rendered": cap.rendered,
    }


def _page_work(prep: _PreparedPage, slot: int | None = None) -> Work:
    """The database half of one page; `slot`: its capture row was inserted ahead with the
    group's (`_prepare_group`) and its id is `batch.capture_ids[slot]`."""
    cap = prep.capture

    def work(batch: Batch, result: IntakeResult) -> None:
        body = prep.body
        texts = {**prep.texts, "nav": cap.nav_text}
        if slot is not None and slot < len(batch.capture_ids):
            capture_id = batch.capture_ids[slot]
            _queue_texts(batch, capture_id, texts)
        else:
            capture_id = _insert_capture(batch, _capture_values(prep), texts)
        result.capture_id = capture_id
        if not prep.detections:
            return
        phrases = batch.ignore_phrases(site_of(cap.url))
        kept_by_via: dict[str, Mapping[str, Any]] = {}
        for via, det in prep.detections.items():
            kept, suppressed = apply_ignore(det, phrases)
            if via == "js" and "html" in kept_by_via:
                kept = _minus(kept, kept_by_via["html"])
            kept_by_via[via] = kept
            result.suppressed += int(suppressed)
            obs = Observation(
                source_kind="web",
                via=via,
                url=cap.url,
                text=prep.texts[via],
                detection=kept,
                seen_at=prep.fetched_at,
                captured_at=prep.fetched_at,
                evidence_sha256=body.sha256 if body else None,
                title=cap.title,
                capture_id=capture_id,
                run_id=cap.run_id,
                source_id=cap.source_id,
                community=cap.community,
                suppressed=suppressed,
            )
            record(batch, obs, result)

    return work


def ingest_page(
    session: Session,
    store: EvidenceStore,
    capture: PageCapture,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Store a fetched page and raise, update or re-sight its leads (one per via)."""
    prep = _prepare_page(store, capture, detector or default_detector(), durable=True)
    return run_in_transaction(session, _page_work(prep))


def ingest_pages(
    session: Session,
    store: EvidenceStore,
    captures: Sequence[PageCapture],
    *,
    detector: Detector | None = None,
    per_transaction: int = 1,
) -> list[IntakeResult]:
    """`ingest_page` for a batch (the crawler pipeline's buffer). All evidence is written
    and made durable first (one round of concurrent fsyncs); then the captures commit in
    order, `per_transaction` at a time, each group all-or-nothing. On an error the groups
    before it stay committed and the error propagates."""
    if per_transaction < 1:
        raise ValueError("per_transaction must be at least 1")
    detect = detector or default_detector()
    prepared = [_prepare_page(store, c, detect, durable=False) for c in captures]
    store.sync(f for p in prepared for f in (p.body, p.shot) if f is not None)
    results: list[IntakeResult] = []
    for start in range(0, len(prepared), per_transaction):
        group = prepared[start : start + per_transaction]
        works = [_page_work(p, slot) for slot, p in enumerate(group)]
        results.extend(run_group_in_transaction(session, works, partial(_prepare_group, group)))
    return results


def _prepare_group(group: Sequence[_PreparedPage], batch: Batch) -> None:
    """Before a crawler group's pages are recorded, in a few statements instead of a few per
    page: read the known leads of all their places and the ignore phrases of all their
    sites, and insert all their capture rows (one multi-row INSERT … RETURNING id)."""
    prefetch(batch, [page_key(p.capture.url, via) for p in group for via in p.detections])
    batch.prefetch_ignore_phrases({site_of(p.capture.url) for p in group if p.detections})
    rows = [_capture_values(p) for p in group]
    batch.capture_ids = [int(i) for i in batch.session.scalars(_INSERT_CAPTURES, rows)]


def ingest_image(
    session: Session,
    store: EvidenceStore,
    capture: ImageCapture,
    *,
    detector: Detector | None = None,
) -> IntakeResult:
    """Store an image found on a page with its OCR text; leads are per (page, image)."""
    fetched_at = aware(capture.fetched_at, "fetched_at")
    image = store.put(capture.body)
    det = detect_text(detector or default_detector(), capture.text)

    def work(batch: Batch, result: IntakeResult) -> None:
        values = {
            "kind": "image",
            "run_id": capture.run_id,
            "source_id": capture.source_id,
            "page_capture_id": capture.page_capture_id,
            "url": capture.image_url,
            "final_url": capture.image_url,
            "status": capture.status,
            "fetched_at": fetched_at,
            "sha256": image.sha256,
            "size": image.size,
            "body_path": image.relpath,
            "content_type": capture.content_type,
            "headers": dict(capture.headers),
        }
        capture_id = _insert_capture(batch, values, {"image": capture.text})
        result.capture_id = capture_id
        kept, suppressed = apply_ignore(det, batch.ignore_phrases(site_of(capture.page_url)))
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
            capture_id=capture_id,
            run_id=capture.run_id,
            source_id=capture.source_id,
            community=capture.community,
            suppressed=suppressed,
        )
        record(batch, obs, result)

    return run_in_transaction(session, work)


def attach_screenshot(session: Session, store: EvidenceStore, capture_id: int, png: bytes) -> str:
    """Store a page screenshot and link it to its capture; returns its SHA-256. A capture
    keeps its first screenshot: evidence is not replaced."""
    stored = store.put(png)

    def work(batch: Batch, result: IntakeResult) -> None:
        row = session.get(Capture, capture_id)
        if row is None:
            raise NotFound(f"capture {capture_id} does not exist")
        result.capture_id = row.id
        if row.screenshot_sha256 is None:
            row.screenshot_sha256 = stored.sha256
            row.screenshot_path = stored.relpath

    run_in_transaction(session, work)
    return stored.sha256
