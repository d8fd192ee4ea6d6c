"""Deploy a synthesized stack to the emulator and tear it down, whatever happens."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eksguard.errors import EksguardError
from eksguard.testing.config import HarnessConfig
from eksguard.testing.emulator import Emulator
from eksguard.testing.gaps import Idempotence, evaluate
from eksguard.testing.synth import LOG as TIMING
from eksguard.testing.synth import SynthesizedStack
from eksguard.testing.terraform import Terraform, resolve_binary
from eksguard.testing.workspace import Workspace, copy_stack, prepare

LOG = logging.getLogger("eksguard.testing")


@dataclass
class Deployment:
    """A stack applied to the emulator: its outputs, state and boto3 clients.

    Example::

        deployment.outputs["cluster_name"]
        deployment.client("eks").describe_cluster(name=...)
        deployment.replan().ok
    """

    stack: SynthesizedStack
    workspace: Workspace
    terraform: Terraform
    emulator: Emulator
    outputs: dict[str, Any] = field(default_factory=dict)
    applied: bool = False
    torn_down: bool = False
    on_unverified: Callable[[list[str]], None] | None = None
    """Receives the "not verified/deployed on <emulator>" lines."""
    unserved: dict[str, str] = field(default_factory=dict)
    """Resources left out because the emulator cannot create them: address -> reason."""

    @property
    def targets(self) -> list[str]:
        """Every other resource, when some are left out; else [] (the whole stack)."""
        return [a for a in self.stack.addresses if a not in self.unserved] if self.unserved else []

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for ``service`` bound to the emulator and the stack's region (or
        ``region``: one of its aliased providers')."""
        return self.emulator.client(service, region=region or self.workspace.region, account=self.workspace.account)

    def inventory_regions(self) -> tuple[str, ...]:
        """What ``read_inventory(deployment.client)`` reads: every region the stack's
        providers name, its default provider's first."""
        return self.workspace.regions or (self.workspace.region,)

    def address(self, path_or_address: str) -> str:
        return self.stack.address(path_or_address)

    def state(self, path_or_address: str) -> dict[str, Any]:
        """The applied attributes of one resource, by construct path or address."""
        address = self.address(path_or_address)
        shown = json.loads(self.terraform.run("show", "-json", capture_json=True))
        for resource in shown.get("values", {}).get("root_module", {}).get("resources", []):
            if resource["address"] == address:
                return dict(resource["values"])
        raise KeyError(f"{address} is not in the state of {self.stack.name}")

    def replan(self) -> Idempotence:
        """Plan again and judge the result against the emulator's declared gaps."""
        verdict = evaluate(self.terraform.plan(self.targets), self.emulator.name)
        if self.on_unverified and verdict.unverified:
            self.on_unverified([f"not verified on {verdict.emulator}: {item}" for item in verdict.unverified])
        return verdict

    def update(self, stack: SynthesizedStack) -> Deployment:
        """Apply a new version of the stack over this deployment's state, as a user's next
        ``cdktn deploy`` would: the way to test an upgrade or a changed setting.

        Example::

            deployment.update(synth_stack(lambda app: Demo(app, "demo", version="1.35")))
        """
        if stack.name != self.stack.name:
            raise EksguardError(f"update {self.stack.name} with a version of the same stack, not {stack.name}")
        copy_stack(stack, self.workspace.directory)
        self.stack = stack
        self.unserved = self.emulator.unserved(stack.addresses)
        self.terraform.apply(self.targets)
        self.outputs = self.terraform.output()
        return self

    def destroy(self) -> None:
        """Destroy now (the registered teardown then has nothing left to do)."""
        self.terraform.destroy()
        self.torn_down = True
        self.emulator.live.pop(id(self), None)

    @property
    def destroy_command(self) -> str:
        return self.terraform.command_line("destroy", "-auto-approve")

    @property
    def log(self) -> str:
        return "\n".join(self.terraform.log)


class Deployer:
    """Creates deployments and owns their teardown."""

    def __init__(self, config: HarnessConfig, emulator: Emulator, root: Path) -> None:
        self.config = config
        self.emulator = emulator
        self.root = root
        self.binary = resolve_binary(config.terraform)

    def prepare(self, stack: SynthesizedStack) -> Deployment:
        workspace = prepare(stack, self.emulator, self.config, self.root)
        terraform = Terraform(self.binary, workspace.directory, workspace.env,
                              timeout=self.config.command_timeout)
        return Deployment(stack=stack, workspace=workspace, terraform=terraform, emulator=self.emulator)

    @staticmethod
    def apply(deployment: Deployment) -> Deployment:
        """init and apply; the caller has already registered the teardown.

        Resources of types the emulator cannot create (``RESOURCE_CAPABILITIES``) are left
        out with ``-target`` on everything else and reported as "not deployed on
        <emulator>"; the stack itself is not changed. A served resource that depends on
        a left-out one still fails, with Terraform's error.
        """
        deployment.unserved = deployment.emulator.unserved(deployment.stack.addresses)
        if deployment.unserved and deployment.on_unverified:
            deployment.on_unverified([f"not deployed on {deployment.emulator.name}: {address} ({reason})"
                                      for address, reason in sorted(deployment.unserved.items())])
        deployment.terraform.init()
        deployment.emulator.live[id(deployment)] = deployment.stack.name
        deployment.terraform.apply(deployment.targets)
        deployment.applied = True
        deployment.outputs = deployment.terraform.output()
        return deployment

    def teardown(self, deployment: Deployment, *, failed: bool) -> str | None:
        """Tear down per the configured mode. Returns a message for the report, or None.
        Raises only when nothing else failed, so a cleanup error never hides the real one."""
        if deployment.torn_down:
            return None
        deployment.torn_down = True
        others = sorted(name for key, name in self.emulator.live.items() if key != id(deployment))
        self.emulator.live.pop(id(deployment), None)
        mode = self.config.teardown
        note = None
        isolated = deployment.workspace.account is not None
        if mode == "reset" and isolated and self.emulator.journal is None:
            mode = "destroy"  # a remote moto's accounts cannot be reset one by one
        if mode == "reset" and others and not isolated:
            # A reset forgets every deployment's resources: a shared deployment still in
            # use, or another test's, would lose its own under its tests.
            mode = "destroy"
            note = (f"eksguard destroyed {deployment.stack.name} instead of resetting the emulator: "
                    f"{', '.join(others)} still deployed there")
        if not (deployment.workspace.directory / "terraform.tfstate").exists():
            return None  # init or the first apply step failed: nothing was created
        if mode == "keep" or (failed and self.config.keep_on_failure):
            return f"eksguard kept {deployment.stack.name}; destroy it with:\n  {deployment.destroy_command}"
        try:
            if mode == "reset":
                started = time.monotonic()
                if isolated:
                    # its own account only: other deployments, in theirs, keep what they hold
                    self.emulator.reset_account(deployment.workspace.account)
                else:
                    self.emulator.reset()
                TIMING.info("step emulator-reset %.2f", time.monotonic() - started)
            else:
                deployment.terraform.destroy()
        except (EksguardError, OSError) as error:
            message = (f"eksguard teardown ({mode}) of {deployment.stack.name} failed; state kept in "
                       f"{deployment.workspace.directory}. Destroy it with:\n  {deployment.destroy_command}"
                       f"\n{error}")
            LOG.error(message)
            if failed:
                return message
            raise EksguardError(message) from error
        return note
