"""Resource-based policies: what a bucket, queue, topic, key, secret, function or REST
API grants.

Within one account, a resource-based policy that names a principal grants it access
on its own, whatever the principal's identity policies say (IAM User Guide, "Policy
evaluation logic", same-account requests). A least-privilege verdict that reads only
the identity policies passes a program that grants its roles more through a bucket or
queue policy; this module closes that gap.

What is modeled, for a caller that is an IAM role (any of its sessions) or user of
the account:

- **Principal forms.** ``"*"`` and ``{"AWS": "*"}`` name every caller. The caller's
  ARN names it (compared case-insensitively: IAM resolves a principal ARN to the
  entity, whose name is case-insensitive); for a role, an ``sts`` assumed-role
  session ARN of that role names it too (the assumer picks the session name). The
  caller's account, as an id or its root ARN, *delegates*: in an Allow it grants
  nothing by itself (the caller's identity policies must allow the request, and
  they are judged on their own); in a Deny it denies every principal of the account.
  Another account, ``Service`` and ``Federated`` principals name no IAM role or user
  of the account. ``NotPrincipal`` names every caller it does not list. An Allow in
  a form this module cannot resolve (``CanonicalUser``, a wildcard inside an ARN, a
  unique id such as ``AROA…``) is an :class:`Unjudged` finding when it would grant
  beyond the allow-list, never ignored; such a Deny is left out (it could only take
  grants away, so judging without it can over-report, never hide).
- **Conditions.** Keys that describe the caller are evaluated with
  :mod:`harness.iam.conditions` (``aws:PrincipalArn``, ``aws:PrincipalAccount``,
  ``aws:PrincipalType``, ``aws:username``, ``aws:PrincipalIsAWSService``); keys a
  caller's own request never carries (``aws:SourceArn``, ``aws:SourceAccount``,
  ``aws:SourceOrgID``, ``aws:SourceOwner``, ``aws:PrincipalServiceName``) are absent,
  as IAM sees them. Keys the caller chooses per request (``aws:SecureTransport``,
  ``aws:SourceIp``, ``s3:prefix``, every service-specific key, …) stay on the
  statement: an Allow under them is a grant (the caller can meet them), to be judged
  with its condition (an allow-list may demand ``s3:prefix``); a Deny under them does
  not take a grant away entirely. Any other key (``aws:PrincipalOrgID``,
  ``aws:PrincipalTag/…``, ``aws:userid``, …) makes the statement doubtful, as an
  unresolved principal does.
- **Resources.** A statement governs only the resource the policy is attached to: a
  bucket policy the bucket and its objects (a Resource naming keys keeps its
  pattern), a function policy the function and its versions and aliases, a REST API's
  policy the API's methods (``execute-api:/…``), any other policy its one resource
  (``"*"`` in a key policy means the key). Actions outside the resource's service are
  dropped (AWS rejects them).
- **Deny.** An explicit Deny of a resource policy that applies to the caller without
  a request condition takes away identity and resource grants alike, as any
  explicit Deny does (:func:`violations`).

Not modeled: KMS key policies that do *not* enable IAM policies (a key whose policy
does not allow the account: AWS then ignores identity grants on the key; they are still
judged here, which can only over-report), KMS grants, S3 ACLs and access points,
permissions boundaries capping resource-policy grants (AWS caps a grant to a role ARN,
not one to a session or user ARN: the grant is judged uncapped), SCPs and RCPs,
cross-account requests. :func:`read_resource_policies` reads through boto3 clients it
is handed (admin credentials).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from harness.iam.allowlist import Allowed, Violation, _scope, violations
from harness.iam.arn import arn_parts, pattern_covers, patterns_overlap
from harness.iam.conditions import UnsupportedCondition, condition_holds
from harness.iam.document import (
    Conditions,
    Document,
    DocumentLike,
    PolicyDocumentError,
    Principals,
    Statement,
    named_documents,
    parse_document,
)

_ACCOUNT_ID = re.compile(r"^\d{12}$")

# Condition keys, lower case (IAM compares keys case-insensitively).
CALLER_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:username",
        "aws:principalisawsservice",
    }
)
# Set only when a service principal calls on behalf of a resource: a role's or user's
# own request does not carry them.
ABSENT_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:principalservicename",
        "aws:principalservicenamelist",
    }
)
# Global keys whose value the caller's request decides (transport, network, time, MFA,
# tags it sends, the service that relays it).
REQUEST_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:vpcsourceip",
        "aws:currenttime",
        "aws:epochtime",
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:tokenissuetime",
        "aws:requestedregion",
        "aws:tagkeys",
        "aws:referer",
        "aws:useragent",
        "aws:viaawsservice",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
    }
)
REQUEST_KEY_PREFIXES = ("aws:requesttag/", "aws:resourcetag/")

# The service prefix of the actions a resource's policy can govern.
SERVICE_OF_KIND = {
    "bucket policy": "s3",
    "queue policy": "sqs",
    "topic policy": "sns",
    "key policy": "kms",
    "secret resource policy": "secretsmanager",
    "function policy": "lambda",
    "rest api policy": "execute-api",
}


@dataclass(frozen=True)
class ResourcePolicy:
    """The policy a resource carries, as the emulator holds it."""

    kind: str  # one of SERVICE_OF_KIND: "bucket policy", "queue policy", …
    resource_arn: str  # the bucket, queue, topic, key, secret or function
    document: Document

    @property
    def service(self) -> str:
        return SERVICE_OF_KIND[self.kind]

    @property
    def label(self) -> str:
        return f"{self.kind} of {self.resource_arn}"


@dataclass(frozen=True)
class Caller:
    """An IAM role or user of the account, as a resource policy's Principal sees it."""

    arn: str  # arn:aws:iam::<account>:role/<path/>name or …:user/<path/>name

    @property
    def account(self) -> str:
        return (arn_parts(self.arn) or {}).get("account", "")

    @property
    def kind(self) -> str:
        resource = (arn_parts(self.arn) or {}).get("resource", "")
        return resource.partition("/")[0]

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def context(self) -> dict[str, Any]:
        """The caller keys of every request this principal makes itself."""
        ctx: dict[str, Any] = {
            "aws:PrincipalArn": self.arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole" if self.kind == "role" else "User",
            "aws:PrincipalIsAWSService": "false",
        }
        if self.kind == "user":
            ctx["aws:username"] = self.name
        return ctx


