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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import ocr
from monitor import audit
from monitor.errors import AdmonError, ConflictError, NotFound
from monitor.evidence import EvidenceStore, sha256_hex
from monitor.intake import Detector, IntakeResult, UploadText, ingest_upload_text
from monitor.models.core import Upload
from monitor.settings import Settings
from monitor.users import get_user
from ocr.api import read_bytes

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
    for a file we will not keep, after auditing the refusal.

    The same bytes sent again (a retried upload from a phone on a bad connection, a folder
    uploaded twice) are the same evidence: the existing upload is returned, and the repeat
    is audited as `upload.duplicate`, so a repeat never raises a second lead.
    """
    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    name = display_filename(meta.filename)
    existing = session.scalars(
        sa.select(Upload).where(Upload.sha256 == sha256_hex(data)).order_by(Upload.id).limit(1)
    ).first()
    if existing is not None:
        audit.record(session, actor, "upload.duplicate", existing, size=len(data), filename=name)
        session.commit()
        return existing
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


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file of a batch: stored (and maybe read), or refused."""

    file: str
    upload_id: int | None = None
    sha256: str | None = None
    read: UploadOutcome | None = None
    code: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Stored, and read if reading was asked for, without timeout or failure."""
        return self.upload_id is not None and (self.read is None or self.read.status == DONE)

    def to_dict(self) -> dict[str, object]:
        """The `admon upload` JSON object for this file."""
        if self.upload_id is None:
            return {"file": self.file, "error": f"{self.code}: {self.error}", "code": self.code}
        out: dict[str, object] = {
            "file": self.file,
            "upload_id": self.upload_id,
            "sha256": self.sha256,
            "ocr_status": self.read.status if self.read else PENDING,
        }
        if self.read is not None:
            intake = self.read.intake
            out.update(
                engine=self.read.engine,
                text=self.read.text,
                ocr_error=self.read.error,
                lead_ids=list(intake.lead_ids) if intake else [],
                new_leads=intake.new_leads if intake else 0,
            )
        return out


@dataclass
class UploadReport:
    """A batch of uploads (the demo's posters, `admon upload`)."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Files stored as uploads."""
        return sum(f.upload_id is not None for f in self.files)

    @property
    def leads(self) -> int:
        """New leads the batch raised."""
        return sum(f.read.intake.new_leads for f in self.files if f.read and f.read.intake)

    @property
    def failed(self) -> int:
        """Files refused, or whose reading timed out or failed."""
        return sum(not f.ok for f in self.files)


def upload_files(
    settings: Settings,
    sessions: sessionmaker[Session],
    files: Iterable[Path],
    *,
    uploader: str | None = None,
    place: str = "",
    building: str = "",
    community: str | None = None,
    note: str = "",
    wait: bool = True,
    engine: str | None = None,
    progress: Callable[[FileOutcome], None] | None = None,
) -> UploadReport:
    """Upload files from disk as `uploader` (a user name) would from a phone; with `wait`,
    read each one right away. One refused file does not stop the others."""
    store = EvidenceStore(settings.evidence_dir)
    uploader_id = None
    if uploader is not None:
        with sessions() as db:
            uploader_id = get_user(db, uploader).id
    report = UploadReport()
    for path in files:
        outcome = _upload_one(
            settings,
            sessions,
            store,
            path,
            UploadMeta(path.name, place, building, community, note, uploader_id),
            wait=wait,
            engine=engine or settings.ocr_engine,
        )
        report.files.append(outcome)
        if progress is not None:
            progress(outcome)
    return report


def _queued_elsewhere(settings: Settings, upload_id: int) -> bool:
    """With ADMON_REDIS_URL set, queue the OCR on RQ instead of reading here (imported
    lazily: `rq` comes with the `scale` extra)."""
    if not settings.redis_url:
        return False
    from monitor.ocr_queue import submit

    return submit(settings, upload_id)


def _upload_one(
    settings: Settings,
    sessions: sessionmaker[Session],
    store: EvidenceStore,
    path: Path,
    meta: UploadMeta,
    *,
    wait: bool,
    engine: str,
) -> FileOutcome:
    try:
        data = read_bytes(path, settings.upload_max_bytes)
        with sessions() as db:
            actor = audit.ActorRef(meta.uploader_id, "cli") if meta.uploader_id else "cli"
            row = receive_upload(
                db,
                store,
                data,
                meta,
                max_bytes=settings.upload_max_bytes,
                max_pixels=settings.image_max_pixels,
                timezone=settings.timezone,
                actor=actor,
            )
            upload_id, sha = row.id, row.sha256
            read = None
            if row.ocr_status != DONE and _queued_elsewhere(settings, upload_id):
                pass  # a shared deployment's OCR workers read it (`admon worker ocr`)
            elif wait and row.ocr_status != DONE:
                read = read_upload(
                    db, store, upload_id, engine=engine, timeout=settings.ocr_timeout_seconds
                )
    except (ocr.OcrError, AdmonError) as exc:
        message = exc.message if isinstance(exc, ocr.OcrError) else str(exc)
        return FileOutcome(str(path), code=exc.code, error=message)
    return FileOutcome(str(path), upload_id, sha, read)
