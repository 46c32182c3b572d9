"""Ctrl-C once, then crawl again: the crawl resumes where it stopped (faults.md row 22).

Driven through the real `admon crawl` command in a subprocess, as an officer would run it;
the SIGINT goes to that process, which forwards it to its Scrapy child.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crawlers.demo_site import DemoSite
from monitor.models.core import Capture, Lead

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ADMON = str(Path(sys.executable).parent / "admon")
BULK = 200
AD_PAGES = {n for n in range(BULK + 1) if n % 25 == 7}  # pages carrying the bulk ad
POSTER_PAGES = {n for n in range(BULK + 1) if n % 50 == 9}  # pages showing the poster


@pytest.fixture(scope="module")
def bulk_site() -> Iterator[DemoSite]:
    # Slow enough that the crawl is still fetching when 40 pages are stored (intake commits
    # in batches): with 30 ms pages Scrapy sometimes had fetched everything by then, leaving
    # no queue on disk to interrupt, resume or truncate.
    with DemoSite(bulk_pages=BULK, sitemap=False, bulk_delay=0.25) as site:
        yield site


def _command(site: DemoSite, data_dir: Path, db: str) -> list[str]:
    return [
        ADMON, "--data-dir", str(data_dir), "--db", db, "crawl", f"{site.url}bulk/",
        "--max-pages", "1000", "--render", "never", "--no-screenshots", "--format", "json",
    ]


def _ok_pages(env: Any) -> list[str]:
    with env.sessions() as s:
        return list(s.scalars(sa.select(Capture.url).where(
            Capture.kind == "page", Capture.fetch_status == "ok")))


def _interrupt_after(cmd: list[str], env: Any, pages: int) -> dict[str, Any]:
    """Start a crawl, SIGINT it once `pages` pages are stored, return its JSON summary."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while len(_ok_pages(env)) < pages:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "crawl too slow to interrupt"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return summary


def _finish(cmd: list[str]) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def _assert_complete(site: DemoSite, env: Any) -> None:
    pages = _ok_pages(env)
    expected = {f"{site.url}bulk/{n}.html" for n in range(1, BULK + 1)}
    assert expected <= set(pages), sorted(expected - set(pages))[:5]
    with env.sessions() as s:
        leads = s.execute(sa.select(Lead.url, Lead.via)).all()
    html = sorted(url for url, via in leads if via == "html")
    assert html == sorted(f"{site.url}bulk/{n}.html" for n in AD_PAGES)
    assert len(leads) == len(AD_PAGES) + len(POSTER_PAGES)  # one lead per place, no duplicates


def test_sigint_then_resume(bulk_site: DemoSite, tmp_path: Path, make_env: Any) -> None:
    db = f"sqlite:///{tmp_path / 'admon.db'}"
    env = make_env(db, tmp_path)
    cmd = _command(bulk_site, tmp_path, db)
    stopped = _interrupt_after(cmd, env, pages=40)
    assert stopped["status"] == "interrupted"
    markers = list((tmp_path / "jobs").glob("*/admon-job.json"))
    assert [json.loads(m.read_text())["state"] for m in markers] == ["paused"]
    resumed = _finish(cmd)
    assert resumed["status"] == "finished" and resumed["resumed"] is True
    assert resumed["pages"] < BULK  # it continued; it did not start over
    _assert_complete(bulk_site, env)
    assert not list((tmp_path / "jobs").glob("*/admon-job.json"))  # finished: job dropped


def test_truncated_jobdir_starts_fresh_without_duplicates(
    bulk_site: DemoSite, tmp_path: Path, make_env: Any
) -> None:
    db = f"sqlite:///{tmp_path / 'admon.db'}"
    env = make_env(db, tmp_path)
    cmd = _command(bulk_site, tmp_path, db)
    _interrupt_after(cmd, env, pages=40)
    with env.sessions() as s:
        before = s.scalar(sa.select(sa.func.count()).select_from(Lead)) or 0
    chunks = list((tmp_path / "jobs").glob("*/requests.queue/**/q00000"))
    assert chunks, "Scrapy left no disk queue to truncate"
    for chunk in chunks:
        chunk.write_bytes(chunk.read_bytes()[: len(chunk.read_bytes()) // 2])
    fresh = _finish(cmd)
    assert fresh["status"] == "finished" and fresh["resumed"] is False
    assert any("unreadable" in note for note in fresh["notes"])
    # leads raised before the interruption were re-sighted, not raised again
    assert fresh["leads_new"] == len(AD_PAGES) + len(POSTER_PAGES) - before
    _assert_complete(bulk_site, env)
