"""The CDKTF 0.21 path, run the way a CDKTF user runs it.

``.venv-cdktf`` (``make venv-cdktf``) holds what ``pip install 'eksguard[cdktf]'`` gives:
cdktf and its AWS bindings, no cdktn. From it, with ``EKSGUARD_FRAMEWORK`` unset, the
reference app and ``examples/cdktf-app`` synthesize to the same Terraform addresses as on
cdktn in the main venv. With both frameworks importable in one process (the main venv with
``.venv-cdktf``'s packages appended to ``sys.path``), eksguard follows the framework the app
imported, and a stack of the other framework fails at construction, naming both and the fix.

Each app runs in a subprocess: one process loads one framework's bindings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eksguard._framework import (
    ALLOWED_SCOPE_FRAMEWORK,
    FIX_EXPLICIT,
    FIX_IMPLICIT,
    NOT_INSTALLED,
    REASON_DEFAULT,
    REASON_VARIABLE,
    TITLES,
)
from eksguard.errors import ValidationError

pytestmark = pytest.mark.eksguard_integration

ROOT = Path(__file__).resolve().parents[2]
CDKTF_VENV = ROOT / ".venv-cdktf"
CDKTF_PYTHON = CDKTF_VENV / "bin" / "python"
CDKTF_STAMP = CDKTF_VENV / ".eksguard-installed"
REFERENCE_APP = ROOT / "main.py"
CDKTF_APP = ROOT / "examples" / "cdktf-app" / "main.py"
MISSING_VENV = ("{path} is missing: the CDKTF path runs from its own venv. Build it with "
                "`make venv-cdktf` (pinned in scripts/cdktf-requirements.txt; about 1.5 min, 520 MB)")

# The main venv's Python with .venv-cdktf's packages after its own: both frameworks installed,
# as `pip install eksguard[cdktn] cdktf cdktf-cdktf-provider-aws` would leave them.
BOTH_INSTALLED = ("import runpy, sys; sys.path.append(sys.argv[1]); sys.argv = sys.argv[2:]; "
                  "runpy.run_path(sys.argv[0], run_name='__main__')")

# An app that imports eksguard's constructs before cdktf, builds a cdktf stack and prints
# what construction raised.
CDKTF_STACK_AFTER_EKSGUARD = """
import json
from eksguard import EksguardError, EksClusterProps, SecureEksCluster, SecureEksClusterProps
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

stack = TerraformStack(App(outdir="cdktf.out"), "wrong")
AwsProvider(stack, "aws", region="us-east-1")
try:
    SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="wrong", subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"])))
except EksguardError as error:
    tree = [c.node.id for c in stack.node.find_all()]
    print(json.dumps({"type": type(error).__name__, "message": str(error), "tree": tree}))
"""
# The same with a cdktn stack, in a process where EKSGUARD_FRAMEWORK=cdktf.
CDKTN_STACK_WITH_VARIABLE_CDKTF = CDKTF_STACK_AFTER_EKSGUARD.replace(
    "from cdktf import", "from cdktn import").replace("cdktf_cdktf_provider_aws", "cdktn_provider_aws")


@dataclass(frozen=True)
class Synthesized:
    stacks: dict[str, dict[str, Any]]
    stdout: str


def _site_packages() -> Path:
    return next(CDKTF_VENV.glob("lib/python3*/site-packages"))


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EKSGUARD_FRAMEWORK"}
    env.update(overrides)
    return env


def _run(args: list[str | Path], workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=workdir, env=_env(**env), capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, (f"`{' '.join(map(str, args))}` exited {result.returncode}\n--- stdout\n"
                                    f"{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-6000:]}")
    return result


def _synth(args: list[str | Path], workdir: Path) -> Synthesized:
    """Run an app as its users do (``cdktf.out`` in the working directory)."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = _run(args, workdir)
    written = (workdir / "cdktf.out" / "stacks").glob("*/cdk.tf.json")
    stacks = {path.parent.name: json.loads(path.read_text()) for path in written}
    assert stacks, f"{args} wrote no stack\n{result.stdout}"
    return Synthesized(stacks=stacks, stdout=result.stdout)


def _addresses(stack: dict[str, Any]) -> set[str]:
    return {f"{prefix}{kind}.{name}"
            for block, prefix in (("resource", ""), ("data", "data."))
            for kind, items in stack.get(block, {}).items() for name in items}


def _types(stack: dict[str, Any]) -> Counter[str]:
    return Counter(address.rsplit(".", 1)[0] for address in _addresses(stack))


def _without_metadata(body: Any) -> Any:
    """A block without the ``//`` metadata the framework writes (its name and version)."""
    if isinstance(body, dict):
        return {k: _without_metadata(v) for k, v in body.items() if k != "//"}
    return body


