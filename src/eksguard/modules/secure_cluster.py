"""A whole secure EKS cluster from one typed props object: ``SecureEksCluster``."""

from __future__ import annotations

import warnings

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import TerraformResourceLifecycle, TerraformStack, aws, construct_path
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
    vpc_cni,
)
from eksguard.constructs.auto_mode import BUILT_IN_ADDONS as AUTO_MODE_BUILT_IN_ADDONS
from eksguard.constructs.karpenter import Karpenter, KarpenterProps
from eksguard.guardrails import Guardrails, waive_for

VPC_CNI_SERVICE_ACCOUNT = ServiceAccount(namespace="kube-system", name="aws-node")
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
BEFORE_NODES = ("vpc-cni", "kube-proxy")
"""Add-ons nodes need to become Ready: pod networking and service routing."""
CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns")
"""What EKS bootstraps unmanaged unless told not to; this module installs them managed."""
SCALER_SERVICE_ACCOUNT_MARKERS = ("cluster-autoscaler",)
"""Workloads that set managed node groups' desired size (Karpenter launches its own
instances and never resizes a node group)."""
VPC_CNI_IDENTITIES = ("irsa", "pod_identity", "node_role")
ALLOWED_UNIQUE_NODE_GROUP_NAME = "a node group name not used by another node group of the cluster"
ALLOWED_UNBOUND_CNI_ROLE = (
    "no plain role for kube-system/aws-node: nothing would bind it before nodes join, so "
    "aws-node would run on a node role without AmazonEKS_CNI_Policy and nodes would never "
    "become Ready. The module binds one itself (core_addons=CoreAddonsOptions("
    "vpc_cni_identity='irsa' or 'pod_identity')), or use addon_identities with vpc_cni()"
)
ALLOWED_PROPS = "props=SecureEksClusterProps(cluster=EksClusterProps(...), ...)"
ALLOWED_UNIQUE_ADDON = (
    "an add-on the cluster does not have yet; the module installs vpc-cni, kube-proxy and "
    "coredns itself (choose aws-node's identity and pin versions with core_addons)"
)
ALLOWED_AUTO_MODE_ADDON = (
    "an add-on Auto Mode does not run itself: an Auto Mode cluster without managed node groups "
    "runs vpc-cni, kube-proxy, CoreDNS, the EBS CSI driver and the Pod Identity agent on its "
    "nodes (the cluster role holds their rights), so this identity and add-on would be unused; "
    "add a managed node group if its nodes need the add-on"
)
ALLOWED_KARPENTER_ON_AUTO_MODE = (
    "a cluster without Auto Mode: Auto Mode is Karpenter run by EKS (its NodePools and "
    "NodeClasses), and a second Karpenter would fight it over the same nodes"
)
ALLOWED_KARPENTER_PROPS = "None, or KarpenterProps(...) (its cluster_name is replaced by this cluster's)"
ALLOWED_UNIQUE_PRINCIPAL = (
    "one access entry per principal in a cluster (EKS refuses a second one at apply); "
    "{other} already has one for it: give that entry all of the principal's grants"
)


@documented
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


@documented
@dataclass(frozen=True, kw_only=True)
class CoreAddonsOptions:
    """How the module installs vpc-cni, kube-proxy and coredns as EKS managed add-ons.

    Example::

        CoreAddonsOptions(vpc_cni_identity="pod_identity", addon_versions={"coredns": "v1.13.1-eksbuild.1"})
    """

    vpc_cni_identity: str = "irsa"
    """Where aws-node's AWS rights come from: "irsa" (the add-on carries the role) or
    "pod_identity" (the association exists before the add-on), both with node roles
    without the CNI policy; or "node_role" (node roles keep AmazonEKS_CNI_Policy).
    Default: "irsa"."""

    addon_versions: Mapping[str, str] = field(default_factory=dict)
    """Pinned versions by add-on name (any add-on of the module). Default: none — the newest
    version EKS publishes for the cluster's Kubernetes version (``aws_eks_addon_version``),
    so add-ons move with the cluster on upgrade."""

    resolve_conflicts: str = "OVERWRITE"
    """What EKS does with fields changed in-cluster when it creates or updates an add-on:
    "OVERWRITE" or "PRESERVE". Default: "OVERWRITE" — Terraform's configuration wins."""


