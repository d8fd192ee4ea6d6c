"""EKS Pod Identity: ``PodIdentityRole``, its associations, and the agent add-on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import TerraformStack, aws, construct_path
from eksguard.constructs._private import (
    account_id,
    create_role,
    partition,
    policy_document,
    region_name,
    service_trust_policy,
)
from eksguard.constructs.irsa_role import ServiceAccount

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent"
ALLOWED_SERVICE_ACCOUNTS = "at least one service account"


@documented
@dataclass(frozen=True, kw_only=True)
class PodIdentityRoleOptions:
    """Everything about a Pod Identity role except its cluster.

    Example::

        PodIdentityRoleOptions(service_accounts=[ServiceAccount(namespace="shop", name="cart")])
    """

    service_accounts: Sequence[ServiceAccount]
    """Service accounts associated with the role, one association each."""

    role_name: str | None = None
    """The IAM role name. Default: a unique name Terraform derives from the construct path."""

    managed_policy_arns: Sequence[str] = ()
    """Managed policies to attach. Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Inline policies, name to document (dict or JSON). Default: none."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary for the role. Default: None — no boundary."""

    session_tag_conditions: bool = True
    """Trust only sessions EKS tags with this cluster's ARN and an associated service
    account's namespace and name (``aws:RequestTag/eks-cluster-arn``,
    ``kubernetes-namespace``, ``kubernetes-service-account``), so no other association in
    the account can take the role. Set False only when the associations disable session
    tags. Default: True."""

    install_agent: bool = True
    """Install the ``eks-pod-identity-agent`` add-on, without which associations do nothing.
    Roles naming the cluster by the same literal share one; with several roles naming it
    by a Terraform reference, set False on all but one (``SecureEksCluster`` installs it
    once itself). Default: True."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role and associations. Default: none."""


@documented
@dataclass(frozen=True, kw_only=True)
class PodIdentityRoleProps(PodIdentityRoleOptions):
    """Props of ``PodIdentityRole``: its options plus the cluster.

    Example::

        PodIdentityRoleProps(cluster_name=cluster.cluster_name,
                             service_accounts=[ServiceAccount(namespace="shop", name="cart")])
    """

    cluster_name: str
    """The cluster the associations belong to."""


class PodIdentityRole(EksguardConstruct):
    """A role trusting ``pods.eks.amazonaws.com``, associated with service accounts.

    Example::

        PodIdentityRole(stack, "cart", props=PodIdentityRoleProps(
            cluster_name=cluster.cluster_name,
            service_accounts=[ServiceAccount(namespace="shop", name="cart")]))

    Properties: ``role_arn``, ``role_name``, ``associations``. Its resources: ``role``
    (``aws_iam_role``), ``attachments`` (its policy resources), and ``agent`` (the
    ``eks-pod-identity-agent`` add-on, None unless ``props.install_agent``).
    """

    def __init__(self, scope: Construct, id: str, *, props: PodIdentityRoleProps) -> None:
        super().__init__(scope, id)
        self.props = props
        _validate(construct_path(self), props)
        self.role, self.attachments = create_role(
            self, role_name=props.role_name,
            trust_policy=pod_identity_trust_policy(self, props.cluster_name, props.service_accounts)
            if props.session_tag_conditions else service_trust_policy(POD_IDENTITY_PRINCIPAL, POD_IDENTITY_ACTIONS),
            managed_policy_arns=props.managed_policy_arns, inline_policies=props.inline_policies,
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags)
        self.agent = pod_identity_agent(self, props.cluster_name) if props.install_agent else None
        # The role can act before any pod receives it.
        self._associations = [
            aws.eks_pod_identity_association.EksPodIdentityAssociation(
                self, f"association-{sa.namespace}-{sa.name}",
                cluster_name=props.cluster_name, namespace=sa.namespace, service_account=sa.name,
                role_arn=self.role.arn, tags=dict(props.tags), depends_on=list(self.attachments))
            for sa in props.service_accounts
        ]

    @property
    def role_arn(self) -> str:
        """The role's ARN, known after apply."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The role's name, as a Terraform reference."""
        return self.role.name

    @property
    def associations(self) -> Sequence[aws.eks_pod_identity_association.EksPodIdentityAssociation]:
        """One ``aws_eks_pod_identity_association`` per service account, in the props' order."""
        return tuple(self._associations)


def pod_identity_trust_policy(scope: Construct, cluster_name: str,
                              service_accounts: Sequence[ServiceAccount]) -> str:
    """One statement per service account, each pinned to the session tags EKS Pod Identity
    sets (EKS User Guide, "Understand how EKS Pod Identity works": session tags
    eks-cluster-arn, kubernetes-namespace, kubernetes-service-account)."""
    cluster_arn = (f"arn:{partition(scope)}:eks:{region_name(scope)}:{account_id(scope)}:"
                   f"cluster/{cluster_name}")
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
        "Action": list(POD_IDENTITY_ACTIONS),
        "Condition": {"StringEquals": {
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": sa.namespace,
            "aws:RequestTag/kubernetes-service-account": sa.name,
        }},
    } for sa in service_accounts])


def pod_identity_agent(scope: Construct, cluster_name: str) -> Any:
    """The ``eks-pod-identity-agent`` add-on for ``cluster_name``: one per stack for the
    same name string, created as a child of ``scope`` (its id, hence its Terraform address,
    does not depend on token numbering)."""
    stack = TerraformStack.of(scope)
    agents: dict[str, Any] = stack.__dict__.setdefault("_eksguard_pod_identity_agents", {})
    if cluster_name not in agents:
        agents[cluster_name] = aws.eks_addon.EksAddon(
            scope, POD_IDENTITY_AGENT_ADDON, cluster_name=cluster_name, addon_name=POD_IDENTITY_AGENT_ADDON)
    return agents[cluster_name]


def _validate(path: str, props: PodIdentityRoleProps) -> None:
    v.require_props(path, props, PodIdentityRoleProps)
    v.require_cluster_name(path, "cluster_name", props.cluster_name)
    if not props.service_accounts:
        v.fail(path, "service_accounts", list(props.service_accounts), ALLOWED_SERVICE_ACCOUNTS)
    for sa in props.service_accounts:
        v.require_dns1123_label(path, "service_accounts.namespace", sa.namespace)
        v.require_dns1123_subdomain(path, "service_accounts.name", sa.name)
    v.require_role_name(path, "role_name", props.role_name)
    v.require_managed_policy_arns(path, "managed_policy_arns", props.managed_policy_arns)
    v.require_inline_policies(path, "inline_policies", props.inline_policies)
    v.require_boundary_arn(path, "permissions_boundary_arn", props.permissions_boundary_arn)
