"""CI identities: the HCP Terraform and GitHub Actions OIDC providers, roles whose whole
trust names one workspace or repository exactly, the workspace variables, every refused
input, guardrail EKSG012, and the reference app's Terraform Cloud roles."""

from __future__ import annotations

import json

import pytest

import main
from eksguard import (
    GitHubActionsOidcProvider,
    GitHubActionsOidcProviderProps,
    GitHubActionsRole,
    GitHubActionsRoleProps,
    StackPermissions,
    TerraformCloudOidcProvider,
    TerraformCloudOidcProviderProps,
    TerraformCloudPlanRoleOptions,
    TerraformCloudWorkspaceRole,
    TerraformCloudWorkspaceRoleProps,
    ValidationError,
)
from eksguard import _validation as v
from eksguard._framework import TerraformOutput
from eksguard.constructs import ci_identity as ci
from eksguard.guardrails import check_document

TFC = "app.terraform.io"
GITHUB = "token.actions.githubusercontent.com"
ACCOUNT_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/"
DEPLOY_POLICY = "arn:aws:iam::111122223333:policy/deploy-eks"
READ_ONLY = "arn:${data.aws_partition.eksguard-partition.partition}:iam::aws:policy/ReadOnlyAccess"
SUBJECT = "organization:acme:project:Default Project:workspace:eks-prod:run_phase:"


def _trust(out, path):
    return json.loads(out.resource(path)["assume_role_policy"])


def _web_identity(federated, host, audience, sub):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": audience, f"{host}:sub": sub}},
    }]}


def _arn(out, path):
    return "${" + out.address(path) + ".arn}"


def _workspace_role(stack, provider_props=None, **props):
    tfc = TerraformCloudOidcProvider(stack, "tfc", props=provider_props)
    role = TerraformCloudWorkspaceRole(stack, "eks-prod", props=TerraformCloudWorkspaceRoleProps(**{
        "oidc_provider": tfc, "organization": "acme", "project": "Default Project", "workspace": "eks-prod",
        **props}))
    TerraformOutput(stack, "env", value=role.environment_variables())
    return role


def _github_role(stack, provider_props=None, **props):
    github = GitHubActionsOidcProvider(stack, "github", props=provider_props)
    return GitHubActionsRole(stack, "deploy", props=GitHubActionsRoleProps(**{
        "oidc_provider": github, "repository": "acme/infra", **props}))


# The providers ----------------------------------------------------------------------

@pytest.mark.parametrize(("build", "path", "expected"), [
    (lambda s: TerraformCloudOidcProvider(s, "tfc"), "test/tfc/provider",
     {"url": "https://app.terraform.io", "client_id_list": ["aws.workload.identity"], "tags": {}}),
    (lambda s: TerraformCloudOidcProvider(s, "tfe", props=TerraformCloudOidcProviderProps(
        hostname="tfe.example.com", audience="aws.tfe.example.com", tags={"team": "platform"},
        thumbprints=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])), "test/tfe/provider",
     {"url": "https://tfe.example.com", "client_id_list": ["aws.tfe.example.com"], "tags": {"team": "platform"},
      "thumbprint_list": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]}),
    (lambda s: GitHubActionsOidcProvider(s, "github"), "test/github/provider",
     {"url": "https://token.actions.githubusercontent.com", "client_id_list": ["sts.amazonaws.com"], "tags": {}}),
])
def test_a_provider_is_the_issuer_url_with_its_one_audience_and_no_thumbprint(synth_one, build, path, expected):
    out = synth_one(build)
    assert out.resource(path) == expected


def test_an_existing_provider_creates_nothing_and_is_the_roles_principal(synth_one):
    # GIVEN the account's HCP Terraform provider, named by ARN
    arn = ACCOUNT_PROVIDER + TFC
    # WHEN a workspace role trusts it
    out = synth_one(lambda s: _workspace_role(s, TerraformCloudOidcProviderProps(provider_arn=arn)))
    # THEN no provider is created and the trust names that ARN
    assert "aws_iam_openid_connect_provider" not in out.document["resource"]
    assert _trust(out, "test/eks-prod/role")["Statement"][0]["Principal"] == {"Federated": arn}