@dataclass(frozen=True)
class Unjudged:
    """A resource-policy statement whose effect on a caller cannot be worked out."""

    policy: str  # ResourcePolicy.label
    sid: str | None
    caller: str
    reason: str
    would_grant: str = ""  # e.g. "s3:PutObject on arn:aws:s3:::b/*", should it apply

    def message(self, clause: str = "") -> str:
        where = f"{self.policy}, statement {self.sid}" if self.sid else self.policy
        head = f"{clause}: " if clause else ""
        what = f" {self.would_grant}" if self.would_grant else " something"
        return (
            f"{head}{where} may grant {_caller_label(self.caller)}{what} beyond the "
            f"allow-list, but {self.reason}: not evaluable"
        )


def _caller_label(arn: str) -> str:
    kind, _, name = ((arn_parts(arn) or {}).get("resource") or arn).partition("/")
    return f"{kind} {name.rsplit('/', 1)[-1]}" if name else arn


@dataclass
class ResourceGrants:
    """What the resource policies of the account do to one caller.

    ``allows`` and ``denies`` are the statements that apply to the caller, rewritten as
    identity-policy statements: Principal gone, caller conditions decided, Resource cut
    to the resource the policy is attached to. Each is named after its policy and how
    the statement names the caller, and paired with the policy's service. ``doubtful``
    holds the Allows that may apply (a principal form or condition key not resolved
    here), rewritten as if they did, with the reason. A doubtful Deny is left out: it
    could only take grants away, so judging without it can over-report, never hide.
    """

    caller: str
    allows: list[tuple[str, Document, str]] = field(default_factory=list)
    denies: list[tuple[str, Document]] = field(default_factory=list)
    doubtful: list[tuple[str, Document, str, Unjudged]] = field(default_factory=list)


# --- principals -------------------------------------------------------------------


NAMES, DELEGATES, MISSES = "names", "delegates", "misses"


def _session_role(value: str) -> str | None:
    """arn:aws:sts::<account>:assumed-role/<role>/<session> -> (account, role) key."""
    parts = arn_parts(value)
    if not parts or parts["service"] != "sts":
        return None
    resource = parts["resource"].split("/")
    if resource[0] != "assumed-role" or len(resource) < 3:
        return None
    return f"{parts['account']}:{resource[1].casefold()}"


