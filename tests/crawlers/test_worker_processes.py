"""The pipeline's worker processes: started early, loading only what they use, leaving
quickly. These are the start-up and tail costs benchmarks/crawl.py measured; each test
guards one of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawlers import worker_pools

DB = "sqlite:///admon.db"


def _modules_after(code: str) -> set[str]:
    """Top-level packages loaded by `code` in a fresh interpreter."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_crawl_entry_point_does_not_load_scrapy() -> None:
    # spawned workers re-import their parent's main module (crawlers.run): 0.4 s of CPU each
    # when it imported Scrapy at the top
    assert "scrapy" not in _modules_after("import crawlers.run")


def test_worker_pools_load_neither_scrapy_nor_intake() -> None:
    # crawlers.run starts the intake worker through it before Scrapy loads
    assert not {"scrapy", "sqlalchemy", "rules"} & _modules_after("import crawlers.worker_pools")


def test_ocr_worker_loads_only_ocr() -> None:
    loaded = _modules_after("import crawlers.ocr_worker")
    assert not {"scrapy", "sqlalchemy", "monitor", "rules"} & loaded


def test_pipeline_does_not_load_intake_in_the_crawl_process() -> None:
    # the crawl process builds captures; SQLAlchemy and the rules belong to the worker
    loaded = _modules_after("import crawlers.pipelines")
    assert "scrapy" in loaded
    assert not {"sqlalchemy", "rules", "jieba"} & loaded


def test_intake_worker_is_started_before_scrapy_loads() -> None:
    script = (
        "import sys\n"
        "from crawlers import run, worker_pools\n"
        "class Started(Exception): pass\n"
        "def start_early(overrides):\n"
        "    print('scrapy loaded' if 'scrapy' in sys.modules else 'scrapy not loaded')\n"
        "    print(overrides['ADMON_DATABASE_URL'])\n"
        "    raise Started\n"
        "worker_pools.start_early = start_early\n"
        "try:\n"
        f"    run.run({{'settings': {{'ADMON_DATABASE_URL': '{DB}'}}, 'spider': {{}}}})\n"
        "except Started:\n"
        "    pass\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.split() == ["scrapy", "not", "loaded", DB]


# --- handing the early worker to the pipeline ---------------------------------------------


class FakePool:
    """Stands in for a ProcessPoolExecutor (no process is spawned)."""

    def __init__(self, database_url: str, data_dir: str) -> None:
        self.key = (database_url, data_dir)
        self.stopped = False

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.stopped = True


@pytest.fixture
def fake_pools(monkeypatch: pytest.MonkeyPatch) -> list[FakePool]:
    started: list[FakePool] = []

    def start(database_url: str, data_dir: str) -> FakePool:
        started.append(FakePool(database_url, data_dir))
        return started[-1]

    monkeypatch.setattr(worker_pools, "start_intake", start)
    monkeypatch.setattr(worker_pools, "_early", {})
    return started


def test_wants_intake_follows_the_runs_settings() -> None:
    assert worker_pools.wants_intake({"ADMON_DATABASE_URL": DB})
    assert not worker_pools.wants_intake({})  # a bare crawl: the pipeline is NotConfigured
    assert not worker_pools.wants_intake({"ADMON_DATABASE_URL": DB, "ITEM_PIPELINES": {}})
    assert not worker_pools.wants_intake(
        {"ADMON_DATABASE_URL": DB, "ITEM_PIPELINES": {worker_pools.PIPELINE: None}})
    assert worker_pools.wants_intake(
        {"ADMON_DATABASE_URL": DB, "ITEM_PIPELINES": {worker_pools.PIPELINE: 300}})


def test_the_pipeline_takes_the_early_worker(fake_pools: list[FakePool], tmp_path: Path) -> None:
    assert worker_pools.start_early({"ADMON_DATABASE_URL": DB, "ADMON_DATA_DIR": str(tmp_path)})
    taken: Any = worker_pools.intake_pool(DB, worker_pools.data_dir_of(str(tmp_path)))
    assert taken is fake_pools[0]
    assert taken.key == (DB, str(tmp_path.resolve()))
    again = worker_pools.intake_pool(DB, worker_pools.data_dir_of(str(tmp_path)))
    assert again is not taken and len(fake_pools) == 2  # taken once; then a fresh one
    worker_pools.discard_early()
    assert not taken.stopped  # the pipeline owns it now


def test_no_early_worker_when_the_pipeline_is_off(fake_pools: list[FakePool]) -> None:
    assert not worker_pools.start_early({"ADMON_DATABASE_URL": DB, "ITEM_PIPELINES": {}})
    assert fake_pools == []


def test_an_unclaimed_early_worker_is_stopped(fake_pools: list[FakePool]) -> None:
    worker_pools.start_early({"ADMON_DATABASE_URL": DB})
    worker_pools.discard_early()  # the crawl failed before its spider opened
    assert [pool.stopped for pool in fake_pools] == [True]
    other = worker_pools.intake_pool(DB, worker_pools.data_dir_of(None))
    assert other is not fake_pools[0]


# --- leaving without teardown ---------------------------------------------------------------


def test_worker_exit_runs_before_and_skips_the_rest(tmp_path: Path) -> None:
    script = (
        "import atexit, pathlib, sys\n"
        "from crawlers.process_exit import exit_without_teardown\n"
        "d = pathlib.Path(sys.argv[1])\n"
        "atexit.register(lambda: (d / 'teardown').write_text('ran'))\n"
        "exit_without_teardown(before=lambda: (d / 'before').write_text('ran') and None)\n"
        "print('last words', flush=False)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == "last words\n"  # buffered output is flushed
    assert (tmp_path / "before").read_text() == "ran"  # e.g. the intake engine's dispose()
    assert not (tmp_path / "teardown").exists()  # registered earlier: skipped with the rest


def test_ocr_worker_loads_its_engine_before_it_yields_the_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ocr.engines
    from crawlers import ocr_worker

    calls: list[Any] = []
    monkeypatch.setattr(ocr_worker, "exit_without_teardown", lambda: calls.append("exit hook"))
    monkeypatch.setattr(ocr_worker.os, "nice", lambda n: calls.append(("nice", n)))
    monkeypatch.setattr(ocr.engines, "configure", lambda t: calls.append(("threads", t)))
    monkeypatch.setattr(ocr.engines, "get_engine", lambda e: calls.append(("load", e)))
    ocr_worker.start_ocr_worker("rapidocr", 1)
    assert calls == ["exit hook", ("threads", 1), ("load", "rapidocr"),
                     ("nice", ocr_worker.NICENESS)]
