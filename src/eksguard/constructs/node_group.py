"""EKS managed node groups: ``ManagedNodeGroup``, its options and props, and ``Taint``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import TerraformResourceLifecycle, aws, construct_path
from eksguard.constructs.cluster import ALLOWED_KUBERNETES_VERSION, KUBERNETES_VERSION
from eksguard.constructs.launch_template import (
    BOTTLEROCKET_DATA_DEVICE_NAME,
    Imdsv2LaunchTemplate,
    props_for_ami_type,
)
from eksguard.constructs.node_role import NodeRole

DEFAULT_INSTANCE_TYPES = ("m6i.large",)
DEFAULT_AMI_TYPE = "AL2023_x86_64_STANDARD"
"""Amazon Linux 2 reached end of support in 2025; AL2023 is the current EKS-optimized AMI."""

AMI_TYPES = (
    "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NVIDIA",
    "AL2023_x86_64_NEURON", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64",
    "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA", "CUSTOM",
)
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
NODE_GROUP_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$")
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
ALLOWED_NODE_GROUP_NAME = "1-63 letters, digits, '-' or '_', starting with a letter or digit"
ALLOWED_INSTANCE_TYPE = "an EC2 instance type such as 'm6i.large'"
ALLOWED_SCALING = "0 <= min_size <= desired_size <= max_size and max_size >= 1"
ALLOWED_UPDATE_CONFIG = "either max_unavailable or max_unavailable_percentage, not both"
ALLOWED_BOTTLEROCKET_DEVICE = (
    "'/dev/xvdb', Bottlerocket's data volume (its /dev/xvda is the small OS volume): "
    "Imdsv2LaunchTemplateProps(root_device_name='/dev/xvdb', os_device_name='/dev/xvda')"
)


@documented
@dataclass(frozen=True, kw_only=True)
class Taint:
    """A Kubernetes taint put on every node of the group.

    Example::

        Taint(key="dedicated", value="batch", effect="NO_SCHEDULE")
    """

    key: str
    """The taint key, a Kubernetes label key."""
    effect: str
    """One of "NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"."""
    value: str = ""
    """The taint value. Default: "" (no value)."""


@documented
@dataclass(frozen=True, kw_only=True)
class ManagedNodeGroupOptions:
    """Everything about a managed node group except its cluster; what
    ``SecureEksCluster.add_node_group`` takes.

    Example::

        ManagedNodeGroupOptions(capacity_type="SPOT", instance_types=["m6i.large", "m6a.large"])
    """

    node_group_name: str | None = None
    """The node group name. Default: the construct id."""

    subnet_ids: Sequence[str] | None = None
    """Subnets the nodes run in. Default: None — required for ``ManagedNodeGroup``; the
    cluster's subnets in ``SecureEksCluster``."""

    instance_types: Sequence[str] = DEFAULT_INSTANCE_TYPES
    """EC2 instance types; several give spot capacity more pools. Default: ("m6i.large",)."""

    ami_type: str = DEFAULT_AMI_TYPE
    """EKS AMI type. Default: "AL2023_x86_64_STANDARD"."""

    kubernetes_version: str | None = None
    """The nodes' Kubernetes minor version. Default: None — in ``SecureEksCluster`` the
    cluster's version (a reference), so nodes follow each control-plane upgrade (EKS
    refuses the next control-plane upgrade while nodes lag); standalone, the version EKS
    picks at creation (the cluster's), never updated."""

    capacity_type: str = "ON_DEMAND"
    """"ON_DEMAND" or "SPOT". Default: "ON_DEMAND"."""

    min_size: int = 1
    """Fewest nodes. Default: 1."""

    desired_size: int = 2
    """Nodes at creation. Default: 2."""

    max_size: int = 3
    """Most nodes. Default: 3."""

    desired_size_managed_by_autoscaler: bool | None = None
    """Let cluster-autoscaler or Karpenter own ``desired_size``: Terraform then ignores its
    drift instead of scaling the group back on every apply. Default: None — True in a
    ``SecureEksCluster`` with a cluster-autoscaler or Karpenter identity, else False."""

    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels on the nodes. Default: none."""

    taints: Sequence[Taint] = ()
    """Kubernetes taints on the nodes. Default: () — none."""

    max_unavailable: int | None = None
    """Nodes replaced at once during updates. Default: None — 1 unless
    ``max_unavailable_percentage`` is set."""

    max_unavailable_percentage: int | None = None
    """Percentage of nodes replaced at once during updates. Default: None."""

    node_role: NodeRole | None = None
    """The nodes' IAM role. Default: a ``NodeRole`` with default props is created."""

    launch_template: Imdsv2LaunchTemplate | None = None
    """The launch template. Default: an ``Imdsv2LaunchTemplate`` with default props
    (IMDSv2 required, hop limit 1, encrypted root volume) is created."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the node group and the resources it creates. Default: none."""


@documented
@dataclass(frozen=True, kw_only=True)
class ManagedNodeGroupProps(ManagedNodeGroupOptions):
    """Props of ``ManagedNodeGroup``: its options plus the cluster.

    Example::

        ManagedNodeGroupProps(cluster_name=cluster.cluster_name, subnet_ids=[a.id, b.id])
    """

    cluster_name: str
    """The EKS cluster the nodes join."""


