"""The semi-monthly report as a workbook: one sheet per part, ready to forward upward.

Sheets: 概况 (key figures and phase), 新增线索 (by category, source, community, risk),
研判处置 (decisions and disposals), 逾期整改, 风险台账 (tags, changes, 异动, 待复核),
排查覆盖 (per community).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from monitor.errors import InvalidInput
from monitor.ledger.tags import TAG_LABELS
from monitor.reports.model import Count, SemiMonthlyReport

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


def render_xlsx(report: SemiMonthlyReport, out: Path) -> None:
    """Write `report` to `out` (.xlsx)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    _summary(first, report)
    _leads(wb.create_sheet("新增线索"), report)
    _decisions(wb.create_sheet("研判处置"), report)
    _overdue(wb.create_sheet("逾期整改"), report)
    _ledger(wb.create_sheet("风险台账"), report)
    _coverage(wb.create_sheet("排查覆盖"), report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}：{exc.strerror or exc}") from exc


def _summary(ws: Worksheet, r: SemiMonthlyReport) -> None:
    ws.title = "概况"
    ws.append([f"打击非法集资广告监测半月报 {r.period.label}"])
    ws["A1"].font = _TITLE
    rows: list[tuple[str, object]] = [
        ("统计期间", f"{r.period.start} 至 {r.period.end}"),
        ("专项行动阶段", r.campaign_phase),
        ("新增线索", r.new_leads),
        ("完成研判", r.reviewed),
        ("确认违法", r.confirmed),
        ("排除", r.dismissed),
        ("结案", r.closed),
        ("处置（合计）", sum(c.count for c in r.disposals)),
        ("逾期整改", len(r.overdue)),
        ("在册企业", r.enterprises_active),
        ("本期标签变更", len(r.tag_changes)),
        ("待复核企业", len(r.pending_review)),
        ("生成时间 (UTC)", r.generated_at.isoformat(timespec="seconds")),
    ]
    ws.append([])
    for label, value in rows:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = _BOLD
    _widths(ws, [18, 60])


def _leads(ws: Worksheet, r: SemiMonthlyReport) -> None:
    # A lead can carry several categories, so this table has no total.
    _count_table(ws, "按类别（一条线索可属多类）", r.leads_by_category, total=False)
    _count_table(ws, "按来源", r.leads_by_source)
    _count_table(ws, "按社区", r.leads_by_community)
    _count_table(ws, "按风险等级", r.leads_by_risk)
    _widths(ws, [20, 10])


def _decisions(ws: Worksheet, r: SemiMonthlyReport) -> None:
    _count_table(
        ws,
        "研判",
        [
            Count("reviewed", "完成研判", r.reviewed),
            Count("confirmed", "确认违法", r.confirmed),
            Count("dismissed", "排除", r.dismissed),
            Count("closed", "结案", r.closed),
        ],
    )
    _count_table(ws, "处置方式", r.disposals)
    _widths(ws, [20, 10])


def _overdue(ws: Worksheet, r: SemiMonthlyReport) -> None:
    _table(
        ws,
        ["线索编号", "企业", "责任单位", "整改措施", "整改期限", "逾期天数"],
        (
            [o.lead_id, o.enterprise, o.responsible_unit, o.measures, o.deadline.isoformat(),
             o.days_overdue]
            for o in r.overdue
        ),
    )  # fmt: skip
    _widths(ws, [10, 30, 20, 40, 12, 10])


def _ledger(ws: Worksheet, r: SemiMonthlyReport) -> None:
    _count_table(ws, "当前风险标签（在册企业）", r.tags_now)
    _count_table(ws, "本期异动", r.ledger_events)
    ws.append(["本期标签变更"])
    ws.cell(ws.max_row, 1).font = _BOLD
    _table(
        ws,
        ["统一社会信用代码", "企业名称", "原标签", "新标签", "理由", "操作人", "时间 (UTC)"],
        (
            [c.credit_code, c.name, _tag(c.from_tag), _tag(c.to_tag), c.reason, c.actor,
             c.at.isoformat(timespec="minutes")]
            for c in r.tag_changes
        ),
    )  # fmt: skip
    ws.append([])
    ws.append(["待复核：系统建议的标签比现标签更严重"])
    ws.cell(ws.max_row, 1).font = _BOLD
    _table(
        ws,
        ["统一社会信用代码", "企业名称", "现标签", "建议标签", "理由"],
        (
            [p.credit_code, p.name, _tag(p.current_tag), _tag(p.suggested_tag),
             "；".join(p.reasons)]
            for p in r.pending_review
        ),
    )  # fmt: skip
    _widths(ws, [22, 34, 10, 10, 50, 12, 18])


def _coverage(ws: Worksheet, r: SemiMonthlyReport) -> None:
    _table(
        ws,
        ["社区", "楼宇数", "全覆盖楼宇", "在册企业", "已走访企业", "走访覆盖率", "走访次数",
         "张贴物排查次数", "照片数"],
        (
            [c.community, c.buildings, c.buildings_complete, c.enterprises, c.visited,
             "" if c.visit_coverage is None else round(c.visit_coverage, 3), c.visits,
             c.sweeps, c.photos]
            for c in r.coverage
        ),
    )  # fmt: skip
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].number_format = "0.0%"
    _widths(ws, [16, 8, 10, 10, 10, 10, 10, 14, 8])


def _count_table(ws: Worksheet, title: str, rows: Sequence[Count], *, total: bool = True) -> None:
    ws.append([title, "数量"])
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.cell(ws.max_row, 2).font = _BOLD
    for row in rows:
        ws.append([row.label, row.count])
    if total:
        ws.append(["合计", sum(row.count for row in rows)])
    ws.append([])


def _table(ws: Worksheet, headers: list[str], rows: Iterable[list[object]]) -> None:
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
    empty = True
    for row in rows:
        ws.append(row)
        empty = False
    if empty:
        ws.append(["（无）"])


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _tag(tag: str | None) -> str:
    return TAG_LABELS.get(tag or "", "未定级")
