"""`EvidenceStore.sync` keeps one fsync thread pool per process (not one per call), and a
forked child — an RQ work horse — gets its own instead of the parent's dead threads."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import monitor.evidence as evidence
from monitor.evidence import EvidenceStore


def _sync_threads() -> int:
    return sum(t.name.startswith("evidence-sync") for t in threading.enumerate())


def test_sync_makes_files_durable_with_the_same_threads_every_time(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    store.sync([store.put(b"first", durable=False)])
    pool = evidence._sync_pool()
    for n in range(20):
        batch = [store.put(f"page {n}-{k}".encode(), durable=False) for k in range(20)]
        store.sync(batch)
        assert all(store.get(f.sha256) for f in batch)
    assert evidence._sync_pool() is pool
    assert _sync_threads() <= evidence._SYNC_THREADS


def test_a_forked_child_syncs_with_threads_of_its_own(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    store.sync([store.put(b"parent", durable=False)])  # the parent's pool has threads
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 3
        try:
            if evidence._sync_executor is not None:
                code = 1  # the parent's pool: its threads did not survive the fork
            else:
                stored = store.put(b"child", durable=False)
                store.sync([stored])
                code = 0 if store.get(stored.sha256) == b"child" else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
