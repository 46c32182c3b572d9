"""The lexicon: rules, legal basis, context cues and thresholds, loaded from ``rules/data``.

Rule *kinds* are code (``terms``: literal words, matched with Aho-Corasick; ``pattern``:
regular expressions; ``rate``: the return-claim extractor in ``rules.returns``); the data
files say which kind each rule is and carry its words, weight and legal basis. Loading
checks every file against these kinds and raises ``RuleFileError`` naming file and key.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from rules.checks import Node, load_yaml
from rules.errors import RuleFileError
from rules.trie import word_regex

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Category ids in the fixed order used by detections, leads and the corpus.
CATEGORIES: tuple[str, ...] = (
    "return_promise",
    "principal_guarantee",
    "hot_concept",
    "endorsement",
    "public_solicitation",
)
RULE_KINDS = {"terms", "pattern", "rate"}
REQUIRES = {"investment"}
_RULE_KEYS = {"id", "name", "kind", "weight", "basis", "requires", "boundary", "terms",
              "patterns", "except", "anchors"}
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Basis:
    """A legal provision a hit cites (法律依据), with its text and version date."""

    key: str
    law: str
    article: str
    item: str
    version: str
    cite: str
    text: str


@dataclass(frozen=True)
class Rule:
    """One lexicon rule: a family of phrasings for one category."""

    id: str
    category: str
    name: str
    kind: str
    weight: float
    basis: Basis
    terms: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    requires: str | None = None
    boundary: bool = False
    excepts: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()  # pattern rules: words every match is near (speed only)
    file: str = ""


@dataclass(frozen=True)
class ContextCues:
    """Warning, disclosure, negation and investment cues (context.yaml)."""

    warning_terms: tuple[str, ...]
    warning_patterns: tuple[re.Pattern[str], ...]
    warning_threshold: int
    disclosure_terms: tuple[str, ...]
    negation: re.Pattern[str]  # matches at the end of the text before a hit
    negation_window: int
    denial: re.Pattern[str]  # matches at the end of the text before a warning word
    investment_terms: tuple[str, ...]


@dataclass(frozen=True)
class ReturnCues:
    """Words for return-claim extraction (returns.yaml)."""

    periods: dict[str, float]
    rate_words: dict[str, str]  # word -> period name
    return_words: tuple[str, ...]
    principal_verbs: tuple[str, ...]
    payout_verbs: tuple[str, ...]
    exclude_before: tuple[str, ...]
    exclude_after: tuple[str, ...]


@dataclass(frozen=True)
class RateTier:
    """A step of the rate ladder: from ``min`` percent a year on."""

    min: float
    weight: float
    risk: str


@dataclass(frozen=True)
class Scoring:
    """Thresholds and rate tiers (scoring.yaml)."""

    tiers: tuple[RateTier, ...]
    ceiling_weight: float
    ceiling_risk: str
    ceiling_note: str
    ceiling_basis: Basis
    violation_score: float
    min_return_weight: float
    high_score: float


@dataclass(frozen=True)
class EnterpriseTerms:
    """条例 第九条 words for names and business scopes (enterprise.yaml)."""

    restricted: tuple[str, ...]
    restricted_basis: Basis
    watch: tuple[str, ...]
    watch_basis: Basis
    excepts: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Everything the detector reads from data files."""

    rules: tuple[Rule, ...]
    basis: dict[str, Basis]
    variants: dict[str, str]
    keep: tuple[str, ...]
    context: ContextCues
    returns: ReturnCues
    scoring: Scoring
    lpr: tuple[tuple[dt.date, float], ...]
    enterprise: EnterpriseTerms
    by_id: dict[str, Rule] = field(default_factory=dict)
    #: pinyin-mixed spellings (bao本) → the word padded with filler to the same length
    spelled: dict[str, str] = field(default_factory=dict)

    def lpr_on(self, day: dt.date) -> float:
        """The one-year LPR in force on ``day`` (the latest entry on or before it)."""
        rate = self.lpr[0][1]
        for since, value in self.lpr:
            if since <= day:
                rate = value
        return rate


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Load and validate every data file in ``directory`` (default: ``rules/data``)."""
    root = directory or DATA_DIR
    basis = _load_basis(load_yaml(root / "basis.yaml"))
    rules: list[Rule] = []
    for category in CATEGORIES:
        rules.extend(_load_rules(load_yaml(root / f"{category}.yaml"), category, basis))
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise RuleFileError(rule.file, f"rules (id {rule.id})",
                                f"duplicate rule id (also in {by_id[rule.id].file})")
        by_id[rule.id] = rule
    variants_doc = load_yaml(root / "variants.yaml")
    variants, keep = _load_variants(variants_doc)
    return Lexicon(
        rules=tuple(rules),
        basis=basis,
        variants=variants,
        keep=keep,
        context=_load_context(load_yaml(root / "context.yaml")),
        returns=_load_returns(load_yaml(root / "returns.yaml")),
        scoring=_load_scoring(load_yaml(root / "scoring.yaml"), basis),
        lpr=_load_lpr(load_yaml(root / "lpr.yaml")),
        enterprise=_load_enterprise(load_yaml(root / "enterprise.yaml"), basis),
        by_id=by_id,
        spelled=_load_pinyin(variants_doc),
    )


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The bundled lexicon, loaded once per process."""
    return load_lexicon()


