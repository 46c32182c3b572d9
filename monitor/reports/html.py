"""The semi-monthly report as one self-contained HTML page.

Jinja2 with autoescaping on (enterprise names, tag reasons and community names are typed by
people and imported from spreadsheets); styles and the bar charts are inline SVG, no CDN,
no script, so the file can be mailed or opened offline on a locked-down office PC.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.errors import InvalidInput
from monitor.ledger.tags import TAG_LABELS
from monitor.reports.model import Count, SemiMonthlyReport

BAR_HEIGHT = 22
LABEL_WIDTH = 110
CHART_WIDTH = 430  # two charts side by side on the 980px page
BAR_COLOURS = {"red": "#c0392b", "yellow": "#d4a000", "green": "#2e8b57", "untagged": "#999999"}
DEFAULT_COLOUR = "#c0392b"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    colour: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart laid out for the template (sizes in SVG user units)."""

    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH


def bar_chart(rows: list[Count]) -> Chart:
    """Lay out one bar per row, scaled to the largest count (zero rows get no bar)."""
    top = max((r.count for r in rows), default=0)
    span = CHART_WIDTH - LABEL_WIDTH - 50
    bars = tuple(
        Bar(
            r.label,
            r.count,
            i * BAR_HEIGHT,
            round(span * r.count / top) if top else 0,
            BAR_COLOURS.get(r.key, DEFAULT_COLOUR),
        )
        for i, r in enumerate(rows)
    )
    return Chart(bars, max(len(bars), 1) * BAR_HEIGHT)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["bar_chart"] = bar_chart
    env.filters["tag_label"] = lambda tag: TAG_LABELS.get(tag or "", "未定级")
    env.filters["percent"] = lambda v: "—" if v is None else f"{v * 100:.1f}%"
    return env


def render_html(report: SemiMonthlyReport) -> str:
    """The report page as a string."""
    template = _environment().get_template("semimonthly.html.j2")
    return template.render(r=report)


def write_html(report: SemiMonthlyReport, out: Path) -> None:
    """Write the page to `out` (UTF-8)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}：{exc.strerror or exc}") from exc
