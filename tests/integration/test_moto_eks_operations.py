"""The operations eksguard's EKS extension of the embedded moto serves (``moto_eks.SERVED``),
exercised through boto3: botocore builds each request and parses each answer against AWS's
EKS model, and the tests assert the facts AWS documents.

Every test makes its own cluster and IAM principals under unique names, so the file can
share one emulator with other test files, also in parallel.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest

from eksguard.testing import moto_eks
from tests.integration.eks_api import API_ONLY, SUBNETS, error_of


POLICY = "arn:aws:eks::aws:cluster-access-policy/{}"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ADDONS = {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"}
"""The add-ons the emulator installs."""


def without_times(item: dict[str, Any], *fields: str) -> dict[str, Any]:
    """``item`` without its timestamps, after checking botocore parsed them as datetimes."""
    for name in fields:
        assert isinstance(item[name], datetime), (name, item[name])
    return {k: v for k, v in item.items() if k not in fields}


class Matches:
    """Equal to any string the regular expression matches in full."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch(self.pattern, other) is not None

    def __repr__(self) -> str:
        return f"Matches({self.pattern!r})"


class JsonOf:
    """Equal to any JSON text of ``value``, whatever its spacing."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.value

    def __repr__(self) -> str:
        return f"JsonOf({self.value!r})"


def version_key(version: str) -> tuple[int, ...]:
    """``v1.20.4-eksbuild.2`` -> (1, 20, 4, 2)."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


@pytest.fixture
def account(aws_emulator: Any) -> str:
    return aws_emulator.client("sts").get_caller_identity()["Account"]


@pytest.fixture
def region(aws_emulator: Any) -> str:
    return aws_emulator.region


def test_extension_serves_the_operations_these_tests_cover():
    # GIVEN the families the tests below exercise / WHEN compared with what the extension lists
    # THEN they are the same, so a newly served operation needs a test here
    assert {operation for family in moto_eks.SERVED.values() for operation in family} == {
        "CreateAccessEntry", "DescribeAccessEntry", "ListAccessEntries", "UpdateAccessEntry", "DeleteAccessEntry",
        "AssociateAccessPolicy", "DisassociateAccessPolicy", "ListAssociatedAccessPolicies", "ListAccessPolicies",
        "CreatePodIdentityAssociation", "DescribePodIdentityAssociation", "ListPodIdentityAssociations",
        "UpdatePodIdentityAssociation", "DeletePodIdentityAssociation",
        "CreateAddon", "DescribeAddon", "ListAddons", "UpdateAddon", "DeleteAddon", "DescribeAddonVersions",
        "DescribeAddonConfiguration",
        "UpdateClusterConfig", "UpdateClusterVersion", "UpdateNodegroupVersion", "DescribeUpdate", "ListUpdates"}


# -- access entries -----------------------------------------------------------------------

