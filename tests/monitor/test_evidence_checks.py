"""Recorded evidence re-verification (faults.md row 28): every check is audited with what
it found, a failing one stays visible until a clean one, and nothing is repaired."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.evidence import EvidenceStore
from monitor.evidence_checks import last_verification, verify_and_record
from monitor.intake import ingest_page
from monitor.intake.testing import keyword_detect, make_page


def _flip_one_byte(path: Path) -> None:
    os.chmod(path, 0o644)  # evidence files are stored read-only
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_checks_are_recorded_and_a_flipped_byte_is_flagged_not_repaired(
    session: Session, tmp_path: Path
) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    assert last_verification(session) is None
    result = ingest_page(
        session, store, make_page("http://shop.test/a", "保本保息 月息3分"), detector=keyword_detect
    )
    assert result.capture_id is not None

    clean = verify_and_record(session, store, "scheduler")
    assert clean.ok and clean.checked >= 1
    first = last_verification(session)
    assert first is not None and first.ok and first.actor == "scheduler"

    (path,) = [p for _, p in store.iter_files()]
    _flip_one_byte(path)
    altered = path.read_bytes()
    failing = verify_and_record(session, store, "cli")
    assert not failing.ok
    latest = last_verification(session)
    assert latest is not None and not latest.ok and latest.problem_count == 1
    assert latest.problems[0].startswith("altered: ") and path.name in latest.problems[0]
    assert path.read_bytes() == altered  # never "repaired"
