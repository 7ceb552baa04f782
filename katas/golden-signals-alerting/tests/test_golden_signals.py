"""R1: the golden signals are alarmed on what users feel, without flapping, one page
per incident. Each check is an incident played into the alarm drill."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import DAY, NIGHT, SPIKE, Minute

SPIKE_PAGES_WITHIN = 5
TRAFFIC_PAGES_WITHIN = 10


@pytest.mark.requirement("R1")
def test_a_latency_spike_pages_within_5_minutes(latency_spike):
    """R1 latency: 3 % of requests at 2.5 s for 10 minutes (p99 2.5 s, average ~200 ms)."""
    latency_spike.check_evaluable()
    paged = latency_spike.notified(latency_spike.pager_arn)
    assert paged and latency_spike.minute(paged[0]) <= SPIKE_PAGES_WITHIN, (
        f"R1 latency: a 10-minute spike of 3 % of requests at 2.5 s (p99 2500 ms, average "
        f"about 200 ms) must page within {SPIKE_PAGES_WITHIN} minutes: "
        f"{latency_spike.describe_pages()}"
    )
    assert latency_spike.alarm_pages(), "R1 latency: the page never reached the pager queue"


@pytest.mark.requirement("R1")
def test_one_incident_is_one_page(latency_spike):
    """R1 once: however many alarms see the spike, the pager hears of it once."""
    latency_spike.check_evaluable()
    pages = latency_spike.alarm_pages()
    assert len(pages) == 1, (
        f"R1 once: the 10-minute latency spike sent {len(pages)} ALARM notifications to the "
        f"pager topic ({', '.join(p.alarm for p in pages) or 'none'}), not exactly one: "
        f"{latency_spike.describe_pages()}"
    )


@pytest.mark.requirement("R1")
def test_a_two_minute_blip_pages_nobody(incident):
    """R1 no flapping: the same spike for 2 minutes only."""
    blip = incident("latency-blip", DAY, [(2, SPIKE), (15, DAY)])
    blip.check_evaluable()
    assert not blip.notified(blip.pager_arn) and not blip.alarm_pages(), (
        "R1 no flapping: a 2-minute latency blip must page nobody (M of N datapoints): "
        + blip.describe_pages()
    )


@pytest.mark.requirement("R1")
def test_silence_pages_within_10_minutes(silence):
    """R1 traffic: no requests at all (no data) is an outage."""
    silence.check_evaluable()
    paged = silence.notified(silence.pager_arn)
    assert paged and silence.minute(paged[0]) <= TRAFFIC_PAGES_WITHIN, (
        "R1 traffic: the API went silent (API Gateway publishes no data) for 15 minutes and "
        f"the pager did not hear of it within {TRAFFIC_PAGES_WITHIN} minutes: "
        f"{silence.describe_pages()} (is missing data breaching for the traffic alarm?)"
    )


@pytest.mark.requirement("R1")
def test_near_zero_traffic_pages_within_10_minutes(incident):
    """R1 traffic: 3 requests a minute is an outage too."""
    trickle = incident("trickle", DAY, [(15, replace(DAY, requests=3, failures=0))])
    trickle.check_evaluable()
    paged = trickle.notified(trickle.pager_arn)
    assert paged and trickle.minute(paged[0]) <= TRAFFIC_PAGES_WITHIN, (
        "R1 traffic: 3 requests a minute for 15 minutes must page within "
        f"{TRAFFIC_PAGES_WITHIN} minutes: {trickle.describe_pages()}"
    )


QUIET = Minute(requests=10)  # the line itself: "fewer than 10 a minute" pages, 10 does not
NIGHT_MINUTES, QUIET_MINUTES = 30, 15


@pytest.fixture(scope="module")
def night(incident):
    """A normal night (30 a minute), then 15 minutes at exactly 10 a minute, then night
    again: one incident judges both quiet-but-alive traffic levels."""
    return incident("night", NIGHT, [(NIGHT_MINUTES, NIGHT), (QUIET_MINUTES, QUIET), (15, NIGHT)])


def _pages_between(incident, first: float, last: float | None = None) -> list:
    return [
        e
        for e in incident.notified(incident.pager_arn)
        if incident.minute(e) > first and (last is None or incident.minute(e) <= last)
    ]


@pytest.mark.requirement("R1")
def test_night_traffic_pages_nobody(night):
    """R1 traffic: 30 requests a minute is a normal night."""
    night.check_evaluable()
    paged = _pages_between(night, 0, NIGHT_MINUTES)
    assert not paged, (
        "R1 traffic: a normal night (30 requests a minute, none failing) must page nobody: "
        + night.describe_pages()
    )


@pytest.mark.requirement("R1")
def test_ten_requests_a_minute_pages_nobody(night):
    """R1 traffic: "fewer than 10 requests a minute" pages; exactly 10 is not fewer."""
    night.check_evaluable()
    paged = _pages_between(night, NIGHT_MINUTES)
    assert not paged, (
        f"R1 traffic-drop: {QUIET_MINUTES} minutes at exactly 10 requests a minute (not "
        f"fewer than 10) paged ({', '.join(sorted({e.alarm for e in paged}))}): "
        f"{night.describe_pages()} (does the traffic alarm page at 10 or fewer, "
        "LessThanOrEqualToThreshold, instead of fewer than 10?)"
    )
    assert not night.alarm_pages(), (
        "R1 traffic: a night with 30, then 10, requests a minute sent ALARM pages: "
        + ", ".join(p.alarm for p in night.alarm_pages())
    )
