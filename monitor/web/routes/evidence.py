"""Evidence files for the lead page: the screenshot, the photo of a poster or tip, and the
captured page as a snapshot.

The snapshot is the raw captured HTML, so it is hostile by definition: it is served with a
CSP `sandbox` (no scripts, no same-origin, no forms), `default-src 'none'` (nothing loads
from the crawled site or anywhere else), nosniff, and shown only inside a sandboxed iframe.
Every read verifies the file's SHA-256 (`EvidenceStore.get`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from monitor import leads, workflow
from monitor.errors import NotFound
from monitor.evidence import EvidenceStore
from monitor.web.deps import DB
from monitor.web.images import display_copy_response
from monitor.web.routes.leads import CAN_READ_LEADS
from monitor.web.sessions import SignedIn

router = APIRouter()

SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _store(request: Request) -> EvidenceStore:
    return EvidenceStore(request.app.state.settings.evidence_dir)


@router.get("/leads/{lead_id}/snapshot")
def snapshot(
    request: Request, db: DB, lead_id: int, signed_in: Annotated[SignedIn, Depends(CAN_READ_LEADS)]
) -> Response:
    detail = leads.get_lead(db, lead_id)
    workflow.check_can_view(db, signed_in.user, detail.lead)
    capture = detail.capture
    if capture is None or not capture.sha256 or capture.kind != "page":
        raise NotFound(f"lead {lead_id} has no captured page")
    body = _store(request).get(capture.sha256)
    charset = capture.encoding or "utf-8"
    return Response(
        body,
        media_type=f"text/html; charset={charset}",
        headers={
            "Content-Security-Policy": SNAPSHOT_CSP,
            "X-Frame-Options": "SAMEORIGIN",
            "Content-Disposition": "inline",
        },
    )


@router.get("/leads/{lead_id}/screenshot")
def screenshot(
    request: Request, db: DB, lead_id: int, signed_in: Annotated[SignedIn, Depends(CAN_READ_LEADS)]
) -> Response:
    detail = leads.get_lead(db, lead_id)
    workflow.check_can_view(db, signed_in.user, detail.lead)
    capture = detail.capture
    if capture is None or not capture.screenshot_sha256:
        raise NotFound(f"lead {lead_id} has no screenshot")
    return Response(_store(request).get(capture.screenshot_sha256), media_type="image/png")


@router.get("/leads/{lead_id}/photo")
def photo(
    request: Request, db: DB, lead_id: int, signed_in: Annotated[SignedIn, Depends(CAN_READ_LEADS)]
) -> Response:
    """The poster or tip photo behind a lead, for everyone who may open the lead (a partner
    unit sees the photo of a lead referred to it)."""
    detail = leads.get_lead(db, lead_id)
    workflow.check_can_view(db, signed_in.user, detail.lead)
    if detail.upload is None:
        raise NotFound(f"lead {lead_id} has no photo")
    return display_copy_response(_store(request), detail.upload)
