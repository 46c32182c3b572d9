"""Turn one observation (a via's text at one place, already scored) into lead rows.

Three outcomes for a place that carries offending content: a new lead (first time at this
place), a sighting (same offending content again: `seen_count`, `last_seen_at`), or a new
version (different offending content). A known place whose content is gone gets a
"not present" sighting, and the workflow's re-check hook is told (整改复查).

This is the crawler's hot path (10,000 pages a run), so it writes with Core statements —
a handful of INSERTs per page — rather than the ORM unit of work, which costs several
times more CPU per page. Optimistic locking is kept by hand: a sighting leaves
`version_id` alone (a crawler passing by must not make a reviewer's save fail); a new
version bumps it with `WHERE version_id = <read value>` and raises `StaleDataError` when
someone changed the lead meanwhile, so the transaction is rerun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from monitor.intake.batch import Batch
from monitor.intake.keys import content_fingerprint, page_key, site_of
from monitor.intake.types import IntakeResult
from monitor.models.base import UTCDateTime
from monitor.models.core import Lead, LeadCategory, LeadSighting, LeadVersion, category_mask
from monitor.workflow import record_recheck

LEADS = cast(sa.Table, Lead.__table__)
CATEGORIES = cast(sa.Table, LeadCategory.__table__)
VERSIONS = cast(sa.Table, LeadVersion.__table__)
SIGHTINGS = cast(sa.Table, LeadSighting.__table__)


def insert_id(session: Session, statement: sa.Insert, values: dict[str, Any]) -> int:
    """Execute a single-row INSERT (values as parameters, so the compiled statement is
    cached) and return the new primary key."""
    result = cast(sa.CursorResult[Any], session.execute(statement, values))
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("INSERT returned no primary key")
    return int(key[0])


# Statuses under which a lead may have a rectification to re-check (整改复查).
_DISPOSED = ("confirmed", "closed")


@dataclass(frozen=True)
class Observation:
    """One via's text at one place, scored (ignore rules already applied)."""

    source_kind: str  # web | poster | tip
    via: str  # html | js | image | poster | tip
    url: str
    text: str
    detection: Mapping[str, Any]
    seen_at: datetime
    captured_at: datetime
    evidence_sha256: str | None
    image_url: str | None = None
    title: str = ""
    capture_id: int | None = None
    upload_id: int | None = None
    run_id: int | None = None
    source_id: int | None = None
    community: str | None = None
    always_lead: bool = False  # tips: a person reported it, so it is reviewed regardless
    suppressed: bool = False  # ignore rules removed hits (then "gone" is not recorded)

    @property
    def present(self) -> bool:
        """Does this place carry offending content now?"""
        if self.always_lead:
            return True
        return bool(self.detection.get("violation")) and bool(self.detection.get("hits"))

    @property
    def categories(self) -> list[str]:
        return [str(c) for c in self.detection.get("categories", [])]


@dataclass(frozen=True)
class _Known:
    """The columns of an existing lead that intake decides on."""

    id: int
    status: str
    version_id: int
    current_version: int
    content_fingerprint: str


def _p(name: str, type_: Any = None) -> sa.BindParameter[Any]:
    """A bound parameter (prefixed: Core forbids bind names equal to SET columns)."""
    return sa.bindparam(f"p_{name}", type_=type_)


