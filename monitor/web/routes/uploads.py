"""Poster uploads for grid workers (海报上传): a phone-friendly form, the worker's own
uploads with their OCR status and result, the display copy, and a retry button.

The request stores the photo (`monitor.uploads.receive_upload`) and returns; OCR runs in
the background worker (`monitor.ocr_worker`). A grid worker sees only their own uploads:
anyone else's id answers 404.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

import ocr
from monitor import audit, ledger, ocr_worker
from monitor.errors import InvalidInput
from monitor.evidence import EvidenceStore
from monitor.models.accounts import Role
from monitor.models.base import utcnow
from monitor.uploads import FAILED, PENDING, RUNNING, TIMEOUT, UploadMeta, receive_upload
from monitor.web.deps import DB, CsrfChecked, client_ip, require
from monitor.web.forms_uploads import SweepForm, UploadForm
from monitor.web.images import display_copy_response
from monitor.web.queries.uploads import own_uploads, visible_upload
from monitor.web.routes.staff_common import local_time, see_other
from monitor.web.sessions import SignedIn
from monitor.web.templating import render
from monitor.web.upload_body import capped_body, form_fields, posted_photo

router = APIRouter()

Uploader = Annotated[
    SignedIn, Depends(require(Role.GRID.value, Role.ADMIN.value, Role.REVIEWER.value))
]

#: What each refusal code of `ocr.load_image` tells the grid worker.
REFUSALS = {
    "empty": "没有收到照片内容（文件为空）",
    "too_large": "照片文件过大",
    "image_too_large": "照片像素尺寸过大，请用手机正常拍摄后再传",
    "unsupported_type": "不是支持的图片格式（请上传 JPEG、PNG 或 WebP 照片）",
    "corrupt_image": "照片文件已损坏或不完整，请重新拍摄",
}
STATUS_LABELS = {
    PENDING: "等待识别",
    RUNNING: "识别中",
    "done": "已识别",
    TIMEOUT: "识别超时",
    FAILED: "识别失败",
}


def _page(
    request: Request,
    db: DB,
    signed_in: SignedIn,
    *,
    error: str = "",
    code: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    rows = own_uploads(db, signed_in.user.id)
    waiting = any(r.upload.ocr_status in (PENDING, RUNNING) for r in rows)
    # A grid worker photographs building after building in one community: start the
    # form where the last photo was taken instead of making them type it again.
    last = rows[0].upload if rows else None
    context = {
        "rows": rows,
        "last_community": (last.community or "") if last else "",
        "last_building": last.building if last else "",
        "waiting": waiting,
        "error": error,
        "code": code,
        "notice": notice,
        "labels_status": STATUS_LABELS,
        "retryable": (FAILED, TIMEOUT),
        "tz": ZoneInfo(request.app.state.settings.timezone),
        "local_time": local_time,
        "max_mb": request.app.state.settings.upload_max_bytes / (1024 * 1024),
    }
    return render(
        request, "uploads/index.html", context, status_code=status_code, signed_in=signed_in
    )


@router.get("/uploads")
def uploads_page(request: Request, db: DB, signed_in: Uploader, notice: str = "") -> Response:
    return _page(request, db, signed_in, notice=notice[:100])


@router.post("/uploads", dependencies=[capped_body, CsrfChecked])
async def upload_photo(request: Request, db: DB, signed_in: Uploader) -> Response:
    """Store the photo and return at once; refusals are 422 pages naming the code.
    Async only to read the cached form; the database work is short (no OCR here)."""
    fields = await form_fields(request, UploadForm)
    photo = await posted_photo(request)
    if not photo.data and not photo.filename:
        raise InvalidInput("请拍摄或选择一张照片")
    settings = request.app.state.settings
    actor = audit.ActorRef(signed_in.user.id, signed_in.user.username)
    try:
        row = receive_upload(
            db,
            EvidenceStore(settings.evidence_dir),
            photo.data,
            UploadMeta(
                photo.filename,
                fields.place,
                fields.building,
                fields.community or None,
                fields.note,
                signed_in.user.id,
            ),
            max_bytes=settings.upload_max_bytes,
            max_pixels=settings.image_max_pixels,
            timezone=settings.timezone,
            actor=actor,
        )
    except ocr.ImageRejected as exc:
        status = 413 if exc.code == "too_large" else 422
        message = REFUSALS.get(exc.code, exc.message)
        return _page(
            request, db, signed_in, error=f"{message}。未保存。", code=exc.code, status_code=status
        )
    ocr_worker.kick(request.app, row.id)
    return see_other(f"/uploads?notice=saved#upload-{row.id}")


@router.post("/sweeps", dependencies=[CsrfChecked])
def record_empty_sweep(
    request: Request, db: DB, form: Annotated[SweepForm, Form()], signed_in: Uploader
) -> Response:
    """A sweep that found no poster: recorded for 排查全覆盖 (`ledger.record_sweep`, which
    audits it)."""
    user = signed_in.user
    ledger.record_sweep(
        db,
        community=form.community,
        building=form.building,
        place=form.place,
        note=form.note,
        swept_by=user.display_name or user.username,
        swept_at=utcnow(),
        audit_as=audit.ActorRef(user.id, user.username),
        ip=client_ip(request),
    )
    db.commit()
    return see_other("/uploads?notice=swept")


@router.get("/uploads/{upload_id:int}/image")
def upload_image(upload_id: int, db: DB, signed_in: Uploader, request: Request) -> Response:
    """The re-encoded, metadata-free display copy (never the original: faults.md row 5)."""
    upload = visible_upload(db, signed_in.user, upload_id)
    if not upload.display_path:
        raise InvalidInput("这张照片没有可显示的副本")
    return display_copy_response(EvidenceStore(request.app.state.settings.evidence_dir), upload)


@router.post("/uploads/{upload_id:int}/retry", dependencies=[CsrfChecked])
def retry(request: Request, upload_id: int, db: DB, signed_in: Uploader) -> Response:
    """Queue a timed-out or failed upload for OCR again."""
    visible_upload(db, signed_in.user, upload_id)
    actor = audit.ActorRef(signed_in.user.id, signed_in.user.username)
    queued = ocr_worker.request_retry(db, upload_id, actor)
    db.commit()
    if queued:
        ocr_worker.kick(request.app, upload_id)
    return see_other(f"/uploads?notice={'retry' if queued else 'not_retryable'}")
