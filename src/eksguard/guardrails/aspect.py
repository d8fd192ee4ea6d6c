"""The guardrails as a CDK Aspect: insecure (EKSG) or unworkable (EKSR) EKS configuration
fails synth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsii

from eksguard._framework import Aspects, IAspect, TerraformStack
from eksguard.errors import EksguardError, ValidationError
from eksguard.guardrails.readiness import READINESS_RULES, check_readiness
from eksguard.guardrails.rules import DEFAULT_MAX_HOP_LIMIT, RULES, Finding, check_document

ALL_RULES = {**RULES, **READINESS_RULES}
"""Both families by id: the security rules (EKSG...) and the readiness rules (EKSR...)."""

ALLOWED_WAIVER_REASON = "a written reason of at least 10 characters"


@dataclass(frozen=True, kw_only=True)
class Waiver:
    """Accept one rule for one construct path (and what is below it), with a reason.

    Example::

        Waiver(rule="EKSG008", path="prod/eks", reason="VPN-less CI runners; CIDRs reviewed by SecOps")
    """

    rule: str
    path: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.rule.id == self.rule and (
            finding.path == self.path or finding.path.startswith(self.path + "/"))


class GuardrailViolation(EksguardError):
    """One or more guardrail findings without a waiver."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("eksguard guardrails failed synth:\n" + "\n".join(f"  {f}" for f in findings))


@jsii.implements(IAspect)
class Guardrails:
    """Checks a stack's Terraform JSON when it is synthesized, with the security rules and
    the readiness rules; unwaived findings fail synth.

    Example::

        Guardrails.of(stack).waive(rule="EKSG002", path="prod/legacy-lt",
                                   reason="legacy agent reads node credentials until Q3")
    """

    def __init__(self, *, max_hop_limit: int = DEFAULT_MAX_HOP_LIMIT) -> None:
        self.max_hop_limit = max_hop_limit
        self.waivers: list[Waiver] = []
        self.waived: list[tuple[Finding, Waiver]] = []

    @classmethod
    def of(cls, stack: Any) -> Guardrails:
        """The stack's guardrails, added as an Aspect on first use."""
        guardrails = getattr(stack, "_eksguard_guardrails", None)
        if guardrails is None:
            guardrails = cls()
            stack._eksguard_guardrails = guardrails
            Aspects.of(stack).add(guardrails)
        return guardrails

    def waive(self, *, rule: str, path: str, reason: str) -> Guardrails:
        if rule not in ALL_RULES:
            raise ValidationError(path, "rule", rule, "one of " + ", ".join(ALL_RULES))
        if len(reason.strip()) < 10:
            raise ValidationError(path, "reason", reason, ALLOWED_WAIVER_REASON)
        self.waivers.append(Waiver(rule=rule, path=path, reason=reason.strip()))
        return self

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        """Findings of both families without a waiver; waived ones are kept in ``waived``."""
        unwaived = []
        self.waived = []
        for finding in [*check_document(document, self.max_hop_limit), *check_readiness(document)]:
            waiver = next((w for w in self.waivers if w.covers(finding)), None)
            if waiver is None:
                unwaived.append(finding)
            else:
                self.waived.append((finding, waiver))
        return unwaived

    def visit(self, node: Any) -> None:
        if isinstance(node, TerraformStack):
            findings = self.evaluate(node.to_terraform())
            if findings:
                raise GuardrailViolation(findings)

    def summary(self) -> list[str]:
        """One line per waived finding, for the synth summary."""
        return [f"waived {finding.rule.id} at {finding.path}: {waiver.reason}" for finding, waiver in self.waived]
