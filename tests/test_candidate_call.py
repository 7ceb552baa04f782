"""Calling a candidate's module: its own process, JSON in and out, errors that say where."""

from __future__ import annotations

import textwrap

import pytest

from harness.candidate_call import CandidateError, call_each

MODULE = """
import os

def double(payload):
    print("chatter goes to stderr, not into the result")
    return {"twice": payload["n"] * 2, "endpoint": os.environ.get("AWS_ENDPOINT_URL")}

def explode(payload):
    return payload["missing"]

def not_json(payload):
    return {1, 2}

def forever(payload):
    while True:
        pass
"""


@pytest.fixture
def program(tmp_path):
    (tmp_path / "mod.py").write_text(textwrap.dedent(MODULE))
    return tmp_path


def test_each_payload_gets_its_result_in_one_process(program):
    assert call_each(program, "mod", "double", [{"n": 1}, {"n": 21}]) == [
        {"twice": 2, "endpoint": None},
        {"twice": 42, "endpoint": None},
    ]


def test_an_exception_names_the_line_and_the_error(program):
    with pytest.raises(CandidateError, match=r"mod\.explode\(\) raised at mod\.py:9: KeyError"):
        call_each(program, "mod", "explode", [{}])


def test_a_result_that_is_not_json_is_an_error(program):
    with pytest.raises(CandidateError, match="not JSON serializable"):
        call_each(program, "mod", "not_json", [{}])


def test_a_function_that_never_returns_is_stopped(program):
    with pytest.raises(CandidateError, match="did not return within 1 s"):
        call_each(program, "mod", "forever", [{}], timeout_s=1)


def test_a_missing_module_or_function_is_an_error(program):
    with pytest.raises(CandidateError, match="ModuleNotFoundError"):
        call_each(program, "nope", "double", [{}])
    with pytest.raises(CandidateError, match="AttributeError"):
        call_each(program, "mod", "nope", [{}])
