"""AWS's rules for the EKS operations the extension serves, with AWS's error codes.

Each check cites the AWS document it follows. They raise moto's EKS exceptions, which
moto serialises as AWS does (``x-amzn-ErrorType`` header, JSON body with ``message``),
so boto3 and Terraform see the same error code they would see from AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)

from eksguard import eks_api_rules as api_rules
from eksguard.testing.moto_eks.catalog import ACCESS_POLICIES, ADDONS

API_MODES = ("API", "API_AND_CONFIG_MAP")
AUTHENTICATION_MODE_ORDER = ("CONFIG_MAP", "API_AND_CONFIG_MAP", "API")
NODE_ENTRY_TYPES = api_rules.NODE_ENTRY_TYPES
ENTRY_TYPES = api_rules.ENTRY_TYPES
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


class EmulatorRule(NamedTuple):
    """One rule of AWS's that the extension enforces. The README's table of enforced rules
    is generated from these (``rules_table``), so the two cannot drift."""

    operations: tuple[str, ...]
    """The EKS API operations that check it."""
    refuses: str
    """What AWS refuses, in a phrase."""
    error: str
    """AWS's error code for it."""
    tests: tuple[str, ...]
    """The tests that make the refused request and assert the error code (``file::test``
    under ``tests/integration/``): through boto3, and through Terraform where one is named
    from ``test_moto_eks_rules_terraform.py``."""


RULES: dict[str, EmulatorRule] = {}
"""Every enforced rule, by the name of the function that checks it."""
_Check = TypeVar("_Check", bound=Callable[..., Any])
_BOTO3 = "test_moto_eks_rules.py::"
_AUTO = "test_moto_eks_auto_mode.py::"
_TERRAFORM = "test_moto_eks_rules_terraform.py::test_every_rule_terraform_can_reach_is_refused_in_one_apply"


def enforced(*operations: str, refuses: str, error: str, tests: tuple[str, ...]) -> Callable[[_Check], _Check]:
    """Register the decorated check as an ``EmulatorRule``."""
    def register(check: _Check) -> _Check:
        RULES[check.__name__] = EmulatorRule(operations, refuses, error, tests)
        return check
    return register


def rules_table() -> str:
    """The README's table of enforced rules (Markdown), one row per ``RULES`` entry."""
    rows = ["| EKS operations | AWS refuses | error code | tests (boto3; Terraform) |", "|---|---|---|---|"]
    for rule in RULES.values():
        boto3 = [t.split("::")[1] for t in rule.tests if t != _TERRAFORM]
        through = "; Terraform" if _TERRAFORM in rule.tests else ""
        rows.append(f"| {', '.join(rule.operations)} | {rule.refuses} | `{rule.error}` | "
                    f"{', '.join(f'`{t}`' for t in boto3)}{through} |")
    return "\n".join(rows)


def _invalid(message: str) -> InvalidParameterException:
    return InvalidParameterException(message=message)


@enforced("CreateAccessEntry",
          refuses="an access entry on a cluster whose authentication mode is not `API` or `API_AND_CONFIG_MAP`",
          error="InvalidRequestException", tests=(
              _BOTO3 + "test_access_entry_is_refused_while_the_cluster_authenticates_through_the_config_map",
              _TERRAFORM))
def require_api_authentication(cluster: Any) -> None:
    """Access entries exist only where the cluster's authentication mode includes the EKS
    API (EKS User Guide, "Change authentication mode to use access entries": "the
    authentication mode of the cluster must be API or API_AND_CONFIG_MAP")."""
    mode = cluster.access_config["authenticationMode"]
    if mode not in API_MODES:
        raise InvalidRequestException(
            message=f"The cluster's authentication mode must be set to one of {list(API_MODES)} "
                    f"to perform this operation. Current mode: {mode}.")


@enforced("CreateAccessEntry",
          refuses="a principal that is not an existing IAM role or user",
          error="InvalidParameterException", tests=(
              _BOTO3 + "test_access_entry_principal_must_exist",
              _BOTO3 + "test_access_entry_principal_must_be_an_iam_role_or_user_arn"))
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


