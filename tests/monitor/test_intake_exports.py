"""`monitor.intake` exports its contract lazily, so that the crawl process can import the
capture types without loading SQLAlchemy, the models and the workflow."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import monitor.intake

MODULES = ("keys", "manual", "pages", "txn", "types")


def test_every_exported_name_is_the_one_its_module_defines() -> None:
    for name in monitor.intake.__all__:
        value = getattr(monitor.intake, name)
        homes = [importlib.import_module(f"monitor.intake.{m}") for m in MODULES]
        assert any(getattr(home, name, None) is value for home in homes), name


def test_from_imports_and_submodules_still_work() -> None:
    from monitor.intake import PageCapture, ingest_pages, pages

    assert ingest_pages is pages.ingest_pages
    assert PageCapture.__module__ == "monitor.intake.types"
    assert set(monitor.intake.__all__) <= set(dir(monitor.intake))


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="ingest_everything"):
        monitor.intake.ingest_everything  # noqa: B018


def test_the_capture_types_load_nothing_heavy() -> None:
    script = ("import monitor.intake.types, sys, json\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    loaded = set(json.loads(done.stdout))
    assert not {"sqlalchemy", "rules", "alembic"} & loaded
