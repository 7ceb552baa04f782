"""Act as a deployed principal with IAM enforcement on.

Models: a workload running as its role. In AWS the trusted service (Lambda, ECS,
a human through SSO) obtains the role session; here the harness obtains it the same
way the service would — before enforcement is switched on, so the role's *trust*
policy is not what decides whether the harness may act as it. Trust policies are
checked separately with ``stranger()``/``user()``, who call sts:AssumeRole under
enforcement exactly like an attacker in the same account would.

Clients are built on localstack-client's Session, which takes the emulator's
host:port, so the same code serves the embedded moto and an external LocalStack.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlparse

from botocore.config import Config
from botocore.exceptions import ClientError
from localstack_client.session import Session

from harness.emulator import TEST_CREDENTIALS, Emulator
from harness.errors import EmulatorError

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "InvalidClientTokenId",
        "Forbidden",
        "403",
    }
)
_NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})
STRANGER_DEFAULT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def _host(endpoint: str) -> str:
    url = urlparse(endpoint)
    return f"{url.hostname}:{url.port or 80}"


def client_factory(
    endpoint: str,
    region: str,
    access_key: str = TEST_CREDENTIALS["aws_access_key_id"],
    secret_key: str = TEST_CREDENTIALS["aws_secret_access_key"],
    session_token: str | None = None,
) -> Callable[..., Any]:
    """``client(service, region=None)`` for one set of credentials, cached per region."""
    sessions: dict[str, Session] = {}
    clients: dict[tuple[str, str], Any] = {}

    def client(service: str, region_name: str | None = None) -> Any:
        where = region_name or region
        if (service, where) not in clients:
            if where not in sessions:
                sessions[where] = Session(
                    aws_access_key_id=access_key,
                    aws_secret_access_key=secret_key,
                    aws_session_token=session_token,
                    region_name=where,
                    localstack_host=_host(endpoint),
                )
            extra: dict[str, Any] = {"config": _NO_RETRY}
            if session_token:  # localstack-client keeps the token but does not pass it on
                extra["aws_session_token"] = session_token
            clients[(service, where)] = sessions[where].client(service, **extra)
        return clients[(service, where)]

    return client


@dataclass
class Principal:
    arn: str
    client: Callable[..., Any]  # client("s3", region=None)

    def can(self, call: Callable[[], Any]) -> bool:
        """True if the call is allowed, False if IAM denies it; other errors propagate."""
        try:
            call()
        except ClientError as exc:
            # Any other error (e.g. NoSuchKey) means IAM let the call through.
            return not is_denied(exc)
        return True


def is_denied(exc: ClientError) -> bool:
    err = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return err.get("Code") in DENIED_CODES or (status == 403 and err.get("Code") != "NoSuchKey")


def assert_denied(call: Callable[[], Any], what: str = "") -> None:
    """The call must be refused by IAM (AccessDenied and friends), not fail otherwise."""
    try:
        call()
    except ClientError as exc:
        if is_denied(exc):
            return
        raise AssertionError(f"{what or 'call'} failed, but not with AccessDenied: {exc}") from None
    raise AssertionError(f"{what or 'call'} was allowed; least privilege says it must be denied")


def assert_allowed(call: Callable[[], Any], what: str = "") -> Any:
    """The call must get past IAM. Returns its response."""
    try:
        return call()
    except ClientError as exc:
        if is_denied(exc):
            raise AssertionError(
                f"{what or 'call'} was denied but the SPEC permits it: {exc}"
            ) from None
        raise


class Principals:
    """Principals to act as, and the switch that makes moto evaluate IAM."""

    def __init__(self, emulator: Emulator, region: str) -> None:
        self.emulator = emulator
        self.region = region
        self._admin = client_factory(emulator.endpoint, region)
        self._created_users: list[str] = []
        self._issued_keys: list[tuple[str, str]] = []  # (user, key id) to revoke on close
        self._enforcing = False
        self._enforcement_proven = False

    def admin(self, service: str, region: str | None = None) -> Any:
        return self._admin(service, region)

    def role(self, role_arn_or_name: str, session_name: str = "kata-check") -> Principal:
        """A session of the role, obtained the way its trusted service would."""
        self._require_not_enforcing("role()")
        iam = self._admin("iam")
        arn = role_arn_or_name
        if not arn.startswith("arn:"):
            arn = iam.get_role(RoleName=role_arn_or_name)["Role"]["Arn"]
        creds = self._admin("sts").assume_role(RoleArn=arn, RoleSessionName=session_name)[
            "Credentials"
        ]
        session_arn = arn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")
        return Principal(
            arn=f"{session_arn}/{session_name}",
            client=client_factory(
                self.emulator.endpoint,
                self.region,
                creds["AccessKeyId"],
                creds["SecretAccessKey"],
                creds["SessionToken"],
            ),
        )

    def user(self, user_name: str) -> Principal:
        """An IAM user the program created, with a fresh access key."""
        self._require_not_enforcing("user()")
        iam = self._admin("iam")
        key = iam.create_access_key(UserName=user_name)["AccessKey"]
        self._issued_keys.append((user_name, key["AccessKeyId"]))
        arn = iam.get_user(UserName=user_name)["User"]["Arn"]
        return Principal(
            arn=arn,
            client=client_factory(
                self.emulator.endpoint, self.region, key["AccessKeyId"], key["SecretAccessKey"]
            ),
        )

    def stranger(self, policy: dict | None = None) -> Principal:
        """Another principal of the same account, allowed sts:AssumeRole on anything.

        What a trust policy must keep out: a compromised workload or a curious colleague.
        """
        self._require_not_enforcing("stranger()")
        name = f"kata-stranger-{uuid.uuid4().hex[:8]}"
        iam = self._admin("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName="stranger",
            PolicyDocument=json.dumps(policy or STRANGER_DEFAULT_POLICY),
        )
        self._created_users.append(name)
        return self.user(name)

    def assume(self, principal: Principal, role_arn: str) -> Principal:
        """``principal`` calls sts:AssumeRole on ``role_arn`` (under enforcement if on)."""
        creds = principal.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="kata-check")[
            "Credentials"
        ]
        return Principal(
            arn=role_arn,
            client=client_factory(
                self.emulator.endpoint,
                self.region,
                creds["AccessKeyId"],
                creds["SecretAccessKey"],
                creds["SessionToken"],
            ),
        )

    @contextlib.contextmanager
    def enforced(self) -> Iterator[None]:
        """Inside, every request is authorized against IAM like AWS does.

        Proven, not assumed, the first time: a user with no policy at all must be refused.
        An emulator that accepts the switch and enforces nothing (LocalStack's community
        edition) would otherwise make every forbidden call look allowed, so the check
        ends as not evaluable there instead.
        """
        witness = None if self._enforcement_proven else self._witness()
        try:
            self.emulator.set_iam_enforcement(True)
        except EmulatorError:
            # No switch at all (LocalStack without moto's passthrough, an unknown
            # endpoint): nothing proves enforcement, so the check cannot be judged here.
            self._not_enforced("it has no IAM enforcement switch (/moto-api/reset-auth)")
        self._enforcing = True
        try:
            if witness is not None:
                self._prove_enforcement(witness)
            yield
        finally:
            self._enforcing = False
            self.emulator.set_iam_enforcement(False)

    def _witness(self) -> Principal:
        name = f"kata-witness-{uuid.uuid4().hex[:8]}"
        self._admin("iam").create_user(UserName=name)
        self._created_users.append(name)
        return self.user(name)

    def _prove_enforcement(self, witness: Principal) -> None:
        try:
            witness.client("iam").list_users(MaxItems=1)
        except ClientError as exc:
            if not is_denied(exc):
                raise
            self._enforcement_proven = True
            return
        self._not_enforced("IAM is not enforced (a user with no policy may iam:ListUsers)")

    def _not_enforced(self, why: str) -> NoReturn:
        from harness.emulator.capabilities import name_of
        from harness.pytest_plugin import not_evaluable  # only checks enter enforced()

        not_evaluable(f"{name_of(self.emulator)} at {self.emulator.endpoint}", why)

    def _require_not_enforcing(self, what: str) -> None:
        if self._enforcing:
            raise RuntimeError(
                f"create principals before `with iam.enforced()`, not inside ({what})"
            )

    def close(self) -> None:
        if self._enforcing:
            self.emulator.set_iam_enforcement(False)
        iam = self._admin("iam")
        # Leave the account as the program left it, so converge and the leak check
        # see only what the program made.
        for user, key_id in self._issued_keys:
            with contextlib.suppress(ClientError):
                iam.delete_access_key(UserName=user, AccessKeyId=key_id)
        for name in self._created_users:
            with contextlib.suppress(ClientError):  # a witness has no policy
                iam.delete_user_policy(UserName=name, PolicyName="stranger")
            with contextlib.suppress(ClientError):
                iam.delete_user(UserName=name)
