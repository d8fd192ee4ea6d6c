"""Roles that CI runs assume through OIDC, trusting one exact workspace or repository:
HCP Terraform (and Terraform Enterprise) dynamic provider credentials —
``TerraformCloudOidcProvider``, ``TerraformCloudWorkspaceRole`` — and GitHub Actions —
``GitHubActionsOidcProvider``, ``GitHubActionsRole``.

Each role's trust is one web-identity statement with ``StringEquals`` on ``<issuer>:aud``
and ``<issuer>:sub``: no wildcard anywhere, so a run of another organization, project,
workspace or repository on the same issuer cannot assume it (guardrail EKSG012 checks
the same of any role in the stack).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import TerraformStack, aws, construct_path, is_token
from eksguard.constructs._private import (
    account_id,
    create_role,
    partition,
    policy_document,
    region_name,
    bound_stack_roles,
    is_ci_role,
    stack_policy,
    stack_tag_value,
    tag_stack_iam,
)
from eksguard.ci_permissions.data_reads import DENY_POLICY_NAME, allowed_by, data_read_deny_document
from eksguard.ci_permissions.deploy import (
    CI_POLICY_PREFIX,
    DEPLOY_POLICY_NAME,
    DEPLOY_POLICY_PARTS,
    PLAN_POLICY_NAME,
    RESOURCE_PERMISSIONS,
    deploy_policy_document,
    deploy_policy_part,
    plan_policy_document,
    read_key_arns,
)
from eksguard.constructs.oidc_provider import ALLOWED_THUMBPRINT, STS_AUDIENCE

TERRAFORM_CLOUD_HOSTNAME = "app.terraform.io"
"""HCP Terraform's hostname, the issuer of its workload identity tokens."""
TERRAFORM_CLOUD_AUDIENCE = "aws.workload.identity"
"""The audience HCP Terraform puts in AWS tokens unless the workspace sets
``TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE``."""
TERRAFORM_CLOUD_RUN_PHASES = ("plan", "apply")
"""The run phases of an HCP Terraform run, the last part of its token's ``sub``."""
GITHUB_ACTIONS_HOST = "token.actions.githubusercontent.com"
"""GitHub Actions' OIDC issuer (github.com and GitHub Enterprise Cloud without a unique issuer)."""
GITHUB_ACTIONS_AUDIENCE = STS_AUDIENCE
"""The audience ``aws-actions/configure-aws-credentials`` requests by default."""
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"

# Workspace variables HCP Terraform reads (category "env").
PROVIDER_AUTH_VARIABLE = "TFC_AWS_PROVIDER_AUTH"
RUN_ROLE_VARIABLE = "TFC_AWS_RUN_ROLE_ARN"
PLAN_ROLE_VARIABLE = "TFC_AWS_PLAN_ROLE_ARN"
APPLY_ROLE_VARIABLE = "TFC_AWS_APPLY_ROLE_ARN"
AUDIENCE_VARIABLE = "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE"

HOSTNAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
AUDIENCE = re.compile(r"^[^\s*?]{1,255}$")
OIDC_PROVIDER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/(?P<host>.+)$")
_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")
# HCP Terraform's own naming rules; each also keeps out the wildcards and the ':' that
# separates the parts of the subject.
ORGANIZATION = re.compile(r"^[A-Za-z0-9._-]+$")
PROJECT = re.compile(r"^[A-Za-z0-9_-]([A-Za-z0-9 _-]*[A-Za-z0-9_-])?$")
WORKSPACE = re.compile(r"^[A-Za-z0-9_-]{1,90}$")
# GitHub's: an owner of up to 39 letters, digits and '-', a repository of up to 100 letters,
# digits, '.', '-' and '_'.
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
ENVIRONMENT = re.compile(r"^(?=\S)[^*?\x00-\x1f]{1,255}(?<=\S)$")
REF = re.compile(r"^refs/(heads|tags)/[^\s*?:~^\[\\]+$")

