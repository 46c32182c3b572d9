"""Chromium killed mid-crawl (faults.md row 23): the browser is relaunched and later pages
render again; a page caught mid-render is either retried or recorded as `render_error` (its
static capture is kept either way), so no page is lost."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crawlers.demo_site import DemoSite
from monitor.crawling import CrawlPlan, CrawlSummary, run_crawl
from monitor.models.core import Capture

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def slow_bulk() -> Iterator[DemoSite]:
    with DemoSite(bulk_pages=60, sitemap=False, bulk_delay=0.2) as site:
        yield site


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _browser_pids() -> list[int]:
    """Chromium browser (not renderer/helper) processes started by this test process."""
    pids = []
    for pid in _descendants(os.getpid()):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        helper = any(arg.startswith(b"--type=") for arg in cmdline)
        if cmdline and b"chrom" in cmdline[0] and not helper:
            pids.append(pid)
    return pids


def test_killed_browser_is_relaunched(
    slow_bulk: DemoSite, tmp_path: Path, make_env: Any, fast: dict[str, Any]
) -> None:
    env = make_env(f"sqlite:///{tmp_path / 'admon.db'}", tmp_path)
    plan = CrawlPlan(urls=(f"{slow_bulk.url}bulk/",), max_pages=60, max_depth=10,
                     render="always", screenshots=False, images=False,
                     scrapy_settings=fast | {"ADMON_RENDER_TIMEOUT": 20})
    result: dict[str, CrawlSummary] = {}
    crawl = threading.Thread(target=lambda: result.setdefault(
        "summary", run_crawl(env.settings, env.sessions, plan)))
    crawl.start()
    deadline = time.monotonic() + 90
    killed: list[int] = []
    rendered_before_kill = 0
    while not killed:
        assert time.monotonic() < deadline, "Chromium never started"
        with env.sessions() as s:
            rendered = s.scalar(sa.select(sa.func.count()).select_from(Capture).where(
                Capture.rendered.is_(True))) or 0
        browsers = _browser_pids()
        if rendered >= 5 and browsers:
            for pid in browsers:
                os.kill(pid, signal.SIGKILL)
            killed = browsers
            rendered_before_kill = rendered
        time.sleep(0.2)
    relaunched: list[int] = []
    while crawl.is_alive() and not relaunched:
        relaunched = [pid for pid in _browser_pids() if pid not in killed]
        time.sleep(0.1)
    crawl.join(timeout=240)
    assert relaunched, "no new Chromium after the kill"
    summary = result["summary"]
    assert summary.status == "finished", summary.notes
    with env.sessions() as s:
        pages = s.execute(sa.select(Capture.url, Capture.rendered, Capture.fetched_at).where(
            Capture.kind == "page", Capture.fetch_status == "ok")).all()
    assert len({url for url, _, _ in pages}) == 60  # the page budget: nothing lost
    assert set(summary.error_kinds) <= {"render_error"}
    rendered_after = sum(1 for _, rendered, _ in pages if rendered)
    assert rendered_after > rendered_before_kill + summary.error_kinds.get("render_error", 0)
    assert _browser_pids() == []  # closed at the end, none leaked
