"""`admon ocr IMAGE...`: print the text of poster photos and web images.

One JSON object per image (interfaces.md); a file that cannot be read gives
`{"file", "error", "code"}`, the others are still read, and the exit code is 1.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import click

from monitor.cli.common import current_settings, global_options

ENGINE_CHOICES = ("auto", "tesseract", "rapidocr")


def printable(name: str) -> str:
    """A file name safe to show on a terminal: control and bidi characters escaped.

    A name with a right-to-left override or an escape sequence must not rearrange or
    recolour the output (faults.md row 8).
    """
    out = []
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def _emit_result(file: str, payload: dict[str, object], fmt: str) -> None:
    if fmt == "jsonl":
        click.echo(json.dumps({"file": file, **payload}, ensure_ascii=False))
        return
    click.echo(f"==> {printable(file)} <== {payload['engine']} {payload['seconds']} s")
    click.echo(str(payload["text"]))
    click.echo()


def _emit_error(file: str, code: str, message: str, fmt: str) -> None:
    if fmt == "jsonl":
        record = {"file": file, "error": f"{code}: {message}", "code": code}
        click.echo(json.dumps(record, ensure_ascii=False))
    click.echo(f"admon: {printable(file)}: {code}: {message}", err=True)


@click.command("ocr")
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default=None,
    help="OCR engine (else ADMON_OCR_ENGINE, else auto: the most accurate installed).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per image; text: the text under a header per file.",
)
@global_options
def ocr(images: tuple[Path, ...], engine: str | None, fmt: str) -> int:
    """Read the text in poster photos and images (图片文字识别).

    Accepts JPEG, PNG, WebP and HEIC; refuses anything else by its content.

    Example:

        admon ocr lift-poster.jpg notice.png --format text
    """
    import ocr as ocr_pkg
    from ocr.engines import get_engine

    settings = current_settings()
    engine_name = engine or settings.ocr_engine
    get_engine(engine_name)  # an engine that is missing is one error, not one per file
    failed = 0
    for path in images:
        try:
            result = ocr_pkg.read(
                path,
                engine=engine_name,
                timeout=settings.ocr_timeout_seconds,
                max_bytes=settings.upload_max_bytes,
                max_pixels=settings.image_max_pixels,
            )
        except ocr_pkg.EngineUnavailable:
            raise
        except ocr_pkg.OcrError as exc:
            failed += 1
            _emit_error(str(path), exc.code, exc.message, fmt)
            continue
        _emit_result(str(path), result.to_dict(), fmt)
    return 1 if failed else 0
