"""AWS's rules for the EKS operations the extension serves, with AWS's error codes.

Each check cites the AWS document it follows. They raise moto's EKS exceptions, which
moto serialises as AWS does (``x-amzn-ErrorType`` header, JSON body with ``message``),
so boto3 and Terraform see the same error code they would see from AWS.
"""

from __future__ import annotations

import re
from typing import Any

from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)

from eksguard.testing.moto_eks.catalog import ACCESS_POLICIES, ADDONS

API_MODES = ("API", "API_AND_CONFIG_MAP")
AUTHENTICATION_MODE_ORDER = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
NODE_ENTRY_TYPES = ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "EC2")
"""Entry types for node roles; ``EC2`` is EKS Auto Mode's (EKS API Reference,
CreateAccessEntry ``type``: "EC2 (for EKS Auto Mode)")."""
ENTRY_TYPES = ("STANDARD", *NODE_ENTRY_TYPES)
POLICY_ENTRY_TYPES = ("STANDARD", "EC2")
"""Entry types that take access policies: STANDARD, and Auto Mode's EC2 entries, which
carry AmazonEKSAutoNodePolicy (EKS User Guide, "Create a Node Class for Amazon EKS",
https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html: create-access-entry
``--type EC2``, then associate-access-policy ``AmazonEKSAutoNodePolicy`` at cluster scope)."""
SCOPE_TYPES = ("cluster", "namespace")
SERVICE_LINKED_ONLY_POLICIES = ("AmazonEKSBlockStorageClusterPolicy", "AmazonEKSComputeClusterPolicy",
                                "AmazonEKSLoadBalancingClusterPolicy", "AmazonEKSNetworkingClusterPolicy")
_ROLE_OR_USER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
_ACCESS_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:eks::aws:cluster-access-policy/([\w-]+)$")


def _invalid(message: str) -> InvalidParameterException:
    return InvalidParameterException(message=message)


def require_api_authentication(cluster: Any) -> None:
    """Access entries exist only where the cluster's authentication mode includes the EKS
    API (EKS User Guide, "Change authentication mode to use access entries": "the
    authentication mode of the cluster must be API or API_AND_CONFIG_MAP")."""
    mode = cluster.access_config["authenticationMode"]
    if mode not in API_MODES:
        raise InvalidRequestException(
            message=f"The cluster's authentication mode must be set to one of {list(API_MODES)} "
                    f"to perform this operation. Current mode: {mode}.")


def require_principal(iam: Any, principal_arn: str) -> None:
    """The principal of an access entry is an existing IAM role or user (EKS API
    Reference, CreateAccessEntry: "principalArn: The ARN of the IAM principal ... You can
    specify one ARN for each access entry", and "Creating access entries": the principal
    must exist)."""
    if not _ROLE_OR_USER_ARN.match(principal_arn or ""):
        raise _invalid(f"The specified principalArn is invalid: {principal_arn}. "
                       "It must be the ARN of an IAM role or IAM user.")
    if not iam_principal_exists(iam, principal_arn):
        # Terraform retries this exact message for two minutes (IAM propagation).
        raise _invalid("The specified principalArn is invalid: invalid principal.")


def iam_principal_exists(iam: Any, arn: str) -> bool:
    kind = arn.split(":", 5)[5].split("/", 1)[0]
    if kind == "role":
        return any(role.arn == arn for role in iam.roles.values())
    if kind == "user":
        return any(user.arn == arn for user in iam.users.values())
    return False


def require_role(iam: Any, role_arn: str, field: str) -> None:
    """A role EKS assumes on the workload's behalf must exist (EKS API Reference,
    CreatePodIdentityAssociation ``roleArn`` / CreateAddon ``serviceAccountRoleArn``:
    "The Amazon Resource Name (ARN) of an existing IAM role")."""
    if not (_ROLE_OR_USER_ARN.match(role_arn) and ":role/" in role_arn and iam_principal_exists(iam, role_arn)):
        raise _invalid(f"Role provided in the request does not exist: {field} {role_arn}")


def require_new_entry(entries: dict[str, Any], principal_arn: str) -> None:
    """One access entry per principal per cluster (EKS User Guide, "Create access entries":
    "An IAM principal can only have one access entry per cluster")."""
    if principal_arn in entries:
        raise ResourceInUseException(
            clusterName=None, nodegroupName=None, addonName=None,
            message="The specified access entry resource is already in use on this cluster.")


RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")