STACK_TAG = "${data.aws_region.eksguard-region.name}/test"
"""The ``eksguard:stack`` tag of a test stack without a cluster: its region and id."""


# HCP Terraform roles ------------------------------------------------------------------

def test_a_workspace_role_trusts_both_phases_of_exactly_one_workspace(synth_one):
    out = synth_one(_workspace_role)
    role = "test/eks-prod/role"
    assert _trust(out, role) == _web_identity(
        _arn(out, "test/tfc/provider"), TFC, "aws.workload.identity", [SUBJECT + "plan", SUBJECT + "apply"])
    assert out.resource(role) == {
        "assume_role_policy": out.resource(role)["assume_role_policy"],
        "name_prefix": "eks-prod-", "max_session_duration": 3600, "tags": {"eksguard:stack": STACK_TAG}}
    assert out.document["output"]["env"]["value"] == {
        "TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": _arn(out, role)}
    # AND its only policies are the three derived deploy ones (test_deploy_permissions)
    assert [b["policy_arn"] for b in out.of_type("aws_iam_role_policy_attachment").values()] == [
        "${" + out.address(f"test/eks-prod/stack-permissions-{n}") + ".arn}" for n in (1, 2, 3, 4)]
    assert "aws_iam_role_policy" not in out.document["resource"]


IAM_ARN = "arn:${data.aws_partition.eksguard-partition.partition}:iam::${data.aws_caller_identity.eksguard-account.account_id}"


def test_a_separate_plan_role_reads_only_its_stack_and_the_apply_role_trusts_only_apply(synth_one):
    # GIVEN a workspace role with a plan role, on Terraform Enterprise with its own audience
    out = synth_one(lambda s: _workspace_role(
        s, TerraformCloudOidcProviderProps(hostname="tfe.example.com", audience="aws.tfe.example.com"),
        managed_policy_arns=[DEPLOY_POLICY], plan_role=TerraformCloudPlanRoleOptions(role_name="eks-prod-plan")))
    provider = _arn(out, "test/tfc/provider")
    # THEN each role trusts one phase, on the Enterprise host's keys
    assert _trust(out, "test/eks-prod/role") == _web_identity(
        provider, "tfe.example.com", "aws.tfe.example.com", SUBJECT + "apply")
    assert _trust(out, "test/eks-prod/plan/role") == _web_identity(
        provider, "tfe.example.com", "aws.tfe.example.com", SUBJECT + "plan")
    assert out.resource("test/eks-prod/plan/role")["name"] == "eks-prod-plan"
    # AND the apply role has the deploy policy; the plan role no managed policy, but the
    # reads of this stack's own types and the data-read denies
    attachments = {path: (body["role"], body["policy_arn"])
                   for path, body in out.of_type("aws_iam_role_policy_attachment").items()}
    apply_role = "${" + out.address("test/eks-prod/role") + ".name}"
    assert attachments == {
        "test/eks-prod/policy-deploy-eks": (apply_role, DEPLOY_POLICY),
        **{f"test/eks-prod/stack-permissions-{n}-attachment": (
            apply_role, "${" + out.address(f"test/eks-prod/stack-permissions-{n}") + ".arn}") for n in (1, 2, 3, 4)}}
    inline = {path: (body["role"], body["name"]) for path, body in out.of_type("aws_iam_role_policy").items()}
    plan_role = "${" + out.address("test/eks-prod/plan/role") + ".id}"
    assert inline == {
        "test/eks-prod/plan/stack-permissions": (plan_role, "eksguard-stack-plan"),
        "test/eks-prod/plan/deny-data-reads": (plan_role, "eksguard-deny-data-reads")}
    assert json.loads(out.resource("test/eks-prod/plan/stack-permissions")["policy"]) == {
        "Version": "2012-10-17", "Statement": [{"Sid": "ReadStackIAM", "Effect": "Allow", "Action": [
            "iam:GetOpenIDConnectProvider", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
            "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
            "iam:ListPolicyTags", "iam:ListPolicyVersions", "iam:ListRolePolicies"], "Resource": [
            # the stack's own roles (eks-prod-* covers eks-prod-plan), the apply role's
            # derived policies and the OIDC provider only
            f"{IAM_ARN}:role/eks-prod-*", f"{IAM_ARN}:policy/eksguard-stack-deploy-*",
            f"{IAM_ARN}:oidc-provider/tfe.example.com"]}]}
    # AND the workspace gets one variable per role, and the audience it must request
    assert out.document["output"]["env"]["value"] == {
        "TFC_AWS_PROVIDER_AUTH": "true",
        "TFC_AWS_PLAN_ROLE_ARN": _arn(out, "test/eks-prod/plan/role"),
        "TFC_AWS_APPLY_ROLE_ARN": _arn(out, "test/eks-prod/role"),
        "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE": "aws.tfe.example.com",
    }