# Statements built once: compiling per page would cost more than running them.
_FIND = sa.select(
    LEADS.c.id,
    LEADS.c.status,
    LEADS.c.version_id,
    LEADS.c.current_version,
    LEADS.c.content_fingerprint,
).where(LEADS.c.page_key == _p("key"))
_FIND_MANY = sa.select(
    LEADS.c.page_key,
    LEADS.c.id,
    LEADS.c.status,
    LEADS.c.version_id,
    LEADS.c.current_version,
    LEADS.c.content_fingerprint,
).where(LEADS.c.page_key.in_(sa.bindparam("p_keys", expanding=True)))
_PREFETCH_CHUNK = 500
_LATER = sa.case(
    (LEADS.c.last_seen_at < _p("seen_at", UTCDateTime()), _p("seen_at", UTCDateTime())),
    else_=LEADS.c.last_seen_at,
)
_SIGHT = (
    sa.update(LEADS)
    .where(LEADS.c.id == _p("id"))
    .values(
        seen_count=LEADS.c.seen_count + 1,
        last_seen_at=_LATER,
        updated_at=LEADS.c.updated_at,  # a sighting is not an edit of the lead
    )
)
_DETECTION_COLUMNS = (
    "categories",
    "category_bits",
    "risk",
    "score",
    "annualized_return",
    "text",
    "hits",
    "evidence_sha256",
    "captured_at",
    "capture_id",
    "upload_id",
    "content_fingerprint",
)
_NEW_VERSION = (
    sa.update(LEADS)
    .where(LEADS.c.id == _p("id"), LEADS.c.version_id == _p("version_id"))
    .values(
        {
            **{name: _p(name, LEADS.c[name].type) for name in _DETECTION_COLUMNS},
            "version_id": LEADS.c.version_id + 1,
            "current_version": _p("number"),
            "seen_count": LEADS.c.seen_count + 1,
            "last_seen_at": _LATER,
            "title": sa.func.coalesce(sa.func.nullif(_p("title"), ""), LEADS.c.title),
        }
    )
)
_CLEAR_CATEGORIES = sa.delete(CATEGORIES).where(CATEGORIES.c.lead_id == _p("id"))


def record(batch: Batch, obs: Observation, result: IntakeResult) -> None:
    """Apply one observation to the leads (inside the batch's transaction)."""
    key = page_key(obs.url, obs.via, obs.image_url)
    if key in batch.leads:
        known: _Known | None = batch.leads[key]
    else:
        row = batch.session.execute(_FIND, {"p_key": key}).first()
        known = _Known(*row) if row is not None else None
    if not obs.present:
        if known is not None and not obs.suppressed:
            _gone(batch, known, obs, result)
        return
    fingerprint = content_fingerprint(list(obs.detection.get("hits", [])), obs.categories)
    if known is None:
        _create(batch, key, obs, fingerprint, result)
    elif known.content_fingerprint == fingerprint:
        _sighting(batch, known, obs, result)
    else:
        _new_version(batch, known, obs, fingerprint, result)


def prefetch(batch: Batch, keys: Sequence[str]) -> None:
    """Read the leads of many places in one query (a crawler batch), so `record` does not
    ask once per page. Places without a lead are remembered as such; if another process
    creates one meanwhile, our insert hits the unique key and the transaction reruns."""
    wanted = sorted(set(keys) - batch.leads.keys())
    for start in range(0, len(wanted), _PREFETCH_CHUNK):
        chunk = wanted[start : start + _PREFETCH_CHUNK]
        found = {
            row.page_key: _Known(*row[1:])
            for row in batch.session.execute(_FIND_MANY, {"p_keys": chunk})
        }
        for key in chunk:
            batch.leads[key] = found.get(key)


def _detection_values(obs: Observation, fingerprint: str) -> dict[str, Any]:
    """Lead columns that follow the latest version."""
    det = obs.detection
    return {
        "categories": obs.categories,
        "category_bits": category_mask(obs.categories),
        "risk": str(det.get("risk", "none")),
        "score": float(det.get("score", 0.0)),
        "annualized_return": det.get("annualized_return"),
        "text": obs.text,
        "hits": list(det.get("hits", [])),
        "evidence_sha256": obs.evidence_sha256,
        "captured_at": obs.captured_at,
        "capture_id": obs.capture_id,
        "upload_id": obs.upload_id,
        "content_fingerprint": fingerprint,
    }


def _queue_history(
    batch: Batch, lead_id: int, number: int, obs: Observation, fingerprint: str
) -> None:
    """Queue the version row, the lead's categories and the sighting that raised it."""
    det = obs.detection
    batch.add(
        VERSIONS,
        {
            "lead_id": lead_id,
            "number": number,
            "content_fingerprint": fingerprint,
            "text": obs.text,
            "hits": list(det.get("hits", [])),
            "categories": obs.categories,
            "risk": str(det.get("risk", "none")),
            "score": float(det.get("score", 0.0)),
            "annualized_return": det.get("annualized_return"),
            "capture_id": obs.capture_id,
            "upload_id": obs.upload_id,
            "evidence_sha256": obs.evidence_sha256,
            "captured_at": obs.captured_at,
            "created_at": obs.seen_at,
        },
    )
    for category in obs.categories:
        batch.add(CATEGORIES, {"lead_id": lead_id, "category": category})
    _queue_sighting(batch, lead_id, number, obs, present=True)


