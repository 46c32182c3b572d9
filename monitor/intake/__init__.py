"""Intake (入库): every capture — a crawled page, an image on a page, a poster upload's
OCR text, a tip — goes through here to become evidence, a detection, and a lead.

The contract (DEVELOPERS.md, "monitor.intake"):

    result = ingest_page(session, store, PageCapture(...))
    results = ingest_pages(session, store, [PageCapture(...), ...], per_transaction=50)
    result = ingest_image(session, store, ImageCapture(...))
    result = ingest_upload_text(session, store, UploadText(upload_id, text))
    result = ingest_tip(session, store, TipCapture(text, link, contact))
    sha = attach_screenshot(session, store, capture_id, png_bytes)

`store` is a `monitor.evidence.EvidenceStore` (`EvidenceStore(settings.evidence_dir)`).
Each call is idempotent per place and content, commits its own transaction (so pass a
session with nothing pending), retries when a concurrent writer got there first, and
returns an `IntakeResult`. Pass `detector=` to use something other than `rules.detect`.
"""

from monitor.intake.keys import content_fingerprint, normalise_url, page_key, site_of
from monitor.intake.manual import ingest_tip, ingest_upload_text
from monitor.intake.pages import attach_screenshot, ingest_image, ingest_page, ingest_pages
from monitor.intake.txn import default_detector
from monitor.intake.types import (
    Detector,
    ImageCapture,
    IntakeResult,
    PageCapture,
    TipCapture,
    UploadText,
)

__all__ = [
    "Detector",
    "ImageCapture",
    "IntakeResult",
    "PageCapture",
    "TipCapture",
    "UploadText",
    "attach_screenshot",
    "content_fingerprint",
    "default_detector",
    "ingest_image",
    "ingest_page",
    "ingest_pages",
    "ingest_tip",
    "ingest_upload_text",
    "normalise_url",
    "page_key",
    "site_of",
]
