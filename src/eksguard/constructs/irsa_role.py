"""IAM roles for Kubernetes service accounts (IRSA): ``IrsaRole`` and its props."""

from __future__ import annotations

import warnings

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import construct_path
from eksguard.constructs._private import create_role, policy_document
from eksguard.constructs.oidc_provider import STS_AUDIENCE, ClusterOidcProvider

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience"
STS_REGIONAL_ENDPOINTS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"
TOKEN_EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration"
SERVICE_ACCOUNT_PATTERN = re.compile(r"^[a-z0-9.*?-]{1,253}$")
ALLOWED_SERVICE_ACCOUNT_PATTERN = (
    "lowercase letters, digits, '-', '.', and the wildcards '*' and '?'"
)
ALLOWED_SUBJECTS = "at least one entry in service_accounts or service_account_patterns"


@documented
@dataclass(frozen=True, kw_only=True)
class ServiceAccount:
    """A Kubernetes service account, matched exactly.

    Example::

        ServiceAccount(namespace="kube-system", name="aws-node")
    """

    namespace: str
    """The service account's namespace."""
    name: str
    """The service account's name."""

    @property
    def subject(self) -> str:
        """The token's ``sub`` claim: ``system:serviceaccount:<namespace>:<name>``."""
        return f"system:serviceaccount:{self.namespace}:{self.name}"


@documented
@dataclass(frozen=True, kw_only=True)
class ServiceAccountPattern:
    """Service accounts of one exact namespace whose names match a ``StringLike``
    pattern; the namespace is never a wildcard.

    Example::

        ServiceAccountPattern(namespace="ci", name="runner-*")
    """

    namespace: str
    """The one namespace the service accounts are in; never a wildcard."""
    name: str
    """A ``StringLike`` pattern of service-account names (``*`` and ``?``)."""

    def __init__(self, *, namespace: str, name: str | None = None, name_pattern: str | None = None) -> None:
        if name_pattern is not None:
            warnings.warn("ServiceAccountPattern(name_pattern=...) is deprecated: use name=...",
                          DeprecationWarning, stacklevel=2)
            name = name if name is not None else name_pattern
        if name is None:
            raise TypeError("ServiceAccountPattern() missing required keyword argument: 'name'")
        object.__setattr__(self, "namespace", namespace)
        object.__setattr__(self, "name", name)

    @property
    def name_pattern(self) -> str:
        """Deprecated: ``name``."""
        return self.name

    @property
    def subject(self) -> str:
        """The ``StringLike`` pattern of the ``sub`` claim."""
        return f"system:serviceaccount:{self.namespace}:{self.name}"


@documented
@dataclass(frozen=True, kw_only=True)
class IrsaRoleOptions:
    """Everything about an IRSA role except the OIDC provider; what
    ``SecureEksCluster.add_irsa_role`` takes.

    Example::

        IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="app", name="api")])
    """

    service_accounts: Sequence[ServiceAccount] = ()
    """Service accounts allowed to assume the role, matched with ``StringEquals``.
    Default: () — then ``service_account_patterns`` must name some."""

    service_account_patterns: Sequence[ServiceAccountPattern] = ()
    """Wildcard subjects, matched with ``StringLike`` inside one exact namespace.
    Default: () — none."""

    role_name: str | None = None
    """The IAM role name. Default: a unique name Terraform derives from the construct path."""

    managed_policy_arns: Sequence[str] = ()
    """Managed policies to attach. Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Inline policies, name to document (dict or JSON). Default: none."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary for the role. Default: None — no boundary."""

    max_session_duration_seconds: int = 3600
    """Longest session the role allows, 3600-43200. Default: 3600."""

    annotate_audience: bool = False
    """Add the ``eks.amazonaws.com/audience`` annotation to the manifests. Default: False
    (the webhook's default audience, sts.amazonaws.com, applies)."""

    sts_regional_endpoints: bool = True
    """Annotate the service accounts to use the regional STS endpoint. Default: True."""

    token_expiration_seconds: int | None = None
    """Projected token lifetime annotation, 3600-86400. Default: None — the webhook's
    default (86400)."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role. Default: none."""


@documented
@dataclass(frozen=True, kw_only=True)
class IrsaRoleProps(IrsaRoleOptions):
    """Props of ``IrsaRole``: its options plus the OIDC provider it trusts.

    Example::

        IrsaRoleProps(oidc_provider=oidc,
                      service_accounts=[ServiceAccount(namespace="app", name="api")])
    """

    oidc_provider: ClusterOidcProvider
    """The cluster's OIDC provider."""