def _queue_sighting(
    batch: Batch, lead_id: int, version: int | None, obs: Observation, present: bool
) -> None:
    batch.add(
        SIGHTINGS,
        {
            "lead_id": lead_id,
            "version": version,
            "still_present": present,
            "capture_id": obs.capture_id,
            "upload_id": obs.upload_id,
            "run_id": obs.run_id,
            "seen_at": obs.seen_at,
        },
    )


def _create(
    batch: Batch, key: str, obs: Observation, fingerprint: str, result: IntakeResult
) -> None:
    values = {
        "source_kind": obs.source_kind,
        "via": obs.via,
        "url": obs.url,
        "image_url": obs.image_url,
        "site": site_of(obs.url),
        "page_key": key,  # a concurrent insert of the same place fails here (unique)
        "title": obs.title,
        "status": "new",
        "version_id": 1,
        "source_id": obs.source_id,
        "current_version": 1,
        "first_seen_at": obs.seen_at,
        "last_seen_at": obs.seen_at,
        "seen_count": 1,
        "community": obs.community,
        "created_at": obs.seen_at,
        "updated_at": obs.seen_at,
        **_detection_values(obs, fingerprint),
    }
    lead_id = insert_id(batch.session, sa.insert(LEADS), values)
    batch.leads[key] = _Known(lead_id, "new", 1, 1, fingerprint)
    _queue_history(batch, lead_id, 1, obs, fingerprint)
    result.new_leads += 1
    result.lead_ids.append(lead_id)


def _sighting(batch: Batch, known: _Known, obs: Observation, result: IntakeResult) -> None:
    batch.session.execute(_SIGHT, {"p_id": known.id, "p_seen_at": obs.seen_at})
    _queue_sighting(batch, known.id, known.current_version, obs, present=True)
    _forget(batch.session, known.id)
    result.sightings += 1
    result.lead_ids.append(known.id)
    _recheck(batch, known, obs, still_present=True)


def _new_version(
    batch: Batch, known: _Known, obs: Observation, fingerprint: str, result: IntakeResult
) -> None:
    number = known.current_version + 1
    params = {f"p_{k}": v for k, v in _detection_values(obs, fingerprint).items()}
    params.update(
        p_id=known.id,
        p_version_id=known.version_id,
        p_number=number,
        p_seen_at=obs.seen_at,
        p_title=obs.title,
    )
    updated = cast(sa.CursorResult[Any], batch.session.execute(_NEW_VERSION, params))
    if updated.rowcount != 1:
        raise StaleDataError(f"lead {known.id} changed while intake was updating it")
    batch.leads[page_key(obs.url, obs.via, obs.image_url)] = _Known(
        known.id, known.status, known.version_id + 1, number, fingerprint
    )
    batch.session.execute(_CLEAR_CATEGORIES, {"p_id": known.id})
    batch.discard(CATEGORIES, lambda row: row["lead_id"] != known.id)
    _queue_history(batch, known.id, number, obs, fingerprint)
    _forget(batch.session, known.id)
    result.new_versions += 1
    result.lead_ids.append(known.id)
    _recheck(batch, known, obs, still_present=True)


def _gone(batch: Batch, known: _Known, obs: Observation, result: IntakeResult) -> None:
    _queue_sighting(batch, known.id, None, obs, present=False)
    result.gone += 1
    result.lead_ids.append(known.id)
    _recheck(batch, known, obs, still_present=False)


def _forget(session: Session, lead_id: int) -> None:
    """Expire a loaded `Lead` the SQL above changed, so nobody reads stale columns
    (sessions here keep objects after commit: expire_on_commit=False)."""
    loaded = session.identity_map.get(identity_key(Lead, lead_id))
    if loaded is not None:
        session.expire(loaded)


def _recheck(batch: Batch, known: _Known, obs: Observation, still_present: bool) -> None:
    """Tell the workflow what a re-crawl found at a disposed lead's place; it records a
    re-check when the lead has an open rectification and ignores it otherwise."""
    if known.status in _DISPOSED:
        record_recheck(batch.session, known.id, obs.capture_id, still_present)
