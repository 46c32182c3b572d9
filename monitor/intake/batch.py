"""Rows an intake transaction writes late, all at once.

A page that raises a lead writes about eight rows. Sent one statement at a time that is
eight round trips — the cost that dominates on PostgreSQL. Rows nothing else in the same
transaction needs to read back (capture texts, lead versions, lead categories, sightings)
are collected here and written just before commit, one multi-row INSERT per table; only
rows whose ids are needed at once (captures, leads) are inserted immediately. For a crawler
batch committed together (`ingest_pages(..., per_transaction=50)`) that is a handful of
statements per page instead of eight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.models.core import CaptureText, IgnoreRule, LeadCategory, LeadSighting, LeadVersion

# Written in this order at flush (each only references rows inserted immediately).
_DEFERRED: tuple[sa.Table, ...] = tuple(
    cast(sa.Table, model.__table__)
    for model in (CaptureText, LeadVersion, LeadCategory, LeadSighting)
)

_IGNORE_QUERY = sa.select(IgnoreRule.phrase).where(
    sa.or_(IgnoreRule.site.is_(None), IgnoreRule.site == sa.bindparam("site"))
)


_IGNORE_MANY = sa.select(IgnoreRule.site, IgnoreRule.phrase).where(
    sa.or_(IgnoreRule.site.is_(None), IgnoreRule.site.in_(sa.bindparam("sites", expanding=True)))
)


class Batch:
    """The deferred rows and per-transaction caches of one intake unit of work."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _DEFERRED}
        self._phrases: dict[str, list[str]] = {}
        #: page_key -> what intake knows of that place's lead in this transaction (None:
        #: no lead yet). Filled by `monitor.intake.leads.prefetch`, kept current by record.
        self.leads: dict[str, Any] = {}
        #: ids of capture rows inserted ahead, in one statement, for a crawler group
        #: (`monitor.intake.pages`): the n-th page of the group takes the n-th id.
        self.capture_ids: list[int] = []

    def add(self, table: sa.Table, row: dict[str, Any]) -> None:
        """Queue one row for `table` (one of the deferred tables)."""
        self._rows[table.name].append(row)

    def discard(self, table: sa.Table, keep: Callable[[dict[str, Any]], bool]) -> None:
        """Drop queued rows of `table` for which `keep` is False (a lead's categories
        replaced by a newer version within the same transaction)."""
        self._rows[table.name] = [r for r in self._rows[table.name] if keep(r)]

    def ignore_phrases(self, site: str) -> list[str]:
        """Phrases ruled harmless (误报忽略) on `site` or anywhere, read once per
        transaction."""
        if site not in self._phrases:
            self._phrases[site] = list(self.session.scalars(_IGNORE_QUERY, {"site": site}))
        return self._phrases[site]

    def prefetch_ignore_phrases(self, sites: Iterable[str]) -> None:
        """Read the ignore phrases of many sites (and the site-wide ones) in one query."""
        wanted = sorted(set(sites) - self._phrases.keys())
        if not wanted:
            return
        rows = self.session.execute(_IGNORE_MANY, {"sites": wanted}).all()
        anywhere = [phrase for site, phrase in rows if site is None]
        for site in wanted:
            self._phrases[site] = anywhere + [p for s, p in rows if s == site]

    def flush(self) -> None:
        """Write every queued row, one multi-row INSERT per table."""
        for table in _DEFERRED:
            rows = self._rows[table.name]
            if rows:
                self.session.execute(sa.insert(table), rows)
                self._rows[table.name] = []
