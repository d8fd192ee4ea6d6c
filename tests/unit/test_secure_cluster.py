"""SecureEksCluster: composition, the CNI policy hand-off, and its validation branches."""

from __future__ import annotations

import pytest

import json

from eksguard import (
    AddonIdentityOptions,
    CoreAddonsOptions,
    EksClusterProps,
    IrsaRoleOptions,
    PodIdentityRoleOptions,
    cluster_autoscaler,
    vpc_cni,
    ManagedNodeGroupOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    SecureEksClusterSpec,
    ServiceAccount,
    ValidationError,
)
from eksguard.guardrails import Guardrails
from eksguard.modules import secure_cluster as module

CNI = IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="kube-system", name="aws-node")])


def _props(**overrides):
    return SecureEksClusterProps(**{"cluster": EksClusterProps(
        name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]), **overrides})


def _node_role_policies(out, group_id):
    role = "${" + out.address(f"test/eks/{group_id}-node-role/role") + ".name}"
    return sorted(body["policy_arn"].rsplit("/", 1)[1]
                  for body in out.of_type("aws_iam_role_policy_attachment").values() if body["role"] == role)


def test_module_binds_aws_node_and_installs_the_core_addons_around_the_node_groups(synth_one):
    # GIVEN the default spec with one node group
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=_props(node_groups={"general": ManagedNodeGroupOptions()})))

    # THEN the node role leaves out the CNI policy: aws-node has its own IRSA role, carried by the add-on
    assert _node_role_policies(out, "general") == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]
    trust = json.loads(out.resource("test/eks/vpc-cni/irsa/role")["assume_role_policy"])
    assert [v for k, v in trust["Statement"][0]["Condition"]["StringEquals"].items() if k.endswith(":sub")] == [
        "system:serviceaccount:kube-system:aws-node"]
    cluster_version = "${" + out.address("test/eks/cluster/cluster") + ".version}"
    # add-on versions are looked up for the literal version (no deferral behind cluster changes)
    addons = {body["addon_name"]: body for body in out.of_type("aws_eks_addon").values()}
    assert sorted(addons) == ["coredns", "kube-proxy", "vpc-cni"]
    for name, body in addons.items():
        version = out.resource(f"test/eks/{name}-version")
        assert (version["addon_name"], version["kubernetes_version"], version["most_recent"]) == (
            name, "1.35", True)
        assert body["addon_version"] == "${" + out.address(f"test/eks/{name}-version") + ".version}"
        assert (body["resolve_conflicts_on_create"], body["resolve_conflicts_on_update"]) == ("OVERWRITE", "OVERWRITE")
    assert addons["vpc-cni"]["service_account_role_arn"] == "${" + out.address("test/eks/vpc-cni/irsa/role") + ".arn}"
    assert "service_account_role_arn" not in addons["kube-proxy"]

    # AND nodes come after vpc-cni and kube-proxy, coredns after the nodes
    group = out.resource("test/eks/general/node-group")
    assert group["depends_on"] == [
        *[out.address(f"test/eks/general-node-role/policy-{p}")
          for p in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")],
        out.address("test/eks/vpc-cni-addon"), out.address("test/eks/kube-proxy")]
    assert out.resource("test/eks/coredns")["depends_on"] == [out.address("test/eks/general/node-group")]
    # AND the vpc-cni add-on waits for its role's policy; nodes run the cluster's version
    assert out.resource("test/eks/vpc-cni-addon")["depends_on"] == [
        out.address("test/eks/vpc-cni/irsa/policy-AmazonEKS_CNI_Policy")]
    assert group["version"] == cluster_version
    assert group["subnet_ids"] == ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    assert group["cluster_name"] == "${" + out.address("test/eks/cluster/cluster") + ".name}"


def test_node_role_mode_keeps_the_cni_policy_and_pinned_versions_skip_the_lookup(synth_one):
    # GIVEN aws-node on the node role and pinned coredns
    def build(stack):
        eks = SecureEksCluster(stack, "eks", props=_props(core_addons=CoreAddonsOptions(
            vpc_cni_identity="node_role", addon_versions={"coredns": "v1.13.1-eksbuild.1"})))
        eks.add_node_group("spot", ManagedNodeGroupOptions(
            capacity_type="SPOT", subnet_ids=["subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"]))

    out = synth_one(build)

    # THEN the node role keeps the CNI policy, vpc-cni has no role, coredns is pinned
    assert _node_role_policies(out, "spot") == [
        "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]
    assert out.resource("test/eks/spot/node-group")["subnet_ids"] == [
        "subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"]
    assert "service_account_role_arn" not in out.resource("test/eks/vpc-cni-addon")
    assert out.resource("test/eks/coredns")["addon_version"] == "v1.13.1-eksbuild.1"
    assert sorted(b["addon_name"] for b in out.document["data"]["aws_eks_addon_version"].values()) == [
        "kube-proxy", "vpc-cni"]


def test_autoscaler_identity_leaves_desired_size_to_it_unless_a_group_says_otherwise(synth_one):
    # GIVEN a cluster-autoscaler identity and two node groups, one opting out (a reasoned waiver)
    def build(stack):
        Guardrails.of(stack).waive(rule="EKSR012", path="test/eks/fixed",
                                   reason="the autoscaler is told not to touch this group")
        SecureEksCluster(stack, "eks", props=_props(
            addon_identities={"cluster-autoscaler": AddonIdentityOptions(
                permissions=cluster_autoscaler(cluster_name="prod"))},
            node_groups={"general": ManagedNodeGroupOptions(),
                         "fixed": ManagedNodeGroupOptions(desired_size_managed_by_autoscaler=False)}))

    out = synth_one(build)

    # THEN Terraform ignores desired_size on the scaled group only
    assert out.resource("test/eks/general/node-group")["lifecycle"] == {
        "ignore_changes": ["scaling_config[0].desired_size"]}
    assert "lifecycle" not in out.resource("test/eks/fixed/node-group")


@pytest.mark.parametrize("spec", [
    {"irsa_roles": {"cni": CNI}},
    {"pod_identity_roles": {"cni": PodIdentityRoleOptions(service_accounts=CNI.service_accounts)}},
    {"addon_identities": {"cni": AddonIdentityOptions(permissions=vpc_cni(), install_managed_addon=False)}},
], ids=["irsa-role", "pod-identity-role", "identity-without-addon"])
def test_a_role_for_aws_node_that_nothing_binds_is_refused(stack, spec):
    # WHEN aws-node gets a role that no add-on carries THEN construction fails saying what to use
    with pytest.raises(ValidationError) as caught:
        SecureEksCluster(stack, "eks", props=_props(**spec))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks/cni", "service_accounts", ServiceAccount(namespace="kube-system", name="aws-node"),
        module.ALLOWED_UNBOUND_CNI_ROLE)


def test_cluster_tags_flow_to_every_taggable_resource(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=_props(
        cluster=EksClusterProps(name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                                tags={"team": "platform"}),
        irsa_roles={"app": IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="a", name="b")],
                                           tags={"app": "orders"})},
        node_groups={"general": ManagedNodeGroupOptions()})))
    assert out.resource("test/eks/app/role")["tags"] == {"team": "platform", "app": "orders"}
    for path in ("test/eks/cluster/cluster", "test/eks/oidc-provider/provider",
                 "test/eks/general/node-group", "test/eks/general-node-role/role"):
        assert out.resource(path)["tags"] == {"team": "platform"}, path


