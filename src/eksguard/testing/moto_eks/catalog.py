"""What EKS publishes, as the emulator serves it: Kubernetes versions, add-on versions,
add-on service accounts and cluster access policies.

A snapshot, not a live copy: versions follow the EKS User Guide's add-on version tables
and versions seen pinned for each Kubernetes version in 2026. Tests assert behaviour (a default per Kubernetes version, unknown names and
versions refused), never that these numbers are current on AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KUBERNETES_VERSIONS = ("1.30", "1.31", "1.32", "1.33", "1.34", "1.35")
"""Kubernetes versions the emulator's add-on catalog covers, oldest first."""


@dataclass(frozen=True)
class AddonSpec:
    """One EKS add-on: its versions per Kubernetes version (newest first, the first is the
    default) and the service account its controller runs as."""

    name: str
    type: str
    versions: dict[str, tuple[str, ...]]
    service_account: str | None
    """``namespace/name`` of the workload that uses ``serviceAccountRoleArn``; None when the
    add-on takes no IAM role."""
    recommended_managed_policies: tuple[str, ...] = ()

    def versions_for(self, kubernetes_version: str) -> tuple[str, ...]:
        return self.versions.get(kubernetes_version, ())

    def all_versions(self) -> list[str]:
        """Every version, newest first, as DescribeAddonVersions lists them."""
        return sorted({v for versions in self.versions.values() for v in versions}, key=version_key, reverse=True)


def version_key(version: str) -> tuple[int, ...]:
    """``v1.20.4-eksbuild.2`` -> (1, 20, 4, 2): orders add-on versions as EKS does."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _per_version(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {k: table[k] for k in KUBERNETES_VERSIONS if k in table}


_VPC_CNI = ("v1.21.1-eksbuild.3", "v1.20.4-eksbuild.1", "v1.19.6-eksbuild.7")
_EBS_CSI = ("v1.55.0-eksbuild.1", "v1.51.1-eksbuild.1", "v1.45.0-eksbuild.2")
_POD_IDENTITY_AGENT = ("v1.3.10-eksbuild.2", "v1.3.9-eksbuild.3", "v1.3.8-eksbuild.2")

ADDONS: dict[str, AddonSpec] = {spec.name: spec for spec in (
    AddonSpec("vpc-cni", "networking", _per_version({v: _VPC_CNI for v in KUBERNETES_VERSIONS}),
              "kube-system/aws-node", ("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",)),
    AddonSpec("kube-proxy", "networking", _per_version({
        "1.30": ("v1.30.14-eksbuild.8", "v1.30.13-eksbuild.2"),
        "1.31": ("v1.31.13-eksbuild.3", "v1.31.10-eksbuild.2"),
        "1.32": ("v1.32.9-eksbuild.2", "v1.32.6-eksbuild.2"),
        "1.33": ("v1.33.5-eksbuild.2", "v1.33.3-eksbuild.4"),
        "1.34": ("v1.34.1-eksbuild.2", "v1.34.0-eksbuild.4"),
        "1.35": ("v1.35.0-eksbuild.2", "v1.35.0-eksbuild.1"),
    }), None),
    AddonSpec("coredns", "networking", _per_version({
        "1.30": ("v1.11.4-eksbuild.24", "v1.11.4-eksbuild.14"),
        "1.31": ("v1.11.4-eksbuild.24", "v1.11.4-eksbuild.14"),
        "1.32": ("v1.11.4-eksbuild.24", "v1.11.4-eksbuild.14"),
        "1.33": ("v1.12.4-eksbuild.1", "v1.12.2-eksbuild.4"),
        "1.34": ("v1.12.4-eksbuild.1", "v1.12.3-eksbuild.1"),
        "1.35": ("v1.13.1-eksbuild.1", "v1.12.4-eksbuild.31"),
    }), None),
    AddonSpec("aws-ebs-csi-driver", "storage", _per_version({v: _EBS_CSI for v in KUBERNETES_VERSIONS}),
              "kube-system/ebs-csi-controller-sa",
              ("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",)),
    AddonSpec("eks-pod-identity-agent", "security",
              _per_version({v: _POD_IDENTITY_AGENT for v in KUBERNETES_VERSIONS}), None),
)}
"""The add-ons the emulator can install, by name."""

ACCESS_POLICIES = (
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSViewPolicy",
)
"""Cluster access policies (``ListAccessPolicies``; EKS User Guide, "Review access policy
permissions")."""


def access_policy_arn(name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{name}"
