"""`import_xlsx`: a community's ledger spreadsheet into the shared enterprise ledger.

Every row is judged alone: a bad row is rejected with its spreadsheet row number and a
reason, and the good rows still go in. Enterprises are matched by 统一社会信用代码, so a
re-import updates instead of duplicating. A blank cell never erases what the ledger holds
(a community's sheet often lacks what another filled in); a changed name, actual address or
status becomes a 异动 event, a changed 风险等级 a tag change with history.

The sheet may carry a title row above the headers, merged cells (a 所属社区 merged over the
rows of its enterprises), full-width text, numbers stored as text and extra columns.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import audit
from monitor.errors import InvalidInput
from monitor.ledger.cells import cell_text, header_key, parse_date
from monitor.ledger.columns import REQUIRED, Column, column_for
from monitor.ledger.enterprises import STATUS_WORDS, EnterpriseFields, apply_fields
from monitor.ledger.signals import QUERY_CHUNK, Scanner, assess_many
from monitor.ledger.tags import TAG_LABELS, apply_tag, flush_or_conflict, parse_tag
from monitor.ledger.uscc import CreditCodeError, validate_credit_code
from monitor.models.base import utcnow
from monitor.models.ledger import Enterprise

HEADER_SCAN_ROWS = 20  # a title block above the header row is common; look this far down
_LIMITS = {  # field -> column width in the table, so an overlong cell is a row error
    "name": 200, "industry": 100, "registered_capital_text": 100, "tax_scale": 100,
    "registered_address": 300, "actual_address": 300, "community": 100, "building": 100,
}  # fmt: skip


class LedgerFileError(InvalidInput):
    """The spreadsheet as a whole cannot be imported (unreadable, required columns missing)."""

    code = "ledger_file"


@dataclass
class RejectedRow:
    row: int
    error: str


@dataclass
class ImportSummary:
    """What happened; `to_dict` is the JSON `admon ledger import` prints."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    sheet: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": [{"row": r.row, "error": r.error} for r in self.rejected],
        }


def import_xlsx(
    session: Session,
    source: Path | bytes,
    *,
    actor: str,
    today: date | None = None,
    scanner: Scanner | None = None,
    audit_as: audit.Actor = None,
    ip: str | None = None,
    filename: str | None = None,
) -> ImportSummary:
    """Import one workbook into `session` (the caller commits).

    Raises `LedgerFileError` when the file is unreadable or no sheet has the required
    columns; row problems are reported in the summary instead. The import as a whole is
    audited once as `ledger.import` (by `audit_as`, else `actor`), with its counts; the
    tag changes it makes are audited one by one as `ledger.set_tag`.
    """
    today = today or utcnow().date()
    sheet, header_row, columns = _open_sheet(source)
    _fill_merged_cells(sheet, below=header_row)
    summary = ImportSummary(sheet=sheet.title)
    rows = _data_rows(sheet, header_row, columns)
    codes = _valid_codes(rows)
    existing: dict[str, Enterprise] = {}
    for first in range(0, len(codes), QUERY_CHUNK):
        chunk = codes[first : first + QUERY_CHUNK]
        for e in session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(chunk))):
            existing[e.credit_code] = e
    first_row_of: dict[str, int] = {}
    retag: list[tuple[Enterprise, str, int]] = []
    note = f"台账导入 {sheet.title}"
    for number, cells in rows:
        if not cells.get("credit_code") and not cells.get("name"):
            summary.skipped += 1
            continue
        try:
            code, values, tag = _parse_row(cells)
        except ValueError as exc:
            summary.rejected.append(RejectedRow(number, str(exc)))
            continue
        if code in first_row_of:
            summary.rejected.append(
                RejectedRow(number, f"统一社会信用代码 {code} 与第{first_row_of[code]}行重复")
            )
            continue
        first_row_of[code] = number
        enterprise = existing.get(code)
        is_new = enterprise is None
        if enterprise is None:
            enterprise = Enterprise(credit_code=code, status="active")
            session.add(enterprise)
            existing[code] = enterprise
        changed = apply_fields(session, enterprise, values, actor=actor, today=today, note=note)
        if tag is not None and tag != enterprise.tag:
            retag.append((enterprise, tag, number))
            changed = True
        if is_new:
            summary.imported += 1
        elif changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    flush_or_conflict(session)
    _apply_tags(session, retag, note=note, actor=actor, today=today, scanner=scanner)
    shown = filename or (source.name if isinstance(source, Path) else "")
    audit.record(
        session,
        audit_as if audit_as is not None else actor,
        "ledger.import",
        None,
        ip=ip,
        filename=shown[:200],
        sheet=summary.sheet,
        imported=summary.imported,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=len(summary.rejected),
    )
    return summary


