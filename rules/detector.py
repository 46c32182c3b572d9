"""``detect(text)``: normalise, match, read context, score.

The decision follows the label policy in corpus/README.md and legal-basis.md:

* a keyword alone is not a violation: a violation needs a return promise or a principal
  guarantee of at least ``min_return_weight`` *and* a combined score of at least
  ``violation_score`` (scoring.yaml);
* any guarantee of principal or return in an investment context is a violation whatever
  the rate (广告法 第二十五条（一）);
* hits inside anti-fraud warnings, negated hits (不承诺保本) and — in texts carrying a
  licensed product's risk disclosure — stated rates and weak words do not count;
* every violation has ``return_promise`` (利诱性 is an element of 非法集资, 条例 第二条);
* rates are tiered 6 / 8 / 10 % and 4 × LPR (超过司法保护上限).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import threading
from collections import Counter
from dataclasses import dataclass, field

from rules.context import ContextReader, TextContext
from rules.lexicon import CATEGORIES, Lexicon, default_lexicon, load_lexicon
from rules.matcher import MAX_RAW, Matcher, RawMatch
from rules.model import Detection, DetectorConfig, Hit, Suppressed
from rules.normalize import Normalized, Normalizer
from rules.normalize import warm_up as warm_up_normalizer
from rules.rates import RateClaim
from rules.returns import ReturnExtractor
from rules.segment import Segmenter

_DISCLOSURE_KEEPS = 0.9  # in a disclosed product, only hits this strong still count
_GUARANTEE_REACH = 120  # characters between a guarantee and the disclosure it overrides
#: Evidence kept per rule. A reviewer needs a few highlights, not every repetition: a 5 MB
#: page of one ad repeated would otherwise list hundreds of thousands of identical hits.
MAX_EVIDENCE_PER_RULE = 100


@dataclass
class _Evidence:
    """Hits and suppressed hits of one text, with per-rule counts for the evidence cap."""

    hits: list[Hit] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    active: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


class Engine:
    """Everything compiled from one lexicon; shared by all threads (read-only after init)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.normalizer = Normalizer(lexicon.variants, lexicon.keep, lexicon.spelled)
        self.context = ContextReader(lexicon.context)
        self.returns = ReturnExtractor(lexicon.returns)
        # the return extractor's window-opening words ride on the matcher's one pass
        cues = {**self.context.cue_words(), "returnish": self.returns.returnish_words}
        self.matcher = Matcher(lexicon.rules, cues)
        self.segmenter = Segmenter(domain_terms_of(lexicon))
        self.rate_rule = next((r for r in lexicon.rules if r.kind == "rate"), None)

    def warm_up(self) -> None:
        """Build everything built lazily (translation tables, jieba's dictionary)."""
        warm_up_normalizer()
        self.segmenter.warm_up()

    # -- hits --------------------------------------------------------------------
    def _hit(self, norm: Normalized, rule_id: str, category: str, basis: str, start: int,
             end: int, weight: float, rate: float | None = None) -> Hit:
        o_start, o_end = norm.original_span(start, end)
        return Hit(category=category, rule=rule_id, start=o_start, end=o_end,
                   text=norm.original[o_start:o_end], basis=basis, weight=weight, rate=rate)

    def _why_not(self, m: RawMatch, ctx: TextContext, text: str) -> str | None:
        """Reason a raw match does not count, or None when it does."""
        if ctx.warning_doc:
            return "warning"
        if m.rule.requires == "investment" and not ctx.investment:
            return "no_investment_context"
        if self.context.negated(text, m.start):
            return "negated"
        if ctx.in_warning_sentence(m.start, m.end):
            return "warning"
        if ctx.disclosure and m.rule.weight < _DISCLOSURE_KEEPS:
            return "disclosure"
        if m.rule.boundary and not self.segmenter.is_word(text, m.start, m.end):
            return "word_boundary"
        return None

    def _guaranteed(self, raw: list[RawMatch], ctx: TextContext, text: str,
                    disclosures: list[tuple[int, int, str]]) -> bool:
        """Whether an explicit guarantee of principal (保本保息, 亏损全赔) stands near a
        disclosure, unnegated and outside warnings: such an ad is no licensed product,
        whatever disclosure it quotes. (On a long page an unrelated disclosure elsewhere
        keeps its effect.)"""
        strong = [m for m in raw if m.rule.weight >= _DISCLOSURE_KEEPS
                  and m.rule.category == "principal_guarantee"]
        if not strong:
            return False
        starts = sorted(d_start for d_start, _, _ in disclosures)
        for m in strong:
            i = bisect.bisect_left(starts, m.start - _GUARANTEE_REACH)
            if (i < len(starts) and starts[i] <= m.start + _GUARANTEE_REACH
                    and self._why_not(m, ctx, text) is None):
                return True
        return False

    def _claim_why_not(self, c: RateClaim, ctx: TextContext, text: str) -> str | None:
        if ctx.warning_doc:
            return "warning"
        if self.context.negated(text, c.start):
            return "negated"
        if ctx.in_warning_sentence(c.start, c.end):
            return "warning"
        if ctx.disclosure:
            return "disclosure"
        return None

    # -- detection ---------------------------------------------------------------
    def detect(self, text: str, config: DetectorConfig) -> Detection:
        norm = self.normalizer(text)
        t = norm.text
        scan = self.matcher.scan(t)
        raw = _dedupe(scan.matches)
        returnish = scan.cues.get("returnish", [])
        # a capped list (MAX_RAW) may miss windows: let the extractor search itself then
        spans = returnish if len(returnish) < MAX_RAW else None
        if raw:
            # context first: in an anti-fraud warning every claim would be suppressed as
            # "warning", so the claims are not read at all (they are not listed either)
            ctx = self.context.read(t, scan.cues, has_claims=False)
            claims = [] if ctx.warning_doc else self.returns.extract(t, spans)
            ctx.investment = ctx.investment or bool(claims)
        else:
            claims = self.returns.extract(t, spans)
            if not claims:
                return Detection(False, "none", 0.0, [], None, [])
            ctx = self.context.read(t, scan.cues, has_claims=True)
        if not ctx.investment:
            ctx.investment = any(m.rule.category == "return_promise" and m.rule.requires is None
                                 for m in raw)
        if ctx.disclosure and self._guaranteed(raw, ctx, t, scan.cues.get("disclosure", [])):
            ctx.disclosure = []  # a disclosure beside 保本保息 is window dressing, not a licence
        evidence = _Evidence()
        for m in raw:
            self._judge_match(m, norm, ctx, evidence)
        rate = self._judge_claims(claims, norm, ctx, evidence)
        evidence.hits.sort(key=lambda h: (h.start, h.end))
        return self._score(evidence.hits, evidence.suppressed, rate, ctx, config)

    def _judge_match(self, m: RawMatch, norm: Normalized, ctx: TextContext,
                     evidence: _Evidence) -> None:
        """File one raw match as a hit or as suppressed (with its reason)."""
        rule = m.rule
        if evidence.active[rule.id] >= MAX_EVIDENCE_PER_RULE:
            return  # more of the same changes neither the score nor the categories
        reason = self._why_not(m, ctx, norm.text)
        if reason is None:
            evidence.active[rule.id] += 1
            evidence.hits.append(self._hit(norm, rule.id, rule.category, rule.basis.cite,
                                           m.start, m.end, rule.weight))
        elif evidence.dropped[rule.id] < MAX_EVIDENCE_PER_RULE:
            evidence.dropped[rule.id] += 1
            hit = self._hit(norm, rule.id, rule.category, rule.basis.cite, m.start, m.end,
                            rule.weight)
            evidence.suppressed.append(Suppressed(hit, reason))

    def _judge_claims(self, claims: list[RateClaim], norm: Normalized, ctx: TextContext,
                      evidence: _Evidence) -> float | None:
        """File rate claims; return the highest rate that counts (or None)."""
        rule = self.rate_rule
        if rule is None:
            return None
        rate: float | None = None
        for c in claims:
            reason = self._claim_why_not(c, ctx, norm.text)
            if reason is None:
                higher = rate is None or c.rate > rate
                rate = c.rate if rate is None else max(rate, c.rate)
                if evidence.active[rule.id] >= MAX_EVIDENCE_PER_RULE and not higher:
                    continue
                evidence.active[rule.id] += 1
            elif evidence.dropped[rule.id] < MAX_EVIDENCE_PER_RULE:
                evidence.dropped[rule.id] += 1
            else:
                continue
            hit = self._hit(norm, rule.id, rule.category, rule.basis.cite, c.start, c.end,
                            rule.weight, c.rate)
            if reason is None:
                evidence.hits.append(hit)
            else:
                evidence.suppressed.append(Suppressed(hit, reason))
        return rate

    def _score(self, hits: list[Hit], suppressed: list[Suppressed], rate: float | None,
               ctx: TextContext, config: DetectorConfig) -> Detection:
        scoring = self.lexicon.scoring
        per_rule: dict[str, float] = {}
        for h in hits:
            if h.rate is None:
                per_rule[h.rule] = max(per_rule.get(h.rule, 0.0), h.weight)
        notes: list[str] = []
        rate_risk = "none"
        if rate is not None:
            tier = next((t for t in reversed(scoring.tiers) if rate >= t.min), scoring.tiers[0])
            rate_weight, rate_risk = tier.weight, tier.risk
            if rate >= self.high_return_threshold(config):
                rate_weight, rate_risk = scoring.ceiling_weight, scoring.ceiling_risk
                notes.append(f"{scoring.ceiling_note}（{scoring.ceiling_basis.cite}）")
            per_rule["rate"] = rate_weight
        remaining = 1.0
        for weight in per_rule.values():
            remaining *= 1.0 - weight
        score = 1.0 - remaining
        money_weight = max((w for rule_id, w in per_rule.items()
                            if rule_id == "rate" or self._money_rule(rule_id)), default=0.0)
        threshold = (scoring.violation_score if config.violation_score is None
                     else config.violation_score)
        violation = (not ctx.warning_doc and score >= threshold
                     and money_weight >= scoring.min_return_weight)
        context = ["warning"] if ctx.warning_doc else []
        context += ["disclosure"] if ctx.disclosure else []
        if not violation:
            return Detection(False, "low" if hits else "none", min(score, threshold - 0.01) if hits
                             else 0.0, [], None, hits, suppressed, notes, context)
        found = {h.category for h in hits} | {"return_promise"}
        categories = [c for c in CATEGORIES if c in found]
        high = (score >= scoring.high_score or rate_risk == "high"
                or "principal_guarantee" in found)
        return Detection(True, "high" if high else "medium", score, categories, rate, hits,
                         suppressed, notes, context)

    def _money_rule(self, rule_id: str) -> bool:
        rule = self.lexicon.by_id.get(rule_id)
        return rule is not None and rule.category in ("return_promise", "principal_guarantee")

    def high_return_threshold(self, config: DetectorConfig) -> float:
        """Percent a year above which a return is beyond judicial protection (4 × LPR)."""
        if config.high_return_threshold is not None:
            return config.high_return_threshold
        lpr = config.lpr if config.lpr is not None else self.lexicon.lpr_on(
            config.on_date or dt.date.today())
        return config.lpr_multiple * lpr


