"""Crawl the demo town for real: Scrapy over loopback, Chromium for the JS page, OCR for the
posters, intake into SQLite — then crawl it again and check nothing is raised twice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from crawlers.demo_site import DemoSite, load_pages
from crawlers.demo_site.server import GBK_PAGE
from monitor.crawling import CrawlPlan, CrawlSummary, run_crawl
from monitor.models.core import Capture, CrawlRun, Lead, LeadSighting

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

# Pages reached through a redirect are recorded under the URL that was requested.
REQUESTED_AS = {"/wealth/2024.html": "/old/wealth", "/wealth/moved.html": "/faults/refresh"}


@dataclass
class Crawled:
    demo: DemoSite
    env: Any
    first: CrawlSummary
    second: CrawlSummary
    leads_after_first: int
    sightings_after_first: int

    def session(self) -> Session:
        return self.env.sessions()

    def url(self, path: str) -> str:
        return self.demo.url.rstrip("/") + REQUESTED_AS.get(path, path)


@pytest.fixture(scope="module")
def crawled(demo: DemoSite, make_env: Any, fast: dict[str, Any],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    data_dir = tmp_path_factory.mktemp("crawl")
    env = make_env(f"sqlite:///{data_dir / 'admon.db'}", data_dir)
    plan = CrawlPlan(urls=(demo.url,), max_pages=200, render="auto", scrapy_settings=fast)
    first = run_crawl(env.settings, env.sessions, plan)
    with env.sessions() as s:
        leads = s.scalar(sa.select(sa.func.count()).select_from(Lead)) or 0
        sightings = s.scalar(sa.select(sa.func.count()).select_from(LeadSighting)) or 0
    second = run_crawl(env.settings, env.sessions, plan)
    yield Crawled(demo, env, first, second, leads, sightings)


def _leads(c: Crawled) -> dict[tuple[str, str], Lead]:
    with c.session() as s:
        return {(lead.url, lead.via): lead for lead in s.scalars(sa.select(Lead))}


def _captures(c: Crawled, path: str, run_id: int | None = None) -> list[Capture]:
    with c.session() as s:
        query = sa.select(Capture).where(Capture.url == c.url(path))
        if run_id is not None:
            query = query.where(Capture.run_id == run_id)
        return list(s.scalars(query))


def test_crawl_finishes_and_is_recorded(crawled: Crawled) -> None:
    first = crawled.first
    assert first.status == "finished", first.notes
    with crawled.session() as s:
        run = s.get(CrawlRun, first.run_id)
        assert run is not None and run.status == "finished" and run.finished_at is not None
        assert run.pages == first.pages >= 35
        assert run.leads_new == first.leads_new > 0


def test_every_expected_ad_is_a_lead_with_its_via(crawled: Crawled) -> None:
    leads = _leads(crawled)
    expected = [p for p in load_pages().values() if p.expect == "violation" and not p.disallowed]
    missing = [(p.path, p.via) for p in expected if (crawled.url(p.path), p.via) not in leads]
    assert not missing
    # the image-only and JavaScript-only ads are among them
    assert (crawled.url("/shops/huamei/"), "image") in leads
    assert (crawled.url("/shops/yunqi/"), "js") in leads


def test_notices_and_licensed_products_are_not_flagged(crawled: Crawled) -> None:
    flagged = {url for url, _ in _leads(crawled)}
    clean = [p.path for p in load_pages().values() if p.expect == "clean"]
    assert [path for path in clean if crawled.url(path) in flagged] == []


def test_robots_txt_is_obeyed(crawled: Crawled) -> None:
    assert crawled.demo.count("/robots.txt") >= 1
    assert crawled.demo.count("/private/members.html") == 0
    assert _captures(crawled, "/private/members.html") == []


def test_sitemap_only_page_was_found(crawled: Crawled) -> None:
    assert crawled.demo.count("/hidden/shared-bike.html") >= 1


def test_gbk_page_decoded_with_raw_bytes_kept(crawled: Crawled) -> None:
    capture = _captures(crawled, "/faults/gbk", crawled.first.run_id)[0]
    assert capture.encoding == "gb18030"
    assert capture.sha256 == hashlib.sha256(GBK_PAGE.encode("gb18030")).hexdigest()
    with crawled.session() as s:
        texts = [t.text for t in s.get(Capture, capture.id).texts]  # type: ignore[union-attr]
    assert any("售后返租" in t and "𠮷" in t for t in texts)


def test_faults_are_recorded_not_fatal(crawled: Crawled) -> None:
    run = crawled.first.run_id
    loop = _captures(crawled, "/faults/loop-a", run)
    assert [c.fetch_status for c in loop] == ["redirect_loop"]
    chain = loop[0].redirect_chain
    assert len(chain) == 3 and chain[0] == chain[-1] and chain[-1].endswith("/faults/loop-a")
    assert [c.fetch_status for c in _captures(crawled, "/faults/bomb", run)] == ["too_large"]
    assert [c.fetch_status for c in _captures(crawled, "/faults/slow", run)] == ["timeout"]
    internal = _captures(crawled, "/faults/internal", run)
    assert [c.fetch_status for c in internal] == ["offsite_redirect"]
    missing = _captures(crawled, "/shops/closed/", run)
    assert [(c.fetch_status, c.status) for c in missing] == [("http_error", 404)]
    assert crawled.first.error_kinds.get("http_error", 0) >= 3


def test_retry_after_is_honoured_once(crawled: Crawled) -> None:
    busy = _captures(crawled, "/faults/busy", crawled.first.run_id)
    assert [(c.fetch_status, c.status) for c in busy] == [("ok", 200)]
    first_429, retry = crawled.demo.times("/faults/busy")[:2]
    assert retry - first_429 >= 2.0  # Retry-After: 2


def test_redirects_keep_their_chain(crawled: Crawled) -> None:
    moved = _captures(crawled, "/wealth/2024.html", crawled.first.run_id)[0]
    assert moved.final_url.endswith("/wealth/2024.html")
    assert moved.redirect_chain[0].endswith("/old/wealth")
    refreshed = _captures(crawled, "/wealth/moved.html", crawled.first.run_id)[0]
    assert refreshed.final_url.endswith("/wealth/moved.html")


def test_only_the_script_page_was_rendered_and_lead_pages_have_screenshots(
    crawled: Crawled,
) -> None:
    with crawled.session() as s:
        rendered = s.scalars(
            sa.select(Capture.url).where(Capture.rendered.is_(True),
                                         Capture.run_id == crawled.first.run_id)
        ).all()
    assert rendered == [crawled.url("/shops/yunqi/")]
    assert crawled.first.screenshots >= 5
    shot = _captures(crawled, "/shops/yunqi/", crawled.first.run_id)[0]
    assert shot.screenshot_sha256 is not None
    assert (crawled.env.settings.evidence_dir / shot.screenshot_path).exists()


def test_hostile_title_stored_as_text(crawled: Crawled) -> None:
    capture = _captures(crawled, "/classifieds/item/666.html", crawled.first.run_id)[0]
    assert capture.title == "<script>alert(1)</script>"


def test_recrawl_adds_sightings_not_leads(crawled: Crawled) -> None:
    second = crawled.second
    assert second.status == "finished"
    assert second.leads_new == 0 and second.lead_versions == 0
    with crawled.session() as s:
        leads = s.scalar(sa.select(sa.func.count()).select_from(Lead))
        sightings = s.scalar(sa.select(sa.func.count()).select_from(LeadSighting))
    assert leads == crawled.leads_after_first
    assert (sightings or 0) > crawled.sightings_after_first
