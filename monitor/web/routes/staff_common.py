"""Small helpers the staff pages share (ledger, coverage, reports, documents, admin).

Not a route module: `app.ROUTE_MODULES` does not list it. It holds only request parsing
and display helpers, no business rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from monitor.errors import InvalidInput, TooLarge
from monitor.models.accounts import Role
from monitor.web.deps import require
from monitor.web.sessions import SignedIn

STAFF_ONLY = require(Role.ADMIN.value, Role.REVIEWER.value)
ADMIN_ONLY = require(Role.ADMIN.value)
Staff = Annotated[SignedIn, Depends(STAFF_ONLY)]
Admin = Annotated[SignedIn, Depends(ADMIN_ONLY)]


def office_tz(request: Request) -> ZoneInfo:
    """The office time zone (settings); dates on forms and pages are office-local."""
    return ZoneInfo(request.app.state.settings.timezone)


def today(request: Request) -> date:
    """Today in the office's time zone."""
    return datetime.now(office_tz(request)).date()


def parse_day(value: str, *, default: date) -> date:
    """A YYYY-MM-DD query value, or `default` when empty; InvalidInput (422) otherwise."""
    if not value:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value[:40]!r}") from None


def day_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `start`, local midnight after `end`) in UTC; both days included."""
    if end < start:
        raise InvalidInput(f"结束日期 {end} 早于开始日期 {start}")
    begin = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return begin, finish


def local_time(value: datetime | str | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (aware datetime or ISO text, UTC when naive) as office-local text."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime(fmt)


def see_other(url: str) -> Response:
    """Post/redirect/get: the page after a successful form."""
    return RedirectResponse(url, status_code=303)


def xlsx_download(body: bytes, filename: str) -> Response:
    """An .xlsx attachment; the UTF-8 name per RFC 6266/5987, an ASCII fallback for old
    browsers."""
    disposition = f"attachment; filename=\"download.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


UploadTooLarge = TooLarge  # a posted file over the page's cap (answered with 413)


#: Room for the multipart envelope (boundaries, headers, the CSRF field) around the file.
MULTIPART_OVERHEAD = 64 * 1024


def body_cap(max_bytes: int) -> Any:
    """A route dependency refusing a body larger than `max_bytes` (plus the multipart
    envelope) from its Content-Length, before anything reads it.

    List it before `CsrfChecked`, which parses (and spools) the whole form. The server
    enforces the declared length (h11 rejects extra bytes), so a body cannot outgrow it;
    a body without a length (chunked) is refused too, since browsers always send one.
    """

    def check(request: Request) -> None:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > max_bytes + MULTIPART_OVERHEAD:
            raise UploadTooLarge(
                f"文件超过 {max_bytes // (1024 * 1024)} MB（或未声明大小），未导入任何数据"
            )

    return Depends(check)


@dataclass(frozen=True)
class PostedFile:
    """A file from a multipart form: its name (display only) and its bytes."""

    filename: str
    data: bytes


def posted_file(field: str, max_bytes: int) -> Any:
    """A dependency returning the form's file `field` (at most `max_bytes` + 1 bytes read,
    so an over-long file is seen without holding it all). The form was already parsed by
    `CsrfChecked`; Starlette caches it on the request."""

    async def read(request: Request) -> PostedFile:
        form = await request.form()
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            raise InvalidInput("请选择要上传的文件")
        data = await upload.read(max_bytes + 1)
        return PostedFile(upload.filename or "", data)

    return Depends(read)
