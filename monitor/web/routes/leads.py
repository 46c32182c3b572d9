"""Review queue and lead detail (线索队列 / 线索详情) and the reviewer's decisions.

Handlers parse the request, call `monitor.leads` (reads) or `monitor.workflow` (writes)
and render; they hold no business rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from monitor import leads, workflow
from monitor.errors import InvalidInput
from monitor.evidence_checks import last_verification
from monitor.leads.shared import referred_to
from monitor.models.accounts import Role
from monitor.web.deps import DB, CsrfChecked, require
from monitor.web.forms import CloseForm, ConfirmForm, DismissForm, NoteForm, VersionedForm
from monitor.web.highlight import pieces
from monitor.web.rulesinfo import rule_info, threshold_percent
from monitor.web.sessions import SignedIn
from monitor.web.templating import render

router = APIRouter()

STAFF_ONLY = require(Role.ADMIN.value, Role.REVIEWER.value)
CAN_READ_LEADS = require(Role.ADMIN.value, Role.REVIEWER.value, Role.PARTNER.value)
PER_PAGE = 50


def _day_bound(value: str | None, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """A yyyy-mm-dd from the filter form as a UTC bound of that office-local day: its
    start (`since`, inclusive) or the next day's start (`until`, exclusive)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value!r}") from None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


@router.get("/leads")
def lead_queue(
    request: Request,
    db: DB,
    signed_in: Annotated[SignedIn, Depends(STAFF_ONLY)],
    status: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default
    risk: Annotated[list[str], Query()] = [],  # noqa: B006
    category: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    community: str = "",
    since: str = "",
    until: str = "",
    sort: str = "newest",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    tz = ZoneInfo(request.app.state.settings.timezone)
    filters = leads.LeadFilters(
        status=[s for s in status if s],
        risk=[r for r in risk if r],
        category=[c for c in category if c],
        source_kind=[s for s in source if s],
        community=community or None,
        since=_day_bound(since, tz, end=False),
        until=_day_bound(until, tz, end=True),
    )
    result = leads.queue(db, filters, sort=sort, page=page, per_page=PER_PAGE)
    chosen: dict[str, Any] = {
        "status": filters.status,
        "risk": filters.risk,
        "category": filters.category,
        "source": filters.source_kind,
        "community": community,
        "since": since,
        "until": until,
        "sort": sort,
    }
    context = {
        "result": result,
        "chosen": chosen,
        "sorts": list(leads.SORTS),
        "tz": tz,
        "evidence_check": last_verification(db),
    }
    return render(request, "leads/queue.html", context, signed_in=signed_in)


@router.get("/referred")
def referred(
    request: Request, db: DB, signed_in: Annotated[SignedIn, Depends(require(Role.PARTNER.value))]
) -> Response:
    """Partner units (派出所, 税务所) see only leads referred to them."""
    rows = referred_to(db, signed_in.user)
    return render(request, "leads/referred.html", {"rows": rows}, signed_in=signed_in)


@router.get("/leads/{lead_id}")
def lead_detail(
    request: Request,
    db: DB,
    lead_id: int,
    signed_in: Annotated[SignedIn, Depends(CAN_READ_LEADS)],
) -> Response:
    detail = leads.get_lead(db, lead_id)
    workflow.check_can_view(db, signed_in.user, detail.lead)
    lead = detail.lead
    context = {
        "d": detail,
        "lead": lead,
        "pieces": pieces(lead.text or "", lead.hits or []),
        "rules": [rule_info(h.get("rule", "")) for h in (lead.hits or [])],
        "threshold": threshold_percent(),
        "actions": workflow.allowed_actions(lead.status),
        "disposal_labels": workflow.DISPOSAL_LABELS,
        "tz": ZoneInfo(request.app.state.settings.timezone),
        "staff": signed_in.view.role in (Role.ADMIN.value, Role.REVIEWER.value),
    }
    return render(request, "leads/detail.html", context, signed_in=signed_in)


def _back(lead_id: int, notice: str) -> Response:
    return RedirectResponse(f"/leads/{lead_id}?notice={notice}", status_code=303)


@router.post("/leads/{lead_id}/start", dependencies=[CsrfChecked])
def start_review(
    db: DB,
    lead_id: int,
    form: Annotated[VersionedForm, Form()],
    signed_in: Annotated[SignedIn, Depends(STAFF_ONLY)],
) -> Response:
    workflow.start_review(db, lead_id, signed_in.user, form.version)
    db.commit()
    return _back(lead_id, "started")


@router.post("/leads/{lead_id}/confirm", dependencies=[CsrfChecked])
def confirm(
    db: DB,
    lead_id: int,
    form: Annotated[ConfirmForm, Form()],
    signed_in: Annotated[SignedIn, Depends(STAFF_ONLY)],
) -> Response:
    workflow.confirm(db, lead_id, signed_in.user, form.version, form.disposal(), reason=form.reason)
    db.commit()
    return _back(lead_id, "confirmed")


@router.post("/leads/{lead_id}/dismiss", dependencies=[CsrfChecked])
def dismiss(
    db: DB,
    lead_id: int,
    form: Annotated[DismissForm, Form()],
    signed_in: Annotated[SignedIn, Depends(STAFF_ONLY)],
) -> Response:
    workflow.dismiss(
        db, lead_id, signed_in.user, form.version, form.reason, ignore_rule=form.ignore_rule()
    )
    db.commit()
    return _back(lead_id, "dismissed")


@router.post("/leads/{lead_id}/close", dependencies=[CsrfChecked])
def close(
    db: DB,
    lead_id: int,
    form: Annotated[CloseForm, Form()],
    signed_in: Annotated[SignedIn, Depends(STAFF_ONLY)],
) -> Response:
    workflow.close(db, lead_id, signed_in.user, form.version, form.outcome)
    db.commit()
    return _back(lead_id, "closed")


@router.post("/leads/{lead_id}/note", dependencies=[CsrfChecked])
def note(
    db: DB,
    lead_id: int,
    form: Annotated[NoteForm, Form()],
    signed_in: Annotated[SignedIn, Depends(CAN_READ_LEADS)],
) -> Response:
    workflow.add_note(db, lead_id, signed_in.user, form.version, form.note)
    db.commit()
    return _back(lead_id, "noted")
