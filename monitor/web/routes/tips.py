"""Public tips (举报): anyone may report a suspected ad without an account — text, link,
optional photo, optional contact. A tip becomes a lead like any other
(`monitor.intake.ingest_tip`; its photo goes through `monitor.uploads.receive_upload`
first). The form is CSRF-protected with the anonymous token, rate-limited per IP and
size-capped. Admins list confirmed tips for the reward scheme (举报奖励) at /tips/rewards.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

import ocr
from monitor import audit
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_tip
from monitor.intake.types import TipCapture
from monitor.models.accounts import Role
from monitor.uploads import UploadMeta, receive_upload
from monitor.web.deps import DB, CsrfChecked, client_ip, require
from monitor.web.forms_uploads import TipForm
from monitor.web.queries.tips import confirmed_tips, reference
from monitor.web.ratelimit import SlidingWindowLimiter
from monitor.web.routes.staff_common import local_time
from monitor.web.routes.uploads import REFUSALS
from monitor.web.sessions import SignedIn
from monitor.web.templating import render
from monitor.web.upload_body import capped_body, form_fields, posted_photo

router = APIRouter()

#: Five tips per IP per ten minutes: a person reporting what they saw needs far fewer;
#: a script flooding the review queue is stopped early.
TIP_LIMIT, TIP_WINDOW = 5, 600.0


class TooManyTips(Exception):
    """Answered with a 429 page by the handler that catches it."""


def _limiter(request: Request) -> SlidingWindowLimiter:
    limiter: SlidingWindowLimiter | None = getattr(request.app.state, "tip_limiter", None)
    if limiter is None:
        limiter = SlidingWindowLimiter(limit=TIP_LIMIT, window=TIP_WINDOW)
        request.app.state.tip_limiter = limiter
    return limiter


def _rate_limited(request: Request) -> None:
    """Counted before the body is read, so a flood costs no parsing."""
    wait = _limiter(request).hit(f"tip:{client_ip(request) or 'unknown'}")
    if wait > 0:
        request.state.tip_wait = wait


def _form(
    request: Request,
    *,
    error: str = "",
    code: str = "",
    status_code: int = 200,
    form: TipForm | None = None,
) -> Response:
    settings = request.app.state.settings
    context = {
        "error": error,
        "code": code,
        "form": form or TipForm(),
        "max_mb": settings.upload_max_bytes / (1024 * 1024),
    }
    return render(request, "tips/form.html", context, status_code=status_code)


@router.get("/tips")
def tip_form(request: Request) -> Response:
    return _form(request)


@router.post("/tips", dependencies=[Depends(_rate_limited), capped_body, CsrfChecked])
async def submit_tip(request: Request, db: DB) -> Response:
    wait = getattr(request.state, "tip_wait", 0)
    if wait:
        return _form(
            request,
            error=f"提交过于频繁，请 {int(wait) // 60 + 1} 分钟后再试",
            code="rate_limited",
            status_code=429,
        )
    fields = await form_fields(request, TipForm)
    photo = await posted_photo(request)
    if not (fields.text or fields.link or photo.data):
        return _form(
            request,
            error="请至少填写广告内容、链接或附上照片",
            code="invalid",
            status_code=422,
            form=fields,
        )
    settings = request.app.state.settings
    store = EvidenceStore(settings.evidence_dir)
    ip = client_ip(request)
    upload_id = None
    if photo.data or photo.filename:
        try:
            upload = receive_upload(
                db,
                store,
                photo.data,
                UploadMeta(photo.filename, note="举报附图"),
                max_bytes=settings.upload_max_bytes,
                max_pixels=settings.image_max_pixels,
                timezone=settings.timezone,
                actor=f"public:{ip}",
            )
        except ocr.ImageRejected as exc:
            return _form(
                request,
                error=f"{REFUSALS.get(exc.code, exc.message)}。举报未提交。",
                code=exc.code,
                status_code=413 if exc.code == "too_large" else 422,
                form=fields,
            )
        upload_id = upload.id
    result = ingest_tip(
        db, store, TipCapture(fields.text, fields.link or None, fields.contact or None, upload_id)
    )
    audit.record(
        db,
        f"public:{ip}",
        "tip.received",
        None,
        ip=ip,
        tip_id=result.tip_id,
        lead_ids=list(result.lead_ids),
    )
    db.commit()
    return render(request, "tips/thanks.html", {"reference": reference(result.tip_id or 0)})


Admin = Annotated[SignedIn, Depends(require(Role.ADMIN.value))]


@router.get("/tips/rewards")
def rewards(request: Request, db: DB, signed_in: Admin) -> Response:
    """Confirmed tips for the reward scheme: contact, lead and disposal."""
    context = {
        "rows": confirmed_tips(db),
        "reference": reference,
        "local_time": local_time,
        "tz": ZoneInfo(request.app.state.settings.timezone),
    }
    return render(request, "tips/rewards.html", context, signed_in=signed_in)
