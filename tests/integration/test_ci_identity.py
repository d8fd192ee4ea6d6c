"""HCP Terraform and GitHub Actions identities deployed to the embedded emulator: the
providers, and each role's whole trust policy and policies as IAM holds them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from eksguard import (
    GitHubActionsOidcProvider,
    GitHubActionsRole,
    GitHubActionsRoleProps,
    TerraformCloudOidcProvider,
    TerraformCloudOidcProviderProps,
    TerraformCloudPlanRoleOptions,
    TerraformCloudWorkspaceRole,
    TerraformCloudWorkspaceRoleProps,
)
from eksguard._framework import TerraformOutput, TerraformStack, aws
from eksguard.ci_permissions import DATA_READ_ACTIONS
from eksguard.testing import (
    assert_attached_policies,
    assert_inline_policies,
    assert_oidc_provider,
    expect_equal,
    read_managed_policy,
    read_oidc_provider,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration
MANAGED = "arn:aws:iam::aws:policy/"
STATE_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-tf-state/eks-staging/*"}]}


class CiIdentityStack(TerraformStack):
    """A workspace role on HCP Terraform's provider (created here); plan and apply roles on
    a Terraform Enterprise provider that exists already; two GitHub Actions roles."""

    def __init__(self, scope: Any, id: str, *, tfe_host: str, tfe_provider_arn: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        tfc = TerraformCloudOidcProvider(self, "tfc")
        run = TerraformCloudWorkspaceRole(self, "run", props=TerraformCloudWorkspaceRoleProps(
            oidc_provider=tfc, organization="acme", project="Default Project", workspace="eks-prod",
            managed_policy_arns=[MANAGED + "AmazonEKSClusterPolicy"]))
        tfe = TerraformCloudOidcProvider(self, "tfe", props=TerraformCloudOidcProviderProps(
            hostname=tfe_host, audience="aws.tfe", provider_arn=tfe_provider_arn))
        split = TerraformCloudWorkspaceRole(self, "split", props=TerraformCloudWorkspaceRoleProps(
            oidc_provider=tfe, organization="acme", project="platform", workspace="eks-staging",
            inline_policies={"state": STATE_READ}, max_session_duration_seconds=7200,
            plan_role=TerraformCloudPlanRoleOptions(tags={"phase": "plan"})))
        github = GitHubActionsOidcProvider(self, "github")
        deploy = GitHubActionsRole(self, "deploy", props=GitHubActionsRoleProps(
            oidc_provider=github, repository="acme/infra", environment="prod",
            managed_policy_arns=[MANAGED + "AmazonEKSClusterPolicy"]))
        review = GitHubActionsRole(self, "review", props=GitHubActionsRoleProps(
            oidc_provider=github, repository="acme/infra", pull_request=True,
            managed_policy_arns=[MANAGED + "ReadOnlyAccess"]))
        TerraformOutput(self, "tfc_provider_arn", value=tfc.provider_arn)
        TerraformOutput(self, "github_provider_arn", value=github.provider_arn)
        TerraformOutput(self, "run_role_arn", value=run.role_arn)
        TerraformOutput(self, "apply_role_arn", value=split.role_arn)
        TerraformOutput(self, "plan_role_arn", value=split.plan_role_arn)
        TerraformOutput(self, "deploy_role_arn", value=deploy.role_arn)
        TerraformOutput(self, "review_role_arn", value=review.role_arn)
        TerraformOutput(self, "split_environment", value=split.environment_variables())


IAM_READS = ["iam:GetOpenIDConnectProvider", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
             "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies"]
IAM_READS = sorted([*IAM_READS, "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags",
                    "iam:ListPolicyVersions"])  # the deploy roles' derived policies
STACK_IAM_ACTIONS = [
    "iam:AddClientIDToOpenIDConnectProvider", "iam:AttachRolePolicy", "iam:CreateOpenIDConnectProvider",
    "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeleteOpenIDConnectProvider",
    "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:Get*", "iam:List*", "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:Tag*", "iam:Untag*",
    "iam:UpdateOpenIDConnectProviderThumbprint", "iam:UpdateRole", "iam:UpdateRoleDescription"]
"""The apply role's IAM actions on the stack's own ARNs: its roles' and providers' writes,
with IAM_READS and tagging as wildcards; no trust change (``TRUST_CHANGES``)."""
STACK_TAG = "us-east-1/ci-identity"
"""The stack's ``eksguard:stack`` tag: its region and id (it has no cluster)."""
STACK_IAM = ["role/deploy-*", "role/review-*", "role/run-*", "role/split-*",  # split-* covers split-plan-*
             "policy/eksguard-stack-deploy-*",
             "oidc-provider/app.terraform.io", "oidc-provider/token.actions.githubusercontent.com"]
