"""Scale-out figures: crawl pages/s with 1, 2 and 4 frontier workers, OCR uploads/s with 1
and 2 RQ workers (loopback demo town, real Redis and PostgreSQL).

    ADMON_BENCH_REDIS_URL=redis://127.0.0.1:6379/0 \\
    ADMON_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
    .venv/bin/python benchmarks/scale.py [--pages 300] [--uploads 8] [--workers 1,2,4]

Each configuration crawls into a fresh PostgreSQL schema from a fresh frontier. The time is
from starting the workers to the last /bulk/ page stored (polled in the database), so
process start-up is included but the workers' idle wait at the end is not. Every worker
is a separate process (`admon worker crawl` / `admon worker ocr`), as on separate hosts.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.demo_site import DemoSite
from crawlers.frontier import Frontier
from monitor.db import make_engine, session_factory, upgrade
from monitor.models.core import Capture, Upload

ADMON = str(Path(sys.executable).parent / "admon")


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADMON_")}
    env.update(ADMON_DATABASE_URL=db_url, ADMON_DATA_DIR=str(data_dir))
    return env


class Schema:
    def __init__(self, base: str) -> None:
        self.base, self.name = base, f"bench_{uuid.uuid4().hex[:10]}"
        sep = "&" if "?" in base else "?"
        self.url = f"{base}{sep}options=-csearch_path%3D{self.name}"

    def __enter__(self) -> str:
        engine = sa.create_engine(self.base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        engine.dispose()
        engine = make_engine(self.url)
        upgrade(engine)
        engine.dispose()
        return self.url

    def __exit__(self, *exc: object) -> None:
        engine = sa.create_engine(self.base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        engine.dispose()


def crawl(redis_url: str, pg: str, site: DemoSite, pages: int,
          workers: int) -> tuple[float, float]:
    """(pages/s from worker start, pages/s from the first page stored) to the last page."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    frontier = Frontier(redis.Redis.from_url(redis_url), name)
    with Schema(pg) as db, tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(db)
        subprocess.run([ADMON, "worker", "seed", "--frontier", redis_url, "--name", name,
                        "--render", "never", "--max-depth", "50", "--max-pages",
                        str(pages + 10), f"{site.url}bulk/"], check=True, env=_env(db, Path(tmp)),
                       capture_output=True)
        started = time.monotonic()
        procs = [subprocess.Popen(
            [ADMON, "worker", "crawl", "--frontier", redis_url, "--name", name, "--idle", "2",
             "--set", "LOG_LEVEL=WARNING"], env=_env(db, Path(tmp)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        ) for _ in range(workers)]
        done, first = 0, 0.0
        while done < pages + 1 and time.monotonic() - started < 900:
            with engine.connect() as conn:
                done = conn.scalar(sa.select(sa.func.count(sa.distinct(Capture.url)))
                                   .where(Capture.url.contains("/bulk/"))) or 0
            if done and not first:
                first = time.monotonic()
            time.sleep(0.1)
        seconds = time.monotonic() - started
        steady = time.monotonic() - first
        for proc in procs:
            proc.wait(timeout=120)
        engine.dispose()
    frontier.clear()
    return (pages + 1) / seconds, (pages + 1) / max(steady, 1e-6)


def ocr(redis_url: str, pg: str, uploads: int, workers: int) -> float:
    from monitor.evidence import EvidenceStore
    from monitor.ocr_queue import enqueue_upload, open_queue
    from monitor.uploads import UploadMeta, receive_upload
    from ocr.synth import encode, render_clean
    from ocr.synth_texts import PosterText

    queue_name = f"bench-ocr-{uuid.uuid4().hex[:8]}"
    with Schema(pg) as db, tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(db)
        sessions = session_factory(engine)
        store = EvidenceStore(Path(tmp) / "evidence")
        queue = open_queue(redis_url, queue_name)
        with sessions() as s:
            ids = []
            for n in range(uploads):  # distinct posters (the same bytes are one upload)
                text = PosterText(f"b{n}", ("鑫泰养老社", "保本保息 稳赚不赔",
                                            f"咨询 139-0000-{7000 + n}"), True)
                image = encode(render_clean(text, seed=n, width=600), "JPEG", 92)
                ids.append(receive_upload(s, store, image, UploadMeta(f"p{n}.jpg")).id)
        assert len(set(ids)) == uploads, "duplicate posters"
        env = _env(db, Path(tmp))
        env["ADMON_OCR_ENGINE"] = "tesseract"
        procs = [subprocess.Popen(
            [ADMON, "worker", "ocr", "--redis", redis_url, "--queue", queue_name,
             "--sweep-every", "3600"], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(workers)]
        time.sleep(3)  # workers up (their start-up sweep would also enqueue the uploads)
        started = time.monotonic()
        for upload_id in ids:
            enqueue_upload(queue, upload_id)
        done = 0
        while done < uploads and time.monotonic() - started < 900:
            with sessions() as s:
                done = s.scalar(sa.select(sa.func.count()).select_from(Upload)
                                .where(Upload.ocr_status == "done")) or 0
            time.sleep(0.1)
        seconds = time.monotonic() - started
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        engine.dispose()
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{queue_name}*"))
    if keys:
        client.delete(*keys)
    return uploads / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--ocr-workers", default="1,2")
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    redis_url = os.environ.get("ADMON_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    pg = os.environ.get("ADMON_BENCH_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    print(f"{os.cpu_count()} CPUs; crawl {args.pages + 1} /bulk/ pages, OCR {args.uploads} "
          "uploads (tesseract)")
    with DemoSite(bulk_pages=args.pages, sitemap=False) as site:
        base = None
        for n in (int(w) for w in args.workers.split(",")) if not args.skip_crawl else ():
            rate, steady = crawl(redis_url, pg, site, args.pages, n)
            base = base or rate
            print(f"crawl  {n} worker(s): {rate:6.1f} pages/s from start (x{rate / base:.2f}), "
                  f"{steady:6.1f} pages/s after the first page", flush=True)
    base = None
    for n in (int(w) for w in args.ocr_workers.split(",")) if not args.skip_ocr else ():
        rate = ocr(redis_url, pg, args.uploads, n)
        base = base or rate
        print(f"ocr    {n} worker(s): {rate:6.2f} uploads/s  (x{rate / base:.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
