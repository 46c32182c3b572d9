"""Core monitoring tables: where we look, what we captured, and the leads it raised.

Owned by `monitor.intake` (writes), `monitor.evidence` (files) and `monitor.leads` (queries).

Evidence rows (`captures`, `uploads`) point at content-addressed files in the evidence
store by SHA-256; the file is written before the row is committed, so a row never names a
missing file. A lead (线索) is one *place* an offending ad was seen — a page via html/js,
an image on a page, a poster upload, a tip — identified by `page_key`. Seeing the same
offending content there again is a sighting (`lead_sightings`); changed offending content
is a new `lead_versions` row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitor.models.base import Base, UTCDateTime, utcnow

# Allowed values, declared once (checked by the domain code that writes them).
SOURCE_KINDS = ("site", "platform")
RENDER_MODES = ("auto", "always", "never")
RUN_STATUSES = ("running", "finished", "failed", "interrupted")
RUN_TRIGGERS = ("cli", "schedule", "web")
OCR_STATUSES = ("pending", "running", "done", "failed", "timeout")
LEAD_SOURCE_KINDS = ("web", "poster", "tip")
LEAD_VIAS = ("html", "js", "image", "poster", "tip")
LEAD_STATUSES = ("new", "reviewing", "confirmed", "dismissed", "closed")
RISKS = ("high", "medium", "low", "none")

SHA256_LEN = 64

#: Category ids (design.md) as bits of `leads.category_bits`, so the queue can count leads
#: per status under a category filter from one covering index instead of joining 100k
#: rows. Append new categories with the next bit; never renumber.
CATEGORY_BITS: dict[str, int] = {
    "return_promise": 1,
    "principal_guarantee": 2,
    "hot_concept": 4,
    "endorsement": 8,
    "public_solicitation": 16,
}


def category_mask(categories: list[str] | tuple[str, ...]) -> int:
    """The `category_bits` value for these categories (unknown ids contribute nothing)."""
    mask = 0
    for category in categories:
        mask |= CATEGORY_BITS.get(category, 0)
    return mask


class Source(Base):
    """A configured place to crawl (监测源): a local site or a platform listing."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="site")  # site | platform
    start_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule: Mapped[str | None] = mapped_column(String(100), nullable=True)  # cron text
    max_pages: Mapped[int] = mapped_column(Integer, default=500)
    max_depth: Mapped[int] = mapped_column(Integer, default=5)
    render: Mapped[str] = mapped_column(String(8), default="auto")  # auto | always | never
    community: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 所属社区
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrawlRun(Base):
    """One crawl of a source (or an ad-hoc `admon crawl URL` run, source_id NULL)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), nullable=True, index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    leads_new: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_log: Mapped[list[Any]] = mapped_column(JSON, default=list)
    trigger: Mapped[str] = mapped_column(String(16), default="cli")  # cli | schedule | web


class Capture(Base):
    """One fetched resource: a page (kind=page) or an image on a page (kind=image).

    `sha256`/`body_path` name the raw body in the evidence store (NULL when the fetch
    failed before a body existed, e.g. `fetch_status=timeout`). `body_path` is relative to
    the evidence directory.
    """

    __tablename__ = "captures"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="page")  # page | image
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), nullable=True
    )
    page_capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), nullable=True
    )  # for kind=image: the page the image was found on
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # HTTP status
    fetch_status: Mapped[str] = mapped_column(String(32), default="ok")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sha256: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True, index=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body_path: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content_type: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str] = mapped_column(String(40), default="")
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(Text, default="")
    redirect_chain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    screenshot_sha256: Mapped[str | None] = mapped_column(
        String(SHA256_LEN), nullable=True, index=True
    )
    screenshot_path: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rendered: Mapped[bool] = mapped_column(Boolean, default=False)

    texts: Mapped[list[CaptureText]] = relationship(
        back_populates="capture", cascade="all, delete-orphan"
    )


class CaptureText(Base):
    """Text extracted from a capture by one route (`via`: html, js, image)."""

    __tablename__ = "capture_texts"
    __table_args__ = (UniqueConstraint("capture_id", "via"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"))
    via: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(SHA256_LEN))

    capture: Mapped[Capture] = relationship(back_populates="texts")


class Upload(Base):
    """A poster photographed by a grid worker (网格员上传). The original lives in the evidence
    store untouched; `display_path` is the re-encoded, metadata-free derivative we serve."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(SHA256_LEN), index=True)
    original_path: Mapped[str] = mapped_column(String(200))
    display_path: Mapped[str | None] = mapped_column(String(200), nullable=True)
    original_filename: Mapped[str] = mapped_column(String(300), default="")  # display only
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    place: Mapped[str] = mapped_column(String(200), default="")  # 点位: lift, notice board
    building: Mapped[str] = mapped_column(String(200), default="")  # 楼栋
    community: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 所属社区
    note: Mapped[str] = mapped_column(Text, default="")
    exif_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    ocr_status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    ocr_engine: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ocr_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    ocr_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    ocr_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Tip(Base):
    """A report from the public or a partner unit (举报线索): text, maybe a link or photo."""

    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True
    )
    sha256: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), nullable=True
    )


