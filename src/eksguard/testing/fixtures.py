"""The harness fixtures and hooks, registered by ``eksguard.testing.plugin``.

- ``eksguard_config``: the resolved ``HarnessConfig`` (session).
- ``aws_emulator``: the running ``Emulator`` (session).
- ``synth_stack``: ``synth_stack(build)`` runs ``build(app)`` and returns the
  ``SynthesizedStack`` it made (the one stack, or pass ``name=``); with the ``validate``
  setting, that stack must also pass ``terraform validate``.
- ``terraform_validate``: ``terraform_validate(stack)`` queues a stack the test made some
  other way for the same check. Without the ``validate`` setting it does nothing.
- ``deploy_stack``: ``deploy_stack(stack)`` applies it and returns a ``Deployment``;
  its teardown is registered before apply, so a failed apply is torn down too.
  ``deploy_stack(stack, emulator=other)`` deploys to another ``Emulator``.
- ``shared_deployment(build, scope="module")`` (``eksguard.testing.shared``) makes a fixture
  that deploys one stack for many tests, with the same teardown and reporting.

Before the first test that deploys (or is marked ``eksguard_integration``) the harness
checks, once, that Terraform can install ``hashicorp/aws`` (``eksguard.testing.providers``);
if it cannot, the whole session stops with one message. With the ``validate`` setting the
same check runs before the first test that synthesizes a stack.

``terraform validate`` costs ~1.5 s per command (the AWS provider's schema), so the stacks
are checked together when the session ends (per pytest-xdist worker), in one command: a
rejected stack is reported as an error at the teardown of the session's last test, naming
the test that synthesized it and Terraform's diagnostics (``TerraformValidationError``).
Running that one test alone reports it on that test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

from eksguard.errors import EksguardError
from eksguard.testing.config import HarnessConfig
from eksguard.testing.deploy import Deployer, Deployment
from eksguard.testing.emulator import Emulator, connect, start_moto
from eksguard.testing.providers import ProviderCheck
from eksguard.testing.shared import FAILED_USERS, SHARED
from eksguard.testing.synth import SynthesizedStack, synthesize
from eksguard.testing.validate import StackValidator, ValidationQueue

REPORTS = pytest.StashKey[dict[str, Any]]()
DEPLOYMENTS = pytest.StashKey[list[Deployment]]()
NOTES = pytest.StashKey[list[str]]()
CONFIG = pytest.StashKey[HarnessConfig]()
UNVERIFIED_PREFIXES = ("not deployed on ", "not verified on ")
STRICT_FAILURE = (
    "eksguard strict: this test verified only part of its stack:\n{lines}\n"
    "Fix: deploy to an emulator that serves these, or mark the test with "
    "@pytest.mark.requires(...) for what it needs; to report without failing, run without "
    "--eksguard-strict (EKSGUARD_STRICT / ini eksguard_strict).")
PROVIDERS = pytest.StashKey[ProviderCheck]()
T = TypeVar("T")


def _stop_session(session: pytest.Session, error: EksguardError) -> NoReturn:
    """End the whole run with ``error`` as its one message."""
    if hasattr(session.config, "workerinput"):
        # A pytest-xdist worker: the controller reads its shouldstop, stops every worker
        # and prints the first reason once; without it the controller fails with an
        # INTERNALERROR about the unfinished test. (Without xdist, shouldstop would print
        # the message twice.)
        session.shouldstop = str(error)
    # Not exit code 2: xdist takes a worker's 2 for Ctrl-C and drops the message.
    pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)


def _or_stop(session: pytest.Session, check: Callable[[], T]) -> T:
    try:
        return check()
    except EksguardError as error:
        _stop_session(session, error)


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


def _providers(session: pytest.Session) -> ProviderCheck:
    """Where hashicorp/aws comes from: checked once per process (each xdist worker), on
    the first test that needs Terraform, so unit-test sessions never probe the registry."""
    stash = session.config.stash
    if PROVIDERS not in stash:
        config = HarnessConfig.resolve(session.config.getoption, session.config.getini)
        stash[PROVIDERS] = _or_stop(session, lambda: ProviderCheck.for_config(config))
    return stash[PROVIDERS]


@pytest.fixture(scope="session")
def _eksguard_providers(request: pytest.FixtureRequest) -> ProviderCheck:
    return _providers(request.session)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Tests marked eksguard_integration run Terraform through deploy_stack or on their own
    # (a Deployer, an inner pytest session): check before any of their fixtures start.
    if item.get_closest_marker("eksguard_integration"):
        _providers(item.session)


@pytest.fixture(scope="session")
def _eksguard_validation(request: pytest.FixtureRequest, eksguard_config: HarnessConfig,
                         tmp_path_factory: pytest.TempPathFactory) -> Iterator[ValidationQueue | None]:
    """The stacks to ``terraform validate`` when the session ends; None without the setting."""
    if not eksguard_config.validate:
        yield None
        return
    session = request.session
    _providers(session)  # before the first stack: an offline machine stops here, once
    root = (eksguard_config.workdir / f"validate-{uuid.uuid4().hex[:8]}" if eksguard_config.workdir
            else tmp_path_factory.mktemp("eksguard-validate"))
    queue = ValidationQueue(_or_stop(session, lambda: StackValidator(eksguard_config, root)))
    yield queue
    if session.exitstatus != pytest.ExitCode.OK or session.shouldfail or session.shouldstop:
        return  # interrupted, or stopped by -x / --maxfail: nobody waits for the answer
    try:
        queue.check()
        return
    except EksguardError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)  # outside the except: no "During handling..." copy


@pytest.fixture
def terraform_validate(request: pytest.FixtureRequest,
                       _eksguard_validation: ValidationQueue | None) -> Callable[[SynthesizedStack], None]:
    def validate(stack: SynthesizedStack) -> None:
        if _eksguard_validation is None:
            return
        _or_stop(request.session, lambda: _providers(request.session).require_stack(stack.document, stack.name))
        _eksguard_validation.add(stack, request.node.nodeid)
    return validate


@pytest.fixture
def synth_stack(tmp_path: Path,
                terraform_validate: Callable[[SynthesizedStack], None]) -> Callable[..., SynthesizedStack]:
    def run(build: Callable[[Any], Any], name: str | None = None) -> SynthesizedStack:
        stacks = synthesize(build, tmp_path / "cdktf.out")
        if name is None:
            if len(stacks) != 1:
                raise ValueError(f"the app made stacks {sorted(stacks)}; pass name=")
            stack = next(iter(stacks.values()))
        else:
            stack = stacks[name]
        terraform_validate(stack)
        return stack
    return run


@pytest.fixture
def deploy_stack(request: pytest.FixtureRequest, _eksguard_providers: ProviderCheck, aws_emulator: Emulator,
                 eksguard_config: HarnessConfig,
                 tmp_path_factory: pytest.TempPathFactory) -> Callable[[SynthesizedStack], Deployment]:
    root = eksguard_config.workdir or tmp_path_factory.mktemp("eksguard")
    root.mkdir(parents=True, exist_ok=True)
    deployments = request.node.stash.setdefault(DEPLOYMENTS, [])

    def deploy(stack: SynthesizedStack, emulator: Emulator | None = None) -> Deployment:
        _or_stop(request.session, lambda: _eksguard_providers.require_stack(stack.document, stack.name))
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
    shared = [(name, deployment) for name, deployment in item.config.stash.get(SHARED, {}).items()
              if name in getattr(item, "fixturenames", ())]
    if report.when == "call":  # a shared deployment's notes go into each test that used it
        for _, deployment in shared:
            item.stash.setdefault(NOTES, []).extend(getattr(deployment, "shared_notes", []))
    # user_properties travel with the report, also from pytest-xdist workers.
    notes = item.stash.get(NOTES, [])
    report.user_properties.extend(("eksguard", line) for line in notes)
    unverified = [line for line in notes if line.startswith(UNVERIFIED_PREFIXES)]
    notes.clear()
    if unverified:
        # In this test's own report (shown with -rP, in JUnit XML, and on failure).
        report.sections.append(("eksguard: not verified by this test", "\n".join(unverified)))
        if report.passed and report.when == "call" and _config(item).strict:
            report.outcome = "failed"
            report.longrepr = STRICT_FAILURE.format(lines="\n".join(f"  {line}" for line in unverified))
    if report.failed:
        item.config.stash.setdefault(FAILED_USERS, set()).update(name for name, _ in shared)
        deployments = [*item.stash.get(DEPLOYMENTS, []), *(deployment for _, deployment in shared)]
        for deployment in deployments:
            report.sections.append((f"eksguard terraform log: {deployment.stack.name}", deployment.log))
        errors = deployments[0].emulator.server_errors() if deployments else []
        if errors:
            report.sections.append(("eksguard emulator errors", "\n".join(errors)))
    return report


def _config(item: pytest.Item) -> HarnessConfig:
    stash = item.config.stash
    if CONFIG not in stash:
        stash[CONFIG] = HarnessConfig.resolve(item.config.getoption, item.config.getini)
    return stash[CONFIG]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    notes = [(report.nodeid, value) for reports in terminalreporter.stats.values() for report in reports
             for key, value in getattr(report, "user_properties", ()) if key == "eksguard"]
    if notes:
        terminalreporter.section("eksguard")
        for nodeid, line in dict.fromkeys(notes):
            terminalreporter.write_line(f"{nodeid}: {line}")
