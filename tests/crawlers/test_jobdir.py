"""JOBDIR lifecycle: resume only after a clean stop, and only from readable files."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from queuelib import FifoDiskQueue

from crawlers import jobdir

URLS = ["http://127.0.0.1:8765/"]


def _paused_job(path: Path, records: int = 3) -> Path:
    """What Scrapy leaves after a clean stop: a disk queue, spider.state and our marker."""
    queue = FifoDiskQueue(path / "requests.queue" / "0")
    for n in range(records):
        queue.push(pickle.dumps({"url": f"http://127.0.0.1:8765/bulk/{n}.html"}, protocol=4))
    queue.close()
    (path / "requests.queue" / "active.json").write_text("[0]")
    (path / "spider.state").write_bytes(pickle.dumps({"admon": {"pages": 7}}))
    jobdir.finish(path, "interrupted", URLS)
    return path


def test_new_directory_is_a_fresh_crawl(tmp_path: Path) -> None:
    resume, why = jobdir.prepare(tmp_path / "job", URLS)
    assert not resume and why == "new crawl"
    assert json.loads((tmp_path / "job" / jobdir.MARKER).read_text())["state"] == "running"


def test_clean_stop_resumes(tmp_path: Path) -> None:
    path = _paused_job(tmp_path / "job")
    resume, why = jobdir.prepare(path, URLS)
    assert resume and "resuming" in why
    assert (path / "spider.state").exists()


def test_unclean_stop_starts_fresh(tmp_path: Path) -> None:
    path = _paused_job(tmp_path / "job")
    jobdir.prepare(path, URLS)  # a crawl starts … and is killed: marker stays "running"
    resume, why = jobdir.prepare(path, URLS)
    assert not resume and "did not stop cleanly" in why
    assert not (path / "spider.state").exists()


def test_truncated_queue_starts_fresh(tmp_path: Path) -> None:
    path = _paused_job(tmp_path / "job")
    chunk = path / "requests.queue" / "0" / "q00000"
    chunk.write_bytes(chunk.read_bytes()[:-10])
    with pytest.raises(jobdir.CorruptJobDir, match="truncated"):
        jobdir.check(path)
    resume, why = jobdir.prepare(path, URLS)
    assert not resume and "unreadable" in why
    assert not (path / "requests.queue").exists()


def test_garbled_spider_state_starts_fresh(tmp_path: Path) -> None:
    path = _paused_job(tmp_path / "job")
    (path / "spider.state").write_bytes(b"\x80\x04not a pickle")
    resume, _ = jobdir.prepare(path, URLS)
    assert not resume


def test_other_urls_do_not_resume_this_job(tmp_path: Path) -> None:
    path = _paused_job(tmp_path / "job")
    resume, _ = jobdir.prepare(path, ["http://127.0.0.1:9999/"])
    assert not resume


def test_finished_crawl_leaves_nothing_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "job"
    jobdir.prepare(path, URLS)
    jobdir.finish(path, "finished", URLS)
    assert not path.exists()
