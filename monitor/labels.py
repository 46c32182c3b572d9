"""The Chinese names staff read for the detector's categories, lead sources and risk
levels: one table for the web pages and the semi-monthly report alike, so the queue and
the report a leader reads never call the same thing by two names."""

from __future__ import annotations

#: design.md category ids, in their fixed order.
CATEGORY_LABELS = {
    "return_promise": "承诺收益",
    "principal_guarantee": "保本保息",
    "hot_concept": "高风险概念",
    "endorsement": "名人/专家背书",
    "public_solicitation": "公开募集",
}
#: Where a lead came from (`leads.source_kind`).
SOURCE_LABELS = {"web": "网络", "poster": "张贴物", "tip": "群众举报"}
RISK_LABELS = {"high": "高", "medium": "中", "low": "低", "none": "无"}