def test_access_entry_lifecycle(eks, new_cluster, new_role, new_user, account, region):
    # GIVEN an API cluster, a role with a path, a user, a deployer role and a node role
    cluster = new_cluster(accessConfig=API_ONLY)
    team_role, user, deployer, node_role = new_role(path="/team/"), new_user(), new_role(), new_role()
    team_role_name = team_role.rsplit("/", 1)[1]

    # WHEN entries are created for them
    created = eks.create_access_entry(clusterName=cluster, principalArn=team_role, kubernetesGroups=["ops"],
                                      tags={"team": "platform"})["accessEntry"]
    user_entry = eks.create_access_entry(clusterName=cluster, principalArn=user)["accessEntry"]
    deployer_entry = eks.create_access_entry(clusterName=cluster, principalArn=deployer,
                                             username="deployer")["accessEntry"]
    node_entry = eks.create_access_entry(clusterName=cluster, principalArn=node_role, type="EC2_LINUX")["accessEntry"]

    # THEN a role's default username is its assumed-role session without the path, a user's is its ARN,
    # and a node entry is in system:nodes under the node's DNS name
    assert without_times(created, "createdAt", "modifiedAt") == {
        "clusterName": cluster, "principalArn": team_role, "kubernetesGroups": ["ops"],
        "accessEntryArn": Matches(
            f"arn:aws:eks:{region}:{account}:access-entry/{cluster}/role/{account}/{team_role_name}/{UUID}"),
        "tags": {"team": "platform"},
        "username": f"arn:aws:sts::{account}:assumed-role/{team_role_name}/{{{{SessionName}}}}", "type": "STANDARD"}
    assert (user_entry["username"], user_entry["kubernetesGroups"], user_entry["type"]) == (user, [], "STANDARD")
    assert deployer_entry["username"] == "deployer"
    assert (node_entry["username"], node_entry["kubernetesGroups"], node_entry["type"]) == (
        "system:node:{{EC2PrivateDNSName}}", ["system:nodes"], "EC2_LINUX")
    # AND DescribeAccessEntry answers what CreateAccessEntry did
    assert eks.describe_access_entry(clusterName=cluster, principalArn=team_role)["accessEntry"] == created
    # AND ListAccessEntries lists all four, or those with a policy
    assert sorted(eks.list_access_entries(clusterName=cluster)["accessEntries"]) == sorted(
        [team_role, user, deployer, node_role])
    eks.associate_access_policy(clusterName=cluster, principalArn=deployer,
                                policyArn=POLICY.format("AmazonEKSEditPolicy"), accessScope={"type": "cluster"})
    assert eks.list_access_entries(clusterName=cluster, associatedPolicyArn=POLICY.format("AmazonEKSEditPolicy"))[
        "accessEntries"] == [deployer]

    # WHEN an entry is updated
    updated = eks.update_access_entry(clusterName=cluster, principalArn=team_role, kubernetesGroups=["ops", "dev"],
                                      username="ops-user")["accessEntry"]

    # THEN its groups and username change, nothing else
    assert without_times(updated, "createdAt", "modifiedAt") == {
        **without_times(created, "createdAt", "modifiedAt"), "kubernetesGroups": ["ops", "dev"],
        "username": "ops-user"}
    assert eks.describe_access_entry(clusterName=cluster, principalArn=team_role)["accessEntry"] == updated

    # WHEN it is deleted
    eks.delete_access_entry(clusterName=cluster, principalArn=team_role)

    # THEN it is not found, and no longer listed
    assert error_of(eks.describe_access_entry, clusterName=cluster, principalArn=team_role) == {
        "Code": "ResourceNotFoundException",
        "Message": "The specified principalArn could not be found. You can view your available access entries "
                   "with 'list-access-entries'."}
    assert sorted(eks.list_access_entries(clusterName=cluster)["accessEntries"]) == sorted([user, deployer, node_role])


# -- access policies ----------------------------------------------------------------------

def test_access_policy_lifecycle(eks, new_cluster, new_role):
    # GIVEN a standard access entry
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role)
    edit, view = POLICY.format("AmazonEKSEditPolicy"), POLICY.format("AmazonEKSViewPolicy")

    # WHEN the access policies are listed
    policies = eks.list_access_policies()["accessPolicies"]

    # THEN EKS's own ones are there, each with its ARN
    assert {"AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSAdminViewPolicy", "AmazonEKSEditPolicy",
            "AmazonEKSViewPolicy"} <= {p["name"] for p in policies}
    assert all(p["arn"] == POLICY.format(p["name"]) for p in policies)

    # WHEN Edit is associated for one namespace
    associated = eks.associate_access_policy(clusterName=cluster, principalArn=role, policyArn=edit,
                                             accessScope={"type": "namespace", "namespaces": ["dev"]})

    # THEN the answer names the cluster, the principal and the scope
    assert (associated["clusterName"], associated["principalArn"]) == (cluster, role)
    assert without_times(associated["associatedAccessPolicy"], "associatedAt", "modifiedAt") == {
        "policyArn": edit, "accessScope": {"type": "namespace", "namespaces": ["dev"]}}

    # WHEN Edit is associated again for the whole cluster, and View is added
    eks.associate_access_policy(clusterName=cluster, principalArn=role, policyArn=edit,
                                accessScope={"type": "cluster"})
    eks.associate_access_policy(clusterName=cluster, principalArn=role, policyArn=view,
                                accessScope={"type": "namespace", "namespaces": ["dev", "qa"]})

    # THEN the new scope replaced the old one: one association per policy
    listed = eks.list_associated_access_policies(clusterName=cluster, principalArn=role)
    assert (listed["clusterName"], listed["principalArn"]) == (cluster, role)
    assert sorted((without_times(p, "associatedAt", "modifiedAt") for p in listed["associatedAccessPolicies"]),
                  key=lambda p: p["policyArn"]) == [
        {"policyArn": edit, "accessScope": {"type": "cluster", "namespaces": []}},
        {"policyArn": view, "accessScope": {"type": "namespace", "namespaces": ["dev", "qa"]}}]

    # WHEN Edit is disassociated
    eks.disassociate_access_policy(clusterName=cluster, principalArn=role, policyArn=edit)

    # THEN only View is left, and Edit cannot be disassociated twice
    assert [p["policyArn"] for p in eks.list_associated_access_policies(
        clusterName=cluster, principalArn=role)["associatedAccessPolicies"]] == [view]
    assert error_of(eks.disassociate_access_policy, clusterName=cluster, principalArn=role,
                    policyArn=edit)["Code"] == "ResourceNotFoundException"


