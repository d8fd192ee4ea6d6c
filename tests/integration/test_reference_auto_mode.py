"""The reference app on EKS Auto Mode (EKSGUARD_CAPACITY=auto-mode) deployed to the embedded
emulator: EKS runs the nodes, so the stack holds no node group, no add-on and no CNI role,
and the roles Auto Mode uses hold exactly what AWS documents."""

from __future__ import annotations

import uuid

import pytest

import main
from eksguard.testing import (
    PodIdentityAssociationSnapshot,
    assert_attached_policies,
    assert_cluster,
    assert_inline_policies,
    assert_role_trusts_service,
    expect_equal,
    read_access_entries,
    read_addons,
    read_cluster,
    read_inventory,
    read_pod_identity_associations,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration

MANAGED = "arn:aws:iam::aws:policy/"
POLICY = "arn:aws:eks::aws:cluster-access-policy/"


def test_auto_mode_reference_deploys_verifies_replans_and_destroys_cleanly(synth_stack, deploy_stack, aws_emulator):
    # GIVEN the reference app on Auto Mode, with a cluster name no other test uses
    settings = main.ReferenceSettings(cluster_name=f"auto-{uuid.uuid4().hex[:8]}", stack_name="auto-mode",
                                      capacity="auto-mode")
    before = read_inventory(aws_emulator.client)
    stack = synth_stack(lambda app: main.ReferenceStack(app, settings.stack_name, settings=settings))

    # WHEN it is applied
    deployment = deploy_stack(stack)
    out = deployment.outputs
    iam, eks = deployment.client("iam"), deployment.client("eks")

    # THEN the cluster runs Auto Mode's three capabilities, both built-in pools on the created node role
    subnets = out["private_subnet_ids"]
    cluster = read_cluster(eks, out["cluster_name"])
    cluster_role = read_role(iam, cluster.role_arn)
    assert_cluster(cluster, version="1.35", role_arn=cluster_role.arn, subnet_ids=subnets)
    expect_equal("Auto Mode", cluster.auto_mode, {
        "computeConfig": {"enabled": True, "nodePools": ["general-purpose", "system"],
                          "nodeRoleArn": out["auto_mode_node_role_arn"]},
        "storageConfig": {"blockStorage": {"enabled": True}},
        "elasticLoadBalancing": {"enabled": True}})
    assert cluster.access_config == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}

    # AND the cluster role trusts EKS with session tags and holds exactly the five policies Auto Mode needs
    assert_role_trusts_service(cluster_role, "eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession"))
    assert_attached_policies(cluster_role, [MANAGED + name for name in (
        "AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy")])
    assert_inline_policies(cluster_role, {"secrets-encryption": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                       "Resource": cluster.secrets_key_arn}]}})

    # AND the node role holds only what an Auto Mode node needs: join, and pull images
    node_role = read_role(iam, out["auto_mode_node_role_arn"])
    assert_role_trusts_service(node_role, "ec2.amazonaws.com")
    assert_attached_policies(node_role, [MANAGED + "AmazonEKSWorkerNodeMinimalPolicy",
                                         MANAGED + "AmazonEC2ContainerRegistryPullOnly"])
    assert_inline_policies(node_role, {})

    # AND no node group, no add-on, no aws-node role: Auto Mode runs them
    assert eks.list_nodegroups(clusterName=cluster.name)["nodegroups"] == []
    assert read_addons(eks, cluster.name) == {}
    assert not any(key.startswith(("vpc_cni", "ebs_csi", "cluster_autoscaler")) for key in out)

    # AND the people's entries are the stack's; the node role's entry is the one EKS made itself
    entries = read_access_entries(eks, cluster.name)
    expect_equal("access entries", {arn: (e.type, sorted(e.policies), e.kubernetes_groups)
                                    for arn, e in entries.items()}, {
        out["platform_admins_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSClusterAdminPolicy", "cluster", ())], ()),
        out["shop_viewers_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSViewPolicy", "namespace", ("shop",))], ()),
        node_role.arn: ("EC2", [(POLICY + "AmazonEKSAutoNodePolicy", "cluster", ())], ()),
    })

    # AND Pod Identity works without an agent add-on (Auto Mode nodes run the agent)
    assert read_pod_identity_associations(eks, cluster.name) == frozenset({
        PodIdentityAssociationSnapshot("shop", "cart", out["cart_role_arn"])})

    # AND everything was deployed, and a second plan is empty with nothing excused
    assert deployment.unserved == {}
    verdict = deployment.replan()
    assert verdict.ok, verdict.report()
    assert verdict.unverified == (), verdict.report()

    # WHEN it is destroyed THEN nothing the run created remains
    deployment.destroy()
    assert deployment.terraform.state_addresses() == []
    assert read_inventory(aws_emulator.client).minus(before) == {}
