"""The README's first command keeps working: `admon demo` sets up a whole office from
nothing (database, accounts, ledger, a real crawl of the demo town, posters read by OCR)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(1200),
]

ADMON = str(Path(sys.executable).parent / "admon")


def test_demo_sets_up_everything_and_is_repeatable(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = subprocess.run(
        [ADMON, "--data-dir", str(data_dir), "demo", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    passwords = dict(re.findall(r"^\s+(\w+)\s+\w+\s+password: (\S+)$", first.stdout, re.M))
    assert set(passwords) == {"admin", "reviewer", "grid", "police"}

    engine = sa.create_engine(f"sqlite:///{data_dir / 'admon.db'}")
    with engine.connect() as conn:
        leads = conn.execute(sa.text("SELECT source_kind, via FROM leads")).all()
        enterprises = conn.execute(sa.text("SELECT count(*) FROM enterprises")).scalar_one()
        sources = conn.execute(sa.text("SELECT id, enabled FROM sources")).all()
        runs = conn.execute(sa.text("SELECT source_id, status FROM crawl_runs")).all()
    kinds = {row[0] for row in leads}
    vias = {row[1] for row in leads}
    assert {"web", "poster"} <= kinds
    assert {"html", "image", "poster"} <= vias  # text in images was read, posters were read
    assert enterprises == 5
    # The demo town is a configured source, and the crawl was recorded as its run.
    assert len(sources) == 1 and sources[0][1]
    assert runs == [(sources[0][0], "finished")]

    # Running it again adds sightings, not leads.
    second = subprocess.run(
        [ADMON, "--data-dir", str(data_dir), "demo", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert second.returncode == 0, second.stderr[-3000:]
    with engine.connect() as conn:
        again = conn.execute(sa.text("SELECT count(*) FROM leads")).scalar_one()
        sources_again = conn.execute(sa.text("SELECT count(*) FROM sources")).scalar_one()
    engine.dispose()
    assert again == len(leads)
    assert sources_again == 1
