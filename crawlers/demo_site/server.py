"""A tiny threaded HTTP server for the demo town, bound to 127.0.0.1 only.

Besides the YAML pages and static files it has dynamic routes that reproduce the faults a
real crawl meets (faults.md rows 17–21): a redirect loop, a redirect into a private
network, a 429 with Retry-After, a slow body, a gzip bomb, a GBK page with no charset
header and a malformed meta tag, a meta refresh, and a /bulk/ section of generated pages
for benchmarks. It counts hits per path so tests can prove robots.txt was obeyed.

Run it by hand with `python -m crawlers.demo_site.server --port 8765`.
"""

from __future__ import annotations

import argparse
import html
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from crawlers.demo_site.content import STATIC_DIR, DemoPage, load_images, load_pages
from crawlers.demo_site.images import render_poster

NAV = (
    '<nav class="site-nav"><a href="/">首页</a><a href="/classifieds/">分类信息</a>'
    '<a href="/shops/">商户小站</a><a href="/notices/">街道公告</a></nav>'
)
FOOTER = (
    "<footer><p>青禾街道便民信息网 © 2026 · 维护：青禾街道办事处 · "
    "违法信息举报 138-0000-9000</p></footer>"
)
STATIC_TYPES = {".js": "text/javascript", ".json": "application/json", ".css": "text/css"}
BOMB_DECOMPRESSED = 256 * 1024 * 1024  # far above DOWNLOAD_MAXSIZE; ~256 KB on the wire
GBK_PAGE = (
    '<html><head><meta httpequiv="ContentType" content="text/html; charset=gbk">'
    "<title>商铺售后返租</title></head><body><h1>青禾商业街商铺火热认购</h1>"
    "<p>售后返租：购买商铺即签十年包租合同，年回报12%，保本保息，开发商到期回购。</p>"
    "<p>认购热线 138-0000-0112 联系人：吉（𠮷）经理</p></body></html>"
)
BULK_AD = "<p>青禾互助理财：投一万每月返八百，保本保息，介绍朋友再奖励。</p>"


