"""The harness fixtures and hooks, registered by ``eksguard.testing.plugin``.

- ``eksguard_config``: the resolved ``HarnessConfig`` (session).
- ``aws_emulator``: the running ``Emulator`` (session).
- ``synth_stack``: ``synth_stack(build)`` runs ``build(app)`` and returns the
  ``SynthesizedStack`` it made (the one stack, or pass ``name=``).
- ``deploy_stack``: ``deploy_stack(stack)`` applies it and returns a ``Deployment``;
  its teardown is registered before apply, so a failed apply is torn down too.
  ``deploy_stack(stack, emulator=other)`` deploys to another ``Emulator``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from eksguard.testing.config import HarnessConfig
from eksguard.testing.deploy import Deployer, Deployment
from eksguard.testing.emulator import Emulator, connect, start_moto
from eksguard.testing.synth import SynthesizedStack, synthesize

REPORTS = pytest.StashKey[dict[str, Any]]()
DEPLOYMENTS = pytest.StashKey[list[Deployment]]()
NOTES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def eksguard_config(pytestconfig: pytest.Config) -> HarnessConfig:
    return HarnessConfig.resolve(pytestconfig.getoption, pytestconfig.getini)


@pytest.fixture(scope="session")
def aws_emulator(eksguard_config: HarnessConfig) -> Iterator[Emulator]:
    import os

    choice = eksguard_config.emulator
    if choice == "moto":
        emulator = start_moto(eksguard_config.region)
    elif choice == "localstack":
        endpoint = (eksguard_config.localstack_endpoint or os.environ.get("LOCALSTACK_ENDPOINT")
                    or "http://localhost:4566")
        emulator = connect("localstack", endpoint, eksguard_config.region)
    else:
        emulator = connect("endpoint", choice, eksguard_config.region)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def synth_stack(tmp_path: Path) -> Callable[..., SynthesizedStack]:
    def run(build: Callable[[Any], Any], name: str | None = None) -> SynthesizedStack:
        stacks = synthesize(build, tmp_path / "cdktf.out")
        if name is None:
            if len(stacks) != 1:
                raise ValueError(f"the app made stacks {sorted(stacks)}; pass name=")
            return next(iter(stacks.values()))
        return stacks[name]
    return run


@pytest.fixture
def deploy_stack(request: pytest.FixtureRequest, aws_emulator: Emulator, eksguard_config: HarnessConfig,
                 tmp_path_factory: pytest.TempPathFactory) -> Callable[[SynthesizedStack], Deployment]:
    root = eksguard_config.workdir or tmp_path_factory.mktemp("eksguard")
    root.mkdir(parents=True, exist_ok=True)
    deployments = request.node.stash.setdefault(DEPLOYMENTS, [])

    def deploy(stack: SynthesizedStack, emulator: Emulator | None = None) -> Deployment:
        deployer = Deployer(eksguard_config, emulator or aws_emulator, root)
        deployment = deployer.prepare(stack)
        deployment.on_unverified = request.node.stash.setdefault(NOTES, []).extend
        deployments.append(deployment)

        def teardown() -> None:
            reports = request.node.stash.get(REPORTS, {})
            failed = any(r.failed for r in reports.values())
            message = deployer.teardown(deployment, failed=failed)
            if message:
                request.node.stash.setdefault(NOTES, []).append(message)

        request.addfinalizer(teardown)  # before apply: a failed apply is torn down too
        return deployer.apply(deployment)

    return deploy


@pytest.fixture(autouse=True)
def _eksguard_requires(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("requires")
    if marker is None:
        return
    emulator: Emulator = request.getfixturevalue("aws_emulator")
    for capability in marker.args:
        reason = emulator.missing(capability)
        if reason:
            pytest.skip(f"{capability}: {reason}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    # user_properties travel with the report, also from pytest-xdist workers.
    notes = item.stash.get(NOTES, [])
    report.user_properties.extend(("eksguard", line) for line in notes)
    notes.clear()
    if report.failed:
        for deployment in item.stash.get(DEPLOYMENTS, []):
            report.sections.append((f"eksguard terraform log: {deployment.stack.name}", deployment.log))
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    notes = [value for reports in terminalreporter.stats.values() for report in reports
             for key, value in getattr(report, "user_properties", ()) if key == "eksguard"]
    if notes:
        terminalreporter.section("eksguard")
        for line in dict.fromkeys(notes):
            terminalreporter.write_line(line)