ALLOWED_HOSTNAME = (
    "a hostname such as 'app.terraform.io' or 'tfe.example.com': lowercase DNS labels joined "
    "by '.', without scheme, path or port"
)
ALLOWED_AUDIENCE = (
    "an audience of 1-255 characters without spaces or the wildcards '*' and '?' (the trust "
    "compares it with StringEquals)"
)
ALLOWED_PROVIDER_ARN = (
    "the ARN of the account's IAM OIDC provider for {host}: "
    "arn:<partition>:iam::<12-digit account>:oidc-provider/{host}"
)
ALLOWED_NOTHING_ELSE_WITH_PROVIDER_ARN = (
    "nothing with provider_arn: thumbprints and tags belong to the provider it names, which "
    "this stack does not manage"
)
ALLOWED_ORGANIZATION = (
    "an HCP Terraform organization name: letters, digits, '.', '-' and '_'; no wildcard "
    "('*', '?') or ':' (the trust names it exactly)"
)
ALLOWED_PROJECT = (
    "an HCP Terraform project name such as 'Default Project': letters, digits, '-', '_' and "
    "inner spaces; no wildcard ('*', '?') or ':' (the trust names it exactly)"
)
ALLOWED_WORKSPACE = (
    "an HCP Terraform workspace name: 1-90 letters, digits, '-' and '_'; no wildcard "
    "('*', '?') or ':' (the trust names it exactly)"
)
ALLOWED_REPOSITORY = (
    "a GitHub repository as 'owner/name' (such as 'acme/infra'), spelled as GitHub spells "
    "it; no wildcard ('*', '?'): the trust names it exactly"
)
ALLOWED_ENVIRONMENT = (
    "a GitHub environment name of 1-255 characters, without the wildcards '*' and '?' or "
    "surrounding spaces (the trust names it exactly)"
)
ALLOWED_REF = (
    "a full Git ref such as 'refs/heads/main' or 'refs/tags/v1.2.0', without wildcards "
    "('*', '?'): the trust names it exactly"
)
ALLOWED_ONE_SUBJECT = (
    "exactly one of environment, ref or pull_request=True: the one kind of job the trust admits"
)
ALLOWED_DISTINCT_ROLE_NAMES = "a plan role name other than the apply role's ({role_name!r})"
ALLOWED_SOME_PERMISSIONS = (
    "StackPermissions.DEPLOY or PLAN, or managed_policy_arns or inline_policies with NONE: a role "
    "with no permissions fails every run it serves with AccessDenied"
)
ALLOWED_PULL_REQUEST_PERMISSIONS = (
    "StackPermissions.PLAN or NONE for a pull_request role: any branch's pull request may assume "
    "it, so it must not be able to apply"
)
ALLOWED_SOME_PLAN_PERMISSIONS = (
    "StackPermissions.PLAN, or managed_policy_arns or inline_policies with NONE: a plan role "
    "that reads nothing fails every plan with AccessDenied"
)
ALLOWED_PLAN_STACK_PERMISSIONS = (
    "StackPermissions.PLAN or NONE for a plan role: plans of any branch run with it, so it "
    "must not be able to apply"
)
ALLOWED_STACK_ROLES_BOUNDARY = (
    "None unless stack_permissions is StackPermissions.DEPLOY: only a role that writes the "
    "stack's IAM is held to the boundary")
ALLOWED_ONE_STACK_ROLES_BOUNDARY = (
    "the stack_roles_boundary_arn another CI role of this stack gives, or None: a role has one "
    "permissions boundary")
ALLOWED_STACK_PERMISSIONS = "a StackPermissions (DEPLOY, DEPLOY_EXCEPT_IAM, PLAN or NONE), or None to derive it"


class StackPermissions(Enum):
    """What a CI role may do to the stack it is defined in, derived from the stack's own
    resource types at synth (``eksguard.ci_permissions.RESOURCE_PERMISSIONS``).

    Example::

        CiRoleOptions(stack_permissions=StackPermissions.PLAN)
    """

    DEPLOY = "deploy"
    """Plan, apply and destroy this stack: its types' read and write actions, iam:PassRole
    to the services its roles trust, the service-linked roles its services create."""
    DEPLOY_EXCEPT_IAM = "deploy-except-iam"
    """As DEPLOY, without IAM writes: the role reads the stack's IAM and passes its roles
    to their services, but cannot create or change a role or policy. A run that changes
    the stack's IAM fails AccessDenied and is yours to apply with your own credentials.
    The choice where an account is shared: an apply role with IAM writes can make itself
    an administrator of the account (README, "What the roles may do")."""
    PLAN = "plan"
    """Plan this stack: its types' read actions only."""
    NONE = "none"
    """Nothing derived: only ``managed_policy_arns`` and ``inline_policies``."""


# The OIDC providers ----------------------------------------------------------------


class _CiOidcProvider(EksguardConstruct):
    """What a CI role needs of its issuer's IAM OIDC provider: the ARN to trust, the issuer
    host that prefixes the condition keys, and the audience its tokens carry."""

    def _provide(self, *, host: str, audience: str, provider_arn: str | None,
                 thumbprints: Sequence[str], tags: Mapping[str, str]) -> None:
        self._issuer_host = host
        self._audience = audience
        if provider_arn is not None:
            self.provider = None
            self._provider_arn = provider_arn
            return
        self.provider = aws.iam_openid_connect_provider.IamOpenidConnectProvider(
            self, "provider",
            url=f"https://{host}",
            client_id_list=[audience],
            # IAM verifies these issuers through its library of trusted root CAs; the
            # argument is optional from AWS provider 5.81 (and in 6.x).
            thumbprint_list=list(thumbprints) or None,
            tags=dict(tags),
        )
        self._provider_arn = self.provider.arn

    @property
    def provider_arn(self) -> str:
        """The provider's ARN, the ``Federated`` principal of the roles' trust."""
        return self._provider_arn

    @property
    def issuer_host(self) -> str:
        """The issuer without ``https://``: the prefix of the ``:sub`` and ``:aud`` keys."""
        return self._issuer_host

    @property
    def audience(self) -> str:
        """The ``aud`` the roles require: the provider's one client id."""
        return self._audience