def test_a_plan_role_with_its_own_policies_and_none_derived_keeps_the_denies(synth_one):
    out = synth_one(lambda s: _workspace_role(s, plan_role=TerraformCloudPlanRoleOptions(
        stack_permissions=StackPermissions.NONE, managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        inline_policies={"state": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::state/*"}]}})))
    assert {p: b["policy_arn"] for p, b in out.of_type("aws_iam_role_policy_attachment").items()
            if p.startswith("test/eks-prod/plan/")} == {
        "test/eks-prod/plan/policy-ReadOnlyAccess": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    # AND its own inline policy stands beside the data-read denies, which leave its own
    # s3:GetObject alone (an explicit deny would override it) and deny the rest
    assert list(out.of_type("aws_iam_role_policy")) == [
        "test/eks-prod/plan/deny-data-reads", "test/eks-prod/plan/inline-state"]
    denies = json.loads(out.resource("test/eks-prod/plan/deny-data-reads")["policy"])["Statement"]
    assert "s3:GetObject" not in denies[0]["Action"]
    assert "s3:GetObjectVersion" in denies[0]["Action"] and "dynamodb:Scan" in denies[0]["Action"]


def test_the_role_properties_name_its_subjects_and_arns(stack):
    role = _workspace_role(stack)
    assert role.subjects == (SUBJECT + "plan", SUBJECT + "apply")
    assert role.plan_role_arn is None and role.plan_role is None and role.plan_attachments == []


# GitHub Actions roles -------------------------------------------------------------------

@pytest.mark.parametrize(("props", "subject"), [
    ({"environment": "prod"}, "repo:acme/infra:environment:prod"),
    ({"environment": "Production EU"}, "repo:acme/infra:environment:Production EU"),
    ({"ref": "refs/heads/main"}, "repo:acme/infra:ref:refs/heads/main"),
    ({"ref": "refs/tags/v1.2.0"}, "repo:acme/infra:ref:refs/tags/v1.2.0"),
    ({"pull_request": True}, "repo:acme/infra:pull_request"),
])
def test_a_github_role_trusts_exactly_one_repository_and_kind_of_job(synth_one, props, subject):
    holder = {}
    out = synth_one(lambda s: holder.setdefault("role", _github_role(s, **props)))
    assert _trust(out, "test/deploy/role") == _web_identity(
        _arn(out, "test/github/provider"), GITHUB, "sts.amazonaws.com", subject)
    assert holder["role"].subject == subject


def test_a_github_role_on_an_existing_provider_with_policies(synth_one):
    arn = ACCOUNT_PROVIDER + GITHUB
    out = synth_one(lambda s: _github_role(
        s, GitHubActionsOidcProviderProps(provider_arn=arn), environment="prod", role_name="infra-deploy",
        managed_policy_arns=[DEPLOY_POLICY], max_session_duration_seconds=7200, tags={"repo": "acme/infra"}))
    role = out.resource("test/deploy/role")
    assert (role["name"], role["max_session_duration"], role["tags"]) == ("infra-deploy", 7200, {"repo": "acme/infra",
                                                                                  "eksguard:stack": STACK_TAG})
    assert _trust(out, "test/deploy/role") == _web_identity(arn, GITHUB, "sts.amazonaws.com",
                                                            "repo:acme/infra:environment:prod")
    assert out.resource("test/deploy/policy-deploy-eks")["policy_arn"] == DEPLOY_POLICY


# Refused input ----------------------------------------------------------------------------

@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"hostname": "https://app.terraform.io"}, "hostname", "https://app.terraform.io", ci.ALLOWED_HOSTNAME),
    ({"hostname": "TFE.example.com"}, "hostname", "TFE.example.com", ci.ALLOWED_HOSTNAME),
    ({"hostname": "localhost"}, "hostname", "localhost", ci.ALLOWED_HOSTNAME),
    ({"audience": "aws.*"}, "audience", "aws.*", ci.ALLOWED_AUDIENCE),
    ({"audience": ""}, "audience", "", ci.ALLOWED_AUDIENCE),
    ({"thumbprints": ["abc"]}, "thumbprints", "abc", "a 40-character hexadecimal SHA-1 thumbprint"),
    ({"thumbprints": "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}, "thumbprints",
     "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "a list, not a single string"),
    ({"provider_arn": ACCOUNT_PROVIDER + GITHUB}, "provider_arn", ACCOUNT_PROVIDER + GITHUB,
     ci.ALLOWED_PROVIDER_ARN.format(host=TFC)),
    ({"hostname": "tfe.example.com", "provider_arn": ACCOUNT_PROVIDER + TFC}, "provider_arn",
     ACCOUNT_PROVIDER + TFC, ci.ALLOWED_PROVIDER_ARN.format(host="tfe.example.com")),
    ({"provider_arn": "arn:aws:iam::111122223333:role/x"}, "provider_arn", "arn:aws:iam::111122223333:role/x",
     ci.ALLOWED_PROVIDER_ARN.format(host=TFC)),
    ({"provider_arn": ACCOUNT_PROVIDER + TFC, "tags": {"a": "b"}}, "tags", {"a": "b"},
     ci.ALLOWED_NOTHING_ELSE_WITH_PROVIDER_ARN),
])
def test_bad_terraform_cloud_provider_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        TerraformCloudOidcProvider(stack, "tfc", props=TerraformCloudOidcProviderProps(**props))
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/tfc", field, value)
    assert caught.value.allowed.startswith(allowed)


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"provider_arn": ACCOUNT_PROVIDER + TFC}, "provider_arn", ACCOUNT_PROVIDER + TFC,
     ci.ALLOWED_PROVIDER_ARN.format(host=GITHUB)),
    ({"provider_arn": ACCOUNT_PROVIDER + GITHUB, "thumbprints": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]},
     "thumbprints", ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
     ci.ALLOWED_NOTHING_ELSE_WITH_PROVIDER_ARN),
    ({"audience": "sts amazonaws"}, "audience", "sts amazonaws", ci.ALLOWED_AUDIENCE),
])
def test_bad_github_provider_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        GitHubActionsOidcProvider(stack, "github", props=GitHubActionsOidcProviderProps(**props))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/github", field, value, allowed)


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"organization": "*"}, "organization", "*", ci.ALLOWED_ORGANIZATION),
    ({"organization": "acme:prod"}, "organization", "acme:prod", ci.ALLOWED_ORGANIZATION),
    ({"organization": ""}, "organization", "", ci.ALLOWED_ORGANIZATION),
    ({"project": "*"}, "project", "*", ci.ALLOWED_PROJECT),
    ({"project": "plat?orm"}, "project", "plat?orm", ci.ALLOWED_PROJECT),
    ({"project": " Default Project"}, "project", " Default Project", ci.ALLOWED_PROJECT),
    ({"workspace": "eks-*"}, "workspace", "eks-*", ci.ALLOWED_WORKSPACE),
    ({"workspace": "eks prod"}, "workspace", "eks prod", ci.ALLOWED_WORKSPACE),
    ({"workspace": "w" * 91}, "workspace", "w" * 91, ci.ALLOWED_WORKSPACE),
    ({"role_name": "x" * 65}, "role_name", "x" * 65, v.ALLOWED_ROLE_NAME),
    ({"managed_policy_arns": ["arn:aws:s3:::x"]}, "managed_policy_arns", "arn:aws:s3:::x", v.ALLOWED_POLICY_ARN),
    ({"max_session_duration_seconds": 60}, "max_session_duration_seconds", 60, "an integer from 3600 to 43200"),
    ({"permissions_boundary_arn": "x"}, "permissions_boundary_arn", "x", v.ALLOWED_BOUNDARY_ARN),
    ({"plan_role": {"role_name": "x"}}, "plan_role", {"role_name": "x"}, "a TerraformCloudPlanRoleOptions"),
    ({"plan_role": TerraformCloudPlanRoleOptions(managed_policy_arns=["ReadOnlyAccess"])},
     "plan_role.managed_policy_arns", "ReadOnlyAccess", v.ALLOWED_POLICY_ARN),
    ({"plan_role": TerraformCloudPlanRoleOptions(max_session_duration_seconds=50000)},
     "plan_role.max_session_duration_seconds", 50000, "an integer from 3600 to 43200"),
    ({"plan_role": TerraformCloudPlanRoleOptions(inline_policies={"read": {"Statement": []}})},
     "plan_role.inline_policies['read']", {"Statement": []}, v.ALLOWED_POLICY_VERSION),
    ({"role_name": "eks", "plan_role": TerraformCloudPlanRoleOptions(role_name="eks")},
     "plan_role.role_name", "eks", ci.ALLOWED_DISTINCT_ROLE_NAMES.format(role_name="eks")),
])
def test_bad_workspace_role_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _workspace_role(stack, **props)
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/eks-prod", field, value)
    assert caught.value.allowed.startswith(allowed)


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"repository": "acme/*", "environment": "prod"}, "repository", "acme/*", ci.ALLOWED_REPOSITORY),
    ({"repository": "*/infra", "environment": "prod"}, "repository", "*/infra", ci.ALLOWED_REPOSITORY),
    ({"repository": "acme", "environment": "prod"}, "repository", "acme", ci.ALLOWED_REPOSITORY),
    ({"repository": "https://github.com/acme/infra", "environment": "prod"}, "repository",
     "https://github.com/acme/infra", ci.ALLOWED_REPOSITORY),
    ({}, "environment, ref, pull_request", {}, ci.ALLOWED_ONE_SUBJECT),
    ({"environment": "prod", "ref": "refs/heads/main"}, "environment, ref, pull_request",
     {"environment": "prod", "ref": "refs/heads/main"}, ci.ALLOWED_ONE_SUBJECT),
    ({"ref": "refs/heads/main", "pull_request": True}, "environment, ref, pull_request",
     {"ref": "refs/heads/main", "pull_request": True}, ci.ALLOWED_ONE_SUBJECT),
    ({"environment": "*"}, "environment", "*", ci.ALLOWED_ENVIRONMENT),
    ({"environment": "prod?"}, "environment", "prod?", ci.ALLOWED_ENVIRONMENT),
    ({"environment": ""}, "environment", "", ci.ALLOWED_ENVIRONMENT),
    ({"environment": "prod "}, "environment", "prod ", ci.ALLOWED_ENVIRONMENT),
    ({"ref": "main"}, "ref", "main", ci.ALLOWED_REF),
    ({"ref": "refs/heads/*"}, "ref", "refs/heads/*", ci.ALLOWED_REF),
    ({"ref": "refs/pull/1/merge"}, "ref", "refs/pull/1/merge", ci.ALLOWED_REF),
    ({"pull_request": "yes"}, "pull_request", "yes", v.ALLOWED_BOOL),
    ({"environment": "prod", "inline_policies": {"": {}}}, "inline_policies", "", v.ALLOWED_INLINE_POLICY_NAME),
])
def test_bad_github_role_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _github_role(stack, **props)
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/deploy", field, value)
    assert caught.value.allowed.startswith(allowed)


# Guardrail EKSG012 ------------------------------------------------------------------------

TFC_PROVIDER = ACCOUNT_PROVIDER + TFC
GITHUB_PROVIDER = ACCOUNT_PROVIDER + GITHUB


def _role_trusting(condition, federated=TFC_PROVIDER):
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}
    return {"resource": {"aws_iam_role": {"ci": {
        "assume_role_policy": json.dumps(trust), "//": {"metadata": {"path": "s/ci"}}}}}}


def _like(host, sub, audience):
    return {"StringEquals": {f"{host}:aud": audience}, "StringLike": {f"{host}:sub": sub}}


TFC_AUD = "aws.workload.identity"
PINNED = "organization:acme:project:infra:workspace:eks:run_phase:"


@pytest.mark.parametrize(("document", "details"), [
    # HCP Terraform: HashiCorp's example one level too wide, and wider
    (_role_trusting(_like(TFC, "organization:acme:project:infra:workspace:*:run_phase:*", TFC_AUD)),
     ["StringLike app.terraform.io:sub = 'organization:acme:project:infra:workspace:*:run_phase:*' "
      "leaves the workspace open"]),
    (_role_trusting(_like(TFC, "organization:acme:*", TFC_AUD)),
     ["StringLike app.terraform.io:sub = 'organization:acme:*' leaves the project and workspace open"]),
    (_role_trusting(_like(TFC, "organization:*:project:infra:workspace:eks:run_phase:apply", TFC_AUD)),
     ["StringLike app.terraform.io:sub = 'organization:*:project:infra:workspace:eks:run_phase:apply' "
      "leaves the organization open"]),
    (_role_trusting(_like(TFC, "organization:acme:project:infra:workspace:eks-?:run_phase:plan", TFC_AUD)),
     ["StringLike app.terraform.io:sub = 'organization:acme:project:infra:workspace:eks-?:run_phase:plan' "
      "leaves the workspace open"]),
    (_role_trusting(_like(TFC, ["organization:acme:project:infra:workspace:eks:run_phase:*", "*"], TFC_AUD)),
     ["StringLike app.terraform.io:sub = '*' leaves the organization, project and workspace open"]),
    (_role_trusting({"StringEquals": {f"{TFC}:aud": TFC_AUD}}),
     ["no :sub condition: a run of any organization on app.terraform.io can assume it"]),
    # a Terraform Enterprise host eksguard cannot know, told by its audience or its subjects
    (_role_trusting({"StringEquals": {"tfe.example.com:aud": TFC_AUD}},
                    federated=ACCOUNT_PROVIDER + "tfe.example.com"),
     ["no :sub condition: a run of any organization on tfe.example.com can assume it"]),
    (_role_trusting(_like("tfe.example.com", "organization:acme:project:*", "tfe"),
                    federated=ACCOUNT_PROVIDER + "tfe.example.com"),
     ["StringLike tfe.example.com:sub = 'organization:acme:project:*' leaves the project and workspace open"]),
    # a negated condition pins nothing
    (_role_trusting({"StringEquals": {f"{TFC}:aud": TFC_AUD},
                     "StringNotLike": {f"{TFC}:sub": "organization:evil:*"}}),
     ["no :sub condition: a run of any organization on app.terraform.io can assume it"]),
    # GitHub Actions
    (_role_trusting(_like(GITHUB, "repo:acme/*", "sts.amazonaws.com"), federated=GITHUB_PROVIDER),
     ["StringLike token.actions.githubusercontent.com:sub = 'repo:acme/*' leaves the repository open"]),
    (_role_trusting(_like(GITHUB, "repo:acme/infra*", "sts.amazonaws.com"), federated=GITHUB_PROVIDER),
     ["StringLike token.actions.githubusercontent.com:sub = 'repo:acme/infra*' leaves the repository open"]),
    (_role_trusting({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                     "ForAnyValue:StringLike": {f"{GITHUB}:sub": "*"}}, federated=GITHUB_PROVIDER),
     ["ForAnyValue:StringLike token.actions.githubusercontent.com:sub = '*' leaves the repository open"]),
    (_role_trusting({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}, federated=GITHUB_PROVIDER),
     ["no :sub condition: a workflow of any repository on token.actions.githubusercontent.com can assume it"]),
    # GitHub Enterprise Server
    (_role_trusting(_like("github.example.com/_services/token", "repo:*", "sts.amazonaws.com"),
                    federated=ACCOUNT_PROVIDER + "github.example.com/_services/token"),
     ["StringLike github.example.com/_services/token:sub = 'repo:*' leaves the repository open"]),
])
def test_a_ci_trust_that_leaves_the_workspace_or_repository_open_is_eksg012(document, details):
    findings = [f for f in check_document(document) if f.rule.id == "EKSG012"]
    assert [(f.path, f.detail) for f in findings] == [("s/ci", d) for d in details]


def test_a_ci_trust_without_aud_is_eksg003_not_a_second_finding():
    document = _role_trusting({"StringEquals": {f"{TFC}:sub": PINNED + "apply"}})
    assert [f.rule.id for f in check_document(document)] == ["EKSG003"]


@pytest.mark.parametrize("document", [
    _role_trusting({"StringEquals": {f"{TFC}:aud": TFC_AUD, f"{TFC}:sub": [PINNED + "plan", PINNED + "apply"]}}),
    # run_phase:* is one role for both phases of one workspace
    _role_trusting(_like(TFC, PINNED + "*", TFC_AUD)),
    _role_trusting(_like("tfe.example.com", PINNED + "*", "aws.tfe"),
                   federated=ACCOUNT_PROVIDER + "tfe.example.com"),
    _role_trusting({"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com",
                                     f"{GITHUB}:sub": "repo:acme/infra:environment:prod"}},
                   federated=GITHUB_PROVIDER),
    # a wildcard after the repository: which branches deploy is the repository's to decide
    _role_trusting(_like(GITHUB, "repo:acme/infra:ref:refs/heads/release-*", "sts.amazonaws.com"),
                   federated=GITHUB_PROVIDER),
    # a computed subject, which the rule cannot read
    _role_trusting(_like(GITHUB, "repo:${var.repository}:*", "sts.amazonaws.com"), federated=GITHUB_PROVIDER),
    # not a CI issuer: an IRSA role with a pinned namespace is EKSG005's
    _role_trusting(_like("oidc.eks.us-east-1.amazonaws.com/id/X", "system:serviceaccount:ci:*", "sts.amazonaws.com"),
                   federated=ACCOUNT_PROVIDER + "oidc.eks.us-east-1.amazonaws.com/id/X"),
])
def test_ci_trusts_that_pin_the_workspace_or_repository_pass(document):
    assert check_document(document) == []