"""The stack's own IAM, by name prefix (the existing Enterprise provider is not the stack's)."""


def _plan_reads(account: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadStackIAM", "Effect": "Allow", "Action": IAM_READS,
         "Resource": [f"arn:aws:iam::{account}:{name}" for name in STACK_IAM]}]}


DENY_DATA_READS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyDataReads", "Effect": "Deny", "Action": sorted(DATA_READ_ACTIONS), "Resource": "*"},
    {"Sid": "DenyParameterValues", "Effect": "Deny",
     "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"],
     "NotResource": "arn:aws:ssm:*::parameter/aws/service/*"}]}


CI_ROLES: list[str] = []
"""The stack's five CI roles' ARNs, in the order the derived policy lists them (set by the test)."""


def _deploy(role_arn: str) -> dict[str, Any]:
    """What this stack's apply roles may do: it holds only IAM roles and OIDC providers. Its
    own IAM, reads and writes, attaching only the two policies the stack attaches; no trust
    change; and not widen the role itself nor another CI role."""
    account = role_arn.split(":")[4]
    return {"Version": "2012-10-17", "Statement": sorted([
        {"Sid": "StackIAM", "Effect": "Allow", "Action": STACK_IAM_ACTIONS,
         "Resource": [f"arn:aws:iam::{account}:{name}" for name in STACK_IAM],
         "Condition": {"ArnLikeIfExists": {"iam:PolicyARN": [
             f"arn:aws:iam::{account}:policy/eksguard-stack-deploy-*",
             MANAGED + "AmazonEKSClusterPolicy", MANAGED + "ReadOnlyAccess"]}}},
        {"Sid": "LeaveOtherStacksIAM", "Effect": "Deny", "Action": [
            "iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Remove*",
            "iam:Set*", "iam:Tag*", "iam:Untag*", "iam:Update*"], "Resource": "*",
         "Condition": {"Null": {"aws:ResourceTag/eksguard:stack": "false"},
                       "StringNotEquals": {"aws:ResourceTag/eksguard:stack": STACK_TAG}}},
        {"Sid": "ChangeOwnPoliciesOnly", "Effect": "Deny", "Action": [
            "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/eksguard:stack": STACK_TAG}}},
        {"Sid": "KeepOwnPermissions", "Effect": "Deny", "Action": [
            "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"], "Resource": CI_ROLES},
        {"Sid": "KeepCiPolicies", "Effect": "Deny", "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": f"arn:aws:iam::{account}:policy/eksguard-stack-*"}], key=lambda s: s["Sid"])}


def _derived_deploy(iam: Any, role: Any) -> tuple[list[str], dict[str, Any]]:
    """The role's attached managed policies other than its derived deploy ones, and the
    derived ones' statements joined, in Sid order."""
    others, parts = [], []
    for arn in sorted(role.attached_policy_arns):
        policy = read_managed_policy(iam, arn)
        if policy.name.startswith("eksguard-stack-deploy-"):
            assert policy.tags == {"eksguard:stack": STACK_TAG}, policy.name
            parts.append((policy.description, policy.document))
        else:
            others.append(arn)
    assert [d for d, _ in sorted(parts)] == [
        f"eksguard: what this stack's CI role may do to it, part {n} of 4" for n in (1, 2, 3, 4)], parts
    # (the parts are packed, not cut in order: compared in Sid order, as _deploy returns them)
    return others, {"Version": "2012-10-17", "Statement": sorted(
        (s for _, d in sorted(parts) for s in d["Statement"]), key=lambda s: s["Sid"])}


def _trust(provider_arn: str, host: str, audience: str, sub: str | list[str]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": audience, f"{host}:sub": sub}},
    }]}


