"""`admon init` and `admon leads list|show|export`, run as the console script would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.cli.db import close_all
from monitor.db import session_factory
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_page
from monitor.intake.testing import keyword_detect, make_page


@pytest.fixture(autouse=True)
def _dispose_cli_engines() -> Iterator[None]:
    yield
    close_all()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run_cli(cli, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_creates_data_dir_and_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "var"
    code, out, _ = run(capsys, "init", "--data-dir", str(data))
    assert code == 0
    assert (data / "admon.db").is_file() and (data / "evidence").is_dir()
    assert str((data / "admon.db").resolve()) in out and "schema" in out
    code, again, _ = run(capsys, "--data-dir", str(data), "init")  # idempotent
    assert code == 0 and again == out


def test_init_reports_unusable_database_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "init",
        "--data-dir",
        str(tmp_path),
        "--db",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
    )
    assert code == 1
    assert err.startswith("admon: cannot open database") and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "init", "--db", "nonsense://")
    assert code == 1 and "Traceback" not in err


@pytest.fixture
def seeded(engine: Engine, db_url: str, tmp_path: Path) -> list[str]:
    store = EvidenceStore(tmp_path / "var" / "evidence")
    with session_factory(engine)() as session:
        ingest_page(
            session,
            store,
            make_page("http://a.example.test/1", "保本保息，月息3分"),
            detector=keyword_detect,
        )
        ingest_page(
            session,
            store,
            make_page("http://b.example.test/1", "原始股火热认购", minutes=5),
            detector=keyword_detect,
        )
    return ["--db", db_url, "--data-dir", str(tmp_path / "var")]


def test_leads_list_text_and_jsonl(seeded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "leads", "list", *seeded)
    assert code == 0
    assert out.index("http://b.example.test/1") < out.index("http://a.example.test/1")
    assert "of 2 (new 2," in out
    code, out, _ = run(
        capsys, "leads", "list", *seeded, "--category", "hot_concept", "--format", "jsonl"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["url"] for r in rows] == ["http://b.example.test/1"]
    code, out, _ = run(capsys, "leads", "list", *seeded, "--since", "2030-01-01")
    assert code == 0 and "of 0" in out


def test_leads_list_rejects_bad_option(
    seeded: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "leads", "list", *seeded, "--risk", "extreme")
    assert code == 2 and "extreme" in err


def test_leads_show(seeded: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "leads", "show", "1", *seeded)
    assert code == 0 and "保本保息" in out and "principal_guarantee" in out and "v1" in out
    code, out, _ = run(capsys, "leads", "show", "1", "--format", "json", *seeded)
    record = json.loads(out)
    assert record["annualized_return"] == 36.0 and record["sighting_total"] == 1
    code, _, err = run(capsys, "leads", "show", "999", *seeded)
    assert code == 1 and err.strip() == "admon: lead 999 does not exist"


def test_leads_export_three_formats(
    seeded: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "leads", "export", *seeded)
    assert code == 0 and "exported 2 leads" in err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["url"] for r in records] == ["http://a.example.test/1", "http://b.example.test/1"]
    assert set(records[0]) == {
        "id",
        "url",
        "source",
        "via",
        "categories",
        "risk",
        "annualized_return",
        "status",
        "evidence_sha256",
        "captured_at",
        "text",
    }
    csv_path = tmp_path / "out.csv"
    code, _, _ = run(capsys, "leads", "export", *seeded, "--format", "csv", "--out", str(csv_path))
    assert code == 0 and "原始股火热认购" in csv_path.read_text(encoding="utf-8-sig")
    xlsx_path = tmp_path / "out.xlsx"
    code, _, _ = run(
        capsys, "leads", "export", *seeded, "--format", "xlsx", "--out", str(xlsx_path)
    )
    assert code == 0
    sheet = load_workbook(xlsx_path, read_only=True).active
    assert sheet is not None and len(list(sheet.iter_rows())) == 3
    code, _, err = run(capsys, "leads", "export", *seeded, "--format", "xlsx")
    assert code == 2 and "--out" in err
