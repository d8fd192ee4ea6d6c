"""eksguard: secure-by-default Amazon EKS constructs for CDK Terrain (and CDKTF).

Example::

    from eksguard import EksClusterProps, SecureEksCluster, SecureEksClusterProps

    SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=[a.id, b.id])))
"""

from types import ModuleType
from typing import TYPE_CHECKING, Any

from eksguard._node import choose_jsii_node as _choose_jsii_node

# Before anything starts jsii's Node process: a supported Node when the project has one.
_choose_jsii_node()

from eksguard.errors import (
    EksguardError,
    EmulatorUnavailableError,
    GuardrailViolation,
    ProviderUnavailableError,
    TerraformCommandError,
    TerraformValidationError,
    ValidationError,
)

# The constructs load the CDK framework (a Node.js process through jsii); they are
# imported on first use so that ``eksguard.testing`` and ``eksguard.errors`` stay cheap.
_LAZY = {
    **{name: "eksguard.constructs" for name in (
        "AccessEntry", "AccessEntryOptions", "AccessEntryProps", "AccessPolicy", "AccessPolicyGrant",
        "AutoModeNodeRole", "AutoModeNodeRoleProps", "AutoModeOptions", "Karpenter", "KarpenterProps",
        "AddonPermissions", "HelmChart", "ClusterNetwork", "ClusterNetworkProps", "ClusterOidcProvider",
        "ClusterOidcProviderProps", "DEFAULT_INTERFACE_ENDPOINTS", "EcrAccess",
        "EksCluster", "EksClusterProps", "Imdsv2LaunchTemplate", "Imdsv2LaunchTemplateProps",
        "IrsaRole", "IrsaRoleOptions", "IrsaRoleProps", "ManagedNodeGroup", "ManagedNodeGroupOptions",
        "ManagedNodeGroupProps", "NodeRole", "NodeRoleProps", "PodIdentityRole",
        "PodIdentityRoleOptions", "PodIdentityRoleProps", "RegistryPullSecret", "ServiceAccount",
        "ServiceAccountPattern", "Taint", "WorkloadIdentity", "WorkloadIdentityProps",
        "aws_load_balancer_controller", "aws_managed_policy_arn", "aws_partition", "cert_manager",
        "cluster_autoscaler", "ebs_csi_driver", "ecr_pull_policy", "external_dns", "logs_key_policy",
        "node_volume_key_policy", "vpc_cni", "dynamodb_table_read", "policy_document",
        "s3_bucket_access", "secrets_manager_secret_read", "ssm_parameter_path_read",
        "GitHubActionsOidcProvider", "GitHubActionsOidcProviderProps", "GitHubActionsRole",
        "GitHubActionsRoleProps", "TerraformCloudOidcProvider", "TerraformCloudOidcProviderProps",
        "TerraformCloudPlanRoleOptions", "TerraformCloudWorkspaceRole", "TerraformCloudWorkspaceRoleProps",
        "StackPermissions", "DATA_READ_ACTIONS", "RESOURCE_PERMISSIONS", "data_read_deny_document",
        "deploy_policy_document", "plan_policy_document")},
    "AddonIdentityOptions": "eksguard.modules",
    "CoreAddonsOptions": "eksguard.modules",
    "SecureEksCluster": "eksguard.modules",
    "SecureEksClusterProps": "eksguard.modules",
    "SecureEksClusterSpec": "eksguard.modules",
    **{name: "eksguard.guardrails" for name in (
        "Finding", "Guardrails", "StackSummary", "SynthSummary", "Waiver", "synth", "synth_summary")},
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'eksguard' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, the lazy ones included before their first use, and the public
    subpackages already imported: what ``dir(eksguard)`` and completion offer."""
    loaded = (n for n, value in globals().items() if not n.startswith("_") and isinstance(value, ModuleType))
    return sorted({*__all__, *loaded})


if TYPE_CHECKING:
    from eksguard.constructs import *  # noqa: F403
    from eksguard.modules import (  # noqa: F401
        AddonIdentityOptions,
        CoreAddonsOptions,
        SecureEksCluster,
        SecureEksClusterProps,
        SecureEksClusterSpec,
    )
    from eksguard.guardrails import (  # noqa: F401
        Finding,
        Guardrails,
        StackSummary,
        SynthSummary,
        Waiver,
        synth,
        synth_summary,
    )

# The one place the version is written. pyproject.toml reads it statically (a string
# literal: setuptools parses it without importing eksguard); releases bump it here.
__version__ = "0.1.0"

__all__ = [
    "EksguardError",
    "EmulatorUnavailableError",
    "GuardrailViolation",
    "ProviderUnavailableError",
    "TerraformCommandError",
    "TerraformValidationError",
    "ValidationError",
    "__version__",
    *_LAZY,
]
