"""Readiness of CI roles: a role that HCP Terraform's apply phase, or a GitHub Actions job
that deploys, assumes must be able to apply; a role whose permissions eksguard derives
must have a row for every type of its stack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eksguard.ci_permissions.deploy import DEPLOY_POLICY_NAME, PLAN_POLICY_NAME, unknown_types
from eksguard.guardrails._document import Stack, web_identity_subjects
from eksguard.guardrails.rules import Finding, Rule, _role_policies

READ_ONLY_POLICIES = ("ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit")
"""AWS managed policies that read and never write."""

CI_ROLE_CANNOT_APPLY = Rule(
    "EKSR026", "CI role that applies holds no permission to write",
    "give it what its stack's Terraform writes: StackPermissions.DEPLOY (TerraformCloudWorkspaceRole and "
    "GitHubActionsRole derive it from the stack by default), or managed_policy_arns/inline_policies that do")
UNCOVERED_TYPES = Rule(
    "EKSR027", "derived CI permissions do not cover every resource type of the stack",
    "add the missing types' actions with inline_policies (or managed_policy_arns) and waive EKSR027 with "
    "that reason, or use StackPermissions.NONE with policies that cover the whole stack")
RULES = (CI_ROLE_CANNOT_APPLY, UNCOVERED_TYPES)


def _applies(subject: str) -> bool:
    """An HCP Terraform apply-phase subject (or one open to any phase), or a GitHub job's
    subject other than a pull request's."""
    if subject.startswith("organization:") and ":run_phase:" in subject:
        return not subject.endswith(":run_phase:plan")
    return subject.startswith("repo:") and not subject.endswith(":pull_request")


# HCP Terraform, "Dynamic provider credentials: AWS": the apply phase assumes
# TFC_AWS_APPLY_ROLE_ARN (or TFC_AWS_RUN_ROLE_ARN), and nothing else gives the run AWS
# credentials; IAM User Guide, "Policy evaluation logic": without an Allow every request
# is implicitly denied, so each apply fails AccessDenied on its first write.
def check_ci_role_can_apply(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for role in stack.all("aws_iam_role"):
        subjects = [value for _, value in web_identity_subjects(stack.policy(role.get("assume_role_policy")))]
        if not any(_applies(s) for s in subjects):
            continue
        policies = list(_role_policies(stack, role))
        if any(document is None and managed is None for _, document, managed in policies):
            continue  # a policy it cannot read may write
        if any(document is not None for _, document, _ in policies):
            continue  # what a readable policy allows is EKSG011's and the author's concern
        managed = [str(arn).rsplit("/", 1)[-1] for _, _, arn in policies if arn]
        if all(name in READ_ONLY_POLICIES for name in managed):
            held = ", ".join(managed) if managed else "no policy"
            yield Finding(CI_ROLE_CANNOT_APPLY, role.path,
                          f"it serves {', '.join(s for s in subjects if _applies(s))} and holds {held}")


# IAM User Guide, "Policy evaluation logic": an action no policy allows is denied; the
# derived policy (deploy_permissions) only has the types it has rows for.
def check_derived_permissions_cover_the_stack(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    derived = [*(block for block in stack.all("aws_iam_role_policy") if block.get("name") == PLAN_POLICY_NAME),
               *(block for block in stack.all("aws_iam_policy")
                 if str(block.get("name_prefix") or "").startswith(f"{DEPLOY_POLICY_NAME}-"))]
    if not derived:
        return
    missing = unknown_types((document.get("resource") or {}).keys(), (document.get("data") or {}).keys())
    if missing:
        for block in derived:
            yield Finding(UNCOVERED_TYPES, block.path, f"no actions for {', '.join(missing)}")


CHECKS = (check_ci_role_can_apply, check_derived_permissions_cover_the_stack)
