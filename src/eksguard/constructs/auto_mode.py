"""EKS Auto Mode: the options ``EksCluster`` takes, the node role of its built-in node
pools (``AutoModeNodeRole``), and the rules EKS applies to the combination.

Sources: EKS User Guide, "Automate cluster infrastructure with EKS Auto Mode",
"Amazon EKS Auto Mode cluster IAM role" (auto-cluster-iam-role.html), "Amazon EKS Auto
Mode node IAM role" (auto-create-node-role.html), "Learn about identity and access in EKS
Auto Mode" (auto-learn-iam.html); EKS API reference, ``ComputeConfigRequest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import construct_path
from eksguard.constructs._private import create_role, managed_policy_arn, service_trust_policy

NODE_POOLS = ("general-purpose", "system")
"""The built-in node pools EKS runs for an Auto Mode cluster (case-sensitive)."""

CLUSTER_POLICIES = ("AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
                    "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy")
"""What the cluster role needs besides ``AmazonEKSClusterPolicy`` so that EKS can launch
nodes, attach volumes, create load balancers and manage ENIs (auto-cluster-iam-role.html)."""

NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")
"""Everything an Auto Mode node needs (auto-create-node-role.html): join the cluster and
pull images. No CNI policy (Auto Mode's networking runs with the cluster role's rights)."""

BUILT_IN_ADDONS = ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent")
"""What Auto Mode nodes run as part of the node, not as add-ons (automode.html, "Features")."""

MINIMUM_KUBERNETES_VERSION = (1, 29)
"""The oldest Kubernetes version EKS offers Auto Mode on."""

ALLOWED_NODE_POOLS = "zero or more of 'general-purpose', 'system', each at most once"
ALLOWED_NODE_ROLE_WITHOUT_POOLS = (
    "no node_role_arn when node_pools is empty: the role is only for the built-in node pools "
    "(your own NodeClass names its role, with an access entry of type EC2 for it)"
)
ALLOWED_AUTHENTICATION_MODE = (
    "'API' or 'API_AND_CONFIG_MAP': Auto Mode maps its roles to Kubernetes with access entries"
)
ALLOWED_BOOTSTRAP = (
    "False: Auto Mode runs vpc-cni, kube-proxy and CoreDNS on its nodes itself, so EKS must "
    "not also install them self-managed"
)
ALLOWED_VERSION = "Kubernetes 1.29 or later: EKS offers Auto Mode on no older version"


@documented
@dataclass(frozen=True, kw_only=True)
class AutoModeOptions:
    """EKS Auto Mode on an ``EksCluster``: EKS launches, patches and scales the nodes, and
    runs the VPC CNI, kube-proxy, CoreDNS, the EBS CSI driver, the Pod Identity agent and
    load balancing itself. Compute, block storage and load balancing are switched on
    together, as EKS requires.

    Example::

        EksClusterProps(name="prod", subnet_ids=[a.id, b.id], auto_mode=AutoModeOptions())
    """

    node_pools: Sequence[str] = NODE_POOLS
    """Built-in node pools: "general-purpose" for workloads, "system" for critical add-ons
    (tainted ``CriticalAddonsOnly``); empty to run only your own NodePools. Default:
    ("general-purpose", "system")."""

    node_role_arn: str | None = None
    """The role of the built-in node pools' nodes; EKS cannot change it once Auto Mode is
    on, so a new role (or a created one whose construct moves) replaces the cluster. Default: None — with node pools, an ``AutoModeNodeRole`` is created
    (``AmazonEKSWorkerNodeMinimalPolicy`` and ``AmazonEC2ContainerRegistryPullOnly``); EKS
    creates its access entry (type EC2, ``AmazonEKSAutoNodePolicy``) itself."""

    enabled: bool = True
    """False writes the three capabilities switched off: the apply AWS needs before Auto
    Mode can be removed (removing ``auto_mode`` alone leaves it on). In place on hashicorp/aws
    6.13 and later (the cdktn bindings pin a newer 6.x); 5.x plans a replacement of the
    cluster, as it does for any change of ``node_role_arn`` or emptied ``node_pools`` —
    read the plan first. Default: True."""


@documented
@dataclass(frozen=True, kw_only=True)
class AutoModeNodeRoleProps:
    """Props of ``AutoModeNodeRole``. Every field is optional.

    Example::

        AutoModeNodeRoleProps(tags={"team": "platform"})
    """

    role_name: str | None = None
    """The IAM role name. Default: a unique name Terraform derives from the construct id."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary for the role. Default: None — no boundary."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role. Default: no tags."""


class AutoModeNodeRole(EksguardConstruct):
    """The role of EKS Auto Mode nodes: trusts ``ec2.amazonaws.com`` and holds exactly
    ``AmazonEKSWorkerNodeMinimalPolicy`` and ``AmazonEC2ContainerRegistryPullOnly``.

    ``EksCluster`` creates one for the built-in node pools; create another for a custom
    NodeClass (and give it an ``AccessEntry`` of type EC2).

    Example::

        role = AutoModeNodeRole(stack, "gpu-nodes")

    Properties: ``role_arn``, ``role_name``. Its resources: ``role`` (``aws_iam_role``)
    and ``attachments``.
    """

    def __init__(self, scope: Construct, id: str, *, props: AutoModeNodeRoleProps | None = None) -> None:
        super().__init__(scope, id)
        self.props = props = props or AutoModeNodeRoleProps()
        path = construct_path(self)
        v.require_props(path, props, AutoModeNodeRoleProps)
        v.require_role_name(path, "role_name", props.role_name)
        v.require_boundary_arn(path, "permissions_boundary_arn", props.permissions_boundary_arn)
        self.role, self.attachments = create_role(
            self, role_name=props.role_name, trust_policy=service_trust_policy("ec2.amazonaws.com"),
            managed_policy_arns=[managed_policy_arn(self, name) for name in NODE_POLICIES],
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags)

    @property
    def role_arn(self) -> str:
        """The role's ARN, known after apply."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The role's name, as a Terraform reference."""
        return self.role.name


def validate_auto_mode(path: str, cluster: Any) -> None:
    """What EKS refuses (or what cannot work) for ``EksClusterProps`` with ``auto_mode``."""
    auto = cluster.auto_mode
    if auto is None:
        return
    v.require_props(path, auto, AutoModeOptions, "auto_mode")
    pools = list(auto.node_pools) if not v.is_token(auto.node_pools) else None
    if pools is not None and (len(set(pools)) != len(pools) or any(p not in NODE_POOLS for p in pools)):
        v.fail(path, "auto_mode.node_pools", pools, ALLOWED_NODE_POOLS)
    v.require_role_arn(path, "auto_mode.node_role_arn", auto.node_role_arn)
    if pools == [] and auto.node_role_arn is not None:
        v.fail(path, "auto_mode.node_role_arn", auto.node_role_arn, ALLOWED_NODE_ROLE_WITHOUT_POOLS)
    if not auto.enabled:
        return
    if cluster.authentication_mode == "CONFIG_MAP":
        v.fail(path, "authentication_mode", cluster.authentication_mode, ALLOWED_AUTHENTICATION_MODE)
    if cluster.bootstrap_self_managed_addons:
        v.fail(path, "bootstrap_self_managed_addons", True, ALLOWED_BOOTSTRAP)
    major, _, minor = str(cluster.kubernetes_version).partition(".")
    if major.isdigit() and minor.isdigit() and (int(major), int(minor)) < MINIMUM_KUBERNETES_VERSION:
        v.fail(path, "kubernetes_version", cluster.kubernetes_version, ALLOWED_VERSION)