def test_every_role_these_constructs_make_passes_the_guardrails(synth_one):
    def build(stack):
        _workspace_role(stack, plan_role=TerraformCloudPlanRoleOptions())
        for index, props in enumerate(({"environment": "prod"}, {"ref": "refs/heads/main"}, {"pull_request": True})):
            GitHubActionsRole(stack, f"gh-{index}", props=GitHubActionsRoleProps(
                oidc_provider=GitHubActionsOidcProvider(stack, f"github-{index}", props=GitHubActionsOidcProviderProps(
                    provider_arn=GITHUB_PROVIDER)), repository="acme/infra", **props))

    out = synth_one(build)
    assert check_document(out.document) == []


# The reference app ------------------------------------------------------------------------

def _reference(tmp_path, **settings):
    app = main.build_app(main.ReferenceSettings(cluster_name="ref", stack_name="ref", **settings),
                         outdir=str(tmp_path))
    app.synth()
    return json.loads((tmp_path / "stacks/ref/cdk.tf.json").read_text())


TFC_SETTINGS = {"tf_cloud_organization": "acme", "tf_cloud_workspace": "eks-ref", "tf_cloud_project": "platform"}


def test_the_reference_makes_terraform_cloud_roles_only_when_asked(tmp_path):
    # GIVEN the cloud block settings WHEN the roles are not asked for THEN there is no CI identity
    document = _reference(tmp_path, **TFC_SETTINGS)
    paths = [b["//"]["metadata"]["path"] for blocks in document["resource"].values() for b in blocks.values()]
    assert [p for p in paths if p.startswith("ref/tfc-")] == []
    assert [o for o in document["output"] if o.startswith("tfc_")] == []


