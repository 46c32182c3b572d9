"""What the lead page tells a reviewer about each hit's rule and the return threshold,
read from the rules package's data (never restated here)."""

from __future__ import annotations

from dataclasses import dataclass

import rules
from rules.detector import engine_for
from rules.model import DetectorConfig


@dataclass(frozen=True)
class RuleInfo:
    """A hit's rule as shown on the lead page."""

    id: str
    name: str  # the Chinese name reviewers read (名称)
    category: str
    cite: str
    article_text: str


def rule_info(rule_id: str) -> RuleInfo:
    """The rule's name and the article it cites; an unknown id (a rule since removed from
    the lexicon) is shown as such rather than failing the page."""
    try:
        rule = rules.get_rule(rule_id)
    except KeyError:
        return RuleInfo(rule_id, "（规则已停用）", "", "", "")
    basis = rule.basis
    return RuleInfo(rule.id, chinese_name(rule.name), rule.category, basis.cite, basis.text)


def chinese_name(name: str) -> str:
    """The lexicon names rules "中文 — English" for its maintainers; the UI is Chinese."""
    return name.split(" — ", 1)[0].strip()


def threshold_percent() -> float:
    """The high-return threshold in force today (default 4 × one-year LPR)."""
    config = DetectorConfig()
    return engine_for(config).high_return_threshold(config)
