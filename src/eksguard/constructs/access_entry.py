"""The EKS Cluster Access API: ``AccessEntry`` and the EKS access policies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard import eks_api_rules
from eksguard._docs import documented
from eksguard._framework import aws, construct_path
from eksguard.constructs._private import partition

ENTRY_TYPES = ("STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX")
SCOPES = ("cluster", "namespace")
ALLOWED_NODE_ENTRY_POLICIES = (
    "no access policies: EKS grants node entries (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX) "
    "their permissions itself"
)
ALLOWED_NAMESPACES = "namespaces for scope 'namespace', none for scope 'cluster'"
ALLOWED_PRINCIPAL = "an IAM role or user ARN such as 'arn:aws:iam::111122223333:role/admins'"


class AccessPolicy(str, Enum):
    """The EKS access policies, by name (their ARNs depend on the partition)."""

    CLUSTER_ADMIN = "AmazonEKSClusterAdminPolicy"
    """Everything, in every namespace: break-glass and platform administrators."""
    ADMIN = "AmazonEKSAdminPolicy"
    """Most resources, including RBAC within the scope, but not the cluster itself."""
    EDIT = "AmazonEKSEditPolicy"
    """Create and change most namespaced resources; no RBAC."""
    VIEW = "AmazonEKSViewPolicy"
    """Read most resources; no Secrets."""


def access_policy_arn(scope: Construct, policy: AccessPolicy) -> str:
    return f"arn:{partition(scope)}:eks::aws:cluster-access-policy/{AccessPolicy(policy).value}"


@documented
@dataclass(frozen=True, kw_only=True)
class AccessPolicyGrant:
    """One access policy granted to an entry, cluster-wide or in some namespaces.

    Example::

        AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace", namespaces=["shop"])
    """

    policy: AccessPolicy
    """The EKS access policy granted."""
    scope: str = "cluster"
    """"cluster" or "namespace". Default: "cluster"."""
    namespaces: Sequence[str] = ()
    """The namespaces of a "namespace" grant. Default: () — required for that scope."""


@documented
@dataclass(frozen=True, kw_only=True)
class AccessEntryOptions:
    """Everything about an access entry except its cluster; what
    ``SecureEksCluster.add_access_entry`` takes.

    Example::

        AccessEntryOptions(principal_arn=admins_role_arn,
                           grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)])
    """

    principal_arn: str
    """The IAM role or user the entry is for."""

    type: str = "STANDARD"
    """"STANDARD" for people and workloads, "EC2_LINUX" for self-managed nodes' roles.
    Default: "STANDARD"."""

    grants: Sequence[AccessPolicyGrant] = ()
    """Access policies to associate. Default: () — none (Kubernetes RBAC through
    ``kubernetes_groups`` only)."""

    kubernetes_groups: Sequence[str] = ()
    """Kubernetes groups the principal joins, for your own RBAC bindings. Default: ()."""


@documented
@dataclass(frozen=True, kw_only=True)
class AccessEntryProps(AccessEntryOptions):
    """Props of ``AccessEntry``: its options plus the cluster.

    Example::

        AccessEntryProps(cluster_name=cluster.cluster_name, principal_arn=admins_role_arn,
                         grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)])
    """

    cluster_name: str
    """The cluster."""


class AccessEntry(EksguardConstruct):
    """An ``aws_eks_access_entry`` and its ``aws_eks_access_policy_association`` resources.

    Example::

        AccessEntry(stack, "viewers", props=AccessEntryProps(
            cluster_name=cluster.cluster_name, principal_arn=viewers_arn,
            grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace",
                                      namespaces=["shop"])]))

    Properties: ``access_entry_arn``, ``principal_arn``, ``associations``. Its resource:
    ``entry`` (``aws_eks_access_entry``).
    """

    def __init__(self, scope: Construct, id: str, *, props: AccessEntryProps) -> None:
        super().__init__(scope, id)
        self.props = props
        _validate(construct_path(self), props)
        self.entry = aws.eks_access_entry.EksAccessEntry(
            self, "entry", cluster_name=props.cluster_name, principal_arn=props.principal_arn,
            type=props.type, kubernetes_groups=list(props.kubernetes_groups) or None)
        self._associations = [
            aws.eks_access_policy_association.EksAccessPolicyAssociation(
                self, f"policy-{AccessPolicy(grant.policy).value}-{index}",
                cluster_name=props.cluster_name, principal_arn=self.entry.principal_arn,
                policy_arn=access_policy_arn(self, grant.policy),
                access_scope={"type": grant.scope,
                              **({"namespaces": list(grant.namespaces)} if grant.namespaces else {})})
            for index, grant in enumerate(props.grants)
        ]

    @property
    def access_entry_arn(self) -> str:
        """The access entry's ARN, known after apply."""
        return self.entry.access_entry_arn

    @property
    def principal_arn(self) -> str:
        """The IAM principal's ARN, as a reference to the entry (so users wait for it)."""
        return self.entry.principal_arn

    @property
    def associations(self) -> Sequence[aws.eks_access_policy_association.EksAccessPolicyAssociation]:
        """One ``aws_eks_access_policy_association`` per grant, in the props' order."""
        return tuple(self._associations)


def _validate(path: str, props: AccessEntryProps) -> None:
    v.require_props(path, props, AccessEntryProps)
    v.require_cluster_name(path, "cluster_name", props.cluster_name)
    v.require_match(path, "principal_arn", props.principal_arn, _PRINCIPAL, ALLOWED_PRINCIPAL)
    v.require_one_of(path, "type", props.type, ENTRY_TYPES)
    # EKS's own rules for an entry's type, groups and username, as the emulator enforces them
    groups = list(props.kubernetes_groups)
    if not v.is_token(groups) and not any(v.is_token(g) for g in groups):
        try:
            eks_api_rules.check_entry_shape(props.type, groups, None)
        except eks_api_rules.EksApiRefusal as refusal:
            v.fail(path, refusal.field, groups, f"what EKS accepts: {refusal.message} "
                   "(EKS User Guide, 'Create access entries')")
    v.require_unique(path, "kubernetes_groups", groups)
    if props.type != "STANDARD" and props.grants:
        v.fail(path, "grants", [g.policy for g in props.grants], ALLOWED_NODE_ENTRY_POLICIES)
    for grant in props.grants:
        try:
            AccessPolicy(grant.policy)
        except ValueError:
            v.fail(path, "grants.policy", grant.policy,
                   "an AccessPolicy member: " + ", ".join(p.name for p in AccessPolicy))
        v.require_one_of(path, "grants.scope", grant.scope, SCOPES)
        if (grant.scope == "namespace") != bool(grant.namespaces):
            v.fail(path, "grants.namespaces", list(grant.namespaces), ALLOWED_NAMESPACES)
        for namespace in grant.namespaces:
            v.require_dns1123_label(path, "grants.namespaces", namespace)
        v.require_unique(path, "grants.namespaces", list(grant.namespaces))


_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
