"""The transaction discipline shared by every intake function.

One capture, one transaction: `run_in_transaction` runs the database half of an intake
and commits it, or rolls it back whole (`run_group_in_transaction` does the same for a
crawler batch, all or nothing). A conflict with a concurrent writer — the unique
`leads.page_key` taken by another process, a stale `version_id`, SQLite still locked after
`busy_timeout`, a PostgreSQL serialization failure or deadlock — reruns the unit, which then
sees the other writer's rows (faults.md rows 25, 26, 30). Anything else propagates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from monitor.errors import ConflictError, InvalidInput
from monitor.intake.batch import Batch
from monitor.intake.keys import without_ignored
from monitor.intake.types import Detector, IntakeResult

log = logging.getLogger("monitor.intake")
T = TypeVar("T")
#: The database half of one intake: gets the transaction's batch and fills in the result.
Work = Callable[[Batch, IntakeResult], None]

MAX_ATTEMPTS = 5
_BACKOFF_SECONDS = 0.05
_PG_RETRY_CODES = ("40001", "40P01")  # serialization_failure, deadlock_detected
NO_DETECTION: Mapping[str, Any] = {"violation": False, "hits": [], "categories": []}


def default_detector() -> Detector:
    """`rules.detect` as a function returning the `admon detect` JSON object."""
    from rules import detect  # imported late: `admon leads` never loads the lexicon

    def run(text: str) -> Mapping[str, Any]:
        result: Mapping[str, Any] = detect(text).to_dict()
        return result

    return run


def detect_text(detect: Detector, text: str) -> Mapping[str, Any]:
    """Detection of `text`, or an empty one for blank text (nothing to score)."""
    return detect(text) if text.strip() else NO_DETECTION


def retryable(exc: Exception) -> bool:
    """A conflict with a concurrent writer (worth running the transaction again)?"""
    if isinstance(exc, StaleDataError):
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        return "unique" in message or "duplicate key" in message
    if isinstance(exc, OperationalError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return "locked" in message or "busy" in message or code in _PG_RETRY_CODES
    return False


def _retrying(session: Session, unit: Callable[[int], T]) -> T:
    """Run `unit(attempt)` and commit, rerunning it whole on a concurrent-writer conflict."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            outcome = unit(attempt)
            session.commit()
            return outcome
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            session.rollback()
            if not retryable(exc):
                raise
            if attempt == MAX_ATTEMPTS:
                raise ConflictError(
                    f"intake gave up after {attempt} attempts: another writer kept changing "
                    f"the same lead ({exc.__class__.__name__}); nothing was saved, run it again"
                ) from exc
            log.info("intake conflict (%s), retrying (attempt %d)", type(exc).__name__, attempt)
            time.sleep(_BACKOFF_SECONDS * attempt)
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def run_in_transaction(session: Session, work: Work) -> IntakeResult:
    """One intake unit in one transaction (see module docstring)."""

    def unit(attempt: int) -> IntakeResult:
        batch = Batch(session)
        result = IntakeResult(attempts=attempt)
        work(batch, result)
        batch.flush()
        return result

    return _retrying(session, unit)


def run_group_in_transaction(
    session: Session,
    works: Sequence[Work],
    prepare: Callable[[Batch], None] | None = None,
) -> list[IntakeResult]:
    """Several intake units in one transaction: all committed or none (a batch from the
    crawler; saves a commit and several round trips per page). `prepare` runs first in
    every attempt (e.g. to read all the group's known leads in one query)."""

    def unit(attempt: int) -> list[IntakeResult]:
        batch = Batch(session)
        if prepare is not None:
            prepare(batch)
        results = [IntakeResult(attempts=attempt) for _ in works]
        for work, result in zip(works, results, strict=True):
            work(batch, result)
        batch.flush()
        return results

    return _retrying(session, unit)


def aware(value: datetime, name: str) -> datetime:
    """`value`, refusing naive datetimes (evidence times must be unambiguous)."""
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must be a timezone-aware UTC time, got naive {value}")
    return value


def apply_ignore(det: Mapping[str, Any], phrases: list[str]) -> tuple[Mapping[str, Any], bool]:
    """The detection without ignored hits, and whether ignore rules removed all of them."""
    filtered, dropped = without_ignored(det, phrases)
    return filtered, dropped and not filtered.get("hits")
