"""Readiness of EKS Auto Mode clusters: the three capabilities on together, the cluster
and node roles with the permissions Auto Mode uses, and access entries EKS keeps for itself.

An Auto Mode cluster is an ``aws_eks_cluster`` with ``compute_config.enabled = true``;
EKS launches its nodes, runs their networking, DNS, storage driver and Pod Identity agent,
and creates the node role's access entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eksguard.guardrails._document import (
    Block,
    Stack,
    allows,
    as_list,
    blocks,
    first,
    is_token,
    is_true,
    principals,
    statements,
)
from eksguard.guardrails.readiness._auto import auto_mode
from eksguard.guardrails.readiness.identity import _is_role
from eksguard.guardrails.rules import Finding, Rule

CAPABILITIES = (
    ("compute_config.enabled", ("compute_config", "enabled")),
    ("storage_config.block_storage.enabled", ("storage_config", "block_storage", "enabled")),
    ("kubernetes_network_config.elastic_load_balancing.enabled",
     ("kubernetes_network_config", "elastic_load_balancing", "enabled")),
)
"""Auto Mode's compute, block storage and load balancing capabilities, where the JSON holds them."""
CLUSTER_POLICIES = (
    (("AmazonEKSClusterPolicy",), "autoscaling:DescribeAutoScalingGroups"),
    (("AmazonEKSComputePolicy",), "ec2:CreateFleet"),
    (("AmazonEKSBlockStoragePolicy",), "ec2:CreateVolume"),
    (("AmazonEKSLoadBalancingPolicy",), "elasticloadbalancing:CreateLoadBalancer"),
    (("AmazonEKSNetworkingPolicy",), "ec2:CreateNetworkInterface"),
)
NODE_POLICIES = (
    (("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEKSWorkerNodePolicy"), "eks-auth:AssumeRoleForPodIdentity"),
    (("AmazonEC2ContainerRegistryPullOnly", "AmazonEC2ContainerRegistryReadOnly"), "ecr:BatchGetImage"),
)
"""Each entry: the AWS managed policies that serve (the one the EKS User Guide names first),
and an action the policy grants that stands for it: a custom policy of the role allowing it
is taken for the "equivalent permissions" the guide allows."""
EKS_SERVICE = "eks.amazonaws.com"
TAG_SESSION = "sts:TagSession"
CONFIG_MAP = "CONFIG_MAP"

CAPABILITIES_TOGETHER = Rule(
    "EKSR020", "Auto Mode capabilities not enabled together",
    "set compute_config.enabled, storage_config.block_storage.enabled and "
    "kubernetes_network_config.elastic_load_balancing.enabled all true (Auto Mode) or all false: "
    "EKS refuses any other mix (InvalidParameterException); EksClusterProps(auto_mode=AutoModeOptions()) "
    "sets the three")
CLUSTER_ROLE = Rule(
    "EKSR021", "Auto Mode cluster role lacks Auto Mode's policies or sts:TagSession",
    "attach " + ", ".join(names[0] for names, _ in CLUSTER_POLICIES) + " to the cluster role, and let its trust allow "
    f"sts:AssumeRole and {TAG_SESSION} to {EKS_SERVICE} (EksCluster with auto_mode does both on the role it creates)")
NODE_ROLE = Rule(
    "EKSR022", "Auto Mode node role lacks the node or ECR pull policy",
    "attach AmazonEKSWorkerNodeMinimalPolicy and AmazonEC2ContainerRegistryPullOnly to the role in "
    "compute_config.node_role_arn (AutoModeNodeRole does)")
NODE_ACCESS_ENTRY = Rule(
    "EKSR023", "access entry for the Auto Mode node role, which EKS creates itself",
    "remove the aws_eks_access_entry for compute_config.node_role_arn: EKS creates that entry with "
    "the cluster, and a second one for the same principal fails (ResourceInUseException); a custom "
    "NodeClass with another role needs an EC2 entry for that role")
AUTHENTICATION_MODE = Rule(
    "EKSR024", "Auto Mode cluster without access entries (authentication mode CONFIG_MAP)",
    'set access_config.authentication_mode = "API" (or "API_AND_CONFIG_MAP"): Auto Mode maps its '
    "node and cluster roles through access entries (EksCluster with auto_mode requires it)")
