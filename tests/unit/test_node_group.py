"""ManagedNodeGroup: depends_on, scaling, Kubernetes metadata and validation branches."""

from __future__ import annotations

import pytest

from eksguard import (
    Imdsv2LaunchTemplate,
    ManagedNodeGroup,
    ManagedNodeGroupProps,
    NodeRole,
    NodeRoleProps,
    Taint,
    ValidationError,
)
from eksguard.constructs import node_group as ng_module

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]


def _group(**overrides):
    return lambda stack: ManagedNodeGroup(stack, "general", props=ManagedNodeGroupProps(
        **{"cluster_name": "prod", "subnet_ids": SUBNETS, **overrides}))


def test_node_group_depends_on_exactly_every_node_role_attachment(synth_one):
    out = synth_one(_group())
    group = out.resource("test/general/node-group")
    assert group["depends_on"] == [
        out.address("test/general/node-role/policy-AmazonEKSWorkerNodePolicy"),
        out.address("test/general/node-role/policy-AmazonEKS_CNI_Policy"),
        out.address("test/general/node-role/policy-AmazonEC2ContainerRegistryPullOnly"),
    ]
    template = out.address("test/general/launch-template/launch-template")
    assert {k: v for k, v in group.items() if k != "depends_on"} == {
        "cluster_name": "prod",
        "node_group_name": "general",
        "node_role_arn": "${" + out.address("test/general/node-role/role") + ".arn}",
        "subnet_ids": SUBNETS,
        "instance_types": ["m6i.large"],
        "ami_type": "AL2023_x86_64_STANDARD",
        "capacity_type": "ON_DEMAND",
        "scaling_config": {"min_size": 1, "desired_size": 2, "max_size": 3},
        "update_config": {"max_unavailable": 1},
        "launch_template": {"id": "${" + template + ".id}", "version": "${" + template + ".latest_version}"},
        "tags": {},
    }


def test_given_node_role_inline_policies_are_dependencies_too(synth_one):
    def build(stack):
        role = NodeRole(stack, "shared-role", props=NodeRoleProps(
            attach_vpc_cni_policy=False, inline_policies={"extra": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "ec2:DescribeTags", "Resource": "*"}]}}))
        _group(node_role=role)(stack)

    out = synth_one(build)
    assert out.resource("test/general/node-group")["depends_on"] == [
        out.address("test/shared-role/policy-AmazonEKSWorkerNodePolicy"),
        out.address("test/shared-role/policy-AmazonEC2ContainerRegistryPullOnly"),
        out.address("test/shared-role/inline-extra"),
    ]
    assert "test/general/node-role/role" not in out.by_path


def test_spot_group_with_labels_taints_and_autoscaler_owned_desired_size(synth_one):
    out = synth_one(_group(
        capacity_type="SPOT", instance_types=["m6i.large", "m6a.large"], min_size=0, desired_size=0,
        max_size=10, desired_size_managed_by_autoscaler=True, max_unavailable_percentage=25,
        labels={"example.com/pool": "batch", "tier": ""},
        taints=[Taint(key="dedicated", value="batch", effect="NO_SCHEDULE"),
                Taint(key="example.com/gpu", effect="NO_EXECUTE")]))
    group = out.resource("test/general/node-group")
    assert group["capacity_type"] == "SPOT"
    assert group["scaling_config"] == {"min_size": 0, "desired_size": 0, "max_size": 10}
    assert group["lifecycle"] == {"ignore_changes": ["scaling_config[0].desired_size"]}
    assert group["update_config"] == {"max_unavailable_percentage": 25}
    assert group["labels"] == {"example.com/pool": "batch", "tier": ""}
    assert group["taint"] == [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"},
                              {"key": "example.com/gpu", "effect": "NO_EXECUTE"}]


