"""The EKS extension through Terraform: every resource type it serves is created, read
back with no change, updated in place (UpdateClusterConfig, UpdateClusterVersion,
UpdateAccessEntry, UpdatePodIdentityAssociation, UpdateAddon, UpdateNodegroupConfig,
UpdateNodegroupVersion, each waited on through DescribeUpdate) and destroyed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from eksguard._framework import TerraformOutput, TerraformStack, aws
from eksguard.testing import (
    PodIdentityAssociationSnapshot,
    assert_access_entry,
    assert_addon,
    assert_pod_identity_associations,
    assert_role_trusts_pod_identity,
    expect_equal,
    read_access_entries,
    read_addons,
    read_inventory,
    read_pod_identity_associations,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration
POLICY = "arn:aws:eks::aws:cluster-access-policy/"


def _trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})


class EksApiStack(TerraformStack):
    """One of each EKS resource the extension serves, in two versions: ``v2`` changes every
    attribute that Terraform updates in place, and the cluster's Kubernetes version."""

    def __init__(self, scope: Any, id: str, *, name: str, v2: bool = False) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        vpc = aws.vpc.Vpc(self, "vpc", cidr_block="10.40.0.0/16")
        subnets = [aws.subnet.Subnet(self, f"subnet-{i}", vpc_id=vpc.id, cidr_block=f"10.40.{i}.0/24",
                                     availability_zone=f"us-east-1{'ab'[i]}").id for i in (0, 1)]
        cluster_role = aws.iam_role.IamRole(self, "cluster-role", name_prefix="api-cluster-",
                                            assume_role_policy=_trust("eks.amazonaws.com"))
        node_role = aws.iam_role.IamRole(self, "node-role", name_prefix="api-node-",
                                         assume_role_policy=_trust("ec2.amazonaws.com"))
        app_roles = [aws.iam_role.IamRole(self, f"app-role-{i}", name_prefix=f"api-app{i}-",
                                          assume_role_policy=_trust("pods.eks.amazonaws.com")) for i in (0, 1)]
        person = aws.iam_role.IamRole(self, "person", name_prefix="api-person-",
                                      assume_role_policy=_trust("ec2.amazonaws.com"))
        version = "1.35" if v2 else "1.34"
        cluster = aws.eks_cluster.EksCluster(
            self, "cluster", name=name, role_arn=cluster_role.arn, version=version,
            vpc_config=aws.eks_cluster.EksClusterVpcConfig(subnet_ids=subnets, endpoint_private_access=True,
                                                           endpoint_public_access=False),
            access_config=aws.eks_cluster.EksClusterAccessConfig(
                authentication_mode="API" if v2 else "API_AND_CONFIG_MAP",
                bootstrap_cluster_creator_admin_permissions=False),
            upgrade_policy=aws.eks_cluster.EksClusterUpgradePolicy(support_type="STANDARD" if v2 else "EXTENDED"),
            tags={"stage": "two" if v2 else "one"})
        entry = aws.eks_access_entry.EksAccessEntry(
            self, "person-entry", cluster_name=cluster.name, principal_arn=person.arn,
            kubernetes_groups=["viewers", "auditors"] if v2 else ["viewers"], tags={"stage": "two" if v2 else "one"})
        aws.eks_access_policy_association.EksAccessPolicyAssociation(
            self, "person-view", cluster_name=cluster.name, principal_arn=entry.principal_arn,
            policy_arn=POLICY + "AmazonEKSViewPolicy",
            access_scope=aws.eks_access_policy_association.EksAccessPolicyAssociationAccessScope(
                type="namespace", namespaces=["shop", "orders"] if v2 else ["shop"]))
        aws.eks_pod_identity_association.EksPodIdentityAssociation(
            self, "cart", cluster_name=cluster.name, namespace="shop", service_account="cart",
            role_arn=app_roles[1 if v2 else 0].arn)
        newest = aws.data_aws_eks_addon_version.DataAwsEksAddonVersion(
            self, "kube-proxy-newest", addon_name="kube-proxy", kubernetes_version=cluster.version, most_recent=True)
        default = aws.data_aws_eks_addon_version.DataAwsEksAddonVersion(
            self, "coredns-default", addon_name="coredns", kubernetes_version=cluster.version)
        aws.eks_addon.EksAddon(self, "kube-proxy", cluster_name=cluster.name, addon_name="kube-proxy",
                               addon_version=newest.version)
        aws.eks_addon.EksAddon(self, "coredns", cluster_name=cluster.name, addon_name="coredns",
                               addon_version=default.version, resolve_conflicts_on_update="OVERWRITE",
                               configuration_values='{"replicaCount":3}' if v2 else None)
        group = aws.eks_node_group.EksNodeGroup(
            self, "nodes", cluster_name=cluster.name, node_group_name="nodes", node_role_arn=node_role.arn,
            subnet_ids=subnets, version=version, instance_types=["m6i.large"],
            scaling_config=aws.eks_node_group.EksNodeGroupScalingConfig(
                min_size=1, desired_size=2 if v2 else 1, max_size=3),
            update_config=aws.eks_node_group.EksNodeGroupUpdateConfig(max_unavailable_percentage=50 if v2 else 33))
        TerraformOutput(self, "cluster_name", value=cluster.name)
        TerraformOutput(self, "person_arn", value=person.arn)
        TerraformOutput(self, "node_role_arn", value=node_role.arn)
        TerraformOutput(self, "app_role_arns", value=[r.arn for r in app_roles])
        TerraformOutput(self, "addon_versions", value={"kube-proxy": newest.version, "coredns": default.version})
        TerraformOutput(self, "node_group_arn", value=group.arn)


