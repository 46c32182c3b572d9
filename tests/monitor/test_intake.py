"""Intake turns captures into evidence and leads, idempotently (faults.md row 26)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from monitor.errors import EvidenceError, InvalidInput, NotFound
from monitor.evidence import EvidenceStore
from monitor.intake import (
    ImageCapture,
    TipCapture,
    UploadText,
    attach_screenshot,
    ingest_image,
    ingest_page,
    ingest_tip,
    ingest_upload_text,
)
from monitor.intake.testing import T0, keyword_detect, make_page
from monitor.models.core import (
    Capture,
    IgnoreRule,
    Lead,
    LeadCategory,
    LeadSighting,
    LeadVersion,
    Tip,
    Upload,
)

AD = "鑫盛财富新品上线：保本保息，月息3分，稳赚不赔，欢迎咨询。"
AD_CHANGED = "鑫盛财富新品上线：保本保息，年化18%，拉人头奖励另计。"


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def _count(session: Session, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_same_page_three_times_is_one_lead_seen_three_times(
    session: Session, store: EvidenceStore
) -> None:
    results = [
        ingest_page(session, store, make_page(html=AD, minutes=m), detector=keyword_detect)
        for m in (0, 60, 120)
    ]
    assert [r.new_leads for r in results] == [1, 0, 0]
    assert [r.sightings for r in results] == [0, 1, 1]
    lead = session.scalars(sa.select(Lead)).one()
    session.refresh(lead)
    assert lead.seen_count == 3
    assert lead.last_seen_at == T0.replace(hour=4)
    assert lead.first_seen_at == T0
    assert lead.current_version == 1
    assert lead.version_id == 1  # sightings do not disturb a reviewer's optimistic lock
    assert _count(session, Capture) == 3
    assert _count(session, LeadSighting) == 3
    assert _count(session, LeadVersion) == 1
    assert lead.evidence_sha256 is not None and store.exists(lead.evidence_sha256)
    assert lead.categories == ["return_promise", "principal_guarantee"]
    assert lead.annualized_return == 36.0


def test_changed_offending_content_makes_version_two(
    session: Session, store: EvidenceStore
) -> None:
    ingest_page(session, store, make_page(html=AD), detector=keyword_detect)
    result = ingest_page(
        session, store, make_page(html=AD_CHANGED, minutes=5), detector=keyword_detect
    )
    assert (result.new_leads, result.new_versions, result.sightings) == (0, 1, 0)
    lead = session.scalars(sa.select(Lead)).one()
    session.refresh(lead)
    assert lead.current_version == 2
    assert lead.text == AD_CHANGED
    assert lead.categories == ["return_promise", "principal_guarantee", "public_solicitation"]
    cats = set(
        session.scalars(sa.select(LeadCategory.category).where(LeadCategory.lead_id == lead.id))
    )
    assert cats == {"return_promise", "principal_guarantee", "public_solicitation"}
    numbers = list(session.scalars(sa.select(LeadVersion.number).order_by(LeadVersion.number)))
    assert numbers == [1, 2]


def test_unrelated_page_change_is_still_a_sighting(session: Session, store: EvidenceStore) -> None:
    ingest_page(session, store, make_page(html="今日天气晴。" + AD), detector=keyword_detect)
    result = ingest_page(
        session,
        store,
        make_page(html="明日多云，注意保暖。\n" + AD + " 联系电话见下方", minutes=1),
        detector=keyword_detect,
    )
    assert (result.new_leads, result.new_versions, result.sightings) == (0, 0, 1)
    assert _count(session, Capture) == 2  # both raw bodies kept as evidence


def test_tracking_parameters_and_host_case_are_the_same_place(
    session: Session, store: EvidenceStore
) -> None:
    ingest_page(
        session,
        store,
        make_page("http://Shop.Example.test:80/p/1?b=2&a=1", AD),
        detector=keyword_detect,
    )
    result = ingest_page(
        session,
        store,
        make_page("http://shop.example.test/p/1?a=1&b=2&utm_source=x#top", AD),
        detector=keyword_detect,
    )
    assert result.sightings == 1 and result.new_leads == 0


def test_clean_page_raises_nothing_but_is_stored(session: Session, store: EvidenceStore) -> None:
    result = ingest_page(
        session, store, make_page(html="社区通知：本周六义诊。"), detector=keyword_detect
    )
    assert result.lead_ids == [] and result.capture_id is not None
    capture = session.get(Capture, result.capture_id)
    assert capture is not None and capture.sha256 and store.exists(capture.sha256)
    assert {t.via for t in capture.texts} == {"html"}


def test_content_gone_records_not_present_sighting(session: Session, store: EvidenceStore) -> None:
    ingest_page(session, store, make_page(html=AD), detector=keyword_detect)
    result = ingest_page(
        session, store, make_page(html="本店已停业整顿。", minutes=30), detector=keyword_detect
    )
    assert result.gone == 1
    sighting = session.scalars(sa.select(LeadSighting).order_by(LeadSighting.id.desc())).first()
    assert sighting is not None and sighting.still_present is False
    lead = session.scalars(sa.select(Lead)).one()
    session.refresh(lead)
    assert lead.seen_count == 1


def test_site_ignore_rule_suppresses_matching_hits(session: Session, store: EvidenceStore) -> None:
    session.add(
        IgnoreRule(phrase="保本保息", site="http://bank.example.test", reason="持牌存款产品")
    )
    session.commit()
    quiet = ingest_page(
        session,
        store,
        make_page("http://bank.example.test/deposit", "大额存单保本保息。"),
        detector=keyword_detect,
    )
    assert quiet.lead_ids == [] and quiet.suppressed == 1
    elsewhere = ingest_page(
        session,
        store,
        make_page("http://other.example.test/x", "大额存单保本保息。"),
        detector=keyword_detect,
    )
    assert elsewhere.new_leads == 1
    partly = ingest_page(
        session,
        store,
        make_page("http://bank.example.test/promo", "保本保息，稳赚不赔！"),
        detector=keyword_detect,
    )
    assert partly.new_leads == 1
    lead = session.get(Lead, partly.lead_ids[0])
    assert lead is not None and [h["text"] for h in lead.hits] == ["稳赚不赔"]
    assert lead.categories == ["return_promise"]


def test_global_ignore_rule_applies_everywhere(session: Session, store: EvidenceStore) -> None:
    session.add(IgnoreRule(phrase="稳赚不赔", site=None, reason="反诈宣传常用语"))
    session.commit()
    result = ingest_page(
        session, store, make_page(html="警惕所谓稳赚不赔的宣传"), detector=keyword_detect
    )
    assert result.lead_ids == []


def test_js_text_only_raises_what_html_did_not_show(session: Session, store: EvidenceStore) -> None:
    same = ingest_page(
        session, store, make_page(html=AD, js=AD + "更多内容"), detector=keyword_detect
    )
    assert same.new_leads == 1
    extra = ingest_page(
        session,
        store,
        make_page("http://shop.example.test/p/2", html="欢迎", js="原始股认购中"),
        detector=keyword_detect,
    )
    assert extra.new_leads == 1
    lead = session.get(Lead, extra.lead_ids[0])
    assert lead is not None and lead.via == "js" and lead.categories == ["hot_concept"]


def test_image_on_page_is_its_own_place(session: Session, store: EvidenceStore) -> None:
    img = ImageCapture(
        page_url="http://shop.example.test/p/1",
        image_url="http://shop.example.test/a.png",
        body=b"\x89PNG fake poster bytes",
        text="扫码加入：保本保息",
        fetched_at=T0,
    )
    first = ingest_image(session, store, img, detector=keyword_detect)
    again = ingest_image(session, store, img, detector=keyword_detect)
    assert (first.new_leads, again.sightings) == (1, 1)
    lead = session.get(Lead, first.lead_ids[0])
    assert lead is not None and lead.via == "image" and lead.image_url == img.image_url
    assert store.get(lead.evidence_sha256 or "") == img.body


def test_upload_text_raises_poster_lead(session: Session, store: EvidenceStore) -> None:
    stored = store.put(b"original poster photo")
    upload = Upload(sha256=stored.sha256, original_path=stored.relpath, community="幸福里社区")
    session.add(upload)
    session.commit()
    result = ingest_upload_text(
        session, store, UploadText(upload.id, "养老公寓投资，月息3分"), detector=keyword_detect
    )
    lead = session.get(Lead, result.lead_ids[0])
    assert lead is not None
    assert (lead.source_kind, lead.via, lead.url) == ("poster", "poster", f"upload:{upload.id}")
    assert lead.community == "幸福里社区" and lead.evidence_sha256 == stored.sha256
    again = ingest_upload_text(
        session, store, UploadText(upload.id, "养老公寓投资，月息3分"), detector=keyword_detect
    )
    assert again.sightings == 1


def test_upload_text_refuses_missing_upload_or_evidence(
    session: Session, store: EvidenceStore
) -> None:
    with pytest.raises(NotFound):
        ingest_upload_text(session, store, UploadText(999, "x"), detector=keyword_detect)
    session.add(Upload(sha256="ab" * 32, original_path="ab/" + "ab" * 32))
    session.commit()
    upload_id = session.scalars(sa.select(Upload.id)).one()
    with pytest.raises(EvidenceError, match="missing"):
        ingest_upload_text(
            session, store, UploadText(upload_id, "保本保息"), detector=keyword_detect
        )
    assert _count(session, Lead) == 0


def test_tip_always_becomes_a_lead(session: Session, store: EvidenceStore) -> None:
    result = ingest_tip(
        session,
        store,
        TipCapture(text="楼下有人发传单说投资果园每年分红", link=None, contact="138****0000"),
        detector=keyword_detect,
    )
    tip = session.get(Tip, result.tip_id)
    assert tip is not None and tip.lead_id == result.lead_ids[0]
    lead = session.get(Lead, tip.lead_id)
    assert lead is not None and lead.risk == "none" and lead.source_kind == "tip"
    assert "138" not in store.get(tip.sha256 or "").decode()  # contact is not evidence
    with pytest.raises(InvalidInput):
        ingest_tip(session, store, TipCapture(text="  "), detector=keyword_detect)


def test_screenshot_attached_once(session: Session, store: EvidenceStore) -> None:
    result = ingest_page(session, store, make_page(html=AD), detector=keyword_detect)
    assert result.capture_id is not None
    first = attach_screenshot(session, store, result.capture_id, b"png-1")
    attach_screenshot(session, store, result.capture_id, b"png-2")
    capture = session.get(Capture, result.capture_id)
    assert capture is not None
    session.refresh(capture)
    assert capture.screenshot_sha256 == first and store.get(first) == b"png-1"
    with pytest.raises(NotFound):
        attach_screenshot(session, store, 12345, b"png")


def test_naive_time_is_refused(session: Session, store: EvidenceStore) -> None:
    capture = make_page(html=AD)
    naive = type(capture)(**{**capture.__dict__, "fetched_at": T0.replace(tzinfo=None)})
    with pytest.raises(InvalidInput, match="timezone"):
        ingest_page(session, store, naive, detector=keyword_detect)


def test_recrawl_rechecks_open_rectification(session: Session, store: EvidenceStore) -> None:
    """整改复查: a re-crawl of a page under rectification is recorded as a re-check, and the
    rectification is done once the offending content is gone."""
    from datetime import date

    from monitor.models.workflow import Rectification, RectificationCheck

    first = ingest_page(session, store, make_page(html=AD), detector=keyword_detect)
    lead_id = first.lead_ids[0]
    session.execute(sa.update(Lead).where(Lead.id == lead_id).values(status="confirmed"))
    rect = Rectification(
        lead_id=lead_id,
        responsible_unit="鑫盛财富",
        measures="撤下广告",
        deadline=date(2026, 11, 15),
        recheck_date=date(2026, 11, 16),
    )
    session.add(rect)
    session.commit()
    still = ingest_page(session, store, make_page(html=AD, minutes=10), detector=keyword_detect)
    gone = ingest_page(
        session, store, make_page(html="店铺公告：暂停营业。", minutes=20), detector=keyword_detect
    )
    checks = session.scalars(sa.select(RectificationCheck).order_by(RectificationCheck.id)).all()
    assert [(c.still_present, c.capture_id) for c in checks] == [
        (True, still.capture_id),
        (False, gone.capture_id),
    ]
    session.refresh(rect)
    assert rect.status == "done" and rect.recheck_result == "removed"


def test_batch_intake_matches_one_by_one(session: Session, store: EvidenceStore) -> None:
    from monitor.intake import ingest_pages

    pages = [
        make_page(f"http://batch.example.test/{i}", AD if i % 2 else "社区公告", minutes=i)
        for i in range(6)
    ]
    pages.append(make_page("http://batch.example.test/1", AD, minutes=30))  # re-sighting
    results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=3)
    assert [r.new_leads for r in results] == [0, 1, 0, 1, 0, 1, 0]
    assert results[-1].sightings == 1
    for result in results:
        capture = session.get(Capture, result.capture_id)
        assert capture is not None and capture.sha256 is not None
        assert store.get(capture.sha256)  # every file named by a row is there and intact


def test_new_version_bumps_version_id_so_stale_review_conflicts(
    session: Session, store: EvidenceStore
) -> None:
    """A reviewer who loaded the lead before the content changed must not save over it."""
    from sqlalchemy.orm.exc import StaleDataError

    from monitor.db import session_factory

    first = ingest_page(session, store, make_page(html=AD), detector=keyword_detect)
    bind = session.get_bind()
    with session_factory(bind)() as reviewer:  # type: ignore[arg-type]
        stale = reviewer.get(Lead, first.lead_ids[0])
        assert stale is not None and stale.version_id == 1
        ingest_page(session, store, make_page(html=AD, minutes=1), detector=keyword_detect)
        ingest_page(session, store, make_page(html=AD_CHANGED, minutes=2), detector=keyword_detect)
        stale.status = "reviewing"
        with pytest.raises(StaleDataError):
            reviewer.commit()
    lead = session.get(Lead, first.lead_ids[0])
    assert lead is not None
    session.refresh(lead)
    assert (lead.version_id, lead.current_version, lead.seen_count) == (2, 2, 3)


def test_group_transaction_is_all_or_nothing(session: Session, store: EvidenceStore) -> None:
    from dataclasses import replace

    from monitor.evidence import sweep_orphans
    from monitor.intake import ingest_pages

    good = make_page("http://g.example.test/1", AD)
    broken = replace(make_page("http://g.example.test/2", AD), source_id=9999)  # no such source
    with pytest.raises(sa.exc.IntegrityError):
        ingest_pages(session, store, [good, broken], detector=keyword_detect, per_transaction=2)
    assert _count(session, Capture) == 0 and _count(session, Lead) == 0
    assert len(sweep_orphans(session, store)) == 1  # same body bytes: one file, flagged


def test_several_versions_within_one_group_transaction(
    session: Session, store: EvidenceStore
) -> None:
    from monitor.intake import ingest_pages

    pages = [
        make_page(html=AD),
        make_page(html=AD_CHANGED, minutes=1),
        make_page(html=AD, minutes=2),
    ]
    results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=3)
    assert [(r.new_leads, r.new_versions) for r in results] == [(1, 0), (0, 1), (0, 1)]
    lead = session.scalars(sa.select(Lead)).one()
    session.refresh(lead)
    assert lead.current_version == 3 and lead.seen_count == 3
    cats = session.scalars(
        sa.select(LeadCategory.category).where(LeadCategory.lead_id == lead.id)
    ).all()
    assert sorted(cats) == sorted(lead.categories) == ["principal_guarantee", "return_promise"]
    assert _count(session, LeadVersion) == 3 and _count(session, LeadSighting) == 3


def test_real_detector_by_default(session: Session, store: EvidenceStore) -> None:
    """Without `detector=`, intake scores with `rules.detect` (the DEVELOPERS.md contract)."""
    text = "金泰理财年底冲量：保本保息，月息2分，推荐朋友投资另有返利，名额有限速来认购！"
    first = ingest_page(session, store, make_page("http://jt.example.test/a", text))
    again = ingest_page(session, store, make_page("http://jt.example.test/a", text, minutes=9))
    assert first.new_leads == 1 and again.sightings == 1
    lead = session.get(Lead, first.lead_ids[0])
    assert lead is not None and "principal_guarantee" in lead.categories
    assert lead.annualized_return == 24.0
    assert all(text[h["start"] : h["end"]] == h["text"] for h in lead.hits)


def test_failed_fetch_is_recorded_without_evidence_or_lead(
    session: Session, store: EvidenceStore
) -> None:
    from dataclasses import replace

    timeout = replace(make_page(html=""), body=b"", texts={}, status=None, fetch_status="timeout")
    result = ingest_page(session, store, timeout, detector=keyword_detect)
    capture = session.get(Capture, result.capture_id)
    assert capture is not None and capture.fetch_status == "timeout"
    assert capture.sha256 is None and capture.body_path is None
    assert result.lead_ids == [] and list(store.iter_files()) == []


def test_repeat_within_one_group_is_a_sighting(session: Session, store: EvidenceStore) -> None:
    from monitor.intake import ingest_pages

    ingest_page(session, store, make_page("http://r.example.test/old", AD), detector=keyword_detect)
    pages = [
        make_page(html=AD),
        make_page(html=AD, minutes=1),
        make_page("http://r.example.test/old", AD, minutes=2),
    ]
    results = ingest_pages(session, store, pages, detector=keyword_detect, per_transaction=3)
    assert [(r.new_leads, r.sightings) for r in results] == [(1, 0), (0, 1), (0, 1)]
    counts = {url: n for url, n in session.execute(sa.select(Lead.url, Lead.seen_count))}
    assert counts == {"http://shop.example.test/p/1": 2, "http://r.example.test/old": 2}


def test_tip_photo_text_joins_the_tip_lead_not_a_second_lead(
    session: Session, store: EvidenceStore
) -> None:
    stored = store.put(b"photo sent with a tip")
    upload = Upload(sha256=stored.sha256, original_path=stored.relpath)
    session.add(upload)
    session.commit()
    tip = ingest_tip(
        session, store, TipCapture(text="楼道里贴的广告，请核查", upload_id=upload.id),
        detector=keyword_detect,
    )
    leads_before = session.scalar(sa.select(sa.func.count()).select_from(Lead))
    read = ingest_upload_text(
        session, store, UploadText(upload.id, "养老公寓投资 保本保息 月息3分"),
        detector=keyword_detect,
    )
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == leads_before
    assert read.lead_ids == tip.lead_ids and read.tip_id == tip.tip_id
    lead = session.get(Lead, tip.lead_ids[0])
    assert lead is not None and (lead.via, lead.url) == ("tip", f"tip:{tip.tip_id}")
    assert lead.text.startswith("楼道里贴的广告") and "保本保息" in lead.text
    assert lead.current_version == 2 and lead.evidence_sha256 == stored.sha256
    assert lead.categories  # scored on the photo's words too
    # Reading the same photo again is a sighting of that version, not a third one.
    again = ingest_upload_text(
        session, store, UploadText(upload.id, "养老公寓投资 保本保息 月息3分"),
        detector=keyword_detect,
    )
    assert (again.sightings, again.new_versions) == (1, 0)
