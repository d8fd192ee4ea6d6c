"""Read what landed in AWS (or the emulator) into typed, comparable snapshots.

State and parsing are kept apart from assertions: these functions only read.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def _document(value: Any) -> dict[str, Any]:
    """IAM documents come back as dicts from boto3, or URL-encoded JSON from some emulators."""
    if isinstance(value, dict):
        return value
    return json.loads(urllib.parse.unquote(value))


@dataclass(frozen=True)
class RoleSnapshot:
    name: str
    arn: str
    trust_policy: dict[str, Any]
    attached_policy_arns: frozenset[str]
    inline_policies: dict[str, dict[str, Any]]
    max_session_duration: int
    tags: dict[str, str]


def read_role(iam: Any, role_name_or_arn: str) -> RoleSnapshot:
    name = role_name_or_arn.rsplit("/", 1)[-1]
    role = iam.get_role(RoleName=name)["Role"]
    attached = [p["PolicyArn"] for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
                for p in page["AttachedPolicies"]]
    inline_names = [n for page in iam.get_paginator("list_role_policies").paginate(RoleName=name)
                    for n in page["PolicyNames"]]
    inline = {n: _document(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"])
              for n in inline_names}
    return RoleSnapshot(
        name=name, arn=role["Arn"], trust_policy=_document(role["AssumeRolePolicyDocument"]),
        attached_policy_arns=frozenset(attached), inline_policies=inline,
        max_session_duration=role.get("MaxSessionDuration", 3600),
        tags={t["Key"]: t["Value"] for t in role.get("Tags", [])})


@dataclass(frozen=True)
class ManagedPolicySnapshot:
    name: str
    arn: str
    description: str
    document: dict[str, Any]
    """The default version's document."""
    tags: dict[str, str]


def read_managed_policy(iam: Any, arn: str) -> ManagedPolicySnapshot:
    """A customer managed (or AWS managed) policy and its default version's document."""
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    return ManagedPolicySnapshot(name=policy["PolicyName"], arn=arn, description=policy.get("Description", ""),
                                 document=_document(version["Document"]),
                                 tags={t["Key"]: t["Value"] for t in policy.get("Tags", [])})


@dataclass(frozen=True)
class OidcProviderSnapshot:
    arn: str
    url: str
    """Without the scheme, as IAM returns it."""
    client_ids: tuple[str, ...]


def read_oidc_provider(iam: Any, arn: str) -> OidcProviderSnapshot:
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    return OidcProviderSnapshot(arn=arn, url=provider["Url"].removeprefix("https://"),
                                client_ids=tuple(provider.get("ClientIDList", [])))


@dataclass(frozen=True)
class ClusterSnapshot:
    name: str
    arn: str
    version: str
    role_arn: str
    subnet_ids: frozenset[str]
    endpoint_private_access: bool
    endpoint_public_access: bool
    public_access_cidrs: tuple[str, ...]
    enabled_log_types: frozenset[str]
    secrets_key_arn: str | None
    oidc_issuer: str
    access_config: dict[str, Any] | None
    """``{"authenticationMode": …, "bootstrapClusterCreatorAdminPermissions": …}``; None
    where the endpoint does not return it."""
    tags: dict[str, str]
    auto_mode: dict[str, Any] | None = None
    """EKS Auto Mode as DescribeCluster returns it: ``{"computeConfig": …, "storageConfig":
    …, "elasticLoadBalancing": …}`` (the last from ``kubernetesNetworkConfig``); None when
    the cluster returns no ``computeConfig``."""


def read_cluster(eks: Any, name: str) -> ClusterSnapshot:
    cluster = eks.describe_cluster(name=name)["cluster"]
    vpc = cluster.get("resourcesVpcConfig", {})
    enabled = {t for entry in cluster.get("logging", {}).get("clusterLogging", []) if entry.get("enabled")
               for t in entry.get("types", [])}
    secrets_key = next((e["provider"]["keyArn"] for e in cluster.get("encryptionConfig", [])
                        if "secrets" in e.get("resources", [])), None)
    return ClusterSnapshot(
        name=cluster["name"], arn=cluster["arn"], version=cluster.get("version", ""),
        role_arn=cluster.get("roleArn", ""), subnet_ids=frozenset(vpc.get("subnetIds", [])),
        endpoint_private_access=bool(vpc.get("endpointPrivateAccess")),
        endpoint_public_access=bool(vpc.get("endpointPublicAccess")),
        public_access_cidrs=tuple(vpc.get("publicAccessCidrs", [])),
        enabled_log_types=frozenset(enabled), secrets_key_arn=secrets_key,
        oidc_issuer=cluster.get("identity", {}).get("oidc", {}).get("issuer", ""),
        access_config=cluster.get("accessConfig"), tags=cluster.get("tags", {}),
        auto_mode={"computeConfig": cluster["computeConfig"], "storageConfig": cluster.get("storageConfig"),
                   "elasticLoadBalancing": cluster.get("kubernetesNetworkConfig", {}).get("elasticLoadBalancing")}
        if "computeConfig" in cluster else None)


