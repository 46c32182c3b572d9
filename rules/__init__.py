"""rules: the illegal-fundraising (非法集资) ad detector.

Pure functions over text; no I/O beyond loading the data files in ``rules/data`` once.

    from rules import detect
    d = detect("年化18%，保本保息，一万元起投")
    d.violation, d.risk, d.categories, d.annualized_return, d.hits

See DEVELOPERS.md ("Internal contracts") for the contract other packages rely on.
"""

from __future__ import annotations

from rules.detector import detect, domain_terms_of, engine_for
from rules.enterprise import EnterpriseTermHit, scan_enterprise
from rules.errors import RuleFileError, RulesError
from rules.lexicon import CATEGORIES, Basis, Lexicon, Rule, default_lexicon, load_lexicon
from rules.model import Detection, DetectorConfig, Hit, Suppressed

__all__ = [
    "CATEGORIES",
    "Basis",
    "Detection",
    "DetectorConfig",
    "EnterpriseTermHit",
    "Hit",
    "Lexicon",
    "Rule",
    "RuleFileError",
    "RulesError",
    "Suppressed",
    "default_lexicon",
    "detect",
    "domain_terms",
    "engine_for",
    "get_rule",
    "load_lexicon",
    "scan_enterprise",
]


def get_rule(rule_id: str) -> Rule:
    """The rule with ``rule_id`` (its name, category, weight and legal basis with article
    text, for the review UI). Raises KeyError for an unknown id."""
    return default_lexicon().by_id[rule_id]


def domain_terms() -> list[str]:
    """Multi-character domain terms (jieba user dictionary, search suggestions)."""
    return domain_terms_of(default_lexicon())
