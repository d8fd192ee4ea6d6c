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
