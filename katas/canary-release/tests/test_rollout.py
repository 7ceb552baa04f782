"""R4-R7: rollouts of release 1.1.0, played by the CodeDeploy drill on the emulator.

Traffic is 1000 requests a minute through live; the previous version fails 2 in 1000
and answers in 120 ms (see conftest.py and the SPEC).
"""

from __future__ import annotations

import pytest

RELEASE_WINDOW_MINUTES = 15


# --- R4: the canary's steps ---


@pytest.mark.requirement("R4")
def test_a_healthy_release_goes_out_as_a_canary_then_to_everyone(healthy_rollout, released):
    """At most 10 percent first, baked for 5 minutes or more, then 100 percent on 1.1.0."""
    d = healthy_rollout.require()
    new, old = released.new_version, str(released.alias_before["FunctionVersion"])
    shifts = d.shifts
    assert shifts, "no traffic was shifted"
    first = shifts[0].weights.get(new, 0.0)
    assert 0 < first <= 0.10, (
        f"the first step sends {first:.0%} of production traffic to the new version "
        f"({d.config}): a canary is at most 10 percent"
    )
    steps = d.routing.steps()
    assert steps[0].bake_minutes >= 5, (
        f"the canary bakes {steps[0].bake_minutes} minute(s) ({d.config}); the SPEC asks for 5"
    )
    assert d.status == "Succeeded", f"the healthy release did not complete: {d.error_message}"
    assert shifts[-1].weights == {new: 1.0}
    assert healthy_rollout.weights_after == {new: 1.0}, "live is not entirely on the new version"
    # What production saw during the bake, read from the alias itself.
    assert healthy_rollout.bake_weights, "the rollout never baked"
    canary_share = healthy_rollout.bake_weights[0]
    assert canary_share.get(new) == first and canary_share.get(old) == pytest.approx(1 - first)


@pytest.mark.requirement("R4")
def test_the_rollout_fits_the_release_window(healthy_rollout):
    """The whole rollout takes no longer than the 15-minute release window."""
    d = healthy_rollout.require()
    assert d.routing.total_minutes <= RELEASE_WINDOW_MINUTES, (
        f"{d.config} takes {d.routing.total_minutes} minutes; the release window is "
        f"{RELEASE_WINDOW_MINUTES}"
    )


# --- R5: automatic rollback ---


@pytest.mark.requirement("R5")
def test_an_erroring_canary_is_rolled_back_entirely(erroring_rollout, released):
    """A canary that errors is stopped by its alarm and live returns entirely to 1.0.0."""
    d = erroring_rollout.require()
    old = str(released.alias_before["FunctionVersion"])
    assert d.status != "Succeeded", "the erroring canary went out to everyone"
    assert d.rolled_back, (
        f"the rollout stopped ({d.error_code}) but was not rolled back: "
        f"{'; '.join(d.notes) or 'no automatic rollback'}"
    )
    assert erroring_rollout.weights_after == {old: 1.0}, (
        f"live after the rollback: {erroring_rollout.weights_after}"
    )


@pytest.mark.requirement("R5")
def test_a_failed_deployment_is_rolled_back(failed_validation, released):
    """When the post-traffic validation fails, live returns entirely to 1.0.0."""
    d = failed_validation.require()
    old = str(released.alias_before["FunctionVersion"])
    assert d.status == "Failed"
    assert d.rolled_back, f"no rollback on deployment failure: {'; '.join(d.notes)}"
    assert failed_validation.weights_after == {old: 1.0}


# --- R6: golden-signal alarms on the new version, attached to the rollout ---


@pytest.mark.requirement("R6")
def test_canary_errors_stop_the_rollout_during_the_bake(erroring_rollout):
    """5 percent errors on the canary put an attached alarm in ALARM within the bake."""
    d = erroring_rollout.require()
    fired = [name for _, name, state in d.alarm_transitions if state == "ALARM"]
    assert d.error_code == "ALARM_ACTIVE", (
        f"the erroring canary ended {d.status} ({d.error_code or 'no error'}); alarms that "
        f"went to ALARM: {fired or 'none'}; attached to the deployment group: "
        f"{d.alarms_polled or 'none'}"
    )
    assert d.minutes <= d.routing.steps()[0].bake_minutes, "it stopped only after the bake"


