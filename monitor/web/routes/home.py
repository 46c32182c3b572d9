"""The landing page sends each role where its work is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from monitor.web.deps import require
from monitor.web.sessions import SignedIn

router = APIRouter()

LANDING = {"grid": "/uploads", "partner": "/referred"}


@router.get("/")
def home(signed_in: Annotated[SignedIn, Depends(require())]) -> Response:
    return RedirectResponse(LANDING.get(signed_in.view.role, "/leads"), status_code=303)
