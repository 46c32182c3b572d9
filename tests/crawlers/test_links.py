"""Which URLs a crawl may follow: same origin, no javascript:, no private-network redirects."""

from __future__ import annotations

import pytest

from crawlers.links import (
    Origin,
    as_response,
    classify_target,
    is_private_host,
    normalise,
    page_images,
    page_links,
)

SITE = Origin.of("http://town.example:8080/")


def test_origin_is_scheme_host_and_port() -> None:
    assert Origin("http", "town.example", 8080) == SITE
    assert SITE.contains("http://TOWN.example:8080/shops/?a=1")
    assert not SITE.contains("https://town.example:8080/")
    assert not SITE.contains("http://town.example/")
    assert not SITE.contains("http://evil.example:8080/")
    assert not SITE.contains("http://town.example:bad/")
    assert Origin.of("https://bank.example/x").url == "https://bank.example/"


@pytest.mark.parametrize(
    "raw", ["javascript:alert(1)", "mailto:a@b.c", "tel:13800000000", "data:text/html,x", "  "]
)
def test_non_http_links_are_dropped(raw: str) -> None:
    assert normalise(raw, "http://town.example:8080/") is None


def test_normalise_resolves_escapes_and_drops_fragments() -> None:
    assert normalise("../商户/#top", "http://town.example:8080/a/b/") == (
        "http://town.example:8080/a/%E5%95%86%E6%88%B7/"
    )


def test_page_links_stay_on_origin_in_order_without_duplicates() -> None:
    html = as_response(
        "http://town.example:8080/list/",
        '<a href="/shops/a/">A</a><a href="http://evil.example/x">X</a>'
        '<a href="javascript:alert(1)">J</a><a href="/shops/a/#x">A again</a>'
        '<a href="https://town.example:8080/tls">T</a><a href="item/1.html">1</a>'
        '<a href="/poster.png">png</a>',
    )
    assert page_links(html, SITE) == [
        "http://town.example:8080/shops/a/",
        "http://town.example:8080/list/item/1.html",
    ]


def test_page_images_from_src_srcset_and_css() -> None:
    html = as_response(
        "http://town.example:8080/shop/",
        '<style>.b { background: url("/bg.png") }</style>'
        '<img src="a.png" srcset="a.png 1x, a@2x.png 2x">'
        '<picture><source srcset="/p.webp"></picture>'
        '<div style="background-image: url(\'/banner.png\')"></div>'
        '<img src="http://cdn.example/x.png"><img src="data:image/png;base64,AAAA">',
    )
    assert sorted(page_images(html, SITE)) == sorted([
        "http://town.example:8080/bg.png",
        "http://town.example:8080/shop/a.png",
        "http://town.example:8080/shop/a@2x.png",
        "http://town.example:8080/p.webp",
        "http://town.example:8080/banner.png",
    ])


@pytest.mark.parametrize(
    ("host", "private"),
    [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.9", True), ("169.254.1.1", True),
     ("localhost", True), ("[::1]", True), ("0.0.0.0", True), ("8.8.8.8", False),
     ("town.example", False)],
)
def test_private_hosts(host: str, private: bool) -> None:
    assert is_private_host(host) is private


def test_redirect_targets() -> None:
    assert classify_target("http://town.example:8080/b", SITE) is None
    assert classify_target("http://127.0.0.1/admin", SITE) == "blocked_private_target"
    assert classify_target("http://10.0.0.1/", SITE) == "blocked_private_target"
    assert classify_target("http://other.example/", SITE) == "offsite_redirect"
    # A site that is itself on loopback (the demo town) may not leave its port either,
    # but that is an ordinary off-site redirect.
    local = Origin.of("http://127.0.0.1:8765/")
    assert classify_target("http://127.0.0.1:9999/", local) == "offsite_redirect"