@dataclass(frozen=True)
class NodeGroupSnapshot:
    name: str
    cluster_name: str
    role_arn: str
    min_size: int
    desired_size: int
    max_size: int
    subnet_ids: frozenset[str]
    instance_types: tuple[str, ...]
    capacity_type: str
    ami_type: str
    labels: dict[str, str]
    taints: frozenset[tuple[str, str, str]]
    """(key, value, effect)."""
    launch_template_id: str | None
    launch_template_version: str | None


def read_node_group(eks: Any, cluster_name: str, name: str) -> NodeGroupSnapshot:
    group = eks.describe_nodegroup(clusterName=cluster_name, nodegroupName=name)["nodegroup"]
    scaling = group.get("scalingConfig", {})
    template = group.get("launchTemplate") or {}
    return NodeGroupSnapshot(
        name=group["nodegroupName"], cluster_name=group["clusterName"], role_arn=group["nodeRole"],
        min_size=scaling.get("minSize"), desired_size=scaling.get("desiredSize"),
        max_size=scaling.get("maxSize"), subnet_ids=frozenset(group.get("subnets", [])),
        instance_types=tuple(group.get("instanceTypes", [])),
        capacity_type=group.get("capacityType", ""), ami_type=group.get("amiType", ""),
        labels=group.get("labels", {}),
        taints=frozenset((t["key"], t.get("value", ""), t["effect"]) for t in group.get("taints", [])),
        launch_template_id=template.get("id"), launch_template_version=template.get("version"))


@dataclass(frozen=True)
class LaunchTemplateSnapshot:
    id: str
    default_version: int
    http_tokens: str
    http_endpoint: str
    http_put_response_hop_limit: int
    root_volume: dict[str, Any]


def read_launch_template(ec2: Any, template_id: str) -> LaunchTemplateSnapshot:
    version = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["$Default"])["LaunchTemplateVersions"][0]
    data = version["LaunchTemplateData"]
    metadata = data.get("MetadataOptions", {})
    devices = data.get("BlockDeviceMappings", [])
    return LaunchTemplateSnapshot(
        id=template_id, default_version=version["VersionNumber"],
        http_tokens=metadata.get("HttpTokens", ""), http_endpoint=metadata.get("HttpEndpoint", ""),
        http_put_response_hop_limit=int(metadata.get("HttpPutResponseHopLimit", 0)),
        root_volume=devices[0] if devices else {})


@dataclass(frozen=True)
class AccessEntrySnapshot:
    principal_arn: str
    type: str
    policies: frozenset[tuple[str, str, tuple[str, ...]]]
    """(policy ARN, scope type, namespaces)."""
    kubernetes_groups: tuple[str, ...] = ()
    username: str = ""


def read_access_entry(eks: Any, cluster_name: str, principal_arn: str) -> AccessEntrySnapshot:
    entry = eks.describe_access_entry(clusterName=cluster_name, principalArn=principal_arn)["accessEntry"]
    policies = eks.list_associated_access_policies(clusterName=cluster_name, principalArn=principal_arn)
    return AccessEntrySnapshot(
        principal_arn=principal_arn, type=entry.get("type", ""),
        kubernetes_groups=tuple(entry.get("kubernetesGroups", [])), username=entry.get("username", ""),
        policies=frozenset((p["policyArn"], p["accessScope"]["type"],
                            tuple(p["accessScope"].get("namespaces", [])))
                           for p in policies.get("associatedAccessPolicies", [])))


@dataclass(frozen=True)
class PodIdentityAssociationSnapshot:
    namespace: str
    service_account: str
    role_arn: str


def read_pod_identity_associations(eks: Any, cluster_name: str) -> frozenset[PodIdentityAssociationSnapshot]:
    found = set()
    for summary in eks.list_pod_identity_associations(clusterName=cluster_name)["associations"]:
        detail = eks.describe_pod_identity_association(
            clusterName=cluster_name, associationId=summary["associationId"])["association"]
        found.add(PodIdentityAssociationSnapshot(detail["namespace"], detail["serviceAccount"], detail["roleArn"]))
    return frozenset(found)


@dataclass(frozen=True)
class AddonSnapshot:
    name: str
    version: str
    status: str
    service_account_role_arn: str | None
    configuration_values: str | None


