"""Readiness of workload identities: add-on roles trusted by the add-on's own service
account, Pod Identity with its agent and pinned trust, and the VPC CNI with permissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eksguard.guardrails._document import (
    Block,
    Stack,
    as_list,
    blocks,
    conditions,
    is_token,
    principals,
    statements,
    subject_matches,
    web_identity_subjects,
)
from eksguard.guardrails.readiness._auto import auto_mode, node_groups
from eksguard.guardrails.rules import Finding, Rule

ADDON_SERVICE_ACCOUNTS = {
    "vpc-cni": ("kube-system", "aws-node"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa"),
    "aws-efs-csi-driver": ("kube-system", "efs-csi-controller-sa"),
    "adot": ("opentelemetry-operator-system", "opentelemetry-operator"),
    "amazon-cloudwatch-observability": ("amazon-cloudwatch", "cloudwatch-agent"),
    "aws-mountpoint-s3-csi-driver": ("kube-system", "s3-csi-driver-sa"),
}
"""The service account each managed add-on's pods run as."""
POD_IDENTITY_AGENT = "eks-pod-identity-agent"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
CNI_POLICY = ":policy/AmazonEKS_CNI_Policy"
PINNED_SESSION_TAGS = ("aws:RequestTag/eks-cluster-arn", "aws:RequestTag/kubernetes-namespace",
                       "aws:RequestTag/kubernetes-service-account")
PINNING_OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")

ADDON_IDENTITY = Rule(
    "EKSR006", "add-on identity bound to another service account",
    "trust (or associate) the add-on's own service account, e.g. kube-system/aws-node for vpc-cni "
    "(SecureEksCluster addon_identities does)")
POD_IDENTITY_AGENT_MISSING = Rule(
    "EKSR007", "Pod Identity association on a cluster without the Pod Identity Agent",
    f"install the {POD_IDENTITY_AGENT} add-on on the cluster (SecureEksCluster installs it with "
    "the first Pod Identity role)")
CNI_PERMISSIONS = Rule(
    "EKSR009", "node role lacks AmazonEKS_CNI_Policy and aws-node has no identity of its own",
    'give the VPC CNI its own identity (SecureEksCluster addon_identities={"vpc-cni": '
    "AddonIdentityOptions(permissions=vpc_cni())}), or attach AmazonEKS_CNI_Policy to the node role")
POD_IDENTITY_TRUST = Rule(
    "EKSR016", "Pod Identity trust not pinned to a cluster, namespace and service account",
    "condition the trust on " + ", ".join(PINNED_SESSION_TAGS) + " (PodIdentityRole pins them)")
RULES = (ADDON_IDENTITY, POD_IDENTITY_AGENT_MISSING, CNI_PERMISSIONS, POD_IDENTITY_TRUST)