def _validate_provider(path: str, props: Any, host: str) -> None:
    v.require_match(path, "audience", props.audience, AUDIENCE, ALLOWED_AUDIENCE)
    for thumbprint in props.thumbprints:
        v.require_match(path, "thumbprints", thumbprint, _THUMBPRINT, ALLOWED_THUMBPRINT)
    if props.provider_arn is None:
        return
    if not is_token(props.provider_arn):
        match = OIDC_PROVIDER_ARN.match(props.provider_arn)
        if match is None or (not is_token(host) and match["host"] != host):
            v.fail(path, "provider_arn", props.provider_arn, ALLOWED_PROVIDER_ARN.format(host=host))
    for name in ("thumbprints", "tags"):
        if getattr(props, name):
            v.fail(path, name, getattr(props, name), ALLOWED_NOTHING_ELSE_WITH_PROVIDER_ARN)


@documented
@dataclass(frozen=True, kw_only=True)
class TerraformCloudOidcProviderProps:
    """Props of ``TerraformCloudOidcProvider``. Every field is optional.

    Example::

        TerraformCloudOidcProviderProps(hostname="tfe.example.com")  # Terraform Enterprise
    """

    hostname: str = TERRAFORM_CLOUD_HOSTNAME
    """The HCP Terraform or Terraform Enterprise hostname that issues the runs' tokens.
    Default: "app.terraform.io" (HCP Terraform)."""

    audience: str = TERRAFORM_CLOUD_AUDIENCE
    """The audience the provider accepts and the roles require; set the same in the
    workspace's ``TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`` when it is not the default.
    Default: "aws.workload.identity" (what HCP Terraform sends unless told otherwise)."""

    provider_arn: str | None = None
    """The account's existing OIDC provider for ``hostname`` (IAM holds one provider per URL,
    so a second stack cannot create another); its client ids must include ``audience``.
    Default: None — the provider is created."""

    thumbprints: Sequence[str] = ()
    """Server certificate thumbprints of a created provider. Default: () — IAM verifies the
    issuer's certificate itself (a Terraform Enterprise behind a private CA needs its CA's
    thumbprint here)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on a created provider. Default: none."""


class TerraformCloudOidcProvider(_CiOidcProvider):
    """The IAM OIDC provider for HCP Terraform (or a Terraform Enterprise host), which
    ``TerraformCloudWorkspaceRole`` trusts; or, with ``provider_arn``, the account's
    existing one, creating nothing.

    Example::

        tfc = TerraformCloudOidcProvider(stack, "tfc")

    Properties: ``provider_arn``, ``issuer_host``, ``audience``. Its resource: ``provider``
    (``aws_iam_openid_connect_provider``; None with ``provider_arn``).
    """

    def __init__(self, scope: Construct, id: str, *, props: TerraformCloudOidcProviderProps | None = None) -> None:
        super().__init__(scope, id)
        self.props = props = props if props is not None else TerraformCloudOidcProviderProps()
        path = construct_path(self)
        v.require_props(path, props, TerraformCloudOidcProviderProps)
        v.require_match(path, "hostname", props.hostname, HOSTNAME, ALLOWED_HOSTNAME, max_length=253)
        _validate_provider(path, props, props.hostname)
        self._provide(host=props.hostname, audience=props.audience, provider_arn=props.provider_arn,
                      thumbprints=props.thumbprints, tags=props.tags)


@documented
@dataclass(frozen=True, kw_only=True)
class GitHubActionsOidcProviderProps:
    """Props of ``GitHubActionsOidcProvider``. Every field is optional.

    Example::

        GitHubActionsOidcProviderProps(
            provider_arn="arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    """

    audience: str = GITHUB_ACTIONS_AUDIENCE
    """The audience the provider accepts and the roles require (the ``audience`` input of
    ``aws-actions/configure-aws-credentials``). Default: "sts.amazonaws.com"."""

    provider_arn: str | None = None
    """The account's existing OIDC provider for ``token.actions.githubusercontent.com`` (IAM
    holds one provider per URL); its client ids must include ``audience``. Default: None —
    the provider is created."""

    thumbprints: Sequence[str] = ()
    """Server certificate thumbprints of a created provider. Default: () — IAM verifies
    GitHub's certificate through its trusted root CAs."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on a created provider. Default: none."""


class GitHubActionsOidcProvider(_CiOidcProvider):
    """The IAM OIDC provider for GitHub Actions (``token.actions.githubusercontent.com``),
    which ``GitHubActionsRole`` trusts; or, with ``provider_arn``, the account's existing
    one, creating nothing.

    Example::

        github = GitHubActionsOidcProvider(stack, "github")

    Properties: ``provider_arn``, ``issuer_host``, ``audience``. Its resource: ``provider``
    (``aws_iam_openid_connect_provider``; None with ``provider_arn``).
    """

    def __init__(self, scope: Construct, id: str, *, props: GitHubActionsOidcProviderProps | None = None) -> None:
        super().__init__(scope, id)
        self.props = props = props if props is not None else GitHubActionsOidcProviderProps()
        path = construct_path(self)
        v.require_props(path, props, GitHubActionsOidcProviderProps)
        _validate_provider(path, props, GITHUB_ACTIONS_HOST)
        self._provide(host=GITHUB_ACTIONS_HOST, audience=props.audience, provider_arn=props.provider_arn,
                      thumbprints=props.thumbprints, tags=props.tags)


