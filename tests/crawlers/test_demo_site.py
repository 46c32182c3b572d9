"""The demo town serves what the crawler tests rely on (on 127.0.0.1 only)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from crawlers.demo_site import DemoSite, load_images, load_pages


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(bulk_pages=30) as demo:
        yield demo


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(site: DemoSite, path: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(site.url.rstrip("/") + path, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_binds_loopback_only(site: DemoSite) -> None:
    assert site.url.startswith("http://127.0.0.1:")


def test_robots_disallows_private_and_names_the_sitemap(site: DemoSite) -> None:
    status, _, body = _get(site, "/robots.txt")
    assert status == 200
    assert b"Disallow: /private/" in body and b"sitemap.xml" in body
    _, _, sitemap = _get(site, "/sitemap.xml")
    assert b"/hidden/shared-bike.html" in sitemap and b"/private/" not in sitemap


def test_every_declared_page_is_served(site: DemoSite) -> None:
    for path in load_pages():
        if path == "/faults/busy":
            continue
        assert _get(site, path)[0] == 200, path


def test_hostile_title_is_served_raw(site: DemoSite) -> None:
    _, _, body = _get(site, "/classifieds/item/666.html")
    assert b"<title><script>alert(1)</script></title>" in body
    assert b'href="javascript:alert(1)"' in body


def test_fault_routes(site: DemoSite) -> None:
    assert _get(site, "/faults/loop-a")[1]["Location"] == "/faults/loop-b"
    assert _get(site, "/faults/loop-b")[1]["Location"] == "/faults/loop-a"
    assert _get(site, "/faults/internal")[1]["Location"].startswith("http://10.")
    status, headers, _ = _get(site, "/faults/gbk")
    assert status == 200 and "charset" not in headers["Content-Type"]
    status, headers, _ = _get(site, "/faults/bomb")
    assert headers["Content-Encoding"] == "gzip" and int(headers["Content-Length"]) < 1_000_000


def test_busy_page_answers_429_once(site: DemoSite) -> None:
    before = site.count("/faults/busy")
    first = _get(site, "/faults/busy")
    second = _get(site, "/faults/busy")
    if before == 0:
        assert first[0] == 429 and first[1]["Retry-After"] == "2"
    assert second[0] == 200


def test_images_are_pngs_and_bulk_pages_link_onwards(site: DemoSite) -> None:
    for name in load_images():
        status, _headers, body = _get(site, f"/images/{name}.png")
        assert status == 200 and body.startswith(b"\x89PNG")
    _, _, body = _get(site, "/bulk/1.html")
    assert b'href="/bulk/6.html"' in body
    assert _get(site, "/bulk/31.html")[0] == 404
    assert site.count("/bulk/1.html") == 1
