"""eksguard's controller policies against the upstream documents they follow (vendored in
``eksguard/constructs/upstream``): after eksguard's deliberate narrowing, statement for
statement equal, so an upstream change shows up as a failing diff when the file is renewed."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from eksguard import aws_load_balancer_controller
from eksguard.constructs import addon_permissions
from eksguard.testing import expect_equal

CLUSTER = "prod"
LBC_TAG = "elbv2.k8s.aws/cluster"


def _vendored(name: str) -> dict[str, Any]:
    return json.loads(resources.files("eksguard.constructs").joinpath("upstream", name).read_text())


def _narrowed_to_this_cluster(document: dict[str, Any], tag: str, cluster: str) -> dict[str, Any]:
    """The upstream document with every ``Null: false`` on the cluster tag (any cluster's
    tag present) turned into ``StringEquals`` on this cluster's name."""
    narrowed = copy.deepcopy(document)
    for statement in narrowed["Statement"]:
        condition = statement.get("Condition", {})
        nulls = condition.get("Null", {})
        for key in [k for k, v in nulls.items() if k.endswith(f"Tag/{tag}") and v == "false"]:
            del nulls[key]
            condition.setdefault("StringEquals", {})[key] = cluster
        if "Null" in condition and not nulls:
            del condition["Null"]
    return narrowed


def test_the_load_balancer_controller_policy_is_upstreams_narrowed_to_this_cluster():
    upstream = _vendored("aws_load_balancer_controller_iam_policy.json")
    ours = aws_load_balancer_controller(cluster_name=CLUSTER).inline_policies["aws-load-balancer-controller"]
    expect_equal("aws-load-balancer-controller policy", ours, _narrowed_to_this_cluster(upstream, LBC_TAG, CLUSTER))


def test_the_narrowing_leaves_no_statement_of_upstream_out_and_only_touches_the_cluster_tag():
    upstream = _vendored("aws_load_balancer_controller_iam_policy.json")
    narrowed = _narrowed_to_this_cluster(upstream, LBC_TAG, CLUSTER)
    assert len(narrowed["Statement"]) == len(upstream["Statement"]) == 16
    changed = [(u, n) for u, n in zip(upstream["Statement"], narrowed["Statement"]) if u != n]
    assert len(changed) == 7
    for before, after in changed:
        assert {k: v for k, v in before.items() if k != "Condition"} == {
            k: v for k, v in after.items() if k != "Condition"}
    # the AddTags-on-create statement the second review found missing is upstream's, and ours
    create_tags = upstream["Statement"][13]
    assert create_tags["Condition"]["StringEquals"]["elasticloadbalancing:CreateAction"] == [
        "CreateTargetGroup", "CreateLoadBalancer"]


def test_the_vendored_version_is_the_one_the_docstring_names():
    assert "v2.14" in addon_permissions.LOAD_BALANCER_CONTROLLER_UPSTREAM
    sources = resources.files("eksguard.constructs").joinpath("upstream", "SOURCES.md").read_text()
    assert "| `aws_load_balancer_controller_iam_policy.json` | kubernetes-sigs/aws-load-balancer-controller" in sources
    assert "v2.14" in sources


# Karpenter ----------------------------------------------------------------------------------

KARPENTER_CLUSTER = "prod"


def _upstream_karpenter_as_eksguard_writes_it(partition: str, region: str, account: str) -> dict[str, Any]:
    """Upstream's five documents with CloudFormation's substitutions made, and eksguard's
    two documented narrowings (``karpenter_policy`` docstring): EC2 ARNs in this account,
    ``iam:ListInstanceProfiles`` on Karpenter's own path."""
    text = json.dumps({k: v for k, v in _vendored("karpenter_controller_policies.json").items()
                       if not k.startswith("_")})
    for placeholder, value in {"${AWS::Partition}": partition, "${AWS::Region}": region,
                               "${AWS::AccountId}": account, "${ClusterName}": KARPENTER_CLUSTER,
                               "${KarpenterNodeRole.Arn}": "NODE-ROLE", "${KarpenterInterruptionQueue.Arn}": "QUEUE"}.items():
        text = text.replace(placeholder, value)
    text = text.replace(f":ec2:{region}:*:", f":ec2:{region}:{account}:")
    policies = json.loads(text)
    listing = policies["KarpenterControllerResourceDiscoveryPolicy"]["Statement"][3]
    assert listing["Action"] == "iam:ListInstanceProfiles" and listing["Resource"] == "*"
    listing["Resource"] = f"arn:{partition}:iam::{account}:instance-profile/karpenter/{region}/{KARPENTER_CLUSTER}/*"
    return policies


def test_the_karpenter_controller_policies_are_upstreams_narrowed_to_this_account(synth_one):
    from eksguard._framework import TerraformOutput
    from eksguard.constructs.karpenter_policy import controller_policies

    out = synth_one(lambda stack: TerraformOutput(stack, "policies", value=controller_policies(
        stack, cluster_name=KARPENTER_CLUSTER, node_role_arn="NODE-ROLE", queue_arn="QUEUE")))
    ours = out.document["output"]["policies"]["value"]
    expected = _upstream_karpenter_as_eksguard_writes_it(
        "${data.aws_partition.eksguard-partition.partition}", "${data.aws_region.eksguard-region.name}",
        "${data.aws_caller_identity.eksguard-account.account_id}")
    assert sorted(ours) == sorted(expected)
    for name in expected:
        expect_equal(name, ours[name], expected[name])


def test_the_karpenter_upstream_label_names_the_vendored_commit():
    from eksguard.constructs.karpenter_policy import UPSTREAM

    source = _vendored("karpenter_controller_policies.json")["_source"]
    assert "@ 8b5313cae4b8" in UPSTREAM and "8b5313cae4b8" in source
    assert source.startswith("aws/karpenter-provider-aws website/content/en/docs/getting-started/"
                             "getting-started-with-karpenter/cloudformation.yaml")
