"""Web benchmark: latency of the review queue page and a lead page with 100,000 leads,
under 10 concurrent signed-in clients on loopback, SQLite then PostgreSQL.

Target (issue 6): queue page median ≤ 150 ms.

    .venv/bin/python benchmarks/web.py
    .venv/bin/python benchmarks/web.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The app runs under uvicorn in a subprocess (`monitor.web:create_app --factory`, settings from
ADMON_* variables), so the clients' threads do not share its GIL. Leads are bulk-generated
by `benchmarks/store.py`'s generator; PostgreSQL runs in a private schema dropped after.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.store import generate, postgres_schema
from monitor import users
from monitor.db import make_engine, session_factory, upgrade
from monitor.models.core import Lead

PASSWORD = "benchmark-pass-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str, data_dir: Path) -> Iterator[str]:
    """uvicorn serving the app on `url` in a subprocess; yields its base URL."""
    port = _free_port()
    env = dict(os.environ, ADMON_DATABASE_URL=url, ADMON_DATA_DIR=str(data_dir))
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "monitor.web:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


def sign_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        response = client.post(
            "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token[1]}
        )
        assert response.status_code == 303, response.text[:200]
        return client.cookies


def load(base: str, cookies: httpx.Cookies, paths: list[str], clients: int) -> list[float]:
    """Each of `clients` threads fetches its share of `paths`; returns latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            for path in mine:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(paths[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def report(label: str, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"  {label:<22} n={len(ordered):4d}  median {statistics.median(ordered):7.1f} ms  "
        f"p95 {p95:7.1f} ms  {len(ordered) / seconds:6.1f} req/s"
    )


def run_backend(label: str, url: str, args: argparse.Namespace) -> None:
    print(f"== {label}")
    engine = make_engine(url)
    try:
        upgrade(engine)
        seconds = generate(engine, args.leads, args.leads // 5)
        print(f"  generated {args.leads} leads in {seconds:.1f} s")
        with session_factory(engine)() as db:
            users.create_user(db, "bench", "reviewer", PASSWORD)
            db.commit()
            ids = list(db.scalars(sa.select(Lead.id).order_by(sa.func.random()).limit(500)))
    finally:
        engine.dispose()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, serve(url, Path(tmp) / "var") as base:
        cookies = sign_in(base)
        load(base, cookies, ["/leads", f"/leads/{ids[0]}"] * 10, 2)  # warm-up
        cases = {
            "queue page /leads": ["/leads"] * args.requests,
            "queue, filtered": [
                f"/leads?status=new&risk=high&page={rng.randint(1, 20)}"
                for _ in range(args.requests)
            ],
            "lead page /leads/{id}": [f"/leads/{rng.choice(ids)}" for _ in range(args.requests)],
        }
        for name, paths in cases.items():
            started = time.perf_counter()
            latencies = load(base, cookies, paths, args.clients)
            report(name, latencies, time.perf_counter() - started)
        # One client: the server's own time per page, without queueing behind the others.
        started = time.perf_counter()
        latencies = load(base, cookies, ["/leads"] * 50, 1)
        report("queue page, 1 client", latencies, time.perf_counter() - started)
    print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300, help="requests per page kind")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if args.postgres:
        with postgres_schema(args.postgres) as url:
            run_backend("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