# EKS User Guide, "IAM roles for service accounts": an add-on's role trusts the service account it runs as.
def check_addon_identity(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    addon_roles: dict[str, tuple[str, tuple[str, str]]] = {}  # role address -> (add-on, its service account)
    for addon in stack.all("aws_eks_addon"):
        if addon.get("addon_name") in ADDON_SERVICE_ACCOUNTS:
            yield from _addon_bindings(stack, addon, addon_roles)
    for association in stack.all("aws_eks_pod_identity_association"):
        role = stack.ref(association.get("role_arn"), "aws_iam_role")
        if role is None or role.address not in addon_roles:
            continue
        name, expected = addon_roles[role.address]
        bound = (association.get("namespace"), association.get("service_account"))
        if bound != expected:
            yield Finding(ADDON_IDENTITY, association.path, (
                f"{bound[0]}/{bound[1]} gets role {role.path} of add-on {name}, "
                f"which runs as {expected[0]}/{expected[1]}"))


# EKS User Guide, "Set up the Amazon EKS Pod Identity Agent": the agent runs as a pod on
# each node; "You do not need to install the EKS Pod Identity Agent on EKS Auto Mode
# Clusters. This capability is built into EKS Auto Mode." Built into Auto Mode's own nodes,
# that is: a node group beside them gets the agent only from the add-on. A workload is not
# known to stay off the node groups (that is in its manifests, not in the stack), so an
# Auto Mode cluster with node groups of the stack still needs the add-on; without any, not.
def check_pod_identity_agent(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    addons = stack.all("aws_eks_addon")
    with_agent = {stack.cluster_key(a.get("cluster_name")) for a in addons if a.get("addon_name") == POD_IDENTITY_AGENT}
    users = [(b, b.get("cluster_name")) for b in stack.all("aws_eks_pod_identity_association")]
    users += [(a, a.get("cluster_name")) for a in addons if blocks(a.get("pod_identity_association"))]
    for block, cluster_name in users:
        cluster = stack.cluster(cluster_name)
        if cluster is None or cluster.address in with_agent:
            continue
        automatic = auto_mode(cluster)
        if automatic is None:
            continue
        detail = f"cluster {cluster.path} has no {POD_IDENTITY_AGENT} add-on"
        if automatic:
            groups = node_groups(stack, cluster)
            if not groups:
                continue
            detail += (f"; Auto Mode runs the agent on its own nodes only, not on node groups "
                       f"{', '.join(g.path for g in groups)}")
        yield Finding(POD_IDENTITY_AGENT_MISSING, block.path, detail)


# EKS User Guide, "Amazon EKS node IAM role": the node role needs AmazonEKS_CNI_Policy unless aws-node has its own.
# Node groups only: Auto Mode's nodes run no aws-node; the cluster role's
# AmazonEKSNetworkingPolicy does their networking (EKSR021 checks it).
def check_cni_permissions(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for group in stack.all("aws_eks_node_group"):
        cluster = stack.cluster(group.get("cluster_name"))
        role = stack.ref(group.get("node_role_arn"), "aws_iam_role")
        if cluster is None or role is None:
            continue
        policies = _managed_policy_arns(stack, role)
        if policies is None or any(str(arn).endswith(CNI_POLICY) for arn in policies):
            continue
        if not _aws_node_has_identity(stack, cluster):
            yield Finding(CNI_PERMISSIONS, group.path, (
                f"node role {role.path} lacks AmazonEKS_CNI_Policy and cluster {cluster.path} "
                "binds no role to kube-system/aws-node"))


# EKS User Guide, "Create the Pod Identity role" / "Pod Identity session tags".
def check_pod_identity_trust(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for role in stack.all("aws_iam_role"):
        for statement in statements(stack.policy(role.get("assume_role_policy"))):
            if statement.get("Effect") != "Allow" or POD_IDENTITY_SERVICE not in principals(statement, "Service"):
                continue
            pinned = conditions(statement, PINNING_OPERATORS)
            missing = [tag for tag in PINNED_SESSION_TAGS if tag.lower() not in pinned]
            if missing:
                yield Finding(POD_IDENTITY_TRUST, role.path,
                              f"trust of {POD_IDENTITY_SERVICE} without {', '.join(missing)}")
                break


CHECKS = (check_addon_identity, check_pod_identity_agent, check_cni_permissions, check_pod_identity_trust)


def _managed_policy_arns(stack: Stack, role: Block) -> list[Any] | None:
    """The managed policies attached to a role; None when one of them is not known."""
    listed = role.get("managed_policy_arns")
    if isinstance(listed, str):
        return None
    arns = list(as_list(listed))
    for attachment in stack.all("aws_iam_role_policy_attachment"):
        if _is_role(stack, attachment.get("role"), role):
            arns.append(attachment.get("policy_arn"))
    for attachment in stack.all("aws_iam_policy_attachment"):
        if any(_is_role(stack, r, role) for r in as_list(attachment.get("roles"))):
            arns.append(attachment.get("policy_arn"))
    return None if any(not isinstance(a, str) or a.endswith("}") for a in arns) else arns


def role_policies(stack: Stack, role: Block) -> list[tuple[Block, str, dict[str, Any]]]:
    """(block, label, document) of each readable policy of a role: its ``inline_policy``
    blocks, the ``aws_iam_role_policy`` resources on it, and the ``aws_iam_policy`` resources
    of the stack attached to it (``managed_policy_arns``, ``aws_iam_role_policy_attachment``,
    ``aws_iam_policy_attachment``). A policy that cannot be read, or one outside the stack
    (an AWS managed policy), is not among them."""
    found = [(role, _label("inline_policy", inline.get("name")), stack.policy(inline.get("policy")))
             for inline in blocks(role.get("inline_policy"))]
    found += [(inline, _label("policy", inline.get("name")), stack.policy(inline.get("policy")))
              for inline in stack.all("aws_iam_role_policy") if _is_role(stack, inline.get("role"), role)]
    arns = [] if isinstance(role.get("managed_policy_arns"), str) else list(as_list(role.get("managed_policy_arns")))
    arns += [a.get("policy_arn") for a in stack.all("aws_iam_role_policy_attachment")
             if _is_role(stack, a.get("role"), role)]
    arns += [a.get("policy_arn") for a in stack.all("aws_iam_policy_attachment")
             if any(_is_role(stack, r, role) for r in as_list(a.get("roles")))]
    attached = {p.address: p for p in (stack.ref(arn, "aws_iam_policy") for arn in arns) if p is not None}
    found += [(p, _label("policy", p.get("name")), stack.policy(p.get("policy"))) for p in attached.values()]
    return [(block, label, policy) for block, label, policy in found if policy is not None]


def _label(kind: str, name: Any) -> str:
    return f"{kind} {name!r}" if isinstance(name, str) and not is_token(name) else kind


def _is_role(stack: Stack, value: Any, role: Block) -> bool:
    return stack.ref(value, "aws_iam_role") is role or (value is not None and value == role.get("name"))


def _aws_node_has_identity(stack: Stack, cluster: Block) -> bool:
    for addon in stack.all("aws_eks_addon"):
        if stack.cluster_key(addon.get("cluster_name")) != cluster.address:
            continue
        if addon.get("addon_name") == "vpc-cni" and addon.get("service_account_role_arn"):
            return True
        if any(a.get("service_account") == "aws-node" for a in blocks(addon.get("pod_identity_association"))):
            return True
    for association in stack.all("aws_eks_pod_identity_association"):
        if (stack.cluster_key(association.get("cluster_name")) == cluster.address
                and (association.get("namespace"), association.get("service_account")) == ("kube-system", "aws-node")):
            return True
    # An IRSA role for aws-node is bound by the service account's annotation, outside Terraform.
    subject = "system:serviceaccount:kube-system:aws-node"
    return any(subject_matches(op, value, subject)
               for role in stack.all("aws_iam_role")
               for op, value in web_identity_subjects(stack.policy(role.get("assume_role_policy"))))


def _addon_bindings(stack: Stack, addon: Block, addon_roles: dict[str, tuple[str, tuple[str, str]]]
                    ) -> Iterator[Finding]:
    """Findings on an add-on's IRSA role and ``pod_identity_association`` blocks; records
    their roles in ``addon_roles``."""
    name = str(addon.get("addon_name"))
    namespace, account = ADDON_SERVICE_ACCOUNTS[name]
    role = stack.ref(addon.get("service_account_role_arn"), "aws_iam_role")
    if role is not None:
        addon_roles[role.address] = (name, (namespace, account))
        subject = f"system:serviceaccount:{namespace}:{account}"
        subjects = web_identity_subjects(stack.policy(role.get("assume_role_policy")))
        if subjects and not any(subject_matches(op, value, subject) for op, value in subjects):
            yield Finding(ADDON_IDENTITY, addon.path, (
                f"{name} runs as {namespace}/{account}; role {role.path} trusts "
                + ", ".join(value for _, value in subjects)))
    for association in blocks(addon.get("pod_identity_association")):
        associated = stack.ref(association.get("role_arn"), "aws_iam_role")
        if associated is not None:
            addon_roles.setdefault(associated.address, (name, (namespace, account)))
        if association.get("service_account") not in (None, account):
            yield Finding(ADDON_IDENTITY, addon.path, (
                f"pod_identity_association for service account {association.get('service_account')!r}; "
                f"{name} runs as {namespace}/{account}"))
