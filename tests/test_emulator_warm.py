"""warm_backends builds moto's slow backends (EC2) for a kata's services before deploy."""

from __future__ import annotations

import time

from harness.emulator import Emulator, warm_backends


def test_the_ec2_backend_of_the_kata_s_region_is_built_ahead(moto_emulator, aws_client):
    region = "eu-north-1"  # no other test touches it: its EC2 backend is not built yet
    started = time.perf_counter()
    warm_backends(moto_emulator, ["s3", "ec2", "iam"], region)
    warmed_in = time.perf_counter() - started
    started = time.perf_counter()
    vpcs = aws_client("ec2", region=region).describe_vpcs()["Vpcs"]
    assert any(v["IsDefault"] for v in vpcs)
    assert time.perf_counter() - started < warmed_in  # the first call paid, not this one


def test_external_emulators_are_left_alone():
    # Nothing listens there: any call would fail (slowly, with retries).
    started = time.perf_counter()
    warm_backends(Emulator(endpoint="http://127.0.0.1:9", kind="external"), ["ec2"], "us-east-1")
    assert time.perf_counter() - started < 0.5
