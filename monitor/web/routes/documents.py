"""Disposal documents (处置文书) as printable pages, and reopening a decided lead.

约谈通知书, 责令整改通知书 and 移送函 are filled from the lead, its disposal, the linked
enterprise, the evidence and the legal basis; each exists only for a lead confirmed with
the matching disposal (404 with the reason otherwise). The pages stand alone (no site
navigation) with a print stylesheet, so they print as the document only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from monitor import workflow
from monitor.web.deps import DB, CsrfChecked
from monitor.web.forms_ledger import ReopenForm
from monitor.web.queries.documents import disposal_document
from monitor.web.routes.staff_common import Staff, local_time, office_tz, see_other, today
from monitor.web.templating import render

router = APIRouter()

DocumentName = Literal["interview", "rectify", "referral"]


@router.get("/leads/{lead_id:int}/documents/{document}")
def document_page(
    request: Request, db: DB, lead_id: int, document: DocumentName, signed_in: Staff
) -> Response:
    tz = office_tz(request)
    doc = disposal_document(db, lead_id, document)
    context = {
        "d": doc,
        "issued_on": today(request),
        "local": lambda value: local_time(value, tz, "%Y-%m-%d %H:%M:%S"),
    }
    return render(request, f"documents/{document}.html", context, signed_in=signed_in)


@router.post("/leads/{lead_id:int}/reopen", dependencies=[CsrfChecked])
def reopen(db: DB, lead_id: int, form: Annotated[ReopenForm, Form()], signed_in: Staff) -> Response:
    """confirmed | dismissed | closed → reviewing, with the reason (重新研判)."""
    workflow.reopen(db, lead_id, signed_in.user, form.version, form.reason)
    db.commit()
    return see_other(f"/leads/{lead_id}?notice=reopened")