def _assert_same_stacks(cdktf: Synthesized, cdktn: Synthesized) -> None:
    assert set(cdktf.stacks) == set(cdktn.stacks)
    for name, on_cdktf in cdktf.stacks.items():
        on_cdktn = cdktn.stacks[name]
        only_cdktf = sorted(_addresses(on_cdktf) - _addresses(on_cdktn))
        only_cdktn = sorted(_addresses(on_cdktn) - _addresses(on_cdktf))
        assert (only_cdktf, only_cdktn) == ([], []), f"stack {name}: addresses only on cdktf, only on cdktn"
        assert _types(on_cdktf) == _types(on_cdktn)
        assert set(on_cdktf.get("output", {})) == set(on_cdktn.get("output", {}))
        # The same arguments too: only the provider pin (each framework's bindings) differs.
        differ = sorted(f"{block}.{kind}.{item}" for block in ("resource", "data")
                        for kind, items in on_cdktf.get(block, {}).items() for item, body in items.items()
                        if _without_metadata(body) != _without_metadata(on_cdktn[block][kind][item]))
        assert differ == [], f"stack {name}: arguments differ between cdktf and cdktn at {differ}"


@pytest.fixture(scope="module")
def cdktf_python() -> Path:
    for path in (CDKTF_PYTHON, CDKTF_STAMP):
        if not path.exists():
            pytest.fail(MISSING_VENV.format(path=path.relative_to(ROOT)), pytrace=False)
    return CDKTF_PYTHON


