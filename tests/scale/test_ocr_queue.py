"""OCR on RQ: an upload's job survives its worker being killed mid-job (SIGKILL) and lands
once when another worker starts: the upload ends `done` with exactly one lead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from monitor.db import make_engine, session_factory, upgrade
from monitor.evidence import EvidenceStore
from monitor.models.core import Lead, Upload
from monitor.ocr_queue import enqueue_upload, open_queue
from monitor.uploads import UploadMeta, receive_upload
from ocr.synth import encode, render_clean
from ocr.synth_texts import PosterText

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres,
              pytest.mark.slow]

ADMON = str(Path(sys.executable).parent / "admon")
LURE = PosterText("t1", ("鑫泰养老社", "保本保息 稳赚不赔", "咨询 139-0000-7781"), True)


@pytest.fixture
def queue_name(redis_url: str) -> Iterator[str]:
    name = f"test-ocr-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = [*client.scan_iter(match=f"rq:*{name}*"), *client.scan_iter(match=f"*:{name}:*")]
    if keys:
        client.delete(*keys)


def _worker(redis_url: str, queue: str, db_url: str, data_dir: Path,
            log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMON_")}
    env.update(ADMON_DATABASE_URL=db_url, ADMON_DATA_DIR=str(data_dir),
               ADMON_OCR_ENGINE="tesseract")
    with log.open("ab") as out:
        return subprocess.Popen(
            [ADMON, "worker", "ocr", "--redis", redis_url, "--queue", queue, "--lease", "2",
             "--sweep-every", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


def _wait_status(sessions: object, upload_id: int, wanted: str, timeout: float) -> str:
    from sqlalchemy.orm import sessionmaker

    assert isinstance(sessions, sessionmaker)
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        with sessions() as s:
            status = s.scalar(sa.select(Upload.ocr_status).where(Upload.id == upload_id))
        if status == wanted:
            return status
        time.sleep(0.2)
    return status


def test_killed_ocr_worker_job_finishes_on_restart(
    redis_url: str, queue_name: str, postgres_schema_url: str, tmp_path: Path,
) -> None:
    engine = make_engine(postgres_schema_url)
    upgrade(engine)
    sessions = session_factory(engine)
    store = EvidenceStore(tmp_path / "evidence")
    with sessions() as s:
        upload = receive_upload(s, store, encode(render_clean(LURE, seed=0, width=600), "JPEG", 92),
                                UploadMeta("poster.jpg", place="电梯"))
        upload_id = upload.id
    queue = open_queue(redis_url, queue_name)
    assert enqueue_upload(queue, upload_id, hold=30.0)  # holds the claim long enough to kill
    first = _worker(redis_url, queue_name, postgres_schema_url, tmp_path, tmp_path / "a.log")
    try:
        assert _wait_status(sessions, upload_id, "running", 60) == "running", \
            (tmp_path / "a.log").read_text()[-2000:]
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    second = _worker(redis_url, queue_name, postgres_schema_url, tmp_path, tmp_path / "b.log")
    try:
        assert _wait_status(sessions, upload_id, "done", 120) == "done", \
            (tmp_path / "b.log").read_text()[-3000:]
        time.sleep(1.5)  # a duplicate job, if any, would run now
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    with sessions() as s:
        row = s.get(Upload, upload_id)
        assert row is not None and row.ocr_status == "done" and row.ocr_attempts == 1
        leads = s.scalar(sa.select(sa.func.count()).select_from(Lead).where(Lead.via == "poster"))
        assert leads == 1
    engine.dispose()