def test_the_reference_terraform_cloud_roles_trust_its_own_workspace(tmp_path):
    # GIVEN Terraform Cloud settings and the roles asked for, with one apply policy
    document = _reference(tmp_path, **TFC_SETTINGS, tfc_workspace_roles=True,
                          tfc_apply_policy_arns=(DEPLOY_POLICY,))
    resources = document["resource"]
    # THEN the provider is HCP Terraform's, and the plan and apply roles trust this workspace's phases
    providers = {b["//"]["metadata"]["path"]: b["url"] for b in resources["aws_iam_openid_connect_provider"].values()}
    assert providers["ref/tfc-oidc/provider"] == "https://app.terraform.io"
    roles = {b["//"]["metadata"]["path"]: json.loads(b["assume_role_policy"])
             for b in resources["aws_iam_role"].values()}
    subject = "organization:acme:project:platform:workspace:eks-ref:run_phase:"
    for path, phase in (("ref/tfc-run/role", "apply"), ("ref/tfc-run/plan/role", "plan")):
        condition = roles[path]["Statement"][0]["Condition"]
        assert condition == {"StringEquals": {"app.terraform.io:aud": "aws.workload.identity",
                                              "app.terraform.io:sub": subject + phase}}
    attached = sorted(b["policy_arn"] for b in resources["aws_iam_role_policy_attachment"].values()
                      if "tfc-run" in b["//"]["metadata"]["path"])
    derived = sorted(f"${{aws_iam_policy.{name}.arn}}" for name, b in resources["aws_iam_policy"].items()
                     if b["//"]["metadata"]["path"].startswith("ref/tfc-run/stack-permissions-"))
    assert len(derived) == 4 and attached == sorted([DEPLOY_POLICY, *derived])
    inline = sorted((b["//"]["metadata"]["path"], b["name"]) for b in resources["aws_iam_role_policy"].values()
                    if "tfc-run" in b["//"]["metadata"]["path"])
    assert inline == [("ref/tfc-run/plan/deny-data-reads", "eksguard-deny-data-reads"),
                      ("ref/tfc-run/plan/stack-permissions", "eksguard-stack-plan")]
    # AND the workspace's variables are an output
    environment = document["output"]["tfc_workspace_environment"]["value"]
    assert sorted(environment) == ["TFC_AWS_APPLY_ROLE_ARN", "TFC_AWS_PLAN_ROLE_ARN", "TFC_AWS_PROVIDER_AUTH"]


