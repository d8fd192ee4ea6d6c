"""eksguard: secure-by-default Amazon EKS constructs for CDK Terrain (and CDKTF).

Example::

    from eksguard import EksClusterProps, SecureEksCluster, SecureEksClusterSpec

    SecureEksCluster(stack, "eks", spec=SecureEksClusterSpec(
        cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id])))
"""

from typing import TYPE_CHECKING, Any

from eksguard.errors import (
    EksguardError,
    EmulatorUnavailableError,
    TerraformCommandError,
    ValidationError,
)

# The constructs load the CDK framework (a Node.js process through jsii); they are
# imported on first use so that ``eksguard.testing`` and ``eksguard.errors`` stay cheap.
_LAZY = {
    **{name: "eksguard.constructs" for name in (
        "ClusterOidcProvider", "ClusterOidcProviderProps", "EcrAccess", "EksCluster",
        "EksClusterProps", "Imdsv2LaunchTemplate", "Imdsv2LaunchTemplateProps", "IrsaRole",
        "IrsaRoleOptions", "IrsaRoleProps", "ManagedNodeGroup", "ManagedNodeGroupOptions",
        "ManagedNodeGroupProps", "NodeRole", "NodeRoleProps", "ServiceAccount",
        "ServiceAccountPattern", "Taint", "aws_managed_policy_arn", "aws_partition")},
    "SecureEksCluster": "eksguard.modules",
    "SecureEksClusterSpec": "eksguard.modules",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eksguard' has no attribute {name!r}")


if TYPE_CHECKING:
    from eksguard.constructs import *  # noqa: F403
    from eksguard.modules import SecureEksCluster, SecureEksClusterSpec  # noqa: F401

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
