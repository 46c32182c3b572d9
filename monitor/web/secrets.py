"""The key that signs anonymous-form CSRF tokens.

Taken from `Settings.secret_key` when set (shared deployments set one for all app
processes); otherwise generated once into `<data_dir>/secret_key` with mode 0600, so the
embedded default needs no configuration and survives restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from monitor.settings import Settings


def load_secret_key(settings: Settings) -> bytes:
    """The signing key for this deployment (created on first use)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret_key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its key
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
