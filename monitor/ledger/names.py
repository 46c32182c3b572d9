"""Enterprise names reduced to what identifies them, for matching and branch detection.

Ads rarely give the registered name: 深圳市前海鑫盛财富投资管理有限公司 advertises as
鑫盛财富 or 鑫盛财富投资管理. Comparing *core* names — region prefix, bracketed region and
legal form removed — finds the match; the full names are still shown to staff, who decide.
"""

from __future__ import annotations

import re

from monitor.ledger.cells import fold

#: Legal-form suffixes, longest first so 股份有限公司 is removed before 有限公司.
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "合伙企业(有限合伙)",
    "合伙企业",
    "(有限合伙)",
    "(普通合伙)",
    "集团",
    "公司",
    "商行",
    "个体工商户",
)

#: Words marking a branch (分支机构) at the end of a name: XX有限公司南山分公司.
BRANCH_MARKERS = ("分公司", "分店", "分部", "营业部", "分中心", "分行", "门店", "办事处")

_BRACKETED = re.compile(r"[(（][^()（）]{1,12}[)）]")
_REGION_PREFIX = re.compile(
    r"^(中国)?([\u4e00-\u9fa5]{2,3}(省|自治区))?([\u4e00-\u9fa5]{2,4}市)?([\u4e00-\u9fa5]{1,3}区)?"
)
_PUNCT = re.compile(r"[\s·•.,，、\-—_]+")


def tidy_name(name: str) -> str:
    """Width-folded, space-free name (what exact comparison uses)."""
    return _PUNCT.sub("", fold(name)).upper()


def core_name(name: str) -> str:
    """The distinctive part of a name.

    `深圳市前海鑫盛财富投资管理有限公司` → `前海鑫盛财富投资管理`.

    Removes a bracketed region or note (`(深圳)`, `（有限合伙）`), a leading province /
    city / district, and trailing legal forms, repeatedly. Never returns less than two
    characters of the original: a name that is all prefix and suffix keeps its tidy form.
    """
    tidy = tidy_name(name)
    core = _BRACKETED.sub("", tidy.replace("(有限合伙)", "").replace("(普通合伙)", ""))
    core = _REGION_PREFIX.sub("", core, count=1)
    stripped = True
    while stripped and not core.endswith(BRANCH_MARKERS):
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                core = core[: -len(suffix)]
                stripped = True
    return core if len(core) >= 2 else tidy


def branch_parent_prefix(name: str) -> str | None:
    """For a branch name, the text before the branch part; None when not a branch.

    `鑫盛财富投资有限公司南山分公司` → `鑫盛财富投资有限公司南山`; callers test whether a
    parent's name or core name starts that prefix.
    """
    tidy = tidy_name(name)
    for marker in BRANCH_MARKERS:
        if tidy.endswith(marker) and len(tidy) > len(marker) + 1:
            return tidy[: -len(marker)]
    return None


def is_branch_of(branch_name: str, parent_name: str) -> bool:
    """True when `branch_name` is a branch (分公司/分店…) of `parent_name`.

    Data rule: the branch's name ends with a branch marker and, before it, starts with the
    parent's full name or (region prefixes removed from both) the parent's core name.
    """
    prefix = branch_parent_prefix(branch_name)
    if prefix is None or tidy_name(branch_name) == tidy_name(parent_name):
        return False
    parent_tidy = tidy_name(parent_name)
    if prefix.startswith(parent_tidy):
        return True
    parent_core = core_name(parent_name)
    branch_unprefixed = _REGION_PREFIX.sub("", prefix, count=1)
    return len(parent_core) >= 2 and branch_unprefixed.startswith(parent_core)
