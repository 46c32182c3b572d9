"""`--render auto|always|never`: render only pages whose content arrives through scripts."""

from __future__ import annotations

import pytest

from crawlers.extract import PageText, extract_text
from crawlers.render import decide

LONG = "本店经营各类日用百货，欢迎街坊邻居光临选购。" * 10


def test_never_and_always_force_the_choice() -> None:
    shell = PageText(script_count=1, inline_fetch=True)
    assert not decide("never", shell).render
    assert decide("always", PageText(body_text=LONG)).render


def test_auto_renders_a_script_shell() -> None:
    page = extract_text('<html><body><h1>云启</h1><div id="offers"></div>'
                        '<script src="/offers.js"></script></body></html>')
    decision = decide("auto", page)
    assert decision.render and "little visible text" in decision.reason


def test_auto_renders_when_inline_script_fetches() -> None:
    page = extract_text(f"<p>{LONG}</p><script>fetch('/data.json')</script>")
    assert decide("auto", page).render


def test_auto_skips_static_pages_even_with_scripts() -> None:
    page = extract_text(f"<p>{LONG}</p><script src='/analytics.js'></script>")
    assert not decide("auto", page).render
    assert not decide("auto", extract_text("<p>短</p>")).render  # no scripts at all


def test_auto_renders_a_source_marked_as_needing_javascript() -> None:
    assert decide("auto", PageText(body_text=LONG), source_needs_js=True).render


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="render mode"):
        decide("sometimes", PageText())
