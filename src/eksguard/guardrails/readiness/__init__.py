"""Readiness rules: stacks AWS accepts but that cannot work, or that drift or age badly
(EKSR001...). Same ``Rule``/``Finding``/waiver model as the security rules; ``Guardrails``
runs both families.

Each rule fires only on facts the synthesized JSON shows: a reference it cannot follow,
or a resource outside the stack, is skipped.

Example::

    from eksguard.guardrails.readiness import check_readiness
    for finding in check_readiness(stack.to_terraform()):
        print(finding)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from eksguard.guardrails.readiness import auto_mode, ci, cluster, identity, network, policies
from eksguard.guardrails.rules import Finding, Rule

READINESS_RULES: dict[str, Rule] = {rule.id: rule for rule in sorted(
    (*network.RULES, *cluster.RULES, *identity.RULES, *policies.RULES, *auto_mode.RULES, *ci.RULES), key=lambda r: r.id)}

READINESS_CHECKS: tuple[Callable[[dict[str, Any]], Iterator[Finding]], ...] = (
    *network.CHECKS, *cluster.CHECKS, *identity.CHECKS, *policies.CHECKS, *auto_mode.CHECKS, *ci.CHECKS)


def check_readiness(document: dict[str, Any]) -> list[Finding]:
    """Every readiness finding in one stack's Terraform JSON, in rule order."""
    findings = [finding for check in READINESS_CHECKS for finding in check(document)]
    return sorted(findings, key=lambda f: f.rule.id)


__all__ = ["READINESS_CHECKS", "READINESS_RULES", "check_readiness"]
