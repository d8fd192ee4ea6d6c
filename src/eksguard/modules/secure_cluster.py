"""A whole secure EKS cluster from one typed spec: ``SecureEksCluster``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from eksguard import _validation as v
from eksguard._framework import construct_path
from eksguard.constructs import (
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EksCluster,
    EksClusterProps,
    IrsaRole,
    IrsaRoleOptions,
    IrsaRoleProps,
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    NodeRole,
    NodeRoleProps,
    ServiceAccount,
)

VPC_CNI_SERVICE_ACCOUNT = ServiceAccount(namespace="kube-system", name="aws-node")
ALLOWED_UNIQUE_NODE_GROUP_NAME = "a node group name not used by another node group of the cluster"
ALLOWED_CNI_ROLE_ORDER = (
    "add the VPC CNI's IRSA role (kube-system/aws-node) before node groups whose node "
    "role this module creates, so those roles leave out AmazonEKS_CNI_Policy"
)


@dataclass(frozen=True, kw_only=True)
class SecureEksClusterSpec:
    """Everything ``SecureEksCluster`` builds.

    Example::

        SecureEksClusterSpec(
            cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id]),
            node_groups={"general": ManagedNodeGroupOptions()},
        )
    """

    cluster: EksClusterProps
    """The control plane."""

    node_groups: Mapping[str, ManagedNodeGroupOptions] = field(default_factory=dict)
    """Managed node groups by construct id. Default: none."""

    irsa_roles: Mapping[str, IrsaRoleOptions] = field(default_factory=dict)
    """IRSA roles by construct id; one for ``kube-system/aws-node`` takes the CNI policy
    off the node roles this module creates. Default: none."""


class SecureEksCluster(Construct):
    """An EKS cluster with its OIDC provider, IRSA roles and managed node groups.

    IRSA trust policies are computed from the cluster's issuer, and nothing points back
    from a role to the cluster, so the wiring cannot cycle.

    Example::

        eks = SecureEksCluster(stack, "eks", spec=SecureEksClusterSpec(
            cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id])))
        eks.add_node_group("spot", ManagedNodeGroupOptions(capacity_type="SPOT"))
    """

    def __init__(self, scope: Construct, id: str, *, spec: SecureEksClusterSpec) -> None:
        super().__init__(scope, id)
        self.spec = spec
        self.cluster = EksCluster(self, "cluster", props=spec.cluster)
        self.oidc_provider = ClusterOidcProvider(
            self, "oidc-provider",
            props=ClusterOidcProviderProps(issuer_url=self.cluster.oidc_issuer_url,
                                           tags=spec.cluster.tags))
        self.irsa_roles: dict[str, IrsaRole] = {}
        self.node_groups: dict[str, ManagedNodeGroup] = {}
        self._created_roles_with_cni_policy = False
        for role_id, role_options in spec.irsa_roles.items():
            self.add_irsa_role(role_id, role_options)
        for group_id, group_options in spec.node_groups.items():
            self.add_node_group(group_id, group_options)

    @property
    def vpc_cni_has_own_role(self) -> bool:
        """True when an IRSA role of this cluster serves ``kube-system/aws-node``."""
        return any(VPC_CNI_SERVICE_ACCOUNT in role.props.service_accounts
                   for role in self.irsa_roles.values())

    def add_irsa_role(self, id: str, options: IrsaRoleOptions) -> IrsaRole:
        """Add an IRSA role trusting this cluster's OIDC provider."""
        if VPC_CNI_SERVICE_ACCOUNT in options.service_accounts and self._created_roles_with_cni_policy:
            v.fail(f"{construct_path(self)}/{id}", "service_accounts", VPC_CNI_SERVICE_ACCOUNT,
                   ALLOWED_CNI_ROLE_ORDER)
        role = IrsaRole(self, id, props=IrsaRoleProps(
            oidc_provider=self.oidc_provider,
            **{**_fields(options), "tags": {**self.spec.cluster.tags, **options.tags}},
        ))
        self.irsa_roles[id] = role
        return role

    def add_node_group(self, id: str, options: ManagedNodeGroupOptions | None = None) -> ManagedNodeGroup:
        """Add a managed node group; its subnets default to the cluster's, and its node
        role leaves out the CNI policy when the VPC CNI has its own IRSA role."""
        options = options or ManagedNodeGroupOptions()
        name = options.node_group_name or id
        if name in {g.props.node_group_name or g.node.id for g in self.node_groups.values()}:
            v.fail(f"{construct_path(self)}/{id}", "node_group_name", name,
                   ALLOWED_UNIQUE_NODE_GROUP_NAME)
        node_role = options.node_role
        if node_role is None:
            attach_cni = not self.vpc_cni_has_own_role
            node_role = NodeRole(self, f"{id}-node-role", props=NodeRoleProps(
                attach_vpc_cni_policy=attach_cni, tags=self.spec.cluster.tags))
            self._created_roles_with_cni_policy |= attach_cni
        group = ManagedNodeGroup(self, id, props=ManagedNodeGroupProps(
            cluster_name=self.cluster.cluster_name,
            **{**_fields(options),
               "subnet_ids": options.subnet_ids or self.spec.cluster.subnet_ids,
               "node_role": node_role,
               "tags": {**self.spec.cluster.tags, **options.tags}},
        ))
        self.node_groups[id] = group
        return group


def _fields(options: object) -> dict[str, object]:
    """The fields of an options dataclass, shallow (nested constructs are kept as is)."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}  # type: ignore[arg-type]
