"""Storage benchmark: the review queue and an enterprise's leads at 100k leads / 20k
enterprises, and intake throughput, on SQLite and PostgreSQL.

Targets (issue 3): queue first page and enterprise-with-leads ≤ 50 ms (median, from the
domain layer); intake of 10,000 detections ≤ 30 s.

    .venv/bin/python benchmarks/store.py                       # SQLite only
    .venv/bin/python benchmarks/store.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

Rows are bulk-generated straight into the tables (seeded, reproducible). PostgreSQL runs in
a dedicated schema that is dropped afterwards. Intake uses `monitor.intake.testing`'s
keyword detector unless `--real-rules` is given, so it measures storage, not the lexicon.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.db import make_engine, session_factory, upgrade
from monitor.evidence import EvidenceStore
from monitor.intake import ingest_page, ingest_pages
from monitor.intake.testing import keyword_detect, make_page
from monitor.leads import LeadFilters, queue
from monitor.models.core import Lead, LeadCategory, category_mask
from monitor.models.ledger import Enterprise

CATEGORIES = [
    "return_promise",
    "principal_guarantee",
    "hot_concept",
    "endorsement",
    "public_solicitation",
]
STATUSES = (["new"] * 3) + ["reviewing"] + (["confirmed"] * 2) + (["dismissed"] * 3) + ["closed"]
RISKS = ["high", "high", "medium", "medium", "low", "none"]
SOURCES = (["web"] * 16) + (["poster"] * 3) + ["tip"]
NOW = datetime(2026, 11, 27, tzinfo=UTC)
BATCH = 5000


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(engine: Engine, leads: int, enterprises: int, seed: int = 7) -> float:
    """Bulk-insert enterprises, leads and lead categories; returns seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()

    def enterprise_rows() -> Iterator[dict[str, Any]]:
        for i in range(enterprises):
            yield {"credit_code": f"91{i:016d}", "name": f"基准测试企业{i}有限公司", "tag": "green"}

    def lead_rows() -> Iterator[tuple[dict[str, Any], list[str]]]:
        for i in range(leads):
            created = NOW - timedelta(seconds=rng.randrange(365 * 86400))
            cats = rng.sample(CATEGORIES, rng.randint(1, 3))
            cats.sort(key=CATEGORIES.index)
            source = rng.choice(SOURCES)
            via = {"web": rng.choice(["html", "html", "js", "image"]), "poster": "poster"}.get(
                source, "tip"
            )
            yield (
                {
                    "id": i + 1,
                    "source_kind": source,
                    "via": via,
                    "url": f"http://site{i % 997}.example.test/p/{i}",
                    "site": f"http://site{i % 997}.example.test",
                    "page_key": uuid.UUID(int=rng.getrandbits(128)).hex * 2,
                    "title": "",
                    "status": rng.choice(STATUSES),
                    "version_id": 1,
                    "categories": cats,
                    "category_bits": category_mask(cats),
                    "risk": rng.choice(RISKS),
                    "score": round(rng.random(), 3),
                    "annualized_return": rng.choice([None, 12.0, 24.0, 36.0, 96.0]),
                    "text": "基准测试广告文本：保本保息，月息3分，稳赚不赔。" * 3,
                    "hits": [],
                    "evidence_sha256": uuid.UUID(int=rng.getrandbits(128)).hex * 2,
                    "captured_at": created,
                    "current_version": 1,
                    "content_fingerprint": "",
                    "first_seen_at": created,
                    "last_seen_at": created,
                    "seen_count": 1,
                    "enterprise_id": rng.randint(1, enterprises) if rng.random() < 0.3 else None,
                    "community": f"社区{rng.randint(1, 12)}",
                    "created_at": created,
                    "updated_at": created,
                },
                cats,
            )

    with engine.begin() as conn:
        for batch in _batches(enterprise_rows()):
            conn.execute(sa.insert(Enterprise), batch)
        pending: list[tuple[dict[str, Any], list[str]]] = []
        for item in lead_rows():
            pending.append(item)
            if len(pending) == BATCH:
                _insert_leads(conn, pending)
                pending = []
        if pending:
            _insert_leads(conn, pending)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('leads_id_seq', (SELECT max(id) FROM leads))"))
    # Fresh statistics, and on PostgreSQL a vacuumed visibility map so counts can use
    # index-only scans — what autovacuum does on its own after a bulk change.
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(statement))
    return time.perf_counter() - started


