"""Serving photos (poster uploads, tip photos) to the browser."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import Response

from monitor.errors import NotFound
from monitor.evidence import EvidenceStore
from monitor.models.core import Upload


def display_copy_response(store: EvidenceStore, upload: Upload) -> Response:
    """A photo's re-encoded, metadata-free display copy (never the original, whose EXIF
    may hold the photographer's location: faults.md row 5)."""
    if not upload.display_path:
        raise NotFound(f"upload {upload.id} has no display copy")
    data = store.get(Path(upload.display_path).name)
    media = "image/jpeg" if data[:2] == b"\xff\xd8" else "image/png"
    return Response(
        data,
        media_type=media,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "Content-Disposition": f'inline; filename="upload-{upload.id}.{media[6:]}"',
        },
    )