def _basis_ref(node: Node, basis: dict[str, Basis]) -> Basis:
    key = node.text()
    if key not in basis:
        raise node.error(f"unknown legal basis {key!r} (define it in basis.yaml)")
    return basis[key]


def _load_basis(doc: Node) -> dict[str, Basis]:
    out: dict[str, Basis] = {}
    for key, node in doc.get("articles").items():
        node.only_keys({"law", "article", "item", "version", "cite", "text"})
        version = node.get("version").text()
        try:
            dt.date.fromisoformat(version)
        except ValueError:
            raise node.get("version").error("expected a date YYYY-MM-DD") from None
        out[key] = Basis(
            key=key, law=node.get("law").text(), article=node.get("article").text(),
            item=node.get("item", "").text(allow_empty=True), version=version,
            cite=node.get("cite").text(), text=" ".join(node.get("text").text().split()),
        )
    return out


def _load_rules(doc: Node, category: str, basis: dict[str, Basis]) -> list[Rule]:
    doc.only_keys({"category", "rules"})
    if doc.get("category").text() != category:
        raise doc.get("category").error(f"expected {category!r} (the file name)")
    rules = []
    for node in doc.get("rules").children():
        rule_id = node.get("id").text()
        if not _ID.match(rule_id):
            raise node.get("id").error("expected a dotted lower-case id such as guarantee.baoben")
        # name the rule in later messages: rules[6](return.payback).patterns[0]
        node = Node(node.file, f"{node.key}({rule_id})", node.value)
        node.only_keys(_RULE_KEYS)
        kind = node.get("kind").choice(RULE_KINDS)
        terms: tuple[str, ...] = ()
        patterns: tuple[re.Pattern[str], ...] = ()
        if kind == "terms":
            terms = tuple(node.get("terms").strings())
        elif kind == "pattern":
            patterns = tuple(p.regex() for p in node.get("patterns").children())
            if not patterns:
                raise node.get("patterns").error("must list at least one pattern")
        if node.has("anchors") and kind != "pattern":
            raise node.get("anchors").error("only pattern rules take anchors")
        for extra in ("terms", "patterns"):
            if node.has(extra) and extra != {"terms": "terms", "pattern": "patterns"}.get(kind):
                raise node.get(extra).error(f"not used by kind {kind!r}")
        requires = node.get("requires").choice(REQUIRES) if node.has("requires") else None
        rules.append(Rule(
            id=rule_id, category=category, name=node.get("name").text(), kind=kind,
            weight=node.get("weight").number(0.0, 1.0),
            basis=_basis_ref(node.get("basis"), basis), terms=terms, patterns=patterns,
            requires=requires,
            boundary=node.get("boundary", False).boolean(),
            excepts=tuple(node.get("except").strings()) if node.has("except") else (),
            anchors=tuple(node.get("anchors").strings()) if node.has("anchors") else (),
            file=doc.file,
        ))
    return rules


def _load_pinyin(doc: Node) -> dict[str, str]:
    """bao本 → 保__本: every listed word with some (not all) characters as pinyin."""
    if not doc.has("pinyin"):
        return {}
    node = doc.get("pinyin")
    node.only_keys({"syllables", "words"})
    syllables = {str(k): str(v.text()).lower() for k, v in node.get("syllables").items()}
    spelled: dict[str, str] = {}
    for item in node.get("words").children():
        word = item.text()
        for mask in itertools.product((False, True), repeat=len(word)):
            if not any(mask) or all(mask):
                continue
            if any(m and ch not in syllables for ch, m in zip(word, mask, strict=True)):
                continue
            variant = "".join(syllables[ch] if m else ch for ch, m in zip(word, mask, strict=True))
            padded = "".join(ch + "_" * (len(syllables[ch]) - 1) if m else ch
                             for ch, m in zip(word, mask, strict=True))
            spelled.setdefault(variant, padded)
    return spelled


