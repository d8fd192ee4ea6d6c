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
