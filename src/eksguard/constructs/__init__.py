"""eksguard's building blocks, one construct family per module."""

from types import ModuleType as _ModuleType

from eksguard.constructs._private import managed_policy_arn as aws_managed_policy_arn
from eksguard.constructs._private import logs_key_policy
from eksguard.constructs._private import partition as aws_partition
from eksguard.constructs.access_entry import (
    AccessEntry,
    AccessEntryOptions,
    AccessEntryProps,
    AccessPolicy,
    AccessPolicyGrant,
)
from eksguard.constructs.addon_permissions import (
    AddonPermissions,
    HelmChart,
    aws_load_balancer_controller,
    cert_manager,
    cluster_autoscaler,
    ebs_csi_driver,
    external_dns,
    vpc_cni,
)
from eksguard.constructs.ci_identity import (
    GitHubActionsOidcProvider,
    GitHubActionsOidcProviderProps,
    GitHubActionsRole,
    GitHubActionsRoleProps,
    StackPermissions,
    TerraformCloudOidcProvider,
    TerraformCloudOidcProviderProps,
    TerraformCloudPlanRoleOptions,
    TerraformCloudWorkspaceRole,
    TerraformCloudWorkspaceRoleProps,
)
from eksguard.ci_permissions.data_reads import DATA_READ_ACTIONS, data_read_deny_document
from eksguard.ci_permissions.deploy import (
    RESOURCE_PERMISSIONS,
    deploy_policy_document,
    plan_policy_document,
)
from eksguard.constructs.auto_mode import AutoModeNodeRole, AutoModeNodeRoleProps, AutoModeOptions
from eksguard.constructs.cluster import EksCluster, EksClusterProps
from eksguard.constructs.karpenter import Karpenter, KarpenterProps
from eksguard.constructs.ecr import RegistryPullSecret, ecr_pull_policy
from eksguard.constructs.irsa_role import (
    IrsaRole,
    IrsaRoleOptions,
    IrsaRoleProps,
    ServiceAccount,
    ServiceAccountPattern,
)
from eksguard.constructs.iam_policies import (
    dynamodb_table_read,
    policy_document,
    s3_bucket_access,
    secrets_manager_secret_read,
    ssm_parameter_path_read,
)
from eksguard.constructs.network import DEFAULT_INTERFACE_ENDPOINTS, ClusterNetwork, ClusterNetworkProps
from eksguard.constructs.launch_template import (
    Imdsv2LaunchTemplate,
    Imdsv2LaunchTemplateProps,
    node_volume_key_policy,
)
from eksguard.constructs.node_group import (
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    Taint,
)
from eksguard.constructs.node_role import EcrAccess, NodeRole, NodeRoleProps
from eksguard.constructs.oidc_provider import ClusterOidcProvider, ClusterOidcProviderProps
from eksguard.constructs.pod_identity import PodIdentityRole, PodIdentityRoleOptions, PodIdentityRoleProps
from eksguard.constructs.workload_identity import WorkloadIdentity, WorkloadIdentityProps

__all__ = [
    "AutoModeNodeRole",
    "AutoModeNodeRoleProps",
    "AutoModeOptions",
    "Karpenter",
    "KarpenterProps",
    "HelmChart",
    "dynamodb_table_read",
    "policy_document",
    "s3_bucket_access",
    "secrets_manager_secret_read",
    "ssm_parameter_path_read",
    "DEFAULT_INTERFACE_ENDPOINTS",
    "ClusterNetwork",
    "ClusterNetworkProps",
    "AccessEntry",
    "AccessEntryOptions",
    "AccessEntryProps",
    "AccessPolicy",
    "AccessPolicyGrant",
    "AddonPermissions",
    "ClusterOidcProvider",
    "ClusterOidcProviderProps",
    "EcrAccess",
    "EksCluster",
    "EksClusterProps",
    "GitHubActionsOidcProvider",
    "GitHubActionsOidcProviderProps",
    "GitHubActionsRole",
    "GitHubActionsRoleProps",
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
    "PodIdentityRole",
    "PodIdentityRoleOptions",
    "PodIdentityRoleProps",
    "RegistryPullSecret",
    "ServiceAccount",
    "ServiceAccountPattern",
    "StackPermissions",
    "Taint",
    "TerraformCloudOidcProvider",
    "TerraformCloudOidcProviderProps",
    "TerraformCloudPlanRoleOptions",
    "TerraformCloudWorkspaceRole",
    "TerraformCloudWorkspaceRoleProps",
    "WorkloadIdentity",
    "WorkloadIdentityProps",
    "DATA_READ_ACTIONS",
    "RESOURCE_PERMISSIONS",
    "aws_load_balancer_controller",
    "aws_managed_policy_arn",
    "aws_partition",
    "cert_manager",
    "cluster_autoscaler",
    "data_read_deny_document",
    "deploy_policy_document",
    "ebs_csi_driver",
    "ecr_pull_policy",
    "external_dns",
    "logs_key_policy",
    "node_volume_key_policy",
    "plan_policy_document",
    "vpc_cni",
]


def __dir__() -> list[str]:
    """The public names and the public submodules: what ``dir()`` and completion offer."""
    return sorted({*__all__, *(n for n, value in globals().items()
                              if not n.startswith("_") and isinstance(value, _ModuleType))})
