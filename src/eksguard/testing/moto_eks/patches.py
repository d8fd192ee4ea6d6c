"""Corrections to what moto 5.2 already serves for EKS, so it answers as AWS does.

- Each cluster gets its own OIDC issuer (moto computes one per process, so a second
  cluster's IAM OIDC provider failed with EntityAlreadyExists).
- CreateCluster keeps ``accessConfig``, ``upgradePolicy``, ``zonalShiftConfig``,
  ``computeConfig``, ``storageConfig`` and ``deletionProtection``, and DescribeCluster
  returns them with AWS's defaults; moto dropped them, so every re-plan wanted to replace
  the cluster. With ``bootstrapClusterCreatorAdminPermissions`` the creator gets a
  cluster-admin access entry, as on AWS.
- EKS Auto Mode: CreateCluster and UpdateClusterConfig enforce AWS's Auto Mode rules
  (``rules.check_auto_mode_*``) before anything changes; every cluster reports its
  ``serviceIpv4Cidr`` and ``ipFamily``; the node role of the built-in node pools gets EKS's
  EC2 access entry with AmazonEKSAutoNodePolicy (``create_auto_mode_node_entry``).
- UpdateClusterConfig merges a partial ``resourcesVpcConfig`` (moto replaced it whole),
  applies the access, upgrade and Auto Mode settings, and returns an ``update`` that
  DescribeUpdate serves (moto returned the cluster, and had no DescribeUpdate).
- UpdateClusterVersion and UpdateNodegroupVersion exist, with AWS's one-minor-version rule;
  every update's type and params are the ones AWS reports, and one request makes one
  kind of update. A node group without ``version`` runs the cluster's (moto said 1.19);
  CreateNodegroup accepts no other version than the cluster's, UpdateNodegroupVersion none
  newer than it (``rules.check_nodegroup_*_version``).
- A node group reports ``remoteAccess`` only when it was given one (moto invented
  ``{"ec2SshKey": "eksKeypair"}``, so Terraform wanted to replace every node group), and
  keeps ``updateConfig`` (AWS's default ``maxUnavailable: 1``) and ``nodeRepairConfig``
  (moto dropped both).
- Managed node groups get their node role's ``EC2_LINUX`` access entry when the cluster
  authenticates through the EKS API, as AWS creates it.
- The region comes from the host, never from an ARN in the path (an IAM Identity Center
  role's path holds ``sso.amazonaws.com``).
- Tags work on access entries, Pod Identity associations, add-ons and node groups (moto
  tagged clusters only).
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from moto.core.responses import ActionResult
from moto.eks import models as moto_models
from moto.eks.responses import EKSResponse

from eksguard.testing.moto_eks import rules
from eksguard.testing.moto_eks.catalog import access_policy_arn
from eksguard.testing.moto_eks.models import (
    CLUSTER_ADMIN,
    DEFAULT_ACCESS_CONFIG,
    DEFAULT_UPGRADE_POLICY,
    EksExtension,
    extras,
)

PASSED_THROUGH = ("upgradePolicy", "zonalShiftConfig", "computeConfig", "storageConfig",
                  "deletionProtection")
"""CreateCluster / UpdateClusterConfig settings kept as given and returned by DescribeCluster."""


def _attribute(member: str) -> str:
    from botocore import xform_name

    return xform_name(member)


def _cluster_init() -> None:
    original = moto_models.Cluster.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        region = self.arn.split(":")[3]
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/"
                                            f"{secrets.token_hex(16).upper()}"}}
        self.access_config = dict(DEFAULT_ACCESS_CONFIG)
        self.upgrade_policy = dict(DEFAULT_UPGRADE_POLICY)

    moto_models.Cluster.__init__ = init


def _nodegroup_init() -> None:
    original = moto_models.Nodegroup.__init__

    def init(self: Any, *args: Any, remote_access: dict[str, Any] | None = None, **kwargs: Any) -> None:
        original(self, *args, remote_access=remote_access, **kwargs)
        self.remote_access = remote_access

    moto_models.Nodegroup.__init__ = init


def create_cluster(self: Any) -> ActionResult:
    access_config = self._get_param("accessConfig") or {}
    mode = access_config.get("authenticationMode", DEFAULT_ACCESS_CONFIG["authenticationMode"])
    rules.check_authentication_mode(mode)
    rules.check_bootstrap_admin(mode, access_config.get(
        "bootstrapClusterCreatorAdminPermissions", DEFAULT_ACCESS_CONFIG["bootstrapClusterCreatorAdminPermissions"]))
    _check_auto_mode_at_create(self, mode)
    result = _ORIGINAL["create_cluster"](self)
    cluster = self.eks_backend.clusters[self._get_param("name")]
    # AWS reports the service CIDR and IP family of every cluster, with or without a
    # requested kubernetesNetworkConfig (moto kept only what was sent, so an Auto Mode
    # cluster's elasticLoadBalancing-only block lost both).
    cluster.kubernetes_network_config = {**DEFAULT_KUBERNETES_NETWORK_CONFIG,
                                         **(self._get_param("kubernetesNetworkConfig") or {})}
    cluster.access_config = {
        "authenticationMode": mode,
        "bootstrapClusterCreatorAdminPermissions": access_config.get(
            "bootstrapClusterCreatorAdminPermissions",
            DEFAULT_ACCESS_CONFIG["bootstrapClusterCreatorAdminPermissions"]),
    }
    for member in PASSED_THROUGH:
        value = self._get_param(member)
        if value is not None:
            setattr(cluster, _attribute(member), value)
    if mode in rules.API_MODES and cluster.access_config["bootstrapClusterCreatorAdminPermissions"]:
        # EKS User Guide, "Create access entries": the creator's IAM identity gets an
        # access entry with AmazonEKSClusterAdminPolicy.
        backend = self.eks_backend
        creator = f"arn:{backend.partition}:iam::{backend.account_id}:user/moto"
        extension = EksExtension(backend)
        extension.create_access_entry(cluster.name, creator, kubernetes_groups=None, username=None,
                                      entry_type="STANDARD", tags=None, system=True)
        extension.associate_access_policy(cluster.name, creator,
                                          f"arn:{backend.partition}:eks::aws:cluster-access-policy/{CLUSTER_ADMIN}",
                                          {"type": "cluster"})
    create_auto_mode_node_entry(self.eks_backend, cluster)
    return result


DEFAULT_KUBERNETES_NETWORK_CONFIG = {"serviceIpv4Cidr": moto_models.DEFAULT_KUBERNETES_NETWORK_CONFIG["serviceIpv4Cidr"],
                                     "ipFamily": "ipv4"}
"""What DescribeCluster reports without a requested kubernetesNetworkConfig (EKS API
Reference, KubernetesNetworkConfigRequest: ipFamily defaults to ipv4; the service CIDR is
one of 10.100.0.0/16 or 172.20.0.0/16, moto's choice kept). No ``elasticLoadBalancing``
until Auto Mode is switched on or off: AWS's DescribeCluster of a cluster that never had
Auto Mode has neither that block nor ``computeConfig`` / ``storageConfig``
(terraform-aws-modules/terraform-aws-eks#3273)."""


def _auto_mode_requested(self: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]:
    return (self._get_param("computeConfig"), self._get_param("storageConfig"),
            self._get_param("kubernetesNetworkConfig"))


def _check_auto_mode_at_create(self: Any, mode: str) -> None:
    """AWS's Auto Mode rules for CreateCluster (``rules``), before anything is created."""
    compute, storage, network = _auto_mode_requested(self)
    if rules.check_auto_mode_all_or_none(rules.auto_mode_flags(compute, storage, network), update=False):
        rules.check_auto_mode_bootstrap_addons(self._get_param("bootstrapSelfManagedAddons"))
        rules.check_auto_mode_authentication(mode)
        rules.check_auto_mode_version(self._get_param("version"))
    if compute:
        rules.check_auto_mode_compute(EksExtension(self.eks_backend).iam, compute)


def auto_mode_enabled(cluster: Any) -> bool:
    return bool((getattr(cluster, "compute_config", None) or {}).get("enabled"))


def create_auto_mode_node_entry(backend: Any, cluster: Any) -> None:
    """EKS's own access entry for an Auto Mode cluster's node role: type EC2, with
    AmazonEKSAutoNodePolicy at cluster scope, made when the built-in node pools are on
    (EKS User Guide, "Learn about identity and access in EKS Auto Mode",
    https://docs.aws.amazon.com/eks/latest/userguide/auto-learn-iam.html: "When you create a
    new auto mode cluster, EKS automatically creates the corresponding Kubernetes
    permissions using Access entries"; "Create a Node Class for Amazon EKS",
    https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html: "EKS
    automatically creates access entries when you use the built-in node class and node
    pools", of type EC2, and "The Node IAM Role requires the AmazonEKSAutoNodePolicy EKS
    Access Policy"). A principal that already has an entry keeps it."""
    compute = getattr(cluster, "compute_config", None) or {}
    role = compute.get("nodeRoleArn")
    if not (compute.get("enabled") and role and compute.get("nodePools")):
        return
    if role in extras(cluster).access_entries:
        return
    extension = EksExtension(backend)
    extension.create_access_entry(cluster.name, role, kubernetes_groups=None, username=None, entry_type="EC2",
                                  tags=None, system=True)
    extension.associate_access_policy(cluster.name, role,
                                      access_policy_arn(rules.AUTO_MODE_AUTO_NODE_POLICY, backend.partition),
                                      {"type": "cluster"})


def _text(value: Any) -> str:
    """An update param value as AWS writes it: booleans lower-case, other scalars as is,
    lists and objects as JSON."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


_VPC_PARAMS = {"endpointPublicAccess": "EndpointPublicAccess", "endpointPrivateAccess": "EndpointPrivateAccess",
               "publicAccessCidrs": "PublicAccessCidrs", "subnetIds": "Subnets",
               "securityGroupIds": "SecurityGroups"}
_AUTO_MODE = {"computeConfig": "ComputeConfig", "storageConfig": "StorageConfig",
              "kubernetesNetworkConfig": "KubernetesNetworkConfig"}
_CLUSTER_SETTINGS = (("upgradePolicy", "UpgradePolicyUpdate", "UpgradePolicy"),
                     ("zonalShiftConfig", "ZonalShiftConfigUpdate", "ZonalShiftConfig"),
                     ("deletionProtection", "DeletionProtectionUpdate", "DeletionProtection"))


def _cluster_config_update(self: Any, cluster: Any) -> tuple[str, dict[str, str], list[tuple[str, Any]]]:
    """What an UpdateClusterConfig request asks: (update type, params, [(attribute, new value)]).
    Refuses what AWS refuses before anything is applied."""
    kinds: list[tuple[str, dict[str, str], list[tuple[str, Any]]]] = []
    vpc = self._get_param("resourcesVpcConfig")
    if vpc:
        kind = "VpcConfigUpdate" if {"subnetIds", "securityGroupIds"} & set(vpc) else "EndpointAccessUpdate"
        kinds.append((kind, {_VPC_PARAMS[k]: _text(v) for k, v in vpc.items() if k in _VPC_PARAMS},
                      [("resources_vpc_config", {**cluster.resources_vpc_config, **vpc})]))
    logging = self._get_param("logging")
    if logging:
        kinds.append(("LoggingUpdate", {"ClusterLogging": json.dumps(logging)}, [("logging", logging)]))
    access = self._get_param("accessConfig")
    if access and access.get("authenticationMode"):
        rules.check_authentication_mode_change(cluster.access_config["authenticationMode"],
                                               access["authenticationMode"])
        # AWS quotes the mode as a JSON string in this param.
        kinds.append(("AccessConfigUpdate", {"AuthenticationMode": json.dumps(access["authenticationMode"])},
                      [("access_config", {**cluster.access_config,
                                          "authenticationMode": access["authenticationMode"]})]))
    auto_mode = {m: self._get_param(m) for m in _AUTO_MODE if self._get_param(m) is not None}
    if auto_mode:
        _check_auto_mode_update(self, cluster, auto_mode)
        changes = [(_attribute(m), {**(getattr(cluster, _attribute(m), None) or {}), **v})
                   for m, v in auto_mode.items()]
        kinds.append(("AutoModeUpdate", {_AUTO_MODE[m]: json.dumps(v) for m, v in auto_mode.items()}, changes))
    for member, kind, param in _CLUSTER_SETTINGS:
        value = self._get_param(member)
        if value is not None:
            kinds.append((kind, {param: _text(value)}, [(_attribute(member), value)]))
    rules.check_one_update_kind(len(kinds))
    return kinds[0]


def _check_auto_mode_update(self: Any, cluster: Any, requested: dict[str, Any]) -> None:
    """AWS's Auto Mode rules for UpdateClusterConfig (``rules``), before anything changes."""
    compute = requested.get("computeConfig")
    enabling = rules.check_auto_mode_all_or_none(rules.auto_mode_flags(
        compute, requested.get("storageConfig"), requested.get("kubernetesNetworkConfig")), update=True)
    rules.check_auto_mode_disable(auto_mode_enabled(cluster), enabling)
    if enabling:
        rules.check_auto_mode_authentication(cluster.access_config["authenticationMode"])
        rules.check_auto_mode_version(cluster.version)
    if compute:
        rules.check_auto_mode_compute(EksExtension(self.eks_backend).iam, compute)
        rules.check_auto_mode_node_role_change(getattr(cluster, "compute_config", None), compute)


def update_cluster_config(self: Any) -> ActionResult:
    extension = EksExtension(self.eks_backend)
    cluster = extension.cluster(self._get_param("name"))
    update_type, params, changes = _cluster_config_update(self, cluster)
    for attribute, value in changes:
        setattr(cluster, attribute, value)
    if update_type == "AutoModeUpdate":
        # EKS makes the node role's entry when Auto Mode is switched on later, too.
        create_auto_mode_node_entry(self.eks_backend, cluster)
    return ActionResult({"update": extension.record_update(cluster, update_type, params)})


def update_cluster_version(self: Any) -> ActionResult:
    extension = EksExtension(self.eks_backend)
    cluster = extension.cluster(self._get_param("name"))
    requested = self._get_param("version")
    rules.check_cluster_version_update(cluster.version, requested)
    cluster.version = requested
    return ActionResult({"update": extension.record_update(cluster, "VersionUpdate",
                                                           {"Version": requested, "PlatformVersion": "eks.1"})})


_NODEGROUP_SCALING = {"minSize": "MinSize", "maxSize": "MaxSize", "desiredSize": "DesiredSize"}


def update_nodegroup_config(self: Any) -> ActionResult:
    params: dict[str, str | None] = {}
    for key, value in (self._get_param("scalingConfig") or {}).items():
        params[_NODEGROUP_SCALING[key]] = _text(value)
    for request, add, remove in (("labels", "LabelsToAdd", "LabelsToRemove"),
                                 ("taints", "TaintsToAdd", "TaintsToRemove")):
        changes = self._get_param(request) or {}
        for key, param in ((f"addOrUpdate{request.capitalize()}", add), (f"remove{request.capitalize()}", remove)):
            if changes.get(key):
                params[param] = json.dumps(changes[key])
    for key, value in (self._get_param("updateConfig") or {}).items():
        params[key[0].upper() + key[1:]] = _text(value)
    repair = self._get_param("nodeRepairConfig")
    if repair is not None and "enabled" in repair:
        params["NodeRepairEnabled"] = _text(repair["enabled"])
    _ORIGINAL["update_nodegroup_config"](self)
    extension = EksExtension(self.eks_backend)
    cluster = extension.cluster(self._get_param("name"))
    return ActionResult({"update": extension.record_update(
        cluster, "ConfigUpdate", params, nodegroup_name=self._get_param("nodegroupName"))})


def update_nodegroup_version(self: Any) -> ActionResult:
    extension = EksExtension(self.eks_backend)
    cluster = extension.cluster(self._get_param("name"))
    group = self.eks_backend.describe_nodegroup(cluster.name, self._get_param("nodegroupName"))
    version, release, template = (self._get_param(p) for p in ("version", "releaseVersion", "launchTemplate"))
    rules.check_nodegroup_update_version(cluster.version, version)
    group.version = version or cluster.version
    group.release_version = release or default_release_version(group.version)
    if template:
        group.launch_template = {**(group.launch_template or {}), **template}
    return ActionResult({"update": extension.record_update(
        cluster, "VersionUpdate", {"Version": group.version, "ReleaseVersion": release,
                                   "LaunchTemplateName": (template or {}).get("name"),
                                   "LaunchTemplateVersion": (template or {}).get("version")},
        nodegroup_name=group.nodegroup_name)})


def default_release_version(kubernetes_version: str) -> str:
    """An AMI release version of the form EKS reports (``1.35.0-20261101``)."""
    return f"{kubernetes_version}.0-20261101"


DEFAULT_NODEGROUP_UPDATE_CONFIG = {"maxUnavailable": 1}
"""What EKS stores when CreateNodegroup has no ``updateConfig`` (EKS API Reference,
NodegroupUpdateConfig: one node unavailable at a time by default)."""


def create_nodegroup(self: Any) -> ActionResult:
    cluster = EksExtension(self.eks_backend).cluster(self._get_param("name"))
    rules.check_nodegroup_create_version(cluster.version, self._get_param("version"))
    result = _ORIGINAL["create_nodegroup"](self)
    group = self.eks_backend.describe_nodegroup(self._get_param("name"), self._get_param("nodegroupName"))
    group.update_config = self._get_param("updateConfig") or dict(DEFAULT_NODEGROUP_UPDATE_CONFIG)
    if not self._get_param("version"):
        # EKS API Reference, CreateNodegroup ``version``: defaults to the cluster's
        # (moto reported a fixed 1.19).
        group.version = self.eks_backend.clusters[group.cluster_name].version
    if not self._get_param("releaseVersion"):
        group.release_version = default_release_version(group.version)
    group.node_repair_config = self._get_param("nodeRepairConfig")
    return result


def _create_nodegroup_access_entry() -> None:
    original = moto_models.EKSBackend.create_nodegroup

    def create_nodegroup(self: Any, cluster_name: str, node_role: str, *args: Any, **kwargs: Any) -> Any:
        group = original(self, cluster_name, node_role, *args, **kwargs)
        cluster = self.clusters[cluster_name]
        # EKS User Guide, "Create access entries": "Amazon EKS automatically creates access
        # entries for the node IAM roles of managed node groups" when the mode includes API.
        if (cluster.access_config["authenticationMode"] in rules.API_MODES
                and node_role not in extras(cluster).access_entries):
            EksExtension(self).create_access_entry(cluster_name, node_role, kubernetes_groups=None,
                                                   username=None, entry_type="EC2_LINUX", tags=None, system=True)
        return group

    moto_models.EKSBackend.create_nodegroup = create_nodegroup


def _tags_on_added_resources() -> None:
    backend_class = moto_models.EKSBackend
    original_tag, original_untag, original_list = (
        backend_class.tag_resource, backend_class.untag_resource, backend_class.list_tags_for_resource)

    def tag_resource(self: Any, resource_arn: str, tags: dict[str, str]) -> None:
        item = EksExtension(self).tagged(resource_arn)
        if item is None:
            return original_tag(self, resource_arn, tags)
        item.tags.update(tags)

    def untag_resource(self: Any, resource_arn: str, tag_keys: list[str]) -> None:
        item = EksExtension(self).tagged(resource_arn)
        if item is None:
            return original_untag(self, resource_arn, tag_keys)
        for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
            item.tags.pop(key, None)

    def list_tags_for_resource(self: Any, resource_arn: str) -> dict[str, str]:
        item = EksExtension(self).tagged(resource_arn)
        return original_list(self, resource_arn) if item is None else item.tags

    backend_class.tag_resource = tag_resource
    backend_class.untag_resource = untag_resource
    backend_class.list_tags_for_resource = list_tags_for_resource


def _region_from_host_only() -> None:
    """moto reads the region from the first ``.<x>.amazonaws.com`` in the whole URL, so a
    path holding an IAM Identity Center role ARN (``…/sso.amazonaws.com/…``, percent-encoded
    by the Go SDK) gave a garbage region and a 500. AWS's region is in the host."""
    original = EKSResponse.get_region_from_url

    def get_region_from_url(self: Any, request: Any, full_url: str) -> str:
        parsed = urlsplit(full_url)
        return original(self, request, f"{parsed.scheme}://{parsed.netloc}/")

    EKSResponse.get_region_from_url = get_region_from_url


_ORIGINAL: dict[str, Any] = {}


def install() -> None:
    _cluster_init()
    _region_from_host_only()
    _nodegroup_init()
    _create_nodegroup_access_entry()
    _tags_on_added_resources()
    _ORIGINAL["create_cluster"] = EKSResponse.create_cluster
    _ORIGINAL["update_nodegroup_config"] = EKSResponse.update_nodegroup_config
    _ORIGINAL["create_nodegroup"] = EKSResponse.create_nodegroup
    EKSResponse.create_nodegroup = create_nodegroup
    EKSResponse.create_cluster = create_cluster
    EKSResponse.update_cluster_config = update_cluster_config
    EKSResponse.update_cluster_version = update_cluster_version
    EKSResponse.update_nodegroup_config = update_nodegroup_config
    EKSResponse.update_nodegroup_version = update_nodegroup_version
