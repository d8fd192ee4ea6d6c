"""Terraform's own check of synthesized stacks: ``terraform validate`` against the
``hashicorp/aws`` schema, offline with the configured provider mirror, so that an
argument the provider does not know, a missing required one or a combination the
provider refuses fails in the test suite instead of at a user's apply.

Each stack is checked in a private copy (the user's ``cdktf.out`` is never written), with
the ``hashicorp/aws`` constraint replaced when ``aws_provider_version`` is set and the
same Terraform CLI configuration as deployments (provider mirror or plugin cache).

Cost: Terraform loads the AWS provider's schema, ~1.5 s of CPU, once per command however
small the stack. ``StackValidator.validate_many`` therefore checks many stacks in one
command, each a child module of one root; only the stacks that check implicates are
validated again on their own, so the diagnostics reported are Terraform's for that stack
alone. Stacks a child module cannot stand in for (modules, imports, other providers, files
beside ``cdk.tf.json``) are always validated on their own.

Example::

    validate_stack(stack, config, tmp_path)   # raises TerraformValidationError
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksguard.errors import TerraformCommandError, TerraformValidationError
from eksguard.testing.config import HarnessConfig
from eksguard.testing.providers import stack_constraint
from eksguard.testing.synth import STACK_FILE, SynthesizedStack
from eksguard.testing.terraform import Terraform, resolve_binary
from eksguard.testing.workspace import CLI_CONFIG_FILE, OVERRIDE_FILE, STRIPPED_ENVIRONMENT, cli_config, copy_stack

LOCK_FILE = ".terraform.lock.hcl"

REJECTED = "terraform validate rejected stack {stack}:\n{diagnostics}\nRepeat: {command}"
"""One stack's failure: every diagnostic, then the command that repeats the check."""
SESSION_REJECTED = ("terraform validate rejected {rejected} of {total} stacks (checked together when the test "
                    "session ended):\n\n{stacks}")
"""The end-of-session check: one ``REJECTED`` block per rejected stack."""
DIAGNOSTIC = "  {severity}: {summary}{where}{detail}"
"""One diagnostic: ``where`` is ``\\n    at ADDRESS[, ATTRIBUTE] (FILE:LINE:COLUMN)``."""

BATCH_KEYS = frozenset({"//", "terraform", "provider", "variable", "resource", "data", "locals", "output"})
"""Top-level blocks a child module checks exactly as the root would. (A root's variables are
unknown to ``validate``; a child's are given root variables of the same type, unknown too.)"""
ROOT_ONLY_WORDS = ("path.module", "path.root", "path.cwd", "terraform.workspace")
"""Expressions whose value differs in a child module."""


@dataclass(frozen=True)
class Diagnostic:
    """One entry of ``terraform validate -json``'s ``diagnostics``.

    Example::

        Diagnostic.from_json(entry).address   # "aws_eks_cluster.cluster_0A1B2C3D"
    """

    severity: str
    """``error`` or ``warning``."""
    summary: str
    detail: str = ""
    """Default: "" — Terraform gave none."""
    address: str | None = None
    """The resource (``aws_iam_role.x``, ``data.aws_region.y``) or other block
    (``output.arn``) the diagnostic is about. Default: None — Terraform named no block."""
    attribute: str | None = None
    """The nested attribute or block within it (``vpc_config``). Default: None — the block itself."""
    filename: str | None = None
    """Default: None — no source range."""
    line: int | None = None
    """Default: None — no source range."""
    column: int | None = None
    """Default: None — no source range."""

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> Diagnostic:
        start = (entry.get("range") or {}).get("start") or {}
        address, attribute = _address((entry.get("snippet") or {}).get("context"))
        return cls(severity=entry.get("severity", "error"), summary=entry.get("summary", ""),
                   detail=entry.get("detail") or "", address=address, attribute=attribute,
                   filename=(entry.get("range") or {}).get("filename"),
                   line=start.get("line"), column=start.get("column"))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = ""
        if self.address or self.filename:
            position = ":".join(str(p) for p in (self.filename, self.line, self.column) if p is not None)
            named = ", ".join(p for p in (self.address, self.attribute) if p)
            where = "\n    at " + " ".join(p for p in (named, f"({position})" if position else "") if p)
        detail = "".join(f"\n    {line}" if line else "\n" for line in self.detail.strip().splitlines())
        return DIAGNOSTIC.format(severity=self.severity.capitalize(), summary=self.summary,
                                 where=where, detail=detail)

    @property
    def order(self) -> tuple[Any, ...]:
        """Terraform reports diagnostics in graph-walk order, which varies from run to run."""
        return (self.filename or "", self.line or 0, self.column or 0, self.severity, self.summary, self.detail)


