"""EKS Auto Mode on EksCluster: the three capabilities together, the cluster role's Auto
Mode policies, the built-in node pools' role, and every combination EKS refuses."""

from __future__ import annotations

import json

import pytest

from eksguard import ValidationError
from eksguard.constructs.auto_mode import (
    ALLOWED_AUTHENTICATION_MODE,
    ALLOWED_BOOTSTRAP,
    ALLOWED_NODE_POOLS,
    ALLOWED_NODE_ROLE_WITHOUT_POOLS,
    ALLOWED_VERSION,
    AutoModeNodeRole,
    AutoModeNodeRoleProps,
    AutoModeOptions,
)
from eksguard.constructs.cluster import EksCluster, EksClusterProps

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
NODE_ROLE = "arn:aws:iam::123456789012:role/platform/auto-nodes"


def _cluster(**overrides):
    return lambda stack: EksCluster(stack, "eks", props=EksClusterProps(
        **{"name": "prod", "subnet_ids": SUBNETS, "auto_mode": AutoModeOptions(), **overrides}))


def _ref(out, path: str, attribute: str) -> str:
    return "${" + out.address(path) + "." + attribute + "}"


def test_auto_mode_switches_compute_storage_and_load_balancing_on_together(synth_one):
    # GIVEN a cluster with default Auto Mode options / WHEN synthesized
    out = synth_one(_cluster())
    cluster = out.resource("test/eks/cluster")
    # THEN the three capabilities are on, with both built-in node pools on the created node role
    assert cluster["compute_config"] == {
        "enabled": True, "node_pools": ["general-purpose", "system"],
        "node_role_arn": _ref(out, "test/eks/auto-mode-node-role/role", "arn")}
    assert cluster["storage_config"] == {"block_storage": {"enabled": True}}
    assert cluster["kubernetes_network_config"] == {"elastic_load_balancing": {"enabled": True}}
    assert cluster["bootstrap_self_managed_addons"] is False
    assert cluster["access_config"]["authentication_mode"] == "API"
    # AND the cluster waits for every policy of both roles (destroy removes it before them)
    assert cluster["depends_on"] == [
        out.address("test/eks/policy-AmazonEKSClusterPolicy"),
        out.address("test/eks/policy-AmazonEKSComputePolicy"),
        out.address("test/eks/policy-AmazonEKSBlockStoragePolicy"),
        out.address("test/eks/policy-AmazonEKSLoadBalancingPolicy"),
        out.address("test/eks/policy-AmazonEKSNetworkingPolicy"),
        out.address("test/eks/inline-secrets-encryption"),
        out.address("test/eks/auto-mode-node-role/policy-AmazonEKSWorkerNodeMinimalPolicy"),
        out.address("test/eks/auto-mode-node-role/policy-AmazonEC2ContainerRegistryPullOnly"),
        out.address("test/eks/control-plane-logs"),
    ]


def test_auto_mode_cluster_role_has_exactly_the_five_policies_and_tag_session_trust(synth_one):
    out = synth_one(_cluster())
    role = out.resource("test/eks/role")
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                       "Action": ["sts:AssumeRole", "sts:TagSession"]}],
    }
    attached = sorted(r["policy_arn"] for r in out.of_type("aws_iam_role_policy_attachment").values()
                      if r["role"] == _ref(out, "test/eks/role", "name"))
    assert attached == sorted(f"arn:{PARTITION}:iam::aws:policy/{name}" for name in (
        "AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"))


def test_auto_mode_node_role_trusts_ec2_and_has_exactly_the_minimal_policies(synth_one):
    out = synth_one(_cluster())
    role = out.resource("test/eks/auto-mode-node-role/role")
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }
    attached = sorted(r["policy_arn"] for r in out.of_type("aws_iam_role_policy_attachment").values()
                      if r["role"] == _ref(out, "test/eks/auto-mode-node-role/role", "name"))
    assert attached == [f"arn:{PARTITION}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
                        f"arn:{PARTITION}:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy"]
    # AND no access entry: EKS creates the node role's own (type EC2) when Auto Mode starts
    assert out.of_type("aws_eks_access_entry") == {}


def test_given_node_role_and_one_pool_creates_no_node_role(synth_one):
    out = synth_one(_cluster(auto_mode=AutoModeOptions(node_pools=["general-purpose"], node_role_arn=NODE_ROLE)))
    assert out.resource("test/eks/cluster")["compute_config"] == {
        "enabled": True, "node_pools": ["general-purpose"], "node_role_arn": NODE_ROLE}
    assert list(out.of_type("aws_iam_role")) == ["test/eks/role"]


