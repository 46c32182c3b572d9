"""Declared schemas for the poster-upload, tip and source forms.

The upload and tip forms carry a file, so their handlers parse the multipart body
themselves after the size cap (see `monitor.web.routes.uploads`) and validate the text
fields with these models; the source form is a plain form (`Annotated[SourceForm, Form()]`).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from monitor.web.forms import FormModel


class UploadForm(FormModel):
    """What a grid worker says about a poster photo."""

    place: str = Field(default="", max_length=200)
    building: str = Field(default="", max_length=200)
    community: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=2000)


class SweepForm(FormModel):
    """A poster sweep that found nothing to photograph (张贴物排查：未发现): coverage counts
    having looked, so the grid worker records it instead of leaving a gap."""

    community: str = Field(min_length=1, max_length=100)
    building: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class TipForm(FormModel):
    """A report from the public (举报). At least text, a link or a photo (checked by
    `monitor.intake.ingest_tip`)."""

    text: str = Field(default="", max_length=5000)
    link: str = Field(default="", max_length=2000)
    contact: str = Field(default="", max_length=200)

    @field_validator("link")
    @classmethod
    def _http_link(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("链接须以 http:// 或 https:// 开头")
        return value


class SourceForm(FormModel):
    """A monitored source (监测源). Start URLs one per line; schedule is crontab text,
    checked by `monitor.sources` (add_source / update_source)."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["site", "platform"] = "site"
    start_urls: str = Field(min_length=1, max_length=20_000)
    max_pages: int = Field(default=500, ge=1, le=100_000)
    max_depth: int = Field(default=5, ge=0, le=50)
    render: Literal["auto", "always", "never"] = "auto"
    schedule: str = Field(default="", max_length=100)
    community: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=2000)

    def url_list(self) -> list[str]:
        """The start URLs, one per non-empty line."""
        return [line.strip() for line in self.start_urls.splitlines() if line.strip()]

    def source_settings(self) -> dict[str, Any]:
        """Everything but the name, as `add_source` and `update_source` take it (an empty
        schedule or community means none)."""
        return {
            "kind": self.kind,
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "render": self.render,
            "schedule": self.schedule or None,
            "community": self.community or None,
            "notes": self.notes,
        }
