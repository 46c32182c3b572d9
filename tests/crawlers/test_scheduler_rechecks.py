"""整改复查 by the scheduler: the daily job re-crawls exactly the pages whose rectification
is due for a re-check, and intake records what it found (still present, then removed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from crawlers.demo_site import DemoSite, load_pages
from monitor import scheduler as sched
from monitor.crawling import CrawlPlan, run_crawl
from monitor.models.core import CrawlRun, Lead
from monitor.models.workflow import Rectification, RectificationCheck

AD = "/shops/jinfeng/offer.html"
TODAY = date(2026, 11, 27)


@pytest.fixture
def env(tmp_path: Path, make_env: Any) -> Any:
    return make_env(f"sqlite:///{tmp_path / 'admon.db'}", tmp_path)


def _lead(session: Any, url: str, *, via: str = "html", source_kind: str = "web") -> Lead:
    lead = Lead(source_kind=source_kind, via=via, url=url, page_key=f"k-{url}-{via}",
                status="confirmed", version_id=1)
    session.add(lead)
    session.flush()
    return lead


def _rectify(session: Any, lead_id: int, recheck: date, status: str = "open") -> None:
    session.add(Rectification(lead_id=lead_id, responsible_unit="金丰", measures="撤下广告",
                              deadline=date(2026, 11, 20), recheck_date=recheck, status=status))


def test_plan_takes_exactly_the_due_pages(env: Any) -> None:
    with env.sessions() as s:
        due = _lead(s, "http://a.example.test/ad.html")
        image = _lead(s, "http://a.example.test/ad.html", via="image")  # same page once
        later = _lead(s, "http://b.example.test/later.html")
        done = _lead(s, "http://c.example.test/done.html")
        poster = _lead(s, "upload:7", via="poster", source_kind="poster")
        other = _lead(s, "http://d.example.test/other.html")
        _rectify(s, due.id, date(2026, 11, 26))
        _rectify(s, image.id, TODAY)
        _rectify(s, later.id, date(2026, 11, 28))
        _rectify(s, done.id, date(2026, 11, 1), status="done")
        _rectify(s, poster.id, date(2026, 11, 1))
        _rectify(s, other.id, date(2026, 11, 25))
        s.commit()
        plan = sched.recheck_plan(s, TODAY, render="never")
        assert plan is not None
        assert plan.urls == ("http://d.example.test/other.html", "http://a.example.test/ad.html")
        assert (plan.max_depth, plan.max_pages, plan.trigger) == (0, 2, "schedule")
        assert sched.recheck_plan(s, date(2026, 11, 1), render="never") is None


def test_job_is_scheduled_daily_in_office_time(env: Any) -> None:
    scheduler = sched.build(BackgroundScheduler(), env.engine, env.settings, env.sessions)
    try:
        sched.start(scheduler, env.sessions, "Asia/Shanghai")
        job = scheduler.get_job("rectification-rechecks")
        assert job is not None and "hour='6'" in str(job.trigger)
        assert job.next_run_time.utcoffset().total_seconds() == 8 * 3600
    finally:
        scheduler.shutdown(wait=False)


def test_job_without_due_rechecks_crawls_nothing(env: Any) -> None:
    sched.configure(env.settings, env.sessions)
    assert sched.recheck_job(TODAY, render="never") == f"{TODAY}: no re-checks due"
    with env.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(CrawlRun)) == 0


@pytest.fixture
def changing_demo() -> Iterator[tuple[DemoSite, dict[str, Any]]]:
    pages = load_pages()  # the server reads this (cached) dict on every request
    original = pages[AD]
    with DemoSite(bulk_pages=10) as site:
        try:
            yield site, pages
        finally:
            pages[AD] = original


@pytest.mark.integration
@pytest.mark.slow
def test_recrawl_records_still_present_then_removed(
    env: Any, changing_demo: tuple[DemoSite, dict[str, Any]], fast: dict[str, Any]
) -> None:
    demo, pages = changing_demo
    url = demo.url.rstrip("/") + AD
    first = run_crawl(env.settings, env.sessions,
                      CrawlPlan(urls=(url,), max_depth=0, render="never", scrapy_settings=fast))
    assert first.status == "finished" and first.leads_new == 1, first.notes
    with env.sessions() as s:
        lead = s.scalars(sa.select(Lead).where(Lead.url == url)).one()
        s.execute(sa.update(Lead).where(Lead.id == lead.id).values(status="confirmed"))
        _rectify(s, lead.id, TODAY)
        s.commit()
    sched.configure(env.settings, env.sessions)
    hits_before = demo.count(AD)
    message = sched.recheck_job(TODAY, render="never", scrapy_settings=fast)
    assert "re-checked 1 pages" in message and "finished" in message
    assert demo.count(AD) == hits_before + 1  # exactly that page

    closed = "<h1>金丰茶叶</h1><p>本店暂停营业，敬请谅解。</p>"
    pages[AD] = dataclasses.replace(pages[AD], body=closed)
    sched.recheck_job(TODAY, render="never", scrapy_settings=fast)
    with env.sessions() as s:
        checks = s.scalars(sa.select(RectificationCheck).order_by(RectificationCheck.id)).all()
        assert [c.still_present for c in checks] == [True, False]
        assert all(c.capture_id is not None and c.checked_by_id is None for c in checks)
        rect = s.scalars(sa.select(Rectification)).one()
        assert rect.status == "done" and rect.recheck_result == "removed"
        runs = s.scalars(sa.select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.trigger for r in runs] == ["cli", "schedule", "schedule"]
        assert all(r.status == "finished" for r in runs)
    assert sched.recheck_job(TODAY, render="never") == f"{TODAY}: no re-checks due"