def _aws_value(value: str, caller: Caller) -> str:
    """How one ``AWS`` principal value relates to the caller: NAMES, DELEGATES or MISSES.

    Raises ValueError for a form that cannot be resolved.
    """
    value = value.strip()
    if value == "*":
        return NAMES
    if _ACCOUNT_ID.match(value):
        return DELEGATES if value == caller.account else MISSES
    parts = arn_parts(value)
    if parts is None:
        raise ValueError(
            f'the principal {value!r} is not an ARN, account id or "*" '
            "(a unique id such as AROA… is not resolved here)"
        )
    if "*" in value or "?" in value:
        raise ValueError(f'the principal {value!r} has a wildcard (AWS accepts only "*" alone)')
    if parts["account"] != caller.account:
        return MISSES
    if parts["service"] == "iam" and parts["resource"] == "root":
        return DELEGATES
    if value.casefold() == caller.arn.casefold():
        return NAMES
    session = _session_role(value)
    if session is not None and caller.kind == "role":
        return NAMES if session == f"{caller.account}:{caller.name.casefold()}" else MISSES
    return MISSES


def _relation(principals: Principals, caller: Caller, deny: bool) -> str:
    """The strongest relation any value of a Principal block has to the caller."""
    found = MISSES
    for kind, values in principals.items():
        if kind == "AWS":
            for value in values:
                relation = _aws_value(value, caller)
                if relation == NAMES or (relation == DELEGATES and deny):
                    return NAMES
                if relation == DELEGATES:
                    found = DELEGATES
        elif kind in ("Service", "Federated"):
            continue  # not an IAM role or user of the account
        else:
            raise ValueError(f"a {kind} principal is not resolved to IAM roles or users here")
    return found


def principal_relation(statement: Statement, caller: Caller) -> str:
    """Whether a resource-policy statement NAMES the caller, DELEGATES to its account
    (an Allow naming the account: no grant by itself) or MISSES it.

    Raises ValueError for a principal form this module does not resolve.
    """
    if statement.not_principals is not None:
        # Excluded only when named outright (the account, for a Deny): the reading that
        # leaves the most grants in force, so doubt never hides one.
        excluded = _relation(statement.not_principals, caller, deny=statement.denies)
        return MISSES if excluded == NAMES else NAMES
    if statement.principals is None:
        raise ValueError("the statement has no Principal (AWS rejects that in a resource policy)")
    return _relation(statement.principals, caller, statement.denies)


# --- conditions -------------------------------------------------------------------


def _key_class(key: str) -> str:
    key = key.lower()
    if key in CALLER_KEYS or key in ABSENT_KEYS:
        return "caller"
    if key in REQUEST_KEYS or key.startswith(REQUEST_KEY_PREFIXES) or not key.startswith("aws:"):
        return "request"
    return "unknown"


def split_conditions(conditions: Conditions, caller: Caller) -> tuple[bool, Conditions, list[str]]:
    """(whether the caller keys hold, the request conditions left, keys not judged).

    Each (operator, key) test on a caller key is evaluated for ``caller``; one that
    fails makes the statement miss the caller whatever else it says.
    """
    context = caller.context()
    holds, left, unknown = True, {}, []
    for operator, tests in conditions.items():
        for key, values in tests.items():
            kind = _key_class(key)
            if kind == "request":
                left.setdefault(operator, {})[key] = values
            elif kind == "unknown":
                unknown.append(f"{operator} {key}")
            else:
                try:
                    if not condition_holds({operator: {key: values}}, context):
                        holds = False
                except UnsupportedCondition:
                    unknown.append(f"{operator} {key}")
    return holds, left, unknown


# --- resources --------------------------------------------------------------------


# What lies under a resource and its policy governs too: a bucket's objects, a
# function's versions and aliases (``function:f:live``).
_PARTS = {"s3": "/*", "lambda": ":*", "execute-api": "/*"}


def _governed(statement: Statement, policy: ResourcePolicy) -> list[str]:
    """The resource patterns a statement of ``policy`` can apply to (may be none)."""
    arn = policy.resource_arn
    parts = _PARTS.get(policy.service)
    targets = [arn, f"{arn}{parts}"] if parts else [arn]
    if statement.not_resources is not None:
        return [
            t for t in targets if not any(pattern_covers(p, t) for p in statement.not_resources)
        ]
    if statement.resources is None:
        return targets  # AWS rejects it; judged as the whole resource, never a silent pass
    out: list[str] = []
    for pattern in sorted(statement.resources):
        covered = [t for t in targets if pattern_covers(pattern, t)]
        if covered:
            out += covered
        elif parts and patterns_overlap(pattern, f"{arn}{parts}"):
            out.append(pattern)  # some objects, or one version: the pattern as written
    return list(dict.fromkeys(out))


# --- per caller -------------------------------------------------------------------


