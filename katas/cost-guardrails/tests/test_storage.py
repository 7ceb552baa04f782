"""R2: the media bucket's objects age out on the SPEC's schedule. The lifecycle drill ages
the SPEC's objects, day by day, against the rules the emulator holds."""

from __future__ import annotations

import pytest

from harness.drills.cost.lifecycle import ARCHIVE


def _classes(life, kata, days):
    p = kata.profile
    return {d: life.storage_class(p.upload_key, p.upload_bytes, d) for d in days}


def _first_wrong(classes, ok):
    return next(((d, c) for d, c in sorted(classes.items()) if not ok(c)), None)


@pytest.mark.requirement("R2")
def test_uploads_move_to_infrequent_access_by_day_45(media_lifecycle, kata):
    """R2 infrequent-access: an upload is in STANDARD_IA from day 45 until day 90."""
    wrong = _first_wrong(
        _classes(media_lifecycle, kata, range(45, 90)), lambda c: c == "STANDARD_IA"
    )
    assert wrong is None, (
        f"R2 infrequent-access: in bucket {kata.bucket}, an upload ({kata.profile.upload_key}, "
        f"512 MB) is in {wrong[1] or 'no class (expired)'} on day {wrong[0]}, not STANDARD_IA"
    )


@pytest.mark.requirement("R2")
def test_uploads_are_not_archived_while_they_are_read(media_lifecycle, kata):
    """R2 read-window: before day 90 an upload is only in STANDARD or STANDARD_IA."""
    wrong = _first_wrong(
        _classes(media_lifecycle, kata, range(0, 90)), lambda c: c in ("STANDARD", "STANDARD_IA")
    )
    assert wrong is None, (
        f"R2 read-window: in bucket {kata.bucket}, an upload is in "
        f"{wrong[1] or 'no class (expired)'} on day {wrong[0]}, inside its 90-day read window"
    )


@pytest.mark.requirement("R2")
def test_uploads_are_archived_by_day_180_and_kept_a_year(media_lifecycle, kata):
    """R2 archive: from day 180 through day 365 an upload is in an archive class."""
    wrong = _first_wrong(_classes(media_lifecycle, kata, range(180, 366)), lambda c: c in ARCHIVE)
    assert wrong is None, (
        f"R2 archive: in bucket {kata.bucket}, an upload is in "
        f"{wrong[1] or 'no class (expired)'} on day {wrong[0]}, not in "
        f"{'/'.join(sorted(ARCHIVE))}"
    )


@pytest.mark.requirement("R2")
def test_noncurrent_versions_expire_within_30_days(media_lifecycle, aws, kata):
    """R2 noncurrent-versions: the bucket is versioned; noncurrent versions of any object
    expire at most 30 days after they became noncurrent."""
    status = aws("s3").get_bucket_versioning(Bucket=kata.bucket).get("Status")
    assert status == "Enabled", (
        f"R2 noncurrent-versions: bucket {kata.bucket} is not versioned (status {status})"
    )
    size = kata.profile.upload_bytes
    kept = {k: media_lifecycle.noncurrent_days(k, size) for k in kata.any_keys}
    wrong = {k: d for k, d in kept.items() if d is None or d > 30}
    # Rules that keep the newest versions anyway: why an object rewritten once keeps its
    # old version, whatever their NoncurrentDays say.
    keeping = [
        f"rule {r.id!r} expires only beyond the {r.newer_noncurrent_versions} newest"
        for r in media_lifecycle.rules
        if r.newer_noncurrent_versions and any(r.filter.matches(k, size, {}) for k in wrong)
    ]
    assert not wrong, "R2 noncurrent-versions: in bucket {}, noncurrent versions of {}{}".format(
        kata.bucket,
        "; ".join(
            f"{k} are kept {'forever' if d is None else f'{d} days'}" for k, d in wrong.items()
        ),
        f" ({'; '.join(keeping)} noncurrent versions)" if keeping else "",
    )


@pytest.mark.requirement("R2")
def test_incomplete_multipart_uploads_are_aborted_within_7_days(media_lifecycle, kata):
    """R2 multipart: an incomplete multipart upload of any key is aborted within 7 days."""
    kept = {k: media_lifecycle.multipart_days(k) for k in kata.any_keys}
    wrong = {k: d for k, d in kept.items() if d is None or d > 7}
    assert not wrong, "R2 multipart: in bucket {}, incomplete multipart uploads of {}".format(
        kata.bucket,
        "; ".join(
            f"{k} are kept {'forever' if d is None else f'{d} days'}" for k, d in wrong.items()
        ),
    )
