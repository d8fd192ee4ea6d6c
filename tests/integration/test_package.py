"""The package as a user gets it: ``python -m build`` makes an sdist and a wheel that
``twine check`` accepts, and the sdist, installed into a fresh venv as the README's
install line for the plugin says, runs the README's examples from a project folder that
is not this repository.

The README's code blocks are read by their ``<!-- example:NAME -->`` markers, so the README
and this test cannot differ. Building the wheel from the sdist (what ``python -m build``
does) proves the sdist alone is enough to build the package.

Installing the dependencies (cdktn-provider-aws is ~100 MB zipped) is what takes time.
PyPI's file host sends no cache headers, so pip's own cache never keeps them: the test
keeps a wheelhouse of its own, ``$EKSGUARD_WHEELHOUSE`` or
``~/.cache/eksguard/wheelhouse``, filled from the index on a miss and used offline after,
with the versions pinned by ``requirements.txt``. Only the dependencies come from it;
eksguard is always installed from the freshly built archive.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import eksguard
from eksguard.testing import HarnessConfig

pytestmark = pytest.mark.eksguard_integration

ROOT = Path(__file__).resolve().parents[2]
VERSION = eksguard.__version__
MARKER = re.compile(r"<!-- example:(?P<name>[\w-]+)[^>]*-->\n```(?P<lang>\w+)\n(?P<code>.*?)\n```\n", re.S)

# What the sdist's top level holds: the build inputs and the documents shipped with them.
SDIST_TOP_LEVEL = {"CHANGELOG.md", "LICENSE", "MANIFEST.in", "PKG-INFO", "README.md", "pyproject.toml",
                   "setup.cfg", "src"}
# Variables of the developer's session that a user's project would not have: pytest's own,
# eksguard's settings (the example project sets its own), and anything pointing Python at
# this repository or its venv.
FOREIGN_ENV_PREFIXES = ("PYTEST_", "EKSGUARD_", "PYTHON", "VIRTUAL_ENV", "COV_CORE_")


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class FreshVenv:
    python: Path
    env: dict[str, str]
    seconds: dict[str, float]


def readme_examples() -> dict[str, str]:
    return {m["name"]: m["code"] + "\n" for m in MARKER.finditer((ROOT / "README.md").read_text())}


def readme_testing_extras() -> str:
    """The extras of the README's install line for the plugin, e.g. "cdktn,testing"."""
    extras = [e for e in re.findall(r"pip install '?eksguard\[([\w,-]+)\]", readme_examples()["install"])
              if "testing" in e.split(",")]
    assert len(extras) == 1, f"the README's install block needs one line with the testing extra, found {extras}"
    return extras[0]


def _run(args: list[str | Path], *, timeout: float, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    assert result.returncode == 0, (
        f"{what} exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}")


def _wheelhouse() -> Path:
    configured = os.environ.get("EKSGUARD_WHEELHOUSE")
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "eksguard" / "wheelhouse"


def _constraints(folder: Path) -> Path:
    """requirements.txt as a constraints file: pip refuses extras in constraints."""
    pins = re.sub(r"\[[^\]]*\]", "", (ROOT / "requirements.txt").read_text())
    path = folder / "constraints.txt"
    path.write_text(pins)
    return path


def _install(python: Path, requirement: str, constraints: Path) -> None:
    wheelhouse = _wheelhouse()
    wheelhouse.mkdir(parents=True, exist_ok=True)
    # --no-compile: byte-compiling the AWS bindings' ~100 MB of modules takes ~2 min;
    # Python compiles what the examples import when they import it.
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
               "-c", constraints, "--no-index", "--find-links", wheelhouse, requirement]
    if _run(install, timeout=900).returncode == 0:
        return
    # A miss: fetch the dependencies and the build backend the sdist needs, then retry offline.
    build_requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    download = _run([python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                     "-d", wheelhouse, "-c", constraints, requirement, *build_requires], timeout=1800)
    _check(download, "pip download into the wheelhouse")
    for stale in wheelhouse.glob("eksguard-*"):  # only the built archive may provide eksguard
        stale.unlink()
    _check(_run(install, timeout=900), "pip install of the sdist")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    outdir = tmp_path_factory.mktemp("dist")
    _check(_run([sys.executable, "-m", "build", "--outdir", outdir, ROOT], timeout=600), "python -m build")
    return Dist(sdist=outdir / f"eksguard-{VERSION}.tar.gz",
                wheel=outdir / f"eksguard-{VERSION}-py3-none-any.whl")


@pytest.fixture(scope="module")
def fresh_venv(dist: Dist, eksguard_config: HarnessConfig, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A venv with nothing but the sdist, installed with the extras the README's install
    line for the plugin names, and the environment a user's shell would give it: this
    machine's Terraform, provider mirror and Node."""
    folder = tmp_path_factory.mktemp("venv")
    seconds: dict[str, float] = {}
    started = time.monotonic()
    _check(_run([sys.executable, "-m", "venv", folder / "venv"], timeout=300), "python -m venv")
    seconds["venv"] = time.monotonic() - started
    python = folder / "venv" / "bin" / "python"
    started = time.monotonic()
    _install(python, f"{dist.sdist}[{readme_testing_extras()}]", _constraints(folder))
    seconds["install"] = time.monotonic() - started

    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_ENV_PREFIXES)}
    env["VIRTUAL_ENV"] = str(folder / "venv")
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    if eksguard_config.provider_mirror:
        env["EKSGUARD_PROVIDER_MIRROR"] = eksguard_config.provider_mirror
    if eksguard_config.terraform:
        env["EKSGUARD_TERRAFORM"] = eksguard_config.terraform
    return FreshVenv(python=python, env=env, seconds=seconds)


