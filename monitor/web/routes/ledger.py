"""Enterprise risk ledger pages (风险企业台账): list, detail, tag / 异动 / 走访 forms, xlsx
export and import; and the lead page's "link to an enterprise" action (关联企业).

Handlers parse the request, call one function of `monitor.ledger` (or of
`monitor.web.queries` where the ledger package lacks it) and render.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from monitor import audit, ledger
from monitor.ledger import LedgerFileError
from monitor.ledger.events import EVENT_LABELS
from monitor.ledger.signals import LEVEL_ORDER, assess_many
from monitor.ledger.tags import TAG_LABELS
from monitor.ledger.visits import CHECK_ITEMS
from monitor.web.deps import DB, CsrfChecked, client_ip
from monitor.web.forms import LinkEnterpriseForm
from monitor.web.forms_ledger import EventForm, TagForm, VisitForm
from monitor.web.queries.enterprises import (
    EnterpriseFilters,
    enterprise_view,
    lead_candidates,
    search_enterprises,
)
from monitor.web.queries.ledger_writes import add_event, add_visit, import_upload
from monitor.web.routes.staff_common import (
    PostedFile,
    Staff,
    body_cap,
    local_time,
    office_tz,
    posted_file,
    see_other,
    today,
    xlsx_download,
)
from monitor.web.templating import render
from monitor.workflow import DISPOSAL_LABELS

router = APIRouter()

PER_PAGE = 50
#: Ledger spreadsheets are a few thousand rows; 10 MB is far above that and far below
#: what would strain the server (openpyxl holds the sheet in memory).
IMPORT_MAX_BYTES = 10 * 1024 * 1024
CHECK_LABELS = {"ok": "正常", "issue": "有问题", "not_checked": "未检查"}


@router.get("/ledger")
def ledger_list(
    request: Request,
    db: DB,
    signed_in: Staff,
    tag: str = "",
    community: str = "",
    industry: str = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    filters = EnterpriseFilters(tag=tag, community=community, industry=industry, q=q.strip())
    result = search_enterprises(db, filters, page=page, per_page=PER_PAGE)
    # The system's suggestion beside each staff tag, so a page of 未定级 enterprises shows
    # at a glance which ones the signals (名称/经营范围 words, leads, overdue rectification)
    # put in red or yellow.
    assessments = assess_many(db, result.rows, as_of=today(request))
    suggested = {eid: a.suggested_tag for eid, a in assessments.items()}
    context = {
        "result": result,
        "filters": filters,
        "tag_labels": TAG_LABELS,
        "suggested": suggested,
        "level_order": LEVEL_ORDER,
    }
    return render(request, "ledger/list.html", context, signed_in=signed_in)


@router.get("/ledger/export")
def ledger_export(request: Request, db: DB, signed_in: Staff) -> Response:
    """The same workbook as `admon ledger export` (written by `ledger.export_xlsx`)."""
    day = today(request)
    with tempfile.TemporaryDirectory(prefix="admon-export-") as tmp:
        out = Path(tmp) / "ledger.xlsx"
        count = ledger.export_xlsx(db, out, as_of=day)
        body = out.read_bytes()
    audit.record(db, signed_in.user, "ledger.export", None, ip=client_ip(request), rows=count)
    db.commit()
    return xlsx_download(body, f"风险企业台账-{day.isoformat()}.xlsx")


@router.get("/ledger/import")
def ledger_import_form(request: Request, signed_in: Staff) -> Response:
    return render(
        request,
        "ledger/import.html",
        {"summary": None, "error": "", "max_mb": IMPORT_MAX_BYTES // (1024 * 1024)},
        signed_in=signed_in,
    )


@router.post("/ledger/import", dependencies=[body_cap(IMPORT_MAX_BYTES), CsrfChecked])
def ledger_import(
    request: Request,
    db: DB,
    signed_in: Staff,
    upload: Annotated[PostedFile, posted_file("file", IMPORT_MAX_BYTES)],
) -> Response:
    """Import an uploaded workbook. Rows are judged one by one (rejected rows are listed
    with their row number); an oversized or unreadable file, or one missing a required
    column, imports nothing. The upload is a file, not fields, so it has no pydantic model;
    `body_cap` refuses an oversized body before anything reads it."""
    error = ""
    summary = None
    status = 200
    if len(upload.data) > IMPORT_MAX_BYTES:
        error, status = f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB，未导入任何数据", 413
    elif not upload.data:
        error, status = "上传的文件为空，未导入任何数据", 422
    else:
        try:
            summary = import_upload(
                db,
                upload.data,
                signed_in.user,
                filename=upload.filename,
                today=today(request),
                ip=client_ip(request),
            )
            db.commit()
        except LedgerFileError as exc:
            db.rollback()
            error, status = f"{exc}。未导入任何数据。", 422
    return render(
        request,
        "ledger/import.html",
        {"summary": summary, "error": error, "max_mb": IMPORT_MAX_BYTES // (1024 * 1024)},
        status_code=status,
        signed_in=signed_in,
    )


@router.get("/ledger/{enterprise_id:int}")
def enterprise_page(request: Request, db: DB, enterprise_id: int, signed_in: Staff) -> Response:
    tz = office_tz(request)
    view = enterprise_view(db, enterprise_id, as_of=today(request))
    context = {
        "e": view.detail,
        "version": view.version,
        "rectifications": view.rectifications,
        "tag_labels": TAG_LABELS,
        "event_labels": EVENT_LABELS,
        "check_items": CHECK_ITEMS,
        "check_labels": CHECK_LABELS,
        "disposal_labels": DISPOSAL_LABELS,
        "local": lambda value: local_time(value, tz),
        "today": today(request).isoformat(),
    }
    return render(request, "ledger/detail.html", context, signed_in=signed_in)


@router.post("/ledger/{enterprise_id:int}/tag", dependencies=[CsrfChecked])
def set_tag(
    request: Request,
    db: DB,
    enterprise_id: int,
    form: Annotated[TagForm, Form()],
    signed_in: Staff,
) -> Response:
    ledger.set_tag(
        db,
        enterprise_id,
        form.tag,
        form.reason,
        signed_in.user.username,
        as_of=today(request),
        expected_version=form.version,
    )
    db.commit()
    return see_other(f"/ledger/{enterprise_id}?notice=tagged")


@router.post("/ledger/{enterprise_id:int}/event", dependencies=[CsrfChecked])
def record_event(
    request: Request,
    db: DB,
    enterprise_id: int,
    form: Annotated[EventForm, Form()],
    signed_in: Staff,
) -> Response:
    add_event(
        db,
        enterprise_id,
        signed_in.user,
        kind=form.kind,
        occurred_on=form.occurred_on,
        new_value=form.new_value,
        note=form.note,
        ip=client_ip(request),
    )
    db.commit()
    return see_other(f"/ledger/{enterprise_id}?notice=event")


@router.post("/ledger/{enterprise_id:int}/visit", dependencies=[CsrfChecked])
def record_visit(
    request: Request,
    db: DB,
    enterprise_id: int,
    form: Annotated[VisitForm, Form()],
    signed_in: Staff,
) -> Response:
    add_visit(
        db,
        enterprise_id,
        signed_in.user,
        visitor=form.visitor,
        visited_at=form.moment(office_tz(request)),
        checks=form.checks(),
        findings=form.findings,
        ip=client_ip(request),
    )
    db.commit()
    return see_other(f"/ledger/{enterprise_id}?notice=visit")


@router.get("/leads/{lead_id:int}/candidates")
def lead_candidates_page(request: Request, db: DB, lead_id: int, signed_in: Staff) -> Response:
    """Which ledger enterprise may be behind the lead, ranked, with a form to confirm one."""
    found = lead_candidates(db, lead_id)
    return render(
        request,
        "ledger/candidates.html",
        {"lead": found.lead, "proposal": found.proposal},
        signed_in=signed_in,
    )


@router.post("/leads/{lead_id:int}/link", dependencies=[CsrfChecked])
def link_enterprise(
    db: DB, lead_id: int, form: Annotated[LinkEnterpriseForm, Form()], signed_in: Staff
) -> Response:
    """Staff confirm which enterprise is behind a lead (a candidate from
    `ledger.candidates_for_lead`, shown on the lead page)."""
    ledger.confirm_link(
        db, lead_id, form.enterprise_id, actor=signed_in.user, expected_version=form.version
    )
    db.commit()
    return see_other(f"/leads/{lead_id}?notice=linked")
