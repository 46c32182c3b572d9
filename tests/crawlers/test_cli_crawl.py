"""`admon crawl` / `admon sources` at the edge: one-line errors, a readable summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.cli.crawl import ProgressLine, summary_text
from monitor.crawling import CrawlSummary


def _run(tmp_path: Path, *args: str) -> int:
    return run_cli(cli, ["--data-dir", str(tmp_path), *args])


def test_crawl_without_targets_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, "crawl") == 1
    err = capsys.readouterr().err
    assert err.startswith("admon: nothing to crawl") and err.count("\n") == 1


def test_crawl_refuses_non_http_urls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "crawl", "javascript:alert(1)") == 1
    assert "not an http(s) URL" in capsys.readouterr().err


def test_bad_render_mode_is_a_usage_error(tmp_path: Path) -> None:
    assert _run(tmp_path, "crawl", "http://127.0.0.1:1/", "--render", "sometimes") == 2


def test_sources_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "sources", "add", "青禾便民网", "http://127.0.0.1:8765/",
                "--max-pages", "50") == 0
    assert _run(tmp_path, "sources", "disable", "青禾便民网") == 0
    assert _run(tmp_path, "sources", "list", "--format", "jsonl") == 0
    out = capsys.readouterr().out
    assert '"enabled": false' in out and '"max_pages": 50' in out
    assert _run(tmp_path, "sources", "enable", "404") == 1
    assert "no source '404'" in capsys.readouterr().err


def test_summary_names_counts_and_error_kinds() -> None:
    summary = CrawlSummary(run_id=7, status="finished", pages=40, rendered=1, leads_new=13,
                           errors=3, error_kinds={"http_error": 2, "redirect_loop": 1},
                           seconds=12.3, notes=["new crawl"])
    text = summary_text("http://127.0.0.1:8765/", summary)
    assert "run 7 finished in 12.3s" in text
    assert "new leads 13" in text and "errors 3 (http_error 2, redirect_loop 1)" in text
    assert "note" not in text


def test_progress_line_is_silent_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    ProgressLine(enabled=False)({"pages": 3, "queued": 1, "leads": 0, "errors": 0})
    assert capsys.readouterr().err == ""