RULES = (CAPABILITIES_TOGETHER, CLUSTER_ROLE, NODE_ROLE, NODE_ACCESS_ENTRY, AUTHENTICATION_MODE)


# EKS User Guide, "Enable EKS Auto Mode on an existing cluster": "The compute, block storage,
# and load balancing capabilities must all be enabled or disabled in the same request";
# CreateCluster answers InvalidParameterException ("... computeConfig, kubernetesNetworkConfig,
# and blockStorage are all either fully enabled or fully disabled"). The AWS provider also
# refuses the mix at plan; this says it at synth, naming the construct.
def check_capabilities_together(document: dict[str, Any]) -> Iterator[Finding]:
    for cluster in Stack(document).all("aws_eks_cluster"):
        values = [(name, _nested(cluster.body, path)) for name, path in CAPABILITIES]
        if any(is_token(value) for _, value in values):
            continue
        enabled = [name for name, value in values if is_true(value)]
        others = [f"{name} = {value!r}" for name, value in values if not is_true(value)]
        if enabled and others:
            yield Finding(CAPABILITIES_TOGETHER, cluster.path,
                          f"{', '.join(enabled)} true but {', '.join(others)}")


# EKS User Guide, "Amazon EKS Auto Mode cluster IAM role" (auto-cluster-iam-role.html): the
# role needs AmazonEKSComputePolicy, AmazonEKSBlockStoragePolicy, AmazonEKSLoadBalancingPolicy,
# AmazonEKSNetworkingPolicy and AmazonEKSClusterPolicy "or equivalent permissions", and a
# trust allowing eks.amazonaws.com sts:AssumeRole and sts:TagSession. A policy of the role's
# own that allows the policy's key action counts as the equivalent; a role with a policy the
# JSON does not show is skipped for the policies (not for the trust).
def check_cluster_role(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for cluster in _auto_mode_clusters(stack):
        role = stack.ref(cluster.get("role_arn"), "aws_iam_role")
        if role is None:
            continue
        problems = []
        missing = _missing_policies(stack, role, CLUSTER_POLICIES)
        if missing:
            problems.append(f"lacks {', '.join(missing)}")
        trust = stack.policy(role.get("assume_role_policy"))
        if trust is not None and not any(allows(s, TAG_SESSION) and EKS_SERVICE in principals(s, "Service")
                                         for s in statements(trust)):
            problems.append(f"trust does not allow {TAG_SESSION} to {EKS_SERVICE}")
        if problems:
            yield Finding(CLUSTER_ROLE, cluster.path, f"cluster role {role.path}: {'; '.join(problems)}")


# EKS User Guide, "Amazon EKS Auto Mode node IAM role" (auto-create-node-role.html):
# AmazonEKSWorkerNodeMinimalPolicy and AmazonEC2ContainerRegistryPullOnly "or equivalent
# permissions" (AmazonEKSWorkerNodePolicy and AmazonEC2ContainerRegistryReadOnly grant more;
# a policy of the role's own that allows the key action counts, as for EKSR021).
def check_node_role(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for cluster in _auto_mode_clusters(stack):
        role = stack.ref(first(cluster.get("compute_config")).get("node_role_arn"), "aws_iam_role")
        if role is None:
            continue
        missing = _missing_policies(stack, role, NODE_POLICIES)
        if missing:
            yield Finding(NODE_ROLE, cluster.path, f"node role {role.path}: lacks {', '.join(missing)}")


# EKS User Guide, "Create a Node Class for Amazon EKS": "EKS automatically creates access
# entries when you use the built-in node class and node pools" (for the node role, at
# cluster creation); "Create access entries": an IAM principal can only have one access entry
# per cluster, so the stack's own CreateAccessEntry for it answers ResourceInUseException.
def check_node_access_entry(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for cluster in _auto_mode_clusters(stack):
        compute = first(cluster.get("compute_config"))
        node_role = compute.get("node_role_arn")
        if node_role is None or compute.get("node_pools") == []:
            continue  # no built-in node pools: EKS creates no entry
        role = stack.ref(node_role, "aws_iam_role")
        if role is None and is_token(node_role):
            continue
        for entry in stack.all("aws_eks_access_entry"):
            if stack.cluster(entry.get("cluster_name")) is not cluster:
                continue
            principal = entry.get("principal_arn")
            same = stack.ref(principal, "aws_iam_role") is role if role else principal == node_role
            if same:
                yield Finding(NODE_ACCESS_ENTRY, entry.path, (
                    f"principal {role.path if role else node_role} is compute_config.node_role_arn of "
                    f"Auto Mode cluster {cluster.path}, whose entry EKS creates"))


# EKS User Guide, "Grant IAM users and roles access to Kubernetes APIs" (Set Cluster
# Authentication Mode): "Amazon EKS Auto Mode requires Access entries"; CONFIG_MAP has none.
# EKS API reference, CreateAccessConfigRequest: without access_config the mode is CONFIG_MAP.
def check_authentication_mode(document: dict[str, Any]) -> Iterator[Finding]:
    for cluster in _auto_mode_clusters(Stack(document)):
        access = cluster.get("access_config")
        mode = first(access).get("authentication_mode")
        if is_token(access) or is_token(mode):
            continue
        if mode is None:
            yield Finding(AUTHENTICATION_MODE, cluster.path,
                          f"access_config.authentication_mode = None (EKS API default {CONFIG_MAP})")
        elif mode == CONFIG_MAP:
            yield Finding(AUTHENTICATION_MODE, cluster.path, f"access_config.authentication_mode = {mode!r}")


CHECKS = (check_capabilities_together, check_cluster_role, check_node_role, check_node_access_entry,
          check_authentication_mode)


def _auto_mode_clusters(stack: Stack) -> list[Block]:
    return [c for c in stack.all("aws_eks_cluster") if auto_mode(c)]


def _nested(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` through nested blocks (dicts or one-element lists); a computed
    block on the way is returned as is (a token)."""
    value: Any = body
    for key in path:
        if is_token(value):
            return value
        value = first(value).get(key)
    return value


def _missing_policies(stack: Stack, role: Block, required: tuple[tuple[tuple[str, ...], str], ...]) -> list[str]:
    """The first name of each ``required`` entry that the role has neither as an AWS managed
    policy nor as a policy of its own allowing the entry's action; nothing when one of the
    role's policies cannot be read."""
    attached = _role_policies(stack, role)
    if attached is None:
        return []
    names, documents = attached
    granted = [s for document in documents for s in statements(document)]
    return [entry[0] for entry, action in required
            if not names & set(entry) and not any(allows(s, action) for s in granted)]


def _role_policies(stack: Stack, role: Block) -> tuple[set[str], list[dict[str, Any]]] | None:
    """(names of the AWS managed policies attached to the role, the documents of its other
    policies); None when one of them is computed or outside the stack."""
    listed = role.get("managed_policy_arns")
    if isinstance(listed, str) or is_token(role.get("inline_policy")):
        return None
    arns = list(as_list(listed))
    arns += [a.get("policy_arn") for a in stack.all("aws_iam_role_policy_attachment")
             if _is_role(stack, a.get("role"), role)]
    arns += [a.get("policy_arn") for a in stack.all("aws_iam_policy_attachment")
             if any(_is_role(stack, r, role) for r in as_list(a.get("roles")))]
    names: set[str] = set()
    texts: list[Any] = [i.get("policy") for i in blocks(role.get("inline_policy")) if i.get("policy") is not None]
    texts += [p.get("policy") for p in stack.all("aws_iam_role_policy") if _is_role(stack, p.get("role"), role)]
    for arn in arns:
        customer = stack.ref(arn, "aws_iam_policy")
        if customer is not None:
            texts.append(customer.get("policy"))
        elif isinstance(arn, str) and ":iam::aws:policy/" in arn and not arn.endswith("}"):
            names.add(arn.rsplit("/", 1)[-1])
        else:
            return None
    documents = [stack.policy(text) for text in texts]
    if any(document is None for document in documents):
        return None
    return names, [d for d in documents if d is not None]
