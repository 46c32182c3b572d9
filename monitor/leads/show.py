"""A lead's detail as JSON or as plain text for a terminal (`admon leads show`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.leads.detail import LeadDetail


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def detail_record(detail: LeadDetail) -> dict[str, Any]:
    """Everything about a lead as JSON-ready data (times in ISO 8601, UTC)."""
    lead = detail.lead
    record: dict[str, Any] = {
        "id": lead.id,
        "status": lead.status,
        "version_id": lead.version_id,
        "source": lead.source_kind,
        "via": lead.via,
        "url": lead.url,
        "image_url": lead.image_url,
        "site": lead.site,
        "title": lead.title,
        "community": lead.community,
        "enterprise_id": lead.enterprise_id,
        "disposal_kind": lead.disposal_kind,
        "categories": list(lead.categories),
        "risk": lead.risk,
        "score": lead.score,
        "annualized_return": lead.annualized_return,
        "evidence_sha256": lead.evidence_sha256,
        "captured_at": _iso(lead.captured_at),
        "first_seen_at": _iso(lead.first_seen_at),
        "last_seen_at": _iso(lead.last_seen_at),
        "seen_count": lead.seen_count,
        "current_version": lead.current_version,
        "text": lead.text,
        "hits": list(lead.hits),
        "versions": [
            {
                "number": v.number,
                "categories": list(v.categories),
                "risk": v.risk,
                "score": v.score,
                "annualized_return": v.annualized_return,
                "evidence_sha256": v.evidence_sha256,
                "captured_at": _iso(v.captured_at),
                "hits": [h.get("text") for h in v.hits],
            }
            for v in detail.versions
        ],
        "sightings": [
            {
                "seen_at": _iso(s.seen_at),
                "version": s.version,
                "still_present": s.still_present,
                "capture_id": s.capture_id,
                "upload_id": s.upload_id,
                "run_id": s.run_id,
            }
            for s in detail.sightings
        ],
        "sighting_total": detail.sighting_total,
        "events": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor_id": e.actor_id,
                "reason": e.reason,
            }
            for e in detail.events
        ],
    }
    if detail.capture is not None:
        cap = detail.capture
        record["capture"] = {
            "id": cap.id,
            "url": cap.url,
            "final_url": cap.final_url,
            "status": cap.status,
            "fetched_at": _iso(cap.fetched_at),
            "sha256": cap.sha256,
            "body_path": cap.body_path,
            "screenshot_sha256": cap.screenshot_sha256,
            "content_type": cap.content_type,
            "encoding": cap.encoding,
        }
    if detail.upload is not None:
        up = detail.upload
        record["upload"] = {
            "id": up.id,
            "sha256": up.sha256,
            "place": up.place,
            "building": up.building,
            "community": up.community,
            "ocr_status": up.ocr_status,
            "created_at": _iso(up.created_at),
        }
    return record


def format_detail(detail: LeadDetail, timezone: str) -> str:
    """Readable multi-line text; times in the office time zone."""
    zone = ZoneInfo(timezone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"

    lead = detail.lead
    ret = f"{lead.annualized_return:g}%" if lead.annualized_return is not None else "-"
    lines = [
        f"线索 lead {lead.id}  [{lead.status}]  risk {lead.risk} ({lead.score:.2f})",
        f"  source:     {lead.source_kind} via {lead.via}",
        f"  url:        {lead.url}",
    ]
    if lead.image_url:
        lines.append(f"  image:      {lead.image_url}")
    lines += [
        f"  categories: {', '.join(lead.categories) or '-'}",
        f"  annualized: {ret}",
        f"  evidence:   sha256 {lead.evidence_sha256 or '-'}  captured {local(lead.captured_at)}",
        f"  seen:       {lead.seen_count}× from {local(lead.first_seen_at)}"
        f" to {local(lead.last_seen_at)}; version {lead.current_version}",
        "  hits:",
    ]
    lines += [
        f"    - [{h.get('category')}] {h.get('text')}  ({h.get('basis', '')})" for h in lead.hits
    ]
    lines.append("  text:")
    lines += [f"    {line}" for line in lead.text.splitlines() or [""]]
    lines.append(f"  versions ({len(detail.versions)}):")
    lines += [
        f"    v{v.number}  {local(v.captured_at)}  {v.risk}  {', '.join(v.categories)}"
        for v in detail.versions
    ]
    lines.append(f"  sightings ({detail.sighting_total}, latest first):")
    lines += [
        f"    {local(s.seen_at)}  {'present' if s.still_present else 'GONE'}"
        f"  v{s.version if s.version is not None else '-'}"
        + (f"  capture {s.capture_id}" if s.capture_id else "")
        for s in detail.sightings[:20]
    ]
    if detail.events:
        lines.append("  events:")
        lines += [
            f"    {local(e.at)}  {e.action}: {e.from_status} → {e.to_status}  {e.reason}"
            for e in detail.events
        ]
    return "\n".join(lines)
