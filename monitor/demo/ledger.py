"""A small invented enterprise ledger (风险企业台账) for the demo, written as the
spreadsheet a community would keep, then imported through the real importer."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from monitor.ledger.uscc import make_credit_code

HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "所属行业",
    "注册资本",
    "经营范围",
    "注册地址",
    "实际经营地址",
    "所属社区",
)

#: (organisation-code body, name, industry, capital, scope, registered, actual, community)
#: All invented. One name matches an advertiser on the demo site, so the lead page offers
#: it as a link candidate; some carry words 条例 第九条 restricts or watches.
ENTERPRISES: tuple[tuple[str, ...], ...] = (
    ("MA1K2P3Q", "金丰财富管理有限公司", "商务服务业", "1000万元", "财富管理咨询；投资咨询",
     "城关街道幸福路8号", "城关街道幸福路8号", "幸福社区"),
    ("MA2B7C4D", "鑫海养老服务有限公司", "居民服务业", "500万元", "养老服务；健康咨询；会员卡销售",
     "城关街道东风路12号", "城关街道建设路3号", "东风社区"),
    ("MA3E9F1G", "和顺餐饮管理有限公司", "餐饮业", "50万元", "餐饮服务；食品销售",
     "城关街道人民路101号", "城关街道人民路101号", "人民社区"),
    ("MA4H6J8K", "青禾农业种植专业合作社", "农业", "200万元", "蔬菜种植；农产品销售",
     "城关街道青禾村", "城关街道青禾村", "青禾村"),
    ("MA5L2M7N", "恒信数字科技有限公司", "软件和信息技术服务业", "2000万元",
     "区块链技术开发；数字货币技术咨询", "城关街道科创园A座", "城关街道建设路88号", "幸福社区"),
)


def write_demo_ledger(path: Path) -> Path:
    """Write the demo ledger workbook to `path` and return it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "风险企业台账"
    sheet.append(list(HEADERS))
    for body, *fields in ENTERPRISES:
        code = make_credit_code("9", "1", "110105", body)
        sheet.append([code, *fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
