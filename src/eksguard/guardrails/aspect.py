"""The guardrails as a CDK Aspect: insecure (EKSG) or unworkable (EKSR) EKS configuration
fails synth with a ``GuardrailViolation``.

Loosening a rule is one decision in one place: ``Guardrails.of(stack).waive(...)`` for any
resource, or, for the settings eksguard's constructs refuse by default, the construct's
allow prop with a reason (``EksClusterProps(allow_public_endpoint_from_internet="...")``),
which is the waiver. Either way the synth summary lists it.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import jsii

from eksguard._framework import Aspects, IAspect, TerraformStack, construct_path
from eksguard.errors import GuardrailViolation, ValidationError
from eksguard.guardrails.readiness import READINESS_RULES, check_readiness
from eksguard.guardrails.rules import (
    DEFAULT_MAX_HOP_LIMIT,
    RULES,
    WAIVE_REASON_PLACEHOLDER,
    Finding,
    check_document,
)

ALL_RULES = {**RULES, **READINESS_RULES}
"""Both families by id: the security rules (EKSG...) and the readiness rules (EKSR...)."""

MIN_REASON_LENGTH = 10
ALLOWED_WAIVER_REASON = "a written reason of at least 10 characters"
ALLOWED_ALLOW_REASON = (
    "False, or the reason for allowing it (a string of at least 10 characters), which is the "
    "guardrail waiver the synth summary lists"
)
NO_REASON_GIVEN = "allowed by {field}=True (no reason given)"
"""The waiver reason of a deprecated ``allow_...=True``."""


@dataclass(frozen=True, kw_only=True)
class Waiver:
    """Accept one rule for one construct path (and what is below it), with a reason.

    Example::

        Waiver(rule="EKSG008", path="prod/eks", reason="VPN-less CI runners; CIDRs reviewed by SecOps")
    """

    rule: str
    path: str
    reason: str
    prop: str | None = None
    """The construct prop that gave it (``EksClusterProps.allow_public_endpoint_from_internet``);
    None for ``Guardrails.waive``."""

    def covers(self, finding: Finding) -> bool:
        return finding.rule.id == self.rule and _under(finding.path, self.path)


@dataclass(frozen=True)
class _Allowance:
    """Where a construct prop, not ``waive``, is how to accept a rule."""

    rule: str
    path: str
    code: str

    def covers(self, finding: Finding) -> bool:
        return finding.rule.id == self.rule and _under(finding.path, self.path)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


@jsii.implements(IAspect)
class Guardrails:
    """Checks a stack's Terraform JSON when it is synthesized, with the security rules and
    the readiness rules; unwaived findings fail synth with a ``GuardrailViolation``.

    ``Guardrails.of(stack)`` also makes the stack's ``App.synth()`` raise that error itself:
    jsii would otherwise turn an exception raised during synth into a ``RuntimeError``
    carrying only its text. ``eksguard.synth(app)`` does the same for any app.

    Example::

        Guardrails.of(stack).waive(rule="EKSG002", path="prod/legacy-lt",
                                   reason="legacy agent reads node credentials until Q3")
    """

    def __init__(self, *, max_hop_limit: int = DEFAULT_MAX_HOP_LIMIT) -> None:
        self.max_hop_limit = max_hop_limit
        self.waivers: list[Waiver] = []
        self.waived: list[tuple[Finding, Waiver]] = []
        """The findings the last evaluation waived, with their waivers."""
        self.attached = False
        """True once the guardrails run on the stack's synth (``Guardrails.of`` adds them)."""
        self._allowances: list[_Allowance] = []

    @classmethod
    def of(cls, stack: Any) -> Guardrails:
        """The stack's guardrails (``stack`` may be any construct in it), added as an
        Aspect on first use."""
        guardrails = cls._registered(stack)
        if not guardrails.attached:
            guardrails.attached = True
            stack = TerraformStack.of(stack)
            Aspects.of(stack).add(guardrails)
            _raise_violations_from_synth(stack.node.root)
        return guardrails

    @classmethod
    def _registered(cls, scope: Any) -> Guardrails:
        """The stack's guardrails, created (not added to the stack) when missing: waivers a
        construct registers wait there until the stack gets guardrails."""
        stack = TerraformStack.of(scope)
        guardrails = getattr(stack, "_eksguard_guardrails", None)
        if guardrails is None:
            guardrails = cls()
            stack._eksguard_guardrails = guardrails
        return guardrails

    def waive(self, *, rule: str, path: str, reason: str) -> Guardrails:
        """Accept ``rule`` for the construct at ``path`` and everything below it."""
        return self._add(Waiver(rule=rule, path=path, reason=reason))

    def _add(self, waiver: Waiver) -> Guardrails:
        if not isinstance(waiver.path, str) or not waiver.path.strip("/ ") or waiver.path != waiver.path.strip():
            # An empty path would cover every construct of the stack ("and everything below it").
            raise ValidationError("Guardrails.waive", "path", waiver.path, ALLOWED_WAIVER_PATH)
        if waiver.rule not in ALL_RULES:
            raise ValidationError(waiver.path, "rule", waiver.rule, "one of " + ", ".join(ALL_RULES))
        if not isinstance(waiver.reason, str) or len(waiver.reason.strip()) < MIN_REASON_LENGTH:
            raise ValidationError(waiver.path, "reason", waiver.reason, ALLOWED_WAIVER_REASON)
        self.waivers.append(replace(waiver, reason=waiver.reason.strip()))
        return self

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        """Findings of both families without a waiver; waived ones are kept in ``waived``."""
        unwaived = []
        self.waived = []
        for finding in [*check_document(document, self.max_hop_limit), *check_readiness(document)]:
            waiver = next((w for w in self.waivers if w.covers(finding)), None)
            if waiver is not None:
                self.waived.append((finding, waiver))
                continue
            allowance = next((a for a in self._allowances if a.covers(finding)), None)
            unwaived.append(replace(finding, allowance=allowance.code) if allowance else finding)
        return unwaived

    def visit(self, node: Any) -> None:
        if isinstance(node, TerraformStack):
            findings = self.evaluate(node.to_terraform())
            if findings:
                violation = GuardrailViolation(findings, stack=node.node.id)
                node.node.root._eksguard_violation = violation
                raise violation

    def summary(self) -> list[str]:
        """One line per waived finding, for the synth summary."""
        return [f"waived {finding.rule.id} at {finding.path}: {waiver.reason}"
                + (f" ({waiver.prop})" if waiver.prop else "") for finding, waiver in self.waived]


