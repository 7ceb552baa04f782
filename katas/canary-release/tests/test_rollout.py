"""R4-R7: rollouts of release 1.1.0, played by the CodeDeploy drill on the emulator.

Traffic is 1000 requests a minute through live; the previous version fails 2 in 1000
and answers in 120 ms (see conftest.py and the SPEC). Alarms are decided from their
definitions by the CloudWatch evaluation drill on the traffic each version serves.
"""

from __future__ import annotations

import pytest

RELEASE_WINDOW_MINUTES = 15


def _why_not_stopped(d) -> str:
    """What the drill saw: the alarms that fired, those attached, those it cannot evaluate."""
    fired = sorted({name for _, name, state in d.alarm_transitions if state == "ALARM"})
    text = (
        f"it ended {d.status} ({d.error_code or 'no error'}); alarms that went to ALARM: "
        f"{fired or 'none'}; attached to the deployment group: {d.alarms_polled or 'none'}"
    )
    if d.not_evaluable:
        text += f"; not evaluable by the model: {d.not_evaluable}"
    return text


# --- R4: the canary's steps ---


@pytest.mark.requirement("R4")
def test_a_healthy_release_goes_out_as_a_canary_then_to_everyone(healthy_rollout, released):
    """At most 10 percent first, baked for 5 minutes or more, then 100 percent on 1.1.0."""
    d = healthy_rollout.require()
    new, old = released.new_version, str(released.alias_before["FunctionVersion"])
    shifts = d.shifts
    assert shifts, f"R4 canary: the healthy rollout shifted no traffic ({_why_not_stopped(d)})."
    first = shifts[0].weights.get(new, 0.0)
    assert 0 < first <= 0.10, (
        f"R4 at most 10 percent first: the first step of {d.config} sends {first:.0%} of "
        "production traffic to the new version."
    )
    steps = d.routing.steps()
    assert steps[0].bake_minutes >= 5, (
        f"R4 bake at least 5 minutes: {d.config} bakes the canary {steps[0].bake_minutes} "
        "minute(s)."
    )
    assert d.status == "Succeeded", (
        f"R4 a healthy release completes: it did not ({d.error_message or _why_not_stopped(d)})."
    )
    assert shifts[-1].weights == {new: 1.0} and healthy_rollout.weights_after == {new: 1.0}, (
        f"R4 ends entirely on the new version: live after the healthy rollout sends "
        f"{healthy_rollout.weights_after} (version -> share), not everything to {new}."
    )
    # What production saw during the bake, read from the alias itself.
    assert healthy_rollout.bake_weights, "R4 canary: the healthy rollout never baked."
    canary_share = healthy_rollout.bake_weights[0]
    assert canary_share.get(new) == first and canary_share.get(old) == pytest.approx(1 - first), (
        f"R4 canary: during the bake live sent {canary_share}, not {first:.0%} to {new} and the "
        f"rest to {old}."
    )


@pytest.mark.requirement("R4")
def test_the_rollout_fits_the_release_window(healthy_rollout):
    """The whole rollout takes no longer than the 15-minute release window."""
    d = healthy_rollout.require()
    assert d.routing.total_minutes <= RELEASE_WINDOW_MINUTES, (
        f"R4 within the release window: {d.config} takes {d.routing.total_minutes} minutes; "
        f"the release window is {RELEASE_WINDOW_MINUTES}."
    )


# --- R5: automatic rollback ---


@pytest.mark.requirement("R5")
def test_an_erroring_canary_is_rolled_back_entirely(erroring_rollout, released):
    """A canary that errors is stopped by its alarm and live returns entirely to 1.0.0."""
    d = erroring_rollout.require()
    old = str(released.alias_before["FunctionVersion"])
    assert d.status != "Succeeded", (
        f"R5 rollback on alarm: the erroring canary went out to everyone ({_why_not_stopped(d)})."
    )
    assert d.rolled_back, (
        f"R5 rollback on alarm: the rollout stopped ({d.error_code}) but was not rolled back: "
        f"{'; '.join(d.notes) or 'no automatic rollback'}."
    )
    assert erroring_rollout.weights_after == {old: 1.0}, (
        f"R5 entirely: after the rollback live sends {erroring_rollout.weights_after} "
        f"(version -> share), not everything to {old}."
    )


@pytest.mark.requirement("R5")
def test_a_failed_deployment_is_rolled_back(failed_validation, released):
    """When the post-traffic validation fails, live returns entirely to 1.0.0."""
    d = failed_validation.require()
    old = str(released.alias_before["FunctionVersion"])
    assert d.status == "Failed", (
        f"R5 rollback on failure: a rollout whose AfterAllowTraffic hook failed ended {d.status} "
        f"({d.error_code or 'no error'}), not Failed."
    )
    assert d.rolled_back, (
        f"R5 rollback on failure: the failed deployment was not rolled back: "
        f"{'; '.join(d.notes) or 'no automatic rollback on DEPLOYMENT_FAILURE'}."
    )
    assert failed_validation.weights_after == {old: 1.0}, (
        f"R5 entirely: after the failed deployment live sends {failed_validation.weights_after} "
        f"(version -> share), not everything to {old}."
    )


