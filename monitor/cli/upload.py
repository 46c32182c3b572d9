"""`admon upload FILE...`: take in poster photos as a grid worker's upload would, read
them, and raise leads — the command-line twin of the web upload page."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.common import command_with_globals, current_settings
from monitor.cli.ocr import ENGINE_CHOICES, printable


@click.command("upload")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--place", default="", help="点位: where the poster hangs (lift, notice board).")
@click.option("--building", default="", help="楼栋: building.")
@click.option("--community", default=None, help="所属社区: community.")
@click.option("--note", default="", help="Free-text note.")
@click.option("--as", "uploader", default=None, metavar="USER", help="Record USER as uploader.")
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    default=None,
    help="OCR engine (else ADMON_OCR_ENGINE, else auto).",
)
@click.option("--no-ocr", is_flag=True, help="Store only; read later with --retry.")
@click.option(
    "--retry", is_flag=True, help="Read uploads still pending or that timed out / failed."
)
@command_with_globals
def upload(
    files: tuple[Path, ...],
    place: str,
    building: str,
    community: str | None,
    note: str,
    uploader: str | None,
    engine: str | None,
    no_ocr: bool,
    retry: bool,
) -> int:
    """Upload poster photos (海报上传): store, OCR, detect, raise leads.

    Prints one JSON object per file: {"file", "upload_id", "sha256", "ocr_status",
    "engine", "text", "ocr_error", "lead_ids", "new_leads"}, or {"file", "error", "code"}
    for a refused file (the others still go in; exit 1 if any was refused or not read).

    Example:

        admon upload lift-3.jpg --place 电梯 --building 3栋 --community 和平社区
    """
    from monitor.cli.db import evidence_store, open_database, open_session
    from monitor.errors import AdmonError
    from monitor.uploads import FileOutcome, pending_uploads, read_upload, upload_files

    if not files and not retry:
        raise click.UsageError("give image files to upload, or --retry")
    settings = current_settings()
    engine_name = engine or settings.ocr_engine

    def show(outcome: FileOutcome) -> None:
        click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False))
        if outcome.upload_id is None:
            click.echo(
                f"admon: {printable(outcome.file)}: {outcome.code}: {outcome.error}", err=True
            )

    report = upload_files(
        settings,
        open_database(settings).sessions,
        files,
        uploader=uploader,
        place=place,
        building=building,
        community=community,
        note=note,
        wait=not no_ocr,
        engine=engine_name,
        progress=show,
    )
    failed = report.failed
    if retry:
        store = evidence_store(settings)
        with open_session(settings) as session:
            waiting = pending_uploads(session)
        for upload_id in waiting:
            try:
                with open_session(settings) as session:
                    read = read_upload(
                        session,
                        store,
                        upload_id,
                        engine=engine_name,
                        timeout=settings.ocr_timeout_seconds,
                    )
            except AdmonError as exc:
                failed += 1
                click.echo(f"admon: upload {upload_id}: {exc}", err=True)
                continue
            outcome = FileOutcome(f"upload:{upload_id}", upload_id, None, read)
            failed += not outcome.ok
            click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False))
    return 1 if failed else 0
