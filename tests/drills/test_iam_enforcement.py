"""harness.drills.iam: IAM enforcement is proven before a check relies on it."""

from __future__ import annotations

import types

import pytest

from harness.drills.iam import Principal, Principals, assert_denied
from harness.pytest_plugin import NOT_EVALUABLE


class _Unenforced:
    """An IAM client on an emulator that answers every call (no enforcement)."""

    def list_users(self, **_kwargs):
        return {"Users": []}


def test_an_emulator_that_enforces_nothing_makes_the_check_not_evaluable():
    switched = []
    principals = Principals.__new__(Principals)
    principals.emulator = types.SimpleNamespace(
        kind="external", endpoint="http://127.0.0.1:4566", set_iam_enforcement=switched.append
    )
    principals._enforcing = False
    principals._enforcement_proven = False
    principals._witness = lambda: Principal(arn="w", client=lambda *_a, **_k: _Unenforced())
    with pytest.raises(pytest.skip.Exception, match=NOT_EVALUABLE), principals.enforced():
        pytest.fail("the block must not run when enforcement is not proven")
    assert switched == [True, False]  # switched off again


def test_moto_enforcement_is_proven_once(moto_emulator):
    principals = Principals(moto_emulator, "us-east-1")
    try:
        stranger = principals.stranger()
        with principals.enforced():
            assert_denied(lambda: stranger.client("iam").list_users(), "iam:ListUsers")
        assert principals._enforcement_proven
        witnesses = [u for u in principals._created_users if u.startswith("kata-witness-")]
        assert len(witnesses) == 1
        with principals.enforced():  # proven already: no second witness
            pass
        assert [u for u in principals._created_users if u.startswith("kata-witness-")] == witnesses
    finally:
        principals.close()
    users = principals.admin("iam").list_users()["Users"]
    assert not [u for u in users if u["UserName"].startswith(("kata-witness-", "kata-stranger-"))]
