"""`admon init`, `admon evidence verify|sweep`, and the database helpers every command
reuses.

In a command:

    from monitor.cli.db import evidence_store, open_session

    with open_session() as session:    # this invocation's --db / ADMON_DATABASE_URL,
        ...                            # migrated on first use; commit on success,
                                       # rollback on error
    store = evidence_store()           # EvidenceStore(<data dir>/evidence)

`open_session()` reads `current_settings()` (so `--db` / `--data-dir` given before or after
the subcommand apply), keeps one engine per database URL for the life of the process, and
upgrades the schema the first time it opens each URL. Database trouble becomes one line:
an unreachable or unusable database is a `ConfigError`, a write that still found the
database locked after the busy timeout is a `ConflictError` (nothing was saved; retry).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.cli.common import command_with_globals, current_settings
from monitor.db import make_engine, session_factory, upgrade
from monitor.errors import ConfigError, ConflictError
from monitor.evidence import ORPHAN_GRACE_SECONDS, EvidenceStore, sweep_orphans
from monitor.evidence_checks import verify_and_record
from monitor.settings import Settings


@dataclass(frozen=True)
class Database:
    """An opened, migrated database: its engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)


_OPENED: dict[str, Database] = {}


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def open_database(settings: Settings | None = None) -> Database:
    """The database for these settings (default: this invocation's), migrated to head."""
    settings = settings or current_settings()
    url = settings.resolved_database_url
    if url in _OPENED:
        return _OPENED[url]
    try:
        engine = make_engine(url)
    except (sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
        # monitor.db.make_engine maps a malformed URL; an unknown dialect arrives as this.
        raise ConfigError(f"unsupported database URL {url!r}: {_first_line(exc)}") from exc
    try:
        upgrade(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        raise ConfigError(f"cannot open database {shown}: {_first_line(exc)}") from exc
    database = Database(url=url, engine=engine, sessions=session_factory(engine))
    _OPENED[url] = database
    return database


@contextmanager
def open_session(settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work on this invocation's database: commit on success, roll back on
    any error."""
    database = open_database(settings)
    session = database.sessions()
    try:
        yield session
        session.commit()
    except sa.exc.OperationalError as exc:
        session.rollback()
        message = _first_line(exc)
        if "locked" in message.lower() or "busy" in message.lower():
            raise ConflictError(
                f"database {database.display_url} is busy ({message}); nothing was saved, try again"
            ) from exc
        raise ConfigError(f"database {database.display_url} failed: {message}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def evidence_store(settings: Settings | None = None) -> EvidenceStore:
    """The write-once evidence store under this invocation's data directory."""
    return EvidenceStore((settings or current_settings()).evidence_dir)


def close_all() -> None:
    """Dispose every engine this process opened (tests; long-lived processes on exit)."""
    for database in _OPENED.values():
        database.engine.dispose()
    _OPENED.clear()


@click.command()
@command_with_globals
def init() -> None:
    """Create the data directory and bring the database schema up to date.

    Safe to run again: it only applies migrations that are missing.

    Example:

        admon init --data-dir /srv/admon
    """
    settings = current_settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.evidence_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create data directory {settings.data_dir}: {exc.strerror or exc}"
        ) from exc
    database = open_database(settings)
    with database.engine.connect() as conn:
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    click.echo(f"database: {database.display_url} (schema {revision})")
    click.echo(f"evidence: {settings.evidence_dir.resolve()}")


@click.group()
@command_with_globals
def evidence() -> None:
    """The evidence store (证据存储): re-verify hashes, find files no row references.

    Example:

        admon evidence verify        # exit 1 and one line per altered or missing file
    """


@evidence.command("verify")
@command_with_globals
def evidence_verify() -> int:
    """Re-hash every evidence file the database refers to; list missing or altered ones
    (exit 1). Nothing is repaired: a changed file is itself evidence of a problem. The
    outcome is audited, and a failing one is shown on the review queue until a clean one.

    Example:

        admon evidence verify
    """
    with open_session() as session:
        report = verify_and_record(session, evidence_store(), "cli")
    for problem in report.problems:
        click.echo(f"admon: evidence {problem}", err=True)
    click.echo(f"checked {report.checked} files: {len(report.problems)} problems")
    return 0 if report.ok else 1


@evidence.command("sweep")
@command_with_globals
@click.option("--delete", is_flag=True, help="Remove orphans older than the grace period.")
@click.option(
    "--grace-hours",
    type=click.FloatRange(min=0),
    default=ORPHAN_GRACE_SECONDS / 3600,
    show_default=True,
    help="Younger orphans are only listed (their intake may still be committing).",
)
def evidence_sweep(delete: bool, grace_hours: float) -> None:
    """List evidence files no database row references (left by a crash between writing a
    file and committing its row); with --delete, remove the old ones.

    Example:

        admon evidence sweep --delete
    """
    with open_session() as session:
        orphans = sweep_orphans(session, evidence_store(), delete, grace_hours * 3600)
    for orphan in orphans:
        state = "removed" if orphan.removed else "kept"
        click.echo(f"{state}\t{orphan.age_seconds / 3600:.1f} h\t{orphan.path}")
    removed = sum(o.removed for o in orphans)
    click.echo(f"{len(orphans)} orphan files, {removed} removed", err=True)