def test_duplicate_node_group_names_are_rejected(stack):
    eks = SecureEksCluster(stack, "eks", props=_props(node_groups={"a": ManagedNodeGroupOptions()}))
    with pytest.raises(ValidationError) as caught:
        eks.add_node_group("b", ManagedNodeGroupOptions(node_group_name="a"))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks/b", "node_group_name", "a", module.ALLOWED_UNIQUE_NODE_GROUP_NAME)


def test_a_second_vpc_cni_addon_is_refused(stack):
    # GIVEN a module that installed vpc-cni itself WHEN another vpc-cni identity is added THEN refused
    eks = SecureEksCluster(stack, "eks", props=_props(node_groups={"a": ManagedNodeGroupOptions()}))
    with pytest.raises(ValidationError) as caught:
        eks.add_addon_identity("vpc-cni-2", AddonIdentityOptions(permissions=vpc_cni()))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks/vpc-cni-2", "permissions.addon_name", "vpc-cni", module.ALLOWED_UNIQUE_ADDON)


@pytest.mark.parametrize(("core", "field", "value", "allowed"), [
    (CoreAddonsOptions(vpc_cni_identity="both"), "core_addons.vpc_cni_identity", "both",
     "one of ('irsa', 'pod_identity', 'node_role')"),
    (CoreAddonsOptions(resolve_conflicts="NONE"), "core_addons.resolve_conflicts", "NONE",
     "one of ('OVERWRITE', 'PRESERVE')"),
])
def test_core_addon_options_are_validated(stack, core, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        SecureEksCluster(stack, "eks", props=_props(core_addons=core))
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/eks", field, value)


def test_the_deprecated_spec_keyword_still_builds_the_same_cluster(synth_one):
    # GIVEN the 0.1 spelling WHEN used THEN it warns and builds what props= builds
    with pytest.warns(DeprecationWarning, match="props=SecureEksClusterProps"):
        out = synth_one(lambda s: SecureEksCluster(s, "eks", spec=_props()))
    assert out.resource("test/eks/cluster/cluster")["name"] == "prod"
    assert SecureEksClusterSpec is SecureEksClusterProps


def test_props_are_required(stack):
    with pytest.raises(ValidationError) as caught:
        SecureEksCluster(stack, "eks")
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks", "props", None, module.ALLOWED_PROPS)
