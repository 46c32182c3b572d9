"""Poster uploads (海报上传): a grid worker's photo becomes evidence, text and maybe a lead.

Two steps, so the web request that receives a photo never waits for OCR (faults.md row 10):

    upload = receive_upload(session, store, data, UploadMeta(filename=..., place=...))
    outcome = read_upload(session, store, upload.id)      # in a worker, or right away

`receive_upload` checks the bytes with `ocr.load_image` (size, type by content, pixel cap,
full decode) before anything is written; then stores the untouched original and a
re-encoded, metadata-free display copy in the evidence store, and commits the `uploads` row
(`ocr_status="pending"`). A refused file leaves no file and no row, only an audit entry.

`read_upload` claims the row (`pending|timeout|failed → running`, one worker wins), runs
`ocr.read` on the verified original, records `done` / `timeout` / `failed`, and hands the
text to `monitor.intake.ingest_upload_text`, which raises or updates the lead.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

import ocr
from monitor import audit
from monitor.errors import ConflictError, NotFound
from monitor.evidence import EvidenceStore
from monitor.intake import Detector, IntakeResult, UploadText, ingest_upload_text
from monitor.models.core import Upload

#: OCR states of an upload. `running` is held by one worker at a time.
PENDING, RUNNING, DONE, TIMEOUT, FAILED = "pending", "running", "done", "timeout", "failed"
RETRYABLE = (PENDING, TIMEOUT, FAILED)

_FILENAME_MAX = 300


@dataclass(frozen=True)
class UploadMeta:
    """What the grid worker says about a photo. The file name is kept for display only."""

    filename: str = ""
    place: str = ""  # 点位: 电梯, 公告栏, 快递驿站 …
    building: str = ""  # 楼栋
    community: str | None = None  # 所属社区
    note: str = ""
    uploader_id: int | None = None


@dataclass(frozen=True)
class UploadOutcome:
    """The result of reading one upload."""

    upload_id: int
    status: str
    engine: str | None
    text: str
    error: str | None
    intake: IntakeResult | None


def display_filename(name: str) -> str:
    """The client's file name reduced to something safe to show: last path component,
    no control or bidi-override characters, at most 300 characters (faults.md row 8).
    It is never used to build a path; files are stored under their SHA-256."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    return cleaned.strip()[:_FILENAME_MAX]


def _as_utc(taken: datetime | None, tz: tzinfo) -> datetime | None:
    """EXIF time in UTC; a time without offset is taken as office local time."""
    if taken is None:
        return None
    if taken.tzinfo is None:
        taken = taken.replace(tzinfo=tz)
    return taken.astimezone(UTC)


def receive_upload(
    session: Session,
    store: EvidenceStore,
    data: bytes,
    meta: UploadMeta,
    *,
    max_bytes: int = ocr.DEFAULT_MAX_BYTES,
    max_pixels: int = ocr.DEFAULT_MAX_PIXELS,
    timezone: str | tzinfo = "Asia/Shanghai",
    actor: audit.Actor = None,
) -> Upload:
    """Validate, store and record one photo; raises `ocr.ImageRejected` (with its `code`)
    for a file we will not keep, after auditing the refusal."""
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    name = display_filename(meta.filename)
    try:
        loaded = ocr.load_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except ocr.ImageRejected as exc:
        audit.record(
            session,
            actor,
            "upload.rejected",
            None,
            code=exc.code,
            size=len(data),
            filename=name,
        )
        session.commit()
        raise
    original = store.put(data)
    display = store.put(ocr.display_copy(loaded))
    row = Upload(
        sha256=original.sha256,
        original_path=original.relpath,
        display_path=display.relpath,
        original_filename=name,
        content_type=loaded.mime_type,
        size=len(data),
        width=loaded.width,
        height=loaded.height,
        uploader_id=meta.uploader_id,
        place=meta.place,
        building=meta.building,
        community=meta.community,
        note=meta.note,
        exif_taken_at=_as_utc(loaded.captured_at, tz),
        gps_lat=loaded.gps.latitude if loaded.gps else None,
        gps_lon=loaded.gps.longitude if loaded.gps else None,
        ocr_status=PENDING,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "upload.received",
        row,
        sha256=original.sha256,
        size=len(data),
        format=loaded.format,
    )
    session.commit()
    return row


def claim(session: Session, upload_id: int, *, force: bool = False) -> None:
    """Mark an upload `running` for this worker, or raise ConflictError if another worker
    holds it or it is already read (`force` also re-reads `done` and stuck `running`)."""
    allowed = (*RETRYABLE, DONE, RUNNING) if force else RETRYABLE
    stmt = (
        sa.update(Upload)
        .where(Upload.id == upload_id, Upload.ocr_status.in_(allowed))
        .values(ocr_status=RUNNING)
    )
    claimed = session.execute(stmt).rowcount  # type: ignore[attr-defined]
    session.commit()
    if claimed:
        return
    status = session.scalar(sa.select(Upload.ocr_status).where(Upload.id == upload_id))
    if status is None:
        raise NotFound(f"upload {upload_id} does not exist")
    raise ConflictError(f"upload {upload_id} is {status}; not reading it again")


def read_upload(
    session: Session,
    store: EvidenceStore,
    upload_id: int,
    *,
    engine: str = "auto",
    timeout: float = 60.0,
    detector: Detector | None = None,
    force: bool = False,
) -> UploadOutcome:
    """OCR one upload and pass its text to intake. A timeout or engine failure is recorded
    on the row (retry later with `read_upload` again); it is not raised."""
    claim(session, upload_id, force=force)
    upload = session.get(Upload, upload_id)
    assert upload is not None  # claim() proved it exists
    data = store.get(upload.sha256)  # verified against its hash; EvidenceError otherwise
    text, engine_used, error, status = "", None, None, DONE
    try:
        result = ocr.read(data, engine=engine, timeout=timeout, max_bytes=max(len(data), 1))
        text, engine_used = result.text, result.engine
    except ocr.OcrTimeout as exc:
        status, error = TIMEOUT, exc.message
    except ocr.OcrError as exc:
        status, error = FAILED, f"{exc.code}: {exc.message}"
    upload.ocr_status = status
    upload.ocr_engine = engine_used
    upload.ocr_text = text if status == DONE else upload.ocr_text
    upload.ocr_error = error
    upload.ocr_attempts = (upload.ocr_attempts or 0) + 1
    session.commit()
    intake = None
    if status == DONE and text.strip():
        intake = ingest_upload_text(session, store, UploadText(upload_id, text), detector=detector)
    return UploadOutcome(upload_id, status, engine_used, text, error, intake)


def pending_uploads(session: Session, limit: int = 100) -> list[int]:
    """Ids of uploads waiting for OCR or worth retrying (timeout, failed), oldest first."""
    stmt = (
        sa.select(Upload.id)
        .where(Upload.ocr_status.in_(RETRYABLE))
        .order_by(Upload.created_at, Upload.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))
