"""The reference app in main.py synthesizes the promised stack and summary."""

from __future__ import annotations

import json

import main
from eksguard.testing.synth import SynthesizedStack


def test_reference_app_synthesizes_cluster_two_node_groups_and_irsa(tmp_path, terraform_validate):
    settings = main.ReferenceSettings(cluster_name="ref", stack_name="ref-stack")
    app = main.build_app(settings, outdir=str(tmp_path))
    app.synth()
    # the provider's schema accepts it too (checked when the session ends)
    terraform_validate(SynthesizedStack.from_directory("ref-stack", tmp_path / "stacks/ref-stack"))
    document = json.loads((tmp_path / "stacks/ref-stack/cdk.tf.json").read_text())
    resources = document["resource"]
    assert sorted(b["node_group_name"] for b in resources["aws_eks_node_group"].values()) == ["on-demand", "spot"]
    assert sorted(b["capacity_type"] for b in resources["aws_eks_node_group"].values()) == ["ON_DEMAND", "SPOT"]
    cni_attachments = [b for b in resources["aws_iam_role_policy_attachment"].values()
                       if b["policy_arn"].endswith("/AmazonEKS_CNI_Policy")]
    # exactly one: on the VPC CNI's IRSA role, none on the node roles
    assert len(cni_attachments) == 1 and "vpc-cni" in cni_attachments[0]["role"]
    # the VPC CNI is the managed add-on on that role, and every node group waits on it
    addons = {b["addon_name"]: (key, b) for key, b in resources["aws_eks_addon"].items()}
    cni_key, cni_addon = addons["vpc-cni"]
    assert cni_addon["service_account_role_arn"] == "${aws_iam_role.%s.arn}" % cni_attachments[0]["role"].split(".")[1]
    assert sorted(addons) == ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    for group in resources["aws_eks_node_group"].values():
        assert f"aws_eks_addon.{cni_key}" in group["depends_on"]
    assert len(resources["aws_subnet"]) == 2
    assert document["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    summary = main.summarize(app, tmp_path)
    assert summary.splitlines() == [
        f"eksguard: synthesized 1 stack(s) into {tmp_path.resolve()}",
        f"  ref-stack: 65 resources -> {tmp_path / 'stacks/ref-stack/cdk.tf.json'}",
        "  ref-stack: guardrails passed, 0 waiver(s)",
    ]


def test_terraform_cloud_backend_when_organization_and_workspace_are_set(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_CLOUD_ORGANIZATION", "acme")
    monkeypatch.setenv("TF_WORKSPACE", "eks-prod")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    app = main.build_app(outdir=str(tmp_path))
    app.synth()
    document = json.loads((tmp_path / "stacks/eksguard-reference/cdk.tf.json").read_text())
    assert document["terraform"]["cloud"] == {"organization": "acme", "workspaces": {"name": "eks-prod"}}
    assert document["provider"]["aws"] == [{"region": "eu-west-1"}]


def _synth(tmp_path, terraform_validate, capacity):
    settings = main.ReferenceSettings(cluster_name="ref", stack_name="ref-stack", capacity=capacity)
    app = main.build_app(settings, outdir=str(tmp_path))
    app.synth()
    terraform_validate(SynthesizedStack.from_directory("ref-stack", tmp_path / "stacks/ref-stack"))
    return app, json.loads((tmp_path / "stacks/ref-stack/cdk.tf.json").read_text())


def _endpoints(document):
    return sorted(b["service_name"].rsplit(".", 1)[1] for b in document["resource"]["aws_vpc_endpoint"].values()
                  if b.get("vpc_endpoint_type") == "Interface")


def test_auto_mode_reference_has_no_node_groups_addons_or_cni_role(tmp_path, terraform_validate):
    app, document = _synth(tmp_path, terraform_validate, "auto-mode")
    resources = document["resource"]
    assert not {"aws_eks_node_group", "aws_eks_addon", "aws_launch_template"} & set(resources)
    (cluster,) = resources["aws_eks_cluster"].values()
    assert cluster["compute_config"]["node_pools"] == ["general-purpose", "system"]
    assert not any(b["policy_arn"].endswith("/AmazonEKS_CNI_Policy")
                   for b in resources["aws_iam_role_policy_attachment"].values())
    assert main.summarize(app, tmp_path).splitlines()[1:] == [
        f"  ref-stack: 51 resources -> {tmp_path / 'stacks/ref-stack/cdk.tf.json'}",
        "  ref-stack: guardrails passed, 0 waiver(s)"]


def test_karpenter_reference_reaches_sqs_through_an_endpoint(tmp_path, terraform_validate):
    # GIVEN the Karpenter variant / THEN its private subnets reach the interruption queue
    _, document = _synth(tmp_path, terraform_validate, "karpenter")
    assert _endpoints(document) == sorted([
        "autoscaling", "ec2", "api", "dkr", "eks", "eks-auth", "elasticloadbalancing", "logs", "sqs", "ssm", "sts"])
    resources = document["resource"]
    assert [b["node_group_name"] for b in resources["aws_eks_node_group"].values()] == ["system"]
    assert len(resources["aws_cloudwatch_event_rule"]) == 4


def test_unknown_capacity_is_refused():
    import pytest

    with pytest.raises(SystemExit, match="EKSGUARD_CAPACITY='spot-only': use one of managed-node-groups"):
        main.ReferenceSettings(capacity="spot-only")
