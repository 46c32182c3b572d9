"""The campaign's phases (专项行动阶段): 集中排查 → 风险整治 → 总结验收.

Dates differ per year and per district, so they are configuration. Until `Settings` carries
them (`campaign_phases`), `load_campaign` reads that attribute when present and otherwise
uses `DEFAULT_PHASES`; each phase is checked (start ≤ end, phases in order, no overlap) and
a bad configuration is a `ConfigError` naming the phase.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from monitor.errors import ConfigError


class CampaignPhase(BaseModel):
    """One phase with inclusive office-local dates."""

    model_config = ConfigDict(frozen=True)

    key: str  # investigation | remediation | acceptance
    label: str  # 集中排查 | 风险整治 | 总结验收
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> CampaignPhase:
        if self.end < self.start:
            raise ValueError(f"phase {self.key}: end {self.end} is before start {self.start}")
        return self


#: Placeholder dates for the 2026 campaign; deployments set their own (see module doc).
DEFAULT_PHASES: tuple[CampaignPhase, ...] = (
    CampaignPhase(key="investigation", label="集中排查", start=date(2026, 9, 1),
                  end=date(2026, 10, 31)),
    CampaignPhase(key="remediation", label="风险整治", start=date(2026, 11, 1),
                  end=date(2026, 12, 15)),
    CampaignPhase(key="acceptance", label="总结验收", start=date(2026, 12, 16),
                  end=date(2026, 12, 31)),
)  # fmt: skip


class Campaign:
    """The configured phases, in date order."""

    def __init__(self, phases: Sequence[CampaignPhase]) -> None:
        ordered = sorted(phases, key=lambda p: p.start)
        for before, after in pairwise(ordered):
            if after.start <= before.end:
                raise ConfigError(
                    f"campaign phases overlap: {before.key} ends {before.end}, "
                    f"{after.key} starts {after.start}"
                )
        self.phases: tuple[CampaignPhase, ...] = tuple(ordered)

    def phase_on(self, day: date) -> CampaignPhase | None:
        """The phase `day` falls in, or None (before, between or after the campaign)."""
        return next((p for p in self.phases if p.start <= day <= p.end), None)

    def describe(self, day: date) -> str:
        """A sentence for the report header."""
        phase = self.phase_on(day)
        if phase is not None:
            remaining = (phase.end - day).days
            return f"{phase.label}阶段（{phase.start}至{phase.end}，剩余{remaining}天）"
        upcoming = next((p for p in self.phases if p.start > day), None)
        if upcoming is not None:
            return f"专项行动未在进行中；下一阶段：{upcoming.label}（{upcoming.start}起）"
        return "专项行动各阶段已结束"


def load_campaign(settings: object | None = None) -> Campaign:
    """Phases from `settings.campaign_phases` (list of dicts or a JSON string), else defaults."""
    raw: Any = getattr(settings, "campaign_phases", None) if settings is not None else None
    if raw is None or raw == "" or raw == []:
        return Campaign(DEFAULT_PHASES)
    try:
        if isinstance(raw, str):
            raw = json.loads(raw)
        items = list(raw)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"invalid campaign_phases setting: {exc}") from exc
    phases: list[CampaignPhase] = []
    for index, item in enumerate(items):
        if isinstance(item, CampaignPhase):
            phases.append(item)
            continue
        try:
            phases.append(CampaignPhase.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            detail = f"{where}: {err['msg']}" if where else err["msg"]
            raise ConfigError(
                f"invalid campaign_phases setting, phase {index + 1}: {detail}"
            ) from exc
    return Campaign(phases)
