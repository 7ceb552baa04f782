"""R5: no false positives: a fresh deploy has no drift, and the value the service
changes itself is reported as ignored, decided on as nothing, and survives a redeploy."""

from __future__ import annotations

import pytest


@pytest.mark.requirement("R5")
def test_a_fresh_deploy_reports_no_drift_and_drift_py_decides_nothing(observed, judge):
    """Right after deploy: an empty refresh report, and no decisions"""
    fresh = observed["fresh"]
    left = [(e["name"], e["property"] or "(resource)", e["kind"]) for e in fresh.report["drift"]]
    assert not left, (
        f"R5 (a clean stack reports no drift): right after deploy refresh reports {left}"
    )
    assert not fresh.error, f"R5 (classify of a clean stack): {fresh.error}"
    assert fresh.decisions == [], (
        "R5 (classify returns [] for a clean stack): drift.classify returned "
        f"{fresh.decisions!r:.300}"
    )


@pytest.mark.requirement("R5")
def test_the_service_advancing_its_checkpoint_is_ignored_drift(observed, judge):
    """The service's own write shows up as ignored drift only (ignore_changes on its value)"""
    scenario = observed["service-advances-checkpoint"]
    found = judge.found(scenario)
    assert found == scenario.expected, (
        f"R5 (the service's checkpoint write is ignored drift): after the service wrote its "
        f"checkpoint the report holds {sorted(found)}; expected "
        f"{sorted(scenario.expected)} (the value excluded from drift with ignore_changes)"
    )


@pytest.mark.requirement("R5")
def test_the_service_advancing_its_checkpoint_pages_nobody(observed, judge):
    """drift.py decides nothing (action none) about the service's own write"""
    scenario = observed["service-advances-checkpoint"]
    assert not scenario.error, f"R5 (classify decides none for it): {scenario.error}"
    actions = [(d.get("name"), d.get("property"), d.get("action")) for d in scenario.decisions]
    assert actions and all(a == "none" for _, _, a in actions), (
        f"R5 (classify decides none for it): the service's own checkpoint write led to "
        f"{actions}: nobody should be paged or "
        "ticketed for it"
    )
