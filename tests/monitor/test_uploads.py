"""Poster uploads end to end: validation before storage, original + clean display copy,
EXIF facts on the row, OCR with claim/timeout/retry, intake raising the poster lead
(faults.md rows 2-10). Runs on SQLite and PostgreSQL through the `session` fixture."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image
from sqlalchemy.orm import Session

import ocr
from monitor.errors import ConflictError, NotFound
from monitor.evidence import EvidenceStore, sha256_hex
from monitor.intake.testing import keyword_detect
from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead, Upload
from monitor.uploads import (
    UploadMeta,
    display_filename,
    pending_uploads,
    read_upload,
    receive_upload,
)
from ocr.synth import encode, render_clean
from ocr.synth_texts import PosterText

LURE = PosterText("t1", ("鑫泰养老社", "保本保息 稳赚不赔", "咨询 139-0000-7781"), True)


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


@pytest.fixture(scope="module")
def poster_jpeg() -> bytes:
    return encode(render_clean(LURE, seed=0, width=600), "JPEG", 92)


def photo_with_exif() -> bytes:
    img = Image.new("RGB", (320, 200), "white")
    img.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (30.0, 15.0, 30.0), 3: "E", 4: (120.0, 10.0, 0.0)}
    exif[ExifTags.IFD.Exif] = {0x9003: "2026:11:20 08:30:00"}  # no offset: office time
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def bomb_png(side: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        return struct.pack(">I", len(payload)) + kind + payload + crc

    body = zlib.compress(b"\x00" * ((1 + (side + 7) // 8) * side), 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def stored_files(store: EvidenceStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def test_photo_stored_with_clean_upright_display_copy(
    session: Session, store: EvidenceStore
) -> None:
    data = photo_with_exif()
    row = receive_upload(session, store, data, UploadMeta("IMG_0001.JPG", place="电梯"))
    assert row.sha256 == sha256_hex(data)
    assert store.get(row.sha256) == data  # original untouched
    assert (row.width, row.height, row.content_type) == (200, 320, "image/jpeg")
    assert (row.gps_lat, row.gps_lon) == (pytest.approx(30.2583333), pytest.approx(120.1666667))
    assert row.exif_taken_at is not None
    assert row.exif_taken_at.hour == 0 and row.exif_taken_at.minute == 30  # 08:30 +08:00
    assert row.ocr_status == "pending"
    assert row.display_path is not None
    display = (store.root / row.display_path).read_bytes()
    shown = Image.open(io.BytesIO(display))
    assert shown.size == (200, 320) and not shown.getexif()
    actions = session.scalars(sa.select(AuditEntry.action)).all()
    assert "upload.received" in actions


def test_polyglot_accepted_but_display_copy_has_no_script(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    polyglot = poster_jpeg + b"<script>alert(1)</script>"
    row = receive_upload(session, store, polyglot, UploadMeta("poster.jpg"))
    assert b"<script>" in store.get(row.sha256)  # evidence keeps what was sent
    assert row.display_path is not None
    assert b"<script" not in (store.root / row.display_path).read_bytes()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "unsupported_type"),
        (b"II*\x00" + b"\x00" * 100, "unsupported_type"),
        (bomb_png(15_000), "image_too_large"),
        (bomb_png(7_000), "image_too_large"),
        (None, "corrupt_image"),
    ],
)
def test_refused_upload_leaves_no_file_and_no_row(
    session: Session, store: EvidenceStore, poster_jpeg: bytes, data: bytes | None, code: str
) -> None:
    payload = poster_jpeg[: len(poster_jpeg) // 2] if data is None else data
    with pytest.raises(ocr.ImageRejected) as info:
        receive_upload(session, store, payload, UploadMeta("poster.jpg"))
    assert info.value.code == code
    assert session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 0
    assert stored_files(store) == []
    entry = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "upload.rejected")
    ).one()
    assert entry.details["code"] == code


def test_byte_cap(session: Session, store: EvidenceStore, poster_jpeg: bytes) -> None:
    with pytest.raises(ocr.ImageRejected) as info:
        receive_upload(session, store, poster_jpeg, UploadMeta(), max_bytes=1000)
    assert info.value.code == "too_large"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../x.jpg", "x.jpg"),
        ("..\\..\\windows\\x.jpg", "x.jpg"),
        ("a.php%00.jpg", "a.php%00.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("a\x00b\nc.jpg", "abc.jpg"),
        ("长" * 400 + ".jpg", "长" * 300),
    ],
)
def test_display_filename(name: str, shown: str) -> None:
    assert display_filename(name) == shown


def test_hostile_filename_never_becomes_a_path(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    row = receive_upload(session, store, poster_jpeg, UploadMeta("../../etc/passwd.jpg"))
    assert row.original_filename == "passwd.jpg"
    assert row.original_path == f"{row.sha256[:2]}/{row.sha256}"
    assert all(store.root in p.parents for p in stored_files(store))


def test_read_upload_missing_row(session: Session, store: EvidenceStore) -> None:
    with pytest.raises(NotFound):
        read_upload(session, store, 999)


@pytest.mark.integration
def test_read_raises_poster_lead_then_refuses_a_second_read(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    row = receive_upload(session, store, poster_jpeg, UploadMeta("lift.jpg", community="和平社区"))
    outcome = read_upload(session, store, row.id, engine="tesseract", detector=keyword_detect)
    assert outcome.status == "done" and outcome.engine == "tesseract"
    assert "保本保息" in outcome.text
    assert outcome.intake is not None and outcome.intake.new_leads == 1
    lead = session.get(Lead, outcome.intake.lead_ids[0])
    assert lead is not None and (lead.via, lead.url) == ("poster", f"upload:{row.id}")
    session.refresh(row)
    assert (row.ocr_status, row.ocr_attempts, row.ocr_engine) == ("done", 1, "tesseract")
    with pytest.raises(ConflictError, match="done"):
        read_upload(session, store, row.id, engine="tesseract")
    again = read_upload(
        session, store, row.id, engine="tesseract", detector=keyword_detect, force=True
    )
    assert again.intake is not None and again.intake.new_leads == 0  # same lead, seen again


@pytest.mark.integration
def test_ocr_timeout_is_recorded_and_retried(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    row = receive_upload(session, store, poster_jpeg, UploadMeta("slow.jpg"))
    outcome = read_upload(session, store, row.id, engine="tesseract", timeout=0.01)
    assert outcome.status == "timeout" and outcome.intake is None
    session.refresh(row)
    assert row.ocr_status == "timeout" and row.ocr_error
    assert store.exists(row.sha256)  # the upload itself is safe
    assert pending_uploads(session) == [row.id]
    retried = read_upload(session, store, row.id, engine="tesseract", detector=keyword_detect)
    assert retried.status == "done"
    assert pending_uploads(session) == []


@pytest.mark.integration
def test_upload_command(
    tmp_path: Path, poster_jpeg: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli import cli
    from monitor.cli.common import run_cli
    from monitor.cli.db import close_all

    good = tmp_path / "lift.jpg"
    good.write_bytes(poster_jpeg)
    fake = tmp_path / "poster.jpg"
    fake.write_bytes(b"<html>not a photo</html>")
    argv = [
        "upload",
        str(good),
        str(fake),
        "--engine",
        "tesseract",
        "--place",
        "电梯",
        "--data-dir",
        str(tmp_path / "var"),
    ]
    try:
        code = run_cli(cli, argv)
    finally:
        close_all()
    out, err = capsys.readouterr()
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["file"] == str(good) and first["ocr_status"] == "done"
    assert "保本" in first["text"] and first["upload_id"] == 1
    assert second == {
        "file": str(fake),
        "error": second["error"],
        "code": "unsupported_type",
    }
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.integration
def test_upload_command_store_now_read_later(
    tmp_path: Path, poster_jpeg: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli import cli
    from monitor.cli.common import run_cli
    from monitor.cli.db import close_all

    good = tmp_path / "lift.jpg"
    good.write_bytes(poster_jpeg)
    data_dir = ["--data-dir", str(tmp_path / "var")]
    try:
        stored = run_cli(cli, ["upload", str(good), "--no-ocr", *data_dir])
        stored_out = capsys.readouterr().out
        retried = run_cli(cli, ["upload", "--retry", "--engine", "tesseract", *data_dir])
        retried_out = capsys.readouterr().out
    finally:
        close_all()
    assert stored == 0 and json.loads(stored_out)["ocr_status"] == "pending"
    record = json.loads(retried_out)
    assert retried == 0
    assert (record["upload_id"], record["ocr_status"]) == (1, "done")
    assert "保本" in record["text"]


def test_upload_files_as_a_named_grid_worker(
    tmp_path: Path, poster_jpeg: bytes, db_url: str
) -> None:
    from monitor.db import make_engine, session_factory, upgrade
    from monitor.settings import Settings
    from monitor.uploads import upload_files
    from monitor.users import create_user

    engine = make_engine(db_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        create_user(db, "grid", "grid", "Correct-Horse-42", display_name="网格员")
        db.commit()
    photo = tmp_path / "p.jpg"
    photo.write_bytes(poster_jpeg)
    junk = tmp_path / "j.jpg"
    junk.write_bytes(b"MZ\x90\x00")
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url)
    try:
        report = upload_files(settings, sessions, [photo, junk], uploader="grid", wait=False)
        with sessions() as db:
            row = db.scalars(sa.select(Upload)).one()
            assert row.uploader_id is not None and row.ocr_status == "pending"
    finally:
        engine.dispose()
    assert (report.accepted, report.leads, report.failed) == (1, 0, 1)
    assert report.files[1].code == "unsupported_type"
    other = make_engine(db_url)
    try:
        with pytest.raises(NotFound):
            upload_files(settings, session_factory(other), [photo], uploader="nobody")
    finally:
        other.dispose()


def test_the_same_photo_sent_twice_is_one_upload_and_one_lead(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    first = receive_upload(session, store, poster_jpeg, UploadMeta("a.jpg", place="电梯"))
    read_upload(session, store, first.id, engine="tesseract", detector=keyword_detect)
    again = receive_upload(session, store, poster_jpeg, UploadMeta("a (1).jpg", place="电梯"))
    assert again.id == first.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 1
    actions = list(session.scalars(sa.select(AuditEntry.action)))
    assert actions.count("upload.duplicate") == 1


@pytest.mark.integration
def test_tip_photo_read_by_ocr_joins_the_tip_lead(
    session: Session, store: EvidenceStore, poster_jpeg: bytes
) -> None:
    """Real tesseract on a tip's photo: one report stays one lead, now carrying the
    poster's words beside the reporter's."""
    from monitor.intake import TipCapture, ingest_tip

    photo = receive_upload(session, store, poster_jpeg, UploadMeta("tip.jpg", note="举报附图"))
    tip = ingest_tip(session, store, TipCapture(text="小区门口看到的", upload_id=photo.id),
                     detector=keyword_detect)  # fmt: skip
    outcome = read_upload(session, store, photo.id, engine="tesseract", detector=keyword_detect)
    assert outcome.status == "done" and outcome.intake is not None
    assert outcome.intake.lead_ids == tip.lead_ids
    leads = session.scalars(sa.select(Lead)).all()
    assert [lead.url for lead in leads] == [f"tip:{tip.tip_id}"]
    assert "小区门口看到的" in leads[0].text and "保本保息" in leads[0].text
