"""Compositions of eksguard constructs."""

from eksguard.modules.secure_cluster import SecureEksCluster, SecureEksClusterSpec

__all__ = ["SecureEksCluster", "SecureEksClusterSpec"]
