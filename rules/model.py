"""The detector's result types: ``Hit``, ``Detection`` and ``DetectorConfig``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RISKS = ("high", "medium", "low", "none")


@dataclass(frozen=True)
class DetectorConfig:
    """Knobs a deployment may turn; everything else lives in the data files.

    ``high_return_threshold`` (percent a year) defaults to ``lpr_multiple`` × the one-year
    LPR in force on ``on_date`` (today) per lpr.yaml — 4 × 3.0 % = 12 % since 2025-05-20
    (民间借贷规定 第二十五条). ``lpr`` overrides the dated table.
    """

    high_return_threshold: float | None = None
    lpr: float | None = None
    lpr_multiple: float = 4.0
    on_date: dt.date | None = None
    violation_score: float | None = None
    lexicon_dir: Path | None = None


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: which rule matched which characters of the original text."""

    category: str
    rule: str
    start: int  # offset into the text as given
    end: int
    text: str  # original[start:end]
    basis: str  # short citation, e.g. 《广告法》第二十五条第（一）项
    weight: float = 0.0
    rate: float | None = None  # annualised percent, for rate hits

    def to_dict(self) -> dict[str, Any]:
        """The hit as in `admon detect` output."""
        return {"category": self.category, "rule": self.rule, "start": self.start,
                "end": self.end, "text": self.text, "basis": self.basis}


@dataclass(frozen=True)
class Suppressed:
    """A hit that did not count, and why (negated, warning, disclosure, word_boundary …)."""

    hit: Hit
    reason: str


@dataclass(frozen=True)
class Detection:
    """The detector's verdict on one text."""

    violation: bool
    risk: str
    score: float
    categories: list[str]
    annualized_return: float | None
    hits: list[Hit]
    suppressed: list[Suppressed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # e.g. ["warning"], ["disclosure"]

    def to_dict(self) -> dict[str, Any]:
        """Exactly the `admon detect` JSON object (interfaces.md), without ``id``."""
        return {
            "violation": self.violation,
            "risk": self.risk,
            "score": round(self.score, 3),
            "categories": list(self.categories),
            "annualized_return": None if self.annualized_return is None
            else round(self.annualized_return, 2),
            "hits": [h.to_dict() for h in self.hits],
        }
