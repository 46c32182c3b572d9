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

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each exported name lives. Loaded on first use (PEP 562), so that importing
#: `monitor.intake.types` — all the crawl process needs to build captures — does not load
#: SQLAlchemy, the models and the workflow (0.6 s of CPU on the crawl's critical path).
_EXPORTS = {
    "content_fingerprint": "keys",
    "normalise_url": "keys",
    "page_key": "keys",
    "site_of": "keys",
    "ingest_tip": "manual",
    "ingest_upload_text": "manual",
    "attach_screenshot": "pages",
    "ingest_image": "pages",
    "ingest_page": "pages",
    "ingest_pages": "pages",
    "default_detector": "txn",
    "Detector": "types",
    "ImageCapture": "types",
    "IntakeResult": "types",
    "PageCapture": "types",
    "TipCapture": "types",
    "UploadText": "types",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
