"""Monitored sources (监测源), admins only: list with state, schedule, limits and last
runs; add / edit; enable / disable; and "run now", which starts the crawl in the
background (`monitor.source_runs.CrawlLauncher`) and returns at once. One run per source
at a time; the page shows the running crawl's progress on refresh.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from monitor import audit
from monitor.errors import InvalidInput, NotFound
from monitor.models.accounts import Role
from monitor.models.core import Source
from monitor.source_runs import CrawlLauncher
from monitor.sources import add_source, list_sources, set_source_enabled, update_source
from monitor.web.deps import DB, CsrfChecked, client_ip, require
from monitor.web.forms_uploads import SourceForm
from monitor.web.queries.sources import recent_runs
from monitor.web.routes.staff_common import local_time, see_other
from monitor.web.sessions import SignedIn
from monitor.web.templating import render

router = APIRouter()

Admin = Annotated[SignedIn, Depends(require(Role.ADMIN.value))]
NOTICES = {
    "added": "已添加监测源",
    "saved": "已保存",
    "enabled": "已启用",
    "disabled": "已停用",
    "started": "已开始抓取，刷新本页查看进度",
}


def launcher(request: Request) -> CrawlLauncher:
    """The app's crawl launcher, created on first use."""
    found: CrawlLauncher | None = getattr(request.app.state, "crawl_launcher", None)
    if found is None:
        found = CrawlLauncher(request.app.state.settings, request.app.state.session_factory)
        request.app.state.crawl_launcher = found
    return found


def _source(db: DB, source_id: int) -> Source:
    source = db.get(Source, source_id)
    if source is None:
        raise NotFound("没有这个监测源")
    return source


@router.get("/sources")
def sources_page(
    request: Request, db: DB, signed_in: Admin, notice: str = "", error: str = ""
) -> Response:
    sources = list_sources(db)
    runs = recent_runs(db)
    live = {s.id: launcher(request).live(s.id) for s in sources}
    context = {
        "sources": sources,
        "runs": runs,
        "live": live,
        "notice": NOTICES.get(notice, ""),
        "error": error[:300],
        "local_time": local_time,
        "tz": ZoneInfo(request.app.state.settings.timezone),
        "running": any(r is not None and r.status == "running" for r in live.values()),
    }
    return render(request, "sources/list.html", context, signed_in=signed_in)


def _edit_page(
    request: Request,
    signed_in: SignedIn,
    source: Source | None,
    form: SourceForm | None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    if form is None and source is not None:
        form = SourceForm(
            name=source.name,
            kind=source.kind,  # type: ignore[arg-type]
            start_urls="\n".join(source.start_urls),
            max_pages=source.max_pages,
            max_depth=source.max_depth,
            render=source.render,  # type: ignore[arg-type]
            schedule=source.schedule or "",
            community=source.community or "",
            notes=source.notes,
        )
    context = {"source": source, "form": form, "error": error}
    return render(
        request, "sources/edit.html", context, status_code=status_code, signed_in=signed_in
    )


@router.get("/sources/new")
def new_source(request: Request, signed_in: Admin) -> Response:
    return _edit_page(request, signed_in, None, None)


@router.post("/sources/new", dependencies=[CsrfChecked])
def create_source(
    request: Request, db: DB, signed_in: Admin, form: Annotated[SourceForm, Form()]
) -> Response:
    try:
        source = add_source(db, form.name, form.url_list(), **form.source_settings())
    except InvalidInput as exc:
        db.rollback()
        return _edit_page(request, signed_in, None, form, str(exc), 422)
    audit.record(db, signed_in.user, "source.add", source, ip=client_ip(request))
    db.commit()
    return see_other("/sources?notice=added")


@router.get("/sources/{source_id:int}/edit")
def edit_source(request: Request, db: DB, source_id: int, signed_in: Admin) -> Response:
    return _edit_page(request, signed_in, _source(db, source_id), None)


@router.post("/sources/{source_id:int}/edit", dependencies=[CsrfChecked])
def save_source(
    request: Request,
    db: DB,
    source_id: int,
    signed_in: Admin,
    form: Annotated[SourceForm, Form()],
) -> Response:
    source = _source(db, source_id)
    try:
        update_source(
            db, source_id, name=form.name, urls=form.url_list(), **form.source_settings()
        )
    except InvalidInput as exc:
        db.rollback()
        return _edit_page(request, signed_in, _source(db, source_id), form, str(exc), 422)
    audit.record(db, signed_in.user, "source.edit", source, ip=client_ip(request))
    db.commit()
    return see_other("/sources?notice=saved")


@router.post("/sources/{source_id:int}/enabled", dependencies=[CsrfChecked])
def toggle_source(
    request: Request,
    db: DB,
    source_id: int,
    signed_in: Admin,
    enabled: Annotated[bool, Form()],
) -> Response:
    source = set_source_enabled(db, str(_source(db, source_id).id), enabled)
    audit.record(
        db,
        signed_in.user,
        "source.enable" if enabled else "source.disable",
        source,
        ip=client_ip(request),
    )
    db.commit()
    return see_other(f"/sources?notice={'enabled' if enabled else 'disabled'}")


@router.post("/sources/{source_id:int}/run", dependencies=[CsrfChecked])
def run_now(request: Request, db: DB, source_id: int, signed_in: Admin) -> Response:
    """Start a crawl now; a second one while the first runs is refused (409 page)."""
    source = _source(db, source_id)
    launcher(request).start(source)  # ConflictError → 409 with the reason
    audit.record(db, signed_in.user, "source.run", source, ip=client_ip(request))
    db.commit()
    return see_other("/sources?notice=started")