# -- Pod Identity -------------------------------------------------------------------------

def test_pod_identity_association_lifecycle(eks, new_cluster, new_role, account, region):
    # GIVEN a cluster and two roles
    cluster, role, other_role = new_cluster(), new_role(), new_role()

    # WHEN associations are made for shop/cart, shop/orders and ops/cart
    created = eks.create_pod_identity_association(clusterName=cluster, namespace="shop", serviceAccount="cart",
                                                  roleArn=role, tags={"team": "shop"})["association"]
    orders = eks.create_pod_identity_association(clusterName=cluster, namespace="shop", serviceAccount="orders",
                                                 roleArn=role)["association"]
    ops_cart = eks.create_pod_identity_association(clusterName=cluster, namespace="ops", serviceAccount="cart",
                                                   roleArn=role)["association"]

    # THEN the association has AWS's id and ARN forms, and DescribePodIdentityAssociation answers the same
    association_id = created["associationId"]
    assert without_times(created, "createdAt", "modifiedAt") == {
        "clusterName": cluster, "namespace": "shop", "serviceAccount": "cart", "roleArn": role,
        "associationArn": f"arn:aws:eks:{region}:{account}:podidentityassociation/{cluster}/{association_id}",
        "associationId": Matches(r"a-[0-9a-z]{17}"), "tags": {"team": "shop"}, "disableSessionTags": False}
    assert eks.describe_pod_identity_association(clusterName=cluster, associationId=association_id)[
        "association"] == created

    # AND ListPodIdentityAssociations filters by namespace and by service account
    def listed(**filters: str) -> list[str]:
        return sorted(a["associationId"] for a in eks.list_pod_identity_associations(
            clusterName=cluster, **filters)["associations"])

    assert listed() == sorted([association_id, orders["associationId"], ops_cart["associationId"]])
    assert listed(namespace="shop") == sorted([association_id, orders["associationId"]])
    assert listed(serviceAccount="cart") == sorted([association_id, ops_cart["associationId"]])
    assert eks.list_pod_identity_associations(clusterName=cluster, namespace="shop", serviceAccount="cart")[
        "associations"] == [{"clusterName": cluster, "namespace": "shop", "serviceAccount": "cart",
                             "associationArn": created["associationArn"], "associationId": association_id}]

    # WHEN its role is changed
    updated = eks.update_pod_identity_association(clusterName=cluster, associationId=association_id,
                                                  roleArn=other_role)["association"]

    # THEN the association keeps its identity with the new role
    assert without_times(updated, "createdAt", "modifiedAt") == {
        **without_times(created, "createdAt", "modifiedAt"), "roleArn": other_role}
    assert eks.describe_pod_identity_association(clusterName=cluster, associationId=association_id)[
        "association"]["roleArn"] == other_role

    # WHEN it is deleted
    deleted = eks.delete_pod_identity_association(clusterName=cluster, associationId=association_id)["association"]

    # THEN the answer is the association as it was; it is gone from Describe and List
    assert deleted == updated
    assert error_of(eks.describe_pod_identity_association, clusterName=cluster,
                    associationId=association_id)["Code"] == "ResourceNotFoundException"
    assert listed() == sorted([orders["associationId"], ops_cart["associationId"]])


# -- add-ons ------------------------------------------------------------------------------

@pytest.mark.parametrize("kubernetes_version", ["1.30", "1.33", "1.35"])
def test_addon_versions_for_a_kubernetes_version(eks, kubernetes_version):
    # GIVEN / WHEN the add-on versions for one Kubernetes version are asked for
    addons = eks.describe_addon_versions(kubernetesVersion=kubernetes_version)["addons"]

    # THEN each add-on lists its versions newest first, with exactly one default,
    # and only compatibilities for that Kubernetes version
    assert {a["addonName"] for a in addons} == ADDONS
    for addon in addons:
        versions = [v["addonVersion"] for v in addon["addonVersions"]]
        assert versions == sorted(versions, key=version_key, reverse=True), addon["addonName"]
        compatibilities = [c for v in addon["addonVersions"] for c in v["compatibilities"]]
        assert {c["clusterVersion"] for c in compatibilities} == {kubernetes_version}, addon["addonName"]
        assert sum(c["defaultVersion"] for c in compatibilities) == 1, addon["addonName"]
    # AND a name narrows the answer to that add-on
    assert [a["addonName"] for a in eks.describe_addon_versions(
        kubernetesVersion=kubernetes_version, addonName="coredns")["addons"]] == ["coredns"]


