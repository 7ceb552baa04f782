"""Any Pulumi Python program directory, read as the Pulumi CLI reads it.

``Pulumi.yaml`` gives the project name, runtime and entry point; the stack's
``Pulumi.<stack>.yaml`` gives its configuration. Keys without a namespace belong to
the project (``bucketName`` is ``<project>:bucketName``), scalars become the strings
the SDK reads, objects and lists become JSON (``Config.get_object``), project-level
``config:`` entries in Pulumi.yaml are defaults the stack file overrides, and a
``secure:`` value — encrypted for a secrets provider the harness does not have — is
unknown, as an output the preview cannot know.

Before anything runs, the modules the program imports are checked: a program that
needs a package the harness's environment lacks (``pulumi_random``) is one line
naming it, not a traceback from inside the sandbox.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the SDK's wire sentinel: unknown value
DEFAULT_REGION = "us-east-1"
# Not part of the program: environments, caches and VCS data next to it.
_NOT_COPIED = shutil.ignore_patterns(
    "venv", ".venv", "env", ".git", "node_modules", "__pycache__", "*.pyc", ".pulumi", ".nox"
)


class ProgramDirError(HarnessError):
    """The directory is not a Pulumi Python program the harness can run (exit 2)."""

    kind = "usage"


@dataclass
class Program:
    path: Path  # the project directory (where Pulumi.yaml is)
    project: str
    stack: str
    config: dict[str, str]
    stack_file: Path | None = None
    secure_keys: list[str] = field(default_factory=list)  # unknown: encrypted values
    region_defaulted: bool = False  # no aws:region in the config: DEFAULT_REGION used

    def copy_to(self, dest: Path) -> Path:
        """The program's files in dest (a scratch directory the sandbox may write)."""
        shutil.copytree(self.path, dest, ignore=_NOT_COPIED, dirs_exist_ok=True)
        return dest


def load_program(directory: Path, stack: str | None = None) -> Program:
    path = directory.expanduser().resolve()
    project_file = path / "Pulumi.yaml"
    if not project_file.is_file():
        raise ProgramDirError(f"{directory}: no Pulumi.yaml here; name a Pulumi project directory")
    project_doc = _yaml(project_file)
    runtime = project_doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ProgramDirError(
            f"{project_file}: runtime {runtime_name!r}; the harness runs Python programs only"
        )
    main = str(project_doc.get("main") or "")
    if main and (path / main).is_dir():
        # `main: src/` is the directory that holds __main__.py; it is the program then.
        path = (path / main).resolve()
    elif main and Path(main).name != "__main__.py":
        raise ProgramDirError(
            f"{project_file}: main {main!r} is a file other than __main__.py, which the "
            "local engine does not run",
            "name the directory that holds __main__.py instead",
        )
    if not (path / "__main__.py").is_file():
        raise ProgramDirError(f"{path}: no __main__.py, the entry point of a Python program")
    project = str(project_doc.get("name") or path.name)
    stack_name, stack_file = _pick_stack(project_file.parent, stack)
    config, secure = _config(project, project_doc, _yaml(stack_file) if stack_file else {})
    program = Program(path, project, stack_name, config, stack_file, secure)
    if "aws:region" not in config:
        program.config["aws:region"] = DEFAULT_REGION
        program.region_defaulted = True
    return program


def _yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProgramDirError(
            f"{path}{f':{mark.line + 1}' if mark else ''}: not valid YAML"
        ) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ProgramDirError(f"{path}: must be a mapping")
    return doc


def _pick_stack(project_dir: Path, wanted: str | None) -> tuple[str, Path | None]:
    """``--stack``, else ``dev``, else the only stack file present."""
    files = {p.name[len("Pulumi.") : -len(".yaml")]: p for p in project_dir.glob("Pulumi.*.yaml")}
    if wanted:
        if wanted not in files and files:
            there = ", ".join(sorted(files))
            raise ProgramDirError(f"no Pulumi.{wanted}.yaml in {project_dir}; it has {there}")
        return wanted, files.get(wanted)
    if "dev" in files:
        return "dev", files["dev"]
    if len(files) == 1:
        name = next(iter(files))
        return name, files[name]
    if not files:
        return "dev", None  # no stack configuration at all: an empty dev stack
    raise ProgramDirError(
        f"{project_dir} has several stacks ({', '.join(sorted(files))}) and none is dev",
        "choose one with --stack",
    )


def _config(
    project: str, project_doc: dict[str, Any], stack_doc: dict[str, Any]
) -> tuple[dict[str, str], list[str]]:
    values: dict[str, Any] = {}
    for key, entry in (project_doc.get("config") or {}).items():
        # Project-level config: a bare value, or {type, default, value, secret}.
        if isinstance(entry, dict) and ({"default", "value"} & set(entry)):
            entry = entry.get("value", entry.get("default"))
        elif isinstance(entry, dict) and "type" in entry:
            continue  # declared, no value: the stack must set it
        values[_full_key(project, key)] = entry
    for key, value in (stack_doc.get("config") or {}).items():
        values[_full_key(project, key)] = value
    config: dict[str, str] = {}
    secure: list[str] = []
    for key, value in values.items():
        if _is_secure(value):
            config[key] = UNKNOWN
            secure.append(key)
        else:
            config[key] = _as_config_string(value)
    return config, sorted(secure)


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _is_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_is_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_secure(v) for v in value)
    return False


def _as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)


# -- imports ---------------------------------------------------------------------------


def missing_packages(program_dir: Path) -> list[str]:
    """Top-level modules the program imports that this interpreter cannot find.

    Followed from __main__.py through the program's own modules only: a Lambda
    handler shipped as an asset imports what its runtime has, not what Pulumi has.
    """
    missing: set[str] = set()
    seen: set[Path] = set()
    queue = [program_dir / "__main__.py"]
    while queue:
        source = queue.pop()
        if source in seen or not source.is_file():
            continue
        seen.add(source)
        try:
            tree = ast.parse(source.read_text(), str(source))
        except (SyntaxError, UnicodeDecodeError):
            continue  # the program run reports it with its line
        for name in _imported(tree):
            local = _local_module(program_dir, name)
            if local is not None:
                queue.append(local)
            elif name not in sys.stdlib_module_names and importlib.util.find_spec(name) is None:
                missing.add(name)
    return sorted(missing)


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _local_module(program_dir: Path, name: str) -> Path | None:
    if (program_dir / f"{name}.py").is_file():
        return program_dir / f"{name}.py"
    if (program_dir / name / "__init__.py").is_file():
        return program_dir / name / "__init__.py"
    if (program_dir / name).is_dir():
        return program_dir / name / "__init__.py"  # a namespace package: nothing to read
    return None


def require_packages(program: Program) -> None:
    missing = missing_packages(program.path)
    if missing:
        wheels = ", ".join(m.replace("_", "-") for m in missing)
        raise ProgramDirError(
            f"the program imports {', '.join(missing)}, not installed where the harness runs "
            f"programs (pip: {wheels})",
            f"install it: uv pip install --python {sys.executable} {wheels}",
        )
