"""`export_xlsx`: the ledger back out as a spreadsheet that `import_xlsx` reads unchanged.

The interface columns come first in their contract order (风险等级 holds the current tag as
红/黄/绿), then the ledger's own columns, then the tag decision (风险标签, 标签理由, who and
when) and what the data currently suggests — so a reader sees at a glance where staff and
signals disagree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.ledger.columns import COLUMNS, EXPORT_ONLY
from monitor.ledger.enterprises import STATUS_LABELS
from monitor.ledger.signals import Scanner, assess_many
from monitor.ledger.tags import TAG_LABELS
from monitor.models.ledger import Enterprise

SHEET_TITLE = "风险企业台账"
_FILLS = {
    "red": PatternFill("solid", fgColor="F8CBAD"),
    "yellow": PatternFill("solid", fgColor="FFE699"),
    "green": PatternFill("solid", fgColor="C6E0B4"),
}


def export_xlsx(session: Session, out: Path, *, as_of: date, scanner: Scanner | None = None) -> int:
    """Write every enterprise to `out`; returns the number of rows written."""
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.credit_code)))
    assessments = assess_many(session, enterprises, as_of=as_of, scanner=scanner)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    headers = [c.header for c in COLUMNS] + list(EXPORT_ONLY)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row, ent in enumerate(enterprises, start=2):  # ws.max_row is O(cells): count ourselves
        a = assessments[ent.id]
        values: list[object] = []
        for col in COLUMNS:
            if col.field == "tag":
                values.append(TAG_LABELS.get(ent.tag or "", ""))
            elif col.field == "status":
                values.append(STATUS_LABELS.get(ent.status, ent.status))
            elif col.field == "established_on":
                values.append(ent.established_on.isoformat() if ent.established_on else "")
            else:
                values.append(getattr(ent, col.field) or "")
        values += [
            ent.tag or "",
            ent.tag_reason or "",
            ent.tag_set_by or "",
            ent.tag_set_at.isoformat(timespec="seconds") if ent.tag_set_at else "",
            TAG_LABELS[a.suggested_tag],
            "；".join(r.message for r in a.reasons),
        ]
        ws.append(values)
        ws.cell(row, 1).number_format = "@"  # credit codes stay text in Excel
        if ent.tag:
            ws.cell(row, headers.index("风险等级") + 1).fill = _FILLS[ent.tag]
        ws.cell(row, headers.index("系统建议标签") + 1).fill = _FILLS[a.suggested_tag]
    widths = [c.width for c in COLUMNS] + [10, 30, 12, 20, 12, 50]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}：{exc.strerror or exc}") from exc
    return len(enterprises)