def _dedupe(matches: list[RawMatch]) -> list[RawMatch]:
    """Drop a match inside a longer match of the same category (保本 inside 保本保息)."""
    matches.sort(key=lambda m: (m.start, -(m.end - m.start), -m.rule.weight))
    kept: list[RawMatch] = []
    reach: dict[str, int] = {}
    for m in matches:
        if reach.get(m.rule.category, -1) >= m.end:
            continue
        kept.append(m)
        reach[m.rule.category] = max(reach.get(m.rule.category, -1), m.end)
    return kept


def domain_terms_of(lexicon: Lexicon) -> list[str]:
    """Multi-character literal terms of every rule (jieba's user dictionary)."""
    words = {t for r in lexicon.rules for t in r.terms if len(t) >= 2}
    words.update(w for w in lexicon.context.warning_terms if len(w) >= 2)
    words.update(w for w in lexicon.enterprise.restricted + lexicon.enterprise.watch)
    return sorted(words)


_ENGINES: dict[object, Engine] = {}
_LOCK = threading.Lock()


def engine_for(config: DetectorConfig | None = None) -> Engine:
    """The engine for ``config.lexicon_dir`` (bundled data by default), built once."""
    key = config.lexicon_dir if config is not None else None
    engine = _ENGINES.get(key)
    if engine is None:
        with _LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                lexicon = default_lexicon() if key is None else load_lexicon(key)
                engine = Engine(lexicon)
                _ENGINES[key] = engine
    return engine


@functools.lru_cache(maxsize=1)
def _default_config() -> DetectorConfig:
    return DetectorConfig()


def detect(text: str, config: DetectorConfig | None = None) -> Detection:
    """Detect illegal-fundraising advertising in ``text`` (pure; safe from many threads)."""
    cfg = config or _default_config()
    return engine_for(cfg).detect(text, cfg)