def _address(context: str | None) -> tuple[str | None, str | None]:
    """``resource.aws_eks_cluster.c.vpc_config`` -> (``aws_eks_cluster.c``, ``vpc_config``)."""
    if not context:
        return None, None
    parts = context.split(".")
    if parts[0] in ("resource", "data") and len(parts) >= 3:
        prefix = "data." if parts[0] == "data" else ""
        return f"{prefix}{parts[1]}.{parts[2]}", ".".join(parts[3:]) or None
    return context, None


def diagnostics(document: Mapping[str, Any]) -> tuple[Diagnostic, ...]:
    """The diagnostics of a ``terraform validate -json`` document, in source order."""
    return tuple(sorted((Diagnostic.from_json(entry) for entry in document.get("diagnostics") or ()),
                        key=lambda d: d.order))


def rejection(stack: str, found: tuple[Diagnostic, ...], command: str) -> str:
    """The ``REJECTED`` message for one stack."""
    return REJECTED.format(stack=stack, diagnostics="\n".join(map(str, found)), command=command)


def _json_document(output: str) -> dict[str, Any] | None:
    """The ``-json`` document in Terraform's output (stderr, merged in, may precede it)."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"^\{", output, re.MULTILINE):
        try:
            document, _ = decoder.raw_decode(output, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(document, dict) and "diagnostics" in document:
            return document
    return None


@dataclass(frozen=True)
class Validation:
    """One stack's ``terraform validate``: its diagnostics and how to repeat it."""

    stack: str
    diagnostics: tuple[Diagnostic, ...]
    directory: Path
    command: str
    """The shell command that repeats the check."""

    @property
    def ok(self) -> bool:
        """No errors (warnings do not fail a stack, as they do not fail ``terraform validate``)."""
        return not any(d.is_error for d in self.diagnostics)

    def message(self, label: str | None = None) -> str:
        return rejection(label or self.stack, self.diagnostics, self.command)