def _default_version(eks: Any, addon_name: str, kubernetes_version: str = "1.33") -> str:
    (addon,) = eks.describe_addon_versions(kubernetesVersion=kubernetes_version, addonName=addon_name)["addons"]
    (default,) = [v["addonVersion"] for v in addon["addonVersions"]
                  if any(c["defaultVersion"] for c in v["compatibilities"])]
    return default


@pytest.mark.parametrize(("addon_name", "identity"), [
    ("vpc-cni", [{"serviceAccount": "aws-node",
                  "recommendedManagedPolicies": ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]}]),
    ("aws-ebs-csi-driver", [{"serviceAccount": "ebs-csi-controller-sa",
                             "recommendedManagedPolicies": [
                                 "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]}]),
])
def test_addon_configuration_names_its_pod_identity_service_account(eks, addon_name, identity):
    # GIVEN the add-on's default version for Kubernetes 1.33
    version = _default_version(eks, addon_name)

    # WHEN its configuration is asked for
    configuration = eks.describe_addon_configuration(addonName=addon_name, addonVersion=version)

    # THEN it names the service account to associate and the policy to give it, with a JSON schema
    assert (configuration["addonName"], configuration["addonVersion"]) == (addon_name, version)
    assert configuration["podIdentityConfiguration"] == identity
    assert json.loads(configuration["configurationSchema"])["type"] == "object"


def test_addon_lifecycle(eks, new_cluster, new_role, account, region):
    # GIVEN a 1.33 cluster and a role for vpc-cni's service account
    cluster, role = new_cluster(version="1.33"), new_role()

    # WHEN kube-proxy is created without a version, and vpc-cni with a Pod Identity association
    proxy = eks.create_addon(clusterName=cluster, addonName="kube-proxy", tags={"team": "platform"})["addon"]
    cni = eks.create_addon(clusterName=cluster, addonName="vpc-cni", podIdentityAssociations=[
        {"serviceAccount": "aws-node", "roleArn": role}])["addon"]

    # THEN kube-proxy runs the default version for 1.33
    assert without_times(proxy, "createdAt", "modifiedAt") == {
        "addonName": "kube-proxy", "clusterName": cluster, "status": "ACTIVE",
        "addonVersion": _default_version(eks, "kube-proxy"), "health": {"issues": []},
        "addonArn": Matches(f"arn:aws:eks:{region}:{account}:addon/{cluster}/kube-proxy/{UUID}"),
        "tags": {"team": "platform"}, "publisher": "eks", "owner": "aws", "podIdentityAssociations": []}
    # AND vpc-cni owns a kube-system/aws-node association
    (owned,) = eks.list_pod_identity_associations(clusterName=cluster)["associations"]
    assert owned == {"clusterName": cluster, "namespace": "kube-system", "serviceAccount": "aws-node",
                     "associationArn": owned["associationArn"], "associationId": owned["associationId"],
                     "ownerArn": cni["addonArn"]}
    assert cni["podIdentityAssociations"] == [owned["associationArn"]]
    described = eks.describe_pod_identity_association(clusterName=cluster, associationId=owned["associationId"])
    assert (described["association"]["ownerArn"], described["association"]["roleArn"]) == (cni["addonArn"], role)
    # AND DescribeAddon and ListAddons agree
    assert eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"] == cni
    assert sorted(eks.list_addons(clusterName=cluster)["addons"]) == ["kube-proxy", "vpc-cni"]

    # WHEN vpc-cni moves to another version for 1.33
    (versions,) = eks.describe_addon_versions(kubernetesVersion="1.33", addonName="vpc-cni")["addons"]
    older = next(v["addonVersion"] for v in versions["addonVersions"] if v["addonVersion"] != cni["addonVersion"])
    update = eks.update_addon(clusterName=cluster, addonName="vpc-cni", addonVersion=older)["update"]

    # THEN the update is served by DescribeUpdate with the add-on's name and listed for the add-on only
    assert (update["type"], update["status"], update["errors"]) == ("AddonUpdate", "Successful", [])
    assert eks.describe_update(name=cluster, updateId=update["id"], addonName="vpc-cni")["update"] == update
    assert eks.list_updates(name=cluster, addonName="vpc-cni")["updateIds"] == [update["id"]]
    assert eks.list_updates(name=cluster)["updateIds"] == []
    assert eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]["addonVersion"] == older

    # WHEN vpc-cni is deleted
    deleted = eks.delete_addon(clusterName=cluster, addonName="vpc-cni")["addon"]

    # THEN it is deleting, gone from the list, and its association is gone with it
    assert (deleted["addonName"], deleted["status"]) == ("vpc-cni", "DELETING")
    assert eks.list_addons(clusterName=cluster)["addons"] == ["kube-proxy"]
    assert error_of(eks.describe_addon, clusterName=cluster, addonName="vpc-cni")["Code"] == "ResourceNotFoundException"
    assert eks.list_pod_identity_associations(clusterName=cluster)["associations"] == []


# -- clusters and their updates -----------------------------------------------------------

def test_cluster_without_access_config_or_upgrade_policy_gets_aws_defaults(eks, new_cluster):
    # GIVEN / WHEN a cluster is created with neither
    cluster = eks.describe_cluster(name=new_cluster())["cluster"]

    # THEN it authenticates through the ConfigMap with its creator as admin, on extended support
    assert cluster["accessConfig"] == {"authenticationMode": "CONFIG_MAP",
                                       "bootstrapClusterCreatorAdminPermissions": True}
    assert cluster["upgradePolicy"] == {"supportType": "EXTENDED"}


@pytest.mark.parametrize(("access_config", "creator_has_entry"), [
    ({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}, True),
    ({"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True}, True),
    ({"authenticationMode": "API"}, True),
    ({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}, False),
], ids=["API", "API_AND_CONFIG_MAP", "API-bootstrap-by-default", "API-no-bootstrap"])
def test_cluster_creator_gets_cluster_admin_through_the_api(eks, new_cluster, aws_emulator, access_config,
                                                            creator_has_entry):
    # GIVEN the identity that creates clusters (moto reports its user under sts)
    creator = aws_emulator.client("sts").get_caller_identity()["Arn"].replace(":sts::", ":iam::")

    # WHEN a cluster is created with this access configuration
    cluster = new_cluster(accessConfig=access_config)

    # THEN with bootstrap (the default) the creator has a cluster-wide AmazonEKSClusterAdminPolicy entry
    policies = {principal: [without_times(p, "associatedAt", "modifiedAt") for p in eks.list_associated_access_policies(
        clusterName=cluster, principalArn=principal)["associatedAccessPolicies"]]
        for principal in eks.list_access_entries(clusterName=cluster)["accessEntries"]}
    assert policies == ({creator: [{"policyArn": POLICY.format("AmazonEKSClusterAdminPolicy"),
                                    "accessScope": {"type": "cluster", "namespaces": []}}]}
                        if creator_has_entry else {})


def test_update_cluster_config_merges_vpc_config(eks, new_cluster):
    # GIVEN a cluster in two subnets
    cluster = new_cluster()

    # WHEN endpoint access is changed
    endpoint = eks.update_cluster_config(name=cluster, resourcesVpcConfig={
        "endpointPublicAccess": False, "endpointPrivateAccess": True})["update"]

    # THEN the subnets stay, and the update is served by DescribeUpdate and ListUpdates
    vpc = eks.describe_cluster(name=cluster)["cluster"]["resourcesVpcConfig"]
    assert (vpc["subnetIds"], vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (SUBNETS, False, True)
    assert eks.describe_update(name=cluster, updateId=endpoint["id"])["update"] == endpoint

    # WHEN the subnets are changed
    subnets = eks.update_cluster_config(name=cluster, resourcesVpcConfig={"subnetIds": SUBNETS[:1]})["update"]

    # THEN the endpoint settings stay
    vpc = eks.describe_cluster(name=cluster)["cluster"]["resourcesVpcConfig"]
    assert (vpc["subnetIds"], vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (
        SUBNETS[:1], False, True)
    assert sorted(eks.list_updates(name=cluster)["updateIds"]) == sorted([endpoint["id"], subnets["id"]])


def test_access_config_update_moves_the_mode_forward(eks, new_cluster):
    # GIVEN a CONFIG_MAP cluster
    cluster = new_cluster()
    updates = []

    for mode in ("API_AND_CONFIG_MAP", "API"):
        # WHEN its mode moves one step forward
        update = eks.update_cluster_config(name=cluster, accessConfig={"authenticationMode": mode})["update"]
        updates.append(update["id"])

        # THEN an AccessConfigUpdate with AWS's params, served by DescribeUpdate, and the cluster in the new mode
        assert (update["type"], update["status"], update["params"]) == (
            "AccessConfigUpdate", "Successful", [{"type": "AuthenticationMode", "value": json.dumps(mode)}])
        assert eks.describe_update(name=cluster, updateId=update["id"])["update"] == update
        assert eks.describe_cluster(name=cluster)["cluster"]["accessConfig"] == {
            "authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": True}
    assert sorted(eks.list_updates(name=cluster)["updateIds"]) == sorted(updates)


def test_update_cluster_version_moves_one_minor_version(eks, new_cluster):
    # GIVEN a 1.32 cluster
    cluster = new_cluster(version="1.32")

    # WHEN it is updated to 1.33
    update = eks.update_cluster_version(name=cluster, version="1.33")["update"]

    # THEN a VersionUpdate served by DescribeUpdate and ListUpdates, and the cluster runs 1.33
    assert (update["type"], update["status"]) == ("VersionUpdate", "Successful")
    assert eks.describe_update(name=cluster, updateId=update["id"])["update"] == update
    assert eks.list_updates(name=cluster)["updateIds"] == [update["id"]]
    assert eks.describe_cluster(name=cluster)["cluster"]["version"] == "1.33"


def _endpoint_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """AWS CLI reference, update-cluster-config example 1."""
    update = eks.update_cluster_config(name=cluster, resourcesVpcConfig={
        "endpointPublicAccess": False, "endpointPrivateAccess": True})["update"]
    return update, "EndpointAccessUpdate", {"EndpointPublicAccess": "false", "EndpointPrivateAccess": "true"}


def _logging_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """AWS CLI reference, update-cluster-config example 2: the requested logging, as JSON."""
    logging_config = {"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]}
    update = eks.update_cluster_config(name=cluster, logging=logging_config)["update"]
    return update, "LoggingUpdate", {"ClusterLogging": JsonOf(logging_config)}


def _access_config_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """EKS Workshop, "Managing cluster access": AWS quotes the mode as a JSON string."""
    update = eks.update_cluster_config(name=cluster, accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    return update["update"], "AccessConfigUpdate", {"AuthenticationMode": '"API_AND_CONFIG_MAP"'}


def _cluster_version_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """EKS User Guide, "Update existing cluster to new Kubernetes version"."""
    update = eks.update_cluster_version(name=cluster, version="1.33")["update"]
    return update, "VersionUpdate", {"Version": "1.33", "PlatformVersion": Matches(r"eks\.\d+")}


def _addon_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """AWS CLI reference, update-addon example 2."""
    default = eks.create_addon(clusterName=cluster, addonName="vpc-cni")["addon"]["addonVersion"]
    (versions,) = eks.describe_addon_versions(kubernetesVersion="1.32", addonName="vpc-cni")["addons"]
    other = next(v["addonVersion"] for v in versions["addonVersions"] if v["addonVersion"] != default)
    update = eks.update_addon(clusterName=cluster, addonName="vpc-cni", addonVersion=other,
                              serviceAccountRoleArn=role)["update"]
    return update, "AddonUpdate", {"AddonVersion": other, "ServiceAccountRoleArn": role}


def _nodegroup_config_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """EKS API Reference, UpdateNodegroupConfig example: one param per changed size."""
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=role, subnets=SUBNETS,
                         version="1.32", scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2})
    update = eks.update_nodegroup_config(clusterName=cluster, nodegroupName="workers",
                                         scalingConfig={"desiredSize": 3})["update"]
    return update, "ConfigUpdate", {"DesiredSize": "3"}


def _nodegroup_version_update(eks: Any, cluster: str, role: str) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """EKS API Reference, UpdateNodegroupVersion example 1."""
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=role, subnets=SUBNETS,
                         version="1.32")  # AWS creates node groups at the cluster's version only
    eks.update_cluster_version(name=cluster, version="1.33")
    update = eks.update_nodegroup_version(clusterName=cluster, nodegroupName="workers", version="1.33",
                                          releaseVersion="1.33.0-20250704")["update"]
    return update, "VersionUpdate", {"Version": "1.33", "ReleaseVersion": "1.33.0-20250704"}


@pytest.mark.parametrize("make_update", [
    _endpoint_update, _logging_update, _access_config_update, _cluster_version_update, _addon_update,
    _nodegroup_config_update, _nodegroup_version_update,
], ids=["endpoint-access", "logging", "access-config", "cluster-version", "addon", "nodegroup-config",
        "nodegroup-version"])
def test_update_params_are_the_ones_aws_documents(eks, new_cluster, new_role, make_update):
    # GIVEN a 1.32 cluster and a role
    cluster, role = new_cluster(version="1.32"), new_role()

    # WHEN an update is made
    update, update_type, params = make_update(eks, cluster, role)

    # THEN its type and params are the ones AWS answers: one param per changed setting,
    # plain values except where AWS documents JSON
    assert update["type"] == update_type
    assert {p["type"]: p["value"] for p in update["params"]} == params
    assert len(update["params"]) == len(params)


def test_vpc_config_update_params_are_in_the_model(eks, new_cluster):
    # GIVEN a cluster and the update param types in AWS's EKS model
    cluster = new_cluster()
    param_types = set(eks.meta.service_model.shape_for("UpdateParamType").enum)
    update_types = set(eks.meta.service_model.shape_for("UpdateType").enum)

    # WHEN its subnets are changed
    update = eks.update_cluster_config(name=cluster, resourcesVpcConfig={"subnetIds": SUBNETS[:1]})["update"]

    # THEN the update's type and param types are ones the model knows
    assert update["type"] in update_types
    assert {p["type"] for p in update["params"]} <= param_types


# -- node groups --------------------------------------------------------------------------

@pytest.mark.parametrize("remote_access", [None, {"ec2SshKey": "ops-key", "sourceSecurityGroups": ["sg-0a1b2c3d"]}],
                         ids=["not-given", "given"])
def test_node_group_remote_access_only_when_given(eks, new_cluster, new_role, remote_access):
    # GIVEN a cluster
    cluster = new_cluster()

    # WHEN a node group is created without a launch template, with or without remoteAccess
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(), subnets=SUBNETS,
                         **({"remoteAccess": remote_access} if remote_access else {}))

    # THEN it reports remoteAccess only when it was given one
    group = eks.describe_nodegroup(clusterName=cluster, nodegroupName="workers")["nodegroup"]
    assert group.get("remoteAccess") == remote_access


@pytest.mark.parametrize(("update_config", "expected"), [
    (None, {"maxUnavailable": 1}),
    ({"maxUnavailablePercentage": 25}, {"maxUnavailablePercentage": 25}),
], ids=["default", "given"])
def test_node_group_update_config(eks, new_cluster, new_role, update_config, expected):
    # GIVEN a cluster
    cluster = new_cluster()

    # WHEN a node group is created with or without updateConfig
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(), subnets=SUBNETS,
                         **({"updateConfig": update_config} if update_config else {}))

    # THEN it keeps the one given, or AWS's one-node-at-a-time default
    assert eks.describe_nodegroup(clusterName=cluster, nodegroupName="workers")["nodegroup"][
        "updateConfig"] == expected


def test_node_group_version_defaults_to_the_cluster_version(eks, new_cluster, new_role):
    # GIVEN a 1.33 cluster
    cluster = new_cluster(version="1.33")

    # WHEN a node group is created without a version
    group = eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(),
                                 subnets=SUBNETS)["nodegroup"]

    # THEN it runs the cluster's version (EKS API Reference, CreateNodegroup ``version``:
    # "By default, the Kubernetes version of the cluster is used")
    assert group["version"] == "1.33"


@pytest.mark.parametrize(("mode", "node_entry"), [
    ("API", True), ("API_AND_CONFIG_MAP", True), ("CONFIG_MAP", False)])
def test_node_role_gets_an_access_entry_when_the_cluster_uses_the_api(eks, new_cluster, new_role, mode, node_entry):
    # GIVEN a cluster in this mode, its creator without an entry where the mode allows it
    cluster = new_cluster(accessConfig={"authenticationMode": mode,
                                        "bootstrapClusterCreatorAdminPermissions": mode == "CONFIG_MAP"})
    node_role = new_role()

    # WHEN a managed node group is created with a node role
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=node_role, subnets=SUBNETS)

    # THEN EKS gave the node role its EC2_LINUX entry, where access entries exist
    entries = [eks.describe_access_entry(clusterName=cluster, principalArn=principal)["accessEntry"]
               for principal in eks.list_access_entries(clusterName=cluster)["accessEntries"]]
    assert [(e["principalArn"], e["type"], e["kubernetesGroups"], e["username"]) for e in entries] == (
        [(node_role, "EC2_LINUX", ["system:nodes"], "system:node:{{EC2PrivateDNSName}}")] if node_entry else [])


def test_node_group_updates_are_served_with_the_node_group_name(eks, new_cluster, new_role):
    # GIVEN a 1.32 node group in a cluster since updated to 1.33
    cluster = new_cluster(version="1.32")
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(), subnets=SUBNETS,
                         version="1.32", scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2})
    cluster_update = eks.update_cluster_version(name=cluster, version="1.33")["update"]

    # WHEN its scaling and its version are updated
    config = eks.update_nodegroup_config(clusterName=cluster, nodegroupName="workers",
                                         scalingConfig={"desiredSize": 3})["update"]
    version = eks.update_nodegroup_version(clusterName=cluster, nodegroupName="workers", version="1.33")["update"]

    # THEN DescribeUpdate serves both with the node group's name, and not as cluster updates
    assert (config["type"], version["type"]) == ("ConfigUpdate", "VersionUpdate")
    for update in (config, version):
        assert eks.describe_update(name=cluster, updateId=update["id"], nodegroupName="workers")["update"] == update
        assert error_of(eks.describe_update, name=cluster, updateId=update["id"])[
            "Code"] == "ResourceNotFoundException"
    assert sorted(eks.list_updates(name=cluster, nodegroupName="workers")["updateIds"]) == sorted(
        [config["id"], version["id"]])
    assert eks.list_updates(name=cluster)["updateIds"] == [cluster_update["id"]]
    group = eks.describe_nodegroup(clusterName=cluster, nodegroupName="workers")["nodegroup"]
    assert (group["version"], group["scalingConfig"]["desiredSize"]) == ("1.33", 3)


