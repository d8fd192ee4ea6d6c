"""The README's table of the EKS rules the emulator enforces cannot drift from the rules:
every check in ``moto_eks/rules.py`` has a row, every row's tests exist, and no AWS error
is raised outside ``rules.py``."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from eksguard.testing.moto_eks import rules

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "src" / "eksguard" / "testing" / "moto_eks"
HELPERS = {"not_found", "_invalid"}
"""Functions of rules.py that build an error for others to raise."""


def _raising_functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(isinstance(child, ast.Raise) for child in ast.walk(node))}


def test_every_check_that_refuses_a_request_is_a_documented_rule():
    # GIVEN every function of rules.py that raises
    checks = set(_raising_functions(EXTENSION / "rules.py")) - HELPERS
    # THEN each is registered, and nothing registered is missing from rules.py
    assert checks == set(rules.RULES)


def test_every_rule_names_tests_that_exist_and_assert_its_error_code():
    defined: dict[str, str] = {}
    for path in (ROOT / "tests" / "integration").glob("test_*.py"):
        source = path.read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                defined[f"{path.name}::{node.name}"] = ast.get_source_segment(source, node) or ""
    for name, rule in rules.RULES.items():
        assert rule.tests, name
        assert rule.error in ("InvalidParameterException", "InvalidRequestException", "ResourceInUseException",
                              "ResourceNotFoundException"), name
        for test in rule.tests:
            assert test in defined, (name, test)
        # the error code it documents is the one its check raises
        source = inspect.getsource(getattr(rules, name))
        raised = set(re.findall(r"raise (\w+Exception)\(", source)) | (
            {"InvalidParameterException"} if "raise _invalid(" in source else set())
        called = {n for n in rules.RULES if n != name and f"{n}(" in source.split(":", 1)[1]}
        assert rule.error in raised or called, (name, rule.error, raised)


def test_no_aws_error_is_raised_outside_the_rules():
    for path in EXTENSION.glob("*.py"):
        if path.name == "rules.py":
            continue
        text = path.read_text()
        assert not re.search(r"raise rules\.(Invalid\w+|ResourceInUse\w+)\(", text), path.name


def test_the_readme_table_is_generated_from_the_rules():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- emulator-rules:begin -->\n", 1)[1].split("\n<!-- emulator-rules:end -->", 1)[0]
    assert block == rules.rules_table(), "run: .venv/bin/python scripts/props_table.py"
    assert len(block.splitlines()) == len(rules.RULES) + 2
