"""A private working copy of a synthesized stack, wired to the emulator.

The user's ``cdktf.out`` is never written: the stack is copied, its backend made local,
and an override file (tflocal's approach) points every AWS provider configuration at the
emulator with test credentials.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksguard.testing.config import HarnessConfig
from eksguard.testing.emulator import Emulator
from eksguard.testing.synth import STACK_FILE, SynthesizedStack

OVERRIDE_FILE = "eksguard_override.tf.json"
CLI_CONFIG_FILE = "eksguard.tfrc"
ENDPOINT_SERVICES = ("acm", "autoscaling", "cloudwatch", "dynamodb", "ec2", "ecr", "eks", "events",
                     "elbv2", "iam", "kms", "lambda", "logs", "route53", "s3",
                     "secretsmanager", "sns", "sqs", "ssm", "sts")
"""Endpoint keys that AWS provider 5.x and 6.x both accept."""

STRIPPED_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONFIG_FILE",
                        "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "TF_WORKSPACE")
"""Never let a test reach a real account or a remote workspace."""


@dataclass(frozen=True)
class Workspace:
    """Where one deployment runs: its directory, Terraform environment and region."""

    directory: Path
    env: dict[str, str]
    region: str
    regions: tuple[str, ...] = ()
    """Every region the stack's AWS providers name, ``region`` first (aliased ones too)."""
    account: str | None = None
    """The deployment's own account (``isolation = "account"``); None: the emulator's."""


def provider_region(document: dict[str, Any], default: str) -> str:
    """The region of the stack's default (un-aliased) AWS provider."""
    for block in _aws_provider_blocks(document):
        if "alias" not in block:
            return str(block.get("region") or default)
    return default


def provider_regions(document: dict[str, Any], default: str) -> tuple[str, ...]:
    """Every region the stack's AWS providers name (an aliased provider without one uses
    ``default``), the default provider's first."""
    first = provider_region(document, default)
    others = [str(block.get("region") or default) for block in _aws_provider_blocks(document)]
    return tuple(dict.fromkeys([first, *others]))


def _aws_provider_blocks(document: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = document.get("provider", {}).get("aws", [])
    return blocks if isinstance(blocks, list) else [blocks]


def override_document(document: dict[str, Any], emulator: Emulator,
                      aws_provider_version: str | None, max_retries: int | None = None,
                      account: str | None = None) -> dict[str, Any]:
    """The override file: every AWS provider configuration pointed at the emulator, with the
    credentials of ``account`` (None: the emulator's own)."""
    credentials = emulator.credentials(account)
    providers = []
    for block in _aws_provider_blocks(document) or [{}]:
        entry: dict[str, Any] = {
            "access_key": credentials["aws_access_key_id"],
            "secret_key": credentials["aws_secret_access_key"],
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
            "s3_use_path_style": True,
            "endpoints": [{service: emulator.endpoint for service in ENDPOINT_SERVICES}],
        }
        if "aws_session_token" in credentials:
            entry["token"] = credentials["aws_session_token"]
        if max_retries is not None:
            entry["max_retries"] = max_retries
        if "alias" in block:
            entry["alias"] = block["alias"]
        if not block.get("region"):
            entry["region"] = emulator.region
        providers.append(entry)
    terraform: dict[str, Any] = {"backend": {"local": {"path": "terraform.tfstate"}}}
    if aws_provider_version:
        terraform["required_providers"] = {
            "aws": {"source": "hashicorp/aws", "version": aws_provider_version}}
    return {"terraform": terraform, "provider": {"aws": providers}}


def cli_config(provider_mirror: str | None) -> str:
    """Terraform CLI configuration: install from a filesystem mirror (linked, not copied)
    when given; else from the registry through a shared plugin cache, so working copies
    do not each download the AWS provider."""
    if provider_mirror:
        return ("provider_installation {\n"
                f"  filesystem_mirror {{\n    path = {json.dumps(provider_mirror)}\n  }}\n"
                "}\n")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "eksguard" / "terraform-plugins"
    cache.mkdir(parents=True, exist_ok=True)
    return f"plugin_cache_dir = {json.dumps(str(cache))}\n"


def copy_stack(stack: SynthesizedStack, directory: Path) -> dict[str, Any]:
    """Copy the stack's files into ``directory`` (state and override there are kept) with
    its backend made local; returns the stack document."""
    shutil.copytree(stack.directory, directory, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        ".terraform", "terraform.tfstate*", "*.tfplan", ".terraform.lock.hcl"))
    document = json.loads((directory / STACK_FILE).read_text())
    # The copy runs on local state: a stack's remote backend or Terraform Cloud stays untouched.
    document.get("terraform", {}).pop("cloud", None)
    document.get("terraform", {}).pop("backend", None)
    (directory / STACK_FILE).write_text(json.dumps(document, indent=2))
    return document


def prepare(stack: SynthesizedStack, emulator: Emulator, config: HarnessConfig, root: Path) -> Workspace:
    """Copy ``stack`` into a new folder under ``root`` and wire it to ``emulator``."""
    directory = root / f"{stack.name}-{uuid.uuid4().hex[:8]}"
    document = copy_stack(stack, directory)
    account = emulator.new_account() if config.isolation == "account" else None
    (directory / OVERRIDE_FILE).write_text(json.dumps(
        override_document(document, emulator, config.aws_provider_version, config.aws_max_retries, account),
        indent=2))

    (directory / CLI_CONFIG_FILE).write_text(cli_config(config.provider_mirror))

    region = provider_region(document, emulator.region)
    regions = provider_regions(document, emulator.region)
    emulator.deployed_regions.update(regions)
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENVIRONMENT}
    credentials = emulator.credentials(account)
    env.pop("AWS_SESSION_TOKEN", None)
    if "aws_session_token" in credentials:
        env["AWS_SESSION_TOKEN"] = credentials["aws_session_token"]
    env.update({
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "TF_CLI_CONFIG_FILE": str(directory / CLI_CONFIG_FILE),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    })
    return Workspace(directory=directory, env=env, region=region, regions=regions, account=account)
