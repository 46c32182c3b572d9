"""Loading the lexicon: the bundled files are valid, and broken files are reported with the
file and the key that is wrong (rules.RuleFileError), never a KeyError or a traceback."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from rules import CATEGORIES, DetectorConfig, RuleFileError, detect, get_rule, load_lexicon
from rules.lexicon import DATA_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_lexicon_is_valid_and_complete() -> None:
    lexicon = load_lexicon()
    assert {r.category for r in lexicon.rules} == set(CATEGORIES)
    for rule in lexicon.rules:
        assert rule.basis.law and rule.basis.article and rule.basis.text
        dt.date.fromisoformat(rule.basis.version)
    assert lexicon.lpr_on(dt.date(2025, 6, 1)) == 3.0
    assert lexicon.lpr_on(dt.date(2025, 1, 1)) == 3.1


def test_get_rule_carries_article_text() -> None:
    rule = get_rule("guarantee.baoben")
    assert rule.category == "principal_guarantee"
    assert rule.basis.article == "第二十五条" and "保本" in rule.basis.text
    with pytest.raises(KeyError):
        get_rule("no.such.rule")


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("hot_concept.yaml", "weight: 0.5\n", "weight: high\n",
         "hot_concept.yaml: rules[0](hot.fintech).weight"),
        ("endorsement.yaml", "weight: 0.5\n", "weight: 1.5\n",
         "endorsement.yaml: rules[0](endorse.expert).weight"),
        ("return_promise.yaml", "kind: terms", "kind: fuzzy",
         "return_promise.yaml: rules[0](return.guaranteed).kind"),
        ("principal_guarantee.yaml", "basis: ad_law_25_1", "basis: nowhere",
         "principal_guarantee.yaml: rules[0](guarantee.baoben).basis"),
        ("public_solicitation.yaml", "    weight: 0.5\n", "    weigth: 0.5\n",
         "public_solicitation.yaml: rules[0](solicit.recruit).weigth"),
        ("return_promise.yaml", "(?:[\\d.]+|", "(?:[\\d.]+|(",
         "(return.payback).patterns[0]"),
        ("variants.yaml", "保本: [宝本,", "保本: [宝本本,", "variants.yaml: variants.保本[0]"),
        ("lpr.yaml", 'since: "2025-05-20"', 'since: "2025-13-20"', "lpr.yaml: one_year[1].since"),
        ("basis.yaml", '    version: "2021-04-29"\n', '    version: "April"\n',
         "basis.yaml: articles.ad_law_25_1.version"),
        ("scoring.yaml", "violation_score: 0.6", "violation_score: []",
         "scoring.yaml: violation_score"),
        ("context.yaml", "warning_threshold: 2", "warning_threshold: 0",
         "context.yaml: warning_threshold"),
        ("hot_concept.yaml", "category: hot_concept", "category: hot",
         "hot_concept.yaml: category"),
    ],
)
def test_broken_file_names_file_and_key(data_dir: Path, file: str, old: str, new: str,
                                        where: str) -> None:
    _edit(data_dir / file, old, new)
    with pytest.raises(RuleFileError) as info:
        load_lexicon(data_dir)
    assert where in str(info.value)
    assert info.value.file == file


def test_invalid_yaml_names_the_line(data_dir: Path) -> None:
    (data_dir / "endorsement.yaml").write_text("category: endorsement\nrules: [\n  - x: :\n",
                                               encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"endorsement.yaml: line \d+: invalid YAML"):
        load_lexicon(data_dir)


def test_missing_file(data_dir: Path) -> None:
    (data_dir / "lpr.yaml").unlink()
    with pytest.raises(RuleFileError, match=r"lpr\.yaml: file not found"):
        load_lexicon(data_dir)


def test_duplicate_rule_id(data_dir: Path) -> None:
    _edit(data_dir / "endorsement.yaml", "id: endorse.media", "id: endorse.expert")
    with pytest.raises(RuleFileError, match="duplicate rule id"):
        load_lexicon(data_dir)


def test_a_data_change_changes_detection(data_dir: Path) -> None:
    """Rules are data: adding a term to a file is all it takes (and the default lexicon is
    not affected)."""
    text = "加入金元宝计划，年年有余，投资收益看得见"
    assert not any(h.rule == "return.guaranteed" for h in detect(text).hits)
    _edit(data_dir / "return_promise.yaml", "terms: [稳赚不赔,", "terms: [年年有余, 稳赚不赔,")
    d = detect(text, DetectorConfig(lexicon_dir=data_dir))
    assert any(h.rule == "return.guaranteed" and h.text == "年年有余" for h in d.hits)
    assert d.violation
