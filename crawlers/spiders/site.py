"""The generic site spider (站点爬虫): one source = one origin, crawled breadth-first.

    scrapy crawl site -a urls=http://127.0.0.1:8765/ -a max_pages=50 -a render=auto

It stays on each start URL's scheme, host and port; follows links; reads the sitemaps
robots.txt names (or /sitemap.xml); lets RobotsTxtMiddleware refuse disallowed paths;
fetches images for OCR; and renders pages in Chromium when `render` says so. It only
extracts: the pipeline hands items to `monitor.intake` (rules, OCR and SQL happen there).

Limits are counted in `self.state` (persisted by Scrapy's SpiderState extension in JOBDIR),
so a resumed crawl continues its page budget instead of starting it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from lxml.etree import XMLSyntaxError
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawlers.encoding import decode_html
from crawlers.extract import extract_text, new_lines
from crawlers.failures import classify, failed_request
from crawlers.items import NOT_A_PAGE, FetchErrorItem, ImageItem, PageItem, ScreenshotItem
from crawlers.links import Origin, as_response, page_images, page_links
from crawlers.render import RENDER_MODES, decide
from crawlers.rendering import RenderPool

HTML_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_MAXSIZE = 8 * 1024 * 1024  # posters are photos; anything bigger is not an ad image
SITEMAP_MAXSIZE = 20 * 1024 * 1024


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin1"): b", ".join(values).decode("latin1")
        for key, values in response.headers.items()
    }


class SiteSpider(Spider):
    """Crawl the sites at `urls` (list or comma-separated) within page and depth limits."""

    name = "site"

    def __init__(
        self,
        urls: Iterable[str] | str = (),
        max_pages: int | str = 500,
        max_depth: int | str = 5,
        render: str = "auto",
        needs_js: bool | str = False,
        screenshots: bool | str = True,
        images: bool | str = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u.strip()]
        self.start_urls = [u.strip() for u in urls]
        if not self.start_urls:
            raise ValueError("give at least one start URL (-a urls=http://...)")
        if render not in RENDER_MODES:
            raise ValueError(f"render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
        self.origins = list(dict.fromkeys(Origin.of(u) for u in self.start_urls))
        self.max_pages = int(max_pages)
        self.max_depth = int(max_depth)
        self.render_mode = render
        self.needs_js = _flag(needs_js)
        self.screenshots = _flag(screenshots)
        self.fetch_images = _flag(images)
        self.renders = RenderPool()

    # --- budget, persisted across pause/resume --------------------------------------------

    @property
    def budget(self) -> dict[str, Any]:
        state: dict[str, Any] | None = getattr(self, "state", None)
        if state is None:
            state = {}
            self.state = state
        fresh = {"pages": 0, "seen": set(), "images": set()}
        budget: dict[str, Any] = state.setdefault("admon", fresh)
        return budget

    def _origin_of(self, url: str) -> Origin | None:
        return next((o for o in self.origins if o.contains(url)), None)

    def page_request(self, url: str, depth: int) -> Request | None:
        """A request for a page, or None if off-origin, seen, too deep or over budget."""
        budget = self.budget
        key = canonicalize_url(url)
        if depth > self.max_depth or key in budget["seen"] or self._origin_of(url) is None:
            return None
        if budget["pages"] >= self.max_pages:
            self.crawler.stats.inc_value("admon/over_budget") if self.crawler else None
            return None
        budget["seen"].add(key)
        budget["pages"] += 1
        return Request(url, callback=self.parse, errback=self.on_error, meta={"page_depth": depth})

    # --- start ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        frontier_url = self.settings.get("ADMON_FRONTIER_URL") if self.crawler else ""
        if frontier_url:  # shared frontier: only the first worker yields the start requests
            from crawlers.frontier import Frontier

            name = str(self.settings.get("ADMON_FRONTIER_NAME"))
            if not Frontier.from_url(frontier_url, name).claim_start():
                return
        for url in self.start_urls:
            request = self.page_request(url, 0)
            if request is not None:
                yield request
        for origin in self.origins:
            yield Request(
                origin.url + "robots.txt", callback=self.parse_robots,
                errback=self.robots_missing, cb_kwargs={"origin": origin}, priority=-1,
            )

    def _sitemap_request(self, url: str) -> Request:
        return Request(
            url, callback=self.parse_sitemap, errback=self.sitemap_failed,
            meta={"download_maxsize": SITEMAP_MAXSIZE}, priority=-1,
        )

    def parse_robots(self, response: Response, origin: Origin) -> Iterable[Request]:
        named = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url)
                 if origin.contains(u)]
        for url in named or [origin.url + "sitemap.xml"]:
            yield self._sitemap_request(url)

    def robots_missing(self, failure: Failure) -> Iterable[Request]:
        origin: Origin = failed_request(failure).cb_kwargs["origin"]
        yield self._sitemap_request(origin.url + "sitemap.xml")

    def sitemap_failed(self, failure: Failure) -> None:
        self.logger.info("no sitemap at %s (%s)", failed_request(failure).url, failure.value)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=SITEMAP_MAXSIZE)
        try:
            sitemap = Sitemap(body)
        except (XMLSyntaxError, ValueError) as exc:
            self.logger.info("unreadable sitemap %s: %s", response.url, exc)
            return
        for entry in sitemap:
            loc = entry.get("loc", "")
            if not loc or self._origin_of(loc) is None:
                continue
            if sitemap.type == "sitemapindex":
                yield self._sitemap_request(loc)
            else:
                request = self.page_request(loc, 1)
                if request is not None:
                    yield request

    # --- pages ----------------------------------------------------------------------------

    def parse(self, response: Response, **_: Any) -> Iterable[Any]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin1")
        if content_type and not any(t in content_type for t in HTML_TYPES):
            self.crawler.stats.inc_value("admon/non_html")
            return
        text, encoding = decode_html(response.body, content_type)
        html = as_response(response.url, text)
        page = extract_text(text)
        chain = [*response.meta.get("redirect_urls", []), response.url]
        item = PageItem(
            url=chain[0], final_url=response.url, status=response.status,
            headers=_headers(response), body=response.body, encoding=encoding,
            content_type=content_type, title=page.title, html_text=page.body_text,
            nav_text=page.nav_text, redirect_chain=chain if len(chain) > 1 else [],
            depth=int(response.meta.get("page_depth", 0)),
        )
        yield from self._follow(html, item.depth)
        decision = decide(self.render_mode, page, self.needs_js)
        item.render_reason = decision.reason
        self.crawler.stats.inc_value("admon/parsed")
        if decision.render:
            yield Request(
                response.url, callback=self.parse_rendered, errback=self.render_failed,
                cb_kwargs={"item": item}, meta=self.renders.meta(), dont_filter=True,
            )
        else:
            yield item

    def _follow(self, html: HtmlResponse, depth: int) -> Iterable[Request]:
        origin = self._origin_of(html.url)
        if origin is None:
            return
        for url in page_links(html, origin):
            request = self.page_request(url, depth + 1)
            if request is not None:
                yield request
        if not self.fetch_images:
            return
        seen: set[tuple[str, str]] = self.budget["images"]
        for url in page_images(html, origin):
            if (html.url, url) in seen:
                continue
            seen.add((html.url, url))
            yield Request(
                url, callback=self.parse_image, errback=self.image_failed, dont_filter=True,
                cb_kwargs={"page_url": html.url},
                meta={"download_maxsize": IMAGE_MAXSIZE, NOT_A_PAGE: True},
            )

    async def parse_rendered(self, response: Response, item: PageItem) -> AsyncIterator[Any]:
        try:
            rendered = extract_text(response.text) if isinstance(response, TextResponse) else None
        finally:
            await self.renders.release(response.meta)
        if rendered is not None:
            item.js_text = new_lines(rendered.body_text, item.html_text)
            item.rendered = True
            for request in self._follow(as_response(item.final_url, response.text), item.depth):
                yield request
        yield item

    async def render_failed(self, failure: Failure) -> AsyncIterator[Any]:
        await self.renders.release(failed_request(failure).meta)
        item: PageItem = failed_request(failure).cb_kwargs["item"]
        item.render_reason += f"; render failed: {failure.value.__class__.__name__}"
        yield item  # the static capture is still evidence
        yield FetchErrorItem(
            url=item.final_url, fetch_status="render_error",
            detail=str(failure.value).splitlines()[0][:300] if str(failure.value) else "",
        )

    def on_error(self, failure: Failure) -> Iterable[FetchErrorItem]:
        record = classify(failure)
        if record is None:
            self.crawler.stats.inc_value("admon/robots_denied")
            return
        yield FetchErrorItem(
            url=record.chain[0] if record.chain else failed_request(failure).url,
            fetch_status=record.fetch_status, detail=record.detail,
            status=record.status, redirect_chain=record.chain,
        )

    # --- images and screenshots -----------------------------------------------------------

    def parse_image(self, response: Response, page_url: str) -> Iterable[ImageItem]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin1")
        if response.status != 200 or not content_type.startswith("image/"):
            self.crawler.stats.inc_value("admon/images_skipped")
            return
        yield ImageItem(
            page_url=page_url, image_url=response.url, body=response.body,
            content_type=content_type, status=response.status, headers=_headers(response),
        )

    def image_failed(self, failure: Failure) -> None:
        record = classify(failure)
        status = record.fetch_status if record else "robots_denied"
        self.crawler.stats.inc_value(f"admon/image_{status}")

    def request_screenshot(self, url: str, capture_id: int) -> None:
        """Ask for a full-page screenshot of `url` (the pipeline calls this after a lead)."""
        if not self.screenshots or self.crawler is None or self.crawler.engine is None:
            return
        request = Request(
            url, callback=self.parse_screenshot, errback=self.screenshot_failed,
            cb_kwargs={"capture_id": capture_id}, meta=self.renders.meta() | {NOT_A_PAGE: True},
            dont_filter=True, priority=10,
        )
        self.crawler.engine.crawl(request)

    async def parse_screenshot(self, response: Response, capture_id: int) -> AsyncIterator[Any]:
        page = response.meta.get("playwright_page")
        try:
            png = await page.screenshot(full_page=True, type="png") if page else b""
        finally:
            await self.renders.release(response.meta)
        if png:
            yield ScreenshotItem(capture_id=capture_id, url=response.url, png=png)

    async def screenshot_failed(self, failure: Failure) -> None:
        await self.renders.release(failed_request(failure).meta)
        self.crawler.stats.inc_value("admon/screenshot_errors")
        url = failed_request(failure).url
        self.logger.warning("screenshot of %s failed: %s", url, failure.value)