def test_ci_roles_land_with_exact_trust_and_replan_empty(aws_emulator, synth_stack, deploy_stack, request):
    # GIVEN a Terraform Enterprise provider the account has already (made outside the stack)
    iam = aws_emulator.client("iam")
    tfe_host = f"tfe-{uuid.uuid4().hex[:8]}.example.com"
    tfe_arn = iam.create_open_id_connect_provider(Url=f"https://{tfe_host}", ClientIDList=["aws.tfe"])[
        "OpenIDConnectProviderArn"]
    request.addfinalizer(lambda: iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=tfe_arn))

    # WHEN the CI identities are deployed
    deployment = deploy_stack(synth_stack(lambda app: CiIdentityStack(
        app, "ci-identity", tfe_host=tfe_host, tfe_provider_arn=tfe_arn)))
    out = deployment.outputs
    iam = deployment.client("iam")

    # THEN the two providers it created accept exactly their CI's audience
    tfc_provider, github_provider = out["tfc_provider_arn"], out["github_provider_arn"]
    assert_oidc_provider(read_oidc_provider(iam, tfc_provider), issuer_url="https://app.terraform.io",
                         client_ids=["aws.workload.identity"])
    assert_oidc_provider(read_oidc_provider(iam, github_provider),
                         issuer_url="https://token.actions.githubusercontent.com", client_ids=["sts.amazonaws.com"])

    # AND the HCP Terraform run role trusts both phases of one workspace, nothing else
    subject = "organization:acme:project:Default Project:workspace:eks-prod:run_phase:"
    # (deploy, review, run, split's plan and split's apply role: the order of their references)
    CI_ROLES[:] = [out[k] for k in ("deploy_role_arn", "review_role_arn", "run_role_arn", "plan_role_arn",
                                    "apply_role_arn")]
    run = read_role(iam, out["run_role_arn"])
    expect_equal(f"trust policy of {run.name}", run.trust_policy, _trust(
        tfc_provider, "app.terraform.io", "aws.workload.identity", [subject + "plan", subject + "apply"]))
    account = run.arn.split(":")[4]
    others, deploy = _derived_deploy(iam, run)
    assert others == [MANAGED + "AmazonEKSClusterPolicy"]
    expect_equal(f"derived deploy policies of {run.name}", deploy, _deploy(run.arn))
    assert_inline_policies(run, {})

    # AND on the existing Enterprise provider, the apply role trusts only apply, the plan role only plan
    subject = "organization:acme:project:platform:workspace:eks-staging:run_phase:"
    apply, plan = read_role(iam, out["apply_role_arn"]), read_role(iam, out["plan_role_arn"])
    expect_equal(f"trust policy of {apply.name}", apply.trust_policy,
                 _trust(tfe_arn, tfe_host, "aws.tfe", subject + "apply"))
    expect_equal(f"trust policy of {plan.name}", plan.trust_policy,
                 _trust(tfe_arn, tfe_host, "aws.tfe", subject + "plan"))
    others, deploy = _derived_deploy(iam, apply)
    assert others == []
    expect_equal(f"derived deploy policies of {apply.name}", deploy, _deploy(apply.arn))
    assert_inline_policies(apply, {"state": STATE_READ})
    assert apply.max_session_duration == 7200
    assert_attached_policies(plan, [])
    assert_inline_policies(plan, {"eksguard-stack-plan": _plan_reads(account),
                                  "eksguard-deny-data-reads": DENY_DATA_READS})
    assert plan.tags == {"phase": "plan", "eksguard:stack": STACK_TAG}
    # AND every IAM resource the stack made carries its stack tag; the Enterprise provider,
    # made outside it, does not
    for arn in (tfc_provider, github_provider):
        tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"]
        assert tags == [{"Key": "eksguard:stack", "Value": STACK_TAG}], arn
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=tfe_arn)["Tags"] == []
    for key in ("run_role_arn", "apply_role_arn", "deploy_role_arn", "review_role_arn"):
        assert read_role(iam, out[key]).tags == {"eksguard:stack": STACK_TAG}, key
    assert out["split_environment"] == {
        "TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_PLAN_ROLE_ARN": plan.arn, "TFC_AWS_APPLY_ROLE_ARN": apply.arn,
        "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE": "aws.tfe"}

    # AND the GitHub roles trust one repository's environment, and its pull requests; the
    # environment's role may deploy the stack, the pull requests' may only read it
    for key, sub, policy, inline in (
            ("deploy_role_arn", "repo:acme/infra:environment:prod", "AmazonEKSClusterPolicy", {}),
            ("review_role_arn", "repo:acme/infra:pull_request", "ReadOnlyAccess",
             {"eksguard-stack-plan": _plan_reads(account)})):
        role = read_role(iam, out[key])
        expect_equal(f"trust policy of {role.name}", role.trust_policy, _trust(
            github_provider, "token.actions.githubusercontent.com", "sts.amazonaws.com", sub))
        if key == "deploy_role_arn":
            others, deploy = _derived_deploy(iam, role)
            assert others == [MANAGED + policy]
            expect_equal(f"derived deploy policies of {role.name}", deploy, _deploy(role.arn))
        else:
            assert_attached_policies(role, [MANAGED + policy])
        assert_inline_policies(role, inline)

    # AND a second plan changes nothing
    verdict = deployment.replan()
    assert verdict.ok and verdict.unverified == (), verdict.report()
