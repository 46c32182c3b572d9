"""Named YAML cases (urlwatch style): rate conventions, contexts and the held-out set.

Each case in tests/rules/data/*.yaml becomes one test named after it, so a failing case
says which phrasing broke. Add a case with every lexicon change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rules import detect

DATA = Path(__file__).parent / "data"


def _cases(name: str) -> list[Any]:
    """Cases of one file; a case with ``xfail: reason`` is a known miss, kept with its true
    label (strict: once the detector gets it right the marker must go)."""
    cases = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["cases"]
    return [pytest.param(c, id=str(c.get("name") or c.get("id")),
                         marks=[pytest.mark.xfail(reason=str(c["xfail"]), strict=True)]
                         if c.get("xfail") else [])
            for c in cases]


@pytest.mark.parametrize("case", _cases("rates.yaml"))
def test_rate_convention(case: dict[str, Any]) -> None:
    d = detect(case["text"])
    if case["rate"] is None:
        assert d.annualized_return is None, d
        assert not any(h.rule == "return.stated_rate" for h in d.hits), d.hits
    else:
        assert d.annualized_return == pytest.approx(case["rate"], rel=0.01), d


@pytest.mark.parametrize("case", _cases("context.yaml"))
def test_context_case(case: dict[str, Any]) -> None:
    d = detect(case["text"])
    assert d.violation is case["violation"], d
    for category in case.get("categories", []):
        assert category in d.categories, (category, d)
    if not case["violation"]:
        assert d.categories == [] and d.annualized_return is None
        assert d.score < 0.6 and d.risk in ("low", "none")


HELDOUT = [p for f in sorted(DATA.glob("heldout*.yaml")) for p in _cases(f.name)]


@pytest.mark.parametrize("case", HELDOUT)
def test_heldout_case(case: dict[str, Any]) -> None:
    d = detect(case["text"])
    assert d.violation is case["violation"], d
    if case.get("rate") is not None:
        assert d.annualized_return == pytest.approx(case["rate"], rel=0.1), d
