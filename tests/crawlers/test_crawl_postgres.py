"""The same crawl into PostgreSQL (the shared deployment): leads raised once, re-sighted after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crawlers.demo_site import DemoSite, load_pages
from monitor.crawling import CrawlPlan, run_crawl
from monitor.models.core import Capture, Lead

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.slow]

REQUESTED_AS = {"/wealth/2024.html": "/old/wealth"}


def test_crawl_into_postgres_twice(
    demo: DemoSite, postgres_schema_url: str, tmp_path: Path, make_env: Any,
    fast: dict[str, Any],
) -> None:
    env = make_env(postgres_schema_url, tmp_path)
    plan = CrawlPlan(urls=(demo.url,), render="never", screenshots=False, images=False,
                     scrapy_settings=fast)
    first = run_crawl(env.settings, env.sessions, plan)
    assert first.status == "finished", first.notes
    with env.sessions() as s:
        leads = {(url, via) for url, via in s.execute(sa.select(Lead.url, Lead.via))}
        gbk = s.scalars(sa.select(Capture).where(Capture.url.endswith("/faults/gbk"))).one()
        assert gbk.encoding == "gb18030"
    base = demo.url.rstrip("/")
    expected = {
        (base + REQUESTED_AS.get(p.path, p.path), "html")
        for p in load_pages().values()
        if p.expect == "violation" and p.via == "html" and not p.disallowed
    }
    expected.add((base + "/faults/gbk", "html"))  # the GBK page (server.GBK_PAGE) is an ad too
    assert leads == expected  # render=never: no js leads; images off: no image leads
    again = run_crawl(env.settings, env.sessions, plan)
    assert again.status == "finished" and again.leads_new == 0 and again.lead_versions == 0
    with env.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Lead)) == len(expected)