@documented
@dataclass(frozen=True, kw_only=True)
class SecureEksClusterProps:
    """Everything ``SecureEksCluster`` builds.

    Example::

        SecureEksClusterProps(
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

    core_addons: CoreAddonsOptions = field(default_factory=CoreAddonsOptions)
    """vpc-cni (with its own identity), kube-proxy and coredns as managed add-ons; on an
    Auto Mode cluster (``cluster.auto_mode``) only once it has managed node groups, since
    Auto Mode nodes run them (and the Pod Identity agent) themselves.
    Default: ``CoreAddonsOptions()`` — IRSA for aws-node, newest versions."""


class SecureEksCluster(EksguardConstruct):
    """An EKS cluster with its OIDC provider, IRSA roles and managed node groups.

    IRSA trust policies are computed from the cluster's issuer, and nothing points back
    from a role to the cluster, so the wiring cannot cycle.

    Example::

        eks = SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id])))
        eks.add_node_group("spot", ManagedNodeGroupOptions(capacity_type="SPOT"))
        TerraformOutput(stack, "cluster_name", value=eks.cluster_name)

    Properties: ``cluster``, ``cluster_name``, ``cluster_arn``, ``cluster_endpoint``,
    ``oidc_provider``, ``oidc_provider_arn``, ``irsa_roles``, ``pod_identity_roles``,
    ``node_groups``, ``addon_identities``, ``addons``, ``addon_versions``,
    ``access_entries``, ``karpenters``, ``guardrails``, ``vpc_cni_has_own_role``; the collections are
    read-only mappings by construct id (``addons`` and ``addon_versions`` by add-on name).
    """

    def __init__(self, scope: Construct, id: str, *, props: SecureEksClusterProps | None = None,
                 spec: SecureEksClusterProps | None = None) -> None:
        super().__init__(scope, id)
        if spec is not None:
            warnings.warn("SecureEksCluster(spec=...) is deprecated: pass props=SecureEksClusterProps(...)",
                          DeprecationWarning, stacklevel=2)
            props = props or spec
        if props is None:
            v.fail(construct_path(self), "props", None, ALLOWED_PROPS)
        v.require_props(construct_path(self), props, SecureEksClusterProps)
        self.props: SecureEksClusterProps = props
        spec = props
        self._guardrails = Guardrails.of(TerraformStack.of(self))
        self._cluster = EksCluster(self, "cluster", props=spec.cluster)
        self._oidc_provider = ClusterOidcProvider(
            self, "oidc-provider",
            props=ClusterOidcProviderProps(issuer_url=self.cluster.oidc_issuer_url,
                                           tags=spec.cluster.tags))
        self._irsa_roles: dict[str, IrsaRole] = {}
        self._node_groups: dict[str, ManagedNodeGroup] = {}
        self._addon_identities: dict[str, WorkloadIdentity] = {}
        self._addons: dict[str, aws.eks_addon.EksAddon] = {}
        self._pod_identity_roles: dict[str, PodIdentityRole] = {}
        self._access_entries: dict[str, AccessEntry] = {}
        self._karpenters: dict[str, Karpenter] = {}
        self._addon_versions: dict[str, aws.data_aws_eks_addon_version.DataAwsEksAddonVersion] = {}
        self._vpc_cni_has_own_role = False
        self._scaled_externally = False
        self._scaling_chosen: set[str] = set()
        """Node groups whose options set ``desired_size_managed_by_autoscaler`` themselves."""
        self._auto_mode = self._cluster.auto_mode_enabled
        self._nodes_need_addons = not self._auto_mode or bool(spec.node_groups)
        """False for an Auto Mode cluster until it gets a managed node group: its own nodes
        run the core add-ons and the Pod Identity agent."""
        self._agent_wanted = False
        _validate_spec(construct_path(self), spec)
        for role_id, role_options in spec.irsa_roles.items():
            self.add_irsa_role(role_id, role_options)
        for addon_id, addon_options in spec.addon_identities.items():
            self.add_addon_identity(addon_id, addon_options)
        if self._nodes_need_addons:
            self._install_core_addons()
        for group_id, group_options in spec.node_groups.items():
            self.add_node_group(group_id, group_options)
        for role_id, pod_options in spec.pod_identity_roles.items():
            self.add_pod_identity_role(role_id, pod_options)
        for entry_id, entry_options in spec.access_entries.items():
            self.add_access_entry(entry_id, entry_options)

    @property
    def cluster(self) -> EksCluster:
        """The control plane: ``cluster.cluster_name``, ``cluster.cluster_arn``, ``cluster.oidc_issuer_url`` ..."""
        return self._cluster

    @property
    def cluster_name(self) -> str:
        """The EKS cluster's name, as a Terraform reference (``cluster.cluster_name``)."""
        return self._cluster.cluster_name

    @property
    def cluster_arn(self) -> str:
        """The EKS cluster's ARN, known after apply (``cluster.cluster_arn``)."""
        return self._cluster.cluster_arn

    @property
    def cluster_endpoint(self) -> str:
        """The Kubernetes API server URL, known after apply (``cluster.cluster_endpoint``)."""
        return self._cluster.cluster_endpoint

    @property
    def oidc_provider(self) -> ClusterOidcProvider:
        """The cluster's IAM OIDC identity provider, which every IRSA role of the module trusts."""
        return self._oidc_provider

    @property
    def oidc_provider_arn(self) -> str:
        """The OIDC provider's ARN, known after apply (``oidc_provider.provider_arn``)."""
        return self._oidc_provider.provider_arn

    @property
    def irsa_roles(self) -> Mapping[str, IrsaRole]:
        """IRSA roles by construct id, from the props and ``add_irsa_role`` (a read-only view)."""
        return MappingProxyType(self._irsa_roles)

    @property
    def pod_identity_roles(self) -> Mapping[str, PodIdentityRole]:
        """Pod Identity roles by construct id, from the props and ``add_pod_identity_role``."""
        return MappingProxyType(self._pod_identity_roles)

    @property
    def node_groups(self) -> Mapping[str, ManagedNodeGroup]:
        """Managed node groups by construct id, from the props and ``add_node_group``."""
        return MappingProxyType(self._node_groups)

    @property
    def addon_identities(self) -> Mapping[str, WorkloadIdentity]:
        """Add-on workload identities by construct id; ``"vpc-cni"`` is aws-node's unless
        ``core_addons.vpc_cni_identity`` is "node_role"."""
        return MappingProxyType(self._addon_identities)

    @property
    def addons(self) -> Mapping[str, aws.eks_addon.EksAddon]:
        """The ``aws_eks_addon`` resources by add-on name: "vpc-cni", "kube-proxy", "coredns" ..."""
        return MappingProxyType(self._addons)

    @property
    def addon_versions(self) -> Mapping[str, aws.data_aws_eks_addon_version.DataAwsEksAddonVersion]:
        """The ``aws_eks_addon_version`` data sources of add-ons without a pinned version, by add-on name."""
        return MappingProxyType(self._addon_versions)

    @property
    def access_entries(self) -> Mapping[str, AccessEntry]:
        """Access entries by construct id, from the props and ``add_access_entry``."""
        return MappingProxyType(self._access_entries)

    @property
    def guardrails(self) -> Guardrails:
        """The guardrails of the module's stack, e.g. to ``waive`` a rule with a reason."""
        return self._guardrails

    @property
    def vpc_cni_has_own_role(self) -> bool:
        """True once a role of this cluster serves ``kube-system/aws-node``."""
        return self._vpc_cni_has_own_role

    def _install_core_addons(self) -> None:
        """vpc-cni with a bound identity (unless the spec gave one), kube-proxy, coredns."""
        core = self.props.core_addons
        if "vpc-cni" not in self.addons:
            if core.vpc_cni_identity == "node_role":
                self._addon("vpc-cni", "vpc-cni-addon")
            else:
                self.add_addon_identity("vpc-cni", AddonIdentityOptions(
                    permissions=vpc_cni(), mode="irsa" if core.vpc_cni_identity == "irsa" else "pod_identity"))
        for name in ("kube-proxy", "coredns"):
            if name not in self.addons:
                self._addon(name, name)
        self._order()

    def _addon(self, name: str, id: str, *, role_arn: str | None = None, version: str | None = None) -> Any:
        """A managed add-on at a pinned version or the newest for the cluster's version."""
        core = self.props.core_addons
        pinned = version or core.addon_versions.get(name)
        if pinned is None:
            if name not in self._addon_versions:
                self._addon_versions[name] = aws.data_aws_eks_addon_version.DataAwsEksAddonVersion(
                    self, f"{name}-version", addon_name=name,
                    # The literal version, not the cluster's attribute: a pending change to the
                    # cluster would otherwise defer the lookup and show every add-on as
                    # "known after apply". Add-ons still update after the cluster (they
                    # reference it).
                    kubernetes_version=self.props.cluster.kubernetes_version, most_recent=True)
            pinned = self._addon_versions[name].version
        addon = aws.eks_addon.EksAddon(
            self, id, cluster_name=self.cluster.cluster_name, addon_name=name, addon_version=pinned,
            service_account_role_arn=role_arn,
            resolve_conflicts_on_create=core.resolve_conflicts,
            resolve_conflicts_on_update=core.resolve_conflicts,
            tags=dict(self.props.cluster.tags))
        self._addons[name] = addon
        return addon

    def _claim_vpc_cni(self, id: str, service_accounts: Sequence[ServiceAccount], *, bound: bool) -> None:
        if VPC_CNI_SERVICE_ACCOUNT not in service_accounts:
            return
        if not bound:
            v.fail(f"{construct_path(self)}/{id}", "service_accounts", VPC_CNI_SERVICE_ACCOUNT,
                   ALLOWED_UNBOUND_CNI_ROLE)
        self._vpc_cni_has_own_role = True

    def _note_scaler(self, service_accounts: Sequence[ServiceAccount]) -> None:
        if any(marker in sa.name for sa in service_accounts for marker in SCALER_SERVICE_ACCOUNT_MARKERS):
            self._scaled_externally = True

    def add_irsa_role(self, id: str, options: IrsaRoleOptions) -> IrsaRole:
        """Add an IRSA role trusting this cluster's OIDC provider."""
        v.require_props(f"{construct_path(self)}/{id}", options, IrsaRoleOptions, "options")
        self._claim_vpc_cni(id, options.service_accounts, bound=False)
        self._note_scaler(options.service_accounts)
        role = IrsaRole(self, id, props=IrsaRoleProps(
            oidc_provider=self.oidc_provider,
            **{**_fields(options), "tags": {**self.props.cluster.tags, **options.tags}},
        ))
        self._irsa_roles[id] = role
        return role

    def add_node_group(self, id: str, options: ManagedNodeGroupOptions | None = None) -> ManagedNodeGroup:
        """Add a managed node group; its subnets default to the cluster's, and its node
        role leaves out the CNI policy when the VPC CNI has its own IRSA role."""
        if options is not None:
            v.require_props(f"{construct_path(self)}/{id}", options, ManagedNodeGroupOptions, "options")
        options = options or ManagedNodeGroupOptions()
        name = options.node_group_name or id
        if name in {g.props.node_group_name or g.node.id for g in self.node_groups.values()}:
            v.fail(f"{construct_path(self)}/{id}", "node_group_name", name,
                   ALLOWED_UNIQUE_NODE_GROUP_NAME)
        if not self._nodes_need_addons:
            # The first managed node group of an Auto Mode cluster: its nodes need what
            # Auto Mode nodes run themselves (aws-node's role first, so the node
            # role leaves out the CNI policy).
            self._nodes_need_addons = True
            self._install_core_addons()
            if self._agent_wanted:
                self._ensure_agent()
        node_role = options.node_role
        if node_role is None:
            attach_cni = not self.vpc_cni_has_own_role
            node_role = NodeRole(self, f"{id}-node-role", props=NodeRoleProps(
                attach_vpc_cni_policy=attach_cni, tags=self.props.cluster.tags))
        if options.desired_size_managed_by_autoscaler is not None:
            self._scaling_chosen.add(id)
        group = ManagedNodeGroup(self, id, props=ManagedNodeGroupProps(
            cluster_name=self.cluster.cluster_name,
            **{**_fields(options),
               "subnet_ids": options.subnet_ids or self.props.cluster.subnet_ids,
               "kubernetes_version": options.kubernetes_version or self.cluster.cluster.version,
               "node_role": node_role,
               "desired_size_managed_by_autoscaler": options.desired_size_managed_by_autoscaler
               if options.desired_size_managed_by_autoscaler is not None else self._scaled_externally,
               "tags": {**self.props.cluster.tags, **options.tags}},
        ))
        self._node_groups[id] = group
        self._order()
        return group

    def add_addon_identity(self, id: str, options: AddonIdentityOptions) -> WorkloadIdentity:
        """Give an add-on its own workload identity (never the node role's rights) and,
        when it is a managed add-on, install it wired to that identity."""
        v.require_props(f"{construct_path(self)}/{id}", options, AddonIdentityOptions, "options")
        permissions = options.permissions
        if (not self._nodes_need_addons and options.install_managed_addon
                and permissions.addon_name in AUTO_MODE_BUILT_IN_ADDONS):
            v.fail(f"{construct_path(self)}/{id}", "permissions.addon_name", permissions.addon_name,
                   ALLOWED_AUTO_MODE_ADDON)
        if permissions.addon_name in self.addons and options.install_managed_addon:
            v.fail(f"{construct_path(self)}/{id}", "permissions.addon_name", permissions.addon_name,
                   ALLOWED_UNIQUE_ADDON)
        self._claim_vpc_cni(id, [permissions.service_account],
                            bound=bool(permissions.addon_name and options.install_managed_addon))
        self._note_scaler([permissions.service_account])
        identity = WorkloadIdentity(self, id, props=WorkloadIdentityProps(
            service_account=permissions.service_account, mode=options.mode,
            oidc_provider=self.oidc_provider, cluster_name=self.cluster.cluster_name,
            managed_policy_arns=[aws_managed_policy_arn(self, name) for name in permissions.managed_policies],
            inline_policies=permissions.inline_policies, install_agent=False, tags=self.props.cluster.tags))
        for rule, reason in permissions.guardrail_waivers.items():
            waive_for(identity, rule=rule, reason=reason, source="AddonPermissions.guardrail_waivers")
        self._addon_identities[id] = identity
        if permissions.addon_name and options.install_managed_addon:
            # The add-on carries its IRSA role (EKS annotates the service account), or the
            # Pod Identity association exists before it: the workload has its rights from
            # its first start.
            addon = self._addon(permissions.addon_name, f"{id}-addon", version=options.addon_version,
                                role_arn=identity.irsa_role.role_arn if identity.irsa_role else None)
            # The add-on's pods start with their role's policies in place.
            ready = [*(identity.irsa_role.attachments if identity.irsa_role else ()),
                     *(identity.pod_identity_role.associations if identity.pod_identity_role else ())]
            addon.depends_on = [_address(r) for r in ready] or None
        if identity.pod_identity_role is not None:
            self._ensure_agent()
        self._order()
        return identity

    def add_pod_identity_role(self, id: str, options: PodIdentityRoleOptions) -> PodIdentityRole:
        """Add a Pod Identity role; the ``eks-pod-identity-agent`` add-on comes with the first."""
        v.require_props(f"{construct_path(self)}/{id}", options, PodIdentityRoleOptions, "options")
        self._claim_vpc_cni(id, options.service_accounts, bound=False)
        self._note_scaler(options.service_accounts)
        role = PodIdentityRole(self, id, props=PodIdentityRoleProps(
            cluster_name=self.cluster.cluster_name,
            **{**_fields(options), "install_agent": False,
               "tags": {**self.props.cluster.tags, **options.tags}}))
        self._pod_identity_roles[id] = role
        if options.install_agent:
            self._ensure_agent()
        self._order()
        return role

    def _ensure_agent(self) -> None:
        """One ``eks-pod-identity-agent`` add-on per cluster, shared with standalone
        Pod Identity roles of the stack that name the cluster the same way; none while an
        Auto Mode cluster has only its own nodes (they run the agent)."""
        self._agent_wanted = True
        if POD_IDENTITY_AGENT in self.addons or not self._nodes_need_addons:
            return
        agents = TerraformStack.of(self).__dict__.setdefault("_eksguard_pod_identity_agents", {})
        name = self.cluster.cluster_name
        if name in agents:
            self._addons[POD_IDENTITY_AGENT] = agents[name]
        else:
            agents[name] = self._addon(POD_IDENTITY_AGENT, POD_IDENTITY_AGENT)

    def add_karpenter(self, id: str = "karpenter", props: KarpenterProps | None = None) -> Karpenter:
        """Karpenter's AWS side for this cluster (``Karpenter``): its controller identity,
        node role and access entry, and interruption queue. From ``props`` (default:
        ``KarpenterProps`` with its defaults), the cluster name is always this cluster's; an
        IRSA controller trusts this cluster's OIDC provider; the node role leaves out the
        CNI policy when aws-node has its own identity; a Pod Identity controller brings the
        ``eks-pod-identity-agent`` add-on. Run the controller itself on a managed node group
        (it must not run on nodes it manages). Refused on an Auto Mode cluster."""
        path = f"{construct_path(self)}/{id}"
        if self._auto_mode:
            v.fail(path, "cluster.auto_mode", self.props.cluster.auto_mode, ALLOWED_KARPENTER_ON_AUTO_MODE)
        if props is not None:
            v.require_props(path, props, KarpenterProps, "props")
        given = props or KarpenterProps(cluster_name=self.cluster_name)
        node_role = given.node_role or NodeRoleProps(attach_vpc_cni_policy=not self.vpc_cni_has_own_role)
        karpenter = Karpenter(self, id, props=dataclasses.replace(
            given, cluster_name=self.cluster_name, oidc_provider=given.oidc_provider or self.oidc_provider,
            node_role=node_role, tags={**self.props.cluster.tags, **given.tags}))
        if given.identity == "pod_identity":
            self._ensure_agent()
        self._karpenters[id] = karpenter
        return karpenter

    @property
    def karpenters(self) -> Mapping[str, Karpenter]:
        """``Karpenter`` setups by construct id, from ``add_karpenter``."""
        return MappingProxyType(self._karpenters)

    def add_access_entry(self, id: str, options: AccessEntryOptions) -> AccessEntry:
        """Grant an IAM principal access through the Cluster Access API."""
        v.require_props(f"{construct_path(self)}/{id}", options, AccessEntryOptions, "options")
        _require_unique_principal(self, id, options.principal_arn)
        entry = AccessEntry(self, id, props=AccessEntryProps(
            cluster_name=self.cluster.cluster_name, **_fields(options)))
        self._access_entries[id] = entry
        return entry

    def _order(self) -> None:
        """Node groups come after vpc-cni and kube-proxy (nodes need them to become Ready);
        every other add-on comes after the node groups (its pods need nodes). A node group
        some autoscaler scales leaves ``desired_size`` to it."""
        before = [self.addons[name] for name in BEFORE_NODES if name in self.addons]
        for group in self.node_groups.values():
            group.node_group.depends_on = [_address(r) for r in (*group.node_role.attachments, *before)]
            if (self._scaled_externally and group.node.id not in self._scaling_chosen
                    and group.props.desired_size_managed_by_autoscaler is not True):
                group.node_group.lifecycle = TerraformResourceLifecycle(
                    ignore_changes=["scaling_config[0].desired_size"])
        groups = [_address(g.node_group) for g in self.node_groups.values()]
        for name, addon in self.addons.items():
            own = [d for d in (addon.depends_on or []) if not d.startswith("aws_eks_node_group.")]
            addon.depends_on = own + (list(groups) if name not in BEFORE_NODES else []) or None


