"""`admon leads export`: one record per lead, streamed (interfaces.md).

Record fields, in this order: id, url, source, via, categories, risk, annualized_return,
status, evidence_sha256, captured_at, text. Rows are read in batches (`yield_per`) and
written as they come, so exporting 100k leads does not hold them all in memory; xlsx uses
openpyxl's write-only mode for the same reason.

Crawled text is attacker-controlled. In CSV and xlsx a cell starting with = + - @ (or a
tab / carriage return) would be taken as a formula by spreadsheet software, so such cells
are prefixed with an apostrophe (OWASP "CSV injection"); JSON Lines is written as is.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.leads.queue import LeadFilters
from monitor.models.core import Lead

FIELDS = (
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
)
FORMATS = ("jsonl", "csv", "xlsx")
BATCH = 1000
XLSX_CELL_MAX = 32_767  # Excel's limit on characters in one cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_records(
    session: Session, filters: LeadFilters | None = None
) -> Iterator[dict[str, Any]]:
    """Every lead (matching `filters`) as an export record, in id order, streamed."""
    query = (
        sa.select(
            Lead.id,
            Lead.url,
            Lead.source_kind,
            Lead.via,
            Lead.categories,
            Lead.risk,
            Lead.annualized_return,
            Lead.status,
            Lead.evidence_sha256,
            Lead.captured_at,
            Lead.text,
        )
        .where(*(filters or LeadFilters()).conditions())
        .order_by(Lead.id)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        yield {
            "id": row.id,
            "url": row.url,
            "source": row.source_kind,
            "via": row.via,
            "categories": list(row.categories or []),
            "risk": row.risk,
            "annualized_return": row.annualized_return,
            "status": row.status,
            "evidence_sha256": row.evidence_sha256,
            "captured_at": row.captured_at.isoformat() if row.captured_at else None,
            "text": row.text,
        }


def _cell(value: Any) -> Any:
    """A record value as a spreadsheet cell: lists joined by ';', formulas defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line (UTF-8, Chinese kept readable). Returns the count."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """CSV with a header row; categories joined by ';'. Returns the count."""
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    count = 0
    for record in records:
        writer.writerow([_cell(record[name]) for name in FIELDS])
        count += 1
    return count


def write_xlsx(records: Iterable[dict[str, Any]], path: Path) -> int:
    """A one-sheet workbook written row by row. Characters XML cannot hold are dropped and
    over-long texts cut at Excel's cell limit (the full text stays in the database and in
    the JSONL export). Returns the count."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("leads")
    sheet.append(list(FIELDS))
    count = 0
    for record in records:
        row = []
        for name in FIELDS:
            value = _cell(record[name])
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_CELL_MAX]
            row.append(value)
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def export_leads(
    session: Session, fmt: str, out: IO[str] | None = None, path: Path | None = None
) -> int:
    """Write every lead in `fmt` to `path` (or to the text stream `out` for jsonl/csv).
    CSV files get a UTF-8 BOM so spreadsheet software reads the Chinese correctly."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    records = export_records(session)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    if path is None:
        if fmt == "xlsx":
            raise InvalidInput("xlsx export needs an output file (--out FILE.xlsx)")
        if out is None:
            raise InvalidInput("export needs an output file or stream")
        return writer(records, out)
    # Write beside the target and rename at the end: a failed export leaves no half file.
    partial = path.with_name(path.name + ".part")
    try:
        if fmt == "xlsx":
            count = write_xlsx(records, partial)
        else:
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            with partial.open("w", encoding=encoding, newline="") as fh:
                count = writer(records, fh)
        os.replace(partial, path)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return count
