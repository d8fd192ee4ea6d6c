"""eksguard's building blocks, one construct family per module."""

from eksguard.constructs._private import managed_policy_arn as aws_managed_policy_arn
from eksguard.constructs._private import partition as aws_partition
from eksguard.constructs.cluster import EksCluster, EksClusterProps
from eksguard.constructs.irsa_role import (
    IrsaRole,
    IrsaRoleOptions,
    IrsaRoleProps,
    ServiceAccount,
    ServiceAccountPattern,
)
from eksguard.constructs.launch_template import Imdsv2LaunchTemplate, Imdsv2LaunchTemplateProps
from eksguard.constructs.node_group import (
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    Taint,
)
from eksguard.constructs.node_role import EcrAccess, NodeRole, NodeRoleProps
from eksguard.constructs.oidc_provider import ClusterOidcProvider, ClusterOidcProviderProps

__all__ = [
    "aws_managed_policy_arn",
    "aws_partition",
    "ClusterOidcProvider",
    "ClusterOidcProviderProps",
    "EcrAccess",
    "EksCluster",
    "EksClusterProps",
    "Imdsv2LaunchTemplate",
    "Imdsv2LaunchTemplateProps",
    "IrsaRole",
    "IrsaRoleOptions",
    "IrsaRoleProps",
    "ManagedNodeGroup",
    "ManagedNodeGroupOptions",
    "ManagedNodeGroupProps",
    "NodeRole",
    "NodeRoleProps",
    "ServiceAccount",
    "ServiceAccountPattern",
    "Taint",
]