def ci_trust_policy(*, provider: _CiOidcProvider, subjects: Sequence[str]) -> str:
    """One web-identity statement: ``StringEquals`` on ``<issuer>:aud`` (the provider's
    audience) and on ``<issuer>:sub`` (the exact subjects)."""
    host = provider.issuer_host
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Federated": provider.provider_arn},
        "Action": WEB_IDENTITY,
        "Condition": {"StringEquals": {
            f"{host}:aud": provider.audience,
            f"{host}:sub": subjects[0] if len(subjects) == 1 else list(subjects),
        }},
    }])


def _stack_permissions(path: str, props: CiRoleOptions, *, applies: bool) -> StackPermissions:
    """The role's ``stack_permissions`` with its default resolved, refused where the role
    could serve runs without permissions, or a pull request could apply."""
    given = props.stack_permissions
    if given is not None and not isinstance(given, StackPermissions):
        v.fail(path, "stack_permissions", given, ALLOWED_STACK_PERMISSIONS)
    resolved = given or (StackPermissions.DEPLOY if applies else StackPermissions.PLAN)
    if resolved is StackPermissions.NONE and not props.managed_policy_arns and not props.inline_policies:
        v.fail(path, "stack_permissions", resolved, ALLOWED_SOME_PERMISSIONS)
    if resolved in (StackPermissions.DEPLOY, StackPermissions.DEPLOY_EXCEPT_IAM) and not applies:
        v.fail(path, "stack_permissions", resolved, ALLOWED_PULL_REQUEST_PERMISSIONS)
    boundary = props.stack_roles_boundary_arn
    if boundary is not None:
        v.require_boundary_arn(path, "stack_roles_boundary_arn", boundary)
        if resolved is not StackPermissions.DEPLOY:
            v.fail(path, "stack_roles_boundary_arn", boundary, ALLOWED_STACK_ROLES_BOUNDARY)
    return resolved


def put_stack_permissions(scope: Construct, role: Any, permissions: StackPermissions,
                          roles_boundary_arn: str | None = None) -> list[Any]:
    """The policies ``stack_permissions`` derives at synth from the stack's types
    (``eksguard.ci_permissions``): for ``PLAN`` the inline policy ``eksguard-stack-plan``;
    for ``DEPLOY`` and ``DEPLOY_EXCEPT_IAM`` four customer managed policies
    ``eksguard-stack-deploy-...``, attached to the role (one document cut in four: a role's inline policies share IAM's 10,240-character quota, which a stack with a
    long cluster name outgrows; each managed policy has 6,144 of its own); none for
    ``NONE``. A deploy role may not widen itself (``KeepOwnPermissions``): when it is one of
    the stack's roles, its IAM writes would otherwise reach its own policies, trust and
    boundary, and one ``PutRolePolicy`` would make it an administrator."""
    if permissions is StackPermissions.NONE:
        return []
    p, account, region = partition(scope), account_id(scope), region_name(scope)
    if permissions is StackPermissions.PLAN:
        document = stack_policy(scope, lambda types: plan_policy_document(
            resource_types=types.resource_types, data_types=types.data_types, region=region, partition=p,
            account=account, iam_names=types.iam_names, cluster_names=types.cluster_names,
            key_arns=read_key_arns(types.key_arns, types.cluster_key_arns), log_group_names=types.log_group_names,
            queue_names=types.named["aws_sqs_queue"], event_rule_names=types.named["aws_cloudwatch_event_rule"]))
        return [aws.iam_role_policy.IamRolePolicy(scope, "stack-permissions", name=PLAN_POLICY_NAME, role=role.id,
                                                  policy=document)]
    own_arn, stack = role.arn, TerraformStack.of(scope)
    tag_stack_iam(scope)
    if roles_boundary_arn is not None:
        bound_stack_roles(scope, roles_boundary_arn, ALLOWED_ONE_STACK_ROLES_BOUNDARY)

    def deploy(types: Any) -> dict[str, Any]:
        return _keeping_own_permissions(deploy_policy_document(
            resource_types=types.resource_types, data_types=types.data_types, partition=p, account=account,
            region=region, passed_to=_passed_to(types.resource_types, types.service_principals),
            cluster_names=types.cluster_names, log_group_names=types.log_group_names,
            iam_names=types.iam_names, passed_role_names=types.passed_role_names,
            passed_roles=types.passed_roles,
            attached_policy_arns=types.attached_policy_arns,
            queue_names=types.named["aws_sqs_queue"], event_rule_names=types.named["aws_cloudwatch_event_rule"],
            key_arns=types.key_arns, key_tag_keys=types.key_tag_keys, grant_key_arns=types.cluster_key_arns,
            private_endpoints=types.private_endpoints, endpoint_services=types.endpoint_services,
            event_rules=types.event_rules, vpc_arns=types.vpc_arns,
            access_entry_principals=types.access_entry_principals,
            access_policy_principals=types.access_policy_principals, iam_writes=permissions is StackPermissions.DEPLOY,
            role_boundaries=types.role_boundaries if roles_boundary_arn is not None else None,
            stack_tag=stack_tag_value(stack, region, types.cluster_names)), own_arn, p, account, types.ci_role_arns)

    policies: list[Any] = []
    for part in range(1, DEPLOY_POLICY_PARTS + 1):
        policy = aws.iam_policy.IamPolicy(
            scope, f"stack-permissions-{part}", name_prefix=f"{DEPLOY_POLICY_NAME}-",
            description=f"eksguard: what this stack's CI role may do to it, part {part} of {DEPLOY_POLICY_PARTS}",
            policy=stack_policy(scope, lambda types, part=part: deploy_policy_part(deploy(types), part)))
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            scope, f"stack-permissions-{part}-attachment", role=role.name, policy_arn=policy.arn)
        policies.append(policy)
    return policies


