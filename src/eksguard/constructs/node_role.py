"""The IAM role EC2 worker nodes run as: ``NodeRole`` and its props."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import aws, construct_path
from eksguard.constructs._private import (
    create_role,
    managed_policy_arn,
    name_prefix_from_id,
    service_trust_policy,
)

WORKER_NODE_POLICY = "AmazonEKSWorkerNodePolicy"
VPC_CNI_POLICY = "AmazonEKS_CNI_Policy"


class EcrAccess(str, Enum):
    """Which AWS managed ECR policy the node role gets."""

    PULL_ONLY = "AmazonEC2ContainerRegistryPullOnly"
    """Pull images only: cannot list or describe repositories (least privilege)."""

    READ_ONLY = "AmazonEC2ContainerRegistryReadOnly"
    """Pull, list and describe: what older tooling on the node may expect."""


@documented
@dataclass(frozen=True, kw_only=True)
class NodeRoleProps:
    """Props of ``NodeRole``. Every field is optional.

    Example::

        NodeRoleProps(attach_vpc_cni_policy=False)  # the VPC CNI has its own IRSA role
    """

    role_name: str | None = None
    """The IAM role name. Default: a unique name Terraform derives from the construct id."""

    attach_vpc_cni_policy: bool = True
    """Attach ``AmazonEKS_CNI_Policy``; set False when the VPC CNI (``kube-system/aws-node``)
    has its own IRSA or Pod Identity role, so pods cannot use the node's ENI rights.
    Default: True."""

    ecr_access: EcrAccess = EcrAccess.PULL_ONLY
    """The managed ECR policy attached. Default: ``EcrAccess.PULL_ONLY``."""

    managed_policy_arns: Sequence[str] = ()
    """Extra managed policies to attach. Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Extra inline policies, name to policy document (dict or JSON). Default: none."""

    instance_profile: bool = False
    """Create an instance profile, needed only by self-managed nodes. Default: False."""

    permissions_boundary_arn: str | None = None
    """Permissions boundary for the role. Default: None — no boundary."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role. Default: no tags."""


class NodeRole(EksguardConstruct):
    """The role of EKS worker nodes, trusting ``ec2.amazonaws.com``.

    ``attachments`` lists every policy resource of the role; node groups depend on all
    of them so that, on destroy, nodes are gone before their permissions are.

    Example::

        role = NodeRole(stack, "nodes", props=NodeRoleProps(attach_vpc_cni_policy=False))

    Properties: ``role_arn``, ``role_name``. Its resources: ``role`` (``aws_iam_role``),
    ``attachments``, and ``instance_profile`` (None unless ``props.instance_profile``).
    """

    def __init__(self, scope: Construct, id: str, *, props: NodeRoleProps | None = None) -> None:
        super().__init__(scope, id)
        self.props = props = props or NodeRoleProps()
        _validate(construct_path(self), props)

        managed = [WORKER_NODE_POLICY]
        if props.attach_vpc_cni_policy:
            managed.append(VPC_CNI_POLICY)
        managed.append(EcrAccess(props.ecr_access).value)
        self.role, self.attachments = create_role(
            self, role_name=props.role_name, trust_policy=service_trust_policy("ec2.amazonaws.com"),
            managed_policy_arns=[managed_policy_arn(self, name) for name in managed] + list(props.managed_policy_arns),
            inline_policies=props.inline_policies,
            permissions_boundary_arn=props.permissions_boundary_arn, tags=props.tags)
        self.instance_profile = (
            aws.iam_instance_profile.IamInstanceProfile(
                self, "instance-profile", role=self.role.name, name_prefix=name_prefix_from_id(self),
                tags=dict(props.tags))
            if props.instance_profile else None
        )

    @property
    def role_arn(self) -> str:
        """The role's ARN, known after apply."""
        return self.role.arn

    @property
    def role_name(self) -> str:
        """The role's name, as a Terraform reference."""
        return self.role.name


def _validate(path: str, props: NodeRoleProps) -> None:
    v.require_props(path, props, NodeRoleProps)
    v.require_role_name(path, "role_name", props.role_name)
    try:
        EcrAccess(props.ecr_access)
    except ValueError:
        v.fail(path, "ecr_access", props.ecr_access, "an EcrAccess member: " + ", ".join(
            e.name for e in EcrAccess))
    v.require_managed_policy_arns(path, "managed_policy_arns", props.managed_policy_arns)
    v.require_inline_policies(path, "inline_policies", props.inline_policies)
    v.require_boundary_arn(path, "permissions_boundary_arn", props.permissions_boundary_arn)
