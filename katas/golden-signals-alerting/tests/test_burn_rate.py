"""R2: errors page by SLO burn rate, over two window pairs. Each check is an incident
played into the alarm drill; the error budget is 0.1 % of requests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import DAY, NIGHT, metrics_watched

FAST_BURN_PAGES_WITHIN = 6
RECOVERS_WITHIN = 10
SLOW_BURN_HOURS = 6


@pytest.mark.requirement("R2")
def test_a_fifth_of_night_requests_failing_pages(incident):
    """R2 rate: 6 failures a minute out of 30 is 20 %, whatever the raw count."""
    night = incident("night-errors", NIGHT, [(15, replace(NIGHT, failures=6))])
    night.check_evaluable()
    paged = night.notified(night.pager_arn)
    assert paged and night.minute(paged[0]) <= 10, (
        "R2 rate: 20 % of 30 requests a minute failing at night must page (within 10 "
        f"minutes): {night.describe_pages()} (an error count is small at night: use "
        "5XXError / Count)"
    )


@pytest.mark.requirement("R2")
def test_normal_error_rate_at_peak_pages_nobody(incident):
    """R2 rate: 10 failures a minute out of 20 000 is 0.05 %, half the budget's rate."""
    peak = incident("peak", DAY, [(60, replace(DAY, requests=20000, failures=10))])
    peak.check_evaluable()
    assert not peak.notified(peak.pager_arn) and not peak.alarm_pages(), (
        "R2 rate: 10 failures a minute out of 20 000 (0.05 %) for an hour must page nobody: "
        + peak.describe_pages()
    )


@pytest.mark.requirement("R2")
def test_a_fast_burn_pages_within_6_minutes(fast_burn):
    fast_burn.check_evaluable()
    paged = fast_burn.notified(fast_burn.pager_arn)
    assert paged and fast_burn.minute(paged[0]) <= FAST_BURN_PAGES_WITHIN, (
        f"R2 fast burn: 20 % of requests failing (burn rate 200) must page within "
        f"{FAST_BURN_PAGES_WITHIN} minutes: {fast_burn.describe_pages()}"
    )


@pytest.mark.requirement("R2")
def test_after_a_fast_burn_the_page_clears(fast_burn):
    """R2 recovery: back in OK within 10 minutes of the burn's end, and the pager hears it."""
    fast_burn.check_evaluable()
    paged = fast_burn.notified(fast_burn.pager_arn)
    if not paged:
        pytest.fail("R2 recovery: the fast burn never paged, so nothing could recover")
    ended = fast_burn.start + timedelta(minutes=6)
    paging = paged[0].alarm
    state = fast_burn.drill.state(paging)
    cleared = fast_burn.drill.first(paging, "OK", after=paged[0].at)
    assert cleared and fast_burn.drill.minutes_between(ended, cleared) <= RECOVERS_WITHIN, (
        f"R2 recovery: {paging} must be back in OK within {RECOVERS_WITHIN} minutes after "
        f"the burn stopped (at minute 6); it is {state}: {fast_burn.drill.explain(paging)}"
    )
    oks = [p for p in fast_burn.pages if p.state == "OK" and p.alarm == paging]
    assert oks, (
        f"R2 recovery: {paging} went back to OK but no OK notification reached the pager "
        "topic (OK actions)"
    )


@pytest.mark.requirement("R2")
def test_a_slow_burn_pages_within_six_hours(incident):
    """R2 slow burn: 1 % failing (burn rate 10) for six hours (stops at the first page).

    Its first 150 minutes are history: a slow-burn pair of 6 h and 30 min at 6 cannot page
    before about 209 minutes (and a faster alarm pages at the first evaluation, counted)."""
    slow = replace(DAY, failures=20)
    hours, before = SLOW_BURN_HOURS * 60, 150
    burn = incident(
        "slow-burn",
        DAY,
        lambda _d, _m: slow,
        max_minutes=hours - before,
        until_paged=True,
        burning=(before, slow),
    )
    burn.check_evaluable()
    paged = burn.notified(burn.pager_arn)
    assert paged and burn.minute(paged[0]) <= hours, (
        "R2 slow burn: 1 % of requests failing for six hours (burn rate 10) must page within "
        f"those six hours: {burn.describe_pages()}"
    )


@pytest.mark.requirement("R2")
def test_a_short_burst_pages_nobody(incident):
    """R2 multi-window: 10 minutes at 5 % after normal hours is not a budget burn."""
    burst = incident("burst", DAY, [(10, replace(DAY, failures=100)), (20, DAY)])
    burst.check_evaluable()
    assert not burst.notified(burst.pager_arn) and not burst.alarm_pages(), (
        "R2 multi-window: a 10-minute burst of 5 % failures after normal traffic must page "
        f"nobody (the long window says the budget is not really burning): "
        f"{burst.describe_pages()}"
    )


@pytest.mark.requirement("R2")
def test_silence_is_not_an_error(silence, alarms):
    """R2: while the API serves nothing, no alarm watching 5XXError goes to ALARM."""
    silence.check_evaluable()
    error_alarms = {a["AlarmName"] for a in alarms() if "5XXError" in metrics_watched(a)}
    fired = sorted(
        {
            e.alarm
            for e in silence.drill.events
            if e.alarm in error_alarms and e.new_state == "ALARM"
        }
    )
    assert not fired, (
        f"R2 silence in errors is not breaching: while the API served nothing, "
        f"{', '.join(fired)} (watching 5XXError) went to ALARM: no data is not errors"
    )
