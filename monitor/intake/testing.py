"""A deterministic stand-in for `rules.detect`, for tests and benchmarks of the storage
side: it returns the `admon detect` JSON shape from a fixed phrase list, so intake and
queue behaviour can be checked without depending on the lexicon's current weights.
Never used by the application itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.intake.types import PageCapture

#: Invented phrases and the category each stands for.
DEFAULT_PHRASES: dict[str, str] = {
    "保本保息": "principal_guarantee",
    "稳赚不赔": "return_promise",
    "月息3分": "return_promise",
    "年化18%": "return_promise",
    "拉人头奖励": "public_solicitation",
    "原始股": "hot_concept",
}
CATEGORY_ORDER = (
    "return_promise",
    "principal_guarantee",
    "hot_concept",
    "endorsement",
    "public_solicitation",
)


def keyword_detect(text: str, phrases: Mapping[str, str] = DEFAULT_PHRASES) -> dict[str, Any]:
    """Every occurrence of a listed phrase is a hit; any hit makes a high-risk violation."""
    hits: list[dict[str, Any]] = []
    for phrase, category in phrases.items():
        start = text.find(phrase)
        while start >= 0:
            hits.append(
                {
                    "category": category,
                    "rule": f"test.{category}",
                    "start": start,
                    "end": start + len(phrase),
                    "text": phrase,
                    "basis": "test",
                }
            )
            start = text.find(phrase, start + 1)
    hits.sort(key=lambda h: int(h["start"]))
    categories = [c for c in CATEGORY_ORDER if any(h["category"] == c for h in hits)]
    return {
        "violation": bool(hits),
        "risk": "high" if hits else "none",
        "score": 0.9 if hits else 0.0,
        "categories": categories,
        "annualized_return": 36.0 if "月息3分" in text else None,
        "hits": hits,
    }


#: A fixed capture time for reproducible tests.
T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def make_page(
    url: str = "http://shop.example.test/p/1",
    html: str = "",
    *,
    js: str | None = None,
    body: bytes | None = None,
    minutes: int = 0,
    title: str = "",
    run_id: int | None = None,
) -> PageCapture:
    """A `PageCapture` with sensible defaults; the body is derived from the text unless
    given, so a changed text is also a changed raw body (as on a real site)."""
    texts = {"html": html}
    if js is not None:
        texts["js"] = js
    return PageCapture(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        fetched_at=T0 + timedelta(minutes=minutes),
        body=body if body is not None else f"<html><body>{html}</body></html>".encode(),
        encoding="utf-8",
        content_type="text/html",
        texts=texts,
        title=title,
        run_id=run_id,
    )
