"""SecureEksCluster: composition, the CNI policy hand-off, and its validation branches."""

from __future__ import annotations

import pytest

from eksguard import (
    EksClusterProps,
    IrsaRoleOptions,
    ManagedNodeGroupOptions,
    SecureEksCluster,
    SecureEksClusterSpec,
    ServiceAccount,
    ValidationError,
)
from eksguard.modules import secure_cluster as module

CNI = IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="kube-system", name="aws-node")])


def _spec(**overrides):
    return SecureEksClusterSpec(**{"cluster": EksClusterProps(name="prod", subnet_ids=["a", "b"]),
                                   **overrides})


def _node_role_policies(out, group_id):
    role = "${" + out.address(f"test/eks/{group_id}-node-role/role") + ".name}"
    return sorted(body["policy_arn"].rsplit("/", 1)[1]
                  for body in out.of_type("aws_iam_role_policy_attachment").values() if body["role"] == role)


def test_cni_irsa_role_takes_the_cni_policy_off_node_roles(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", spec=_spec(
        irsa_roles={"vpc-cni": CNI}, node_groups={"general": ManagedNodeGroupOptions()})))
    assert _node_role_policies(out, "general") == [
        "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]
    group = out.resource("test/eks/general/node-group")
    assert group["subnet_ids"] == ["a", "b"]
    assert group["cluster_name"] == "${" + out.address("test/eks/cluster/cluster") + ".name}"
    assert group["depends_on"] == [
        out.address(f"test/eks/general-node-role/policy-{p}")
        for p in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")]


def test_without_cni_role_node_roles_keep_the_cni_policy_and_add_node_group_works(synth_one):
    def build(stack):
        eks = SecureEksCluster(stack, "eks", spec=_spec())
        eks.add_node_group("spot", ManagedNodeGroupOptions(capacity_type="SPOT", subnet_ids=["c"]))

    out = synth_one(build)
    assert _node_role_policies(out, "spot") == [
        "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]
    assert out.resource("test/eks/spot/node-group")["subnet_ids"] == ["c"]


def test_cluster_tags_flow_to_every_taggable_resource(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", spec=_spec(
        cluster=EksClusterProps(name="prod", subnet_ids=["a", "b"], tags={"team": "platform"}),
        irsa_roles={"app": IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="a", name="b")],
                                           tags={"app": "orders"})},
        node_groups={"general": ManagedNodeGroupOptions()})))
    assert out.resource("test/eks/app/role")["tags"] == {"team": "platform", "app": "orders"}
    for path in ("test/eks/cluster/cluster", "test/eks/oidc-provider/provider",
                 "test/eks/general/node-group", "test/eks/general-node-role/role"):
        assert out.resource(path)["tags"] == {"team": "platform"}, path


def test_duplicate_node_group_names_are_rejected(stack):
    eks = SecureEksCluster(stack, "eks", spec=_spec(node_groups={"a": ManagedNodeGroupOptions()}))
    with pytest.raises(ValidationError) as caught:
        eks.add_node_group("b", ManagedNodeGroupOptions(node_group_name="a"))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks/b", "node_group_name", "a", module.ALLOWED_UNIQUE_NODE_GROUP_NAME)


def test_cni_role_after_node_groups_is_rejected(stack):
    eks = SecureEksCluster(stack, "eks", spec=_spec(node_groups={"a": ManagedNodeGroupOptions()}))
    with pytest.raises(ValidationError) as caught:
        eks.add_irsa_role("vpc-cni", CNI)
    assert (caught.value.path, caught.value.field, caught.value.allowed) == (
        "test/eks/vpc-cni", "service_accounts", module.ALLOWED_CNI_ROLE_ORDER)
