"""A source's Scrapy JOBDIR: resume after a clean stop, start fresh after anything else.

Scrapy persists the request queue, the duplicate filter and `spider.state` in JOBDIR when
the crawl stops cleanly (one SIGINT), and resumes from them next time
(https://docs.scrapy.org/en/latest/topics/jobs.html). Scrapy cannot tell a clean pause from
a killed process or a finished crawl, so we keep a small marker beside its files:

* `running` while a crawl uses the directory — found on start, the last run died: wipe;
* `paused` after a clean stop — resume, if the files pass a consistency check;
* no directory after a finished crawl — the next crawl starts from the front page again.

A truncated queue chunk or an unreadable `spider.state` (faults.md row 22) means a fresh
JOBDIR; intake is idempotent, so re-fetching pages adds sightings, never duplicates.
"""

from __future__ import annotations

import json
import pickle
import shutil
import struct
from pathlib import Path
from typing import Any

MARKER = "admon-job.json"
_HEADER = struct.Struct(">L")  # queuelib FifoDiskQueue record header


class CorruptJobDir(ValueError):
    """The JOBDIR's queue or state cannot be read back (truncated, garbled)."""


def _check_queue(path: Path) -> None:
    """Read every pending record of one queuelib FifoDiskQueue and unpickle it."""
    info = json.loads((path / "info.json").read_text())
    chunksize, size = int(info["chunksize"]), int(info["size"])
    tnum, tcnt, offset = (int(x) for x in info["tail"])
    handle = None
    try:
        for _ in range(size):
            if handle is None:
                handle = (path / f"q{tnum:05d}").open("rb")
                handle.seek(offset)
            header = handle.read(_HEADER.size)
            if len(header) != _HEADER.size:
                raise CorruptJobDir(f"{path}: queue chunk q{tnum:05d} is truncated")
            (length,) = _HEADER.unpack(header)
            data = handle.read(length)
            if len(data) != length:
                raise CorruptJobDir(f"{path}: queue record in q{tnum:05d} is truncated")
            pickle.loads(data)
            tcnt += 1
            if tcnt == chunksize:
                handle.close()
                handle, tnum, tcnt, offset = None, tnum + 1, 0, 0
    finally:
        if handle is not None:
            handle.close()


def check(jobdir: Path) -> None:
    """Raise CorruptJobDir unless Scrapy could resume from `jobdir`."""
    try:
        state = jobdir / "spider.state"
        if state.exists():
            with state.open("rb") as handle:
                pickle.load(handle)
        queue = jobdir / "requests.queue"
        if queue.exists():
            active = queue / "active.json"
            if active.exists():
                json.loads(active.read_text())
            for info in queue.rglob("info.json"):
                _check_queue(info.parent)
    except CorruptJobDir:
        raise
    except (OSError, EOFError, ValueError, KeyError, TypeError, pickle.UnpicklingError,
            AttributeError, ImportError, IndexError) as exc:
        raise CorruptJobDir(f"{jobdir}: {exc.__class__.__name__}: {exc}") from exc


def _marker(jobdir: Path) -> dict[str, Any]:
    try:
        data = json.loads((jobdir / MARKER).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def prepare(jobdir: Path, urls: list[str]) -> tuple[bool, str]:
    """Make `jobdir` ready for a crawl of `urls`; returns (resuming, why)."""
    resume, why = False, "new crawl"
    if jobdir.exists():
        marker = _marker(jobdir)
        if marker.get("state") == "paused" and marker.get("urls") == urls:
            try:
                check(jobdir)
                resume, why = True, "resuming after a clean stop"
            except CorruptJobDir as exc:
                why = f"previous job files unreadable, starting fresh ({exc})"
        elif marker.get("state") == "running":
            why = "previous crawl did not stop cleanly, starting fresh"
        if not resume:
            shutil.rmtree(jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / MARKER).write_text(json.dumps({"state": "running", "urls": urls}))
    return resume, why


def finish(jobdir: Path, status: str, urls: list[str]) -> None:
    """Record how the crawl ended: keep a paused job, drop a finished one, mark the rest."""
    if status == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
    elif status == "interrupted":
        (jobdir / MARKER).write_text(json.dumps({"state": "paused", "urls": urls}))
    # failed: leave the `running` marker, so the next start wipes the directory
