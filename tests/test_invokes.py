"""render_policy_document: what terraform-provider-aws's aws_iam_policy_document renders.

Expectations follow the provider's policy model (internal/service/iam/policy_model.go
and policy_document_data_source.go): json.MarshalIndent with two spaces, empty fields
omitted, a single value as a string, several reverse-sorted, statements merged by Sid.
"""

from __future__ import annotations

import json
import zlib

from harness.engines.local.invokes import render_policy_document


def statements(*stmts):
    return json.loads(render_policy_document({"statements": list(stmts)})["json"])["Statement"]


def test_single_action_and_resource_render_as_strings_and_effect_defaults_to_allow():
    [stmt] = statements({"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]})
    assert stmt == {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def test_several_values_render_as_a_reverse_sorted_list():
    [stmt] = statements(
        {
            "actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "resources": ["arn:aws:s3:::a", "arn:aws:s3:::c", "arn:aws:s3:::b"],
        }
    )
    assert stmt["Action"] == ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    assert stmt["Resource"] == ["arn:aws:s3:::c", "arn:aws:s3:::b", "arn:aws:s3:::a"]


def test_empty_sid_is_omitted_and_a_given_sid_comes_first():
    no_sid, with_sid = statements(
        {"sid": "", "actions": ["s3:GetObject"]},
        {"sid": "Read", "effect": "Deny", "actions": ["s3:GetObject"]},
    )
    assert "Sid" not in no_sid
    assert list(with_sid) == ["Sid", "Effect", "Action"]  # the provider's field order
    assert with_sid["Effect"] == "Deny"


def test_exact_text_matches_the_providers_formatting():
    out = render_policy_document(
        {"statements": [{"actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:::q"]}]}
    )
    assert out["json"] == (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Effect": "Allow",\n'
        '      "Action": "sqs:SendMessage",\n'
        '      "Resource": "arn:aws:sqs:::q"\n'
        "    }\n"
        "  ]\n"
        "}"
    )
    assert out["minifiedJson"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:::q"}]}'
    )
    # The provider's id is StringHashcode(json), a crc32: the same in every process,
    # so a program that uses it as an input still converges.
    assert out["id"] == str(zlib.crc32(out["json"].encode()))


def test_principals_wildcard_collapses_to_star_and_a_single_service_is_a_string():
    [anyone] = statements(
        {"actions": ["s3:GetObject"], "principals": [{"type": "*", "identifiers": ["*"]}]}
    )
    assert anyone["Principal"] == "*"
    # {"AWS": "*"} is not the same to IAM and must stay as written.
    [aws_star] = statements(
        {"actions": ["s3:GetObject"], "principals": [{"type": "AWS", "identifiers": ["*"]}]}
    )
    assert aws_star["Principal"] == {"AWS": "*"}
    [mixed] = statements(
        {
            "actions": ["sts:AssumeRole"],
            "principals": [
                {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
                {
                    "type": "AWS",
                    "identifiers": ["arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b"],
                },
            ],
        }
    )
    assert mixed["Principal"] == {
        "AWS": ["arn:aws:iam::1:user/b", "arn:aws:iam::1:user/a"],
        "Service": "lambda.amazonaws.com",
    }
    assert list(mixed["Principal"]) == ["AWS", "Service"]  # Go marshals map keys sorted


def test_conditions_keep_value_order_and_flatten_single_values():
    [stmt] = statements(
        {
            "actions": ["s3:ListBucket"],
            "conditions": [
                {"test": "StringLike", "variable": "s3:prefix", "values": ["raw/", "curated/"]},
                {"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]},
                {"test": "StringLike", "variable": "s3:delimiter", "values": ["/"]},
            ],
        }
    )
    assert stmt["Condition"] == {
        "Bool": {"aws:SecureTransport": "true"},
        "StringLike": {"s3:delimiter": "/", "s3:prefix": ["raw/", "curated/"]},
    }


def test_ampersand_braces_become_policy_variables():
    [stmt] = statements(
        {
            "actions": ["s3:GetObject"],
            "resources": ["arn:aws:s3:::home/&{aws:username}/*"],
            "conditions": [
                {"test": "StringEquals", "variable": "s3:prefix", "values": ["&{aws:userid}"]}
            ],
        }
    )
    assert stmt["Resource"] == "arn:aws:s3:::home/${aws:username}/*"
    assert stmt["Condition"] == {"StringEquals": {"s3:prefix": "${aws:userid}"}}


def test_source_and_override_documents_merge_by_sid():
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Keep", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
                {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            ],
        }
    )
    override = json.dumps(
        {"Statement": [{"Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject"}]}
    )
    out = render_policy_document(
        {
            "sourcePolicyDocuments": [source],
            "statements": [
                {"sid": "Read", "actions": ["s3:GetObjectVersion"]},  # replaces the source's
                {"sid": "Write", "actions": ["s3:PutObject"]},  # then the override replaces it
                {"actions": ["sqs:SendMessage"]},  # no Sid: appended
            ],
            "overridePolicyDocuments": [override],
        }
    )
    merged = json.loads(out["json"])["Statement"]
    assert [s.get("Sid") for s in merged] == ["Keep", "Read", "Write", None]
    assert merged[1]["Action"] == "s3:GetObjectVersion"
    assert merged[2] == {"Sid": "Write", "Effect": "Deny", "Action": "s3:PutObject"}


def test_no_statements_renders_version_only():
    assert json.loads(render_policy_document({})["json"]) == {"Version": "2012-10-17"}