class ManagedNodeGroup(EksguardConstruct):
    """An EKS managed node group on IMDSv2-only instances.

    Its ``depends_on`` lists every policy resource of its node role, so Terraform creates
    the node group after the role can act and destroys it before the role loses rights.

    Example::

        group = ManagedNodeGroup(stack, "general", props=ManagedNodeGroupProps(
            cluster_name=cluster.cluster_name, subnet_ids=[a.id, b.id]))
        group.node_role.role_arn

    Properties: ``node_group_name``, ``node_group_arn``, ``node_role``, ``launch_template``.
    Its resource: ``node_group`` (``aws_eks_node_group``).
    """

    def __init__(self, scope: Construct, id: str, *, props: ManagedNodeGroupProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        v.require_props(path, props, ManagedNodeGroupProps)
        node_group_name = props.node_group_name or id
        _validate(path, props, node_group_name)

        self._node_role = props.node_role or NodeRole(self, "node-role")
        self._launch_template = props.launch_template or Imdsv2LaunchTemplate(
            self, "launch-template", props=props_for_ami_type(props.ami_type))
        update_config: dict[str, int] = (
            {"max_unavailable_percentage": props.max_unavailable_percentage}
            if props.max_unavailable_percentage is not None
            else {"max_unavailable": props.max_unavailable or 1}
        )
        self.node_group = aws.eks_node_group.EksNodeGroup(
            self, "node-group",
            cluster_name=props.cluster_name,
            node_group_name=node_group_name,
            node_role_arn=self.node_role.role_arn,
            subnet_ids=list(props.subnet_ids or ()),
            instance_types=list(props.instance_types),
            ami_type=props.ami_type,
            version=props.kubernetes_version,
            capacity_type=props.capacity_type,
            scaling_config={
                "min_size": props.min_size,
                "desired_size": props.desired_size,
                "max_size": props.max_size,
            },
            update_config=update_config,
            launch_template={
                "id": self.launch_template.launch_template_id,
                "version": self.launch_template.latest_version,
            },
            labels=dict(props.labels) or None,
            taint=[aws.eks_node_group.EksNodeGroupTaint(key=t.key, value=t.value or None, effect=t.effect)
                   for t in props.taints] or None,
            tags=dict(props.tags),
            depends_on=list(self.node_role.attachments),
            lifecycle=TerraformResourceLifecycle(
                ignore_changes=["scaling_config[0].desired_size"])
            if props.desired_size_managed_by_autoscaler else None,
        )

    @property
    def node_group_arn(self) -> str:
        """The node group's ARN, known after apply."""
        return self.node_group.arn

    @property
    def node_group_name(self) -> str:
        """The node group's name, as a Terraform reference."""
        return self.node_group.node_group_name

    @property
    def node_role(self) -> NodeRole:
        """The nodes' IAM role: ``props.node_role``, or the one created (``role_arn``, ``role_name``)."""
        return self._node_role

    @property
    def launch_template(self) -> Imdsv2LaunchTemplate:
        """The nodes' launch template: ``props.launch_template``, or the IMDSv2 one created."""
        return self._launch_template


def _validate(path: str, props: ManagedNodeGroupProps, node_group_name: str) -> None:
    v.require_cluster_name(path, "cluster_name", props.cluster_name)
    v.require_match(path, "node_group_name", node_group_name, NODE_GROUP_NAME, ALLOWED_NODE_GROUP_NAME)
    if props.kubernetes_version is not None:
        v.require_match(path, "kubernetes_version", props.kubernetes_version, KUBERNETES_VERSION,
                        ALLOWED_KUBERNETES_VERSION)
    v.require_non_empty(path, "subnet_ids", props.subnet_ids)
    v.require_subnet_ids(path, "subnet_ids", props.subnet_ids)
    v.require_non_empty(path, "instance_types", props.instance_types)
    for instance_type in props.instance_types:
        v.require_match(path, "instance_types", instance_type, INSTANCE_TYPE, ALLOWED_INSTANCE_TYPE)
    v.require_unique(path, "instance_types", list(props.instance_types))
    v.require_one_of(path, "ami_type", props.ami_type, AMI_TYPES)
    v.require_one_of(path, "capacity_type", props.capacity_type, CAPACITY_TYPES)
    for name in ("min_size", "desired_size", "max_size"):
        v.require_int_range(path, name, getattr(props, name), 0, 10_000)
    if not (props.min_size <= props.desired_size <= props.max_size and props.max_size >= 1):
        v.fail(path, "scaling",
               {"min_size": props.min_size, "desired_size": props.desired_size,
                "max_size": props.max_size}, ALLOWED_SCALING)
    v.require_kubernetes_labels(path, "labels", props.labels)
    for taint in props.taints:
        v.require_label_key(path, "taints.key", taint.key)
        v.require_label_value(path, "taints.value", taint.value)
        v.require_one_of(path, "taints.effect", taint.effect, TAINT_EFFECTS)
    # Kubernetes keys a node's taints by key and effect: a second one of both is refused
    # (the API server's taint validation, "taints must be unique by key and effect pair").
    v.require_unique(path, "taints (key, effect)", [(t.key, t.effect) for t in props.taints])
    if (props.ami_type.startswith("BOTTLEROCKET") and props.launch_template is not None
            and props.launch_template.props.root_device_name != BOTTLEROCKET_DATA_DEVICE_NAME):
        v.fail(path, "launch_template.root_device_name", props.launch_template.props.root_device_name,
               ALLOWED_BOTTLEROCKET_DEVICE)
    if props.max_unavailable is not None and props.max_unavailable_percentage is not None:
        v.fail(path, "max_unavailable_percentage", props.max_unavailable_percentage,
               ALLOWED_UPDATE_CONFIG)
    if props.max_unavailable is not None:
        v.require_int_range(path, "max_unavailable", props.max_unavailable, 1, 100)
    if props.max_unavailable_percentage is not None:
        v.require_int_range(path, "max_unavailable_percentage", props.max_unavailable_percentage, 1, 100)
