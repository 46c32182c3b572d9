"""Ledger test helpers: valid credit codes, a stand-in for rules.scan_enterprise, workbooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from monitor.ledger.uscc import make_credit_code


def code(n: int, region: str = "440305") -> str:
    """The n-th valid test credit code (check characters computed, not copied)."""
    return make_credit_code("9", "1", region, f"MA{n:06d}")


@dataclass(frozen=True)
class FakeHit:
    term: str
    field: str
    level: str
    basis: str = "《防范和处置非法集资条例》第九条"


RESTRICTED = ("金融", "理财", "交易所", "交易中心", "财富管理", "股权众筹")
WATCH = ("投资", "资产管理")


def fake_scan(name: str, business_scope: str = "") -> list[FakeHit]:
    """The rules.scan_enterprise contract on a tiny word list (条例 第九条)."""
    hits: list[FakeHit] = []
    for field, text in (("name", name), ("business_scope", business_scope)):
        hits += [FakeHit(w, field, "restricted") for w in RESTRICTED if w in text]
        hits += [FakeHit(w, field, "watch") for w in WATCH if w in text]
    return hits


def write_xlsx(
    path: Path,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    title_rows: Sequence[Sequence[Any]] = (),
    merges: Sequence[str] = (),
) -> Path:
    """A workbook with optional title rows above the headers and merged ranges."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    for row in title_rows:
        ws.append(list(row))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path