def layout(page: DemoPage) -> str:
    """Wrap a page body in the shared header/nav/footer. Titles are inserted raw on purpose."""
    scripts = "".join(f'<script src="{html.escape(s)}"></script>' for s in page.scripts)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{page.title}</title><link rel="stylesheet" href="/static/style.css"></head>'
        f"<body><header>{NAV}</header><main>{page.body}</main>{FOOTER}{scripts}</body></html>"
    )


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(BOMB_DECOMPRESSED // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class DemoSite:
    """The demo town on 127.0.0.1:<port> (port 0 picks a free one), in a background thread."""

    def __init__(
        self, port: int = 0, bulk_pages: int = 1200, retry_after: int = 2,
        sitemap: bool = True, bulk_delay: float = 0.0,
    ) -> None:
        """`sitemap=False` serves no sitemap (benchmarks crawl only /bulk/); `bulk_delay`
        makes each /bulk/ page take that many seconds (for interrupting a crawl mid-way)."""
        self.bulk_pages = bulk_pages
        self.retry_after = retry_after
        self.has_sitemap = sitemap
        self.bulk_delay = bulk_delay
        self.hits: Counter[str] = Counter()
        self.hit_times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._images: dict[str, bytes] = {}
        self._bomb: bytes | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. http://127.0.0.1:41234/."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> DemoSite:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- content -------------------------------------------------------------------------

    def count(self, path: str) -> int:
        """Hits so far for `path` (thread-safe)."""
        with self._lock:
            return self.hits[path]

    def times(self, path: str) -> list[float]:
        """time.monotonic() of each hit on `path`, in order."""
        with self._lock:
            return list(self.hit_times.get(path, []))

    def _record(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            self.hit_times.setdefault(path, []).append(time.monotonic())
            return self.hits[path]

    def image(self, name: str) -> bytes | None:
        spec = load_images().get(name)
        if spec is None:
            return None
        with self._lock:
            if name not in self._images:
                self._images[name] = render_poster(spec.lines)
            return self._images[name]

    def bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                self._bomb = _gzip_bomb()
            return self._bomb

    def sitemap(self) -> str:
        paths = ["/", "/classifieds/", "/shops/", "/notices/"]
        paths += [p.path for p in load_pages().values() if p.sitemap_only]
        urls = "".join(f"<url><loc>{self.url.rstrip('/')}{p}</loc></url>" for p in paths)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )

    def bulk_page(self, n: int) -> str | None:
        if not 0 <= n <= self.bulk_pages:
            return None
        links = "".join(
            f'<li><a href="/bulk/{k}.html">第{k}页</a></li>'
            for k in range(n * 5 + 1, min(n * 5 + 6, self.bulk_pages + 1))
        )
        extra = BULK_AD if n % 25 == 7 else ""
        image = '<img src="/images/huamei-poster.png" alt="海报">' if n % 50 == 9 else ""
        body = (
            f"<h1>便民信息第{n}页</h1><p>第{n}条：社区服务信息，家政、维修、搬家、开锁。</p>"
            f"{extra}{image}<ul>{links}</ul>"
        )
        # No town navigation here: a crawl started at /bulk/ stays in /bulk/.
        return (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>便民信息 {n}'
            f"</title></head><body><main>{body}</main>{FOOTER}</body></html>"
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(_DemoHandler):
            demo = site

        return Handler


class _DemoHandler(BaseHTTPRequestHandler):
    """Routes one request; `demo` is bound to the owning DemoSite by a subclass."""

    demo: DemoSite
    protocol_version = "HTTP/1.1"
    server_version = "QingheDemo/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read `hits`, not the log."""

    def _send(
        self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self._send(status, b"", headers={"Location": location})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        hit = self.demo._record(path)
        if self._fault(path, hit) or self._dynamic(path):
            return
        page = load_pages().get(path)
        if page is not None:
            self._send(200, layout(page).encode("utf-8"))
            return
        self._send(404, "<html><body><h1>404 页面不存在</h1></body></html>".encode())

    def _dynamic(self, path: str) -> bool:
        demo = self.demo
        if path == "/robots.txt":
            text = "User-agent: *\nDisallow: /private/\n"
            if demo.has_sitemap:
                text += f"Sitemap: {demo.url}sitemap.xml\n"
            self._send(200, text.encode(), "text/plain; charset=utf-8")
        elif path == "/sitemap.xml" and demo.has_sitemap:
            self._send(200, demo.sitemap().encode(), "application/xml")
        elif path.startswith("/static/") and "/" not in path[len("/static/"):]:
            file = STATIC_DIR / path[len("/static/"):]
            if not file.is_file():
                return False
            ctype = STATIC_TYPES.get(file.suffix, "application/octet-stream")
            self._send(200, file.read_bytes(), f"{ctype}; charset=utf-8")
        elif path.startswith("/images/") and path.endswith(".png"):
            data = demo.image(path[len("/images/"):-len(".png")])
            if data is None:
                return False
            self._send(200, data, "image/png")
        elif path == "/bulk/" or (path.startswith("/bulk/") and path.endswith(".html")):
            stem = path[len("/bulk/"):-len(".html")] if path != "/bulk/" else "0"
            page = demo.bulk_page(int(stem)) if stem.isdigit() else None
            if page is None:
                return False
            if demo.bulk_delay:
                time.sleep(demo.bulk_delay)
            self._send(200, page.encode("utf-8"))
        else:
            return False
        return True

    def _fault(self, path: str, hit: int) -> bool:
        if path == "/faults/loop-a":
            self._redirect(302, "/faults/loop-b")
        elif path == "/faults/loop-b":
            self._redirect(302, "/faults/loop-a")
        elif path == "/old/wealth":
            self._redirect(301, "/wealth/2024.html")
        elif path == "/faults/internal":
            self._redirect(302, "http://10.0.0.1/admin/")
        elif path == "/faults/refresh":
            body = '<html><head><meta http-equiv="refresh" content="0; url=/wealth/moved.html">'
            self._send(200, (body + "</head><body>正在跳转</body></html>").encode())
        elif path == "/faults/busy" and hit == 1:
            self._send(429, b"busy", "text/plain", {"Retry-After": str(self.demo.retry_after)})
        elif path == "/faults/gbk":
            self._send(200, GBK_PAGE.encode("gb18030"), "text/html")
        elif path == "/faults/bomb":
            self._send(200, self.demo.bomb(), headers={"Content-Encoding": "gzip"})
        elif path == "/faults/slow":
            self._slow_body()
        else:
            return False
        return True

    def _slow_body(self) -> None:
        """Announce 1 MB, then drip it a few bytes at a time (slowloris from the server side)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(1024 * 1024))
        self.end_headers()
        try:
            for _ in range(120):
                self.wfile.write(b"<p>....</p>")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            return  # the crawler gave up, as it should
        self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the admon demo town on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--bulk-pages", type=int, default=1200)
    args = parser.parse_args()
    site = DemoSite(port=args.port, bulk_pages=args.bulk_pages)
    print(f"demo town at {site.url} (Ctrl-C to stop)", flush=True)
    try:
        site._server.serve_forever()
    except KeyboardInterrupt:
        site._server.server_close()


if __name__ == "__main__":
    main()