OWN_ROLE_ESCALATIONS = ("iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
                        "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
                        "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole")
"""What a deploy role may do neither to itself nor to another CI role of its stack: each
widens what the role may do, or who may be it (IAM API Reference,
DeleteRolePermissionsBoundary: "might increase its permissions"; detaching or deleting a
policy that holds a deny, such as the derived policy's, lifts the deny), or ends or changes
it (``DeleteRole``; ``UpdateRole`` sets its session length): a CI role's own change is an
administrator's apply."""


CI_POLICY_ESCALATIONS = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion")
"""What no deploy role may do to a derived CI policy (``eksguard-stack-*``): a new default
version of its own deploy policy would let it allow itself anything."""


def _keeping_own_permissions(document: dict[str, Any], own_arn: str, partition: str, account: str,
                             ci_role_arns: Any = ()) -> dict[str, Any]:
    # the stack's CI roles include this one (references written alike); own_arn, a token,
    # only stands in when none is registered
    roles = sorted(ci_role_arns) or [own_arn]
    return {**document, "Statement": [*document["Statement"], {
        "Sid": "KeepOwnPermissions", "Effect": "Deny", "Action": list(OWN_ROLE_ESCALATIONS),
        "Resource": roles if len(roles) > 1 else roles[0]}, {
        "Sid": "KeepCiPolicies", "Effect": "Deny", "Action": list(CI_POLICY_ESCALATIONS),
        "Resource": f"arn:{partition}:iam::{account}:policy/{CI_POLICY_PREFIX}*"}]}


def _passed_to(resource_types: set[str], trusted: set[str]) -> set[str]:
    # The services the stack's roles trust receive them; EKS receives node and add-on roles
    # whose trust names EC2 or an OIDC provider.
    passes_to_eks = any(t.startswith("aws_eks_") and RESOURCE_PERMISSIONS[t].passes_role
                        for t in resource_types if t in RESOURCE_PERMISSIONS)
    return trusted | ({"eks.amazonaws.com"} if passes_to_eks else set())


def put_data_read_denies(scope: Construct, role: Any,
                         inline_policies: Mapping[str, Mapping[str, Any] | str]) -> Any:
    """The ``eksguard-deny-data-reads`` inline policy (``eksguard.ci_permissions``), less what the
    role's own ``inline_policies`` allow by name."""
    p, allowed = partition(scope), allowed_by(inline_policies.values())
    document = stack_policy(scope, lambda types: data_read_deny_document(
        resource_types=types.resource_types, data_types=types.data_types, partition=p, allowed=allowed))
    return aws.iam_role_policy.IamRolePolicy(scope, "deny-data-reads", name=DENY_POLICY_NAME, role=role.id,
                                             policy=document)


def _validate_role_policies(path: str, props: Any, prefix: str = "") -> None:
    v.require_role_name(path, f"{prefix}role_name", props.role_name)
    if props.managed_policy_arns is not None:
        v.require_managed_policy_arns(path, f"{prefix}managed_policy_arns", props.managed_policy_arns)
    v.require_inline_policies(path, f"{prefix}inline_policies", props.inline_policies)
    v.require_boundary_arn(path, f"{prefix}permissions_boundary_arn", props.permissions_boundary_arn)
    v.require_int_range(path, f"{prefix}max_session_duration_seconds", props.max_session_duration_seconds,
                        3600, 43200)


# HCP Terraform ------------------------------------------------------------------------


@documented
@dataclass(frozen=True, kw_only=True)
class TerraformCloudPlanRoleOptions:
    """A separate role for the plan phase, so plans (speculative ones too) run with
    read-only rights and only applies get the apply role's.

    Example::

        TerraformCloudPlanRoleOptions()  # reads this stack's resources, nothing else
    """

    role_name: str | None = None
    """The plan role's IAM name. Default: a unique name Terraform derives from the construct path."""

    managed_policy_arns: Sequence[str] = ()
    """Managed policies of the plan role, beside what ``stack_permissions`` derives (a plan
    of a root holding more than this stack, for instance ``ReadOnlyAccess``, which
    ``deny_data_reads`` then keeps from reading data). Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Inline policies of the plan role, name to document (dict or JSON). Default: none."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary of the plan role. Default: None — no boundary."""

    max_session_duration_seconds: int = 3600
    """Longest session the plan role allows, 3600-43200. Default: 3600."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the plan role. Default: none."""

    stack_permissions: StackPermissions = StackPermissions.PLAN
    """What the plan role reads of this stack, derived from its resource and data-source
    types at synth: ``PLAN`` (the inline policy ``eksguard-stack-plan``: the read actions
    each type's refresh calls, nothing else) or ``NONE`` (only ``managed_policy_arns`` and
    ``inline_policies``). Default: ``PLAN``."""

    deny_data_reads: bool = True
    """Deny the data reads ``ReadOnlyAccess`` allows (S3 objects, DynamoDB items, SSM
    parameter values, secret values, log events, queue messages, function code, images:
    ``eksguard.ci_permissions.DATA_READ_ACTIONS``), less those this stack's own resources need to
    refresh, whatever else the role is given now or later. Default: True — an inline policy
    ``eksguard-deny-data-reads``."""


