"""The write guard classifies a request as moto will read it (harness.emulator.guard).

A hostile program sent ``POST /?Action=ListUsers`` with a multipart body saying
``Action=CreateUser``: the guard saw a read, moto (which reads request.form, multipart
included) created the user. Ambiguous requests never pass as reads.
"""

from __future__ import annotations

import io

from harness.emulator.guard import ambiguous, describe_write

AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/iam/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


def _environ(query: str, body: bytes, content_type: str, auth: str = AUTH) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": auth,
        "wsgi.input": io.BytesIO(body),
    }


def test_a_multipart_body_behind_a_read_action_is_a_write():
    body = (
        b'--b\r\nContent-Disposition: form-data; name="Action"\r\n\r\nCreateUser\r\n'
        b'--b\r\nContent-Disposition: form-data; name="UserName"\r\n\r\nbypass\r\n--b--\r\n'
    )
    environ = _environ("Action=ListUsers", body, "multipart/form-data; boundary=b")
    assert ambiguous(environ, body)
    assert describe_write(environ, body) is not None


def test_a_plain_read_stays_a_read():
    body = b"Action=ListUsers&Version=2010-05-08"
    environ = _environ("", body, "application/x-www-form-urlencoded")
    assert not ambiguous(environ, body)
    assert describe_write(environ, body) is None


def test_two_credential_scopes_are_never_trusted_as_sts():
    auth = AUTH.replace("/iam/", "/sts/") + " Credential=test/20261130/us-east-1/iam/aws4_request"
    body = b"Action=CreateUser&UserName=x"
    environ = _environ("", body, "application/x-www-form-urlencoded", auth)
    assert describe_write(environ, body) is not None


def test_a_body_not_read_whole_is_not_a_read():
    environ = _environ("Action=ListUsers", b"", "application/x-www-form-urlencoded")
    environ["CONTENT_LENGTH"] = str(64 * 1024 * 1024)
    assert ambiguous(environ, b"")
