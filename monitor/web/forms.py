"""Declared schemas for every write the web app accepts (no dict updates from forms).

Each form model validates the raw strings a browser posts; domain functions then apply
their own rules (a disposal's required fields are checked by `monitor.workflow`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class FormModel(BaseModel):
    """Strips whitespace and ignores fields it does not declare (such as csrf_token).

    FastAPI validates posted forms against these models (`Annotated[Model, Form()]`);
    the app turns a validation failure into a 422 page naming the fields.
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class VersionedForm(FormModel):
    """Every decision carries the lead version the reviewer saw (optimistic locking)."""

    version: int = Field(ge=0)


#: Which form fields belong to which disposal class (the others are ignored).
DISPOSAL_FIELDS: dict[str, tuple[str, ...]] = {
    "interview": ("commitment_received", "interview_date"),
    "rectify": ("deadline", "recheck_date", "responsible_unit", "measures"),
    "guidance": ("note",),
    "refer_police": ("receiving_unit", "referred_on"),
    "joint_review": ("public_warning_issued", "meeting_date"),
}


class ConfirmForm(VersionedForm):
    disposal_kind: Literal["interview", "rectify", "guidance", "refer_police", "joint_review"]
    reason: str = Field(default="", max_length=2000)
    # interview 约谈
    commitment_received: bool = False
    interview_date: str = ""
    # rectify 责令限期整改
    deadline: str = ""
    recheck_date: str = ""
    responsible_unit: str = Field(default="", max_length=200)
    measures: str = Field(default="", max_length=2000)
    # guidance 行政引导
    note: str = Field(default="", max_length=2000)
    # refer_police 移送公安
    receiving_unit: str = Field(default="", max_length=200)
    referred_on: str = ""
    # joint_review 会审研判
    public_warning_issued: bool = False
    meeting_date: str = ""

    def disposal(self) -> dict[str, Any]:
        """The disposal spec for `monitor.workflow.confirm` (only this kind's fields)."""
        data: dict[str, Any] = {"kind": self.disposal_kind}
        for name in DISPOSAL_FIELDS[self.disposal_kind]:
            value = getattr(self, name)
            if value != "":
                data[name] = value
        return data


class DismissForm(VersionedForm):
    reason: str = Field(min_length=1, max_length=2000)
    ignore_phrase: str = Field(default="", max_length=200)
    ignore_scope: Literal["site", "anywhere"] = "site"

    def ignore_rule(self) -> tuple[str, Literal["site", "anywhere"]] | None:
        return (self.ignore_phrase, self.ignore_scope) if self.ignore_phrase else None


class CloseForm(VersionedForm):
    outcome: str = Field(min_length=1, max_length=2000)


class NoteForm(VersionedForm):
    note: str = Field(min_length=1, max_length=4000)


class LinkEnterpriseForm(VersionedForm):
    enterprise_id: int = Field(ge=1)

    @field_validator("enterprise_id", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value
