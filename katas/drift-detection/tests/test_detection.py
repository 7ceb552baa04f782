"""R6: refresh makes every out-of-band change visible as the resource and property it
changed, so drift.py has something to decide on. What the program does not declare (an
inline policy added beside the program's, a bucket policy it never set) refresh cannot see.
"""

from __future__ import annotations

import pytest

DRILLS = [
    "open-security-group",
    "suspend-versioning",
    "delete-encryption",
    "make-bucket-public",
    "extra-inline-policy",
    "change-tag",
    "delete-tag",
    "delete-parameter",
    "all-at-once",
]


@pytest.mark.requirement("R6")
@pytest.mark.parametrize("drill", DRILLS)
def test_refresh_reports_exactly_what_the_drill_changed(observed, judge, drill):
    """The refresh report holds exactly the changed resources and properties"""
    scenario = observed[drill]
    found = judge.found(scenario)
    missing, extra = scenario.expected - found, found - scenario.expected
    assert not missing and not extra, (
        f"R6 (exactly the resource and property changed), drill {drill}: refresh missed "
        f"{sorted(missing)}; reported unexpectedly {sorted(extra)} "
        "(entries are (resource, property, kind, ignored))"
    )
