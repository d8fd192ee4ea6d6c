"""Guardrails: rules that fail synth on insecure EKS configuration (EKSG...) and on
configuration AWS accepts but that cannot work or drifts (readiness, EKSR...), with waivers.

Example::

    from eksguard import Guardrails, synth
    Guardrails.of(stack)                     # SecureEksCluster does this for its stack
    print(synth(app))                        # GuardrailViolation, or the summary with every waiver
"""

from eksguard.errors import GuardrailViolation
from eksguard.guardrails.aspect import ALL_RULES, Guardrails, Waiver, allow_reason, waive_by_prop, waive_for
from eksguard.guardrails.readiness import READINESS_RULES, check_readiness
from eksguard.guardrails.rules import RULES, Finding, Rule, check_document
from eksguard.guardrails.summary import StackSummary, SynthSummary, synth, synth_summary

__all__ = ["ALL_RULES", "READINESS_RULES", "RULES", "Finding", "GuardrailViolation", "Guardrails", "Rule",
           "StackSummary", "SynthSummary", "Waiver", "allow_reason", "check_document", "check_readiness",
           "synth", "synth_summary", "waive_by_prop", "waive_for"]
