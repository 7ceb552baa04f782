"""Shared fixtures: one embedded moto per test process, and tiny Pulumi projects on it.

Under pytest-xdist every worker has its own session, hence its own emulator; tests
that share module-scoped state are kept on one worker with ``xdist_group``.
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from harness.emulator import TEST_CREDENTIALS, Emulator, start_embedded
from harness.engines.base import ProgramSpec
from harness.engines.local import LocalEngine


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so a run without pytest-xdist does not warn about it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


@pytest.fixture(scope="session")
def moto_emulator() -> Iterator[Emulator]:
    emulator = start_embedded()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def aws_client(moto_emulator: Emulator) -> Callable[..., object]:
    """``aws_client("s3", region="eu-west-1")``: an admin boto3 client on the emulator."""
    clients: dict[tuple[str, str], object] = {}

    def client(service: str, region: str = "us-east-1") -> object:
        if (service, region) not in clients:
            clients[(service, region)] = boto3.client(
                service, endpoint_url=moto_emulator.endpoint, region_name=region, **TEST_CREDENTIALS
            )
        return clients[(service, region)]

    return client


def write_program(workdir: Path, source: str) -> None:
    (workdir / "__main__.py").write_text(textwrap.dedent(source).lstrip())


@pytest.fixture(scope="session")
def project_factory(moto_emulator: Emulator) -> Callable[..., LocalEngine]:
    """``project_factory(directory, source, region=..., timeout_s=...)`` -> LocalEngine.

    The project name is unique per call: auto-names derive from the stack and URN, so
    two tests with a resource of the same logical name must not collide in moto.
    The caller closes the engine (it keeps a warm worker process).
    """

    def make(
        directory: Path, source: str, region: str = "us-east-1", timeout_s: float = 60.0
    ) -> LocalEngine:
        directory.mkdir(parents=True, exist_ok=True)
        project = f"t{uuid.uuid4().hex[:8]}"
        (directory / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
        write_program(directory, source)
        engine = LocalEngine(
            ProgramSpec(
                workdir=directory,
                project=project,
                stack="dev",
                config={"aws:region": region},
                endpoint=moto_emulator.endpoint,
                state_file=directory / "state.json",
                timeout_s=timeout_s,
            )
        )
        return engine

    return make


@pytest.fixture
def pulumi_project(
    tmp_path: Path, project_factory: Callable[..., LocalEngine]
) -> Iterator[Callable[..., LocalEngine]]:
    """``pulumi_project(source, **kw)``: a Pulumi project in tmp_path and its LocalEngine."""
    engines: list[LocalEngine] = []

    def make(source: str, **kwargs: object) -> LocalEngine:
        engine = project_factory(tmp_path / f"program{len(engines)}", source, **kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()  # its warm worker process would outlive the test otherwise
