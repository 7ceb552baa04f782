"""harness.drills.queue_flood: the noisy-neighbour model of SQS-fed Lambda workers."""

from __future__ import annotations

from harness.drills.queue_flood import Worker, concurrency_under_flood, flood_drill


def test_cap_is_the_smaller_of_reserved_and_mapping_maximum() -> None:
    assert Worker("a", reserved=10, maximum=4).cap == 4
    assert Worker("a", maximum=4).cap == 4
    assert Worker("a", reserved=3).cap == 3
    assert Worker("a").cap is None


def test_uncapped_flooder_starves_an_unreserved_neighbour() -> None:
    workers = [Worker("a"), Worker("b")]
    assert concurrency_under_flood(workers, "a", "b", 1000) == (1000, 0)
    result = flood_drill(workers, "a", "b", 1000, seconds=120)
    # B's first message waits for the whole window.
    assert result.max_age_s == 120
    assert "b's worker can run 0 at once" in result.describe()


def test_a_reservation_protects_the_victim_whatever_the_flooder_does() -> None:
    workers = [Worker("a"), Worker("b", reserved=3)]
    result = flood_drill(workers, "a", "b", 1000, seconds=120)
    assert result.victim_concurrency == 3
    assert result.max_age_s == 0


def test_mapping_maximum_on_the_flooder_leaves_the_pool_to_others() -> None:
    workers = [Worker("a", maximum=10), Worker("b", maximum=3)]
    assert concurrency_under_flood(workers, "a", "b", 1000) == (10, 3)
    assert flood_drill(workers, "a", "b", 1000, seconds=60).max_age_s == 0


def test_reservations_shrink_the_unreserved_pool() -> None:
    # 900 reserved by A: B, unreserved, shares the remaining 100 with nobody.
    workers = [Worker("a", reserved=900), Worker("b")]
    assert concurrency_under_flood(workers, "a", "b", 1000) == (900, 100)


def test_a_victim_slower_than_its_arrivals_falls_behind() -> None:
    # One execution, two seconds a message, one message a second: the backlog grows.
    workers = [Worker("a", reserved=5), Worker("b", reserved=1)]
    result = flood_drill(workers, "a", "b", 1000, seconds=100, service_time=2.0)
    assert 40 <= result.max_age_s <= 60


def test_the_victim_recovers_once_the_flood_is_drained() -> None:
    # A small flood that an uncapped worker drains in the first second.
    workers = [Worker("a"), Worker("b")]
    result = flood_drill(workers, "a", "b", 1000, flood_messages=500, seconds=60)
    assert result.max_age_s <= 1
