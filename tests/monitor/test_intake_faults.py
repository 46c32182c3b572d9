"""Intake under faults: a process killed mid-intake, a concurrent writer, a held SQLite
lock (faults.md rows 24, 26, 30)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from monitor.db import session_factory
from monitor.evidence import EvidenceStore, sha256_hex, sweep_orphans
from monitor.intake import IntakeResult, ingest_page
from monitor.intake.testing import keyword_detect, make_page
from monitor.models.core import Capture, Lead, LeadSighting

pytestmark = pytest.mark.integration

AD = "恒通理财：保本保息，稳赚不赔。"

# Runs intake in a child process and stops just before COMMIT, telling the parent it is
# there; the parent then SIGKILLs it (the child's own PID, which the test launched).
KILLED_CHILD = r"""
import sys, time
from pathlib import Path
from sqlalchemy import event
from monitor.db import make_engine, session_factory
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_page
from monitor.intake.testing import keyword_detect, make_page

url, root, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
session = session_factory(make_engine(url))()

@event.listens_for(session, "before_commit")
def stall(sess):
    sess.flush()
    marker.write_text("ready")
    time.sleep(60)

body = "<html>killed mid-intake 保本保息</html>".encode()
ingest_page(session, EvidenceStore(root), make_page(html="保本保息", body=body),
            detector=keyword_detect)
"""


def _wait_for(path: Path, proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child exited early: {proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("child never reached the commit")
        time.sleep(0.05)


def test_sigkill_between_evidence_write_and_commit(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    root, marker = tmp_path / "evidence", tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, db_url, str(root), str(marker)],
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(marker, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store = EvidenceStore(root)
    with session_factory(engine)() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Capture)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 0
        orphans = sweep_orphans(session, store)
        body_sha = sha256_hex("<html>killed mid-intake 保本保息</html>".encode())
        assert [o.path.name for o in orphans] == [body_sha]
        # A later intake of the same page succeeds and adopts the file.
        ingest_page(
            session,
            store,
            make_page(html="保本保息", body="<html>killed mid-intake 保本保息</html>".encode()),
            detector=keyword_detect,
        )
        assert sweep_orphans(session, store) == []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"


def test_concurrent_intake_of_same_page_makes_one_lead(engine: Engine, tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    factory = session_factory(engine)
    barrier = threading.Barrier(4)
    results: list[IntakeResult] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        with factory() as session:
            barrier.wait()
            try:
                results.append(
                    ingest_page(
                        session, store, make_page(html=AD, minutes=n), detector=keyword_detect
                    )
                )
            except BaseException as exc:  # collected and asserted on below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.new_leads for r in results) == 1
    assert sum(r.sightings for r in results) == 3
    with factory() as session:
        lead = session.scalars(sa.select(Lead)).one()
        assert lead.seen_count == 4
        assert session.scalar(sa.select(sa.func.count()).select_from(LeadSighting)) == 4


HOLDER = r"""
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE sources SET notes = notes")
Path(sys.argv[2]).write_text("locked")
time.sleep(2.0)
conn.execute("COMMIT")
"""


def test_write_waits_for_sqlite_lock_held_two_seconds(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite file locking only")
    database = engine.url.database
    assert database
    marker = tmp_path / "locked"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database, str(marker)], stderr=subprocess.PIPE
    )
    try:
        _wait_for(marker, proc)
        started = time.monotonic()
        result = ingest_page(
            session, EvidenceStore(tmp_path / "ev"), make_page(html=AD), detector=keyword_detect
        )
        waited = time.monotonic() - started
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert result.new_leads == 1
    assert 1.0 <= waited < 10.0  # it waited for the lock (busy_timeout), then wrote
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 1
    finally:
        conn.close()