@pytest.fixture(scope="module")
def cdktn_twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/cdktf-app moved to cdktn as the README says: the imports renamed, nothing else."""
    lines = CDKTF_APP.read_text().splitlines(keepends=True)
    moved = [line.replace("cdktf_cdktf_provider_aws", "cdktn_provider_aws").replace("from cdktf ", "from cdktn ")
             if line.startswith("from cdktf") else line for line in lines]
    path = tmp_path_factory.mktemp("cdktn-twin") / "main.py"
    path.write_text("".join(moved))
    return path


@pytest.fixture(scope="module")
def synthesized(cdktf_python: Path, cdktn_twin: Path, tmp_path_factory: pytest.TempPathFactory,
                ) -> dict[str, Synthesized]:
    out = tmp_path_factory.mktemp("synth")
    both = [sys.executable, "-c", BOTH_INSTALLED, _site_packages()]
    runs = {
        "reference on cdktf": ([cdktf_python, REFERENCE_APP], out / "reference-cdktf"),
        "reference on cdktn": ([sys.executable, REFERENCE_APP], out / "reference-cdktn"),
        "cdktf-app on cdktf": ([cdktf_python, CDKTF_APP], out / "app-cdktf"),
        "cdktf-app moved to cdktn": ([sys.executable, cdktn_twin], out / "app-cdktn"),
        "cdktf-app, both installed": ([*both, CDKTF_APP], out / "app-both"),
    }
    # Two at a time: each is a Python and a Node process, mostly waiting on each other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_synth, args, workdir) for name, (args, workdir) in runs.items()}
        return {name: future.result() for name, future in futures.items()}


def test_the_cdktf_venv_holds_cdktf_and_not_cdktn(cdktf_python: Path, tmp_path: Path):
    # WHEN the venv is asked which frameworks it can import, and which eksguard picked
    probe = ("import importlib.util as u, json; from eksguard import _framework as f; "
             "print(json.dumps([[n for n in ('cdktn', 'cdktf') if u.find_spec(n)], f.FRAMEWORK, f.CHOICE.reason]))")
    installed, framework, reason = json.loads(_run([cdktf_python, "-c", probe], tmp_path).stdout)

    # THEN it models a CDKTF user: cdktf only, found without a variable
    assert installed == ["cdktf"]
    assert (framework, reason) == ("cdktf", "only cdktf is installed with its AWS bindings")


def test_reference_app_synthesizes_on_cdktf_as_on_cdktn(synthesized: dict[str, Synthesized]):
    # GIVEN main.py synthesized from .venv-cdktf and from the main venv, EKSGUARD_FRAMEWORK unset
    on_cdktf, on_cdktn = synthesized["reference on cdktf"], synthesized["reference on cdktn"]

    # THEN both write the same stack: addresses, types and counts, outputs, arguments
    _assert_same_stacks(on_cdktf, on_cdktn)
    stack = on_cdktf.stacks["eksguard-reference"]
    assert _types(stack)["aws_eks_cluster"] == 1 and _types(stack)["aws_eks_node_group"] == 2
    # AND each framework pins its own bindings' provider
    assert stack["terraform"]["required_providers"]["aws"]["version"] == "6.25.0"
    assert "guardrails passed" in on_cdktf.stdout


def test_cdktf_user_app_synthesizes_as_its_cdktn_twin(synthesized: dict[str, Synthesized]):
    # GIVEN examples/cdktf-app on cdktf, and the same app with its imports moved to cdktn
    on_cdktf, on_cdktn = synthesized["cdktf-app on cdktf"], synthesized["cdktf-app moved to cdktn"]

    # THEN they write the same stack, the app's own bucket beside eksguard's resources
    _assert_same_stacks(on_cdktf, on_cdktn)
    types = _types(on_cdktf.stacks["reports"])
    assert (types["aws_s3_bucket"], types["aws_eks_cluster"], types["aws_eks_node_group"]) == (1, 1, 1)


def test_with_both_frameworks_installed_a_cdktf_app_needs_no_variable(synthesized: dict[str, Synthesized]):
    # GIVEN cdktn and cdktf both installed, EKSGUARD_FRAMEWORK unset: the failing case
    # WHEN examples/cdktf-app (cdktf imported first) is synthesized
    both = synthesized["cdktf-app, both installed"]

    # THEN eksguard followed the app's import: the same stack as from the cdktf-only venv
    _assert_same_stacks(both, synthesized["cdktf-app on cdktf"])


def test_a_cdktf_stack_in_a_process_on_cdktn_fails_at_construction(cdktf_python: Path, tmp_path: Path):
    # GIVEN both frameworks installed and an app that imports eksguard's constructs before cdktf
    (tmp_path / "app.py").write_text(CDKTF_STACK_AFTER_EKSGUARD)

    # WHEN it hands eksguard a cdktf stack
    result = _run([sys.executable, "-c", BOTH_INSTALLED, _site_packages(), tmp_path / "app.py"], tmp_path)
    raised = json.loads(result.stdout.strip().splitlines()[-1])

    # THEN construction fails before eksguard adds anything under 'eks', naming both frameworks and the fix
    reason = REASON_DEFAULT.format(framework="cdktn", other="cdktf")
    expected = ValidationError("wrong/eks", "scope", "cdktf.TerraformStack", ALLOWED_SCOPE_FRAMEWORK.format(
        framework="cdktn", title=TITLES["cdktn"], reason=reason, other="cdktf", fix=FIX_IMPLICIT.format(other="cdktf")))
    assert raised == {"type": "ValidationError", "message": str(expected), "tree": ["wrong", "aws", "eks"]}
    assert raised["message"] == (
        "wrong/eks: field 'scope' got 'cdktf.TerraformStack': a scope in a cdktn stack. eksguard uses cdktn "
        "(CDK Terrain) in this process: both frameworks are installed, cdktf was not imported before eksguard's "
        "constructs, and cdktn is the default. One process uses one framework, and cdktn resources in a cdktf "
        "stack would fail only at app.synth(). Fix: import cdktf before eksguard's constructs "
        "(`from cdktf import App, TerraformStack` first in the app), or set EKSGUARD_FRAMEWORK=cdktf.")


def test_a_cdktn_stack_with_the_variable_set_to_cdktf_fails_at_construction(cdktf_python: Path, tmp_path: Path):
    # GIVEN both frameworks installed and EKSGUARD_FRAMEWORK=cdktf
    (tmp_path / "app.py").write_text(CDKTN_STACK_WITH_VARIABLE_CDKTF)

    # WHEN the app hands eksguard a cdktn stack
    result = _run([sys.executable, "-c", BOTH_INSTALLED, _site_packages(), tmp_path / "app.py"], tmp_path,
                  EKSGUARD_FRAMEWORK="cdktf")
    raised = json.loads(result.stdout.strip().splitlines()[-1])

    # THEN the message names the variable as the reason, and the fix is to change it
    expected = ValidationError("wrong/eks", "scope", "cdktn.TerraformStack", ALLOWED_SCOPE_FRAMEWORK.format(
        framework="cdktf", title=TITLES["cdktf"], reason=REASON_VARIABLE.format(framework="cdktf"), other="cdktn",
        fix=FIX_EXPLICIT.format(other="cdktn")))
    assert raised == {"type": "ValidationError", "message": str(expected), "tree": ["wrong", "aws", "eks"]}


def test_the_variable_naming_a_framework_not_installed_fails_at_import(cdktf_python: Path, tmp_path: Path):
    # GIVEN the cdktf-only venv WHEN EKSGUARD_FRAMEWORK=cdktn and a construct is imported
    result = subprocess.run([str(cdktf_python), "-c", "from eksguard import SecureEksCluster"], cwd=tmp_path,
                            env=_env(EKSGUARD_FRAMEWORK="cdktn"), capture_output=True, text=True, timeout=120,
                            check=False)

    # THEN the import fails, saying which extra installs it
    message = NOT_INSTALLED.format(framework="cdktn", title=TITLES["cdktn"], reason="EKSGUARD_FRAMEWORK=cdktn",
                                   missing="cdktn and cdktn-provider-aws are")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"ImportError: {message}"