def _apply_tags(
    session: Session,
    retag: list[tuple[Enterprise, str, int]],
    *,
    note: str,
    actor: str,
    today: date,
    scanner: Scanner | None,
) -> None:
    """Set the imported 风险等级 tags, assessing all those enterprises in one pass (an
    assessment per row would rescan the ledger for every row of a large sheet)."""
    if not retag:
        return
    assessments = assess_many(session, [e for e, _, _ in retag], as_of=today, scanner=scanner)
    for enterprise, tag, number in retag:
        reason = f"{note} 第{number}行 风险等级={TAG_LABELS[tag]}"
        apply_tag(session, enterprise, tag, reason, actor, assessment=assessments[enterprise.id])
    flush_or_conflict(session)


def _open_sheet(source: Path | bytes) -> tuple[Worksheet, int, dict[int, Column]]:
    """The first sheet with a header row naming the required columns."""
    try:
        handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
        workbook = load_workbook(handle, data_only=True)
    except FileNotFoundError:
        raise LedgerFileError(f"找不到台账文件 {source!s:.200}") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise LedgerFileError(
            f"无法读取台账文件：不是有效的 xlsx 文件，.xls 或 .csv 请先另存为 .xlsx（{exc}）"
        ) from None
    best: tuple[int, str, list[str]] = (-1, "", [])
    for sheet in workbook.worksheets:
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True), start=1
        ):
            columns = {i: col for i, v in enumerate(row) if (col := column_for(v)) is not None}
            found = {c.field for c in columns.values()}
            if all(c.field in found for c in REQUIRED):
                return sheet, row_number, _first_of_each(columns)
            score = len(found)
            if score > best[0]:
                seen = [header_key(v) for v in row if header_key(v)]
                best = (score, f"{sheet.title} 第{row_number}行", seen)
    found_fields = {c.field for v in best[2] if (c := column_for(v))}
    missing = "、".join(c.header for c in REQUIRED if c.field not in found_fields)
    where = f"（最接近的表头在 {best[1]}：{'、'.join(best[2][:12])}）" if best[2] else ""
    raise LedgerFileError(
        f"台账表头缺少必填列：{missing}{where} "
        f"(missing required columns; headers must include 统一社会信用代码 and 企业名称)"
    )


def _first_of_each(columns: dict[int, Column]) -> dict[int, Column]:
    """If two headers map to one field (名称 and 企业名称), the leftmost wins."""
    taken: set[str] = set()
    out: dict[int, Column] = {}
    for index in sorted(columns):
        if columns[index].field not in taken:
            taken.add(columns[index].field)
            out[index] = columns[index]
    return out


def _fill_merged_cells(sheet: Worksheet, *, below: int) -> None:
    """Give every cell of a merged range (below the header) the range's value."""
    for merged in list(sheet.merged_cells.ranges):
        if merged.max_row <= below:
            continue
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in range(max(merged.min_row, below + 1), merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                sheet.cell(row, col).value = value


def _data_rows(
    sheet: Worksheet, header_row: int, columns: dict[int, Column]
) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(
        sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
    ):
        cells = {col.field: row[i] for i, col in columns.items() if i < len(row)}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        rows.append((number, cells))
    return rows


def _valid_codes(rows: list[tuple[int, dict[str, Any]]]) -> list[str]:
    codes: list[str] = []
    for _, cells in rows:
        try:
            codes.append(validate_credit_code(cells.get("credit_code")))
        except CreditCodeError:
            continue
    return codes


def _parse_row(cells: dict[str, Any]) -> tuple[str, EnterpriseFields, str | None]:
    """Validated code, field values (None = not given) and tag; ValueError names the problem."""
    raw_code = cells.get("credit_code")
    try:
        code = validate_credit_code(raw_code)
    except CreditCodeError as exc:
        hint = ""
        if isinstance(raw_code, int | float) and not isinstance(raw_code, bool):
            # Excel keeps 15 significant digits: an all-digit code typed into a number
            # cell has already lost its last digits, nothing here can restore them.
            hint = "；该单元格为数字格式，Excel 只保留15位有效数字，请将该列设为文本后重新录入"
        raise ValueError(f"{exc}{hint}") from None
    name = cell_text(cells.get("name"))
    if not name:
        raise ValueError("企业名称为空")
    values = EnterpriseFields(name=name)
    for field_name, limit in _LIMITS.items():
        text = cell_text(cells.get(field_name))
        if len(text) > limit:
            raise ValueError(f"{field_name} 超过{limit}字")
        if text and field_name != "name":
            setattr(values, field_name, text)
    scope = cell_text(cells.get("business_scope"))
    values.business_scope = scope or None
    values.established_on = parse_date(cells.get("established_on"))
    status_text = cell_text(cells.get("status"))
    if status_text:
        if status_text not in STATUS_WORDS:
            raise ValueError(f"状态“{status_text}”无法识别（应为 入驻 或 搬离）")
        values.status = STATUS_WORDS[status_text]
    tag_text = cell_text(cells.get("tag"))
    tag = parse_tag(tag_text) if tag_text else None
    return code, values, tag