def check_entry_shape(entry_type: str, kubernetes_groups: list[str] | None, username: str | None) -> None:
    """Node entry types take no Kubernetes groups and no username: EKS binds them to its
    own node identity (EKS API Reference, CreateAccessEntry ``type``: "If you set the value
    to EC2_LINUX or EC2_WINDOWS, you can't specify values for kubernetesGroups, or
    associate an AccessPolicy to the access entry"; ``username``: for those types, EKS
    sets it)."""
    if entry_type not in ENTRY_TYPES:
        raise _invalid(f"The specified type is invalid: {entry_type}. Valid types: {list(ENTRY_TYPES)}")
    if entry_type in NODE_ENTRY_TYPES and kubernetes_groups:
        raise _invalid(f"kubernetesGroups cannot be specified for access entries of type {entry_type}.")
    if entry_type in NODE_ENTRY_TYPES and username:
        raise _invalid(f"username cannot be specified for access entries of type {entry_type}.")
    if username and username.startswith(RESERVED_USERNAME_PREFIXES):
        # EKS User Guide, "Create access entries": a custom username can't start with
        # system:, eks:, aws:, amazon: or iam:.
        raise _invalid(f"The username {username} is invalid, it cannot start with any of "
                       f"{list(RESERVED_USERNAME_PREFIXES)}")
    for group in kubernetes_groups or ():
        # EKS User Guide, "Create access entries": group names starting with system: are
        # reserved to Kubernetes.
        if group.startswith("system:"):
            raise _invalid(f"The kubernetes group name {group} is invalid, it cannot start with system:")


def require_policy_target(entry: Any) -> None:
    """Access policies go on STANDARD entries, and on Auto Mode's EC2 entries
    (``POLICY_ENTRY_TYPES``); never on the other node types (CreateAccessEntry ``type``:
    "If you set the value to EC2_LINUX or EC2_WINDOWS, you can't ... associate an
    AccessPolicy")."""
    if entry.type not in POLICY_ENTRY_TYPES:
        raise _invalid('This operation can only be performed on Access Entries with a type of "STANDARD".')


def require_access_policy(policy_arn: str) -> None:
    """Only EKS's own cluster access policies can be associated (EKS User Guide, "Review
    access policy permissions"; ListAccessPolicies)."""
    match = _ACCESS_POLICY_ARN.match(policy_arn or "")
    if not match or match.group(1) not in ACCESS_POLICIES:
        raise ResourceNotFoundException(
            clusterName=None, nodegroupName=None, fargateProfileName=None, addonName=None,
            message="The specified policyArn could not be found.")


def require_policy_principal(policy_arn: str, principal_arn: str) -> None:
    """Auto Mode's cluster policies go only to EKS's service-linked roles (EKS User Guide,
    "Review access policy permissions": AmazonEKSBlockStorageClusterPolicy and the other
    *ClusterPolicy entries are "for the service-linked role")."""
    name = policy_arn.rsplit("/", 1)[-1]
    if name in SERVICE_LINKED_ONLY_POLICIES and ":role/aws-service-role/" not in principal_arn:
        raise _invalid("The specified policyArn can only be associated with service-linked roles")


def check_access_scope(scope: dict[str, Any] | None) -> None:
    """A ``namespace`` scope names at least one namespace; a ``cluster`` scope names none
    (EKS API Reference, AccessScope: "namespaces: A Kubernetes namespace that an access
    policy is scoped to. A value is required if you specified namespace for Type")."""
    scope = scope or {}
    scope_type, namespaces = scope.get("type"), scope.get("namespaces") or []
    if scope_type not in SCOPE_TYPES:
        raise _invalid(f"The access scope type {scope_type} is invalid. Valid types: {list(SCOPE_TYPES)}")
    if scope_type == "namespace" and not namespaces:
        raise _invalid("namespaces must be specified when the access scope type is namespace.")
    if scope_type == "cluster" and namespaces:
        raise _invalid("namespaces cannot be specified when the access scope type is cluster.")


def require_new_service_account(associations: dict[str, Any], namespace: str, service_account: str) -> None:
    """One Pod Identity association per service account per cluster (EKS User Guide,
    "Assign an IAM role to a Kubernetes service account": "You can only associate one IAM
    role to each Kubernetes service account")."""
    for association in associations.values():
        if association.namespace == namespace and association.service_account == service_account:
            raise ResourceInUseException(clusterName=None, nodegroupName=None, addonName=None,
                                         message=f"Association already exists: {association.association_id}")


def require_addon(addon_name: str, kubernetes_version: str, addon_version: str | None) -> str:
    """The add-on and version exist for the cluster's Kubernetes version; returns the
    version to install (the default when none is given) (EKS API Reference, CreateAddon:
    "The name of the add-on. The name must match one of the names returned by
    DescribeAddonVersions"; "addonVersion ... must match one of the versions returned by
    DescribeAddonVersions")."""
    spec = ADDONS.get(addon_name)
    versions = spec.versions_for(kubernetes_version) if spec else ()
    if not versions:
        raise _invalid("Addon specified is not supported")
    if addon_version is None:
        return versions[0]
    if addon_version not in versions:
        raise _invalid("Addon version specified is not supported")
    return addon_version


