"""All tables. Importing this package registers every model on `Base.metadata`
(Alembic's autogenerate and the tests rely on that)."""

from monitor.models.base import Base, UTCDateTime, utcnow

__all__ = ["Base", "UTCDateTime", "utcnow"]

# Model modules register themselves on import; each is owned by one part of monitor/.
# monitor.models.core     — sources, crawl runs, captures, uploads, leads, versions, sightings,
#                           ignore rules
# monitor.models.accounts — users, append-only audit log
# monitor.models.workflow — lead events (transitions), disposals, rectifications
# monitor.models.ledger   — enterprises, 异动 events, tag history, visits, poster sweeps
# monitor.models.web      — server-side web sessions
for _module in ("accounts", "core", "workflow", "ledger", "web"):
    try:
        __import__(f"monitor.models.{_module}")
    except ModuleNotFoundError as _exc:  # a part not written yet
        if _exc.name != f"monitor.models.{_module}":
            raise