class Lead(Base):
    """A flagged ad at one place (线索), carrying the latest version's detection.

    `version_id` is the optimistic-locking counter (SQLAlchemy `version_id_col`): a reviewer
    saving a lead someone else changed gets `StaleDataError` (faults.md row 25).
    `current_version` counts *content* versions (`lead_versions.number`), which is another
    thing. `page_key` is the SHA-256 of the place's identity (see `monitor.intake.page_key`)
    so the unique index stays small whatever the URL length.
    """

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_status_created", "status", "created_at"),
        Index("ix_leads_risk_created", "risk", "created_at"),
        Index("ix_leads_status_risk_created", "status", "risk", "created_at"),
        # Covers the queue's per-status counts under any mix of filters (see CATEGORY_BITS).
        Index(
            "ix_leads_queue_counts", "status", "risk", "source_kind", "category_bits", "created_at"
        ),
        Index("ix_leads_community_created", "community", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(8))  # web | poster | tip
    via: Mapped[str] = mapped_column(String(8))  # html | js | image | poster | tip
    url: Mapped[str] = mapped_column(Text)  # page URL as crawled, upload:<id>, tip:<id>
    image_url: Mapped[str | None] = mapped_column(Text, nullable=True)  # via=image only
    site: Mapped[str] = mapped_column(String(255), default="", index=True)
    page_key: Mapped[str] = mapped_column(String(SHA256_LEN), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    category_bits: Mapped[int] = mapped_column(Integer, default=0)  # see CATEGORY_BITS
    risk: Mapped[str] = mapped_column(String(8), default="none")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    annualized_return: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")  # what the rules saw (latest)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    evidence_sha256: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), nullable=True
    )
    capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), nullable=True
    )
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    content_fingerprint: Mapped[str] = mapped_column(String(SHA256_LEN), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    seen_count: Mapped[int] = mapped_column(Integer, default=1)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), nullable=True, index=True
    )
    community: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 所属社区
    disposal_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    category_rows: Mapped[list[LeadCategory]] = relationship(cascade="all, delete-orphan")


class LeadCategory(Base):
    """One category of a lead's latest version, so the queue filters by index, not JSON
    (any category id, including ones `CATEGORY_BITS` does not know yet)."""

    __tablename__ = "lead_categories"
    __table_args__ = (Index("ix_lead_categories_category_lead", "category", "lead_id"),)

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)


class LeadTally(Base):
    """A contribution to the number of leads with one status, risk, source kind and set of
    categories (线索计数); a combination's count is SUM(delta) over its rows. Kept by
    triggers on `leads` (migration 0003), never by the application, so no writer can
    forget it.

    Why: the queue shows counts per status on every page view, under whatever filters the
    reviewer chose. Counting 100k leads each time cost PostgreSQL ~18 ms of CPU per view,
    most of the page's time under ten reviewers. Status, risk, source kind and category
    bits have a few hundred combinations in practice, so the counts under any filter on
    them are a sum over a few hundred rows. On PostgreSQL the triggers append rows instead
    of updating one counter per combination, so concurrent writers (intake workers,
    reviewers) never wait on a hot row; `monitor.leads.status_tally` folds the rows
    together now and then. On SQLite, whose writers are serialised anyway, the triggers
    keep one row per combination (a unique index the migration adds there only).
    """

    __tablename__ = "lead_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str | None] = mapped_column(String(16))
    risk: Mapped[str | None] = mapped_column(String(8))
    source_kind: Mapped[str | None] = mapped_column(String(8))
    category_bits: Mapped[int | None] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(BigInteger)


class LeadVersion(Base):
    """One distinct offending content seen at a lead's place (版本).

    `content_fingerprint` hashes the normalised hit texts and categories only, so an
    unrelated change elsewhere on the page is a sighting, not a new version.
    """

    __tablename__ = "lead_versions"
    __table_args__ = (UniqueConstraint("lead_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content_fingerprint: Mapped[str] = mapped_column(String(SHA256_LEN))
    text: Mapped[str] = mapped_column(Text, default="")
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk: Mapped[str] = mapped_column(String(8), default="none")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    annualized_return: Mapped[float | None] = mapped_column(Float, nullable=True)
    capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), nullable=True
    )
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True
    )
    evidence_sha256: Mapped[str | None] = mapped_column(String(SHA256_LEN), nullable=True)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadSighting(Base):
    """One observation of a lead's place (观测记录): which version was there, from which
    capture. `still_present` is False for a re-check that found the content gone."""

    __tablename__ = "lead_sightings"
    __table_args__ = (Index("ix_lead_sightings_lead_seen", "lead_id", "seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    still_present: Mapped[bool] = mapped_column(Boolean, default=True)
    capture_id: Mapped[int | None] = mapped_column(
        ForeignKey("captures.id", ondelete="SET NULL"), nullable=True
    )
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True
    )
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_runs.id", ondelete="SET NULL"), nullable=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IgnoreRule(Base):
    """A phrase a reviewer ruled harmless (误报忽略), on one site or (site NULL) anywhere.
    Intake drops hits whose text contains the phrase."""

    __tablename__ = "ignore_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