def _how(statement: Statement) -> str:
    if statement.not_principals is not None:
        return "NotPrincipal " + json.dumps(
            {k: sorted(v) for k, v in statement.not_principals.items()}
        )
    return "Principal " + json.dumps(
        {k: sorted(v) for k, v in (statement.principals or {}).items()}
    )


def grants_to(caller_arn: str, policies: Iterable[ResourcePolicy]) -> ResourceGrants:
    """Every statement of ``policies`` that grants or denies ``caller_arn`` something."""
    caller = Caller(caller_arn)
    out = ResourceGrants(caller_arn)
    for policy in policies:
        for statement in policy.document.statements:
            doubts = []
            try:
                relation = principal_relation(statement, caller)
            except ValueError as exc:
                relation = NAMES
                doubts.append(str(exc))
            if relation != NAMES:
                continue
            holds, left, unknown = split_conditions(statement.conditions, caller)
            if not holds:
                continue
            if unknown:
                doubts.append(f"its condition on {', '.join(unknown)} is not evaluated here")
            if doubts and statement.denies:
                continue
            resources = _governed(statement, policy)
            if not resources:
                continue
            rewritten = replace(
                statement,
                principals=None,
                not_principals=None,
                resources=frozenset(resources),
                not_resources=None,
                conditions=left,
            )
            name = f"{policy.label} ({_how(statement)})"
            document = Document(statements=[rewritten])
            if doubts:
                reason = "; ".join(doubts)
                unjudged = Unjudged(policy.label, statement.sid, caller_arn, reason)
                out.doubtful.append((name, document, policy.service, unjudged))
            elif statement.allows:
                out.allows.append((name, document, policy.service))
            else:
                out.denies.append((name, document))
    return out


def effective_violations(
    principal: str,
    documents: Iterable[tuple[str, DocumentLike]],
    allowed: Sequence[Allowed],
    policies: Iterable[ResourcePolicy],
    scope: str | Sequence[str] | Callable[[str], bool] | None = None,
    boundary: DocumentLike | list[DocumentLike | tuple[str, DocumentLike]] = None,
) -> tuple[list[Violation], list[Unjudged]]:
    """Grants beyond the allow-list from identity policies *and* resource policies.

    Same-account semantics: an action is granted if an identity policy or a resource
    policy naming the principal allows it, and no unconditional explicit Deny (of either
    kind) applying to the principal takes it away. The permissions ``boundary`` caps
    identity grants only (see the module docstring). A violation from a resource policy
    names it (``bucket policy of arn:aws:s3:::b (Principal {"AWS": ["*"]})``). The
    second list holds the doubtful statements (:class:`ResourceGrants`) that would
    grant something beyond the allow-list, in ``scope``, should they apply: the verdict
    on them is "not evaluable"; one that could only grant what is allowed is no doubt.
    """
    named = named_documents(documents)
    grants = grants_to(principal, policies)
    in_scope = _scope(scope)

    def _of(service: str) -> Callable[[str], bool]:
        # A resource policy governs its own service's actions only.
        return lambda action: in_scope(action) and action.startswith(f"{service}:")

    denies = [(n, Document(d.deny_statements)) for n, d in named if d.deny_statements]
    denies += grants.denies
    found = violations(principal, named + grants.denies, allowed, boundary, in_scope)
    for name, document, service in grants.allows:
        found += violations(principal, [(name, document), *denies], allowed, scope=_of(service))
    unjudged = []
    for name, document, service, doubt in grants.doubtful:
        would = violations(principal, [(name, document), *denies], allowed, scope=_of(service))
        if would:
            what = f"{would[0].action} on {would[0].resource}"
            unjudged.append(replace(doubt, would_grant=what))
    return found, unjudged


# --- reading the emulator ---------------------------------------------------------


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _parsed(kind: str, arn: str, text: str | None) -> ResourcePolicy | None:
    if not text:
        return None
    try:
        return ResourcePolicy(kind, arn, parse_document(text))
    except PolicyDocumentError as exc:
        raise PolicyDocumentError(f"{kind} of {arn}: {exc}") from None


def _buckets(s3: Any) -> list[ResourcePolicy]:
    out = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        try:
            text = s3.get_bucket_policy(Bucket=name)["Policy"]
        except Exception as exc:  # botocore ClientError; the module imports no botocore
            if _error_code(exc) in ("NoSuchBucketPolicy", "NoSuchBucket"):
                continue
            raise
        if policy := _parsed("bucket policy", f"arn:aws:s3:::{name}", text):
            out.append(policy)
    return out


