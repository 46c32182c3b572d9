"""Evidence store: write-once, verified reads, orphan sweep, re-verification
(faults.md rows 24 and 28)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from monitor.errors import EvidenceError
from monitor.evidence import EvidenceStore, sha256_hex, sweep_orphans, verify_all
from monitor.intake import ingest_page
from monitor.intake.testing import keyword_detect, make_page


@pytest.fixture(params=["renameat2", "link"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> EvidenceStore:
    """The store with Linux renameat2(RENAME_NOREPLACE), then with the hard-link fallback."""
    import monitor.evidence

    if request.param == "link":
        monkeypatch.setattr(monitor.evidence, "_RENAMEAT2", None)
    elif monitor.evidence._RENAMEAT2 is None:
        pytest.skip("renameat2 not available here")
    return EvidenceStore(tmp_path / "evidence")


def test_put_is_content_addressed_and_read_only(store: EvidenceStore) -> None:
    data = "<html>保本保息</html>".encode()
    stored = store.put(data)
    sha = sha256_hex(data)
    assert stored.sha256 == sha and stored.created
    assert stored.relpath == f"{sha[:2]}/{sha}"
    path = store.path_for(sha)
    assert path.read_bytes() == data
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # root ignores mode bits
    assert path.stat().st_mode & 0o222 == 0
    assert store.get(sha) == data


def test_second_put_leaves_existing_file_alone(store: EvidenceStore) -> None:
    data = b"same bytes"
    first = store.put(data)
    inode = store.path_for(first.sha256).stat().st_ino
    again = store.put(data)
    assert not again.created
    assert store.path_for(first.sha256).stat().st_ino == inode
    assert [name for name, _ in store.iter_files()] == [first.sha256]  # no temp file left


def test_concurrent_writers_of_same_bytes_both_succeed(store: EvidenceStore) -> None:
    data = os.urandom(1 << 16)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def write() -> None:
        barrier.wait()
        results.append(store.put(data).created)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) <= 1 and len(results) == 4
    assert store.get(sha256_hex(data)) == data
    assert len(list(store.iter_files())) == 1


def test_tampered_file_is_detected_naming_file_and_hashes(store: EvidenceStore) -> None:
    stored = store.put(b"original evidence bytes")
    path = store.path_for(stored.sha256)
    path.chmod(0o644)
    path.write_bytes(b"original evidence bytez")
    with pytest.raises(EvidenceError) as info:
        store.get(stored.sha256)
    message = str(info.value)
    assert str(path) in message and stored.sha256 in message
    assert sha256_hex(b"original evidence bytez") in message


def test_missing_file_and_bad_name(store: EvidenceStore) -> None:
    with pytest.raises(EvidenceError, match="missing"):
        store.get("0" * 64)
    with pytest.raises(EvidenceError, match="SHA-256"):
        store.get("../../etc/passwd")


def test_orphan_sweep_lists_then_deletes_only_old_unreferenced(
    session: Session, store: EvidenceStore
) -> None:
    result = ingest_page(session, store, make_page(html="保本保息"), detector=keyword_detect)
    assert result.capture_id is not None
    orphan = store.put(b"written, but the row never committed")
    listed = sweep_orphans(session, store)
    assert [o.path.name for o in listed] == [orphan.sha256]
    assert not listed[0].removed
    young = sweep_orphans(session, store, delete=True)  # inside the grace period: kept
    assert not young[0].removed and store.exists(orphan.sha256)
    old = sweep_orphans(session, store, delete=True, grace_seconds=0)
    assert old[0].removed and not store.exists(orphan.sha256)
    assert sweep_orphans(session, store) == []
    assert verify_all(session, store).ok  # the referenced body is untouched


def test_verify_all_reports_without_repairing(session: Session, store: EvidenceStore) -> None:
    first = ingest_page(
        session, store, make_page(html="月息3分", body=b"<p>one</p>"), detector=keyword_detect
    )
    ingest_page(
        session,
        store,
        make_page("http://b.example.test/", html="x", body=b"<p>two</p>"),
        detector=keyword_detect,
    )
    report = verify_all(session, store)
    assert report.checked == 2 and report.ok
    target = store.path_for(sha256_hex(b"<p>one</p>"))
    target.chmod(0o644)
    target.write_bytes(b"<p>0ne</p>")
    missing = store.path_for(sha256_hex(b"<p>two</p>"))
    missing.unlink()
    report = verify_all(session, store)
    assert report.checked == 2 and not report.ok
    assert any("altered" in p and str(target) in p for p in report.problems)
    assert any("missing" in p for p in report.problems)
    assert target.read_bytes() == b"<p>0ne</p>"  # not "repaired"
    assert first.capture_id is not None
