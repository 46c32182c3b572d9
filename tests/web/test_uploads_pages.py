"""The grid worker's upload page (faults.md rows 1-10 as web uploads): size cap from the
declared length and from the bytes, refusals by content with nothing left behind, the
served display copy (re-encoded, upright, no GPS, no script bytes, nosniff), hostile file
names, OCR in the background worker raising the lead, the watchdog's timeout and the retry
button, and grid isolation. SQLite and PostgreSQL through `db_url`."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from monitor import ocr_worker
from monitor.models.accounts import AuditEntry
from monitor.models.core import Lead, Upload
from monitor.settings import Settings
from ocr.synth import encode, render_clean
from ocr.synth_texts import PosterText
from tests.monitor.test_uploads import bomb_png, photo_with_exif
from tests.web.conftest import csrf_from, login, make_user

LURE = PosterText("w1", ("鑫泰养老社", "保本保息 稳赚不赔", "月息3分 咨询 139-0000-7781"), True)


@pytest.fixture
def web_settings(tmp_path: Path, db_url: str) -> Settings:
    # A 2 MB cap keeps the oversized bodies small enough for the shared test box.
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        upload_max_bytes=2 * 1024 * 1024,
        ocr_timeout_seconds=30.0,
    )


@pytest.fixture
def grid(app_client: TestClient, db: Session) -> TestClient:
    make_user(db, "wang", "grid")
    login(app_client, "wang")
    return app_client


def small_jpeg() -> bytes:
    img = Image.new("RGB", (120, 80), "white")
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def post_photo(
    client: TestClient,
    data: bytes,
    name: str = "poster.jpg",
    mime: str = "image/jpeg",
    **headers: str,
) -> httpx.Response:
    token = csrf_from(client.get("/uploads").text)
    return client.post(
        "/uploads",
        data={"csrf_token": token, "place": "3号楼电梯", "building": "3", "note": ""},
        files={"photo": (name, data, mime)},
        headers=headers or None,
    )


def evidence_files(settings: Settings) -> list[Path]:
    root = settings.evidence_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload_count(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(sa.select(sa.func.count()).select_from(Upload)) or 0)


def test_lying_content_length_is_cut_off_at_the_cap(
    grid: TestClient, db: Session, web_settings: Settings
) -> None:
    token = csrf_from(grid.get("/uploads").text)
    big = b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024)
    boundary = "xyzBOUNDARY"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = grid.post(
        "/uploads",
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": "100",
        },
    )
    assert response.status_code == 413
    assert "too_large" in response.text
    assert upload_count(db) == 0 and evidence_files(web_settings) == []
    assert "upload.too_large" in db.scalars(sa.select(AuditEntry.action)).all()


def test_declared_length_over_the_cap_refused_before_reading(grid: TestClient, db: Session) -> None:
    response = post_photo(grid, b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert upload_count(db) == 0


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (bomb_png(15_000), "bomb.png", "image_too_large"),
        (bomb_png(10_000), "bomb10k.png", "image_too_large"),
        (b"<html><script>alert(1)</script></html>", "poster.jpg", "unsupported_type"),
        (photo_with_exif()[: len(photo_with_exif()) // 2], "half.jpg", "corrupt_image"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64, "scan.tif", "unsupported_type"),
        (b"", "empty.jpg", "empty"),
    ],
)
def test_bad_files_refused_with_their_code_and_nothing_kept(
    grid: TestClient, db: Session, web_settings: Settings, data: bytes, name: str, code: str
) -> None:
    response = post_photo(grid, data, name=name)
    assert response.status_code == 422, response.text[:300]
    assert f'data-code="{code}"' in response.text
    assert upload_count(db) == 0 and evidence_files(web_settings) == []
    db.expire_all()
    refusals = db.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "upload.rejected")
    ).all()
    assert refusals


def test_polyglot_accepted_and_served_copy_has_no_script(grid: TestClient, db: Session) -> None:
    data = small_jpeg() + b"<script>alert(document.cookie)</script>"
    response = post_photo(grid, data)
    assert response.status_code == 303
    upload = db.scalars(sa.select(Upload)).one()
    image = grid.get(f"/uploads/{upload.id}/image")
    assert image.status_code == 200
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["content-type"] == "image/jpeg"
    assert b"<script" not in image.content and image.content != data


def test_exif_photo_served_upright_without_gps(grid: TestClient, db: Session) -> None:
    assert post_photo(grid, photo_with_exif(), name="IMG_0001.JPG").status_code == 303
    upload = db.scalars(sa.select(Upload)).one()
    assert upload.gps_lat is not None  # the original's facts are on the row
    shown = Image.open(io.BytesIO(grid.get(f"/uploads/{upload.id}/image").content))
    assert shown.size == (200, 320)  # Orientation=6 applied
    assert not shown.getexif()  # no GPS, no EXIF at all


@pytest.mark.parametrize(
    "name",
    [
        "../../x.jpg",
        "a.php%00.jpg",
        "<img src=x onerror=alert(1)>.jpg",
        "\u202egpj.exe",
        "长" * 300 + ".jpg",
    ],
)
def test_hostile_file_names_are_shown_escaped_and_never_a_path(
    grid: TestClient, db: Session, web_settings: Settings, name: str
) -> None:
    data = small_jpeg() + name.encode()[:8]  # distinct bytes per case
    assert post_photo(grid, data, name=name).status_code == 303
    upload = db.scalars(sa.select(Upload)).one()
    assert "/" not in upload.original_filename and "\u202e" not in upload.original_filename
    assert len(upload.original_filename) <= 300
    page = grid.get("/uploads").text
    assert "<img src=x" not in page
    for path in evidence_files(web_settings):
        assert path.resolve().is_relative_to(web_settings.evidence_dir.resolve())
        assert "x.jpg" not in path.name and "php" not in path.name


def test_another_grid_workers_upload_is_404(app_client: TestClient, db: Session) -> None:
    make_user(db, "wang", "grid")
    make_user(db, "zhao", "grid")
    login(app_client, "wang")
    assert post_photo(app_client, small_jpeg()).status_code == 303
    upload_id = db.scalars(sa.select(Upload.id)).one()
    app_client.cookies.clear()
    login(app_client, "zhao")
    assert app_client.get(f"/uploads/{upload_id}/image").status_code == 404
    assert f"upload-{upload_id}" not in app_client.get("/uploads").text
    token = csrf_from(app_client.get("/uploads").text)
    retry = app_client.post(f"/uploads/{upload_id}/retry", data={"csrf_token": token})
    assert retry.status_code == 404


def test_partner_may_not_upload(app_client: TestClient, db: Session) -> None:
    make_user(db, "po", "partner", unit="派出所")
    login(app_client, "po")
    assert app_client.get("/uploads").status_code == 403


def test_upload_without_csrf_token_is_refused(grid: TestClient, db: Session) -> None:
    response = grid.post("/uploads", files={"photo": ("p.jpg", small_jpeg(), "image/jpeg")})
    assert response.status_code == 403
    assert upload_count(db) == 0


@pytest.fixture
def worker(grid: TestClient) -> Iterator[ocr_worker.OcrWorker]:
    app = grid.app
    started = ocr_worker.start(app, poll_seconds=0.2)
    assert started is not None
    yield started
    ocr_worker.stop(app)


def wait_for(db: Session, upload_id: int, statuses: tuple[str, ...], seconds: float) -> Upload:
    deadline = time.monotonic() + seconds
    while True:
        db.expire_all()
        upload = db.get(Upload, upload_id)
        assert upload is not None
        if upload.ocr_status in statuses or time.monotonic() > deadline:
            return upload
        time.sleep(0.2)


@pytest.mark.integration
def test_ocr_runs_in_the_background_and_raises_the_lead(
    grid: TestClient, db: Session, worker: ocr_worker.OcrWorker
) -> None:
    poster = encode(render_clean(LURE, seed=1, width=600), "JPEG", 92)
    started = time.monotonic()
    response = post_photo(grid, poster)
    assert response.status_code == 303
    assert time.monotonic() - started < 5  # the request did not wait for OCR
    upload_id = db.scalars(sa.select(Upload.id)).one()
    upload = wait_for(db, upload_id, ("done", "failed", "timeout"), 120)
    assert upload.ocr_status == "done", upload.ocr_error
    deadline = time.monotonic() + 30  # the status is committed just before intake runs
    while worker.stats.read == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    db.expire_all()
    leads = db.scalars(sa.select(Lead).where(Lead.upload_id == upload_id)).all()
    assert len(leads) == 1, (upload.ocr_text, worker.stats)
    lead = leads[0]
    assert lead.risk in ("high", "medium")
    page = grid.get("/uploads").text
    assert "保本" in page and 'class="hit"' in page
    assert "ocr-waiting" not in page  # nothing pending: the page stops refreshing


def hang(*_args: object) -> str:
    """A job that never finishes in time (a stuck OCR engine)."""
    time.sleep(600)
    return "done"


@pytest.mark.integration
def test_stuck_ocr_recorded_as_timeout_then_retry_button_queues_it(
    grid: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))  # child imports `hang`
    app = grid.app
    grid.app.state.settings = grid.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"ocr_timeout_seconds": 0.5}
    )
    started = ocr_worker.start(
        app, job=hang, grace_seconds=1.0, poll_seconds=0.2, max_auto_attempts=1
    )
    assert started is not None
    try:
        assert post_photo(grid, small_jpeg()).status_code == 303
        upload_id = db.scalars(sa.select(Upload.id)).one()
        upload = wait_for(db, upload_id, ("timeout",), 30)
        assert upload.ocr_status == "timeout" and upload.ocr_attempts == 1
        assert started.stats.pools_replaced >= 1
        page = grid.get("/uploads").text  # the request thread is not blocked
        assert "识别超时" in page and f'action="/uploads/{upload_id}/retry"' in page
    finally:
        ocr_worker.stop(app)
    token = csrf_from(page)
    response = grid.post(f"/uploads/{upload_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303 and "notice=retry" in response.headers["location"]
    db.expire_all()
    assert db.get(Upload, upload_id).ocr_status == "pending"  # type: ignore[union-attr]


def test_poster_lead_page_shows_the_clean_photo_to_those_who_may_open_the_lead(
    app_client: TestClient, db: Session, web_settings: Settings
) -> None:
    from monitor.evidence import EvidenceStore
    from monitor.intake import UploadText, ingest_upload_text
    from monitor.intake.testing import keyword_detect

    make_user(db, "wang", "grid")
    make_user(db, "li", "reviewer")
    make_user(db, "police", "partner", unit="派出所")
    login(app_client, "wang")
    assert post_photo(app_client, photo_with_exif(), name="lift.jpg").status_code == 303
    upload = db.scalars(sa.select(Upload)).one()
    result = ingest_upload_text(
        db, EvidenceStore(web_settings.evidence_dir), UploadText(upload.id, "养老投资 保本保息"),
        detector=keyword_detect,
    )
    db.commit()
    lead_id = result.lead_ids[0]
    assert app_client.get(f"/leads/{lead_id}/photo").status_code == 403  # grid: no leads

    app_client.cookies.clear()
    login(app_client, "police")  # a partner, nothing referred to it
    assert app_client.get(f"/leads/{lead_id}/photo").status_code in (403, 404)

    app_client.cookies.clear()
    login(app_client, "li")
    page = app_client.get(f"/leads/{lead_id}").text
    assert f'src="/leads/{lead_id}/photo"' in page and upload.sha256 in page
    photo = app_client.get(f"/leads/{lead_id}/photo")
    assert photo.status_code == 200 and photo.headers["x-content-type-options"] == "nosniff"
    shown = Image.open(io.BytesIO(photo.content))
    assert shown.size == (200, 320) and not shown.getexif()  # upright, no GPS


def test_upload_form_starts_where_the_last_photo_was_taken(grid: TestClient) -> None:
    empty = grid.get("/uploads").text
    assert 'name="community" maxlength="100" value=""' in empty
    token = csrf_from(empty)
    sent = grid.post(
        "/uploads",
        data={"csrf_token": token, "building": '5"><b>栋', "community": "桃源社区"},
        files={"photo": ("p.jpg", small_jpeg(), "image/jpeg")},
    )
    assert sent.status_code == 303
    page = grid.get("/uploads").text
    assert 'name="community" maxlength="100" value="桃源社区"' in page
    assert 'value="5&#34;&gt;&lt;b&gt;栋"' in page and '5"><b>' not in page
