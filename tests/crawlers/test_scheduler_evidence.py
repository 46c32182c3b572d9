"""The nightly evidence re-verification job (faults.md row 28) is scheduled in office time
and records its outcome where the review queue reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from monitor import scheduler as sched
from monitor.evidence_checks import last_verification


def test_verify_job_is_scheduled_nightly_and_records_its_outcome(
    tmp_path: Path, make_env: Any
) -> None:
    env = make_env(f"sqlite:///{tmp_path / 'admon.db'}", tmp_path)
    scheduler = sched.build(BackgroundScheduler(), env.engine, env.settings, env.sessions)
    try:
        sched.start(scheduler, env.sessions, "Asia/Shanghai")
        job = scheduler.get_job("evidence-verify")
        assert job is not None and "hour='4'" in str(job.trigger)
        assert job.next_run_time.utcoffset().total_seconds() == 8 * 3600
    finally:
        scheduler.shutdown(wait=False)
    sched.configure(env.settings, env.sessions)
    assert sched.verify_evidence_job() == "evidence: checked 0 files, 0 problems"
    with env.sessions() as session:
        recorded = last_verification(session)
    assert recorded is not None and recorded.ok and recorded.actor == "scheduler"
