"""Form schemas for account administration (系统管理 › 用户)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from monitor.web.forms import FormModel


class UserAddForm(FormModel):
    """A new account; `monitor.users.create_user` checks the name and the partner's unit.
    The password is generated, never typed here."""

    username: str = Field(min_length=1, max_length=64)
    role: Literal["admin", "reviewer", "grid", "partner"]
    display_name: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=100)


class UserTargetForm(FormModel):
    """Which account a deactivate or password-reset button acts on."""

    user_id: int = Field(ge=1)
