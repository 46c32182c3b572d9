"""`admon ocr` on a mixed batch (interfaces.md): results for good files, error objects for
bad ones, exit 1, nothing but one line per problem on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import cli
from monitor.cli.common import run_cli
from monitor.cli.ocr import printable
from ocr.synth import encode, render
from ocr.synth_texts import POSTER_TEXTS


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(cli, argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_printable_escapes_controls_and_bidi() -> None:
    assert printable("a\u202etxt.jpg") == "a\\u202etxt.jpg"
    assert printable("x\ny\x1b[31m.jpg") == "x\\ny\\x1b[31m.jpg"
    assert printable("海报.jpg") == "海报.jpg"


@pytest.mark.integration
def test_mixed_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "up").mkdir()
    good = tmp_path / "poster.png"
    good.write_bytes(encode(render(POSTER_TEXTS[0], "clean", width=600), "PNG"))
    photo = tmp_path / "up" / "lift.jpg"
    photo.write_bytes(encode(render(POSTER_TEXTS[20], "photo", seed=3, width=600), "JPEG"))
    html = tmp_path / "poster.jpg"
    html.write_bytes(b"<html><script>alert(1)</script></html>")
    truncated = tmp_path / "half.jpg"
    truncated.write_bytes(photo.read_bytes()[: photo.stat().st_size // 2])
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    odd = tmp_path / "a.php%00\u202egpj.jpg"
    odd.write_bytes(good.read_bytes())
    args = [
        str(good),
        "up/../up/lift.jpg",
        str(html),
        str(truncated),
        str(empty),
        "../" + tmp_path.name + "/missing.jpg",
        str(odd),
    ]
    code, out, err = run(["ocr", "--engine", "tesseract", *args], capsys)
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["file"] for r in records] == args  # in input order, names as given
    by_file = {r["file"]: r for r in records}
    for name in (str(good), "up/../up/lift.jpg", str(odd)):
        record = by_file[name]
        assert set(record) == {"file", "engine", "text", "lines", "seconds"}
        assert record["engine"] == "tesseract"
        assert all(set(line) == {"text", "confidence", "box"} for line in record["lines"])
        assert all(len(line["box"]) == 4 for line in record["lines"])
    assert "养老" in by_file[str(good)]["text"]
    expected = {
        str(html): "unsupported_type",
        str(truncated): "corrupt_image",
        str(empty): "empty",
        "../" + tmp_path.name + "/missing.jpg": "unreadable",
    }
    for name, reason in expected.items():
        assert set(by_file[name]) == {"file", "error", "code"}
        assert by_file[name]["code"] == reason
        assert by_file[name]["error"].startswith(reason + ": ")
    err_lines = err.strip().splitlines()
    assert len(err_lines) == 4
    assert all(line.startswith("admon: ") for line in err_lines)
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(  # nothing written
        ["up", "poster.png", "poster.jpg", "half.jpg", "empty.jpg", odd.name]
    )


@pytest.mark.integration
def test_text_format_escapes_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "x\u202egnp.png"
    odd.write_bytes(encode(render(POSTER_TEXTS[21], "clean", width=600), "PNG"))
    code, out, err = run(["ocr", "--format", "text", str(odd)], capsys)
    assert code == 0, err
    assert "\u202e" not in out
    assert out.startswith("==> ") and "\\u202e" in out.splitlines()[0]
    assert "停水" in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ocr", "--engine", "abbyy", "x.jpg"], capsys)
    assert code == 2
    assert "abbyy" in err