def allow_reason(path: str, field: str, value: Any) -> str | None:
    """The waiver reason an ``allow_...`` prop gives: None when it allows nothing, the text
    for a reason, ``NO_REASON_GIVEN`` for the deprecated ``True``.

    Example::

        allow_reason("prod/eks/cluster", "allow_public_endpoint_from_internet", "CI runners, no VPN")
    """
    if value is False or value is None:
        return None
    if value is True:
        return NO_REASON_GIVEN.format(field=field)
    if isinstance(value, str) and len(value.strip()) >= MIN_REASON_LENGTH:
        return value.strip()
    raise ValidationError(path, field, value, ALLOWED_ALLOW_REASON)


ALLOWED_WAIVER_PATH = ("a construct path in the stack, such as 'prod/eks/cluster' (the finding names it): "
                       "not empty, and not only '/', which would waive the rule for every construct")


def waive_by_prop(scope: Any, *, rule: str, props: str, field: str, value: Any) -> None:
    """Record what an allow prop of the construct ``scope`` decides for its resources: that
    this prop is how to accept ``rule`` there (finding messages name it) and, when it allows,
    the waiver of ``rule`` it is. Call it after validation, from the construct's constructor.

    Example::

        waive_by_prop(self, rule="EKSG008", props="EksClusterProps",
                      field="allow_public_endpoint_from_internet", value=props.allow_public_endpoint_from_internet)
    """
    path = construct_path(scope)
    guardrails = Guardrails._registered(scope)
    placeholder = f'"{WAIVE_REASON_PLACEHOLDER}"'
    guardrails._allowances.append(_Allowance(rule, path, f"{props}({field}={placeholder}) for {path}"))
    reason = allow_reason(path, field, value)
    if reason is None:
        return
    if value is True:
        warnings.warn(
            f"{props}({field}=True) is deprecated: give the reason instead, {props}({field}=\"...\"); "
            f"it is the waiver of guardrail {rule} that the synth summary lists", DeprecationWarning,
            stacklevel=_user_stacklevel())
    guardrails._add(Waiver(rule=rule, path=path, reason=reason, prop=f"{props}.{field}"))


def waive_for(scope: Any, *, rule: str, reason: str, source: str) -> None:
    """Waive ``rule`` for the construct ``scope`` and what is below it, on behalf of
    ``source`` (the prop or helper that decided it, named in the synth summary).

    Example::

        waive_for(identity, rule="EKSG011", reason=LOAD_BALANCER_CONTROLLER_UNSCOPED,
                  source="AddonPermissions.guardrail_waivers")
    """
    Guardrails._registered(scope)._add(Waiver(rule=rule, path=construct_path(scope), reason=reason, prop=source))


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first caller outside eksguard and jsii (a construct may be
    built by another construct, and jsii's metaclass calls every constructor), so that a
    warning points at the user's line."""
    frame, level = sys._getframe(2), 2
    while frame.f_back is not None and str(frame.f_globals.get("__name__")).startswith(("eksguard.", "jsii.")):
        frame, level = frame.f_back, level + 1
    return level


def _raise_violations_from_synth(app: Any) -> None:
    """Make ``app.synth()`` raise the ``GuardrailViolation`` itself (once per app)."""
    if getattr(app, "_eksguard_jsii_synth", None) is not None or not callable(getattr(app, "synth", None)):
        return
    jsii_synth = app.synth

    @functools.wraps(jsii_synth)
    def synth() -> None:
        synthesize(app)

    app._eksguard_jsii_synth = jsii_synth
    app.synth = synth


def synthesize(app: Any) -> None:
    """Synthesize ``app``; a guardrail failure raises its ``GuardrailViolation``, not the
    ``RuntimeError`` jsii makes of it (the same text, without the type and findings)."""
    run: Callable[[], None] = getattr(app, "_eksguard_jsii_synth", None) or app.synth
    app._eksguard_violation = None
    try:
        run()
    except RuntimeError as error:
        violation = getattr(app, "_eksguard_violation", None)
        if violation is None or str(violation) not in str(error):
            raise
        raise violation from None
