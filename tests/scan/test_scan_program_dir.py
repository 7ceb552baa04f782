"""A program directory read as the Pulumi CLI reads it: project, stack, config, imports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.commands.program import (
    DEFAULT_REGION,
    UNKNOWN,
    ProgramDirError,
    load_program,
    missing_packages,
    require_packages,
)


def _project(tmp: Path, pulumi_yaml: str, main: str = "import pulumi\n", **stacks: str) -> Path:
    (tmp / "Pulumi.yaml").write_text(textwrap.dedent(pulumi_yaml))
    (tmp / "__main__.py").write_text(main)
    for name, text in stacks.items():
        (tmp / f"Pulumi.{name}.yaml").write_text(textwrap.dedent(text))
    return tmp


def test_config_keys_are_namespaced_and_values_are_strings_as_pulumi_gives_them(
    tmp_path: Path,
) -> None:
    _project(
        tmp_path,
        "name: shop\nruntime: python\n",
        dev="""
        config:
          aws:region: eu-west-1
          bucketName: orders
          replicas: 3
          public: false
          tags:
            team: payments
          dbPassword:
            secure: AAABADdmN2Y=
        """,
    )
    program = load_program(tmp_path)
    assert program.project == "shop" and program.stack == "dev"
    assert program.config["aws:region"] == "eu-west-1"
    assert program.config["shop:bucketName"] == "orders"
    assert program.config["shop:replicas"] == "3"
    assert program.config["shop:public"] == "false"
    assert json.loads(program.config["shop:tags"]) == {"team": "payments"}
    # Encrypted for a secrets provider the harness does not have: unknown, and said so.
    assert program.config["shop:dbPassword"] == UNKNOWN
    assert program.secure_keys == ["shop:dbPassword"]
    assert not program.region_defaulted


def test_project_level_config_is_a_default_the_stack_overrides(tmp_path: Path) -> None:
    _project(
        tmp_path,
        """
        name: shop
        runtime:
          name: python
        config:
          size:
            default: small
          color: blue
          region:
            type: string
        """,
        dev="config:\n  shop:size: large\n",
    )
    program = load_program(tmp_path)
    assert program.config["shop:size"] == "large"
    assert program.config["shop:color"] == "blue"
    assert "shop:region" not in program.config  # declared without a value
    assert program.config["aws:region"] == DEFAULT_REGION and program.region_defaulted


def test_stack_is_dev_else_the_only_one_else_must_be_named(tmp_path: Path) -> None:
    _project(tmp_path, "name: p\nruntime: python\n", prod="config: {}\n")
    assert load_program(tmp_path).stack == "prod"
    (tmp_path / "Pulumi.staging.yaml").write_text("config: {}\n")
    with pytest.raises(ProgramDirError, match=r"several stacks .*prod, staging.* --stack"):
        load_program(tmp_path)
    assert load_program(tmp_path, "staging").stack == "staging"
    with pytest.raises(ProgramDirError, match=r"no Pulumi\.qa\.yaml .* prod, staging"):
        load_program(tmp_path, "qa")


def test_not_a_python_pulumi_project_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProgramDirError, match=r"no Pulumi.yaml"):
        load_program(tmp_path)
    _project(tmp_path, "name: p\nruntime: nodejs\n")
    with pytest.raises(ProgramDirError, match=r"runtime 'nodejs'.*Python programs only"):
        load_program(tmp_path)


def test_main_directory_is_where_the_program_is(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text("import pulumi\n")
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: src/\n")
    assert load_program(tmp_path).path == (tmp_path / "src").resolve()


def test_missing_packages_are_named_following_only_the_programs_own_modules(
    tmp_path: Path,
) -> None:
    _project(
        tmp_path,
        "name: p\nruntime: python\n",
        main="import json\nimport pulumi_aws\nimport network\nfrom pulumi import export\n",
    )
    (tmp_path / "network.py").write_text("import pulumi_random\nimport pulumi_tls.tls\n")
    # A Lambda handler shipped as an asset imports what its own runtime has.
    (tmp_path / "handler").mkdir()
    (tmp_path / "handler" / "app.py").write_text("import requests_not_here\n")
    assert missing_packages(tmp_path) == ["pulumi_random", "pulumi_tls"]
    with pytest.raises(ProgramDirError) as err:
        require_packages(load_program(tmp_path))
    assert (
        str(err.value)
        .splitlines()[0]
        .startswith(
            "the program imports pulumi_random, pulumi_tls, not installed where the harness runs "
            "programs (pip: pulumi-random, pulumi-tls)"
        )
    )
