"""Readiness rules on EKS Auto Mode clusters: the Auto Mode rules (EKSR020...) each fire,
naming the construct path and what is missing, and stay quiet on what works and on what
the JSON cannot show; the node-group rules follow the nodes EKS launches itself.

Every case is a variant of READY_AUTO_MODE, a hand-written synthesized stack of an Auto
Mode cluster (no node group) that passes every rule of both families."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eksguard.guardrails import check_document, check_readiness
from eksguard.guardrails.readiness import auto_mode
from tests.unit.readiness_documents import DROP, VPC, Change, add, drop, endpoint, set_fields, variant

ACCOUNT = "${data.aws_caller_identity.current.account_id}"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
CLUSTER = "${aws_eks_cluster.c.name}"
SUBNETS = ["${aws_subnet.private-0.id}", "${aws_subnet.private-1.id}"]
AWS_POLICY = "arn:aws:iam::aws:policy/"
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
                    "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy")
NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: Any, resources: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _service_trust(service: str, actions: Any = ("sts:AssumeRole", "sts:TagSession"),
                   condition: dict[str, Any] | None = None) -> str:
    return _policy({"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions),
                    **({"Condition": condition} if condition else {})})


def _attachment(role: str, policy: str) -> dict[str, Any]:
    return {"role": "${aws_iam_role." + role + ".name}", "policy_arn": AWS_POLICY + policy}


POD_TRUST = {"ArnEquals": {"aws:RequestTag/eks-cluster-arn": "${aws_eks_cluster.c.arn}"},
             "StringEquals": {"aws:RequestTag/kubernetes-namespace": "shop",
                              "aws:RequestTag/kubernetes-service-account": "cart"}}
ZONE_FILTER = [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
NAT_ROUTE = [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "${aws_nat_gateway.nat.id}"}]
COMPUTE = {"enabled": True, "node_pools": ["general-purpose", "system"],
           "node_role_arn": "${aws_iam_role.node-role.arn}"}

READY_AUTO_MODE: dict[str, Any] = {
    "data": {
        "aws_caller_identity": {"current": {}},
        "aws_availability_zones": {"zones": {
            "state": "available", "exclude_zone_ids": ["use1-az3", "usw1-az2", "cac1-az3"], "filter": ZONE_FILTER}},
    },
    "resource": {
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}},
        "aws_subnet": {"private-0": {"vpc_id": VPC, "cidr_block": "10.0.0.0/19",
                                     "availability_zone": "${element(data.aws_availability_zones.zones.names, 0)}"},
                       # No route table association: its egress is the VPC's main table, not in view.
                       "private-1": {"vpc_id": VPC, "cidr_block": "10.0.32.0/19",
                                     "availability_zone": "${element(data.aws_availability_zones.zones.names, 1)}"}},
        "aws_nat_gateway": {"nat": {"subnet_id": "${aws_subnet.public-0.id}"}},
        "aws_route_table": {"private": {"vpc_id": VPC, "route": NAT_ROUTE}},
        "aws_route_table_association": {"private-0": {"subnet_id": "${aws_subnet.private-0.id}",
                                                      "route_table_id": "${aws_route_table.private.id}"}},
        "aws_kms_key": {"secrets": {"policy": _policy(_allow("kms:*", Principal={"AWS": ROOT}))}},
        "aws_iam_role": {
            "cluster-role": {"assume_role_policy": _service_trust("eks.amazonaws.com")},
            "node-role": {"assume_role_policy": _service_trust("ec2.amazonaws.com", ["sts:AssumeRole"])},
            "cart-role": {"assume_role_policy": _service_trust("pods.eks.amazonaws.com", condition=POD_TRUST)},
        },
        "aws_iam_role_policy_attachment": {
            **{f"cluster-{name}": _attachment("cluster-role", name) for name in CLUSTER_POLICIES},
            **{f"node-{name}": _attachment("node-role", name) for name in NODE_POLICIES},
        },
        "aws_eks_cluster": {"c": {
            "name": "prod", "version": "1.35", "role_arn": "${aws_iam_role.cluster-role.arn}",
            "bootstrap_self_managed_addons": False, "enabled_cluster_log_types": ["api", "audit", "authenticator"],
            "access_config": {"authentication_mode": "API"},
            "compute_config": COMPUTE,
            "storage_config": {"block_storage": {"enabled": True}},
            "kubernetes_network_config": {"elastic_load_balancing": {"enabled": True}},
            "vpc_config": {"subnet_ids": SUBNETS, "endpoint_public_access": False},
            "encryption_config": {"resources": ["secrets"], "provider": {"key_arn": "${aws_kms_key.secrets.arn}"}}}},
        # No eks-pod-identity-agent add-on: Auto Mode runs the agent on its nodes.
        "aws_eks_pod_identity_association": {"cart-association": {
            "cluster_name": CLUSTER, "namespace": "shop", "service_account": "cart",
            "role_arn": "${aws_iam_role.cart-role.arn}"}},
        "aws_eks_access_entry": {"admins": {
            "cluster_name": CLUSTER, "principal_arn": "arn:aws:iam::111122223333:role/platform-admins",
            "type": "STANDARD"}},
    },
}


_set, _add, _drop, _endpoint = set_fields, add, drop, endpoint


def _variant(*changes: Change) -> dict[str, Any]:
    """READY_AUTO_MODE with the changes, each block given its construct path ``s/<name>``."""
    return variant(READY_AUTO_MODE, *changes)


def _cluster(**fields: Any) -> Change:
    return _set("aws_eks_cluster", "c", **fields)


NO_ROUTE = _set("aws_route_table", "private", route=[])
ALL_ENDPOINTS = [_add("aws_vpc_endpoint", s, _endpoint(s)) for s in ("ec2", "ecr.api", "ecr.dkr", "sts")] + [
    _add("aws_vpc_endpoint", "s3", _endpoint("s3", "Gateway", route_table_ids=["${aws_route_table.private.id}"]))]
NODE_GROUP = _add("aws_eks_node_group", "ng", {
    "cluster_name": CLUSTER, "node_role_arn": "${aws_iam_role.node-role.arn}", "subnet_ids": SUBNETS,
    "scaling_config": {"desired_size": 2, "max_size": 3, "min_size": 1}})
AGENT = _add("aws_eks_addon", "agent", {"cluster_name": CLUSTER, "addon_name": "eks-pod-identity-agent"})
OFF = {"enabled": False}
ALL_OFF = [_cluster(compute_config=OFF, storage_config={"block_storage": OFF},
                    kubernetes_network_config={"elastic_load_balancing": OFF})]
NO_EGRESS = ("subnet s/private-0: route table s/private has no 0.0.0.0/0 route through a NAT or internet gateway, "
             "and the VPC lacks endpoints ec2 (Interface), ecr.api (Interface), ecr.dkr (Interface), "
             "sts (Interface), s3 (Gateway, on this route table)")
STORAGE, BALANCING = "storage_config.block_storage.enabled", "kubernetes_network_config.elastic_load_balancing.enabled"
NODES_ENTRY = _add("aws_eks_access_entry", "nodes", {
    "cluster_name": CLUSTER, "principal_arn": "${aws_iam_role.node-role.arn}", "type": "EC2"})
NO_TAG_SESSION = _set("aws_iam_role", "cluster-role",
                      assume_role_policy=_service_trust("eks.amazonaws.com", ["sts:AssumeRole"]))

FAILING = [
    # EKSR001: the built-in node pools launch in the cluster's subnets.
    ([NO_ROUTE], ("EKSR001", "s/c", NO_EGRESS)),
    ([NO_ROUTE, _cluster(vpc_config=[{"subnet_ids": SUBNETS}], compute_config=[COMPUTE])],  # list-form blocks
     ("EKSR001", "s/c", NO_EGRESS)),
    # EKSR007: a node group beside Auto Mode's nodes runs no agent without the add-on.
    ([NODE_GROUP], ("EKSR007", "s/cart-association", (
        "cluster s/c has no eks-pod-identity-agent add-on; Auto Mode runs the agent on its own nodes only, "
        "not on node groups s/ng"))),
    # EKSR011: the self-managed add-ons matter again for a node group beside Auto Mode.
    ([NODE_GROUP, _cluster(bootstrap_self_managed_addons=DROP)],
     ("EKSR011", "s/c", "bootstrap_self_managed_addons = None (provider default true)")),
    ([_cluster(storage_config=DROP)],
     ("EKSR020", "s/c", f"compute_config.enabled, {BALANCING} true but {STORAGE} = None")),
    ([_cluster(kubernetes_network_config=[{"elastic_load_balancing": [OFF]}])],
     ("EKSR020", "s/c", f"compute_config.enabled, {STORAGE} true but {BALANCING} = False")),
    ([_cluster(compute_config=OFF)],
     ("EKSR020", "s/c", f"{STORAGE}, {BALANCING} true but compute_config.enabled = False")),
    ([_drop("aws_iam_role_policy_attachment", "cluster-AmazonEKSComputePolicy"),
      _drop("aws_iam_role_policy_attachment", "cluster-AmazonEKSNetworkingPolicy")],
     ("EKSR021", "s/c", "cluster role s/cluster-role: lacks AmazonEKSComputePolicy, AmazonEKSNetworkingPolicy")),
    ([NO_TAG_SESSION],
     ("EKSR021", "s/c", "cluster role s/cluster-role: trust does not allow sts:TagSession to eks.amazonaws.com")),
    ([NO_TAG_SESSION, _drop("aws_iam_role_policy_attachment", "cluster-AmazonEKSBlockStoragePolicy"),
      _add("aws_iam_role_policy", "secrets", {"role": "${aws_iam_role.cluster-role.id}", "name": "secrets",
                                              "policy": _policy(_allow(["kms:Encrypt", "kms:Decrypt"]))})],
     ("EKSR021", "s/c", (
         "cluster role s/cluster-role: lacks AmazonEKSBlockStoragePolicy; "
         "trust does not allow sts:TagSession to eks.amazonaws.com"))),
    ([_drop("aws_iam_role_policy_attachment", "node-AmazonEC2ContainerRegistryPullOnly")],
     ("EKSR022", "s/c", "node role s/node-role: lacks AmazonEC2ContainerRegistryPullOnly")),
    ([*(_drop("aws_iam_role_policy_attachment", f"node-{name}") for name in NODE_POLICIES),
      _set("aws_iam_role", "node-role", managed_policy_arns=[AWS_POLICY + "AmazonEKS_CNI_Policy"])],
     ("EKSR022", "s/c", ("node role s/node-role: lacks AmazonEKSWorkerNodeMinimalPolicy, "
                         "AmazonEC2ContainerRegistryPullOnly"))),
    ([NODES_ENTRY], ("EKSR023", "s/nodes", (
        "principal s/node-role is compute_config.node_role_arn of Auto Mode cluster s/c, whose entry EKS creates"))),
    ([_cluster(access_config=DROP)],
     ("EKSR024", "s/c", "access_config.authentication_mode = None (EKS API default CONFIG_MAP)")),
    ([_cluster(access_config=[{"authentication_mode": "CONFIG_MAP",
                               "bootstrap_cluster_creator_admin_permissions": True}])],
     ("EKSR024", "s/c", "access_config.authentication_mode = 'CONFIG_MAP'")),
]

PASSING = [
    ("EKSR001", [NO_ROUTE, *ALL_ENDPOINTS]),
    ("EKSR001", [NO_ROUTE, *ALL_OFF]),  # not Auto Mode: EKS launches no node in the cluster's subnets
    ("EKSR001", [NO_ROUTE, _cluster(vpc_config={"subnet_ids": "${var.subnet_ids}"})]),
    ("EKSR007", [NODE_GROUP, AGENT]),
    ("EKSR007", [_cluster(compute_config={**COMPUTE, "enabled": "${var.auto_mode}"})]),  # cannot tell
    ("EKSR009", [_add("aws_eks_addon", "cni", {"cluster_name": CLUSTER, "addon_name": "vpc-cni"})]),
    ("EKSR010", [_add("aws_eks_addon", "cni", {"cluster_name": CLUSTER, "addon_name": "vpc-cni"})]),
    ("EKSR011", [_cluster(bootstrap_self_managed_addons=DROP)]),  # no node group: Auto Mode runs the three
    ("EKSR019", [_cluster(vpc_config={"subnet_ids": ["${aws_subnet.private-0.id}"]})]),  # EKS refuses it at create
    ("EKSR020", ALL_OFF),
    ("EKSR020", [_cluster(storage_config={"block_storage": {"enabled": "${var.auto_mode}"}})]),
    ("EKSR020", [_cluster(kubernetes_network_config="${var.network}")]),
    ("EKSR021", [*(_drop("aws_iam_role_policy_attachment", f"cluster-{name}") for name in CLUSTER_POLICIES),
                 _set("aws_iam_role", "cluster-role", managed_policy_arns=[
                     f"arn:${{data.aws_partition.p.partition}}:iam::aws:policy/{name}" for name in CLUSTER_POLICIES])]),
    ("EKSR021", [*(_drop("aws_iam_role_policy_attachment", f"cluster-{name}") for name in CLUSTER_POLICIES[1:]),
                 _set("aws_iam_role", "cluster-role", inline_policy=[{"name": "auto-mode", "policy": _policy(_allow([
                     "ec2:CreateFleet", "ec2:CreateVolume", "elasticloadbalancing:CreateLoadBalancer",
                     "ec2:CreateNetworkInterface"]))}])]),  # equivalent permissions
    ("EKSR021", [_drop("aws_iam_role_policy_attachment", "cluster-AmazonEKSComputePolicy"),
                 _add("aws_iam_role_policy_attachment", "cluster-custom", {
                     "role": "${aws_iam_role.cluster-role.name}", "policy_arn": "${var.compute_policy_arn}"})]),
    ("EKSR021", [NO_TAG_SESSION, _cluster(role_arn="arn:aws:iam::111122223333:role/AmazonEKSAutoClusterRole")]),
    ("EKSR021", [NO_TAG_SESSION, *ALL_OFF]),  # not Auto Mode
    ("EKSR022", [*(_drop("aws_iam_role_policy_attachment", f"node-{name}") for name in NODE_POLICIES),
                 _add("aws_iam_role_policy_attachment", "node-worker",
                      _attachment("node-role", "AmazonEKSWorkerNodePolicy")),
                 _add("aws_iam_role_policy_attachment", "node-ecr",
                      _attachment("node-role", "AmazonEC2ContainerRegistryReadOnly"))]),
    ("EKSR022", [_drop("aws_iam_role_policy_attachment", "node-AmazonEC2ContainerRegistryPullOnly"),
                 _add("aws_iam_policy", "pull", {"policy": _policy(_allow(
                     ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]))}),
                 _add("aws_iam_role_policy_attachment", "node-pull", {
                     "role": "${aws_iam_role.node-role.name}", "policy_arn": "${aws_iam_policy.pull.arn}"})]),
    ("EKSR022", [_cluster(compute_config={**COMPUTE, "node_role_arn": "arn:aws:iam::111122223333:role/nodes"})]),
    ("EKSR023", [_add("aws_eks_access_entry", "nodes", {
        "cluster_name": CLUSTER, "principal_arn": "${aws_iam_role.cart-role.arn}", "type": "STANDARD"})]),
    ("EKSR023", [NODES_ENTRY, _cluster(compute_config={"enabled": True, "node_pools": []})]),  # no built-in pools
    ("EKSR023", [NODES_ENTRY, _set("aws_eks_access_entry", "nodes", cluster_name="other")]),
    ("EKSR024", [_cluster(access_config={"authentication_mode": "API_AND_CONFIG_MAP"})]),
    ("EKSR024", [_cluster(access_config={"authentication_mode": "${var.authentication_mode}"})]),
    ("EKSR024", [_cluster(access_config=DROP), *ALL_OFF]),  # not Auto Mode
]


def test_the_ready_auto_mode_stack_has_no_finding_of_either_family():
    assert check_readiness(_variant()) == []
    assert check_document(_variant()) == []


@pytest.mark.parametrize(("changes", "expected"), FAILING, ids=[f"{e[0]}-{i}" for i, (_, e) in enumerate(FAILING)])
def test_each_rule_fires_on_an_auto_mode_stack_that_cannot_work(changes, expected):
    # GIVEN the ready Auto Mode stack with one thing broken / WHEN checked
    found = [(f.rule.id, f.path, f.detail) for f in check_readiness(_variant(*changes)) if f.rule.id == expected[0]]
    # THEN exactly that finding
    assert found == [expected]


@pytest.mark.parametrize(("rule", "changes"), PASSING, ids=[f"{r}-{i}" for i, (r, _) in enumerate(PASSING)])
def test_each_rule_passes_an_auto_mode_stack_that_works_or_that_it_cannot_see(rule, changes):
    assert [f for f in check_readiness(_variant(*changes)) if f.rule.id == rule] == []


def test_every_auto_mode_rule_has_failing_and_passing_cases_a_title_and_a_fix():
    rules = {rule.id for rule in auto_mode.RULES}
    assert rules == {f"EKSR{n:03d}" for n in range(20, 25)}
    assert rules <= {e[0] for _, e in FAILING} and rules <= {r for r, _ in PASSING}
    assert all(rule.title and rule.fix for rule in auto_mode.RULES)
