"""The FastAPI application factory. `admon serve` and the tests call `create_app`."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from monitor import ocr_worker
from monitor.db import make_engine, session_factory, upgrade
from monitor.errors import (
    AdmonError,
    ConflictError,
    EvidenceError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TooLarge,
)
from monitor.settings import Settings, get_settings
from monitor.web.deps import CsrfDenied, Forbidden, LoginRequired
from monitor.web.ratelimit import SlidingWindowLimiter
from monitor.web.secrets import load_secret_key
from monitor.web.security import SecurityHeadersMiddleware
from monitor.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: One module per area of the UI, each exposing `router`. A module not written yet is
#: skipped, so areas can land one at a time.
ROUTE_MODULES: tuple[str, ...] = (
    "auth",
    "home",
    "leads",
    "evidence",
    "uploads",
    "tips",
    "ledger",
    "coverage",
    "reports",
    "documents",
    "sources",
    "admin",
)


def _router(module_name: str) -> APIRouter:
    full_name = f"monitor.web.routes.{module_name}"
    try:
        module = importlib.import_module(full_name)
    except ModuleNotFoundError as exc:
        if exc.name != full_name:
            raise
        return APIRouter()
    router: APIRouter = module.router
    return router


#: Domain errors and the HTTP status each becomes.
STATUS_FOR_ERROR: tuple[tuple[type[AdmonError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (PermissionDenied, 403),
    (CsrfDenied, 403),
    (ConflictError, 409),
    (InvalidTransition, 409),
    (TooLarge, 413),
    (InvalidInput, 422),
    (EvidenceError, 500),
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Poster OCR runs beside the app, never inside a request (on RQ when Redis is set)."""
    ocr_worker.start(app)
    try:
        yield
    finally:
        ocr_worker.stop(app)


def _pool_options(settings: Settings) -> dict[str, int]:
    """A connection pool as large as the requests served at once, for server databases.

    SQLAlchemy's default (5 kept, 10 more opened and closed on demand) makes a busy queue
    page open and close PostgreSQL connections per request; SQLite keeps its own pool.
    """
    if settings.resolved_database_url.startswith("sqlite"):
        return {}
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_pool_size}


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the app on `settings` (the environment's when None)."""
    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url, **_pool_options(settings))
    if migrate:
        upgrade(engine)
    app = FastAPI(
        title="admon", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.secret_key = load_secret_key(settings)
    app.state.login_limiter = SlidingWindowLimiter(limit=5, window=60.0)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module_name in ROUTE_MODULES:
        app.include_router(_router(module_name))
    _install_error_pages(app)
    return app


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _bad_form(request: Request, exc: RequestValidationError) -> Response:
        problems = "；".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or '表单'}：{err['msg']}"
            for err in exc.errors()
        )
        return render(
            request,
            "error.html",
            {"status": 422, "message": f"表单内容有误：{problems}", "code": "invalid"},
            status_code=422,
        )

    @app.exception_handler(AdmonError)
    async def _domain_error(request: Request, exc: AdmonError) -> Response:
        status = next((code for cls, code in STATUS_FOR_ERROR if isinstance(exc, cls)), 400)
        return render(
            request,
            "error.html",
            {"status": status, "message": str(exc), "code": exc.code},
            status_code=status,
        )
