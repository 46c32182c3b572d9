"""The web app (FastAPI + Jinja2, server-rendered, Simplified Chinese UI).

Route handlers parse input, call one domain function and render a template; business rules
live in `monitor.workflow`, `monitor.leads`, `monitor.ledger`. Everything crawled is shown
through autoescaped templates only, never as raw HTML.
"""

from monitor.web.app import create_app

__all__ = ["create_app"]