def require_new_addon(addons: dict[str, Any], addon_name: str) -> None:
    """One add-on of a name per cluster (EKS API Reference, CreateAddon errors:
    ResourceInUseException)."""
    if addon_name in addons:
        raise ResourceInUseException(clusterName=None, nodegroupName=None, addonName=addon_name,
                                     message="Addon already exists.")


def check_bootstrap_admin(mode: str, bootstrap_admin: bool) -> None:
    """A CONFIG_MAP cluster must give its creator admin: there is no other way in (EKS API
    Reference, CreateAccessConfigRequest; AWS answers InvalidParameterException)."""
    if mode == "CONFIG_MAP" and not bootstrap_admin:
        raise _invalid("bootstrapClusterCreatorAdminPermissions must be true if cluster authentication "
                       "mode is set to CONFIG_MAP")


def check_authentication_mode_change(current: str, requested: str) -> None:
    """Authentication mode moves one way only: CONFIG_MAP -> API_AND_CONFIG_MAP -> API
    (EKS User Guide, "Change authentication mode": "you can't change it back")."""
    if requested not in AUTHENTICATION_MODE_ORDER or (
            AUTHENTICATION_MODE_ORDER.index(requested) <= AUTHENTICATION_MODE_ORDER.index(current)):
        # AWS refuses a same-mode update too.
        raise _invalid(f"Unsupported authentication mode update from {current} to {requested}")


# -- EKS Auto Mode -------------------------------------------------------------------------

AUTO_MODE_NODE_POOLS = ("general-purpose", "system")
AUTO_MODE_MINIMUM_VERSION = (1, 29)
AUTO_MODE_AUTO_NODE_POLICY = "AmazonEKSAutoNodePolicy"


def auto_mode_flags(compute: dict[str, Any] | None, storage: dict[str, Any] | None,
                    network: dict[str, Any] | None) -> tuple[bool | None, bool | None, bool | None]:
    """The three Auto Mode capability switches of a request, None where a switch is absent:
    ``computeConfig.enabled``, ``storageConfig.blockStorage.enabled``,
    ``kubernetesNetworkConfig.elasticLoadBalancing.enabled``."""
    return ((compute or {}).get("enabled"), ((storage or {}).get("blockStorage") or {}).get("enabled"),
            ((network or {}).get("elasticLoadBalancing") or {}).get("enabled"))


AUTO_MODE_ALL_OR_NONE = ("For EKS Auto Mode, please ensure that all required configs, including computeConfig, "
                         "kubernetesNetworkConfig, and blockStorage are all either fully enabled or fully disabled.")


def check_auto_mode_all_or_none(flags: tuple[bool | None, ...], *, update: bool) -> bool:
    """Compute, block storage and load balancing are switched on or off together, in one
    request (EKS User Guide, "Enable EKS Auto Mode on an existing cluster",
    https://docs.aws.amazon.com/eks/latest/userguide/auto-enable-existing.html: "The compute,
    block storage, and load balancing capabilities must all be enabled or disabled in the
    same request"). AWS's message and code are the ones its CreateCluster answers
    (kubernetes-sigs/cluster-api-provider-aws#5278). At CreateCluster an absent switch is
    off; an UpdateClusterConfig must carry all three. Returns whether Auto Mode is on."""
    if update and all(flag is None for flag in flags):
        # awsdocs/amazon-eks-user-guide#819: ``--compute-config '{"nodePools": []}'`` alone.
        raise _invalid("The type for cluster update was not provided.")
    values = {flag for flag in flags} if update else {bool(flag) for flag in flags}
    if len(values) != 1 or None in values:
        raise _invalid(AUTO_MODE_ALL_OR_NONE)
    return bool(values.pop())


def check_auto_mode_disable(currently_enabled: bool, enabling: bool) -> None:
    """Switching Auto Mode off on a cluster that never had it is refused (AWS's answer,
    quoted in aws-controllers-k8s/community#3046: InvalidRequestException "Cannot modify
    EKS Auto Mode configuration. Auto Mode is not enabled on this cluster.")."""
    if not enabling and not currently_enabled:
        raise InvalidRequestException(
            message="Cannot modify EKS Auto Mode configuration. Auto Mode is not enabled on this cluster.")


def check_auto_mode_bootstrap_addons(bootstrap_self_managed_addons: bool | None) -> None:
    """Auto Mode runs the VPC CNI, kube-proxy and CoreDNS itself, so CreateCluster refuses
    ``bootstrapSelfManagedAddons: true`` with it (AWS's InvalidParameterException, quoted in
    hashicorp/terraform-provider-aws#40483, which documents it for ``aws_eks_cluster``:
    "Enabling EKS Auto Mode also requires that bootstrap_self_managed_addons is set to
    false"). Only an explicit true is refused: AWS's own Auto Mode create-cluster example
    (automode-get-started-cli.html) does not set it."""
    if bootstrap_self_managed_addons is True:
        raise _invalid("When EKS Auto Mode is enabled, bootstrapSelfManagedAddons must be set to false.")