def test_sdist_holds_the_package_and_its_documents_only(dist: Dist) -> None:
    # GIVEN the repository's package sources
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "eksguard").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}

    # WHEN the sdist is listed (tar tzf)
    with tarfile.open(dist.sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}

    # THEN it has LICENSE, README, CHANGELOG, every source file (py.typed and the moto EKS
    # extension included), and no tests, venvs, tools or build output
    assert {name.split("/")[0] for name in members} == SDIST_TOP_LEVEL
    assert sources <= members, sorted(sources - members)
    assert {"src/eksguard/py.typed", "src/eksguard/testing/moto_eks/__init__.py"} <= members
    assert {name.split("/")[1] for name in members if name.startswith("src/")} == {"eksguard", "eksguard.egg-info"}


def test_wheel_carries_types_license_and_plugin_entry_point(dist: Dist) -> None:
    # WHEN the wheel built from the sdist is opened
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"eksguard-{VERSION}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()

    # THEN it is typed, licensed and registers the pytest plugin, at the package's version
    assert "eksguard/py.typed" in names
    assert f"{info}/licenses/LICENSE" in names
    assert f"\nVersion: {VERSION}\n" in metadata
    assert "\nLicense-Expression: Apache-2.0\n" in metadata
    assert "[pytest11]\neksguard = eksguard.testing.plugin" in entry_points
    assert not any(name.startswith("tests/") for name in names)


def test_twine_check_passes_on_sdist_and_wheel(dist: Dist) -> None:
    result = _run([sys.executable, "-m", "twine", "check", "--strict", dist.sdist, dist.wheel], timeout=120)
    _check(result, "twine check --strict")
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_installed_sdist_is_the_package_and_its_version(fresh_venv: FreshVenv) -> None:
    # WHEN the fresh venv imports eksguard
    probe = ("import importlib.metadata as m, pathlib, sys, eksguard; "
             "print(pathlib.Path(eksguard.__file__).parent); print(eksguard.__version__); "
             "print(m.version('eksguard')); print('jsii' in sys.modules)")
    result = _run([fresh_venv.python, "-c", probe], timeout=120, env=fresh_venv.env, cwd=fresh_venv.python.parent)
    _check(result, "import eksguard")
    package, version, dist_version, jsii_loaded = result.stdout.split()

    # THEN it is the installed copy, typed, at the one version the code and the metadata
    # share, and reading the version does not start the CDK's Node process
    assert Path(package).is_relative_to(fresh_venv.python.parents[1]), package
    assert (Path(package) / "py.typed").is_file()
    assert version == dist_version == VERSION
    assert jsii_loaded == "False"
    print(f"fresh venv timings (s): {fresh_venv.seconds}")


def test_readme_plugin_example_passes_from_a_user_project(fresh_venv: FreshVenv,
                                                          tmp_path: Path) -> None:
    # GIVEN a project folder, outside the repository, with the README's pyproject and test
    examples = readme_examples()
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(examples["plugin-project"])
    (project / "test_cart_role.py").write_text(examples["plugin-test"])

    # WHEN the fresh venv's pytest runs it
    result = _run([fresh_venv.python, "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'basetemp'}"],
                  timeout=1200, env=fresh_venv.env, cwd=project)

    # THEN the installed plugin ran it, with the project's own configuration, and it passed
    _check(result, "pytest in the example project")
    assert re.search(r"\b1 passed\b", result.stdout), result.stdout[-3000:]
    assert f"eksguard-{VERSION}" in result.stdout  # "plugins:" names the installed distribution
    assert f"rootdir: {project}" in result.stdout
    assert "configfile: pyproject.toml" in result.stdout


def test_readme_construct_example_synthesizes(fresh_venv: FreshVenv, tmp_path: Path) -> None:
    # GIVEN the README's example app in a folder of its own
    (tmp_path / "app.py").write_text(readme_examples()["construct"])

    # WHEN the fresh venv runs it
    result = _run([fresh_venv.python, "app.py"], timeout=600, env=fresh_venv.env, cwd=tmp_path)

    # THEN the "prod" stack is synthesized with the cluster, both node groups and the outputs
    _check(result, "python app.py")
    synthesized = json.loads((tmp_path / "cdktf.out" / "stacks" / "prod" / "cdk.tf.json").read_text())
    resources = synthesized["resource"]
    assert len(resources["aws_eks_cluster"]) == 1
    assert len(resources["aws_eks_node_group"]) == 2
    assert set(synthesized["output"]) == {"cluster_name", "api_role_arn"}