# --- R6: golden-signal alarms on the new version, attached to the rollout ---


@pytest.mark.requirement("R6")
def test_canary_errors_stop_the_rollout_during_the_bake(erroring_rollout):
    """5 percent errors on the canary put an attached alarm in ALARM within the bake."""
    d = erroring_rollout.require()
    assert d.error_code == "ALARM_ACTIVE", (
        f"R6 errors stop a bad canary: the erroring canary was not stopped by an alarm "
        f"({_why_not_stopped(d)})."
    )
    bake = d.routing.steps()[0].bake_minutes
    assert d.minutes <= bake, (
        f"R6 within the bake: the erroring canary was stopped at minute {d.minutes}, after its "
        f"{bake}-minute bake."
    )


@pytest.mark.requirement("R6")
def test_a_slow_canary_stops_the_rollout_during_the_bake(slow_rollout):
    """A p99 latency of 2.5 s on the canary puts an attached alarm in ALARM within the bake."""
    d = slow_rollout.require()
    assert d.error_code == "ALARM_ACTIVE", (
        f"R6 latency stops a bad canary: the slow canary was not stopped by an alarm "
        f"({_why_not_stopped(d)})."
    )
    bake = d.routing.steps()[0].bake_minutes
    assert d.minutes <= bake, (
        f"R6 within the bake: the slow canary was stopped at minute {d.minutes}, after its "
        f"{bake}-minute bake."
    )


@pytest.mark.requirement("R6")
def test_the_old_versions_errors_do_not_stop_a_healthy_canary(healthy_rollout):
    """The previous version's baseline errors must not roll back a healthy release."""
    d = healthy_rollout.require()
    assert d.error_code != "ALARM_ACTIVE", (
        f"R6 not for a healthy canary: a healthy canary was stopped by {d.error_message}: an "
        "alarm watches more than the new version (scope it with FunctionName, Resource "
        "<function>:live and ExecutedVersion)."
    )


@pytest.mark.requirement("R6")
def test_alarms_watch_the_new_version_and_are_attached(released, pipeline, region):
    """Errors and Duration alarms, scoped to the new version through live, are attached."""
    conf = released.group.get("alarmConfiguration") or {}
    if not conf.get("alarms"):  # an emulator that drops it: as the program deployed it
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
    watching: dict[str, list[str]] = {}
    for alarm in released.alarms:
        dims = {(d["Name"], d["Value"]) for d in alarm.get("Dimensions") or []}
        if alarm.get("Namespace") == "AWS/Lambda" and dims == scoped:
            watching.setdefault(alarm["MetricName"], []).append(alarm["AlarmName"])
    for metric in ("Errors", "Duration"):
        names = watching.get(metric, [])
        assert names, (
            f"R6 scoped to the new version: no alarm in {region} watches AWS/Lambda {metric} with "
            f"exactly the dimensions {sorted(scoped)} after release 1.1.0."
        )
        assert attached & set(names), (
            f"R6 attached: the {metric} alarm(s) {names} are not in the deployment group's "
            f"enabled alarm configuration (attached: {sorted(attached) or 'none'})."
        )


# --- R7: notifications ---


@pytest.mark.requirement("R7")
def test_a_stop_and_its_rollback_are_announced(erroring_rollout):
    """The deployment topic receives the stop and the rollback of the erroring canary."""
    erroring_rollout.require()
    statuses = {s for s in erroring_rollout.statuses() if s}
    missing = [
        f"{event} ({status})"
        for event, status in (("DeploymentStop", "STOPPED"), ("DeploymentRollback", "ROLLBACK"))
        if status not in statuses
    ]
    assert not missing, (
        f"R7 stop and rollback: the erroring canary's rollout did not announce "
        f"{', '.join(missing)} on the exported topic (received: {sorted(statuses) or 'none'})."
    )


@pytest.mark.requirement("R7")
def test_every_deployment_outcome_is_announced(healthy_rollout, failed_validation):
    """Start and success of a release, and a failure, reach the deployment topic."""
    healthy_rollout.require()
    failed_validation.require()
    announced = {s for s in healthy_rollout.statuses() if s}
    missing = [
        f"{event} ({status})"
        for event, status in (("DeploymentStart", "CREATED"), ("DeploymentSuccess", "SUCCEEDED"))
        if status not in announced
    ]
    assert not missing, (
        f"R7 start and success: a healthy release did not announce {', '.join(missing)} on the "
        f"exported topic (received: {sorted(announced) or 'none'})."
    )
    failed = {s for s in failed_validation.statuses() if s}
    assert "FAILED" in failed, (
        f"R7 failure: a failed release did not announce DeploymentFailure (FAILED) on the "
        f"exported topic (received: {sorted(failed) or 'none'})."
    )
