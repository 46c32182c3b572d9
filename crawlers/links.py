"""Which URLs a crawl may follow: same origin only, and never into a private network.

A source is one site: the start URL's scheme, host and port (its *origin*). Links and
redirects elsewhere are not followed. A redirect that points into loopback, link-local or
private address space from a public site is worse than off-site — it is how a hostile
page would make the crawler probe the office's own network — so it is classified
`blocked_private_target` and no request is made (faults.md row 19). Host names are not
resolved here (that would itself be traffic); literal addresses and `localhost` are judged.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from w3lib.url import safe_url_string

DEFAULT_PORTS = {"http": 80, "https": 443}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""", re.I)
LINKS = LinkExtractor(tags=("a", "area", "frame", "iframe"), attrs=("href", "src"), unique=True)
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass(frozen=True)
class Origin:
    """scheme://host:port of a start URL; the boundary of one crawl."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        return cls(scheme, host, port)

    def contains(self, url: str) -> bool:
        """True when `url` is http(s) on exactly this scheme, host and port."""
        try:
            return Origin.of(url) == self
        except ValueError:  # malformed port and the like
            return False

    @property
    def url(self) -> str:
        default = DEFAULT_PORTS.get(self.scheme) == self.port
        netloc = self.host if default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}/"


def is_private_host(host: str) -> bool:
    """Loopback, private, link-local, reserved or unspecified address (or localhost)."""
    host = host.strip("[]").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_reserved or address.is_unspecified or address.is_multicast
    )


def classify_target(target_url: str, origin: Origin) -> str | None:
    """Why a redirect to `target_url` must not be followed, or None if it may be.

    Returns `blocked_private_target` for a jump from a public origin into private address
    space, `offsite_redirect` for any other origin change.
    """
    if origin.contains(target_url):
        return None
    host = urlsplit(target_url).hostname or ""
    if is_private_host(host) and not is_private_host(origin.host):
        return "blocked_private_target"
    return "offsite_redirect"


def normalise(url: str, base: str) -> str | None:
    """Absolute, safely-escaped http(s) URL without fragment, or None for anything else
    (javascript:, mailto:, tel:, data:)."""
    url = url.strip()
    if not url:
        return None
    absolute = urljoin(base, url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return safe_url_string(absolute.split("#", 1)[0])


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of an `srcset` attribute ("a.png 1x, b.png 2x")."""
    urls = []
    for candidate in srcset.split(","):
        bits = candidate.strip().split()
        if bits:
            urls.append(bits[0])
    return urls


def css_urls(css: str) -> list[str]:
    """Every `url(...)` in a style attribute or `<style>` block (backgrounds, mostly)."""
    return CSS_URL.findall(css)


def as_response(url: str, html: str) -> HtmlResponse:
    """An HtmlResponse over already-decoded text (our decoding, not Scrapy's guess)."""
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")


def page_links(response: HtmlResponse, origin: Origin) -> list[str]:
    """Same-origin http(s) links of a page, in document order, without duplicates.

    Scrapy's LinkExtractor does the parsing (it already drops javascript:, mailto: and
    links to binary files); we add the origin rule and fragment stripping.
    """
    out: dict[str, None] = {}
    for link in LINKS.extract_links(response):
        url = normalise(link.url, response.url)
        if url and origin.contains(url):
            out.setdefault(url, None)
    return list(out)


def page_images(response: HtmlResponse, origin: Origin) -> list[str]:
    """Same-origin image URLs: <img src/data-src/srcset>, <source srcset>, CSS url()."""
    found: list[str] = []
    sel = response.selector
    found += sel.css("img::attr(src), img::attr(data-src)").getall()
    for srcset in sel.css("img::attr(srcset), source::attr(srcset)").getall():
        found += srcset_urls(srcset)
    for css in sel.css("[style]::attr(style)").getall() + sel.css("style::text").getall():
        found += css_urls(css)
    out: dict[str, None] = {}
    for raw in found:
        url = normalise(raw, response.url)
        if url and origin.contains(url):
            out.setdefault(url, None)
    return list(out)
