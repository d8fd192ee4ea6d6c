"""NodeRole and Imdsv2LaunchTemplate: exact synthesized facts and validation branches."""

from __future__ import annotations

import json

import pytest

from eksguard import (
    EcrAccess,
    Imdsv2LaunchTemplate,
    Imdsv2LaunchTemplateProps,
    NodeRole,
    NodeRoleProps,
    ValidationError,
)
from eksguard.constructs import launch_template as lt_module

PARTITION = "${data.aws_partition.eksguard-partition.partition}"


def _managed(name: str) -> str:
    return f"arn:{PARTITION}:iam::aws:policy/{name}"


def _attached_arns(out, role_path):
    return sorted(body["policy_arn"] for body in out.of_type("aws_iam_role_policy_attachment").values()
            if body["role"] == "${" + out.address(role_path) + ".name}")


def test_node_role_trusts_ec2_with_the_three_worker_policies(synth_one):
    out = synth_one(lambda s: NodeRole(s, "nodes"))
    role = out.resource("test/nodes/role")
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }
    assert _attached_arns(out, "test/nodes/role") == sorted([
        _managed("AmazonEKSWorkerNodePolicy"), _managed("AmazonEKS_CNI_Policy"),
        _managed("AmazonEC2ContainerRegistryPullOnly")])
    assert "aws_iam_instance_profile" not in out.document["resource"]


def test_node_role_without_cni_with_read_only_ecr_extras_and_instance_profile(synth_one):
    holder = {}
    out = synth_one(lambda s: holder.setdefault("role", NodeRole(s, "nodes", props=NodeRoleProps(
        attach_vpc_cni_policy=False, ecr_access=EcrAccess.READ_ONLY,
        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        inline_policies={"logs": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}},
        instance_profile=True, role_name="prod-nodes"))))
    assert out.resource("test/nodes/role")["name"] == "prod-nodes"
    assert _attached_arns(out, "test/nodes/role") == sorted([
        _managed("AmazonEKSWorkerNodePolicy"), _managed("AmazonEC2ContainerRegistryReadOnly"),
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])
    assert out.resource("test/nodes/inline-logs")["policy"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}')
    assert out.resource("test/nodes/instance-profile")["role"] == "${" + out.address("test/nodes/role") + ".name}"
    # every policy resource is listed in attachments, in order
    assert [a.node.path for a in holder["role"].attachments] == [
        "test/nodes/policy-AmazonEKSWorkerNodePolicy",
        "test/nodes/policy-AmazonEC2ContainerRegistryReadOnly",
        "test/nodes/policy-AmazonSSMManagedInstanceCore",
        "test/nodes/inline-logs"]


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"role_name": "bad name"}, "role_name", "bad name", "1-64 letters"),
    ({"role_name": "r" * 65}, "role_name", "r" * 65, "1-64 letters"),
    ({"ecr_access": "FullAccess"}, "ecr_access", "FullAccess", "an EcrAccess member"),
    ({"managed_policy_arns": ["AdministratorAccess"]}, "managed_policy_arns",
     "AdministratorAccess", "an IAM policy ARN"),
    ({"inline_policies": {"has space": {}}}, "inline_policies", "has space", "1-128 letters"),
    ({"permissions_boundary_arn": "boundary"}, "permissions_boundary_arn", "boundary", "an ARN"),
])
def test_bad_node_role_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        NodeRole(stack, "nodes", props=NodeRoleProps(**props))
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/nodes", field, value)
    assert allowed in caught.value.allowed


def test_launch_template_requires_imdsv2_with_hop_limit_1_and_encrypted_root(synth_one):
    out = synth_one(lambda s: Imdsv2LaunchTemplate(s, "lt"))
    template = out.resource("test/lt/launch-template")
    assert template["metadata_options"] == {
        "http_endpoint": "enabled", "http_tokens": "required",
        "http_put_response_hop_limit": 1, "instance_metadata_tags": "disabled"}
    assert template["block_device_mappings"] == [{"device_name": "/dev/xvda", "ebs": {
        "volume_size": 50, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"}}]
    assert template["name_prefix"] == "lt-"
    assert template["update_default_version"] is True
    assert "tag_specifications" not in template


def test_launch_template_tags_propagate_to_instances_and_volumes(synth_one):
    out = synth_one(lambda s: Imdsv2LaunchTemplate(s, "lt", props=Imdsv2LaunchTemplateProps(
        tags={"team": "platform"}, http_put_response_hop_limit=2,
        root_volume_kms_key_id="arn:aws:kms:us-east-1:111122223333:key/abc")))
    template = out.resource("test/lt/launch-template")
    assert template["tag_specifications"] == [
        {"resource_type": "instance", "tags": {"team": "platform"}},
        {"resource_type": "volume", "tags": {"team": "platform"}}]
    assert template["metadata_options"]["http_put_response_hop_limit"] == 2
    assert template["block_device_mappings"][0]["ebs"]["kms_key_id"] == \
        "arn:aws:kms:us-east-1:111122223333:key/abc"


def test_hop_limit_above_two_with_the_explicit_force(synth_one):
    out = synth_one(lambda s: Imdsv2LaunchTemplate(s, "lt", props=Imdsv2LaunchTemplateProps(
        http_put_response_hop_limit=3, allow_hop_limit_above_two="legacy agent on node credentials until Q3")))
    assert out.resource("test/lt/launch-template")["metadata_options"]["http_put_response_hop_limit"] == 3


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"http_put_response_hop_limit": 0}, "http_put_response_hop_limit", 0, "an integer from 1 to 64"),
    ({"http_put_response_hop_limit": 65, "allow_hop_limit_above_two": "legacy agent on node credentials"},
     "http_put_response_hop_limit", 65, "an integer from 1 to 64"),
    ({"http_put_response_hop_limit": 3}, "http_put_response_hop_limit", 3,
     lt_module.ALLOWED_HOP_LIMIT_ABOVE_TWO),
    ({"root_volume_size_gib": 0}, "root_volume_size_gib", 0, "an integer from 1 to 16384"),
    ({"root_volume_type": "st1"}, "root_volume_type", "st1", "one of 'gp2'"),
    ({"root_device_name": "xvda"}, "root_device_name", "xvda", lt_module.ALLOWED_DEVICE_NAME),
    ({"os_device_name": "xvda"}, "os_device_name", "xvda", lt_module.ALLOWED_OS_DEVICE_NAME),
    ({"os_device_name": "/dev/xvda"}, "os_device_name", "/dev/xvda", lt_module.ALLOWED_OS_DEVICE_NAME),
    ({"root_volume_kms_key_id": "key"}, "root_volume_kms_key_id", "key", "an ARN"),
])
def test_bad_launch_template_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        Imdsv2LaunchTemplate(stack, "lt", props=Imdsv2LaunchTemplateProps(**props))
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/lt", field, value)
    assert allowed in caught.value.allowed
