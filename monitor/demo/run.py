"""`run_demo`: each step calls the same domain function a user's command would."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor import users
from monitor.crawling import CrawlPlan, CrawlSummary, run_crawl
from monitor.db import make_engine, session_factory, upgrade
from monitor.demo.ledger import write_demo_ledger
from monitor.ledger import import_xlsx
from monitor.models.accounts import User
from monitor.models.core import Lead, Source
from monitor.settings import Settings
from monitor.sources import add_source

Step = Callable[[str], None]

#: (username, role, display name, unit). Passwords are generated afresh on every run.
ACCOUNTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "admin", "所领导（管理员）", None),
    ("reviewer", "reviewer", "执法人员小李", None),
    ("grid", "grid", "网格员老王", None),
    ("police", "partner", "城关派出所", "城关派出所"),
)
DEMO_MAX_PAGES = 120
#: A fixed port, so that running the demo again sees the same URLs (sightings, not new
#: leads: a site on another port is another site).
DEMO_SITE_PORT = 8710
#: The demo town includes deliberately slow and broken pages (faults.md); the demo records
#: them as errors without waiting the production timeouts out.
DEMO_SCRAPY_SETTINGS = {"DOWNLOAD_TIMEOUT": 8, "RETRY_TIMES": 1}
#: The demo town as a configured source (监测源), so the sources page shows it with its
#: runs and "run now" works while the demo's UI is up. Nightly at 02:00 like a real one.
DEMO_SOURCE_NAME = "演示小镇 青禾街道便民信息网"
DEMO_COMMUNITY = "幸福社区"


@dataclass(frozen=True)
class DemoAccount:
    """A demo login, printed once."""

    username: str
    role: str
    password: str


@dataclass
class DemoResult:
    """What the demo set up, for the closing summary."""

    database: str
    accounts: list[DemoAccount] = field(default_factory=list)
    crawl: CrawlSummary | None = None
    posters: int = 0
    poster_leads: int = 0
    enterprises: int = 0
    leads_total: int = 0


def _accounts(sessions: sessionmaker[Session]) -> list[DemoAccount]:
    created: list[DemoAccount] = []
    with sessions() as db:
        for username, role, display, unit in ACCOUNTS:
            password = users.generate_password()
            user = db.scalar(select(User).where(User.username == username))
            if user is None:
                users.create_user(
                    db, username, role, password, display_name=display, unit=unit, created_by="demo"
                )
            else:
                users.set_password(db, user, password, actor="demo")
            created.append(DemoAccount(username, role, password))
        db.commit()
    return created


def _ledger(settings: Settings, sessions: sessionmaker[Session]) -> int:
    path = write_demo_ledger(settings.data_dir / "demo" / "风险企业台账.xlsx")
    with sessions() as db:
        summary = import_xlsx(db, path, actor="demo")
        db.commit()
    return summary.imported + summary.updated + summary.unchanged


def _demo_source(sessions: sessionmaker[Session], start: str) -> int:
    """The demo town's source row, created on the first run and pointed at this run's
    address (the port is random when 8710 is busy)."""
    with sessions() as db:
        source = db.scalar(select(Source).where(Source.name == DEMO_SOURCE_NAME))
        if source is None:
            source = add_source(
                db, DEMO_SOURCE_NAME, [start], kind="platform", max_pages=DEMO_MAX_PAGES,
                schedule="0 2 * * *", community=DEMO_COMMUNITY,
                notes="admon demo 自带的演示站点，仅在 admon demo 运行时可访问。",
            )
        else:
            source.start_urls = [start]
        db.commit()
        return source.id


def _crawl(
    settings: Settings, sessions: sessionmaker[Session], step: Step, keep: ExitStack | None
) -> CrawlSummary:
    """Crawl the demo town as its configured source. With `keep`, the town stays up until
    that stack closes (while the demo's UI serves), so the sources page can run it again."""
    from crawlers.demo_site.server import DemoSite

    try:
        site = DemoSite(port=DEMO_SITE_PORT, bulk_pages=0)
    except OSError:
        step(f"port {DEMO_SITE_PORT} is busy; the demo town gets a random port this time")
        site = DemoSite(port=0, bulk_pages=0)
    with ExitStack() as own:
        (keep or own).enter_context(site)
        start = site.url.rstrip("/") + "/"
        source_id = _demo_source(sessions, start)
        step(f"演示站点 demo town: {start} — crawling (Scrapy + Chromium + OCR) …")
        with sessions() as db:
            source = db.get(Source, source_id)
            assert source is not None
            plan = CrawlPlan.for_source(source, scrapy_settings=DEMO_SCRAPY_SETTINGS)
        return run_crawl(settings, sessions, plan)


def _posters(settings: Settings, sessions: sessionmaker[Session], step: Step) -> tuple[int, int]:
    """Read the bundled demo posters as the demo grid worker's uploads."""
    from monitor import uploads
    from ocr.synth import write_samples

    folder = settings.data_dir / "demo" / "posters"
    files = [p for p in write_samples(folder, style="photo", limit=8) if p.suffix == ".jpg"]
    step(f"海报 posters: reading {len(files)} photographed posters (OCR) …")
    report = uploads.upload_files(
        settings,
        sessions,
        files,
        uploader="grid",
        place="电梯间",
        building="3号楼",
        community=DEMO_COMMUNITY,
        wait=True,
    )
    return report.accepted, report.leads


def run_demo(
    settings: Settings,
    step: Step = print,
    *,
    crawl: bool = True,
    posters: bool = True,
    keep: ExitStack | None = None,
) -> DemoResult:
    """Set up the demo office in `settings`' database and data directory. Things that
    should outlive the setup (the demo town's web server, for the UI) go on `keep`."""
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        result = DemoResult(database=engine.url.render_as_string(hide_password=True))
        step(f"数据库 database: {result.database}")
        result.accounts = _accounts(sessions)
        result.enterprises = _ledger(settings, sessions)
        step(f"企业台账 ledger: {result.enterprises} enterprises imported")
        if crawl:
            result.crawl = _crawl(settings, sessions, step, keep)
        if posters:
            result.posters, result.poster_leads = _posters(settings, sessions, step)
        with sessions() as db:
            result.leads_total = int(db.scalar(select(func.count()).select_from(Lead)) or 0)
        return result
    finally:
        engine.dispose()
