"""The cost drills (harness/drills/cost/): cron, the scaling replay, lifecycle aging and
the bill, each against the AWS behaviour its module says it models."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from harness.drills.cost.lifecycle import Lifecycle, NotModeled, Rule, deployed_newer_noncurrent
from harness.drills.cost.model import (
    Capacity,
    LoadProfile,
    Prices,
    TableBilling,
    compute_items,
    logs_items,
    storage_items,
    table_items,
)
from harness.drills.cost.scaling import Cron, Fleet, ScheduledAction, replay, steady_weeks

WEEK = datetime.fromisoformat("2026-01-05T00:00:00+00:00")  # a Monday
FLAT = [100.0] * 24
PRICES = Prices.load(Path(__file__).parents[2] / "katas" / "cost-guardrails" / "prices.yaml")


def test_cron_fields_ranges_lists_steps_and_names() -> None:
    cron = Cron("0 7 * * MON-FRI")
    assert cron.matches(datetime(2026, 1, 5, 7, 0))  # Monday
    assert not cron.matches(datetime(2026, 1, 4, 7, 0))  # Sunday
    assert not cron.matches(datetime(2026, 1, 5, 7, 1))
    assert Cron("*/15 0,12 * * 7").matches(datetime(2026, 1, 4, 12, 45))  # 7 is Sunday
    # Both day fields restricted: either one matches (Unix cron).
    assert Cron("0 0 1 * 1").matches(datetime(2026, 1, 5, 0, 0))
    with pytest.raises(Exception, match="five-field"):
        Cron("cron(0 7 * * ? *)")


def test_target_tracking_is_clamped_to_the_sizes_in_force() -> None:
    fleet = Fleet(min_size=2, max_size=5, desired=None, cpu_target=50, throughput=40)
    hours = replay(fleet, [10.0] * 12 + [1000.0] * 12, WEEK)
    assert len(hours) == 168
    assert hours[0].asked == 1 and hours[0].running == 2  # the minimum holds
    assert hours[12].asked == 50 and hours[12].running == 5  # the maximum binds


def test_schedules_move_the_floor_at_their_hour_in_their_time_zone() -> None:
    actions = (
        ScheduledAction("day", "0 7 * * *", min_size=4),
        ScheduledAction("night", "0 20 * * *", min_size=2),
        ScheduledAction("paris-9", "0 9 * * SAT", time_zone="Europe/Paris", max_size=6),
        ScheduledAction("paris-10", "0 10 * * SAT", time_zone="Europe/Paris", max_size=10),
    )
    fleet = Fleet(2, 10, None, 60, 100, actions)
    hours = replay(fleet, FLAT, WEEK)
    floors = [h.min_size for h in hours[:24]]
    assert floors == [2] * 7 + [4] * 13 + [2] * 4  # the week before set the night floor
    saturday_8utc = hours[5 * 24 + 8]  # 09:00 in Paris is 08:00 UTC in January
    assert saturday_8utc.max_size == 6
    assert hours[5 * 24 + 7].max_size == hours[5 * 24 + 9].max_size == 10


def test_steady_weeks_cover_every_utc_offset_of_the_schedules() -> None:
    london = (
        ScheduledAction("day", "0 7 * * *", time_zone="Europe/London", min_size=4),
        ScheduledAction("night", "0 20 * * *", time_zone="Europe/London", min_size=2),
    )
    weeks = steady_weeks(Fleet(2, 10, None, 60, 100, london), WEEK)
    # BST begins on Sunday 29 March 2026: the next Monday is the first summer week.
    assert weeks == [WEEK, datetime.fromisoformat("2026-03-30T00:00:00+00:00")]
    # In British Summer Time the 07:00 London floor lands at 06:00 UTC.
    summer = replay(Fleet(2, 10, None, 60, 100, london), FLAT, weeks[1])
    assert [h.min_size for h in summer[:24]] == [2] * 6 + [4] * 13 + [2] * 5
    utc_only = Fleet(2, 10, None, 60, 100, (ScheduledAction("day", "0 7 * * *", min_size=4),))
    assert steady_weeks(utc_only, WEEK) == [WEEK]


def test_an_action_that_would_put_min_above_max_fails() -> None:
    fleet = Fleet(2, 3, None, None, 100, (ScheduledAction("bad", "0 * * * *", min_size=5),))
    assert {h.running for h in replay(fleet, FLAT, WEEK)} == {2}


def test_a_policy_that_never_scales_in_keeps_the_peak_until_a_schedule_sets_desired() -> None:
    load = [10.0] * 12 + [1000.0] * 6 + [10.0] * 6
    keeps = Fleet(2, 20, None, 50, 100, scale_in=False)
    hours = replay(keeps, load, WEEK)
    assert [h.running for h in hours[11:13]] == [20, 20]  # the day before's peak stayed
    assert hours[23].running == 20 and hours[23].asked == 1
    evening = (ScheduledAction("evening", "0 20 * * *", desired=2),)
    reset = replay(Fleet(2, 20, None, 50, 100, evening, scale_in=False), load, WEEK)
    assert [h.running for h in reset[19:21]] == [20, 2]


def test_without_target_tracking_the_group_runs_its_desired_capacity() -> None:
    fleet = Fleet(2, 10, 6, None, 100)
    assert {(h.asked, h.running) for h in replay(fleet, FLAT, WEEK)} == {(None, 6)}


UPLOAD = 512 * 1024 * 1024


def _lifecycle(*rules: dict) -> Lifecycle:
    return Lifecycle(tuple(Rule.from_api({"Status": "Enabled", **r}) for r in rules))


def test_the_coldest_due_transition_wins_and_expiration_wins_over_all() -> None:
    life = _lifecycle(
        {
            "Filter": {"Prefix": "uploads/"},
            "Transitions": [
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 90, "StorageClass": "GLACIER"},
            ],
        },
        {"Filter": {}, "Transitions": [{"Days": 60, "StorageClass": "ONEZONE_IA"}]},
        {"Filter": {"Prefix": "uploads/tmp/"}, "Expiration": {"Days": 10}},
    )
    key = "uploads/a.mov"
    assert [life.storage_class(key, UPLOAD, d) for d in (0, 29, 30, 60, 90)] == [
        "STANDARD",
        "STANDARD",
        "STANDARD_IA",
        "ONEZONE_IA",
        "GLACIER",
    ]
    assert life.storage_class("uploads/tmp/a.mov", UPLOAD, 10) is None
    assert life.storage_class("other/a.mov", UPLOAD, 30) == "STANDARD"


def test_filters_by_tag_size_and_and() -> None:
    life = _lifecycle(
        {
            "Filter": {"And": {"Prefix": "u/", "Tags": [{"Key": "k", "Value": "v"}]}},
            "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
        },
        {
            "Filter": {"ObjectSizeGreaterThan": 1024 * 1024},
            "Transitions": [{"Days": 40, "StorageClass": "STANDARD_IA"}],
        },
    )
    assert life.storage_class("u/a", UPLOAD, 30, {"k": "v"}) == "GLACIER"
    assert life.storage_class("u/a", UPLOAD, 30) == "STANDARD"
    assert life.storage_class("u/a", UPLOAD, 40) == "STANDARD_IA"
    assert life.storage_class("u/a", 200 * 1024, 40) == "STANDARD"  # not larger than 1 MB
    assert life.storage_class("u/a", 1024, 40, {"k": "v"}) == "STANDARD"  # under 128 KB


def test_disabled_noncurrent_multipart_and_dates() -> None:
    life = Lifecycle(
        (
            Rule.from_api(
                {
                    "Status": "Enabled",
                    "Filter": {"Prefix": "r/"},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                }
            ),
        )
    )
    assert life.noncurrent_days("r/x", UPLOAD) == 30 and life.noncurrent_days("s/x", UPLOAD) is None
    assert life.multipart_days("r/x") == 7 and life.multipart_days("s/x") is None
    with pytest.raises(NotModeled, match="Date"):
        Rule.from_api({"Transitions": [{"Date": "2027-01-01", "StorageClass": "GLACIER"}]})


def test_a_rule_keeping_newer_noncurrent_versions_never_expires_the_worst_case() -> None:
    keeping = {
        "ID": "keep-5",
        "Status": "Enabled",
        "Filter": {},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 14, "NewerNoncurrentVersions": 5},
    }
    # An object rewritten once has one noncurrent version: the rule never expires it.
    assert Lifecycle((Rule.from_api(keeping),)).noncurrent_days("r/x", UPLOAD) is None
    # moto drops NewerNoncurrentVersions: the deployed value fills it in.
    dropped = {**keeping, "NoncurrentVersionExpiration": {"NoncurrentDays": 14}}
    assert Lifecycle((Rule.from_api(dropped, 5),)).noncurrent_days("r/x", UPLOAD) is None
    assert Lifecycle((Rule.from_api(dropped),)).noncurrent_days("r/x", UPLOAD) == 14
    # Another matching rule without it still expires the version.
    plain = {
        "Status": "Enabled",
        "Filter": {"Prefix": "r/"},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }
    both = Lifecycle((Rule.from_api(keeping), Rule.from_api(plain)))
    assert both.noncurrent_days("r/x", UPLOAD) == 30 and both.noncurrent_days("s/x", UPLOAD) is None
    deployed = [
        {
            "id": "keep-5",
            "noncurrentVersionExpiration": {"noncurrentDays": 14, "newerNoncurrentVersions": "5"},
        },
        {"id": "plain", "noncurrentVersionExpiration": {"noncurrentDays": 30}},
    ]
    assert deployed_newer_noncurrent(deployed) == {"keep-5": 5}


PROFILE = LoadProfile(
    jobs_per_hour=tuple(FLAT),
    jobs_per_vcpu_hour=25,
    upload_gb_per_day=10,
    upload_key="uploads/a.mov",
    upload_bytes=UPLOAD,
    noncurrent_gb_per_day=1,
    noncurrent_key="renditions/a.mp4",
    abandoned_multipart_gb_per_day=1,
    multipart_key="uploads/b.mov",
    days_of_operation=100,
    log_gb_per_day=1,
    writes_per_job=3,
    reads_per_job=10,
    item_kb=2,
    item_useful_days=30,
)


def test_the_bill_adds_up_item_by_item() -> None:
    hours = replay(Fleet(2, 2, None, None, 100), FLAT, WEEK)
    (ec2,) = compute_items(hours, "c7g.xlarge", PRICES)
    assert ec2.quantity == pytest.approx(2 * 730) and ec2.monthly == pytest.approx(2 * 730 * 0.145)

    life = _lifecycle(
        {"Filter": {"Prefix": "uploads/"}, "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}
    )
    items = {i.what: i for i in storage_items(life, PROFILE, PRICES)}
    assert (
        items["uploads in STANDARD"].quantity == 300 and items["uploads in GLACIER"].quantity == 700
    )
    assert items["noncurrent versions, kept 100 days"].quantity == 100

    logs = {i.what: i for i in logs_items(7, PROFILE, PRICES)}
    assert logs["storage, kept 7 days"].quantity == 7

    table = TableBilling(
        "t", on_demand=False, ttl=True, reads=Capacity(5), writes=Capacity(5, (1, 10, 50))
    )
    rows = {i.what: i for i in table_items(table, PROFILE, PRICES)}
    # 100 jobs an hour x 3 writes = 0.083 writes/s: target tracking at 50 % asks for 1 WCU.
    assert rows["t: provisioned write capacity"].quantity == pytest.approx(730)
    assert rows["t: provisioned read capacity"].quantity == pytest.approx(5 * 730)