def read_addons(eks: Any, cluster_name: str) -> dict[str, AddonSnapshot]:
    """Every add-on of the cluster, by name."""
    found = {}
    for name in eks.list_addons(clusterName=cluster_name)["addons"]:
        addon = eks.describe_addon(clusterName=cluster_name, addonName=name)["addon"]
        found[name] = AddonSnapshot(name=name, version=addon.get("addonVersion", ""), status=addon.get("status", ""),
                                    service_account_role_arn=addon.get("serviceAccountRoleArn"),
                                    configuration_values=addon.get("configurationValues"))
    return found


def read_access_entries(eks: Any, cluster_name: str) -> dict[str, AccessEntrySnapshot]:
    """Every access entry of the cluster, by principal ARN."""
    principals = [p for page in eks.get_paginator("list_access_entries").paginate(clusterName=cluster_name)
                  for p in page["accessEntries"]]
    return {p: read_access_entry(eks, cluster_name, p) for p in principals}


@dataclass(frozen=True)
class Inventory:
    """What an account holds of the kinds eksguard creates: to show that a run left nothing."""

    roles: frozenset[str]
    oidc_providers: frozenset[str]
    clusters: frozenset[str]
    vpcs: frozenset[str]
    launch_templates: frozenset[str]
    log_groups: frozenset[str]
    enabled_kms_keys: frozenset[str]

    def minus(self, before: Inventory) -> dict[str, frozenset[str]]:
        """What is here and was not ``before``, by kind (empty kinds left out)."""
        left = {kind: getattr(self, kind) - getattr(before, kind) for kind in self.__dataclass_fields__}
        return {kind: items for kind, items in left.items() if items}


def read_inventory(client: Any, regions: Sequence[str] | None = None) -> Inventory:
    """What the account holds, read through ``client(service[, region])``.

    Regional kinds (clusters, VPCs, launch templates, log groups, KMS keys) are read in every
    region of ``regions``; by default, when ``client`` is an emulator's or a deployment's
    ``client``, every region that its deployments' providers named (a stack in eu-west-1
    read through ``aws_emulator.client`` is read in eu-west-1, not only in the harness
    region). Entries of any region but the first carry it as a prefix, ``eu-west-1:vpc-...``;
    through an emulator's ``client``, every isolated deployment's account is read too, its
    entries prefixed with the account, ``100000000001/eu-west-1:vpc-...``. IAM is global:
    read once per account."""
    owner = getattr(client, "__self__", None)
    if regions is None and hasattr(owner, "inventory_regions"):
        regions = owner.inventory_regions()
    # An emulator's client reads every isolated deployment's account too: what a stack in
    # an account of its own holds is never invisible to "the teardown left nothing".
    accounts = owner.inventory_accounts() if hasattr(owner, "inventory_accounts") else (None,)
    kinds = ("roles", "oidc_providers", "clusters", "vpcs", "launch_templates", "log_groups", "enabled_kms_keys")
    found: dict[str, set[str]] = {k: set() for k in kinds}
    for account in accounts:
        in_account = client if account is None else _in_account(client, account)
        readers = ([(None, in_account)] if not regions else
                   [(None if i == 0 else r, _in_region(in_account, r)) for i, r in enumerate(regions)])
        mark = f"{account}/" if account else ""
        iam = in_account("iam")
        found["roles"] |= {mark + r["RoleName"] for page in iam.get_paginator("list_roles").paginate()
                           for r in page["Roles"]}
        found["oidc_providers"] |= {mark + p["Arn"] for p in
                                    iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
        for prefix, read in readers:
            for kind, names in _regional_inventory(read).items():
                found[kind] |= {mark + (f"{prefix}:{n}" if prefix else n) for n in names}
    return Inventory(**{kind: frozenset(names) for kind, names in found.items()})


def _in_account(client: Any, account: str) -> Any:
    return lambda service, region=None: client(service, region=region, account=account)


def _in_region(client: Any, region: str) -> Any:
    return lambda service: client(service, region=region)


def _regional_inventory(client: Any) -> dict[str, set[str]]:
    eks, ec2, logs, kms = (client(s) for s in ("eks", "ec2", "logs", "kms"))
    keys = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate() for k in page["Keys"]]
    return {
        "clusters": set(eks.list_clusters()["clusters"]),
        "vpcs": {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")},
        "launch_templates": {t["LaunchTemplateId"] for t in ec2.describe_launch_templates()["LaunchTemplates"]},
        "log_groups": {g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate()
                       for g in page["logGroups"]},
        "enabled_kms_keys": {k for k in keys if kms.describe_key(KeyId=k)["KeyMetadata"]["KeyState"] == "Enabled"},
    }