# -- tags ---------------------------------------------------------------------------------

def _access_entry_arn(eks: Any, cluster: str, role: str) -> str:
    return eks.create_access_entry(clusterName=cluster, principalArn=role,
                                   tags={"created": "yes"})["accessEntry"]["accessEntryArn"]


def _association_arn(eks: Any, cluster: str, role: str) -> str:
    return eks.create_pod_identity_association(clusterName=cluster, namespace="shop", serviceAccount="cart",
                                               roleArn=role, tags={"created": "yes"})["association"]["associationArn"]


def _addon_arn(eks: Any, cluster: str, role: str) -> str:
    return eks.create_addon(clusterName=cluster, addonName="coredns", tags={"created": "yes"})["addon"]["addonArn"]


def _nodegroup_arn(eks: Any, cluster: str, role: str) -> str:
    return eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=role, subnets=SUBNETS,
                                tags={"created": "yes"})["nodegroup"]["nodegroupArn"]


@pytest.mark.parametrize("make_resource", [_access_entry_arn, _association_arn, _addon_arn, _nodegroup_arn],
                         ids=["access-entry", "pod-identity-association", "addon", "nodegroup"])
def test_tags_on_added_resources(eks, new_cluster, new_role, make_resource):
    # GIVEN a resource created with a tag
    arn = make_resource(eks, new_cluster(accessConfig=API_ONLY), new_role())
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"created": "yes"}

    # WHEN a tag is added and the first removed
    eks.tag_resource(resourceArn=arn, tags={"team": "platform"})
    eks.untag_resource(resourceArn=arn, tagKeys=["created"])

    # THEN ListTagsForResource shows the one left
    assert eks.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "platform"}