@enforced("CreatePodIdentityAssociation", "UpdatePodIdentityAssociation", "CreateAddon", "UpdateAddon",
          refuses="a role (`roleArn`, `targetRoleArn`, `serviceAccountRoleArn`, an add-on's `podIdentityAssociations`) that does not exist",
          error="InvalidParameterException", tests=(
              _BOTO3 + "test_pod_identity_roles_must_exist",
              _BOTO3 + "test_create_addon_is_refused"))
def require_role(iam: Any, role_arn: str, field: str) -> None:
    """A role EKS assumes on the workload's behalf must exist (EKS API Reference,
    CreatePodIdentityAssociation ``roleArn`` / CreateAddon ``serviceAccountRoleArn``:
    "The Amazon Resource Name (ARN) of an existing IAM role")."""
    if not (_ROLE_OR_USER_ARN.match(role_arn) and ":role/" in role_arn and iam_principal_exists(iam, role_arn)):
        raise _invalid(f"Role provided in the request does not exist: {field} {role_arn}")


@enforced("CreateAccessEntry",
          refuses="a second access entry for a principal",
          error="ResourceInUseException", tests=(
              _BOTO3 + "test_second_access_entry_for_a_principal_is_refused",
              _AUTO + "test_a_second_entry_for_the_auto_mode_node_role_is_refused"))
def require_new_entry(entries: dict[str, Any], principal_arn: str) -> None:
    """One access entry per principal per cluster (EKS User Guide, "Create access entries":
    "An IAM principal can only have one access entry per cluster")."""
    if principal_arn in entries:
        raise ResourceInUseException(
            clusterName=None, nodegroupName=None, addonName=None,
            message="The specified access entry resource is already in use on this cluster.")


RESERVED_USERNAME_PREFIXES = api_rules.RESERVED_USERNAME_PREFIXES


@enforced("CreateAccessEntry", "UpdateAccessEntry",
          refuses="an unknown type; groups or a username on a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`, `EC2`); a username starting `system:`, `eks:`, `aws:`, `amazon:` or `iam:`; a group starting `system:`",
          error="InvalidParameterException", tests=(
              _BOTO3 + "test_node_access_entry_takes_no_groups_and_no_username",
              _BOTO3 + "test_access_entry_type_must_be_one_aws_knows",
              _BOTO3 + "test_access_entry_username_cannot_start_with_a_reserved_prefix",
              _BOTO3 + "test_kubernetes_group_cannot_start_with_system",
              _BOTO3 + "test_update_access_entry_follows_the_same_rules",
              _TERRAFORM))
def check_entry_shape(entry_type: str, kubernetes_groups: list[str] | None, username: str | None) -> None:
    """``eksguard.eks_api_rules.check_entry_shape``, with moto's exception (the constructs
    refuse the same values at construction)."""
    try:
        api_rules.check_entry_shape(entry_type, kubernetes_groups, username)
    except api_rules.EksApiRefusal as refusal:
        raise _invalid(refusal.message) from None


@enforced("AssociateAccessPolicy",
          refuses="an access policy on an entry that is not `STANDARD` (or Auto Mode's `EC2`)",
          error="InvalidParameterException", tests=(_BOTO3 + "test_access_policy_goes_on_standard_entries_only", _TERRAFORM))
def require_policy_target(entry: Any) -> None:
    """Access policies go on STANDARD entries, and on Auto Mode's EC2 entries
    (``POLICY_ENTRY_TYPES``); never on the other node types (CreateAccessEntry ``type``:
    "If you set the value to EC2_LINUX or EC2_WINDOWS, you can't ... associate an
    AccessPolicy")."""
    if entry.type not in POLICY_ENTRY_TYPES:
        raise _invalid('This operation can only be performed on Access Entries with a type of "STANDARD".')


@enforced("AssociateAccessPolicy",
          refuses="a policy ARN that is not one of EKS's cluster access policies",
          error="ResourceNotFoundException", tests=(_BOTO3 + "test_policy_must_be_a_cluster_access_policy", _TERRAFORM))
def require_access_policy(policy_arn: str) -> None:
    """Only EKS's own cluster access policies can be associated (EKS User Guide, "Review
    access policy permissions"; ListAccessPolicies)."""
    match = _ACCESS_POLICY_ARN.match(policy_arn or "")
    if not match or match.group(1) not in ACCESS_POLICIES:
        raise ResourceNotFoundException(
            clusterName=None, nodegroupName=None, fargateProfileName=None, addonName=None,
            message="The specified policyArn could not be found.")