def test_every_served_resource_is_created_updated_in_place_replanned_and_destroyed(
        synth_stack, deploy_stack, aws_emulator):
    # GIVEN a stack with each EKS resource type the extension serves
    name = f"api-{uuid.uuid4().hex[:8]}"
    before = read_inventory(aws_emulator.client)
    deployment = deploy_stack(synth_stack(lambda app: EksApiStack(app, "eks-api", name=name)))
    eks, out = deployment.client("eks"), deployment.outputs

    # THEN it all landed, and a second plan is empty
    assert deployment.unserved == {}
    assert read_addons(eks, name)["kube-proxy"].version == out["addon_versions"]["kube-proxy"]
    first = deployment.replan()
    assert first.ok and first.unverified == (), first.report()

    # WHEN every in-place attribute changes and the cluster moves to the next Kubernetes version
    out = deployment.update(synth_stack(lambda app: EksApiStack(app, "eks-api", name=name, v2=True))).outputs

    # THEN Terraform updated in place (nothing replaced but the ForceNew access scope) ...
    applied = next(entry for entry in reversed(deployment.terraform.log) if " apply " in entry.splitlines()[0])
    replaced = [line for line in applied.splitlines() if "Destroying..." in line]
    assert [line.split(":")[0].split(".")[0] for line in replaced] == ["aws_eks_access_policy_association"], replaced

    # ... and the emulator holds the new state
    cluster = eks.describe_cluster(name=name)["cluster"]
    assert (cluster["version"], cluster["accessConfig"]["authenticationMode"], cluster["upgradePolicy"]) == (
        "1.35", "API", {"supportType": "STANDARD"})
    entries = read_access_entries(eks, name)
    expect_equal("access entries", {arn: (e.type, sorted(e.kubernetes_groups), sorted(e.policies))
                                    for arn, e in entries.items()}, {
        out["person_arn"]: ("STANDARD", ["auditors", "viewers"],
                            [(POLICY + "AmazonEKSViewPolicy", "namespace", ("shop", "orders"))]),
        out["node_role_arn"]: ("EC2_LINUX", ["system:nodes"], []),
    })
    assert read_pod_identity_associations(eks, name) == frozenset({
        PodIdentityAssociationSnapshot("shop", "cart", out["app_role_arns"][1])})
    # (the same facts through the whole-document assertions)
    assert_access_entry(entries[out["person_arn"]], kubernetes_groups=["viewers", "auditors"],
                        policies={POLICY + "AmazonEKSViewPolicy": ["shop", "orders"]})
    assert_access_entry(entries[out["node_role_arn"]], type="EC2_LINUX", kubernetes_groups=["system:nodes"],
                        policies={})
    assert_pod_identity_associations(read_pod_identity_associations(eks, name),
                                     {("shop", "cart"): out["app_role_arns"][1]})
    assert_role_trusts_pod_identity(read_role(deployment.client("iam"), out["app_role_arns"][1]))
    addons = read_addons(eks, name)
    assert sorted(addons) == ["coredns", "kube-proxy"]
    assert_addon(addons["kube-proxy"], version=out["addon_versions"]["kube-proxy"])
    assert_addon(addons["coredns"], version=out["addon_versions"]["coredns"], configuration={"replicaCount": 3})
    assert out["addon_versions"]["kube-proxy"].startswith("v1.35.")
    group = eks.describe_nodegroup(clusterName=name, nodegroupName="nodes")["nodegroup"]
    assert (group["version"], group["scalingConfig"]["desiredSize"], group["updateConfig"]) == (
        "1.35", 2, {"maxUnavailablePercentage": 50})
    updates = {eks.describe_update(name=name, updateId=u)["update"]["type"]
               for u in eks.list_updates(name=name)["updateIds"]}
    assert updates == {"VersionUpdate", "AccessConfigUpdate", "UpgradePolicyUpdate"}, updates

    # AND the plan after the update is empty too
    second = deployment.replan()
    assert second.ok and second.unverified == (), second.report()

    # WHEN it is destroyed THEN nothing it made remains
    deployment.destroy()
    assert deployment.terraform.state_addresses() == []
    assert read_inventory(aws_emulator.client).minus(before) == {}
