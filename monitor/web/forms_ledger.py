"""Form schemas for the ledger pages and the lead page's ledger actions.

Field limits follow the columns they fill (`monitor.models.ledger`); the domain functions
check the rest (a tag needs a reason, an address change needs the new address).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from monitor.web.forms import FormModel, VersionedForm

CheckResult = Literal["ok", "issue", "not_checked"]


class TagForm(FormModel):
    """Set the red/yellow/green tag; `version` is the enterprise version the user saw."""

    version: int = Field(ge=0)
    tag: Literal["red", "yellow", "green"]
    reason: str = Field(min_length=1, max_length=2000)


class EventForm(FormModel):
    """Record a 异动 (moved in/out, address, executive or name change)."""

    kind: Literal["move_in", "move_out", "address_change", "executive_change", "name_change"]
    occurred_on: date
    new_value: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=2000)


class VisitForm(FormModel):
    """Record a 走访; the time is office-local as typed into a datetime-local field."""

    visitor: str = Field(default="", max_length=100)
    visited_at: datetime
    qualification: CheckResult = "not_checked"
    actual_operation: CheckResult = "not_checked"
    promo_materials: CheckResult = "not_checked"
    findings: str = Field(default="", max_length=4000)

    def moment(self, tz: ZoneInfo) -> datetime:
        """`visited_at` as an aware time (a naive value is office-local)."""
        return self.visited_at if self.visited_at.tzinfo else self.visited_at.replace(tzinfo=tz)

    def checks(self) -> dict[str, str]:
        return {
            "qualification": self.qualification,
            "actual_operation": self.actual_operation,
            "promo_materials": self.promo_materials,
        }


class ReopenForm(VersionedForm):
    """Reopen a decided lead (重新研判); the workflow requires the reason."""

    reason: str = Field(min_length=1, max_length=2000)