@enforced("AssociateAccessPolicy",
          refuses="Auto Mode's `*ClusterPolicy` access policies for a principal that is not a service-linked role",
          error="InvalidParameterException", tests=(_BOTO3 + "test_auto_mode_cluster_policies_go_to_service_linked_roles_only",))
def require_policy_principal(policy_arn: str, principal_arn: str) -> None:
    """Auto Mode's cluster policies go only to EKS's service-linked roles (EKS User Guide,
    "Review access policy permissions": AmazonEKSBlockStorageClusterPolicy and the other
    *ClusterPolicy entries are "for the service-linked role")."""
    name = policy_arn.rsplit("/", 1)[-1]
    if name in SERVICE_LINKED_ONLY_POLICIES and ":role/aws-service-role/" not in principal_arn:
        raise _invalid("The specified policyArn can only be associated with service-linked roles")


@enforced("AssociateAccessPolicy",
          refuses="a `namespace` scope without namespaces, a `cluster` scope with some, another scope type",
          error="InvalidParameterException", tests=(_BOTO3 + "test_access_scope_must_fit_its_type",))
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


@enforced("CreatePodIdentityAssociation", "CreateAddon",
          refuses="a second Pod Identity association for a service account",
          error="ResourceInUseException", tests=(_BOTO3 + "test_second_association_for_a_service_account_is_refused", _TERRAFORM))
def require_new_service_account(associations: dict[str, Any], namespace: str, service_account: str) -> None:
    """One Pod Identity association per service account per cluster (EKS User Guide,
    "Assign an IAM role to a Kubernetes service account": "You can only associate one IAM
    role to each Kubernetes service account")."""
    for association in associations.values():
        if association.namespace == namespace and association.service_account == service_account:
            raise ResourceInUseException(clusterName=None, nodegroupName=None, addonName=None,
                                         message=f"Association already exists: {association.association_id}")


@enforced("CreateAddon", "UpdateAddon",
          refuses="an add-on, or an add-on version, the catalog does not serve for the cluster's Kubernetes version",
          error="InvalidParameterException", tests=(_BOTO3 + "test_create_addon_is_refused", _TERRAFORM))
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


@enforced("CreateAddon",
          refuses="a second add-on of a name",
          error="ResourceInUseException", tests=(_BOTO3 + "test_second_addon_of_a_name_is_refused",))
def require_new_addon(addons: dict[str, Any], addon_name: str) -> None:
    """One add-on of a name per cluster (EKS API Reference, CreateAddon errors:
    ResourceInUseException)."""
    if addon_name in addons:
        raise ResourceInUseException(clusterName=None, nodegroupName=None, addonName=addon_name,
                                     message="Addon already exists.")


@enforced("CreateCluster",
          refuses="`CONFIG_MAP` authentication without `bootstrapClusterCreatorAdminPermissions`",
          error="InvalidParameterException", tests=(_BOTO3 + "test_create_cluster_access_config_is_checked",))
def check_bootstrap_admin(mode: str, bootstrap_admin: bool) -> None:
    """A CONFIG_MAP cluster must give its creator admin: there is no other way in (EKS API
    Reference, CreateAccessConfigRequest; AWS answers InvalidParameterException)."""
    if mode == "CONFIG_MAP" and not bootstrap_admin:
        raise _invalid("bootstrapClusterCreatorAdminPermissions must be true if cluster authentication "
                       "mode is set to CONFIG_MAP")


@enforced("UpdateClusterConfig",
          refuses="an authentication mode change other than `CONFIG_MAP` → `API_AND_CONFIG_MAP` → `API` (the same mode too)",
          error="InvalidParameterException", tests=(_BOTO3 + "test_authentication_mode_only_moves_forward",))
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


@enforced("CreateCluster", "UpdateClusterConfig",
          refuses="Auto Mode's compute, block storage and load balancing not all on or all off in one request",
          error="InvalidParameterException", tests=(
              _AUTO + "test_auto_mode_capabilities_are_all_on_or_all_off_at_create",
              _AUTO + "test_auto_mode_is_switched_on_in_one_request"))
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


