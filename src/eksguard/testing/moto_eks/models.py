"""State the extension keeps beside moto's EKS clusters, and the operations on it.

Everything lives on moto's ``Cluster`` object (``extras(cluster)``), so deleting a cluster
deletes its access entries, Pod Identity associations, add-ons and updates with it, as
AWS does, and ``/moto-api/reset`` forgets them with the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.utils import utcnow
from moto.eks.models import CLUSTER_NOT_FOUND_MSG, EKSBackend
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random as random

from eksguard.testing.moto_eks import rules
from eksguard.testing.moto_eks.catalog import ADDONS, access_policy_arn, ACCESS_POLICIES

DEFAULT_ACCESS_CONFIG = {"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True}
"""CreateCluster without ``accessConfig`` (EKS API Reference, CreateAccessConfigRequest:
authenticationMode "The default value is CONFIG_MAP"; bootstrap "The default value is true")."""
DEFAULT_UPGRADE_POLICY = {"supportType": "EXTENDED"}
"""CreateCluster without ``upgradePolicy`` (EKS API Reference, UpgradePolicyRequest: the
default is EXTENDED)."""
CLUSTER_ADMIN = "AmazonEKSClusterAdminPolicy"


@dataclass
class AccessPolicyAssociation:
    policy_arn: str
    access_scope: dict[str, Any]
    associated_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass
class AccessEntry:
    cluster_name: str
    principal_arn: str
    type: str
    username: str
    kubernetes_groups: list[str]
    access_entry_arn: str
    tags: dict[str, str]
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)
    policies: dict[str, AccessPolicyAssociation] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return self.access_entry_arn


@dataclass
class PodIdentityAssociation:
    cluster_name: str
    namespace: str
    service_account: str
    role_arn: str
    association_arn: str
    association_id: str
    tags: dict[str, str]
    owner_arn: str | None = None
    disable_session_tags: bool = False
    target_role_arn: str | None = None
    external_id: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)

    @property
    def arn(self) -> str:
        return self.association_arn


@dataclass
class Addon:
    addon_name: str
    cluster_name: str
    addon_version: str
    addon_arn: str
    tags: dict[str, str]
    service_account_role_arn: str | None = None
    configuration_values: str | None = None
    pod_identity_associations: list[str] = field(default_factory=list)
    status: str = "ACTIVE"
    health: dict[str, Any] = field(default_factory=lambda: {"issues": []})
    publisher: str = "eks"
    owner: str = "aws"
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)

    @property
    def arn(self) -> str:
        return self.addon_arn


@dataclass
class Update:
    id: str
    type: str
    params: list[dict[str, str]]
    nodegroup_name: str | None = None
    addon_name: str | None = None
    status: str = "Successful"
    errors: list[Any] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class ClusterExtras:
    """What the extension adds to one moto cluster."""

    access_entries: dict[str, AccessEntry] = field(default_factory=dict)
    pod_identity_associations: dict[str, PodIdentityAssociation] = field(default_factory=dict)
    addons: dict[str, Addon] = field(default_factory=dict)
    updates: dict[str, Update] = field(default_factory=dict)


def extras(cluster: Any) -> ClusterExtras:
    found = getattr(cluster, "_eksguard_extras", None)
    if found is None:
        found = ClusterExtras()
        cluster._eksguard_extras = found
    return found


class EksExtension:
    """The added operations, bound to one moto ``EKSBackend`` (one account and region)."""

    def __init__(self, backend: EKSBackend) -> None:
        self.backend = backend

    # -- helpers ---------------------------------------------------------------------
    @property
    def iam(self) -> Any:
        return iam_backends[self.backend.account_id][self.backend.partition]

    def cluster(self, name: str) -> Any:
        cluster = self.backend.clusters.get(name)
        if cluster is None:
            raise rules.not_found(CLUSTER_NOT_FOUND_MSG.format(clusterName=name))
        return cluster

    def _arn(self, kind: str, *parts: str) -> str:
        return (f"arn:{self.backend.partition}:eks:{self.backend.region_name}:{self.backend.account_id}:"
                f"{kind}/{'/'.join(parts)}")

    def record_update(self, cluster: Any, update_type: str, params: dict[str, str | None], *,
                      nodegroup_name: str | None = None, addon_name: str | None = None) -> Update:
        """An update as DescribeUpdate serves it; ``params`` maps an UpdateParamType to its
        value already formatted as AWS returns it (plain text, JSON where AWS uses JSON)."""
        update = Update(id=str(random.uuid4()), type=update_type, nodegroup_name=nodegroup_name,
                        addon_name=addon_name,
                        params=[{"type": k, "value": v} for k, v in params.items() if v is not None])
        extras(cluster).updates[update.id] = update
        return update

    # -- access entries --------------------------------------------------------------
    def create_access_entry(self, cluster_name: str, principal_arn: str, *, kubernetes_groups: list[str] | None,
                            username: str | None, entry_type: str | None, tags: dict[str, str] | None,
                            system: bool = False) -> AccessEntry:
        cluster = self.cluster(cluster_name)
        rules.require_api_authentication(cluster)
        entries = extras(cluster).access_entries
        rules.require_new_entry(entries, principal_arn)
        entry_type = entry_type or "STANDARD"
        rules.check_entry_shape(entry_type, kubernetes_groups, username)
        if not system:
            rules.require_principal(self.iam, principal_arn)
        account, kind, name = _principal_parts(principal_arn)
        entry = AccessEntry(
            cluster_name=cluster_name, principal_arn=principal_arn, type=entry_type,
            username=username or _default_username(principal_arn, entry_type),
            # EKS puts node entries in system:nodes (AWS CLI reference, create-access-entry, example 2);
            # Auto Mode's EC2 entries get their rights from AmazonEKSAutoNodePolicy instead.
            kubernetes_groups=list(kubernetes_groups or (["system:nodes"] if entry_type in rules.NODE_ENTRY_TYPES
                                                          and entry_type != "EC2" else [])),
            access_entry_arn=self._arn("access-entry", cluster_name, kind, account, name, str(uuid.uuid4())),
            tags=dict(tags or {}))
        entries[principal_arn] = entry
        return entry

    def access_entry(self, cluster_name: str, principal_arn: str) -> AccessEntry:
        entry = extras(self.cluster(cluster_name)).access_entries.get(principal_arn)
        if entry is None:
            raise rules.not_found("The specified principalArn could not be found. You can view your "
                                  "available access entries with 'list-access-entries'.")
        return entry

    def update_access_entry(self, cluster_name: str, principal_arn: str, *, kubernetes_groups: list[str] | None,
                            username: str | None) -> AccessEntry:
        entry = self.access_entry(cluster_name, principal_arn)
        rules.check_entry_shape(entry.type, kubernetes_groups, username)
        if kubernetes_groups is not None:
            entry.kubernetes_groups = list(kubernetes_groups)
        if username is not None:
            entry.username = username
        entry.modified_at = utcnow()
        return entry

    def delete_access_entry(self, cluster_name: str, principal_arn: str) -> None:
        self.access_entry(cluster_name, principal_arn)
        del extras(self.cluster(cluster_name)).access_entries[principal_arn]

    def list_access_entries(self, cluster_name: str, policy_arn: str | None) -> list[str]:
        entries = extras(self.cluster(cluster_name)).access_entries.values()
        return sorted(e.principal_arn for e in entries if policy_arn is None or policy_arn in e.policies)

    def associate_access_policy(self, cluster_name: str, principal_arn: str, policy_arn: str,
                                access_scope: dict[str, Any]) -> AccessPolicyAssociation:
        entry = self.access_entry(cluster_name, principal_arn)
        rules.require_access_policy(policy_arn)
        rules.require_policy_target(entry)
        rules.require_policy_principal(policy_arn, principal_arn)
        rules.check_access_scope(access_scope)
        scope = {"type": access_scope["type"], "namespaces": list(access_scope.get("namespaces") or [])}
        existing = entry.policies.get(policy_arn)
        if existing:  # AWS replaces the scope of an existing association
            existing.access_scope, existing.modified_at = scope, utcnow()
            return existing
        entry.policies[policy_arn] = AccessPolicyAssociation(policy_arn=policy_arn, access_scope=scope)
        return entry.policies[policy_arn]

    def disassociate_access_policy(self, cluster_name: str, principal_arn: str, policy_arn: str) -> None:
        entry = self.access_entry(cluster_name, principal_arn)
        if entry.policies.pop(policy_arn, None) is None:
            raise rules.not_found(f"The specified policyArn {policy_arn} is not associated with "
                                  f"principalArn {principal_arn}.")

    def access_policies(self) -> list[dict[str, str]]:
        return [{"name": n, "arn": access_policy_arn(n, self.backend.partition)} for n in ACCESS_POLICIES]

    # -- Pod Identity ----------------------------------------------------------------
    def create_pod_identity_association(self, cluster_name: str, *, namespace: str, service_account: str,
                                        role_arn: str, tags: dict[str, str] | None,
                                        disable_session_tags: bool | None = None,
                                        target_role_arn: str | None = None,
                                        owner_arn: str | None = None) -> PodIdentityAssociation:
        cluster = self.cluster(cluster_name)
        associations = extras(cluster).pod_identity_associations
        rules.require_role(self.iam, role_arn, "roleArn")
        if target_role_arn:
            rules.require_role(self.iam, target_role_arn, "targetRoleArn")
        rules.require_new_service_account(associations, namespace, service_account)
        association_id = "a-" + random.get_random_string(17, lower_case=True)
        association = PodIdentityAssociation(
            cluster_name=cluster_name, namespace=namespace, service_account=service_account, role_arn=role_arn,
            association_arn=self._arn("podidentityassociation", cluster_name, association_id),
            association_id=association_id, tags=dict(tags or {}), owner_arn=owner_arn,
            disable_session_tags=bool(disable_session_tags), target_role_arn=target_role_arn,
            external_id=str(uuid.uuid4()) if target_role_arn else None)
        associations[association_id] = association
        return association

    def pod_identity_association(self, cluster_name: str, association_id: str) -> PodIdentityAssociation:
        association = extras(self.cluster(cluster_name)).pod_identity_associations.get(association_id)
        if association is None:
            raise rules.not_found(f"No Pod Identity Association found with id: {association_id}")
        return association

    def update_pod_identity_association(self, cluster_name: str, association_id: str, *, role_arn: str | None,
                                        disable_session_tags: bool | None,
                                        target_role_arn: str | None) -> PodIdentityAssociation:
        association = self.pod_identity_association(cluster_name, association_id)
        if role_arn:
            rules.require_role(self.iam, role_arn, "roleArn")
            association.role_arn = role_arn
        if target_role_arn:
            rules.require_role(self.iam, target_role_arn, "targetRoleArn")
            association.target_role_arn = target_role_arn
            association.external_id = association.external_id or str(uuid.uuid4())
        elif target_role_arn == "":
            association.target_role_arn = association.external_id = None
        if disable_session_tags is not None:
            association.disable_session_tags = disable_session_tags
        association.modified_at = utcnow()
        return association

    def delete_pod_identity_association(self, cluster_name: str, association_id: str) -> PodIdentityAssociation:
        association = self.pod_identity_association(cluster_name, association_id)
        rules.require_unowned_association(association_id, association.owner_arn)
        return extras(self.cluster(cluster_name)).pod_identity_associations.pop(association_id)

    def list_pod_identity_associations(self, cluster_name: str, namespace: str | None,
                                       service_account: str | None) -> list[PodIdentityAssociation]:
        found = extras(self.cluster(cluster_name)).pod_identity_associations.values()
        return [a for a in found if (namespace is None or a.namespace == namespace)
                and (service_account is None or a.service_account == service_account)]

    # -- add-ons ---------------------------------------------------------------------
    def create_addon(self, cluster_name: str, addon_name: str, *, addon_version: str | None,
                     service_account_role_arn: str | None, configuration_values: str | None,
                     tags: dict[str, str] | None,
                     pod_identity_associations: list[dict[str, str]] | None) -> Addon:
        cluster = self.cluster(cluster_name)
        addons = extras(cluster).addons
        rules.require_new_addon(addons, addon_name)
        version = rules.require_addon(addon_name, cluster.version, addon_version)
        if service_account_role_arn:
            rules.require_role(self.iam, service_account_role_arn, "serviceAccountRoleArn")
        addon = Addon(addon_name=addon_name, cluster_name=cluster_name, addon_version=version,
                      addon_arn=self._arn("addon", cluster_name, addon_name, str(uuid.uuid4())),
                      tags=dict(tags or {}), service_account_role_arn=service_account_role_arn,
                      configuration_values=configuration_values)
        namespace = (ADDONS[addon_name].service_account or "kube-system/").split("/")[0]
        # Validate every association before creating any: a refused CreateAddon leaves nothing.
        requested_accounts = [r["serviceAccount"] for r in pod_identity_associations or ()]
        for requested in pod_identity_associations or ():
            rules.require_role(self.iam, requested["roleArn"], "roleArn")
            rules.require_new_service_account(extras(cluster).pod_identity_associations, namespace,
                                              requested["serviceAccount"])
        rules.check_addon_service_accounts_once(requested_accounts)
        for requested in pod_identity_associations or ():
            association = self.create_pod_identity_association(
                cluster_name, namespace=namespace, service_account=requested["serviceAccount"],
                role_arn=requested["roleArn"], tags=None, owner_arn=addon.addon_arn)
            addon.pod_identity_associations.append(association.association_arn)
        addons[addon_name] = addon
        return addon

    def addon(self, cluster_name: str, addon_name: str) -> Addon:
        addon = extras(self.cluster(cluster_name)).addons.get(addon_name)
        if addon is None:
            raise rules.not_found(f"No addon: {addon_name} found in cluster: {cluster_name}")
        return addon

    def update_addon(self, cluster_name: str, addon_name: str, *, addon_version: str | None,
                     service_account_role_arn: str | None, configuration_values: str | None) -> Update:
        cluster = self.cluster(cluster_name)
        addon = self.addon(cluster_name, addon_name)
        if addon_version:
            addon.addon_version = rules.require_addon(addon_name, cluster.version, addon_version)
        if service_account_role_arn:
            rules.require_role(self.iam, service_account_role_arn, "serviceAccountRoleArn")
            addon.service_account_role_arn = service_account_role_arn
        elif service_account_role_arn == "":
            addon.service_account_role_arn = None
        if configuration_values is not None:
            addon.configuration_values = configuration_values or None
        addon.modified_at = utcnow()
        return self.record_update(cluster, "AddonUpdate", {
            "AddonVersion": addon_version, "ServiceAccountRoleArn": service_account_role_arn,
            "ConfigurationValues": configuration_values}, addon_name=addon_name)

    def delete_addon(self, cluster_name: str, addon_name: str, preserve: bool) -> Addon:
        cluster = self.cluster(cluster_name)
        addon = self.addon(cluster_name, addon_name)
        associations = extras(cluster).pod_identity_associations
        for association_id in [i for i, a in associations.items() if a.owner_arn == addon.addon_arn]:
            del associations[association_id]
        addon.status = "DELETING"
        return extras(cluster).addons.pop(addon_name)

    def list_addons(self, cluster_name: str) -> list[str]:
        return sorted(extras(self.cluster(cluster_name)).addons)

    # -- updates ---------------------------------------------------------------------
    def describe_update(self, cluster_name: str, update_id: str, nodegroup_name: str | None,
                        addon_name: str | None) -> Update:
        update = extras(self.cluster(cluster_name)).updates.get(update_id)
        if update is None or update.nodegroup_name != nodegroup_name or update.addon_name != addon_name:
            raise rules.not_found(f"No update found for ID: {update_id}")
        return update

    def list_updates(self, cluster_name: str, nodegroup_name: str | None, addon_name: str | None) -> list[str]:
        return [u.id for u in extras(self.cluster(cluster_name)).updates.values()
                if u.nodegroup_name == nodegroup_name and u.addon_name == addon_name]

    # -- tags on the added resources ---------------------------------------------------
    def tagged(self, arn: str) -> Any | None:
        """The added resource (or node group) with this ARN, or None."""
        for cluster in self.backend.clusters.values():
            state = extras(cluster)
            for item in (*state.access_entries.values(), *state.pod_identity_associations.values(),
                         *state.addons.values(), *cluster.nodegroups.values()):
                if item.arn == arn:
                    return item
        return None


def _principal_parts(principal_arn: str) -> tuple[str, str, str]:
    """(account, 'role' or 'user', name) of an IAM principal ARN."""
    parts = principal_arn.split(":", 5)
    kind, _, name = parts[5].partition("/")
    return parts[4], kind, name.rsplit("/", 1)[-1]


def _default_username(principal_arn: str, entry_type: str) -> str:
    """The username EKS assigns when none is given (EKS User Guide, "Create access
    entries": roles map to their assumed-role session ARN, nodes to their private DNS name)."""
    if entry_type in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX"):
        return "system:node:{{EC2PrivateDNSName}}" if entry_type != "HYBRID_LINUX" else "system:node:{{SessionName}}"
    if entry_type in ("FARGATE_LINUX", "EC2"):
        # Auto Mode nodes, like Fargate's, authenticate with a session named after the node.
        return "system:node:{{SessionName}}"
    account, kind, name = _principal_parts(principal_arn)
    if kind == "role":
        partition = principal_arn.split(":")[1]
        return f"arn:{partition}:sts::{account}:assumed-role/{name}/{{{{SessionName}}}}"
    return principal_arn
