"""Every error eksguard raises.

Exception tree::

    EksguardError
    ├── ValidationError            bad input, raised while constructs are built
    ├── GuardrailViolation         synth found guardrail findings without a waiver
    ├── TerraformCommandError      a Terraform command failed or timed out
    ├── TerraformValidationError   `terraform validate` rejected a synthesized stack
    ├── EmulatorUnavailableError   the AWS emulator could not be started or reached
    └── ProviderUnavailableError   Terraform could not install hashicorp/aws here

Catch ``EksguardError`` to handle all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eksguard.guardrails.rules import Finding


class EksguardError(Exception):
    """Base class of every error raised by eksguard."""


class ValidationError(EksguardError, ValueError):
    """A prop was given a value the construct cannot accept.

    Carries the construct path, the field, the value received and what is allowed, so
    that the message can be read without a stack trace::

        Default/reference/cluster: field 'name' got '-bad': must match ...

    A value that looks like a secret (a docker config, a private key, an access key, a
    token: ``eksguard._redaction.SECRET_SHAPES``) is not kept: the error holds and shows its
    kind, type and length only (``value`` is then a ``Redacted``), so it can go to a CI log.
    """

    def __init__(self, path: str, field: str, value: Any, allowed: str) -> None:
        from eksguard._redaction import shown

        self.path = path
        self.field = field
        self.value = shown(value)
        self.allowed = allowed
        super().__init__(f"{path}: field '{field}' got {self.value!r}: {allowed}")


class GuardrailViolation(EksguardError):
    """Synth found guardrail findings without a waiver, and stopped before writing the stack.

    ``app.synth()`` raises it for a stack with ``Guardrails.of(stack)`` (which
    ``SecureEksCluster`` adds), and so does ``eksguard.synth(app)``. Each finding names the
    construct path, the rule, the fix, and the one change that accepts it instead::

        eksguard guardrails failed synth of stack 'prod': 1 finding without a waiver
          prod/legacy: EKSG001 launch template does not require IMDSv2 (http_tokens = 'optional'). Fix: ...
            To accept it instead: Guardrails.of(stack).waive(rule="EKSG001", path="prod/legacy", reason="…")
    """

    def __init__(self, findings: Sequence[Finding], stack: str | None = None) -> None:
        self.findings = list(findings)
        self.stack = stack
        """The name of the stack whose synth failed."""
        count = f"{len(self.findings)} finding{'' if len(self.findings) == 1 else 's'}"
        where = f" of stack {stack!r}" if stack else ""
        super().__init__(f"eksguard guardrails failed synth{where}: {count} without a waiver\n"
                         + "\n".join(f"  {finding.report()}" for finding in self.findings))


class TerraformCommandError(EksguardError):
    """A Terraform command exited non-zero or ran past its timeout."""

    def __init__(self, command: list[str], returncode: int | None, output: str, workdir: str) -> None:
        self.command = command
        self.returncode = returncode
        self.output = output
        self.workdir = workdir
        status = "timed out" if returncode is None else f"exited {returncode}"
        tail = "\n".join(output.strip().splitlines()[-40:])
        super().__init__(f"`{' '.join(command)}` in {workdir} {status}:\n{tail}")


class TerraformValidationError(EksguardError):
    """``terraform validate`` rejected a synthesized stack: an argument the provider does
    not know, a required one missing, or a combination the provider refuses.

    The message lists each diagnostic (severity, summary, resource address and attribute,
    file position, detail) and the command that repeats the check::

        terraform validate rejected stack demo:
          Error: Missing required argument
            at aws_eks_cluster.cluster_0A1B2C3D, vpc_config (cdk.tf.json:41:23)
            The argument "subnet_ids" is required, but no definition was found.
    """

    def __init__(self, message: str, diagnostics: dict[str, tuple[Any, ...]]) -> None:
        self.diagnostics = diagnostics
        """Rejected stack -> its diagnostics (``eksguard.testing.validate.Diagnostic``)."""
        super().__init__(message)


class EmulatorUnavailableError(EksguardError):
    """The AWS emulator could not be started or did not answer."""


class ProviderUnavailableError(EksguardError):
    """The hashicorp/aws provider cannot be installed here: the provider mirror lacks a
    version the constraint accepts, or there is no mirror and the registry is out of reach.
    The harness raises it once, before any Terraform command, and stops the session."""