@enforced("UpdateClusterConfig",
          refuses="switching Auto Mode off on a cluster that never had it",
          error="InvalidRequestException", tests=(_AUTO + "test_auto_mode_cannot_be_switched_off_where_it_was_never_on",))
def check_auto_mode_disable(currently_enabled: bool, enabling: bool) -> None:
    """Switching Auto Mode off on a cluster that never had it is refused (AWS's answer,
    quoted in aws-controllers-k8s/community#3046: InvalidRequestException "Cannot modify
    EKS Auto Mode configuration. Auto Mode is not enabled on this cluster.")."""
    if not enabling and not currently_enabled:
        raise InvalidRequestException(
            message="Cannot modify EKS Auto Mode configuration. Auto Mode is not enabled on this cluster.")


@enforced("CreateCluster",
          refuses="Auto Mode with `bootstrapSelfManagedAddons: true`",
          error="InvalidParameterException", tests=(_AUTO + "test_auto_mode_refuses_self_managed_addons",))
def check_auto_mode_bootstrap_addons(bootstrap_self_managed_addons: bool | None) -> None:
    """Auto Mode runs the VPC CNI, kube-proxy and CoreDNS itself, so CreateCluster refuses
    ``bootstrapSelfManagedAddons: true`` with it (AWS's InvalidParameterException, quoted in
    hashicorp/terraform-provider-aws#40483, which documents it for ``aws_eks_cluster``:
    "Enabling EKS Auto Mode also requires that bootstrap_self_managed_addons is set to
    false"). Only an explicit true is refused: AWS's own Auto Mode create-cluster example
    (automode-get-started-cli.html) does not set it."""
    if bootstrap_self_managed_addons is True:
        raise _invalid("When EKS Auto Mode is enabled, bootstrapSelfManagedAddons must be set to false.")


@enforced("CreateCluster", "UpdateClusterConfig",
          refuses="Auto Mode without an API authentication mode",
          error="InvalidParameterException", tests=(_AUTO + "test_auto_mode_needs_access_entries",))
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


@enforced("CreateCluster", "UpdateClusterConfig",
          refuses="Auto Mode below Kubernetes 1.29",
          error="InvalidParameterException", tests=(_AUTO + "test_auto_mode_needs_kubernetes_1_29_or_later",))
def check_auto_mode_version(version: str | None) -> None:
    """EKS User Guide, "Create a cluster with Amazon EKS Auto Mode",
    https://docs.aws.amazon.com/eks/latest/userguide/create-auto.html: "EKS Auto Mode requires
    Kubernetes version 1.29 or greater." The message is the emulator's own."""
    if version is None:
        return
    if tuple(int(p) for p in version.split(".")[:2]) < AUTO_MODE_MINIMUM_VERSION:
        raise _invalid(f"EKS Auto Mode requires Kubernetes version 1.29 or greater. Requested version: {version}.")


@enforced("CreateCluster", "UpdateClusterConfig",
          refuses="node pools other than `general-purpose`/`system`; node pools without a node role or the reverse; a node role that does not exist",
          error="InvalidParameterException", tests=(_AUTO + "test_auto_mode_node_pools_and_node_role_are_checked_at_create",))
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


@enforced("UpdateClusterConfig",
          refuses="a new Auto Mode node role once compute is on",
          error="InvalidParameterException", tests=(_AUTO + "test_node_role_cannot_change_once_auto_mode_compute_is_on",))
def check_auto_mode_node_role_change(current: dict[str, Any] | None, requested: dict[str, Any] | None) -> None:
    """ComputeConfigRequest ``nodeRoleArn``: "This value cannot be changed after the compute
    capability of EKS Auto Mode is enabled." The message is the emulator's own."""
    current, requested = current or {}, requested or {}
    old, new = current.get("nodeRoleArn"), requested.get("nodeRoleArn")
    if current.get("enabled") and old and new and new != old:
        raise _invalid(f"nodeRoleArn cannot be changed after the compute capability of EKS Auto Mode is enabled. "
                       f"Current nodeRoleArn: {old}")


@enforced("CreateNodegroup",
          refuses="a node group at another Kubernetes version than its cluster's",
          error="InvalidParameterException", tests=(_BOTO3 + "test_node_group_is_created_at_its_clusters_version_only", _TERRAFORM))
