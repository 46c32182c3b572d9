"""All tables. Importing this package registers every model on `Base.metadata`
(Alembic's autogenerate and the tests rely on that)."""

from monitor.models.base import Base, UTCDateTime, utcnow

__all__ = ["Base", "UTCDateTime", "utcnow"]

# Model modules register themselves on import; each is owned by one part of monitor/.
# monitor.models.core   — sources, crawl runs, captures, uploads, leads, users, audit
# monitor.models.ledger — enterprises, 异动 events, tag history, visits, poster sweeps
for _module in ("core", "ledger"):
    try:
        __import__(f"monitor.models.{_module}")
    except ModuleNotFoundError as _exc:  # a part not written yet
        if _exc.name != f"monitor.models.{_module}":
            raise
