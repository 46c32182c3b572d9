"""The crawl schedule: jobs follow the sources table, missed runs coalesce, one scheduler."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from monitor import scheduler as sched
from monitor.errors import ConflictError, InvalidInput
from monitor.models.core import Source
from monitor.sources import add_source, set_source_enabled


@pytest.fixture
def env(tmp_path: Path, make_env: Any) -> Any:
    return make_env(f"sqlite:///{tmp_path / 'admon.db'}", tmp_path)


def _scheduler(env: Any) -> BackgroundScheduler:
    scheduler = sched.build(BackgroundScheduler(), env.engine, env.settings, env.sessions)
    scheduler.start(paused=True)
    return scheduler


def test_jobs_follow_enabled_sources(env: Any) -> None:
    with env.sessions() as s:
        add_source(s, "青禾便民网", ["http://127.0.0.1:8765/"])
        add_source(s, "商户小站", ["http://127.0.0.1:8766/"], schedule="30 3 * * 1")
        s.commit()
    scheduler = _scheduler(env)
    try:
        assert sched.sync_jobs(scheduler, env.sessions, "Asia/Shanghai") == 2
        jobs = {job["name"]: job for job in sched.describe_jobs(scheduler)}
        assert "hour='2', minute='0'" in jobs["crawl 青禾便民网"]["trigger"]
        assert "day_of_week='1', hour='3', minute='30'" in jobs["crawl 商户小站"]["trigger"]
        assert jobs["crawl 青禾便民网"]["next_run"].endswith("+08:00")
        with env.sessions() as s:
            set_source_enabled(s, "商户小站", False)
            s.commit()
        sched.sync_jobs(scheduler, env.sessions, "Asia/Shanghai")
        assert [j["name"] for j in sched.describe_jobs(scheduler)] == ["crawl 青禾便民网"]
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_persist_in_the_database(env: Any) -> None:
    with env.sessions() as s:
        add_source(s, "青禾便民网", ["http://127.0.0.1:8765/"])
        s.commit()
    first = _scheduler(env)
    sched.sync_jobs(first, env.sessions, "Asia/Shanghai")
    first.shutdown(wait=False)
    second = _scheduler(env)  # a restarted scheduler finds the job (and its next run) stored
    try:
        assert [j["name"] for j in sched.describe_jobs(second)] == ["crawl 青禾便民网"]
    finally:
        second.shutdown(wait=False)


def test_missed_runs_coalesce_within_five_hours() -> None:
    assert sched.JOB_DEFAULTS["coalesce"] is True
    assert sched.JOB_DEFAULTS["misfire_grace_time"] >= 5 * 3600
    assert sched.JOB_DEFAULTS["max_instances"] == 1


def _lock_once(engine: Any, data_dir: Path) -> None:
    with sched.single_instance(engine, data_dir):
        pass


def test_second_scheduler_does_not_get_the_lock(env: Any) -> None:
    data_dir = env.settings.data_dir
    with ExitStack() as held:
        held.enter_context(sched.single_instance(env.engine, data_dir))
        with pytest.raises(ConflictError, match="already"):
            _lock_once(env.engine, data_dir)
    _lock_once(env.engine, data_dir)  # released: the next one gets it


@pytest.mark.postgres
def test_postgres_advisory_lock(postgres_schema_url: str, tmp_path: Path, make_env: Any) -> None:
    env = make_env(postgres_schema_url, tmp_path)
    with ExitStack() as held:
        held.enter_context(sched.single_instance(env.engine, tmp_path))
        with pytest.raises(ConflictError):
            _lock_once(env.engine, tmp_path / "elsewhere")


def test_bad_crontab_is_reported_not_scheduled(env: Any) -> None:
    with pytest.raises(InvalidInput, match="crontab"), env.sessions() as s:
        add_source(s, "坏计划", ["http://127.0.0.1:8765/"], schedule="every night")
    with env.sessions() as s:  # one that got in some other way is skipped, not fatal
        s.add(Source(name="坏计划", start_urls=["http://127.0.0.1:8765/"], schedule="every night"))
        s.commit()
    scheduler = _scheduler(env)
    try:
        assert sched.describe_jobs(scheduler) == []
        sched.sync_jobs(scheduler, env.sessions, "Asia/Shanghai")
        assert sched.describe_jobs(scheduler) == []
    finally:
        scheduler.shutdown(wait=False)


def test_report_job_writes_only_on_reporting_days(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date, datetime

    sched.configure(env.settings, env.sessions)

    class Clock(datetime):
        day_of_test = date(2026, 11, 15)

        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime(cls.day_of_test.year, cls.day_of_test.month, cls.day_of_test.day,
                            8, 0, tzinfo=tz)

    monkeypatch.setattr(sched, "datetime", Clock)
    written = Path(sched.report_job())
    assert written.exists() and written.parent == env.settings.data_dir / "reports"
    assert "already written" in sched.report_job()
    Clock.day_of_test = date(2026, 11, 16)
    assert "not a reporting day" in sched.report_job()
