"""Which requirement each behavioral check verifies, read from the test files' syntax.

The lint must be fast and must not run kata code, so it reads
``@pytest.mark.requirement("R3")`` with ast instead of importing the tests. Like
pytest's ``get_closest_marker``, a function's own marker wins over its class's, and
a class's over the module's ``pytestmark``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TaggedTest:
    file: str  # relative to the kata, e.g. tests/test_roles.py
    line: int
    name: str  # test_x or TestY::test_x
    requirement: str | None  # None: untagged (pytest_plugin refuses to run it)


def tagged_tests(kata_dir: Path) -> list[TaggedTest]:
    """Every test function in tests/test_*.py with the requirement it is tagged with.

    Raises SyntaxError for a test file that does not parse (the caller reports it).
    """
    found: list[TaggedTest] = []
    for path in sorted((kata_dir / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        rel = str(path.relative_to(kata_dir))
        module_req = _module_requirement(tree)
        for node in tree.body:
            if _is_test_function(node):
                req = _requirement_of(node.decorator_list) or module_req
                found.append(TaggedTest(rel, node.lineno, node.name, req))
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                class_req = _requirement_of(node.decorator_list) or module_req
                for item in node.body:
                    if _is_test_function(item):
                        req = _requirement_of(item.decorator_list) or class_req
                        found.append(TaggedTest(rel, item.lineno, f"{node.name}::{item.name}", req))
    return found


def _is_test_function(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")


def _module_requirement(tree: ast.Module) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            marks = (
                node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            )
            return _requirement_of(marks)
    return None


def _requirement_of(decorators: list[ast.expr]) -> str | None:
    """The first argument of the first ``pytest.mark.requirement(…)`` among decorators."""
    for dec in decorators:
        if (
            isinstance(dec, ast.Call)
            and isinstance(dec.func, ast.Attribute)
            and dec.func.attr == "requirement"
            and _is_mark(dec.func.value)
        ):
            if dec.args and isinstance(dec.args[0], ast.Constant):
                return str(dec.args[0].value)
            return "?"  # tagged, but not with a literal the lint can read
    return None


def _is_mark(node: ast.expr) -> bool:
    # pytest.mark.requirement or mark.requirement (from pytest import mark)
    if isinstance(node, ast.Attribute):
        return node.attr == "mark"
    return isinstance(node, ast.Name) and node.id == "mark"
