"""Response headers every page gets, and the pre-cookie for anonymous forms.

The Content-Security-Policy allows only our own scripts and styles: crawled text is always
escaped by the templates, and even if something slipped through, no inline script or
foreign origin would run. Captured pages are shown only inside a sandboxed iframe served
with an even stricter policy (see the evidence routes).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from monitor.web.deps import PRE_COOKIE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    """Adds CSP, nosniff, framing and referrer headers; sets the anonymous CSRF cookie."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        new_pre = None
        if not request.cookies.get(PRE_COOKIE):
            new_pre = secrets.token_urlsafe(24)
            request.state.pre_cookie = new_pre
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        if new_pre is not None:
            response.set_cookie(PRE_COOKIE, new_pre, httponly=True, samesite="lax")
        return response