def _aws_blocks(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = document.get("provider", {}).get("aws", [])
    return blocks if isinstance(blocks, list) else [blocks]


def _aws_only(document: Mapping[str, Any]) -> bool:
    """Only hashicorp/aws and no modules: the shared provider installation serves it."""
    required = document.get("terraform", {}).get("required_providers", {})
    return ("module" not in document and isinstance(required, dict) and set(required) <= {"aws"}
            and isinstance(required.get("aws", {}), dict) and set(document.get("provider", {})) <= {"aws"}
            and all(rtype.startswith("aws_") for kind in ("resource", "data")
                    for rtype in document.get(kind, {})))


def _batchable(directory: Path, document: Mapping[str, Any]) -> bool:
    """Does a child module of a shared root check this stack exactly as its own root would?"""
    terraform = document.get("terraform", {})
    return (_aws_only(document) and set(document) <= BATCH_KEYS
            # The backend and cloud blocks are dropped, as in every copy the harness makes.
            and set(terraform) <= {"required_providers", "required_version", "backend", "cloud"}
            and [p.name for p in directory.iterdir()] == [STACK_FILE]
            and not any(word in json.dumps(document) for word in ROOT_ONLY_WORDS)
            # The provider configurations move to the root, where the stack's names do not exist.
            and not any("${" in json.dumps(block) for block in _aws_blocks(document)))


class StackValidator:
    """Runs ``terraform validate`` on stacks in folders under ``root``; ``hashicorp/aws``
    is installed once per version constraint and shared (``TF_DATA_DIR``).

    Example::

        validator = StackValidator(config, tmp_path)
        validator.validate(stack).ok
        validator.validate_many({"a": stack_a, "b": stack_b})   # -> the rejected ones
    """

    def __init__(self, config: HarnessConfig, root: Path) -> None:
        self.config = config
        self.root = root
        self.binary = resolve_binary(config.terraform)
        root.mkdir(parents=True, exist_ok=True)
        (root / CLI_CONFIG_FILE).write_text(cli_config(config.provider_mirror))
        self._installed: dict[str | None, Path] = {}

    def _terraform(self, directory: Path, data_dir: Path | None = None) -> Terraform:
        # validate needs no AWS credentials: none of the user's reach Terraform or a message.
        env = {k: v for k, v in os.environ.items()
               if k not in STRIPPED_ENVIRONMENT and not k.startswith("AWS_") and k != "TF_DATA_DIR"}
        env.update({"TF_CLI_CONFIG_FILE": str(self.root / CLI_CONFIG_FILE), "TF_IN_AUTOMATION": "1",
                    "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        if data_dir is not None:
            env["TF_DATA_DIR"] = str(data_dir)
        return Terraform(self.binary, directory, env, timeout=self.config.command_timeout)

    def _constraint(self, document: Mapping[str, Any]) -> str | None:
        return self.config.aws_provider_version or stack_constraint(document)

    def _providers(self, constraint: str | None) -> Path:
        """A folder where ``hashicorp/aws`` (``constraint``) is installed: its ``.terraform``
        serves as any stack's ``TF_DATA_DIR``, beside a copy of its lock file. Kept in
        ``root``: later validators there reuse it."""
        if constraint not in self._installed:
            key = hashlib.sha256(repr(constraint).encode()).hexdigest()[:8]
            directory = self.root / f"providers-{key}"
            if not (directory / LOCK_FILE).is_file():
                directory.mkdir(exist_ok=True)
                aws = {"source": "hashicorp/aws", **({"version": constraint} if constraint else {})}
                (directory / "main.tf.json").write_text(json.dumps(
                    {"terraform": {"required_providers": {"aws": aws}}}, indent=2))
                self._terraform(directory).run("init", "-backend=false", "-input=false", "-no-color")
            self._installed[constraint] = directory
        return self._installed[constraint]

    def _validate(self, terraform: Terraform) -> tuple[Diagnostic, ...]:
        args = ("validate", "-json", "-no-color")
        try:
            output = terraform.run(*args, capture_json=True)
        except TerraformCommandError as error:  # exit 1: the configuration is invalid
            document = _json_document(error.output)
            if document is None:
                raise
            return diagnostics(document)
        document = _json_document(output)
        if document is None:
            raise TerraformCommandError([terraform.binary, *args], 0, output, str(terraform.workdir))
        return diagnostics(document)

    def validate(self, stack: SynthesizedStack) -> Validation:
        """Copy ``stack`` into its own folder and validate it there, as its own root module."""
        directory = self.root / f"{stack.name}-{uuid.uuid4().hex[:8]}"
        document = copy_stack(stack, directory)
        if self.config.aws_provider_version:
            (directory / OVERRIDE_FILE).write_text(json.dumps({"terraform": {"required_providers": {
                "aws": {"source": "hashicorp/aws", "version": self.config.aws_provider_version}}}}, indent=2))
        if _aws_only(document):
            providers = self._providers(self._constraint(document))
            shutil.copy(providers / LOCK_FILE, directory / LOCK_FILE)
            terraform = self._terraform(directory, providers / ".terraform")
        else:
            terraform = self._terraform(directory)
            terraform.run("init", "-backend=false", "-input=false", "-no-color")
        found = self._validate(terraform)
        return Validation(stack=stack.name, diagnostics=found, directory=directory,
                          command=terraform.command_line("validate"))

    def validate_many(self, stacks: Mapping[str, SynthesizedStack]) -> dict[str, Validation]:
        """The stacks Terraform rejects, by the label they were given. Stacks that can be are
        checked together in one command per version constraint; each stack that check
        implicates, and each that cannot join it, is then validated on its own."""
        alone: list[str] = []
        together: dict[str | None, list[str]] = {}
        for label, stack in stacks.items():
            if _batchable(stack.directory, stack.document):
                together.setdefault(self._constraint(stack.document), []).append(label)
            else:
                alone.append(label)
        for constraint, labels in together.items():
            if len(labels) == 1:
                alone.extend(labels)
            else:
                alone.extend(self._implicated(constraint, {label: stacks[label] for label in labels}))
        rejected = {}
        for label in alone:
            validation = self.validate(stacks[label])
            if not validation.ok:
                rejected[label] = validation
        return rejected

    def _implicated(self, constraint: str | None, stacks: Mapping[str, SynthesizedStack]) -> list[str]:
        """Validate ``stacks`` as child modules of one root; the labels of those with errors
        (all of them when an error cannot be traced to one)."""
        directory = self.root / f"together-{uuid.uuid4().hex[:8]}"
        directory.mkdir()
        labels = list(stacks)
        configurations: dict[str, str] = {}
        """A provider configuration's body -> its alias in the root."""
        users: dict[str, list[str]] = {}
        """Root alias -> the labels of the stacks that use it."""
        modules = {}
        variables = {}
        for index, label in enumerate(labels):
            child, passed = _child_module(stacks[label].document, self.config.aws_provider_version)
            inputs = {}
            for name, declaration in child.get("variable", {}).items():
                variables[f"s{index}_{name}"] = {key: declaration[key] for key in ("type", "sensitive", "nullable")
                                                 if key in declaration}
                inputs[name] = f"${{var.s{index}_{name}}}"
            providers = {}
            for name, body in passed.items():
                key = json.dumps(body, sort_keys=True)
                alias = configurations.setdefault(key, f"p{len(configurations)}")
                users.setdefault(alias, []).append(label)
                providers[name] = f"aws.{alias}"
            (directory / f"s{index}").mkdir()
            (directory / f"s{index}" / STACK_FILE).write_text(json.dumps(child, indent=2))
            modules[f"s{index}"] = {"source": f"./s{index}", **({"providers": providers} if providers else {}),
                                    **inputs}
        for key, alias in configurations.items():
            # One file per configuration: a diagnostic's file names the stacks that use it.
            (directory / f"provider_{alias}.tf.json").write_text(json.dumps(
                {"provider": {"aws": [{"alias": alias, **json.loads(key)}]}}, indent=2))
        aws = {"source": "hashicorp/aws", **({"version": constraint} if constraint else {})}
        (directory / "main.tf.json").write_text(json.dumps(
            {"terraform": {"required_providers": {"aws": aws}}, "module": modules,
             **({"variable": variables} if variables else {})}, indent=2))
        terraform = self._terraform(directory)
        terraform.run("init", "-backend=false", "-input=false", "-no-color")
        implicated: set[str] = set()
        for diagnostic in self._validate(terraform):
            if not diagnostic.is_error:
                continue
            filename = diagnostic.filename or ""
            if match := re.fullmatch(r"s(\d+)/.*", filename):
                implicated.add(labels[int(match[1])])
            elif match := re.fullmatch(r"provider_(p\d+)\.tf\.json", filename):
                implicated.update(users[match[1]])
            else:
                return labels
        return [label for label in labels if label in implicated]


def _child_module(document: Mapping[str, Any], constraint: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stack as a child module, and its provider configurations to pass it: the module
    provider name (``aws``, ``aws.west``) -> the configuration's body."""
    child = {key: copy.deepcopy(value) for key, value in document.items() if key != "provider"}
    terraform = child.setdefault("terraform", {})
    terraform.pop("backend", None)
    terraform.pop("cloud", None)
    aws = terraform.setdefault("required_providers", {}).setdefault("aws", {"source": "hashicorp/aws"})
    if constraint:
        aws["version"] = constraint
    passed = {}
    for block in _aws_blocks(document):
        body = {key: value for key, value in block.items() if key != "alias"}
        passed[f"aws.{block['alias']}" if "alias" in block else "aws"] = body
    aliases = [name for name in passed if name != "aws"]
    if aliases:
        aws["configuration_aliases"] = aliases
    return child, passed


class ValidationQueue:
    """Stacks to validate together later, each copied when added (its synth folder may be
    gone by then).

    Example::

        queue = ValidationQueue(StackValidator(config, root))
        queue.add(stack, origin="tests/test_demo.py::test_cluster")
        queue.check()   # raises TerraformValidationError naming each rejected stack's origin
    """

    def __init__(self, validator: StackValidator) -> None:
        self.validator = validator
        self.stacks: dict[str, SynthesizedStack] = {}

    def add(self, stack: SynthesizedStack, origin: str) -> None:
        directory = self.validator.root / "queued" / f"{len(self.stacks)}-{stack.name}"
        copy_stack(stack, directory)
        label = f"{stack.name}, synthesized by {origin}"
        if label in self.stacks:
            label = f"{label} (#{sum(key.startswith(label) for key in self.stacks) + 1})"
        self.stacks[label] = SynthesizedStack.from_directory(stack.name, directory)

    def check(self) -> None:
        if not self.stacks:
            return
        rejected = self.validator.validate_many(self.stacks)
        if rejected:
            raise TerraformValidationError(SESSION_REJECTED.format(
                rejected=len(rejected), total=len(self.stacks),
                stacks="\n\n".join(v.message(label) for label, v in rejected.items())),
                {label: v.diagnostics for label, v in rejected.items()})


def validate_stack(stack: SynthesizedStack, config: HarnessConfig, workdir: Path) -> None:
    """Raise ``TerraformValidationError`` unless ``terraform validate`` accepts ``stack``
    (warnings pass). ``workdir`` receives the private copy and the provider installation.

    Example::

        validate_stack(synthesize(build, tmp_path / "out")["demo"], config, tmp_path / "validate")
    """
    validation = StackValidator(config, Path(workdir)).validate(stack)
    if not validation.ok:
        raise TerraformValidationError(validation.message(), {stack.name: validation.diagnostics})