@documented
@dataclass(frozen=True, kw_only=True)
class CiRoleOptions:
    """What a CI role may do, shared by ``TerraformCloudWorkspaceRoleProps`` and
    ``GitHubActionsRoleProps``.

    Example::

        CiRoleOptions(managed_policy_arns=["arn:aws:iam::123456789012:policy/deploy-eks"])
    """

    role_name: str | None = None
    """The IAM role name. Default: a unique name Terraform derives from the construct path."""

    managed_policy_arns: Sequence[str] = ()
    """Managed policies to attach: what the pipeline's Terraform needs. Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Inline policies, name to document (dict or JSON). Default: none."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary for the role. Default: None — no boundary."""

    max_session_duration_seconds: int = 3600
    """Longest session the role allows, 3600-43200. Default: 3600."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role. Default: none."""

    stack_roles_boundary_arn: str | None = None
    """A permissions boundary for every other role of this stack, with ``DEPLOY``: each role
    of the stack without a boundary of its own gets this one at synth, and the derived
    policy lets the role create a role, put or attach a role policy, or set a boundary only
    where the role's boundary is this one or one the stack sets itself
    (``iam:PermissionsBoundary``, ``WriteBoundedStackRoles``), never delete a boundary, and
    never make a new version of a boundary (``KeepStackRolesBoundaries``). So no role the
    apply role creates or changes can do more than the boundary allows: the IAM User
    Guide's "Permissions boundaries for IAM entities" delegation pattern. The boundary is
    yours to write (what the stack's workloads may ever do) and to create with your own
    credentials; the CI roles of the stack are not bounded by it. Default: None — no
    boundary, and an apply role with IAM writes can make itself an administrator of the
    account (README, "What the roles may do")."""

    stack_permissions: StackPermissions | None = None
    """What the role may do to this stack, derived from its resource types at synth, as
    four managed policies ``eksguard-stack-deploy-...`` (or the inline policy
    ``eksguard-stack-plan``), beside ``managed_policy_arns``
    and ``inline_policies``. A stack that a different workspace or repository deploys needs
    ``NONE`` and the policies that deploy it; ``DEPLOY_EXCEPT_IAM`` applies everything but
    IAM, for an account other stacks share (an apply role with IAM writes can make itself
    an administrator of the account). Default: None — ``DEPLOY`` for roles that apply
    (a workspace's apply or run role, a GitHub role for an environment or ref), ``PLAN``
    for a GitHub ``pull_request`` role."""


@documented
@dataclass(frozen=True, kw_only=True)
class TerraformCloudWorkspaceRoleProps(CiRoleOptions):
    """Props of ``TerraformCloudWorkspaceRole``: the one workspace whose runs may assume it.

    Example::

        TerraformCloudWorkspaceRoleProps(oidc_provider=tfc, organization="acme",
                                         project="platform", workspace="eks-prod")
    """

    oidc_provider: TerraformCloudOidcProvider
    """The HCP Terraform (or Terraform Enterprise) OIDC provider."""

    organization: str
    """The organization, exactly as HCP Terraform names it."""

    project: str
    """The workspace's project, exactly (``"Default Project"`` unless the workspace was
    put in another); moving the workspace to another project changes its runs' subject."""

    workspace: str
    """The workspace, exactly."""

    plan_role: TerraformCloudPlanRoleOptions | None = None
    """A separate plan role. Default: None — one role for both run phases
    (``TFC_AWS_RUN_ROLE_ARN``); given, a plan role trusting only ``run_phase:plan``
    (``TFC_AWS_PLAN_ROLE_ARN``) and this role trusting only ``run_phase:apply``
    (``TFC_AWS_APPLY_ROLE_ARN``)."""



