"""A small in-process sliding-window limiter for logins and public tips.

Per-process is enough for the embedded default; accounts also lock after repeated failures
in the database (`monitor.users`), which holds across processes.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record an attempt. Returns 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and now - events[0] > self.window:
                events.popleft()
            if len(events) >= self.limit:
                return self.window - (now - events[0])
            events.append(now)
            return 0.0

    def reset(self, key: str) -> None:
        """Forget a key (after a successful login)."""
        with self._lock:
            self._events.pop(key, None)
