"""SecureEksCluster on EKS Auto Mode: what Auto Mode runs itself is not created, until a
managed node group needs it; an add-on identity Auto Mode makes unused is refused."""

from __future__ import annotations

import pytest

from eksguard import (
    AddonIdentityOptions,
    EksClusterProps,
    ManagedNodeGroupOptions,
    PodIdentityRoleOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    ValidationError,
    ebs_csi_driver,
)
from eksguard.constructs.auto_mode import AutoModeOptions
from eksguard.modules import secure_cluster as module

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
CART = PodIdentityRoleOptions(service_accounts=[ServiceAccount(namespace="shop", name="cart")])


def _props(**overrides):
    return SecureEksClusterProps(**{"cluster": EksClusterProps(
        name="prod", subnet_ids=SUBNETS, auto_mode=AutoModeOptions()), **overrides})


def test_auto_mode_cluster_without_node_groups_has_no_addons_and_no_cni_role(synth_one):
    # GIVEN an Auto Mode cluster with a Pod Identity role and no node group
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=_props(pod_identity_roles={"cart": CART})))

    # THEN no add-on, no add-on version lookup and no aws-node role: Auto Mode nodes run them
    assert out.of_type("aws_eks_addon") == {}
    assert [a for a in out.addresses if a.startswith("data.aws_eks_addon_version")] == []
    assert sorted(out.of_type("aws_iam_role")) == [
        "test/eks/cart/role", "test/eks/cluster/auto-mode-node-role/role", "test/eks/cluster/role"]
    # AND the Pod Identity association still binds shop/cart
    associations = list(out.of_type("aws_eks_pod_identity_association").values())
    assert [(a["namespace"], a["service_account"]) for a in associations] == [("shop", "cart")]


def test_first_node_group_of_an_auto_mode_cluster_brings_the_core_addons_and_agent(synth_one):
    # GIVEN an Auto Mode cluster with Pod Identity, to which a node group is added later
    def build(stack):
        eks = SecureEksCluster(stack, "eks", props=_props(pod_identity_roles={"cart": CART}))
        eks.add_node_group("system", ManagedNodeGroupOptions())

    out = synth_one(build)

    # THEN the node group's nodes get vpc-cni (on its own IRSA role), kube-proxy, coredns and the agent
    addons = sorted(body["addon_name"] for body in out.of_type("aws_eks_addon").values())
    assert addons == ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    group = out.resource("test/eks/system/node-group")
    assert out.address("test/eks/vpc-cni-addon") in group["depends_on"]
    # AND aws-node's role exists before the node role, which therefore leaves out the CNI policy
    role = "${" + out.address("test/eks/system-node-role/role") + ".name}"
    assert sorted(a["policy_arn"].rsplit("/", 1)[1] for a in out.of_type("aws_iam_role_policy_attachment").values()
                  if a["role"] == role) == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]
    assert out.address("test/eks/kube-proxy") in group["depends_on"]


def test_auto_mode_cluster_with_node_groups_in_props_installs_core_addons(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=_props(
        node_groups={"system": ManagedNodeGroupOptions()})))
    addons = sorted(body["addon_name"] for body in out.of_type("aws_eks_addon").values())
    assert addons == ["coredns", "kube-proxy", "vpc-cni"]


def test_addon_identity_auto_mode_runs_itself_is_refused(stack):
    # GIVEN an Auto Mode cluster without node groups / WHEN the EBS CSI add-on is asked for
    with pytest.raises(ValidationError) as raised:
        SecureEksCluster(stack, "eks", props=_props(
            addon_identities={"ebs-csi": AddonIdentityOptions(permissions=ebs_csi_driver())}))
    # THEN the error says Auto Mode runs it
    error = raised.value
    assert (error.path, error.field, error.value, error.allowed) == (
        "test/eks/ebs-csi", "permissions.addon_name", "aws-ebs-csi-driver", module.ALLOWED_AUTO_MODE_ADDON)


def test_addon_identity_without_the_managed_addon_is_allowed_on_auto_mode(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=_props(
        addon_identities={"ebs-csi": AddonIdentityOptions(permissions=ebs_csi_driver(),
                                                          install_managed_addon=False)})))
    assert out.of_type("aws_eks_addon") == {}


def test_add_karpenter_wires_this_cluster_its_agent_and_a_node_role_without_the_cni_policy(synth_one):
    # GIVEN a cluster (aws-node on its own IRSA role) with a node group and Karpenter
    def build(stack):
        eks = SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
            node_groups={"system": ManagedNodeGroupOptions()}))
        eks.add_karpenter()

    out = synth_one(build)
    # THEN the controller's association names this cluster, and the agent add-on came with it
    association = out.resource("test/eks/karpenter/controller/association-kube-system-karpenter")
    assert association["cluster_name"] == "${" + out.address("test/eks/cluster/cluster") + ".name}"
    assert "eks-pod-identity-agent" in {a["addon_name"] for a in out.of_type("aws_eks_addon").values()}
    # AND Karpenter's nodes get the worker and pull-only policies, not the CNI policy
    role = "${" + out.address("test/eks/karpenter/node-role/role") + ".name}"
    attached = sorted(a["policy_arn"].rsplit("/", 1)[1] for a in out.of_type("aws_iam_role_policy_attachment").values()
                      if a["role"] == role)
    assert attached == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]
    # AND the node group keeps its desired size in Terraform (Karpenter never resizes node groups)
    assert "lifecycle" not in out.resource("test/eks/system/node-group")


def test_add_karpenter_is_refused_on_auto_mode(stack):
    eks = SecureEksCluster(stack, "eks", props=_props())
    with pytest.raises(ValidationError) as raised:
        eks.add_karpenter()
    error = raised.value
    assert (error.path, error.field, error.value, error.allowed) == (
        "test/eks/karpenter", "cluster.auto_mode", AutoModeOptions(), module.ALLOWED_KARPENTER_ON_AUTO_MODE)


def test_add_karpenter_props_must_be_karpenter_props(stack):
    eks = SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS)))
    with pytest.raises(ValidationError) as raised:
        eks.add_karpenter(props={"identity": "irsa"})
    assert (raised.value.path, raised.value.field) == ("test/eks/karpenter", "props")
