"""The monitor's exception tree. Each class says when it is raised; the CLI and the web layer
translate them into one clear line or page (see `monitor.cli.errors`)."""

from __future__ import annotations


class AdmonError(Exception):
    """Base of every error admon reports to a user as one line instead of a traceback."""

    #: Short machine-readable code, used in JSON error objects, HTTP bodies and the audit log.
    code: str = "error"


class ConfigError(AdmonError):
    """A setting is missing or invalid (bad database URL, unwritable data directory)."""

    code = "config"


class NotFound(AdmonError):
    """A lead, enterprise, source or user asked for by id does not exist."""

    code = "not_found"


class InvalidInput(AdmonError):
    """User-supplied data failed validation (a bad credit code, a missing disposal field)."""

    code = "invalid"


class InvalidTransition(AdmonError):
    """A workflow step is not allowed from the lead's current status."""

    code = "invalid_transition"


class ConflictError(AdmonError):
    """Someone else changed the record first (optimistic locking); names who and when."""

    code = "conflict"


class EvidenceError(AdmonError):
    """An evidence file is missing or its SHA-256 no longer matches what was recorded."""

    code = "evidence"


class PermissionDenied(AdmonError):
    """The acting user's role may not do this."""

    code = "denied"


class TooLarge(InvalidInput):
    """An upload or posted body is over its size cap; refused before it is stored."""

    code = "too_large"
