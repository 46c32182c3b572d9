"""A multipart body read under a size cap, for the photo upload and the public tip form.

The cap is checked twice (faults.md row 1): from Content-Length before anything is read,
and again while the body streams in, so a client that declares 100 bytes and sends 16 MB
is cut off at the cap instead of being spooled to a temporary file. The body is then kept
on the request, so `CsrfChecked` and the handler parse the same bytes.

List `capped_body` before `CsrfChecked` in a route's dependencies (FastAPI runs them in
order); such routes take no `Form()` parameters, since FastAPI would read the body for them
before any dependency runs. The text fields are validated with a pydantic model by
`form_fields`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from monitor import audit
from monitor.errors import InvalidInput, TooLarge
from monitor.web.deps import DB, client_ip
from monitor.web.routes.staff_common import MULTIPART_OVERHEAD

M = TypeVar("M", bound=BaseModel)


def _cap(request: Request) -> int:
    return int(request.app.state.settings.upload_max_bytes)


def _too_large(cap: int) -> TooLarge:
    return TooLarge(f"文件超过 {cap / (1024 * 1024):g} MB 上限，未保存任何内容（too_large）")


def _refuse(request: Request, db: DB, cap: int, declared: str, received: int) -> TooLarge:
    """Audit the refusal (faults.md row 1) and return the error to raise."""
    audit.record(
        db,
        None,
        "upload.too_large",
        None,
        ip=client_ip(request),
        path=request.url.path,
        declared=declared[:20],
        received=received,
        cap=cap,
    )
    db.commit()
    return _too_large(cap)


async def _read_capped(request: Request, db: DB) -> None:
    cap = _cap(request)
    limit = cap + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > limit:
        raise _refuse(request, db, cap, declared, 0)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit or total > int(declared):
            raise _refuse(request, db, cap, declared, total)
        chunks.append(chunk)
    # Starlette's Request.stream()/form() serve a cached `_body` instead of re-reading.
    request._body = b"".join(chunks)


capped_body: Any = Depends(_read_capped)


@dataclass(frozen=True)
class PostedPhoto:
    """The form's photo: the client's name (display only) and the bytes ("" / b"" if none)."""

    filename: str
    data: bytes


async def posted_photo(request: Request, field: str = "photo") -> PostedPhoto:
    """The file in `field` of the (already capped) form, or an empty PostedPhoto."""
    form = await request.form()
    upload = form.get(field)
    if upload is None or isinstance(upload, str):
        return PostedPhoto("", b"")
    data = await upload.read(_cap(request) + 1)
    if len(data) > _cap(request):
        raise _too_large(_cap(request))
    return PostedPhoto(upload.filename or "", data)


async def form_fields(request: Request, model: type[M]) -> M:
    """The form's text fields validated by `model` (422 naming the fields otherwise)."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in err['loc']) or '表单'}：{err['msg']}"
            for err in exc.errors()
        )
        raise InvalidInput(f"表单内容有误：{problems}") from None
