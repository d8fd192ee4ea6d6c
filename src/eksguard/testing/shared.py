"""Deploy once, assert many: ``shared_deployment(build, scope=...)`` makes a pytest fixture
that synthesizes and applies one stack for a module, a class or the session, and tears it
down after the last test that uses it, with the same guarantees as ``deploy_stack``.

Example::

    from eksguard.testing import shared_deployment

    reference = shared_deployment(lambda app: ReferenceStack(app, "ref"), scope="module")

    def test_cluster_is_private(reference):
        cluster = read_cluster(reference.client("eks"), reference.outputs["cluster_name"])
        assert cluster.endpoint_public_access is False

    def test_nodes_require_imdsv2(reference):
        ...

- The teardown is registered before the apply, so a failed apply is torn down; a test
  that fails leaves ``keep_on_failure`` to decide, as with ``deploy_stack``.
- Every test that uses the fixture gets its Terraform log in its failure report and its
  "not deployed on <emulator>" lines in its own report (and fails under ``strict`` if it
  passed on part of the stack).
- A failed apply fails every test that uses the fixture, each with the same error.
- Tests that share a deployment must not change it: each sees what the ones before it left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from eksguard.testing.deploy import Deployer, Deployment

SHARED = pytest.StashKey[dict[str, Deployment]]()
"""Fixture name -> its deployment, for the report hook."""
FAILED_USERS = pytest.StashKey[set[str]]()
"""Names of shared fixtures a failed test used."""


def shared_deployment(build: Callable[[Any], Any], *, scope: str = "module", name: str | None = None,
                      fixture_name: str | None = None) -> Any:
    """A fixture of ``scope`` ("module", "class", "package" or "session") yielding the
    ``Deployment`` of the stack ``build(app)`` makes (``name`` picks one of several).
    Assign it to a module-level name; that name is the fixture's unless ``fixture_name``."""
    if scope not in ("module", "class", "package", "session"):
        raise ValueError(f"shared_deployment scope {scope!r}: use 'module', 'class', 'package' or "
                         "'session' (a function-scoped deployment is deploy_stack)")

    def fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
        from eksguard.testing.fixtures import _or_stop, _providers
        from eksguard.testing.synth import synthesize

        config = request.getfixturevalue("eksguard_config")
        emulator = request.getfixturevalue("aws_emulator")
        own_name = request.fixturename
        stacks = synthesize(build, tmp_path_factory.mktemp(f"{own_name}-synth") / "cdktf.out")
        if name is None and len(stacks) != 1:
            raise ValueError(f"the app made stacks {sorted(stacks)}; pass name=")
        stack = stacks[name] if name is not None else next(iter(stacks.values()))
        _or_stop(request.session, lambda: _providers(request.session).require_stack(stack.document, stack.name))
        root = config.workdir or tmp_path_factory.mktemp("eksguard")
        root.mkdir(parents=True, exist_ok=True)
        deployer = Deployer(config, emulator, root)
        deployment = deployer.prepare(stack)
        notes: list[str] = []
        deployment.on_unverified = notes.extend
        deployment.shared_notes = notes  # type: ignore[attr-defined]
        request.config.stash.setdefault(SHARED, {})[own_name] = deployment

        def teardown() -> None:
            failed = own_name in request.config.stash.get(FAILED_USERS, set())
            message = deployer.teardown(deployment, failed=failed)
            if message:
                print(f"\n{message}")

        request.addfinalizer(teardown)  # before apply: a failed apply is torn down too
        deployer.apply(deployment)
        yield deployment

    fixture.__name__ = fixture_name or "shared_deployment_fixture"
    return pytest.fixture(scope=scope, name=fixture_name)(fixture) if fixture_name else pytest.fixture(
        scope=scope)(fixture)
