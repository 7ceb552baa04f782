"""The embedded emulator refuses, and records, writes that did not come from the harness.

A program could call the emulator directly with boto3 and create what no Pulumi resource
declares; the state would never know, and a check reading the emulator might pass on it.
The harness applies every resource itself (engines/local/channel.py) and marks its own
requests with a token only it and the emulator know (given on the emulator's stdin, never
in an environment or a file a program could read). While the guard is on — from the
emulator's start to the end of the first deploy, and during every later program run —
any request that would change the emulator without the token is refused (AccessDenied)
and recorded; the engine turns the guard off after the run and fails the run naming each
one (service, action, name, region). Reads stay allowed (a program's lookups).
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

HEADER = "x-kata-harness"
ENVIRON_KEY = "HTTP_X_KATA_HARNESS"
CONTROL_PATH = "/_kata/guard"
MAX_BODY = 32 * 1024 * 1024
MAX_RECORDED = 100
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Query- and JSON-protocol actions that change nothing.
READ_ACTIONS = re.compile(
    r"^(Describe|List|Get|Head|Query|Scan|BatchGet|Search|Lookup|Check|Validate|Simulate|"
    r"Decode|Estimate|Preview|Select|Filter|Test)"
)
NAME_KEYS = (
    "QueueName",
    "QueueUrl",
    "Bucket",
    "RoleName",
    "UserName",
    "GroupName",
    "PolicyName",
    "PolicyArn",
    "FunctionName",
    "TopicArn",
    "Name",
    "TableName",
    "KeyId",
    "AliasName",
    "SecretId",
    "AlarmName",
    "ApplicationName",
    "HostedZoneId",
)
_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")

StartResponse = Callable[..., Any]


class WriteGuard:
    """WSGI middleware around moto's app."""

    def __init__(self, app: Callable[..., Iterable[bytes]], token: str, on: bool) -> None:
        self.app = app
        self.token = token
        self.on = on
        self.refused: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        from_harness = bool(self.token) and environ.get(ENVIRON_KEY) == self.token
        environ.pop(ENVIRON_KEY, None)
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response, from_harness)
        if not self.on or from_harness or environ.get("REQUEST_METHOD", "GET") in READ_METHODS:
            return self.app(environ, start_response)
        body = _body(environ)
        write = describe_write(environ, body)
        if write is None:
            return self.app(environ, start_response)
        with self.lock:
            if len(self.refused) < MAX_RECORDED:
                self.refused.append(write)
        return _deny(environ, start_response, write)

    def _control(self, environ: dict[str, Any], start_response: StartResponse, ok: bool) -> Any:
        """POST on|off: set the guard; the answer lists what was refused since last asked."""
        if not ok or environ.get("REQUEST_METHOD") != "POST":
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden"]
        wanted = _body(environ).decode(errors="replace").strip()
        with self.lock:
            self.on = wanted == "on"
            refused, self.refused = self.refused, []
        data = json.dumps({"on": self.on, "refused": refused}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [data]


def _body(environ: dict[str, Any]) -> bytes:
    """Read the request body once and put it back for moto."""
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    stream = environ.get("wsgi.input")
    data = stream.read(min(size, MAX_BODY)) if stream is not None and size > 0 else b""
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    return data


def describe_write(environ: dict[str, Any], body: bytes) -> dict[str, str] | None:
    """(service, action, name, region) of a request that changes something, else None."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else ("", "")
    path = environ.get("PATH_INFO", "")
    if path.startswith("/moto-api"):
        return {"service": "moto-api", "action": path, "name": "", "region": ""}
    params: dict[str, Any] = {
        k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items() if v
    }
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    content_type = environ.get("CONTENT_TYPE", "")
    if target:  # JSON protocol: Service_Version.Action
        action = target.rsplit(".", 1)[-1]
        try:
            loaded = json.loads(body or b"{}")
            params.update(loaded if isinstance(loaded, dict) else {})
        except ValueError:
            pass
    elif "x-www-form-urlencoded" in content_type or "Action" in params:
        params.update({k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items() if v})
        action = str(params.get("Action", ""))
    else:  # REST protocols (S3, Lambda, Route 53 …): the method says it
        action = f"{environ.get('REQUEST_METHOD')} {path}"
        first = unquote(path.strip("/").split("/")[0]) if path.strip("/") else ""
        params.setdefault("Bucket", first if service == "s3" else "")
    if (service == "sts" or (action and READ_ACTIONS.match(action))) and not ambiguous(
        environ, body
    ):
        return None
    name = next((str(params[k]) for k in NAME_KEYS if params.get(k)), "")
    return {"service": service, "action": action, "name": name[:200], "region": region}


def ambiguous(environ: dict[str, Any], body: bytes) -> bool:
    """Whether moto might read this request differently than ``describe_write`` did.

    moto takes a query-protocol action from ``request.form``, which also parses a
    multipart body: ``?Action=ListUsers`` with a multipart body saying CreateUser looked
    like a read here and created a user there. Such a request, one with two credential
    scopes, or a body too large to have been read whole never passes as a read.
    """
    if environ.get("HTTP_AUTHORIZATION", "").count("Credential=") > 1:
        return True
    try:
        if int(environ.get("CONTENT_LENGTH") or 0) > len(body):
            return True
    except ValueError:
        return True
    content_type = environ.get("CONTENT_TYPE", "").lower()
    if body and not environ.get("HTTP_X_AMZ_TARGET"):
        # Bodies of the query protocol are url-encoded; REST bodies carry no action.
        return "multipart/" in content_type or (
            "x-www-form-urlencoded" not in content_type
            and "Action=" in environ.get("QUERY_STRING", "")
        )
    return False


def _deny(environ: dict[str, Any], start_response: StartResponse, write: dict[str, str]) -> Any:
    message = (
        "refused by the kata harness: a program may change the emulator only through "
        f"the resources it declares ({write['service']} {write['action']})"
    )
    if environ.get("HTTP_X_AMZ_TARGET"):
        data = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        data = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{text}</Message></Error></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
    start_response("403 Forbidden", [("Content-Type", content_type)])
    return [data]
