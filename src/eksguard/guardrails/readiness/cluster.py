"""Readiness of the cluster and its node groups: versions EKS serves, AMIs it publishes,
add-ons EKS keeps up to date, and node groups Terraform does not fight over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eksguard.guardrails._document import (
    Block,
    Stack,
    allows,
    as_list,
    blocks,
    first,
    is_false,
    is_token,
    statements,
    web_identity_subjects,
)
from eksguard.guardrails.readiness._auto import auto_mode, node_groups
from eksguard.guardrails.rules import Finding, Rule

SERVED_KUBERNETES_VERSIONS = ("1.32", "1.33", "1.34", "1.35")
"""Versions in EKS standard or extended support on 2026-11-28 (EKS Kubernetes release
calendar: extended support for 1.29 ended 2026-03-23, 1.30 2026-07-23, 1.31 2026-11-26);
update it whenever EKS adds or retires a version."""
AL2_AMI_TYPES = ("AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64")
FIRST_VERSION_WITHOUT_AL2 = (1, 33)
AUTOSCALERS = ("cluster-autoscaler",)
"""What resizes node groups behind Terraform. Not Karpenter: it launches its own instances
(EC2 CreateFleet) and never changes a node group's desired size."""
DESIRED_SIZE = "scaling_config[0].desired_size"
BOTTLEROCKET_OS_DEVICE = "/dev/xvda"
"""Bottlerocket's small OS volume; containers and images live on /dev/xvdb."""
MINOR_VERSION = re.compile(r"^(\d+)\.(\d+)$")

AMI_TYPE = Rule(
    "EKSR004", "node group AMI type EKS does not publish for its Kubernetes version",
    'use an AL2023 or Bottlerocket AMI type (ManagedNodeGroup\'s default is "AL2023_x86_64_STANDARD")')
KUBERNETES_VERSION = Rule(
    "EKSR005", "Kubernetes version EKS does not serve",
    "use a version EKS serves (EksClusterProps.kubernetes_version; default DEFAULT_KUBERNETES_VERSION)")
CNI_ORDER = Rule(
    "EKSR010", "node group not ordered after the cluster's vpc-cni add-on",
    "add the vpc-cni aws_eks_addon to the node group's depends_on: nodes stay NotReady without "
    "the CNI (SecureEksCluster orders them)")
SELF_MANAGED_ADDONS = Rule(
    "EKSR011", "cluster bootstraps self-managed vpc-cni, coredns and kube-proxy",
    "set bootstrap_self_managed_addons = false (EksCluster does) and install the three as EKS "
    "add-ons (SecureEksCluster does); EKS never upgrades the self-managed ones")
DESIRED_SIZE_DRIFT = Rule(
    "EKSR012", "autoscaled node group without ignore_changes on desired_size",
    f'add "{DESIRED_SIZE}" to lifecycle.ignore_changes '
    "(ManagedNodeGroupOptions(desired_size_managed_by_autoscaler=True))")
BOTTLEROCKET_VOLUME = Rule(
    "EKSR017", "Bottlerocket node group sizes only its OS volume",
    "map /dev/xvdb, Bottlerocket's data volume (ManagedNodeGroup does for BOTTLEROCKET AMI types; "
    'Imdsv2LaunchTemplateProps(root_device_name="/dev/xvdb", os_device_name="/dev/xvda"))')
RULES = (AMI_TYPE, KUBERNETES_VERSION, CNI_ORDER, SELF_MANAGED_ADDONS, DESIRED_SIZE_DRIFT, BOTTLEROCKET_VOLUME)


