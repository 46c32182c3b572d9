"""`admon detect` and `admon rules list` end to end, through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ADMON = Path(sys.executable).parent / "admon"


def run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(ADMON), *args], input=stdin, capture_output=True, timeout=120,
                          check=False)


def lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_jsonl_and_plain_text_in_input_order() -> None:
    stdin = "\n".join([
        json.dumps({"id": "a1", "text": "年化18%，保本保息", "source": "web"}, ensure_ascii=False),
        "满100减20，欢迎光临",
        "",
        json.dumps({"id": 7, "text": "稳 赚 不 赔"}, ensure_ascii=False),
        "[1, 2, 3]",
    ]).encode("utf-8")
    result = run(["detect"], stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = lines(result.stdout)
    assert [o["id"] for o in out] == ["a1", 2, 7, 5]  # empty line 3 skipped
    assert out[0]["violation"] is True and out[0]["annualized_return"] == 18.0
    assert out[1]["violation"] is False and out[1]["risk"] == "none"
    assert out[3]["violation"] is False  # a JSON array is plain text
    assert "年化" in result.stdout.decode("utf-8")  # ensure_ascii=False
    hit = out[2]["hits"][0]
    assert "稳 赚 不 赔"[hit["start"]:hit["end"]] == "稳 赚 不 赔"
    for o in out:
        assert set(o) == {"id", "violation", "risk", "score", "categories",
                          "annualized_return", "hits"}


def test_bad_lines_are_reported_and_the_rest_processed(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        '{"id": "ok1", "text": "月息2分，稳赚不赔"}\n'.encode()
        + b"\xff\xfe broken bytes\n"
        + b'{"id": "no-text", "title": "x"}\n'
        + b'{"id": "num", "text": 42}\n'
        + '{"id": "ok2", "text": "今天天气不错"}\n'.encode()
    )
    result = run(["detect", str(path)])
    assert result.returncode == 1
    assert [o["id"] for o in lines(result.stdout)] == ["ok1", "ok2"]
    errors = result.stderr.decode("utf-8").splitlines()
    assert len(errors) == 3
    assert "line 2" in errors[0] and "UTF-8" in errors[0]
    assert "line 3" in errors[1] and "no-text" in errors[1] and "text" in errors[1]
    assert "line 4" in errors[2] and "num" in errors[2]
    assert b"Traceback" not in result.stderr


def test_text_format_and_global_options_after_subcommand(tmp_path: Path) -> None:
    result = run(["detect", "-", "--format", "text", "--db", f"sqlite:///{tmp_path}/x.db",
                  "--data-dir", str(tmp_path)], "投1万每月返800\n".encode())
    assert result.returncode == 0, result.stderr
    line = result.stdout.decode("utf-8").strip()
    assert line.startswith("1\tVIOLATION\t") and "96.0%/yr" in line


def test_missing_file_is_a_usage_error() -> None:
    result = run(["detect", "/nonexistent/ads.jsonl"])
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_five_megabyte_line() -> None:
    text = "普通的社区新闻内容，" * 500_000 + "保本保息"
    stdin = json.dumps({"id": "big", "text": text}, ensure_ascii=False).encode() + b"\n"
    assert len(stdin) > 5_000_000
    result = run(["detect"], stdin)
    assert result.returncode == 0, result.stderr[-500:]
    out = lines(result.stdout)[0]
    assert out["id"] == "big"
    assert any(h["text"] == "保本保息" and h["start"] == len(text) - 4 for h in out["hits"])


def test_rules_list_prints_every_rule_with_basis() -> None:
    from rules import default_lexicon

    result = run(["rules", "list"])
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    for rule in default_lexicon().rules:
        assert rule.id in text
    assert "《广告法》第二十五条第（一）项" in text
    rows = lines(run(["rules", "list", "--format", "jsonl"]).stdout)
    assert {r["category"] for r in rows} >= {"return_promise", "public_solicitation"}
    assert all(r["article_text"] and r["version"] for r in rows)


@pytest.mark.parametrize("args", [["detect", "--help"], ["rules", "--help"]])
def test_help(args: list[str]) -> None:
    result = run(args)
    assert result.returncode == 0 and b"Example" in result.stdout
