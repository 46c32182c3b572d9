"""Reads for the poster-upload pages: a grid worker's own uploads with the lead each raised.

Grid workers see only what they uploaded; staff (admin, reviewer) may open any upload's
display copy, since they review the leads raised from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import NotFound
from monitor.models.accounts import User
from monitor.models.core import Lead, Upload

STAFF_ROLES = ("admin", "reviewer")


@dataclass(frozen=True)
class UploadRow:
    """One upload as the list shows it."""

    upload: Upload
    lead_id: int | None
    risk: str | None
    categories: list[str]
    hits: list[dict[str, Any]]


def own_uploads(session: Session, uploader_id: int, limit: int = 50) -> list[UploadRow]:
    """The user's uploads, newest first, each with the lead its text raised (if any)."""
    stmt = (
        sa.select(Upload, Lead.id, Lead.risk, Lead.categories, Lead.hits)
        .outerjoin(Lead, Lead.upload_id == Upload.id)
        .where(Upload.uploader_id == uploader_id)
        .order_by(Upload.created_at.desc(), Upload.id.desc())
        .limit(limit)
    )
    return [
        UploadRow(row[0], row[1], row[2], list(row[3] or []), list(row[4] or []))
        for row in session.execute(stmt).all()
    ]


def visible_upload(session: Session, user: User, upload_id: int) -> Upload:
    """The upload if `user` may see it: its uploader, or staff. Otherwise NotFound (404,
    so another grid worker cannot even learn that the id exists)."""
    upload = session.get(Upload, upload_id)
    if upload is None or (user.role not in STAFF_ROLES and upload.uploader_id != user.id):
        raise NotFound("没有这条上传记录")
    return upload
