"""Crawl runs left "running" by a scheduler/parent that died are marked interrupted when the
next crawl or the scheduler starts; runs whose recorder (or crawler) still lives are not."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from crawlers.demo_site import DemoSite
from monitor import scheduler as sched
from monitor.crawling import CrawlPlan, mark_orphaned_runs, run_crawl
from monitor.models.base import utcnow
from monitor.models.core import CrawlRun

HOST = socket.gethostname()


@pytest.fixture
def env(tmp_path: Path, make_env: Any) -> Any:
    return make_env(f"sqlite:///{tmp_path / 'admon.db'}", tmp_path)


@pytest.fixture
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


def _run(env: Any, process: dict[str, Any] | None, age: timedelta = timedelta(0)) -> int:
    with env.sessions() as s:
        run = CrawlRun(status="running", started_at=utcnow() - age,
                       error_log=[{"process": process}] if process is not None else [])
        s.add(run)
        s.commit()
        return int(run.id)


def _state(env: Any, run_id: int) -> tuple[str, list[Any]]:
    with env.sessions() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        return run.status, run.error_log


def test_dead_recorder_is_interrupted_live_ones_are_not(
    env: Any, dead_pid: int, live_pid: int
) -> None:
    dead = _run(env, {"host": HOST, "pid": dead_pid, "child_pid": dead_pid})
    ours = _run(env, {"host": HOST, "pid": 1})  # pid 1 lives (another user's: still alive)
    crawler_lives = _run(env, {"host": HOST, "pid": dead_pid, "child_pid": live_pid})
    elsewhere = _run(env, {"host": "other-host", "pid": dead_pid})
    elsewhere_old = _run(env, {"host": "other-host", "pid": 5}, age=timedelta(days=2))
    unrecorded_old = _run(env, None, age=timedelta(days=2))
    unrecorded_new = _run(env, None)
    assert sorted(mark_orphaned_runs(env.sessions)) == [dead, elsewhere_old, unrecorded_old]
    status, log = _state(env, dead)
    assert status == "interrupted"
    assert any("marked interrupted" in str(e.get("note", "")) and str(dead_pid) in e["note"]
               for e in log)
    with env.sessions() as s:
        assert s.get(CrawlRun, dead).finished_at is not None
    for still in (ours, crawler_lives, elsewhere, unrecorded_new):
        assert _state(env, still)[0] == "running"
    assert mark_orphaned_runs(env.sessions) == []  # idempotent


def test_scheduler_start_marks_orphans(env: Any, dead_pid: int) -> None:
    orphan = _run(env, {"host": HOST, "pid": dead_pid})
    scheduler = sched.build(BackgroundScheduler(), env.engine, env.settings, env.sessions)
    try:
        sched.start(scheduler, env.sessions, "Asia/Shanghai")
    finally:
        scheduler.shutdown(wait=False)
    assert _state(env, orphan)[0] == "interrupted"


@pytest.mark.integration
def test_crawl_start_marks_orphans_and_records_its_process(
    env: Any, dead_pid: int, fast: dict[str, Any]
) -> None:
    orphan = _run(env, {"host": HOST, "pid": dead_pid})
    with DemoSite(bulk_pages=5) as demo:
        plan = CrawlPlan(urls=(demo.url,), max_depth=0, render="never",
                         scrapy_settings=fast)
        summary = run_crawl(env.settings, env.sessions, plan)
    assert _state(env, orphan)[0] == "interrupted"
    assert any(f"runs {orphan} interrupted" in note for note in summary.notes)
    status, _ = _state(env, summary.run_id)
    assert status == "finished"
