"""`--render auto|always|never`: whether a page must also be rendered in Chromium.

Rendering costs ~10× a plain fetch, so `auto` renders only pages whose content probably
arrives through scripts: little visible body text while scripts are present, an inline
script that calls fetch/XHR, or a source an officer marked as needing it. The static text
is always captured first; rendering adds the `js` text on top.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawlers.extract import PageText

RENDER_MODES = ("auto", "always", "never")
# Below this many characters of body text, a page with scripts is treated as a script shell.
# Chinese is dense: 120 characters is two or three sentences — less than any real listing.
THIN_BODY_CHARS = 120


@dataclass(frozen=True)
class RenderDecision:
    """Whether to render, and the reason recorded with the capture."""

    render: bool
    reason: str


def decide(mode: str, page: PageText, source_needs_js: bool = False) -> RenderDecision:
    """Decide for one statically-fetched page."""
    if mode not in RENDER_MODES:
        raise ValueError(f"render mode must be one of {', '.join(RENDER_MODES)}, not {mode!r}")
    if mode == "never":
        return RenderDecision(False, "render=never")
    if mode == "always":
        return RenderDecision(True, "render=always")
    if source_needs_js:
        return RenderDecision(True, "source needs JavaScript")
    if page.inline_fetch:
        return RenderDecision(True, "inline script loads content (fetch/XHR)")
    thin = len("".join(page.body_text.split())) < THIN_BODY_CHARS
    if page.script_count and thin:
        return RenderDecision(True, "little visible text while scripts are present")
    return RenderDecision(False, "static text suffices")
