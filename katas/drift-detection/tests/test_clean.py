"""R5: no false positives: a fresh deploy has no drift, and the value the service
changes itself is reported as ignored, decided on as nothing, and survives a redeploy."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R5")
def test_a_fresh_deploy_reports_no_drift_and_drift_py_decides_nothing(observed, judge):
    """Right after deploy: an empty refresh report, and no decisions"""
    fresh = observed["fresh"]
    assert fresh.report["drift"] == [], f"drift right after deploy: {fresh.report['drift']}"
    assert not fresh.error, fresh.error
    assert fresh.decisions == [], f"classify(empty report) returned {fresh.decisions}"


@pytest.mark.requirement("R5")
def test_the_service_advancing_its_checkpoint_is_ignored_drift(observed, judge):
    """The service's own write shows up as ignored drift only (ignore_changes on its value)"""
    scenario = observed["service-advances-checkpoint"]
    found = judge.found(scenario)
    assert found == scenario.expected, (
        f"after the service wrote its checkpoint the report holds {sorted(found)}; expected "
        f"{sorted(scenario.expected)} (the value excluded from drift with ignore_changes)"
    )


@pytest.mark.requirement("R5")
def test_the_service_advancing_its_checkpoint_pages_nobody(observed, judge):
    """drift.py decides nothing (action none) about the service's own write"""
    scenario = observed["service-advances-checkpoint"]
    assert not scenario.error, scenario.error
    actions = [(d.get("name"), d.get("property"), d.get("action")) for d in scenario.decisions]
    assert actions and all(a == "none" for _, _, a in actions), (
        f"the service's own checkpoint write led to {actions}: nobody should be paged or "
        "ticketed for it"
    )
