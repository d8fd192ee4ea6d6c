"""The harness settings, each an ``--eksguard-*`` option, an ini key and an environment
variable, resolved once into a frozen ``HarnessConfig``.

Precedence: command-line option, then environment variable, then ini key, then default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEARDOWN_MODES = ("destroy", "reset", "keep")
ISOLATION_MODES = ("shared", "account")


@dataclass(frozen=True)
class Setting:
    """One harness setting and where it can be given."""

    name: str
    default: str | None
    help: str
    parse: Callable[[str], Any] = str

    @property
    def option(self) -> str:
        return "--eksguard-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "eksguard_" + self.name

    @property
    def env(self) -> str:
        return "EKSGUARD_" + self.name.upper()


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS = (
    Setting("emulator", "moto",
            "'moto' (embedded, default), 'localstack' (LOCALSTACK_ENDPOINT or "
            "--eksguard-localstack-endpoint), or the URL of any AWS-compatible endpoint"),
    Setting("localstack_endpoint", None,
            "LocalStack URL; default: $LOCALSTACK_ENDPOINT or http://localhost:4566"),
    Setting("region", "us-east-1", "AWS region used against the emulator"),
    Setting("terraform", None, "Terraform binary; default: terraform, then tofu, on PATH"),
    Setting("provider_mirror", None,
            "a filesystem mirror of providers (Terraform's provider_installation); "
            "default: Terraform's implied local mirrors, else the registry"),
    Setting("aws_provider_version", None,
            "replace the stack's hashicorp/aws version constraint, e.g. '>= 5.0'; "
            "default: keep the stack's"),
    Setting("aws_max_retries", None,
            "the AWS provider's max_retries against the emulator; a small number makes an "
            "emulator that went away fail fast; default: the provider's own (25)", int),
    Setting("teardown", "destroy",
            "'destroy' (terraform destroy), 'reset' (reset the emulator: fast, for one "
            "deployment at a time) or 'keep' (print the destroy command)"),
    Setting("isolation", "shared",
            "'shared' (every deployment in the emulator's one account, default) or 'account' "
            "(each deployment in an account of its own, moto only: a 'reset' teardown then "
            "forgets that account alone, beside other deployments)"),
    Setting("keep_on_failure", "false", "keep what a failed test deployed", _bool),
    Setting("command_timeout", "900", "seconds a Terraform command may run", int),
    Setting("workdir", None, "where working copies of stacks go; default: pytest's tmp dir"),
    Setting("strict", "false",
            "'true': a test fails when its deployment left resources out (not deployed on the "
            "emulator) or its re-plan excused changes (not verified on the emulator); "
            "default: 'false' (they are reported in the test's report section)", _bool),
    Setting("validate", "false",
            "'true': every stack synth_stack returns (or the terraform_validate fixture is "
            "given) must pass `terraform validate`, checked together when the session ends; "
            "needs Terraform and hashicorp/aws, as a deployment does; default: 'false'", _bool),
)


@dataclass(frozen=True, kw_only=True)
class HarnessConfig:
    """The resolved settings.

    Example::

        HarnessConfig(emulator="moto", aws_provider_version=">= 5.0")
    """

    emulator: str = "moto"
    """Which emulator. Default: "moto"."""
    localstack_endpoint: str | None = None
    """LocalStack URL. Default: None — $LOCALSTACK_ENDPOINT or http://localhost:4566."""
    region: str = "us-east-1"
    """AWS region. Default: "us-east-1"."""
    terraform: str | None = None
    """Terraform binary. Default: None — terraform, then tofu, on PATH."""
    provider_mirror: str | None = None
    """Provider filesystem mirror. Default: None — Terraform's implied local mirrors, else the registry."""
    aws_provider_version: str | None = None
    """hashicorp/aws constraint override. Default: None — the stack's own."""
    aws_max_retries: int | None = None
    """AWS provider max_retries. Default: None — the provider's own."""
    teardown: str = "destroy"
    """Teardown mode. Default: "destroy"."""
    isolation: str = "shared"
    """Where deployments live in the emulator: "shared" (its one account) or "account" (each
    its own, moto only). Default: "shared"."""
    keep_on_failure: bool = False
    """Keep a failed test's deployment. Default: False."""
    command_timeout: int = 900
    """Seconds per Terraform command. Default: 900."""
    workdir: Path | None = None
    """Root of working copies. Default: None — pytest's temporary directory."""
    strict: bool = False
    """Fail a test whose deployment was only partly verified. Default: False — reported in
    the test's report section and the session summary."""
    validate: bool = False
    """Run ``terraform validate`` on synthesized stacks. Default: False — synth-only suites
    need no Terraform or provider."""

    def __post_init__(self) -> None:
        if self.teardown not in TEARDOWN_MODES:
            raise ValueError(f"eksguard teardown {self.teardown!r}: use one of {TEARDOWN_MODES}")
        if self.isolation not in ISOLATION_MODES:
            raise ValueError(f"eksguard isolation {self.isolation!r}: use one of {ISOLATION_MODES}")

    @classmethod
    def resolve(cls, option: Callable[[str], Any], ini: Callable[[str], Any],
                environ: dict[str, str] | None = None) -> HarnessConfig:
        """Resolve every setting from option, environment, ini and default."""
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = option(setting.option)
            if raw is None:
                raw = environ.get(setting.env)
            if raw is None:
                raw = ini(setting.ini) or None
            if raw is None:
                raw = setting.default
            if raw is not None:
                values[setting.name] = setting.parse(raw) if isinstance(raw, str) else raw
        if values.get("workdir"):
            values["workdir"] = Path(values["workdir"])
        return cls(**values)