# -- deleting a cluster -------------------------------------------------------------------

def test_deleting_a_cluster_deletes_what_the_extension_added(eks, new_cluster, new_role):
    # GIVEN an API cluster with an access entry, an association, an add-on and a node group
    cluster = new_cluster(accessConfig=API_ONLY)
    role = new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role)
    eks.create_pod_identity_association(clusterName=cluster, namespace="shop", serviceAccount="cart", roleArn=role)
    eks.create_addon(clusterName=cluster, addonName="vpc-cni")
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(), subnets=SUBNETS)

    # WHEN the node group and then the cluster are deleted, and a cluster of the same name is created
    eks.delete_nodegroup(clusterName=cluster, nodegroupName="workers")
    eks.delete_cluster(name=cluster)
    new_cluster(name=cluster, accessConfig=API_ONLY)

    # THEN the new cluster has none of the old one's access entries, associations or add-ons
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []
    assert eks.list_pod_identity_associations(clusterName=cluster)["associations"] == []
    assert eks.list_addons(clusterName=cluster)["addons"] == []
    assert eks.list_updates(name=cluster)["updateIds"] == []


def test_an_identity_center_role_path_in_the_url_is_not_read_as_a_region(eks, new_cluster, new_role):
    # GIVEN an IAM Identity Center role (its path holds "sso.amazonaws.com") with an access entry
    cluster = new_cluster(accessConfig={"authenticationMode": "API"})
    role = new_role(path="/aws-reserved/sso.amazonaws.com/")
    eks.create_access_entry(clusterName=cluster, principalArn=role)

    # WHEN it is described with the ARN percent-encoded in the path, as Terraform's Go SDK sends it
    def encode_like_go(request: Any, **_: Any) -> None:
        request.url = request.url.replace(role.split("/")[0], role.split("/")[0].replace(":", "%3A"))

    eks.meta.events.register("before-sign.eks.DescribeAccessEntry", encode_like_go)
    try:
        entry = eks.describe_access_entry(clusterName=cluster, principalArn=role)["accessEntry"]
    finally:
        eks.meta.events.unregister("before-sign.eks.DescribeAccessEntry", encode_like_go)

    # THEN the emulator answers for the right region and entry
    assert entry["principalArn"] == role
    assert entry["accessEntryArn"].split(":")[3] == "us-east-1"
