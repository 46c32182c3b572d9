"""Half-month periods and campaign phases (no database)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from monitor.errors import ConfigError
from monitor.reports.campaign import DEFAULT_PHASES, load_campaign
from monitor.reports.period import Period


@pytest.mark.parametrize(
    ("as_of", "start", "partial"),
    [
        (date(2026, 11, 15), date(2026, 11, 1), False),
        (date(2026, 11, 30), date(2026, 11, 16), False),
        (date(2026, 11, 29), date(2026, 11, 16), True),
        (date(2026, 11, 1), date(2026, 11, 1), True),
        (date(2028, 2, 29), date(2028, 2, 16), False),  # leap year
        (date(2026, 2, 28), date(2026, 2, 16), False),
        (date(2026, 12, 31), date(2026, 12, 16), False),
    ],
)
def test_half_month(as_of: date, start: date, partial: bool) -> None:
    period = Period.ending(as_of)
    assert (period.start, period.end, period.partial) == (start, as_of, partial)


def test_bounds_are_office_local() -> None:
    begin, end = Period.ending(date(2026, 11, 15)).bounds()
    assert begin.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert Period.ending(date(2026, 11, 15)).label == "2026年11月上半月"


def test_default_campaign_phases() -> None:
    campaign = load_campaign(None)
    assert campaign.phases == DEFAULT_PHASES
    phase = campaign.phase_on(date(2026, 9, 15))
    assert phase is not None and phase.label == "集中排查"
    assert campaign.describe(date(2026, 12, 20)).startswith("总结验收阶段")
    assert "下一阶段：集中排查" in campaign.describe(date(2026, 1, 1))
    assert campaign.describe(date(2027, 1, 1)) == "专项行动各阶段已结束"


def test_configured_phases_from_settings() -> None:
    phases = [
        {"key": "investigation", "label": "集中排查", "start": "2027-03-01", "end": "2027-04-30"},
        {"key": "remediation", "label": "风险整治", "start": "2027-05-01", "end": "2027-08-31"},
    ]
    campaign = load_campaign(SimpleNamespace(campaign_phases=json.dumps(phases)))
    assert [p.key for p in campaign.phases] == ["investigation", "remediation"]
    assert campaign.phase_on(date(2027, 5, 1)).label == "风险整治"  # type: ignore[union-attr]
    assert load_campaign(SimpleNamespace(campaign_phases=phases)).phases == campaign.phases


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("not json", "invalid campaign_phases"),
        ([{"key": "a", "label": "甲", "start": "2027-05-01", "end": "2027-04-01"}], "before"),
        (
            [
                {"key": "a", "label": "甲", "start": "2027-01-01", "end": "2027-03-01"},
                {"key": "b", "label": "乙", "start": "2027-02-01", "end": "2027-04-01"},
            ],
            "overlap",
        ),
    ],
)
def test_bad_phase_config_is_a_config_error(raw: object, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_campaign(SimpleNamespace(campaign_phases=raw))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 15), True),
        (date(2026, 11, 30), True),
        (date(2026, 11, 29), False),
        (date(2028, 2, 29), True),
        (date(2026, 2, 28), True),
        (date(2026, 12, 1), False),
    ],
)
def test_report_days(day: date, expected: bool) -> None:
    from monitor.reports import is_report_day

    assert is_report_day(day) is expected