class IrsaRole(EksguardConstruct):
    """A role that only the named Kubernetes service accounts can assume, through the
    cluster's OIDC provider, with exact ``StringEquals`` on ``:sub`` and ``:aud``.

    Example::

        role = IrsaRole(stack, "api", props=IrsaRoleProps(
            oidc_provider=oidc,
            service_accounts=[ServiceAccount(namespace="app", name="api")],
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]))
        role.service_account_manifests()

    Properties: ``role_arn``, ``role_name``. Its resources: ``role`` (``aws_iam_role``) and
    ``attachments`` (its policy resources).
    """

    def __init__(self, scope: Construct, id: str, *, props: IrsaRoleProps) -> None:
        super().__init__(scope, id)
        self.props = props
        _validate(construct_path(self), props)

        self.role, self.attachments = create_role(
            self, role_name=props.role_name,
            trust_policy=irsa_trust_policy(
                provider_arn=props.oidc_provider.provider_arn,
                issuer_host=props.oidc_provider.issuer_host,
                service_accounts=props.service_accounts,
                service_account_patterns=props.service_account_patterns,
            ),
            managed_policy_arns=props.managed_policy_arns, inline_policies=props.inline_policies,
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags,
            max_session_duration=props.max_session_duration_seconds,
        )

    @property
    def role_arn(self) -> str:
        """The role's ARN, known after apply: the service accounts' annotation."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The role's name, as a Terraform reference."""
        return self.role.name

    def service_account_manifests(self) -> list[dict[str, Any]]:
        """One Kubernetes ServiceAccount manifest per exact service account, annotated
        with this role; the ARN is a Terraform reference until apply."""
        annotations = {ROLE_ARN_ANNOTATION: self.role_arn}
        if self.props.annotate_audience:
            annotations[AUDIENCE_ANNOTATION] = STS_AUDIENCE
        if self.props.sts_regional_endpoints:
            annotations[STS_REGIONAL_ENDPOINTS_ANNOTATION] = "true"
        if self.props.token_expiration_seconds is not None:
            annotations[TOKEN_EXPIRATION_ANNOTATION] = str(self.props.token_expiration_seconds)
        return [
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": sa.name, "namespace": sa.namespace,
                             "annotations": dict(annotations)},
            }
            for sa in self.props.service_accounts
        ]


def irsa_trust_policy(*, provider_arn: str, issuer_host: str,
                      service_accounts: Sequence[ServiceAccount],
                      service_account_patterns: Sequence[ServiceAccountPattern] = ()) -> str:
    """The IRSA trust document: one statement for exact subjects, one for patterns
    (separate, since conditions in one statement must all hold)."""
    def statement(operator: str, subjects: list[str]) -> dict[str, Any]:
        condition: dict[str, Any] = {
            "StringEquals": {f"{issuer_host}:aud": STS_AUDIENCE},
        }
        sub = subjects[0] if len(subjects) == 1 else subjects
        condition.setdefault(operator, {})[f"{issuer_host}:sub"] = sub
        return {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }

    statements = []
    if service_accounts:
        statements.append(statement("StringEquals", [sa.subject for sa in service_accounts]))
    if service_account_patterns:
        statements.append(statement("StringLike", [p.subject for p in service_account_patterns]))
    return policy_document(statements)


def _validate(path: str, props: IrsaRoleProps) -> None:
    v.require_props(path, props, IrsaRoleProps)
    if not props.service_accounts and not props.service_account_patterns:
        v.fail(path, "service_accounts", [], ALLOWED_SUBJECTS)
    for sa in props.service_accounts:
        v.require_dns1123_label(path, "service_accounts.namespace", sa.namespace)
        v.require_dns1123_subdomain(path, "service_accounts.name", sa.name)
    for pattern in props.service_account_patterns:
        v.require_dns1123_label(path, "service_account_patterns.namespace", pattern.namespace)
        v.require_match(path, "service_account_patterns.name", pattern.name,
                        SERVICE_ACCOUNT_PATTERN, ALLOWED_SERVICE_ACCOUNT_PATTERN)
    v.require_role_name(path, "role_name", props.role_name)
    v.require_managed_policy_arns(path, "managed_policy_arns", props.managed_policy_arns)
    v.require_inline_policies(path, "inline_policies", props.inline_policies)
    v.require_boundary_arn(path, "permissions_boundary_arn", props.permissions_boundary_arn)
    v.require_int_range(path, "max_session_duration_seconds", props.max_session_duration_seconds,
                        3600, 43200)
    if props.token_expiration_seconds is not None:
        v.require_int_range(path, "token_expiration_seconds", props.token_expiration_seconds,
                            3600, 86400)