@pytest.mark.requirement("R6")
def test_a_slow_canary_stops_the_rollout_during_the_bake(slow_rollout):
    """A p99 latency of 2.5 s on the canary puts an attached alarm in ALARM within the bake."""
    d = slow_rollout.require()
    fired = [name for _, name, state in d.alarm_transitions if state == "ALARM"]
    assert d.error_code == "ALARM_ACTIVE", (
        f"the slow canary ended {d.status}; alarms that went to ALARM: {fired or 'none'}; "
        f"attached: {d.alarms_polled or 'none'}"
    )
    assert d.minutes <= d.routing.steps()[0].bake_minutes, "it stopped only after the bake"


@pytest.mark.requirement("R6")
def test_the_old_versions_errors_do_not_stop_a_healthy_canary(healthy_rollout):
    """The previous version's baseline errors must not roll back a healthy release."""
    d = healthy_rollout.require()
    assert d.error_code != "ALARM_ACTIVE", (
        f"a healthy canary was stopped by {d.error_message}: an alarm watches more than "
        "the new version (scope it with FunctionName, Resource <function>:live and "
        "ExecutedVersion)"
    )


@pytest.mark.requirement("R6")
def test_alarms_watch_the_new_version_and_are_attached(released, pipeline):
    """Errors and Duration alarms, scoped to the new version through live, are attached."""
    conf = released.group.get("alarmConfiguration") or {}
    if not conf:  # an emulator that drops it: as the program deployed it
        inputs = released.group_inputs.get("alarmConfiguration") or {}
        conf = {
            "enabled": inputs.get("enabled"),
            "alarms": [{"name": n} for n in inputs.get("alarms") or []],
        }
    attached = {a["name"] for a in conf.get("alarms") or []} if conf.get("enabled") else set()
    scoped = {
        ("FunctionName", pipeline.function),
        ("Resource", f"{pipeline.function}:live"),
        ("ExecutedVersion", released.new_version),
    }
    watching = {}
    for alarm in released.alarms:
        dims = {(d["Name"], d["Value"]) for d in alarm.get("Dimensions") or []}
        if alarm.get("Namespace") == "AWS/Lambda" and dims == scoped:
            watching.setdefault(alarm["MetricName"], []).append(alarm["AlarmName"])
    for metric in ("Errors", "Duration"):
        names = watching.get(metric, [])
        assert names, (
            f"no alarm on {metric} of the new version (dimensions {sorted(scoped)}) after "
            "release 1.1.0"
        )
        assert attached & set(names), (
            f"the {metric} alarm(s) {names} are not attached to the deployment group "
            f"(attached: {sorted(attached) or 'none'})"
        )


# --- R7: notifications ---


@pytest.mark.requirement("R7")
def test_a_rollback_is_announced(erroring_rollout):
    """The deployment topic receives the stop and the rollback of the erroring canary."""
    erroring_rollout.require()
    statuses = erroring_rollout.statuses()
    assert "STOPPED" in statuses and "ROLLBACK" in statuses, (
        f"notifications received: {statuses or 'none'}"
    )


@pytest.mark.requirement("R7")
def test_every_deployment_outcome_is_announced(healthy_rollout, failed_validation):
    """Start and success of a release, and a failure, reach the deployment topic."""
    healthy_rollout.require()
    failed_validation.require()
    # Start and success, each at least once (two triggers may both announce an event).
    announced = set(healthy_rollout.statuses())
    assert {"CREATED", "SUCCEEDED"} <= announced, (
        f"R7 start and success: a healthy release announced {sorted(announced) or 'nothing'} "
        "on the exported topic, not DeploymentStart (CREATED) and DeploymentSuccess (SUCCEEDED)."
    )
    assert "FAILED" in failed_validation.statuses(), (
        f"a failed release announced {failed_validation.statuses() or 'nothing'}"
    )
