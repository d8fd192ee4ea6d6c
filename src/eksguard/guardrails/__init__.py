"""Guardrails: rules that fail synth on insecure EKS configuration, with waivers.

Example::

    from eksguard.guardrails import Guardrails
    Guardrails.of(stack)                     # SecureEksCluster does this for its stack
"""

from eksguard.guardrails.aspect import GuardrailViolation, Guardrails, Waiver
from eksguard.guardrails.rules import RULES, Finding, Rule, check_document

__all__ = ["RULES", "Finding", "GuardrailViolation", "Guardrails", "Rule", "Waiver", "check_document"]
