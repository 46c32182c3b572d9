"""`admon ledger …` end to end: JSON out, one-line errors, exit codes (interfaces.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.cli.db import close_all

from .conftest import code, write_xlsx


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """The CLI keeps one engine per URL for the process; drop them with the test database."""
    yield
    close_all()


def _run(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:
    rc = run_cli(cli, ["--db", db_url, "ledger", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_import_show_tag_export(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = code(2)[:17] + ("0" if code(2)[17] != "0" else "1")
    sheet = write_xlsx(
        tmp_path / "台账.xlsx",
        ["统一社会信用代码", "企业名称", "经营范围", "注册地址", "实际经营地址"],
        [
            [code(1), "深圳市鑫盛理财咨询有限公司", "投资咨询", "南山区A栋", "福田区B栋"],
            [bad, "坏代码公司", "", "", ""],
        ],
    )
    rc, out, err = _run(capsys, db_url, "import", str(sheet))
    summary = json.loads(out)
    assert rc == 1 and summary["imported"] == 1
    assert summary["rejected"] == [{"row": 3, "error": summary["rejected"][0]["error"]}]
    assert "校验码" in summary["rejected"][0]["error"] and err == ""

    rc, out, _ = _run(capsys, db_url, "import", str(sheet))
    assert rc == 1 and json.loads(out)["unchanged"] == 1

    rc, out, _ = _run(capsys, db_url, "show", code(1).lower())
    detail = json.loads(out)
    assert rc == 0 and detail["name"] == "深圳市鑫盛理财咨询有限公司"
    codes = {r["code"] for r in detail["signals"]["reasons"]}
    assert {"restricted_word", "address_mismatch"} <= codes
    assert detail["signals"]["suggested_tag"] == "red" and detail["tag"] is None

    rc, out, _ = _run(capsys, db_url, "tag", code(1), "--set", "yellow", "--reason", "已约谈",
                      "--actor", "张三")  # fmt: skip
    assert rc == 0 and json.loads(out)["suggested_tag"] == "red"
    rc, out, _ = _run(capsys, db_url, "event", str(detail["id"]), "--kind", "address_change",
                      "--new", "南山区A栋", "--on", "2026-11-01")  # fmt: skip
    assert rc == 0
    rc, out, _ = _run(capsys, db_url, "show", str(detail["id"]), "--as-of", "2026-11-15")
    detail = json.loads(out)
    assert [h["to"] for h in detail["tag_history"]] == ["yellow"]
    assert detail["events"][0]["label"] == "地址变更" and detail["actual_address"] == "南山区A栋"
    assert "address_mismatch" not in {r["code"] for r in detail["signals"]["reasons"]}

    rc, out, _ = _run(capsys, db_url, "list", "--tag", "yellow")
    assert rc == 0 and [json.loads(line)["credit_code"] for line in out.splitlines()] == [code(1)]
    rc, out, _ = _run(capsys, db_url, "list", "--tag", "none")
    assert rc == 0 and out == ""

    out_file = tmp_path / "导出.xlsx"
    rc, out, _ = _run(capsys, db_url, "export", "--out", str(out_file))
    assert rc == 0 and json.loads(out)["exported"] == 1 and out_file.exists()

    rc, out, _ = _run(capsys, db_url, "visit", code(1), "--visitor", "张三", "--at",
                      "2026-11-03 10:00", "--promo-materials", "issue")  # fmt: skip
    assert rc == 0 and json.loads(out)["visit_id"]
    rc, out, _ = _run(capsys, db_url, "sweep", "--community", "（未填）", "--by", "王五",
                      "--at", "2026-11-04", "--photos", "3")  # fmt: skip
    assert rc == 0
    rc, out, _ = _run(capsys, db_url, "coverage", "--from", "2026-11-01", "--to", "2026-11-15")
    (row,) = json.loads(out)
    assert rc == 0 and (row["enterprises"], row["visited"], row["sweeps"], row["photos"]) == (
        1, 1, 1, 3,
    )  # fmt: skip
    assert row["complete"] is True


def test_errors_are_one_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = write_xlsx(tmp_path / "w.xlsx", ["名称", "地址"], [["甲", "乙"]])
    rc, out, err = _run(capsys, db_url, "import", str(wrong))
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and "统一社会信用代码" in err and "Traceback" not in err
    rc, _, err = _run(capsys, db_url, "show", "91440300XXXXXXXXXX")
    assert rc == 1 and "找不到企业" in err
    rc, _, err = _run(capsys, db_url, "show", "12345")
    assert rc == 1 and "不存在" in err
    rc, _, err = _run(capsys, db_url, "tag", "1", "--set", "purple", "--reason", "x")
    assert rc == 2
    rc, _, err = _run(capsys, db_url, "link", "1", "1", "--user", "nobody")
    assert rc == 1 and err.startswith("admon:") and err.count("\n") == 1
