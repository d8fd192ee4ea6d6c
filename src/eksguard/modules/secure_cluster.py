"""A whole secure EKS cluster from one typed spec: ``SecureEksCluster``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard import _validation as v
from eksguard._framework import TerraformStack, aws, construct_path
from eksguard.constructs import (
    AccessEntry,
    AccessEntryOptions,
    AccessEntryProps,
    AddonPermissions,
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
    PodIdentityRole,
    PodIdentityRoleOptions,
    PodIdentityRoleProps,
    ServiceAccount,
    WorkloadIdentity,
    WorkloadIdentityProps,
    aws_managed_policy_arn,
)
from eksguard.guardrails import Guardrails

VPC_CNI_SERVICE_ACCOUNT = ServiceAccount(namespace="kube-system", name="aws-node")
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
ALLOWED_UNIQUE_NODE_GROUP_NAME = "a node group name not used by another node group of the cluster"
ALLOWED_CNI_ROLE_ORDER = (
    "add the VPC CNI's IRSA role (kube-system/aws-node) before node groups whose node "
    "role this module creates, so those roles leave out AmazonEKS_CNI_Policy"
)


@dataclass(frozen=True, kw_only=True)
class AddonIdentityOptions:
    """An add-on's workload identity and, optionally, the managed add-on itself.

    Example::

        AddonIdentityOptions(permissions=ebs_csi_driver())
    """

    permissions: AddonPermissions
    """What the add-on may do (``vpc_cni()``, ``ebs_csi_driver()``, ``cluster_autoscaler(...)`` ...)."""

    mode: str = "irsa"
    """"irsa", "pod_identity" or "both". Default: "irsa"."""

    install_managed_addon: bool = True
    """Create the ``aws_eks_addon`` when the permissions name one, wired to the IRSA role.
    Default: True."""

    addon_version: str | None = None
    """Managed add-on version. Default: None — the version EKS picks for the cluster."""


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

    addon_identities: Mapping[str, AddonIdentityOptions] = field(default_factory=dict)
    """Add-on identities (and managed add-ons) by construct id, created before node groups.
    Default: none."""

    pod_identity_roles: Mapping[str, PodIdentityRoleOptions] = field(default_factory=dict)
    """Pod Identity roles by construct id. Default: none."""

    access_entries: Mapping[str, AccessEntryOptions] = field(default_factory=dict)
    """Access entries by construct id. Default: none."""


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
        self.guardrails = Guardrails.of(TerraformStack.of(self))
        self.cluster = EksCluster(self, "cluster", props=spec.cluster)
        self.oidc_provider = ClusterOidcProvider(
            self, "oidc-provider",
            props=ClusterOidcProviderProps(issuer_url=self.cluster.oidc_issuer_url,
                                           tags=spec.cluster.tags))
        self.irsa_roles: dict[str, IrsaRole] = {}
        self.node_groups: dict[str, ManagedNodeGroup] = {}
        self.addon_identities: dict[str, WorkloadIdentity] = {}
        self.addons: dict[str, Any] = {}
        self.pod_identity_roles: dict[str, PodIdentityRole] = {}
        self.access_entries: dict[str, AccessEntry] = {}
        self._created_roles_with_cni_policy = False
        self.vpc_cni_has_own_role = False
        """True once a role of this cluster serves ``kube-system/aws-node``."""
        for role_id, role_options in spec.irsa_roles.items():
            self.add_irsa_role(role_id, role_options)
        for addon_id, addon_options in spec.addon_identities.items():
            self.add_addon_identity(addon_id, addon_options)
        for group_id, group_options in spec.node_groups.items():
            self.add_node_group(group_id, group_options)
        for role_id, pod_options in spec.pod_identity_roles.items():
            self.add_pod_identity_role(role_id, pod_options)
        for entry_id, entry_options in spec.access_entries.items():
            self.add_access_entry(entry_id, entry_options)

    def _claim_vpc_cni(self, id: str, service_accounts: Sequence[ServiceAccount]) -> None:
        if VPC_CNI_SERVICE_ACCOUNT not in service_accounts:
            return
        if self._created_roles_with_cni_policy:
            v.fail(f"{construct_path(self)}/{id}", "service_accounts", VPC_CNI_SERVICE_ACCOUNT,
                   ALLOWED_CNI_ROLE_ORDER)
        self.vpc_cni_has_own_role = True

    def add_irsa_role(self, id: str, options: IrsaRoleOptions) -> IrsaRole:
        """Add an IRSA role trusting this cluster's OIDC provider."""
        self._claim_vpc_cni(id, options.service_accounts)
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
        self._order()
        return group

    def add_addon_identity(self, id: str, options: AddonIdentityOptions) -> WorkloadIdentity:
        """Give an add-on its own workload identity (never the node role's rights) and,
        when it is a managed add-on, install it wired to that identity."""
        permissions = options.permissions
        self._claim_vpc_cni(id, [permissions.service_account])
        identity = WorkloadIdentity(self, id, props=WorkloadIdentityProps(
            service_account=permissions.service_account, mode=options.mode,
            oidc_provider=self.oidc_provider, cluster_name=self.cluster.cluster_name,
            managed_policy_arns=[aws_managed_policy_arn(self, name) for name in permissions.managed_policies],
            inline_policies=permissions.inline_policies, tags=self.spec.cluster.tags))
        self.addon_identities[id] = identity
        if permissions.addon_name and options.install_managed_addon:
            self.addons[permissions.addon_name] = aws.eks_addon.EksAddon(
                self, f"{id}-addon", cluster_name=self.cluster.cluster_name,
                addon_name=permissions.addon_name, addon_version=options.addon_version,
                service_account_role_arn=identity.irsa_role.role_arn if identity.irsa_role else None,
                tags=dict(self.spec.cluster.tags))
        self._order()
        return identity

    def add_pod_identity_role(self, id: str, options: PodIdentityRoleOptions) -> PodIdentityRole:
        """Add a Pod Identity role; the ``eks-pod-identity-agent`` add-on comes with the first."""
        self._claim_vpc_cni(id, options.service_accounts)
        role = PodIdentityRole(self, id, props=PodIdentityRoleProps(
            cluster_name=self.cluster.cluster_name,
            **{**_fields(options), "install_agent": False,
               "tags": {**self.spec.cluster.tags, **options.tags}}))
        self.pod_identity_roles[id] = role
        if options.install_agent and POD_IDENTITY_AGENT not in self.addons:
            self.addons[POD_IDENTITY_AGENT] = aws.eks_addon.EksAddon(
                self, POD_IDENTITY_AGENT, cluster_name=self.cluster.cluster_name,
                addon_name=POD_IDENTITY_AGENT, tags=dict(self.spec.cluster.tags))
        self._order()
        return role

    def add_access_entry(self, id: str, options: AccessEntryOptions) -> AccessEntry:
        """Grant an IAM principal access through the Cluster Access API."""
        entry = AccessEntry(self, id, props=AccessEntryProps(
            cluster_name=self.cluster.cluster_name, **_fields(options)))
        self.access_entries[id] = entry
        return entry

    def _order(self) -> None:
        """Node groups come after the VPC CNI add-on (nodes need it to become ready);
        every other add-on comes after the node groups (its pods need nodes)."""
        cni = self.addons.get("vpc-cni")
        for group in self.node_groups.values():
            group.node_group.depends_on = [_address(r) for r in (*group.node_role.attachments, *([cni] if cni else []))]
        groups = [_address(g.node_group) for g in self.node_groups.values()]
        for name, addon in self.addons.items():
            if name != "vpc-cni":
                addon.depends_on = list(groups)


def _address(resource: Any) -> str:
    """The Terraform address ``depends_on`` lists (its setter takes addresses, not objects)."""
    return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"


def _fields(options: object) -> dict[str, object]:
    """The fields of an options dataclass, shallow (nested constructs are kept as is)."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}  # type: ignore[arg-type]