def _insert_leads(conn: sa.Connection, items: list[tuple[dict[str, Any], list[str]]]) -> None:
    conn.execute(sa.insert(Lead), [row for row, _ in items])
    conn.execute(
        sa.insert(LeadCategory),
        [{"lead_id": row["id"], "category": c} for row, cats in items for c in cats],
    )


def median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and max wall time of `fn` in milliseconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def bench_queries(engine: Engine, repeats: int) -> None:
    factory = session_factory(engine)
    filtered = LeadFilters(
        status=["new"],
        risk=["high"],
        category=["principal_guarantee"],
        source_kind=["web"],
        since=NOW - timedelta(days=90),
    )
    cases: dict[str, Callable[[Any], object]] = {
        "queue: status+risk+category+source+90 days, newest, page 1": lambda s: queue(
            s, filtered, per_page=50
        ),
        "queue: status=new only, newest, page 1": lambda s: queue(
            s, LeadFilters(status=["new"]), per_page=50
        ),
        "queue: category=hot_concept only, newest, page 1": lambda s: queue(
            s, LeadFilters(category=["hot_concept"]), per_page=50
        ),
        "queue: no filter, newest, page 1": lambda s: queue(s, per_page=50),
        "enterprise 4242 with its leads": lambda s: (
            s.get(Enterprise, 4242),
            queue(s, LeadFilters(enterprise_id=4242), per_page=100),
        ),
    }
    with factory() as session:
        for name, case in cases.items():

            def once(case: Callable[[Any], object] = case) -> None:
                case(session)
                session.expunge_all()

            med, worst = median_ms(once, repeats)
            verdict = "ok" if med <= 50 else "OVER 50 ms"
            print(f"  {name:<62} median {med:7.2f} ms  max {worst:7.2f} ms  {verdict}")
        page = queue(session, filtered, per_page=50)
        print(f"  (filtered queue matched {page.total} leads; first page has {len(page.rows)})")


def bench_intake(
    engine: Engine, count: int, batch: int, per_transaction: int, real_rules: bool
) -> None:
    """Ingest `count` distinct pages that each raise a lead, `batch` at a time
    (`ingest_pages`; batch 1 uses `ingest_page`, two fsyncs per evidence file)."""
    detector = None if real_rules else keyword_detect
    factory = session_factory(engine)
    phrases = ["保本保息", "稳赚不赔", "月息3分", "原始股", "拉人头奖励"]
    pages = [
        make_page(
            f"http://intake{i % 50}.example.test/t{per_transaction}/ad/{i}",
            f"第{i}号理财推广：{phrases[i % 5]}，详询门店。",
            minutes=i,
        )
        for i in range(count)
    ]
    with tempfile.TemporaryDirectory() as tmp, factory() as session:
        store = EvidenceStore(Path(tmp) / "evidence")
        started = time.perf_counter()
        cpu_started = time.process_time()
        new = 0
        if batch <= 1:
            for page in pages:
                new += ingest_page(session, store, page, detector=detector).new_leads
        else:
            for start in range(0, count, batch):
                results = ingest_pages(
                    session,
                    store,
                    pages[start : start + batch],
                    detector=detector,
                    per_transaction=per_transaction,
                )
                new += sum(r.new_leads for r in results)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    verdict = "ok" if elapsed <= 30 else "OVER 30 s"
    print(
        f"  intake of {count} pages with detections (batch {batch}, {per_transaction}/txn): "
        f"{elapsed:6.2f} s wall, {cpu:6.2f} s CPU ({count / elapsed:5.0f}/s, "
        f"{new} new leads)  {verdict}"
    )


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A dedicated schema for the benchmark, dropped afterwards."""
    schema = f"bench_store_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_backend(label: str, url: str, args: argparse.Namespace) -> None:
    print(f"== {label}")
    engine = make_engine(url)
    try:
        upgrade(engine)
        seconds = generate(engine, args.leads, args.enterprises)
        print(f"  generated {args.leads} leads, {args.enterprises} enterprises in {seconds:.1f} s")
        bench_queries(engine, args.repeats)
        if args.intake > 0:
            bench_intake(engine, args.intake, args.batch, 1, args.real_rules)
        if args.intake > 0 and args.batch > 1:
            bench_intake(engine, args.intake, args.batch, 50, args.real_rules)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--intake", type=int, default=10_000, help="pages to ingest (0: skip)")
    parser.add_argument("--batch", type=int, default=200, help="intake batch size (1: one by one)")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--real-rules", action="store_true", help="detect with rules.detect")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args)
            print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.postgres:
        with postgres_schema(args.postgres) as url:
            run_backend("PostgreSQL", url, args)
            print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