def _require_unique_principal(cluster: Construct, id: str, principal_arn: str) -> None:
    """EKS keeps one access entry per principal and cluster; a second fails only at apply.
    Literal ARNs compare by value, tokens by their string (the same reference twice)."""
    for other in cluster.node.children:
        if isinstance(other, AccessEntry) and other.props.principal_arn == principal_arn:
            v.fail(f"{construct_path(cluster)}/{id}", "principal_arn", principal_arn,
                   ALLOWED_UNIQUE_PRINCIPAL.format(other=construct_path(other)))


KEYED_FIELDS = ("irsa_roles", "addon_identities", "node_groups", "pod_identity_roles", "access_entries")
"""The props whose keys become construct ids directly under the SecureEksCluster."""


def _validate_spec(path: str, spec: SecureEksClusterProps) -> None:
    v.require_one_of(path, "core_addons.vpc_cni_identity", spec.core_addons.vpc_cni_identity, VPC_CNI_IDENTITIES)
    v.require_one_of(path, "core_addons.resolve_conflicts", spec.core_addons.resolve_conflicts,
                     ("OVERWRITE", "PRESERVE"))
    owner: dict[str, str] = {}
    for name in KEYED_FIELDS:
        for key in getattr(spec, name) or {}:
            if key in owner:
                v.fail(path, name, key, f"a key {owner[key]} does not use: each key is a construct id under {path}")
            owner[key] = name
            if name == "node_groups":
                owner[f"{key}-node-role"] = f"node_groups (its node role, {key}-node-role)"


def _address(resource: Any) -> str:
    """The Terraform address ``depends_on`` lists (its setter takes addresses, not objects)."""
    return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"


def _fields(options: object) -> dict[str, object]:
    """The fields of an options dataclass, shallow (nested constructs are kept as is)."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}  # type: ignore[arg-type]


SecureEksClusterSpec = SecureEksClusterProps
"""Deprecated name of ``SecureEksClusterProps`` (see CHANGELOG, 0.2.0)."""
