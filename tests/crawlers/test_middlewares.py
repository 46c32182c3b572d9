"""Redirect guard and backoff retries, driven with real Scrapy requests and responses."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawlers.middlewares import (
    BackoffRetryMiddleware,
    RedirectGuardMiddleware,
    RedirectRefused,
    retry_after_seconds,
)
from crawlers.spiders.site import SiteSpider

START = "http://town.example:8080/"


def _guard() -> RedirectGuardMiddleware:
    crawler = get_crawler(SiteSpider)
    crawler.spider = SiteSpider.from_crawler(crawler, urls=START)
    return RedirectGuardMiddleware.from_crawler(crawler)


def _redirect(url: str, location: str, chain: list[str] | None = None) -> tuple[Request, Response]:
    request = Request(url, meta={"redirect_urls": chain or []})
    return request, Response(url, status=302, headers={"Location": location}, request=request)


def test_loop_is_refused_with_its_chain() -> None:
    request, response = _redirect(START + "b", "/a", chain=[START + "a"])
    with pytest.raises(RedirectRefused) as refused:
        _guard().process_response(request, response)
    assert refused.value.fetch_status == "redirect_loop"
    assert refused.value.chain == [START + "a", START + "b", START + "a"]


def test_redirect_into_private_network_is_blocked() -> None:
    request, response = _redirect(START + "go", "http://127.0.0.1:22/")
    with pytest.raises(RedirectRefused) as refused:
        _guard().process_response(request, response)
    assert refused.value.fetch_status == "blocked_private_target"


def test_offsite_redirect_is_refused_and_same_origin_passes() -> None:
    request, response = _redirect(START + "go", "http://other.example/")
    with pytest.raises(RedirectRefused, match="offsite_redirect"):
        _guard().process_response(request, response)
    request, response = _redirect(START + "old", "/new")
    assert _guard().process_response(request, response) is response


def test_meta_refresh_into_private_network_is_blocked() -> None:
    request = Request(START + "r")
    body = b'<html><head><meta http-equiv="refresh" content="0; url=http://10.0.0.1/"></head></html>'
    response = HtmlResponse(START + "r", body=body, request=request)
    with pytest.raises(RedirectRefused, match="blocked_private_target"):
        _guard().process_response(request, response)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(b"2", 2.0), ("120", 60.0), (None, None), (b"soon", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after(value: Any, expected: float | None) -> None:
    assert retry_after_seconds(value, cap=60.0) == expected


def _retry_mw(**settings: Any) -> BackoffRetryMiddleware:
    crawler = get_crawler(SiteSpider, settings_dict={"RETRY_BACKOFF_BASE": 1.0, **settings})
    crawler.spider = SiteSpider.from_crawler(crawler, urls=START)
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_429_retry_waits_what_retry_after_asks() -> None:
    request = Request(START + "busy")
    response = Response(START + "busy", status=429, headers={"Retry-After": "3"}, request=request)
    retry = _retry_mw().process_response(request, response)
    assert isinstance(retry, Request)
    assert retry.meta["retry_wait"] == 3.0


def test_backoff_grows_exponentially_and_is_capped() -> None:
    mw = _retry_mw(RETRY_TIMES=5, RETRY_BACKOFF_MAX=3.0)
    request = Request(START + "flaky")
    waits = []
    for _ in range(4):
        response = Response(request.url, status=503, request=request)
        result = mw.process_response(request, response)
        assert isinstance(result, Request)
        waits.append(result.meta["retry_wait"])
        request = result
    assert waits == [1.0, 2.0, 3.0, 3.0]


def test_non_retryable_response_passes_through() -> None:
    request = Request(START)
    response = Response(START, status=200, request=request)
    assert _retry_mw().process_response(request, response) is response