def test_no_built_in_pools_means_no_node_role(synth_one):
    out = synth_one(_cluster(auto_mode=AutoModeOptions(node_pools=[])))
    assert out.resource("test/eks/cluster")["compute_config"] == {"enabled": True, "node_pools": []}
    assert len(out.of_type("aws_iam_role")) == 1


def test_disabled_auto_mode_writes_the_three_capabilities_off(synth_one):
    # GIVEN the step AWS needs before Auto Mode can be removed
    out = synth_one(_cluster(auto_mode=AutoModeOptions(enabled=False)))
    cluster = out.resource("test/eks/cluster")
    # THEN all three are written off, and no node role is made
    assert cluster["compute_config"] == {"enabled": False}
    assert cluster["storage_config"] == {"block_storage": {"enabled": False}}
    assert cluster["kubernetes_network_config"] == {"elastic_load_balancing": {"enabled": False}}
    assert len(out.of_type("aws_iam_role")) == 1


def test_cluster_without_auto_mode_writes_none_of_its_blocks(synth_one):
    out = synth_one(_cluster(auto_mode=None))
    cluster = out.resource("test/eks/cluster")
    assert not {"compute_config", "storage_config", "kubernetes_network_config"} & set(cluster)
    attached = [r["policy_arn"] for r in out.of_type("aws_iam_role_policy_attachment").values()]
    assert attached == [f"arn:{PARTITION}:iam::aws:policy/AmazonEKSClusterPolicy"]


def test_standalone_auto_mode_node_role_for_a_custom_node_class(synth_one):
    out = synth_one(lambda stack: AutoModeNodeRole(stack, "gpu-nodes", props=AutoModeNodeRoleProps(
        role_name="gpu-nodes", tags={"team": "ml"})))
    role = out.resource("test/gpu-nodes/role")
    assert role["name"] == "gpu-nodes" and role["tags"] == {"team": "ml"}
    assert len(out.of_type("aws_iam_role_policy_attachment")) == 2


@pytest.mark.parametrize(("overrides", "field", "value", "allowed"), [
    ({"auto_mode": AutoModeOptions(node_pools=["general-purpose", "gpu"])}, "auto_mode.node_pools",
     ["general-purpose", "gpu"], ALLOWED_NODE_POOLS),
    ({"auto_mode": AutoModeOptions(node_pools=["system", "system"])}, "auto_mode.node_pools",
     ["system", "system"], ALLOWED_NODE_POOLS),
    ({"auto_mode": AutoModeOptions(node_pools=[], node_role_arn=NODE_ROLE)}, "auto_mode.node_role_arn",
     NODE_ROLE, ALLOWED_NODE_ROLE_WITHOUT_POOLS),
    ({"authentication_mode": "CONFIG_MAP", "bootstrap_cluster_creator_admin_permissions": True},
     "authentication_mode", "CONFIG_MAP", ALLOWED_AUTHENTICATION_MODE),
    ({"bootstrap_self_managed_addons": True}, "bootstrap_self_managed_addons", True, ALLOWED_BOOTSTRAP),
    ({"kubernetes_version": "1.28"}, "kubernetes_version", "1.28", ALLOWED_VERSION),
])
def test_combinations_eks_refuses_fail_at_construction(stack, overrides, field, value, allowed):
    # GIVEN Auto Mode with a combination EKS refuses / WHEN constructed
    with pytest.raises(ValidationError) as raised:
        _cluster(**overrides)(stack)
    # THEN the error names the construct, the field, the value and what is allowed
    error = raised.value
    assert (error.path, error.field, error.value, error.allowed) == ("test/eks", field, value, allowed)


def test_auto_mode_must_be_auto_mode_options(stack):
    with pytest.raises(ValidationError) as raised:
        _cluster(auto_mode={"node_pools": ["system"]})(stack)
    assert (raised.value.path, raised.value.field) == ("test/eks", "auto_mode")


def test_bad_node_role_arn_fails(stack):
    with pytest.raises(ValidationError) as raised:
        _cluster(auto_mode=AutoModeOptions(node_role_arn="auto-nodes"))(stack)
    assert (raised.value.field, raised.value.value) == ("auto_mode.node_role_arn", "auto-nodes")


@pytest.mark.parametrize(("props", "field", "value"), [
    (AutoModeNodeRoleProps(role_name="auto nodes"), "role_name", "auto nodes"),
    (AutoModeNodeRoleProps(permissions_boundary_arn="boundary"), "permissions_boundary_arn", "boundary"),
    ({"role_name": "auto-nodes"}, "props", {"role_name": "auto-nodes"}),
])
def test_auto_mode_node_role_bad_input_fails_at_construction(stack, props, field, value):
    with pytest.raises(ValidationError) as raised:
        AutoModeNodeRole(stack, "gpu-nodes", props=props)
    assert (raised.value.path, raised.value.field, raised.value.value) == ("test/gpu-nodes", field, value)
