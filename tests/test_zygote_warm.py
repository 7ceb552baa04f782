"""The zygote loads the pulumi_aws classes a program uses before forking it, so only
the first run of a program pays for them (see harness/engines/local/zygote.py)."""

from __future__ import annotations

import json
import sys

from harness.engines.local import zygote


def _request(tmp_path, resources=None):
    (tmp_path / "program").mkdir()
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "workdir": str(tmp_path / "program"),
                "warm_types": [r["type"] for r in resources or []],  # what earlier runs applied
            }
        )
    )
    return request


def test_classes_named_in_the_source_are_loaded_before_the_first_run(tmp_path):
    request = _request(tmp_path)
    (tmp_path / "program" / "__main__.py").write_text(
        "import pulumi, pulumi_aws as aws\n"
        "aws.pinpoint.App('a')\n"
        "aws.nosuchservice.Thing('x')\n"  # not in pulumi_aws: skipped quietly
        "pulumi.export('x', 1)\n"
    )
    zygote._warm_source_of(str(request))
    assert "pulumi_aws.pinpoint.app" in sys.modules


def test_types_earlier_runs_registered_are_loaded_before_the_next(tmp_path):
    request = _request(
        tmp_path,
        [
            {"type": "aws:mq/broker:Broker"},
            {"type": "aws:lambda/function:Function"},  # the module is pulumi_aws.lambda_
            {"type": "pulumi:providers:aws"},
            {"type": "aws:nosuch/thing:Thing"},
        ],
    )
    zygote._warm_types_of(str(request))
    assert "pulumi_aws.mq.broker" in sys.modules
    assert "pulumi_aws.lambda_.function" in sys.modules


def test_a_missing_or_broken_request_is_ignored(tmp_path):
    zygote._warm_types_of(str(tmp_path / "absent.json"))
    (tmp_path / "bad.json").write_text("{")
    zygote._warm_source_of(str(tmp_path / "bad.json"))