@pytest.mark.parametrize(("overrides", "field", "value", "allowed"), [
    ({"node_group_name": "bad name"}, "node_group_name", "bad name", ng_module.ALLOWED_NODE_GROUP_NAME),
    ({"subnet_ids": []}, "subnet_ids", [], "at least one item"),
    ({"subnet_ids": None}, "subnet_ids", None, "at least one item"),
    ({"instance_types": []}, "instance_types", [], "at least one item"),
    ({"instance_types": ["large"]}, "instance_types", "large", ng_module.ALLOWED_INSTANCE_TYPE),
    ({"ami_type": "AL2_x86_64"}, "ami_type", "AL2_x86_64", "one of 'AL2023_x86_64_STANDARD'"),
    ({"capacity_type": "RESERVED"}, "capacity_type", "RESERVED", "one of 'ON_DEMAND', 'SPOT'"),
    ({"min_size": -1}, "min_size", -1, "an integer from 0 to 10000"),
    ({"min_size": 3, "desired_size": 2, "max_size": 3}, "scaling",
     {"min_size": 3, "desired_size": 2, "max_size": 3}, ng_module.ALLOWED_SCALING),
    ({"min_size": 2, "desired_size": 2, "max_size": 1}, "scaling",
     {"min_size": 2, "desired_size": 2, "max_size": 1}, ng_module.ALLOWED_SCALING),
    ({"min_size": 0, "desired_size": 0, "max_size": 0}, "scaling",
     {"min_size": 0, "desired_size": 0, "max_size": 0}, ng_module.ALLOWED_SCALING),
    ({"labels": {"bad key!": "x"}}, "labels", "bad key!", "a Kubernetes label key"),
    ({"labels": {"Example.com/x": "y"}}, "labels", "Example.com/x", "a Kubernetes label key"),
    ({"labels": {"tier": "-bad"}}, "labels", "-bad", "a Kubernetes label value"),
    ({"labels": {"tier": "v" * 64}}, "labels", "v" * 64, "a Kubernetes label value"),
    ({"taints": [Taint(key="dedicated", effect="NoSchedule")]}, "taints.effect", "NoSchedule",
     "one of 'NO_SCHEDULE'"),
    ({"taints": [Taint(key="", effect="NO_SCHEDULE")]}, "taints.key", "", "a Kubernetes label key"),
    ({"taints": [Taint(key="k", value="a b", effect="NO_SCHEDULE")]}, "taints.value", "a b",
     "a Kubernetes label value"),
    ({"max_unavailable": 1, "max_unavailable_percentage": 10}, "max_unavailable_percentage", 10,
     ng_module.ALLOWED_UPDATE_CONFIG),
    ({"max_unavailable": 0}, "max_unavailable", 0, "an integer from 1 to 100"),
    ({"max_unavailable_percentage": 101}, "max_unavailable_percentage", 101, "an integer from 1 to 100"),
    ({"kubernetes_version": "1.35.1"}, "kubernetes_version", "1.35.1", ng_module.ALLOWED_KUBERNETES_VERSION),
])
def test_bad_node_group_props(stack, overrides, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _group(**overrides)(stack)
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/general", field, value)
    assert allowed in caught.value.allowed


def test_a_bottlerocket_group_refuses_a_template_sizing_only_its_os_volume(stack):
    # GIVEN a Bottlerocket group handed a launch template whose root device is the OS volume
    template = Imdsv2LaunchTemplate(stack, "lt")
    # WHEN it is built THEN it is refused, naming the data volume and how to set it
    with pytest.raises(ValidationError) as caught:
        _group(ami_type="BOTTLEROCKET_x86_64", launch_template=template)(stack)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/general", "launch_template.root_device_name", "/dev/xvda", ng_module.ALLOWED_BOTTLEROCKET_DEVICE)


def test_a_bottlerocket_group_sizes_and_encrypts_its_data_volume_and_encrypts_the_os_volume(synth_one):
    out = synth_one(_group(ami_type="BOTTLEROCKET_x86_64"))
    devices = out.resource("test/general/launch-template/launch-template")["block_device_mappings"]
    assert [(d["device_name"], d["ebs"].get("volume_size"), d["ebs"]["encrypted"]) for d in devices] == [
        ("/dev/xvda", None, "true"), ("/dev/xvdb", 50, "true")]