def test_the_reference_reads_its_terraform_cloud_settings_from_the_environment(monkeypatch):
    for name, value in {"TF_CLOUD_ORGANIZATION": "acme", "TF_WORKSPACE": "eks-ref", "TF_CLOUD_PROJECT": "platform",
                        "EKSGUARD_TFC_WORKSPACE_ROLES": "true",
                        "EKSGUARD_TFC_OIDC_PROVIDER_ARN": TFC_PROVIDER,
                        "EKSGUARD_TFC_APPLY_POLICY_ARNS": f"{DEPLOY_POLICY}, arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
                        }.items():
        monkeypatch.setenv(name, value)
    settings = main.ReferenceSettings.from_environment()
    assert (settings.tf_cloud_project, settings.tfc_workspace_roles, settings.tfc_oidc_provider_arn,
            settings.tfc_apply_policy_arns) == ("platform", True, TFC_PROVIDER,
                                                (DEPLOY_POLICY, "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"))
    monkeypatch.delenv("TF_CLOUD_PROJECT")
    monkeypatch.setenv("EKSGUARD_TFC_WORKSPACE_ROLES", "")
    settings = main.ReferenceSettings.from_environment()
    assert (settings.tf_cloud_project, settings.tfc_workspace_roles) == ("Default Project", False)
