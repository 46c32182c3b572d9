"""`admon evidence verify|sweep` (monitor.cli.db.evidence; faults.md rows 24 and 28)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.cli.common import run_cli
from monitor.cli.db import close_all, evidence
from monitor.db import session_factory
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_page
from monitor.intake.testing import keyword_detect, make_page


@pytest.fixture(autouse=True)
def _dispose_cli_engines() -> Iterator[None]:
    yield
    close_all()


def test_verify_and_sweep(
    engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "var"
    store = EvidenceStore(data / "evidence")
    with session_factory(engine)() as session:
        result = ingest_page(session, store, make_page(html="保本保息"), detector=keyword_detect)
    orphan = store.put(b"no row names me")
    args = ["--db", db_url, "--data-dir", str(data)]

    assert run_cli(evidence, ["verify", *args]) == 0
    assert "checked 1 files: 0 problems" in capsys.readouterr().out

    assert run_cli(evidence, ["sweep", *args, "--delete"]) == 0  # young: only listed
    assert "kept" in capsys.readouterr().out and store.exists(orphan.sha256)
    assert run_cli(evidence, ["sweep", *args, "--delete", "--grace-hours", "0"]) == 0
    assert "removed" in capsys.readouterr().out and not store.exists(orphan.sha256)

    with session_factory(engine)() as session:
        from monitor.models.core import Capture

        capture = session.get(Capture, result.capture_id)
        assert capture is not None and capture.sha256
        path = store.path_for(capture.sha256)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    assert run_cli(evidence, ["verify", *args]) == 1
    captured = capsys.readouterr()
    assert "altered" in captured.err and str(path) in captured.err
