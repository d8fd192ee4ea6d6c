"""The reference app deployed to the embedded emulator: what landed is what main.py declares."""

from __future__ import annotations

import uuid

import pytest

import main
from eksguard.testing import (
    assert_attached_policies,
    assert_cluster,
    assert_inline_policies,
    assert_launch_template_requires_imdsv2,
    assert_node_group,
    assert_oidc_provider,
    assert_role_trusts_oidc,
    assert_role_trusts_pod_identity,
    assert_role_trusts_service,
    expect_equal,
    PodIdentityAssociationSnapshot,
    read_access_entries,
    read_addons,
    read_cluster,
    read_inventory,
    read_launch_template,
    read_node_group,
    read_oidc_provider,
    read_pod_identity_associations,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration

MANAGED = "arn:aws:iam::aws:policy/"
POLICY = "arn:aws:eks::aws:cluster-access-policy/"


def newest_addon_version(eks, name: str, kubernetes_version: str) -> str:
    """The newest version EKS publishes for the cluster's Kubernetes version (listed first)."""
    versions = eks.describe_addon_versions(addonName=name, kubernetesVersion=kubernetes_version)
    return versions["addons"][0]["addonVersions"][0]["addonVersion"]


def test_reference_app_deploys_verifies_replans_and_destroys_cleanly(synth_stack, deploy_stack, aws_emulator):
    # GIVEN the reference app with a cluster name no other test uses
    settings = main.ReferenceSettings(cluster_name=f"ref-{uuid.uuid4().hex[:8]}", stack_name="reference")
    before = read_inventory(aws_emulator.client)
    stack = synth_stack(lambda app: main.ReferenceStack(app, settings.stack_name, settings=settings))

    # WHEN it is applied
    deployment = deploy_stack(stack)
    out = deployment.outputs
    iam, eks, ec2 = (deployment.client(s) for s in ("iam", "eks", "ec2"))

    # THEN the control plane is private, encrypted, logged, on the created role
    subnets = out["private_subnet_ids"]
    assert len(subnets) == 2
    cluster = read_cluster(eks, out["cluster_name"])
    cluster_role = read_role(iam, cluster.role_arn)
    assert_cluster(cluster, version="1.35", role_arn=cluster_role.arn, subnet_ids=subnets)
    assert cluster.secrets_key_arn == deployment.state("reference/eks/cluster/secrets-key")["arn"]
    assert_role_trusts_service(cluster_role, "eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession"))
    assert_attached_policies(cluster_role, [MANAGED + "AmazonEKSClusterPolicy"])
    assert_inline_policies(cluster_role, {"secrets-encryption": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                       "Resource": cluster.secrets_key_arn}]}})

    # AND the OIDC provider serves the cluster's issuer to STS
    provider = read_oidc_provider(iam, out["oidc_provider_arn"])
    assert_oidc_provider(provider, issuer_url=cluster.oidc_issuer)

    # AND each IRSA role trusts exactly its service account
    cni = read_role(iam, out["vpc_cni_role_arn"])
    assert_role_trusts_oidc(cni, provider_arn=provider.arn, subjects=["system:serviceaccount:kube-system:aws-node"])
    assert_attached_policies(cni, [MANAGED + "AmazonEKS_CNI_Policy"])
    assert_inline_policies(cni, {})
    orders = read_role(iam, out["orders_api_role_arn"])
    assert_role_trusts_oidc(orders, provider_arn=provider.arn, subjects=["system:serviceaccount:orders:orders-api"])
    assert_attached_policies(orders, [])
    # (GetParametersByPath is authorized against the path itself, so the grant names it)
    parameters = "arn:aws:ssm:us-east-1:123456789012:parameter/orders"
    assert_inline_policies(orders, {"read-orders-config": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["ssm:GetParametersByPath"],
                       "Resource": [parameters, parameters + "/*"]},
                      {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                       "Resource": [parameters + "/*"]}]}})

    # AND both node groups run IMDSv2-only nodes on roles without the CNI policy
    groups = {
        "on-demand": dict(scaling=(1, 2, 3), capacity_type="ON_DEMAND", taints=(),
                          labels={"eksguard.io/capacity": "on-demand"}),
        "spot": dict(scaling=(0, 1, 5), capacity_type="SPOT",
                     taints=[("eksguard.io/spot", "true", "NO_SCHEDULE")], labels={"eksguard.io/capacity": "spot"}),
    }
    for name, expected in groups.items():
        key = name.replace("-", "_")
        node_role = read_role(iam, out[f"{key}_node_role_arn"])
        assert_role_trusts_service(node_role, "ec2.amazonaws.com")
        assert_attached_policies(node_role, [MANAGED + "AmazonEKSWorkerNodePolicy",
                                             MANAGED + "AmazonEC2ContainerRegistryPullOnly"])
        group = read_node_group(eks, cluster.name, name)
        assert_node_group(group, role_arn=node_role.arn, subnet_ids=subnets,
                          launch_template_id=out[f"{key}_launch_template_id"], **expected)
        assert_launch_template_requires_imdsv2(read_launch_template(ec2, out[f"{key}_launch_template_id"]))

    # AND add-ons and Pod Identity workloads have their own identities, never the node role's
    ebs = read_role(iam, out["ebs_csi_role_arn"])
    assert_role_trusts_oidc(ebs, provider_arn=provider.arn,
                            subjects=["system:serviceaccount:kube-system:ebs-csi-controller-sa"])
    assert_attached_policies(ebs, [MANAGED + "service-role/AmazonEBSCSIDriverPolicy"])
    autoscaler = read_role(iam, out["cluster_autoscaler_role_arn"])
    assert_role_trusts_oidc(autoscaler, provider_arn=provider.arn,
                            subjects=["system:serviceaccount:kube-system:cluster-autoscaler"])
    assert autoscaler.inline_policies["cluster-autoscaler"]["Statement"][0]["Condition"] == {
        "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster.name}": "owned"}}
    cart = read_role(iam, out["cart_role_arn"])
    expect_equal("trust policy of the cart role", cart.trust_policy, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                       "Action": ["sts:AssumeRole", "sts:TagSession"],
                       "Condition": {"StringEquals": {
                           "aws:RequestTag/eks-cluster-arn": cluster.arn,
                           "aws:RequestTag/kubernetes-namespace": "shop",
                           "aws:RequestTag/kubernetes-service-account": "cart"}}}]})
    assert_role_trusts_pod_identity(cart, cluster_arn=cluster.arn, service_accounts=[("shop", "cart")])
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/cart"
    assert [s["Resource"] for s in cart.inline_policies["read-cart-table"]["Statement"]] == [
        [table], [table + "/index/*"]]
    for person in ("platform_admins", "shop_viewers"):
        trust = read_role(iam, out[f"{person}_role_arn"]).trust_policy["Statement"]
        assert trust == [{"Effect": "Allow", "Action": "sts:AssumeRole",
                          "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                          "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]

    # AND the cluster authenticates through the EKS API only, with no creator admin
    assert cluster.access_config == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}

    # AND exactly these principals can reach the cluster: the two people's roles with their
    # policies and scopes, and the node roles EKS itself entered as EC2_LINUX
    node_roles = {out[f"{k}_node_role_arn"] for k in ("on_demand", "spot")}
    entries = read_access_entries(eks, cluster.name)
    expect_equal("access entries", {arn: (e.type, sorted(e.policies), e.kubernetes_groups)
                                    for arn, e in entries.items()}, {
        out["platform_admins_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSClusterAdminPolicy", "cluster", ())], ()),
        out["shop_viewers_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSViewPolicy", "namespace", ("shop",))], ()),
        **{arn: ("EC2_LINUX", [], ("system:nodes",)) for arn in node_roles},
    })

    # AND the Pod Identity association binds shop/cart to its role, and nothing else is bound
    assert read_pod_identity_associations(eks, cluster.name) == frozenset({
        PodIdentityAssociationSnapshot("shop", "cart", out["cart_role_arn"])})

    # AND every add-on, the core three included, is ACTIVE at the newest version for the
    # cluster, on its own role where it needs AWS rights
    addons = read_addons(eks, cluster.name)
    expect_equal("add-ons", {name: (a.status, a.service_account_role_arn, a.version) for name, a in addons.items()}, {
        "vpc-cni": ("ACTIVE", cni.arn, newest_addon_version(eks, "vpc-cni", "1.35")),
        "kube-proxy": ("ACTIVE", None, newest_addon_version(eks, "kube-proxy", "1.35")),
        "coredns": ("ACTIVE", None, newest_addon_version(eks, "coredns", "1.35")),
        "aws-ebs-csi-driver": ("ACTIVE", ebs.arn, newest_addon_version(eks, "aws-ebs-csi-driver", "1.35")),
        "eks-pod-identity-agent": ("ACTIVE", None, newest_addon_version(eks, "eks-pod-identity-agent", "1.35")),
    })

    # AND nodes came after vpc-cni and kube-proxy (aws-node had its role before any node
    # joined), and the add-ons whose pods need nodes came after the nodes
    created = {name: eks.describe_addon(clusterName=cluster.name, addonName=name)["addon"]["createdAt"]
               for name in addons}
    groups_created = [eks.describe_nodegroup(clusterName=cluster.name, nodegroupName=g)["nodegroup"]["createdAt"]
                      for g in groups]
    assert max(created["vpc-cni"], created["kube-proxy"]) <= min(groups_created)
    assert max(groups_created) <= min(created[n] for n in ("coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"))

    # AND everything in the stack was deployed
    assert deployment.unserved == {}

    # AND a second plan is empty, with nothing excused
    verdict = deployment.replan()
    assert verdict.ok, verdict.report()
    assert verdict.unverified == (), verdict.report()

    # WHEN it is destroyed THEN there is no IAM DeleteConflict (moto enforces it), every node
    # group goes before its role's policies, and nothing the run created remains
    deployment.destroy()
    destroyed = [line.split(":")[0] for line in deployment.terraform.log[-1].splitlines()
                 if ": Destruction complete" in line]
    for name in groups:
        attachments = [a for p, a in stack.by_path.items() if p.startswith(f"reference/eks/{name}-node-role/policy-")]
        assert len(attachments) == 2
        node_group = destroyed.index(deployment.address(f"reference/eks/{name}/node-group"))
        assert all(node_group < destroyed.index(a) for a in attachments), destroyed
    assert deployment.terraform.state_addresses() == []
    assert read_inventory(aws_emulator.client).minus(before) == {}
