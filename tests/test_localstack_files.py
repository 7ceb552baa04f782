"""The LocalStack compose files say what localstack/README.md promises.

No Docker engine runs where the project is built, so these check the files, not a
container: the pinned token-free image, loopback-only port, the katas' services, a
healthcheck, and an auth token that comes only from the environment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.engines.pulumi_engine import DEFAULT_SERVICES

LOCALSTACK = Path(__file__).resolve().parent.parent / "localstack"
FREE = LOCALSTACK / "docker-compose.yml"
PRO = LOCALSTACK / "docker-compose.pro.yml"
KATA_SERVICES = {
    "iam", "sts", "s3", "sqs", "sns", "kms", "lambda", "cloudwatch", "route53", "dynamodb",
    "secretsmanager", "ssm", "events", "config", "codedeploy", "cloudformation", "ec2",
}  # fmt: skip
# Anything that looks like a LocalStack token or legacy API key written out literally.
LITERAL_TOKEN = re.compile(r"ls-[A-Za-z0-9]{4,}|LOCALSTACK_(AUTH_TOKEN|API_KEY)\s*[:=]\s*['\"]?\w")


def service(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict) and set(doc["services"]) == {"localstack"}
    return doc["services"]["localstack"]


@pytest.mark.parametrize("path", [FREE, PRO], ids=["free", "pro"])
def test_port_is_bound_to_loopback_only(path: Path) -> None:
    assert service(path)["ports"] == ["127.0.0.1:4566:4566"]


@pytest.mark.parametrize("path", [FREE, PRO], ids=["free", "pro"])
def test_services_are_the_ones_the_katas_use(path: Path) -> None:
    listed = service(path)["environment"]["SERVICES"].split(",")
    assert len(listed) == len(set(listed))
    assert set(listed) == KATA_SERVICES


def test_pulumi_engine_falls_back_to_the_same_services() -> None:
    assert set(DEFAULT_SERVICES) == KATA_SERVICES


@pytest.mark.parametrize("path", [FREE, PRO], ids=["free", "pro"])
def test_healthcheck_asks_localstack_health(path: Path) -> None:
    check = service(path)["healthcheck"]
    assert "http://localhost:4566/_localstack/health" in check["test"]
    assert {"interval", "timeout", "retries"} <= set(check)


@pytest.mark.parametrize("path", [FREE, PRO], ids=["free", "pro"])
def test_state_is_not_persisted(path: Path) -> None:
    env = service(path)["environment"]
    assert env["PERSISTENCE"] == "0"
    assert not any(":/var/lib/localstack" in v for v in service(path).get("volumes", []))


def test_free_image_is_pinned_to_the_last_token_free_release() -> None:
    assert service(FREE)["image"] == "localstack/localstack:4.14"


def test_free_file_has_no_token_at_all() -> None:
    text = FREE.read_text()
    settings = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "AUTH_TOKEN" not in settings and "API_KEY" not in settings
    assert not LITERAL_TOKEN.search(text)
    assert "ENFORCE_IAM" not in service(FREE)["environment"]  # a paid feature


def test_pro_file_takes_the_token_from_the_environment_only() -> None:
    env = service(PRO)["environment"]
    token = env["LOCALSTACK_AUTH_TOKEN"]
    # Compose's ${VAR:?message} refuses to start when the variable is unset.
    assert re.fullmatch(r"\$\{LOCALSTACK_AUTH_TOKEN:\?[^}]+\}", token)
    assert not LITERAL_TOKEN.search(PRO.read_text())


def test_pro_file_enforces_iam_and_says_it_is_paid() -> None:
    assert service(PRO)["environment"]["ENFORCE_IAM"] == "1"
    before = PRO.read_text().split("ENFORCE_IAM", 1)[0].splitlines()[-4:]
    assert any("Pro feature" in line for line in before)


def test_pro_image_is_a_current_localstack_image() -> None:
    assert service(PRO)["image"].startswith("localstack/localstack-pro:")


def test_readme_covers_start_endpoint_engine_and_lstk() -> None:
    readme = (LOCALSTACK / "README.md").read_text()
    for needle in (
        "docker compose -f localstack/docker-compose.yml up",
        "nox -s kata -- <slug> --endpoint http://localhost:4566",
        "--engine pulumi",
        "lstk",
        "LOCALSTACK_AUTH_TOKEN",
        "What has not been run",
    ):
        assert needle in readme, needle