def _queues(sqs: Any) -> list[ResourcePolicy]:
    out = []
    for page in sqs.get_paginator("list_queues").paginate():
        for url in page.get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn", "Policy"]
            )["Attributes"]
            if policy := _parsed("queue policy", attributes["QueueArn"], attributes.get("Policy")):
                out.append(policy)
    return out


def _topics(sns: Any) -> list[ResourcePolicy]:
    out = []
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            arn = topic["TopicArn"]
            attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            if policy := _parsed("topic policy", arn, attributes.get("Policy")):
                out.append(policy)
    return out


def _keys(kms: Any) -> list[ResourcePolicy]:
    out = []
    for page in kms.get_paginator("list_keys").paginate():
        for key in page.get("Keys", []):
            text = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
            if policy := _parsed("key policy", key["KeyArn"], text):
                out.append(policy)
    return out


def _secrets(secretsmanager: Any) -> list[ResourcePolicy]:
    out = []
    for page in secretsmanager.get_paginator("list_secrets").paginate():
        for secret in page.get("SecretList", []):
            try:
                answer = secretsmanager.get_resource_policy(SecretId=secret["ARN"])
            except Exception as exc:  # botocore ClientError
                # A replica's policy is its primary's (Secrets Manager replicates it),
                # read in the primary's region.
                if _error_code(exc) == "InvalidParameterException" and "replica" in str(exc):
                    continue
                raise
            if policy := _parsed(
                "secret resource policy", secret["ARN"], answer.get("ResourcePolicy")
            ):
                out.append(policy)
    return out


def _principals_as_objects(text: str) -> str:
    # moto keeps add_permission's Principal as given (a bare ARN or account id) where
    # AWS answers {"AWS": …} or {"Service": …}: read it the way AWS would answer.
    document = json.loads(text)
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal")
        if isinstance(principal, str) and principal != "*":
            service = principal.endswith(".amazonaws.com") or (
                ":" not in principal and "." in principal
            )
            statement["Principal"] = {"Service" if service else "AWS": principal}
    return json.dumps(document)


def _functions(lambda_: Any) -> list[ResourcePolicy]:
    out = []
    for page in lambda_.get_paginator("list_functions").paginate():
        for function in page.get("Functions", []):
            arn = function["FunctionArn"]
            try:
                text = lambda_.get_policy(FunctionName=arn)["Policy"]
            except Exception as exc:  # botocore ClientError
                if _error_code(exc) == "ResourceNotFoundException":
                    continue
                raise
            if policy := _parsed("function policy", arn, _principals_as_objects(text)):
                out.append(policy)
    return out


def _rest_apis(apigateway: Any, account: str) -> list[ResourcePolicy]:
    out = []
    region = apigateway.meta.region_name
    for page in apigateway.get_paginator("get_rest_apis").paginate():
        for api in page.get("items", []):
            text = api.get("policy")
            if not text:
                continue
            if text.lstrip().startswith('{\\"'):
                text = text.replace('\\"', '"')  # API Gateway answers the JSON escaped
            arn = f"arn:aws:execute-api:{region}:{account}:{api['id']}"
            # "execute-api:/stage/method/path" is API Gateway's shorthand for this API.
            text = text.replace('"execute-api:/', f'"{arn}/')
            if policy := _parsed("rest api policy", arn, text):
                out.append(policy)
    return out


READERS: dict[str, Callable[[Any], list[ResourcePolicy]]] = {
    "s3": _buckets,
    "sqs": _queues,
    "sns": _topics,
    "kms": _keys,
    "secretsmanager": _secrets,
    "lambda": _functions,
}


def read_resource_policies(
    client: Callable[..., Any],
    regions: Sequence[str],
    services: Iterable[str] = (*READERS, "apigateway"),
) -> list[ResourcePolicy]:
    """Every resource policy the emulator holds for ``services`` in ``regions``.

    ``client(service, region)`` returns an admin boto3 client (the harness's ``aws``
    fixture and the tests' ``aws_client`` both take the region second). Everything the
    account holds is read, not only what the stack's state lists: a fresh emulator holds only
    what the program made (and the checks' own policy-less fixtures), and a policy put
    by other means still grants. S3 lists every bucket from one region.
    """
    out: list[ResourcePolicy] = []
    for service in services:
        for region in regions[:1] if service == "s3" else regions:
            if service == "apigateway":  # an API's ARN needs the account, its answer lacks it
                account = client("sts", region).get_caller_identity()["Account"]
                out += _rest_apis(client(service, region), account)
            else:
                out += READERS[service](client(service, region))
    return out