def _load_variants(doc: Node) -> tuple[dict[str, str], tuple[str, ...]]:
    doc.only_keys({"variants", "keep", "pinyin"})
    variants: dict[str, str] = {}
    for canonical, node in doc.get("variants").items():
        for item in node.children():
            variant = item.text().lower()
            if len(variant) != len(canonical):
                raise item.error(f"{variant!r} must have as many characters as {canonical!r}")
            variants[variant] = canonical
    keep = tuple(doc.get("keep").strings()) if doc.has("keep") else ()
    return variants, keep


def _load_context(doc: Node) -> ContextCues:
    doc.only_keys({"warning_threshold", "warning", "disclosure", "negation", "investment"})
    warning = doc.get("warning")
    negation = doc.get("negation")
    negators = sorted(negation.get("negators").strings(), key=len, reverse=True)
    verbs = sorted(negation.get("verbs").strings(), key=len, reverse=True)
    neg = re.compile(
        "(?:" + word_regex(negators) + ")"
        "(?:" + word_regex(verbs) + ")*$"
    )
    return ContextCues(
        warning_terms=tuple(warning.get("terms").strings()),
        warning_patterns=tuple(p.regex() for p in warning.get("patterns", []).children()),
        warning_threshold=int(doc.get("warning_threshold").number(1, 100)),
        disclosure_terms=tuple(doc.get("disclosure").get("terms").strings()),
        negation=neg,
        negation_window=int(negation.get("window").number(1, 30)),
        denial=re.compile("(?:" + word_regex(negation.get("denials").strings()) + ")$"),
        investment_terms=tuple(doc.get("investment").get("terms").strings()),
    )


def _load_returns(doc: Node) -> ReturnCues:
    periods = {name: node.number(0.01, 1000) for name, node in doc.get("periods").items()}
    rate_words: dict[str, str] = {}
    for period, node in doc.get("rate_words").items():
        if period not in periods:
            raise node.error(f"unknown period (define it under periods: {', '.join(periods)})")
        for word in node.strings():
            rate_words[word] = period
    return ReturnCues(
        periods=periods,
        rate_words=rate_words,
        return_words=tuple(doc.get("return_words").strings()),
        principal_verbs=tuple(doc.get("principal_verbs").strings()),
        payout_verbs=tuple(doc.get("payout_verbs").strings()),
        exclude_before=tuple(doc.get("exclude_before").strings()),
        exclude_after=tuple(doc.get("exclude_after").strings()),
    )


def _load_scoring(doc: Node, basis: dict[str, Basis]) -> Scoring:
    risks = {"low", "medium", "high"}
    tiers = []
    for node in doc.get("rate_tiers").children():
        node.only_keys({"min", "weight", "risk"})
        tiers.append(RateTier(node.get("min").number(0, 100000), node.get("weight").number(0, 1),
                              node.get("risk").choice(risks)))
    if not tiers or any(a.min >= b.min for a, b in itertools.pairwise(tiers)):
        raise doc.get("rate_tiers").error("tiers must be listed with rising `min`")
    ceiling = doc.get("ceiling")
    return Scoring(
        tiers=tuple(tiers),
        ceiling_weight=ceiling.get("weight").number(0, 1),
        ceiling_risk=ceiling.get("risk").choice(risks),
        ceiling_note=ceiling.get("note").text(),
        ceiling_basis=_basis_ref(ceiling.get("basis"), basis),
        violation_score=doc.get("violation_score").number(0, 1),
        min_return_weight=doc.get("min_return_weight").number(0, 1),
        high_score=doc.get("high_score").number(0, 1),
    )


def _load_lpr(doc: Node) -> tuple[tuple[dt.date, float], ...]:
    entries = []
    for node in doc.get("one_year").children():
        node.only_keys({"since", "rate"})
        try:
            since = dt.date.fromisoformat(node.get("since").text())
        except ValueError:
            raise node.get("since").error("expected a date YYYY-MM-DD") from None
        entries.append((since, node.get("rate").number(0.01, 50)))
    if not entries:
        raise doc.get("one_year").error("must list at least one dated rate")
    return tuple(sorted(entries))


def _load_enterprise(doc: Node, basis: dict[str, Basis]) -> EnterpriseTerms:
    restricted = doc.get("restricted")
    watch = doc.get("watch")
    return EnterpriseTerms(
        restricted=tuple(restricted.get("terms").strings()),
        restricted_basis=_basis_ref(restricted.get("basis"), basis),
        watch=tuple(watch.get("terms").strings()),
        watch_basis=_basis_ref(watch.get("basis"), basis),
        excepts=tuple(watch.get("except").strings()) if watch.has("except") else (),
    )
