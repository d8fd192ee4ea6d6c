"""eksguard: secure-by-default Amazon EKS constructs for CDK Terrain (and CDKTF).

Example::

    from eksguard import EksClusterProps, SecureEksCluster, SecureEksClusterSpec

    SecureEksCluster(stack, "eks", spec=SecureEksClusterSpec(
        cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id])))
"""

from eksguard.constructs import (
    aws_managed_policy_arn,
    aws_partition,
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EcrAccess,
    EksCluster,
    EksClusterProps,
    Imdsv2LaunchTemplate,
    Imdsv2LaunchTemplateProps,
    IrsaRole,
    IrsaRoleOptions,
    IrsaRoleProps,
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    NodeRole,
    NodeRoleProps,
    ServiceAccount,
    ServiceAccountPattern,
    Taint,
)
from eksguard.errors import (
    EksguardError,
    EmulatorUnavailableError,
    TerraformCommandError,
    ValidationError,
)
from eksguard.modules import SecureEksCluster, SecureEksClusterSpec

__version__ = "0.1.0"

__all__ = [
    "ClusterOidcProvider",
    "ClusterOidcProviderProps",
    "EcrAccess",
    "EksCluster",
    "EksClusterProps",
    "EksguardError",
    "EmulatorUnavailableError",
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
    "SecureEksCluster",
    "SecureEksClusterSpec",
    "ServiceAccount",
    "ServiceAccountPattern",
    "Taint",
    "TerraformCommandError",
    "ValidationError",
    "__version__",
    "aws_managed_policy_arn",
    "aws_partition",
]
