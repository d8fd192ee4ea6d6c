"""Compositions of eksguard constructs."""

from eksguard.modules.secure_cluster import (
    AddonIdentityOptions,
    CoreAddonsOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    SecureEksClusterSpec,
)

__all__ = ["AddonIdentityOptions", "CoreAddonsOptions", "SecureEksCluster", "SecureEksClusterProps", "SecureEksClusterSpec"]