# EKS User Guide, "Amazon Linux 2 end of support": no AL2 AMIs from Kubernetes 1.33.
def check_ami_type(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for group in stack.all("aws_eks_node_group"):
        ami_type = group.get("ami_type")
        if ami_type not in AL2_AMI_TYPES:
            continue
        cluster = stack.cluster(group.get("cluster_name"))
        version = group.get("version") or (cluster.get("version") if cluster else None)
        minor = _minor(version)
        if minor is not None and minor >= FIRST_VERSION_WITHOUT_AL2:
            yield Finding(AMI_TYPE, group.path,
                          f"ami_type {ami_type!r} on Kubernetes {version}; EKS publishes no AL2 AMIs from 1.33")


# EKS User Guide, "Understand the Kubernetes version lifecycle on EKS".
def check_kubernetes_version(document: dict[str, Any]) -> Iterator[Finding]:
    for cluster in Stack(document).all("aws_eks_cluster"):
        version = cluster.get("version")
        if _minor(version) is not None and version not in SERVED_KUBERNETES_VERSIONS:
            yield Finding(KUBERNETES_VERSION, cluster.path,
                          f"version {version!r}; EKS serves {', '.join(SERVED_KUBERNETES_VERSIONS)}")


# EKS User Guide, "Amazon VPC CNI" add-on: nodes are NotReady until the CNI runs on them.
# Node groups only: an Auto Mode cluster's own nodes run EKS's networking capability, not
# the add-on ("Learn about VPC Networking and Load Balancing in EKS Auto Mode").
def check_cni_order(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    cni_addons = [a for a in stack.all("aws_eks_addon") if a.get("addon_name") == "vpc-cni"]
    for group in stack.all("aws_eks_node_group"):
        cluster = stack.cluster_key(group.get("cluster_name"))
        addons = [a for a in cni_addons if stack.cluster_key(a.get("cluster_name")) == cluster]
        depends_on = {str(d).removeprefix("${").removesuffix("}") for d in as_list(group.get("depends_on"))}
        if addons and not any(a.address in depends_on for a in addons):
            yield Finding(CNI_ORDER, group.path, f"depends_on lacks {addons[0].address}")


# EKS API reference, CreateCluster bootstrapSelfManagedAddons; provider aws_eks_cluster (default true, ForceNew).
# An Auto Mode cluster runs pod networking, kube-proxy and cluster DNS on its own nodes as
# core components, not add-ons (EKS User Guide, "Automate cluster infrastructure with EKS
# Auto Mode"): the three matter there only for the stack's node groups beside those nodes.
def check_self_managed_addons(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for cluster in stack.all("aws_eks_cluster"):
        automatic = auto_mode(cluster)
        if automatic is None or (automatic and not node_groups(stack, cluster)):
            continue
        value = cluster.get("bootstrap_self_managed_addons")
        if not is_false(value) and not is_token(value):
            default = " (provider default true)" if value is None else ""
            yield Finding(SELF_MANAGED_ADDONS, cluster.path, f"bootstrap_self_managed_addons = {value!r}{default}")


# Terraform AWS provider, aws_eks_node_group, "Ignoring Changes to Desired Size".
def check_desired_size_drift(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    scaler = next(_autoscalers(stack), None)
    if scaler is None:
        return
    for group in stack.all("aws_eks_node_group"):
        ignored = first(group.get("lifecycle")).get("ignore_changes")
        if ignored == "all" or is_token(ignored) or {"all", DESIRED_SIZE, "scaling_config"} & set(as_list(ignored)):
            continue
        yield Finding(DESIRED_SIZE_DRIFT, group.path, f"lifecycle.ignore_changes lacks {DESIRED_SIZE}; {scaler}")


# Bottlerocket, "Amazon EKS" variants: /dev/xvda holds the OS, /dev/xvdb containers and images.
def check_bottlerocket_volume(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for group in stack.all("aws_eks_node_group"):
        if not str(group.get("ami_type") or "").startswith("BOTTLEROCKET"):
            continue
        template = _launch_template(stack, first(group.get("launch_template")))
        mappings = template.get("block_device_mappings") if template else None
        devices = [m.get("device_name") for m in blocks(mappings)]
        if template and devices and not is_token(mappings) and set(devices) == {BOTTLEROCKET_OS_DEVICE}:
            yield Finding(BOTTLEROCKET_VOLUME, group.path, (
                f"launch template {template.path} maps only {BOTTLEROCKET_OS_DEVICE} (the OS volume); "
                "the data volume is /dev/xvdb"))


CHECKS = (check_ami_type, check_kubernetes_version, check_cni_order, check_self_managed_addons,
          check_desired_size_drift, check_bottlerocket_volume)


def _minor(version: Any) -> tuple[int, int] | None:
    match = MINOR_VERSION.match(version) if isinstance(version, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _autoscalers(stack: Stack) -> Iterator[str]:
    """What in the stack shows that something other than Terraform sets desired sizes."""
    for role in stack.all("aws_iam_role"):
        for _, subject in web_identity_subjects(stack.policy(role.get("assume_role_policy"))):
            if any(name in subject for name in AUTOSCALERS):
                yield f"role {role.path} trusts {subject}"
    for association in stack.all("aws_eks_pod_identity_association"):
        if any(name in str(association.get("service_account")) for name in AUTOSCALERS):
            yield (f"{association.path} associates {association.get('namespace')}/"
                   f"{association.get('service_account')}")
    for block, label, policy in stack.identity_policies():
        if any(allows(s, "autoscaling:SetDesiredCapacity", bare_wildcard=False) for s in statements(policy)):
            yield f"{block.path} {label} allows autoscaling:SetDesiredCapacity"


def _launch_template(stack: Stack, spec: dict[str, Any]) -> Block | None:
    template = stack.ref(spec.get("id"), "aws_launch_template") or stack.ref(spec.get("name"), "aws_launch_template")
    name = spec.get("name")
    if template is None and isinstance(name, str) and not is_token(name):
        template = next((t for t in stack.all("aws_launch_template") if t.get("name") == name), None)
    return template