class TerraformCloudWorkspaceRole(EksguardConstruct):
    """The role the runs of one HCP Terraform workspace assume through dynamic provider
    credentials: ``StringEquals`` on ``<host>:aud`` and on ``<host>:sub`` =
    ``organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase>`` for
    each phase it serves; with ``plan_role``, a second, read-only role for plans.

    Example::

        tfc = TerraformCloudOidcProvider(stack, "tfc")
        run = TerraformCloudWorkspaceRole(stack, "eks-prod", props=TerraformCloudWorkspaceRoleProps(
            oidc_provider=tfc, organization="acme", project="platform", workspace="eks-prod",
            plan_role=TerraformCloudPlanRoleOptions()))
        run.environment_variables()  # TFC_AWS_PROVIDER_AUTH, TFC_AWS_PLAN_ROLE_ARN, TFC_AWS_APPLY_ROLE_ARN

    The apply (or run) role may plan, apply and destroy this stack (``stack_permissions``
    derives that from the stack's resource types at synth); the plan role reads what a
    refresh of the stack's types reads (``eksguard-stack-plan``) and is denied data reads
    whatever else it is given (``eksguard-deny-data-reads``).

    Properties: ``role_arn``, ``role_name``, ``plan_role_arn``, ``subjects``,
    ``stack_permissions`` (resolved). Its resources: ``role`` (``aws_iam_role``: the run
    role, or the apply role with ``plan_role``), ``attachments`` and ``stack_policies`` (the
    derived policies: four managed ``aws_iam_policy`` to deploy, one inline to plan, none with
    ``StackPermissions.NONE``); ``plan_role``, ``plan_attachments``, ``plan_stack_policies``
    and ``plan_denies`` (None, [], [] and None without ``plan_role``), under the child ``plan``.
    """

    def __init__(self, scope: Construct, id: str, *, props: TerraformCloudWorkspaceRoleProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        _validate_workspace_role(path, props)
        self.stack_permissions = _stack_permissions(path, props, applies=True)
        provider = props.oidc_provider
        phases = ("apply",) if props.plan_role is not None else TERRAFORM_CLOUD_RUN_PHASES
        self._subjects = tuple(self._subject(phase) for phase in phases)

        self.role, self.attachments = create_role(
            self, role_name=props.role_name,
            trust_policy=ci_trust_policy(provider=provider, subjects=self._subjects),
            managed_policy_arns=props.managed_policy_arns, inline_policies=props.inline_policies,
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags,
            max_session_duration=props.max_session_duration_seconds)
        is_ci_role(self.role)
        self.stack_policies = put_stack_permissions(self, self.role, self.stack_permissions,
                                                    props.stack_roles_boundary_arn)
        self.plan_role: Any = None
        self.plan_attachments: list[Any] = []
        self.plan_denies: Any = None
        self.plan_stack_policies: list[Any] = []
        plan = props.plan_role
        if plan is not None:
            scope_of_plan = Construct(self, "plan")
            self.plan_role, self.plan_attachments = create_role(
                scope_of_plan, role_name=plan.role_name,
                trust_policy=ci_trust_policy(provider=provider, subjects=[self._subject("plan")]),
                managed_policy_arns=plan.managed_policy_arns, inline_policies=plan.inline_policies,
                permissions_boundary_arn=plan.permissions_boundary_arn, tags=plan.tags,
                max_session_duration=plan.max_session_duration_seconds)
            is_ci_role(self.plan_role)
            self.plan_stack_policies = put_stack_permissions(scope_of_plan, self.plan_role, plan.stack_permissions)
            if plan.deny_data_reads:
                self.plan_denies = put_data_read_denies(scope_of_plan, self.plan_role, plan.inline_policies)

    def _subject(self, phase: str) -> str:
        p = self.props
        return f"organization:{p.organization}:project:{p.project}:workspace:{p.workspace}:run_phase:{phase}"

    @property
    def role_arn(self) -> str:
        """The run role's ARN (the apply role's with ``plan_role``), known after apply."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The run (or apply) role's name, as a Terraform reference."""
        return self.role.name

    @property
    def plan_role_arn(self) -> str | None:
        """The plan role's ARN; None without ``plan_role`` (the run role serves plans)."""
        return self.plan_role.arn if self.plan_role is not None else None

    @property
    def subjects(self) -> tuple[str, ...]:
        """The exact ``sub`` values ``role`` trusts, one per run phase it serves."""
        return self._subjects

    def environment_variables(self) -> dict[str, str]:
        """The workspace's environment variables (category "env") that make its runs assume
        these roles: ``TFC_AWS_PROVIDER_AUTH`` = "true" and ``TFC_AWS_RUN_ROLE_ARN``, or
        ``TFC_AWS_PLAN_ROLE_ARN`` and ``TFC_AWS_APPLY_ROLE_ARN`` with ``plan_role``; and
        ``TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`` when the provider's audience is not the
        default. ARNs are Terraform references until apply."""
        variables = {PROVIDER_AUTH_VARIABLE: "true"}
        if self.plan_role is None:
            variables[RUN_ROLE_VARIABLE] = self.role_arn
        else:
            variables[PLAN_ROLE_VARIABLE] = self.plan_role.arn
            variables[APPLY_ROLE_VARIABLE] = self.role_arn
        if self.props.oidc_provider.audience != TERRAFORM_CLOUD_AUDIENCE:
            variables[AUDIENCE_VARIABLE] = self.props.oidc_provider.audience
        return variables


def _validate_workspace_role(path: str, props: TerraformCloudWorkspaceRoleProps) -> None:
    v.require_props(path, props, TerraformCloudWorkspaceRoleProps)
    v.require_match(path, "organization", props.organization, ORGANIZATION, ALLOWED_ORGANIZATION)
    v.require_match(path, "project", props.project, PROJECT, ALLOWED_PROJECT)
    v.require_match(path, "workspace", props.workspace, WORKSPACE, ALLOWED_WORKSPACE)
    _validate_role_policies(path, props)
    plan = props.plan_role
    if plan is None:
        return
    _validate_role_policies(path, plan, prefix="plan_role.")
    if plan.stack_permissions not in (StackPermissions.PLAN, StackPermissions.NONE):
        v.fail(path, "plan_role.stack_permissions", plan.stack_permissions, ALLOWED_PLAN_STACK_PERMISSIONS)
    if plan.stack_permissions is StackPermissions.NONE and not plan.managed_policy_arns and not plan.inline_policies:
        v.fail(path, "plan_role.stack_permissions", plan.stack_permissions, ALLOWED_SOME_PLAN_PERMISSIONS)
    if plan.role_name is not None and plan.role_name == props.role_name and not is_token(plan.role_name):
        v.fail(path, "plan_role.role_name", plan.role_name,
               ALLOWED_DISTINCT_ROLE_NAMES.format(role_name=props.role_name))


# GitHub Actions -----------------------------------------------------------------------


@documented
@dataclass(frozen=True, kw_only=True)
class GitHubActionsRoleProps(CiRoleOptions):
    """Props of ``GitHubActionsRole``: one repository and one kind of job in it — an
    environment, a branch or tag, or pull requests.

    Example::

        GitHubActionsRoleProps(oidc_provider=github, repository="acme/infra", environment="prod")
    """

    oidc_provider: GitHubActionsOidcProvider
    """The GitHub Actions OIDC provider."""

    repository: str
    """The repository as ``owner/name``, spelled as GitHub spells it (the comparison is
    case-sensitive)."""

    environment: str | None = None
    """Trust jobs that run in this GitHub environment (``repo:<repository>:environment:<env>``),
    whose protection rules (reviewers, branches) then guard the role. Default: None — give
    exactly one of ``environment``, ``ref`` and ``pull_request``."""

    ref: str | None = None
    """Trust jobs without an environment on this branch or tag, a full ref such as
    ``refs/heads/main`` (``repo:<repository>:ref:<ref>``). Default: None — give exactly one of
    ``environment``, ``ref`` and ``pull_request``."""

    pull_request: bool = False
    """Trust jobs of ``pull_request`` workflows (``repo:<repository>:pull_request``): any
    branch's pull request in the repository, so keep this role read-only. Default: False."""



class GitHubActionsRole(EksguardConstruct):
    """A role GitHub Actions jobs of one repository assume (``cdktn deploy`` from a
    workflow): ``StringEquals`` on ``token.actions.githubusercontent.com:aud`` and on
    ``:sub`` = ``repo:<owner>/<repo>:environment:<env>`` (or ``:ref:<ref>``, or
    ``:pull_request``).

    Example::

        github = GitHubActionsOidcProvider(stack, "github")
        deploy = GitHubActionsRole(stack, "deploy", props=GitHubActionsRoleProps(
            oidc_provider=github, repository="acme/infra", environment="prod"))

    The workflow needs ``permissions: id-token: write`` and
    ``aws-actions/configure-aws-credentials`` with ``role-to-assume`` = ``role_arn``. The
    role may deploy this stack (``stack_permissions``: derived from its resource types; a
    ``pull_request`` role may only plan it).

    Properties: ``role_arn``, ``role_name``, ``subject``, ``stack_permissions`` (resolved).
    Its resources: ``role`` (``aws_iam_role``), ``attachments`` and ``stack_policies`` (the
    derived policies: four managed ``aws_iam_policy`` to deploy, one inline to plan, none with
    ``StackPermissions.NONE``).
    """

    def __init__(self, scope: Construct, id: str, *, props: GitHubActionsRoleProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        _validate_github_role(path, props)
        self.stack_permissions = _stack_permissions(path, props, applies=not props.pull_request)
        if props.environment is not None:
            self._subject = f"repo:{props.repository}:environment:{props.environment}"
        elif props.ref is not None:
            self._subject = f"repo:{props.repository}:ref:{props.ref}"
        else:
            self._subject = f"repo:{props.repository}:pull_request"
        self.role, self.attachments = create_role(
            self, role_name=props.role_name,
            trust_policy=ci_trust_policy(provider=props.oidc_provider, subjects=[self._subject]),
            managed_policy_arns=props.managed_policy_arns, inline_policies=props.inline_policies,
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags,
            max_session_duration=props.max_session_duration_seconds)
        is_ci_role(self.role)
        self.stack_policies = put_stack_permissions(self, self.role, self.stack_permissions,
                                                    props.stack_roles_boundary_arn)

    @property
    def role_arn(self) -> str:
        """The role's ARN, known after apply: the workflow's ``role-to-assume``."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The role's name, as a Terraform reference."""
        return self.role.name

    @property
    def subject(self) -> str:
        """The exact ``sub`` the role trusts."""
        return self._subject


def _validate_github_role(path: str, props: GitHubActionsRoleProps) -> None:
    v.require_props(path, props, GitHubActionsRoleProps)
    v.require_match(path, "repository", props.repository, REPOSITORY, ALLOWED_REPOSITORY)
    given = {name: value for name, value in (("environment", props.environment), ("ref", props.ref),
                                             ("pull_request", props.pull_request or None))
             if value is not None}
    if len(given) != 1:
        v.fail(path, "environment, ref, pull_request", given, ALLOWED_ONE_SUBJECT)
    if props.environment is not None:
        v.require_match(path, "environment", props.environment, ENVIRONMENT, ALLOWED_ENVIRONMENT)
    if props.ref is not None:
        v.require_match(path, "ref", props.ref, REF, ALLOWED_REF)
    _validate_role_policies(path, props)
