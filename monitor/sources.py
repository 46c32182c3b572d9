"""Monitored sources (监测源): the sites and platforms the nightly crawl, `admon crawl
--source` and the web page's "run now" crawl. Adding and editing share one set of checks,
so a source the web form accepts is one the CLI would accept, and the other way round.

    source = add_source(session, "青禾便民网", ["http://bm.example.cn/"], schedule="0 2 * * *")
    update_source(session, source.id, name=..., urls=[...], kind="platform", ...)
    find_source(session, "3") / find_source(session, "青禾便民网")
    list_sources(session, enabled_only=True)
    set_source_enabled(session, "青禾便民网", False)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.crawling import validate_urls
from monitor.errors import InvalidInput, NotFound
from monitor.models.core import RENDER_MODES, SOURCE_KINDS, Source


def check_schedule(schedule: str | None) -> None:
    """A crontab line (`0 2 * * *`) or None; InvalidInput with the parser's reason."""
    if schedule is None:
        return
    from apscheduler.triggers.cron import CronTrigger  # only sources with a schedule

    try:
        CronTrigger.from_crontab(schedule)
    except ValueError as exc:
        raise InvalidInput(f"schedule must be a crontab line like '0 2 * * *': {exc}") from exc


def _check(
    session: Session,
    *,
    name: str,
    urls: list[str],
    kind: str,
    max_pages: int,
    max_depth: int,
    render: str,
    schedule: str | None,
    source_id: int | None = None,
) -> None:
    """What a source must satisfy, whether new (`source_id` None) or edited."""
    if not name.strip():
        raise InvalidInput("a source needs a name")
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
    if render not in RENDER_MODES:
        raise InvalidInput(f"render must be one of {', '.join(RENDER_MODES)}, not {render!r}")
    if max_pages < 1 or max_depth < 0:
        raise InvalidInput("max pages must be ≥ 1 and max depth ≥ 0")
    validate_urls(urls)
    check_schedule(schedule)
    same_name = select(Source.id).where(Source.name == name)
    if source_id is not None:
        same_name = same_name.where(Source.id != source_id)
    if session.scalar(same_name) is not None:
        raise InvalidInput(f"a source named {name!r} already exists")


def add_source(
    session: Session, name: str, urls: list[str], *, kind: str = "site", max_pages: int = 500,
    max_depth: int = 5, render: str = "auto", schedule: str | None = None,
    community: str | None = None, notes: str = "",
) -> Source:
    """Create a source, enabled; names are unique."""
    _check(session, name=name, urls=urls, kind=kind, max_pages=max_pages,
           max_depth=max_depth, render=render, schedule=schedule)  # fmt: skip
    source = Source(
        name=name, kind=kind, start_urls=list(urls), max_pages=max_pages, max_depth=max_depth,
        render=render, schedule=schedule, community=community, notes=notes, enabled=True,
    )
    session.add(source)
    session.flush()
    return source


def update_source(
    session: Session,
    source_id: int,
    *,
    name: str,
    urls: list[str],
    kind: str,
    max_pages: int,
    max_depth: int,
    render: str,
    schedule: str | None,
    community: str | None,
    notes: str = "",
) -> Source:
    """Change a source's settings (the same checks as `add_source`)."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source {source_id}")
    _check(session, name=name, urls=urls, kind=kind, max_pages=max_pages,
           max_depth=max_depth, render=render, schedule=schedule, source_id=source_id)  # fmt: skip
    source.name, source.kind, source.start_urls = name, kind, list(urls)
    source.max_pages, source.max_depth, source.render = max_pages, max_depth, render
    source.schedule, source.community, source.notes = schedule, community, notes
    session.flush()
    return source


def find_source(session: Session, ref: str) -> Source:
    """A source by id ("3") or exact name, else NotFound."""
    source = session.get(Source, int(ref)) if ref.isdigit() else None
    if source is None:
        source = session.scalar(select(Source).where(Source.name == ref))
    if source is None:
        raise NotFound(f"no source {ref!r} (see `admon sources list`)")
    return source


def list_sources(session: Session, enabled_only: bool = False) -> list[Source]:
    """Sources by id, optionally only the enabled ones."""
    query = select(Source).order_by(Source.id)
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    return list(session.scalars(query))


def set_source_enabled(session: Session, ref: str, enabled: bool) -> Source:
    """Enable or disable a source (a disabled one is skipped by nightly and --all crawls)."""
    source = find_source(session, ref)
    source.enabled = enabled
    session.flush()
    return source