def check_auto_mode_authentication(mode: str) -> None:
    """Auto Mode maps its roles to Kubernetes through access entries, so the cluster
    authenticates through the EKS API (EKS User Guide, "Create an EKS Auto Mode Cluster with
    the AWS CLI", https://docs.aws.amazon.com/eks/latest/userguide/automode-get-started-cli.html:
    "accessConfig.authenticationMode: Requires EKS access entries"; "Learn about identity and
    access in EKS Auto Mode", auto-learn-iam.html). The message is the emulator's own: AWS's
    wording is not published."""
    if mode not in API_MODES:
        raise _invalid(f"EKS Auto Mode requires the cluster authentication mode to be one of {list(API_MODES)}. "
                       f"Current mode: {mode}.")


def check_auto_mode_version(version: str | None) -> None:
    """EKS User Guide, "Create a cluster with Amazon EKS Auto Mode",
    https://docs.aws.amazon.com/eks/latest/userguide/create-auto.html: "EKS Auto Mode requires
    Kubernetes version 1.29 or greater." The message is the emulator's own."""
    if version is None:
        return
    if tuple(int(p) for p in version.split(".")[:2]) < AUTO_MODE_MINIMUM_VERSION:
        raise _invalid(f"EKS Auto Mode requires Kubernetes version 1.29 or greater. Requested version: {version}.")


def check_auto_mode_compute(iam: Any, compute: dict[str, Any] | None) -> None:
    """A ``computeConfig``'s node pools and node role (EKS API Reference,
    ComputeConfigRequest, https://docs.aws.amazon.com/eks/latest/APIReference/API_ComputeConfigRequest.html;
    EKS User Guide, "Enable or Disable Built-in NodePools", set-builtin-node-pools.html):

    - node pools are the built-in ``general-purpose`` and ``system`` (case-sensitive); the
      message is the emulator's own;
    - node pools need a node role, and a node role needs node pools: AWS's messages,
      quoted in terraform-aws-modules/terraform-aws-eks#3366 and aws/aws-cdk#33894;
    - the node role is an existing IAM role ("The ARN of the IAM Role EKS will assign to
      EC2 Managed Instances"), refused as the other missing roles are.
    """
    compute = compute or {}
    pools, role = compute.get("nodePools") or [], compute.get("nodeRoleArn")
    for pool in pools:
        if pool not in AUTO_MODE_NODE_POOLS:
            raise _invalid(f"The specified nodePool {pool} is invalid. Valid nodePools: {list(AUTO_MODE_NODE_POOLS)}")
    if pools and not role:
        raise _invalid("When Compute Config nodeRoleArn is null or empty, nodePool list cannot be populated.")
    if role and not pools:
        raise _invalid("When Compute Config nodeRoleArn is not null or empty, nodePool value(s) must be provided.")
    if role:
        require_role(iam, role, "nodeRoleArn")


def check_auto_mode_node_role_change(current: dict[str, Any] | None, requested: dict[str, Any] | None) -> None:
    """ComputeConfigRequest ``nodeRoleArn``: "This value cannot be changed after the compute
    capability of EKS Auto Mode is enabled." The message is the emulator's own."""
    current, requested = current or {}, requested or {}
    old, new = current.get("nodeRoleArn"), requested.get("nodeRoleArn")
    if current.get("enabled") and old and new and new != old:
        raise _invalid(f"nodeRoleArn cannot be changed after the compute capability of EKS Auto Mode is enabled. "
                       f"Current nodeRoleArn: {old}")


def check_nodegroup_create_version(cluster_version: str, requested: str | None) -> None:
    """EKS API Reference, CreateNodegroup,
    https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html: "You can
    only create a node group for your cluster that is equal to the current Kubernetes
    version for the cluster" (``version``: "the Kubernetes version of the cluster is used,
    and this is the only accepted specified value"). The message is the emulator's own."""
    if requested is not None and requested != cluster_version:
        raise _invalid(f"Requested Nodegroup version {requested} is invalid: a node group is created at its "
                       f"cluster's Kubernetes version, {cluster_version}")


def check_nodegroup_update_version(cluster_version: str, requested: str | None) -> None:
    """EKS User Guide, "Update a managed node group for your cluster": nodes cannot run a
    newer Kubernetes version than the control plane. The message is the emulator's own."""
    if requested and tuple(map(int, requested.split("."))) > tuple(map(int, cluster_version.split("."))):
        raise _invalid(f"Requested Nodegroup version {requested} is newer than the cluster version {cluster_version}")


def not_found(what: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                     addonName=None, message=what)
