"""Ending a pipeline worker process without CPython's teardown.

When the pipeline shuts a worker down, its work is done and delivered; what is left is the
interpreter's finalisation — garbage-collecting every module, SQLAlchemy's and
onnxruntime's objects — which took 0.3–0.4 s per worker on 2 busy cores. The crawl waits
for it in `close_spider` (so it counts in the crawl's elapsed time) and `admon crawl` waits
for it before printing its summary, for nothing: the intake worker has committed every
transaction and closes its database connections first, the OCR worker holds no state.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
from collections.abc import Callable


def exit_without_teardown(before: Callable[[], None] | None = None) -> None:
    """At this process's normal exit: run `before`, flush logs and standard streams, and
    leave with `os._exit(0)` instead of finalising the interpreter."""

    def leave() -> None:
        try:
            if before is not None:
                before()
        finally:
            logging.shutdown()
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(0)

    atexit.register(leave)
