"""R3: production traffic goes through `live`; a release by config moves none of it."""

from __future__ import annotations

import pytest

from harness.drills.codedeploy_canary import alias_weights


@pytest.mark.requirement("R3")
def test_live_points_at_a_published_version(pipeline, aws):
    """The alias is named live and points at a numbered version, never $LATEST."""
    assert pipeline.alias == "live", f"the alias is named {pipeline.alias!r}, not live"
    live = aws("lambda").get_alias(FunctionName=pipeline.function, Name="live")
    version = str(live["FunctionVersion"])
    assert version.isdigit(), (
        f"live points at {version}: every change to the function would reach production "
        "at once, and CodeDeploy cannot shift traffic from $LATEST"
    )


@pytest.mark.requirement("R3")
def test_releasing_publishes_a_version_without_moving_production_traffic(released):
    """After deploying 1.1.0, live still sends all traffic to the version it had."""
    before, after = released.alias_before, released.alias_after
    assert str(after["FunctionVersion"]) == str(before["FunctionVersion"]), (
        f"deploying release 1.1.0 moved live from version {before['FunctionVersion']} to "
        f"{after['FunctionVersion']}: production traffic moved before any rollout ran"
    )
    assert alias_weights(after) == {str(before["FunctionVersion"]): 1.0}, (
        f"live is weighted after the deploy: {alias_weights(after)}"
    )
    assert released.new_version not in (str(before["FunctionVersion"]), "$LATEST"), (
        f"release 1.1.0 published no new version (the function reports {released.new_version})"
    )
