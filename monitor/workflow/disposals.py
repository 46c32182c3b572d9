"""Disposal kinds (处置方式) and the fields each requires, checked by pydantic.

The web form and any script send a plain mapping with `kind` plus that kind's fields;
`parse_disposal` turns it into one typed spec or raises `InvalidInput` naming the kind and
every missing or bad field. Unknown fields are refused, so a typo cannot silently drop a
value (e.g. `dead_line`).

Legal basis: 防范和处置非法集资条例 第十八条 (警示约谈, 责令整改) and 第二十三条 (移送公安机关);
see ../shared/legal-basis.md §3.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.errors import InvalidInput
from monitor.models.workflow import DISPOSAL_KINDS, Disposal
from monitor.users import normalize_unit

DISPOSAL_LABELS: dict[str, str] = {
    "interview": "约谈+承诺书",
    "rectify": "责令限期整改",
    "guidance": "行政引导",
    "refer_police": "移送公安",
    "joint_review": "会审研判+预警",
}

Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InterviewDisposal(_Spec):
    """约谈: a warning interview; the enterprise signs a 承诺书 (commitment letter)."""

    kind: Literal["interview"] = "interview"
    commitment_received: bool
    interview_date: date


class RectifyDisposal(_Spec):
    """责令限期整改: remove the ad by `deadline`; the page is re-checked on `recheck_date`."""

    kind: Literal["rectify"] = "rectify"
    deadline: date
    recheck_date: date
    responsible_unit: Unit
    measures: Text

    @model_validator(mode="after")
    def _recheck_after_deadline(self) -> RectifyDisposal:
        if self.recheck_date < self.deadline:
            raise ValueError("recheck_date must not be before the deadline")
        return self


class GuidanceDisposal(_Spec):
    """行政引导: administrative guidance, recorded as a note of what was advised."""

    kind: Literal["guidance"] = "guidance"
    note: Text


class ReferPoliceDisposal(_Spec):
    """移送公安: referred to the police; `receiving_unit` decides which partner sees it."""

    kind: Literal["refer_police"] = "refer_police"
    receiving_unit: Unit
    referred_on: date


class JointReviewDisposal(_Spec):
    """会审研判: joint review with the lead department; maybe a public warning (预警)."""

    kind: Literal["joint_review"] = "joint_review"
    public_warning_issued: bool
    meeting_date: date


DisposalSpec = (
    InterviewDisposal
    | RectifyDisposal
    | GuidanceDisposal
    | ReferPoliceDisposal
    | JointReviewDisposal
)
_ADAPTER: TypeAdapter[DisposalSpec] = TypeAdapter(
    Annotated[DisposalSpec, Field(discriminator="kind")]
)

#: Columns of `disposals` that hold per-kind fields (cleared before a spec is applied).
KIND_COLUMNS = (
    "commitment_received",
    "interview_date",
    "deadline",
    "recheck_date",
    "responsible_unit",
    "measures",
    "note",
    "receiving_unit",
    "referred_on",
    "public_warning_issued",
    "meeting_date",
)


def _describe(exc: ValidationError, kind: object) -> str:
    problems: list[str] = []
    for err in exc.errors():
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            return f"disposal kind must be one of: {', '.join(DISPOSAL_KINDS)} (got {kind!r})"
        loc = [str(part) for part in err["loc"][1:]]  # drop the union tag
        field = ".".join(loc) or "disposal"
        message = "is required" if err["type"] == "missing" else err["msg"]
        if err["type"] == "extra_forbidden":
            message = "is not a field of this kind"
        problems.append(f"{field} {message}")
    label = DISPOSAL_LABELS.get(str(kind), "")
    return f"invalid {kind} disposal ({label}): " + "; ".join(problems)


def parse_disposal(data: Mapping[str, Any] | DisposalSpec) -> DisposalSpec:
    """A typed disposal from form data, or InvalidInput listing what is missing or wrong."""
    if isinstance(data, _Spec):
        return data
    try:
        return _ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise InvalidInput(_describe(exc, data.get("kind"))) from None


def apply_disposal(row: Disposal, spec: DisposalSpec) -> None:
    """Write `spec` onto a disposal row, clearing any other kind's fields."""
    for column in KIND_COLUMNS:
        setattr(row, column, None)
    row.kind = spec.kind
    for name, value in spec.model_dump(exclude={"kind"}).items():
        if name == "receiving_unit":
            value = normalize_unit(value)
        setattr(row, name, value)


def disposal_snapshot(row: Disposal) -> dict[str, Any]:
    """The decision as a dict for event details and the audit log."""
    snapshot: dict[str, Any] = {"kind": row.kind}
    for column in KIND_COLUMNS:
        value = getattr(row, column)
        if value is not None:
            snapshot[column] = value.isoformat() if isinstance(value, date) else value
    return snapshot


def get_disposal(session: Session, lead_id: int) -> Disposal | None:
    """The lead's current disposal, if it was ever confirmed."""
    return session.scalars(select(Disposal).where(Disposal.lead_id == lead_id)).one_or_none()