def check_nodegroup_create_version(cluster_version: str, requested: str | None) -> None:
    """EKS API Reference, CreateNodegroup,
    https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html: "You can
    only create a node group for your cluster that is equal to the current Kubernetes
    version for the cluster" (``version``: "the Kubernetes version of the cluster is used,
    and this is the only accepted specified value"). The message is the emulator's own."""
    if requested is not None and requested != cluster_version:
        raise _invalid(f"Requested Nodegroup version {requested} is invalid: a node group is created at its "
                       f"cluster's Kubernetes version, {cluster_version}")


@enforced("UpdateNodegroupVersion",
          refuses="a node group newer than its cluster",
          error="InvalidParameterException", tests=(_BOTO3 + "test_node_group_cannot_be_newer_than_its_cluster",))
def check_nodegroup_update_version(cluster_version: str, requested: str | None) -> None:
    """EKS User Guide, "Update a managed node group for your cluster": nodes cannot run a
    newer Kubernetes version than the control plane. The message is the emulator's own."""
    if requested and tuple(map(int, requested.split("."))) > tuple(map(int, cluster_version.split("."))):
        raise _invalid(f"Requested Nodegroup version {requested} is newer than the cluster version {cluster_version}")


@enforced("UpdateClusterVersion",
          refuses="anything but the next minor Kubernetes version (skipping one, the same, older)",
          error="InvalidParameterException", tests=(_BOTO3 + "test_cluster_version_moves_one_minor_at_a_time",))
def check_cluster_version_update(current: str, requested: str | None) -> None:
    """EKS User Guide, "Update existing cluster to new Kubernetes version": one minor
    version at a time, and never back."""
    major, minor = (int(p) for p in current.split(".")[:2])
    if requested != f"{major}.{minor + 1}":
        raise _invalid(f"Unsupported Kubernetes minor version update from {current} to {requested}")


@enforced("CreateCluster",
          refuses="an unknown authentication mode",
          error="InvalidParameterException", tests=(_BOTO3 + "test_create_cluster_access_config_is_checked",))
def check_authentication_mode(mode: str) -> None:
    """EKS API Reference, CreateAccessConfigRequest ``authenticationMode``: one of
    ``CONFIG_MAP``, ``API_AND_CONFIG_MAP``, ``API``."""
    if mode not in AUTHENTICATION_MODE_ORDER:
        raise _invalid(f"Unsupported authentication mode {mode}")


@enforced("UpdateClusterConfig",
          refuses="more than one kind of update in a request, or none",
          error="InvalidParameterException", tests=(_BOTO3 + "test_refused_cluster_config_update_changes_nothing",))
def check_one_update_kind(kinds: int) -> None:
    """EKS API Reference, UpdateClusterConfig: one kind of update per request; AWS answers
    "Only one type of update can be allowed."."""
    if kinds != 1:
        raise _invalid("Only one type of update can be allowed." if kinds else "No changes needed")


@enforced("DeletePodIdentityAssociation",
          refuses="deleting a Pod Identity association an add-on owns",
          error="InvalidRequestException", tests=(_BOTO3 + "test_addon_owned_association_is_deleted_only_through_the_addon",))
def require_unowned_association(association_id: str, owner_arn: str | None) -> None:
    """EKS User Guide, "Pod Identity associations of add-ons": an association an add-on
    made is owned by it and changed only through it."""
    if owner_arn:
        raise InvalidRequestException(
            message=f"Pod Identity Association {association_id} is owned by {owner_arn} "
                    "and can only be deleted through it.")



@enforced("CreateAddon", refuses="an add-on's `podIdentityAssociations` naming a service account twice",
          error="InvalidParameterException",
          tests=(_BOTO3 + "test_addon_pod_identity_associations_name_each_service_account_once",))
def check_addon_service_accounts_once(service_accounts: list[str]) -> None:
    """One association per service account holds within one CreateAddon too (EKS User
    Guide, "Assign an IAM role to a Kubernetes service account": one IAM role per service
    account). The message is the emulator's own."""
    if len(set(service_accounts)) != len(service_accounts):
        raise _invalid("podIdentityAssociations names a service account more than once")

def not_found(what: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                     addonName=None, message=what)
