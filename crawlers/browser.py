"""Debian's Chromium for scrapy-playwright: where it is and how to launch it offline.

Playwright's own browser download needs the internet, which the office machines do not
have, so we drive the distribution's `/usr/bin/chromium` (Debian package `chromium`).
The flags turn off everything that would phone home, and `--no-sandbox` lets it run as
root in a container (Chromium refuses to start as root with the sandbox on).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.links import Origin

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm
)


class ChromiumMissing(RuntimeError):
    """No Chromium executable: install the Debian package `chromium` or set ADMON_CHROMIUM_PATH."""


def find_chromium(configured: Path | str | None = None) -> Path:
    """The Chromium executable: the configured path if given, else the first on PATH."""
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        raise ChromiumMissing(
            f"Chromium not found at {path} (ADMON_CHROMIUM_PATH); "
            "install the Debian package `chromium` (apt-get install chromium)"
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumMissing(
        "Chromium not found on PATH: install the Debian package `chromium` "
        "(apt-get install chromium) or set ADMON_CHROMIUM_PATH"
    )


def launch_options(executable: Path) -> dict[str, Any]:
    """PLAYWRIGHT_LAUNCH_OPTIONS for a headless, offline Chromium."""
    return {
        "executable_path": str(executable),
        "headless": True,
        "args": list(CHROMIUM_ARGS),
        "timeout": 30_000,
    }


class SameOriginOnly:
    """PLAYWRIGHT_ABORT_REQUEST: a rendered page may load only from the crawl's origins.

    Scripts on a crawled page could otherwise make the browser fetch anything, anywhere
    (trackers, CDNs, the office intranet). Media is dropped too: it is never needed for text.
    """

    def __init__(self, origins: list[str]) -> None:
        self.origins = {Origin.of(url) for url in origins}

    def __call__(self, request: Any) -> bool:
        url = str(request.url)
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob", "about"):
            return False
        if str(getattr(request, "resource_type", "")) == "media":
            return True
        return not any(origin.contains(url) for origin in self.origins)


def abort_predicate(origins: list[str]) -> Callable[[Any], bool]:
    """The abort-request callable for a crawl of `origins`."""
    return SameOriginOnly(origins)
