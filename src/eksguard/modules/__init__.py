"""Compositions of eksguard constructs."""

from eksguard.modules.secure_cluster import AddonIdentityOptions, SecureEksCluster, SecureEksClusterSpec

__all__ = ["AddonIdentityOptions", "SecureEksCluster", "SecureEksClusterSpec"]
