"""The ledger spreadsheet's columns (../shared/interfaces.md, `admon ledger import/export`).

Declared once: the importer matches headers against these names and aliases, the exporter
writes the canonical headers in this order, so an exported file imports back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.ledger.cells import header_key


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: canonical header, accepted variants, the field it fills."""

    header: str
    field: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 16


#: Interface columns first (the contract), then the ledger's own optional columns.
COLUMNS: tuple[Column, ...] = (
    Column("统一社会信用代码", "credit_code", ("社会信用代码", "信用代码", "统一代码"),
           required=True, width=22),
    Column("企业名称", "name", ("名称", "单位名称", "企业(单位)名称", "公司名称"),
           required=True, width=34),
    Column("所属行业", "industry", ("行业", "行业类别")),
    Column("注册资本", "registered_capital_text", ("注册资金",)),
    Column("纳税规模", "tax_scale", ("纳税人规模",)),
    Column("经营范围", "business_scope", (), width=40),
    Column("注册地址", "registered_address", ("住所", "注册地", "登记地址"), width=30),
    Column("实际经营地址", "actual_address", ("经营地址", "实际地址", "实际办公地址"), width=30),
    Column("所属社区", "community", ("社区", "所属社区/村", "社区/村", "所属村", "所属社区(村)")),
    Column("风险等级", "tag", ("风险级别",), width=10),
    Column("楼宇", "building", ("所在楼宇", "楼栋", "所属楼宇")),
    Column("成立日期", "established_on", ("注册日期", "成立时间")),
    Column("状态", "status", ("入驻状态", "经营状态"), width=10),
)  # fmt: skip

#: Written by export only (read back as extra columns and ignored on import).
EXPORT_ONLY = ("风险标签", "标签理由", "标签设定人", "标签设定时间", "系统建议标签", "建议理由")

REQUIRED = tuple(c for c in COLUMNS if c.required)

_BY_KEY: dict[str, Column] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases):
        _BY_KEY[header_key(_name)] = _col


def column_for(header: object) -> Column | None:
    """The column a header cell names (tolerating spaces, width, `*` and (notes))."""
    key = header_key(header)
    if not key:
        return None
    return _BY_KEY.get(key)
