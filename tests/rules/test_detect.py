"""The detect() contract other packages code against, scoring, thresholds, enterprises."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from rules import (
    CATEGORIES,
    Detection,
    DetectorConfig,
    Hit,
    detect,
    domain_terms,
    scan_enterprise,
)


def test_to_dict_is_exactly_the_cli_object() -> None:
    d = detect("年化18%，保本保息，一万元起投")
    out = d.to_dict()
    assert list(out) == ["violation", "risk", "score", "categories", "annualized_return", "hits"]
    assert out["violation"] is True and out["risk"] == "high"
    assert out["annualized_return"] == 18.0
    assert out["categories"] == ["return_promise", "principal_guarantee", "public_solicitation"]
    for hit in out["hits"]:
        assert list(hit) == ["category", "rule", "start", "end", "text", "basis"]
        assert hit["basis"].startswith("《") or "法释" in hit["basis"]


def test_categories_follow_the_fixed_order() -> None:
    d = detect("扫码进群！知名教授推荐区块链项目，保本保息，月息3分")
    assert d.categories == [c for c in CATEGORIES if c in d.categories]
    assert set(d.categories) == set(CATEGORIES)


def test_clean_text_is_none() -> None:
    d = detect("今天天气晴朗，适合带孩子去公园散步。")
    assert d == Detection(False, "none", 0.0, [], None, [])


def test_keyword_alone_is_low_risk_not_violation() -> None:
    d = detect("原始股是什么？一文读懂股权投资的基本概念")
    assert not d.violation and d.risk == "low" and d.categories == []
    assert any(isinstance(h, Hit) and h.category == "hot_concept" for h in d.hits)


def test_rate_tiers_set_the_risk() -> None:
    low = detect("合作项目年化7%，欢迎咨询")
    assert low.violation and low.risk == "medium"
    high = detect("合作项目年化11%，欢迎咨询")
    assert high.violation and high.risk == "high"


def test_ceiling_note_uses_four_times_lpr() -> None:
    d = detect("合作项目年化12.5%，欢迎咨询", DetectorConfig(on_date=dt.date(2025, 6, 1)))
    assert any("超过司法保护上限" in note for note in d.notes)
    below = detect("合作项目年化12.2%，欢迎咨询", DetectorConfig(on_date=dt.date(2025, 1, 1)))
    assert not below.notes  # 4 × 3.10 % = 12.4 % before 2025-05-20
    custom = detect("合作项目年化9%，欢迎咨询", DetectorConfig(high_return_threshold=8.0))
    assert custom.notes


def test_guarantee_at_any_rate_is_a_violation() -> None:
    d = detect("年化3%，保本保息，稳健投资首选")
    assert d.violation and "principal_guarantee" in d.categories


def test_suppressed_hits_say_why() -> None:
    d = detect("本产品不承诺保本，投资须谨慎")
    assert not d.violation
    reasons = {s.reason for s in d.suppressed}
    assert "negated" in reasons or "disclosure" in reasons


def test_thread_safe_and_deterministic() -> None:
    texts = ["年化18%，保本保息", "警惕保本保息骗局，切勿相信", "满100减20", "投1万每月返800"] * 50
    expected = [detect(t).to_dict() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: detect(t).to_dict(), texts))
    assert got == expected


def test_five_megabyte_single_text_is_handled_quickly() -> None:
    chunk = "社区公告：本周六上午在活动中心举办便民服务，欢迎参加。" * 10
    text = (chunk * (5_000_000 // len(chunk.encode("utf-8")) + 1)) + "最后一句：年化18%，保本保息。"
    start = time.perf_counter()
    d = detect(text)
    assert time.perf_counter() - start < 15
    assert d.violation
    hit = next(h for h in d.hits if h.rule == "guarantee.baoben")
    assert text[hit.start:hit.end] == "保本保息"


def test_domain_terms_are_multi_character() -> None:
    terms = domain_terms()
    assert "售后返租" in terms and "以房养老" in terms
    assert all(len(t) >= 2 for t in terms)


def test_word_boundaries_use_jieba() -> None:
    assert not any(h.rule == "hot.fund_word" for h in detect("慈善基金会投资助学项目").hits)
    assert any(h.rule == "hot.fund_word" for h in detect("购买私人基金，投资收益高").hits)


def test_scan_enterprise_name_and_scope() -> None:
    hits = scan_enterprise("某某财富管理有限公司", "投资咨询；资产管理；区块链技术开发")
    found = {(h.term, h.field, h.level) for h in hits}
    assert ("财富管理", "name", "restricted") in found
    assert ("投资咨询", "business_scope", "watch") in found
    assert ("资产管理", "business_scope", "watch") in found
    assert ("区块链", "business_scope", "watch") in found
    assert all(h.basis == "《防范和处置非法集资条例》第九条" for h in hits)
    name = "某某财富管理有限公司"
    first = next(h for h in hits if h.field == "name")
    assert name[first.start:first.end] == "财富管理"


def test_scan_enterprise_ignores_ordinary_words() -> None:
    assert scan_enterprise("阳光养老院") == []
    assert scan_enterprise("城南儿童基金会") == []
    assert [h.term for h in scan_enterprise("金融街餐饮店")] == ["金融"]


def test_dense_five_megabyte_text_stays_bounded() -> None:
    """One ad pasted over and over (5 MB): evidence is capped per rule, time stays bounded."""
    ad = "年化18%，保本保息，投1万每月返800，稳赚不赔，扫码进群。"
    text = ad * (5_000_000 // len(ad.encode("utf-8")) + 1)
    start = time.perf_counter()
    d = detect(text)
    assert time.perf_counter() - start < 30
    assert d.violation and d.annualized_return == 96.0
    per_rule: dict[str, int] = {}
    for hit in d.hits:
        per_rule[hit.rule] = per_rule.get(hit.rule, 0) + 1
    assert max(per_rule.values()) <= 100
    assert all(text[h.start:h.end] == h.text for h in d.hits)
