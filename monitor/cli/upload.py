"""`admon upload FILE...`: take in poster photos as a grid worker's upload would, read
them, and raise leads — the command-line twin of the web upload page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.ocr import ENGINE_CHOICES, printable


def _echo(record: dict[str, Any]) -> None:
    click.echo(json.dumps(record, ensure_ascii=False))


def _outcome_record(outcome: Any) -> dict[str, Any]:
    intake = outcome.intake
    return {
        "upload_id": outcome.upload_id,
        "ocr_status": outcome.status,
        "engine": outcome.engine,
        "text": outcome.text,
        "ocr_error": outcome.error,
        "lead_ids": list(intake.lead_ids) if intake else [],
        "new_leads": intake.new_leads if intake else 0,
    }


@click.command("upload")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--place", default="", help="点位: where the poster hangs (lift, notice board).")
@click.option("--building", default="", help="楼栋: building.")
@click.option("--community", default=None, help="所属社区: community.")
@click.option("--note", default="", help="Free-text note.")
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default=None,
    help="OCR engine (else ADMON_OCR_ENGINE, else auto).",
)
@click.option("--no-ocr", is_flag=True, help="Store only; read later with --retry.")
@click.option(
    "--retry", is_flag=True, help="Read uploads still pending or that timed out / failed earlier."
)
@command_with_globals
def upload(
    files: tuple[Path, ...],
    place: str,
    building: str,
    community: str | None,
    note: str,
    engine: str | None,
    no_ocr: bool,
    retry: bool,
) -> int:
    """Upload poster photos (海报上传): store, OCR, detect, raise leads.

    Prints one JSON object per file: {"file", "upload_id", "sha256", "ocr_status",
    "engine", "text", "ocr_error", "lead_ids", "new_leads"}, or {"file", "error", "code"}
    for a file that was refused (the others still go in; exit 1).

    Example:

        admon upload lift-3.jpg --place 电梯 --building 3栋 --community 和平社区
    """
    from monitor.cli.db import evidence_store, open_session
    from monitor.errors import AdmonError
    from monitor.uploads import UploadMeta, pending_uploads, read_upload, receive_upload
    from ocr import OcrError
    from ocr.api import read_bytes

    if not files and not retry:
        raise click.UsageError("give image files to upload, or --retry")
    settings = current_settings()
    store = evidence_store(settings)
    engine_name = engine or settings.ocr_engine
    failed = 0

    def read(upload_id: int) -> dict[str, Any]:
        with open_session(settings) as session:
            outcome = read_upload(
                session,
                store,
                upload_id,
                engine=engine_name,
                timeout=settings.ocr_timeout_seconds,
            )
        return _outcome_record(outcome)

    for path in files:
        try:
            data = read_bytes(path, settings.upload_max_bytes)
            meta = UploadMeta(path.name, place, building, community, note)
            with open_session(settings) as session:
                row = receive_upload(
                    session,
                    store,
                    data,
                    meta,
                    max_bytes=settings.upload_max_bytes,
                    max_pixels=settings.image_max_pixels,
                    timezone=settings.timezone,
                )
                upload_id, sha = row.id, row.sha256
            record: dict[str, Any] = {"file": str(path), "upload_id": upload_id, "sha256": sha}
            record.update({"ocr_status": "pending"} if no_ocr else read(upload_id))
        except (OcrError, AdmonError) as exc:
            failed += 1
            code = getattr(exc, "code", "error")
            message = getattr(exc, "message", str(exc))
            _echo({"file": str(path), "error": f"{code}: {message}", "code": code})
            click.echo(f"admon: {printable(str(path))}: {code}: {message}", err=True)
            continue
        failed += record.get("ocr_status") in ("timeout", "failed")
        _echo(record)

    if retry:
        with open_session(settings) as session:
            waiting = pending_uploads(session)
        for upload_id in waiting:
            try:
                result = {"upload_id": upload_id, **read(upload_id)}
            except AdmonError as exc:
                failed += 1
                click.echo(f"admon: upload {upload_id}: {exc}", err=True)
                continue
            failed += result["ocr_status"] in ("timeout", "failed")
            _echo(result)
    return 1 if failed else 0
