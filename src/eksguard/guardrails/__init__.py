"""Guardrails: rules that fail synth on insecure EKS configuration (EKSG...) and on
configuration AWS accepts but that cannot work or drifts (readiness, EKSR...), with waivers.

Example::

    from eksguard.guardrails import Guardrails
    Guardrails.of(stack)                     # SecureEksCluster does this for its stack
"""

from eksguard.guardrails.aspect import ALL_RULES, GuardrailViolation, Guardrails, Waiver
from eksguard.guardrails.readiness import READINESS_RULES, check_readiness
from eksguard.guardrails.rules import RULES, Finding, Rule, check_document

__all__ = ["ALL_RULES", "READINESS_RULES", "RULES", "Finding", "GuardrailViolation", "Guardrails", "Rule",
           "Waiver", "check_document", "check_readiness"]
